// Diagnostics: located errors about a workflow file, collected rather than thrown, so that
// `flyte validate` reports every mistake at once. Codes follow Flyte's compiler error codes
// (research/flyte.md §2.4) plus the loader's own (UnknownKey, WrongShape...).
// A Diagnostics list is a plain value; it is not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/source.h"

namespace flyte {

enum class ErrorCode {
  // Reading the file.
  kIOError,
  kFileTooLarge,
  kInvalidEncoding,
  kSyntaxError,
  // Shape of the document.
  kUnknownKey,
  kDuplicateKey,
  kDuplicateId,
  kWrongShape,
  kValueRequired,
  kInvalidValue,
  kInvalidType,
  kIllegalEnumValue,
  // References and types.
  kTaskReferenceNotFound,
  kWorkflowReferenceNotFound,
  kLaunchPlanReferenceNotFound,
  kNodeReferenceNotFound,
  kVariableNameNotFound,
  kFieldNotFound,
  kMismatchingTypes,
  kParameterNotBound,
  kParameterBoundMoreThanOnce,
  kAmbiguousBindingUnionValue,
  kIncompatibleBindingUnionValue,
  // Graph structure.
  kNoNodesFound,
  kCycleDetected,
  kUnreachableNodes,
  kBranchNodeHasNoCondition,
  kBranchNodeHasNoDefault,
};

const char* ErrorCodeName(ErrorCode code);

struct Diagnostic {
  ErrorCode code;
  std::string file;   // the path as the user gave it
  uint32_t line = 0;  // 0: about the whole file
  uint32_t col = 0;
  std::string message;
  std::string line_text;  // the source line, for the caret display

  // "FILE:LINE:COL: error[CODE]: message" (the first line of Format()).
  std::string Headline() const;
  // Headline, then the source line and a caret under the column.
  std::string Format() const;
};

class Diagnostics {
 public:
  void Add(ErrorCode code, SourceLoc loc, std::string message);
  // For errors about a file that could not be read at all.
  void AddForFile(ErrorCode code, std::string file, std::string message);
  void Append(const Diagnostics& other);

  bool ok() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Sorted by file, line and column; duplicates removed.
  std::vector<Diagnostic> Sorted() const;
  // Every diagnostic, Format()ted and sorted, one after another.
  std::string FormatAll() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace flyte
