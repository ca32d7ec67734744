#include "flyte/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace flyte {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kIOError:
      return "IOError";
    case ErrorCode::kFileTooLarge:
      return "FileTooLarge";
    case ErrorCode::kInvalidEncoding:
      return "InvalidEncoding";
    case ErrorCode::kSyntaxError:
      return "SyntaxError";
    case ErrorCode::kUnknownKey:
      return "UnknownKey";
    case ErrorCode::kDuplicateKey:
      return "DuplicateKey";
    case ErrorCode::kDuplicateId:
      return "DuplicateId";
    case ErrorCode::kWrongShape:
      return "WrongShape";
    case ErrorCode::kValueRequired:
      return "ValueRequired";
    case ErrorCode::kInvalidValue:
      return "InvalidValue";
    case ErrorCode::kInvalidType:
      return "InvalidType";
    case ErrorCode::kIllegalEnumValue:
      return "IllegalEnumValue";
    case ErrorCode::kTaskReferenceNotFound:
      return "TaskReferenceNotFound";
    case ErrorCode::kWorkflowReferenceNotFound:
      return "WorkflowReferenceNotFound";
    case ErrorCode::kLaunchPlanReferenceNotFound:
      return "LaunchPlanReferenceNotFound";
    case ErrorCode::kNodeReferenceNotFound:
      return "NodeReferenceNotFound";
    case ErrorCode::kVariableNameNotFound:
      return "VariableNameNotFound";
    case ErrorCode::kFieldNotFound:
      return "FieldNotFound";
    case ErrorCode::kMismatchingTypes:
      return "MismatchingTypes";
    case ErrorCode::kParameterNotBound:
      return "ParameterNotBound";
    case ErrorCode::kParameterBoundMoreThanOnce:
      return "ParameterBoundMoreThanOnce";
    case ErrorCode::kAmbiguousBindingUnionValue:
      return "AmbiguousBindingUnionValue";
    case ErrorCode::kIncompatibleBindingUnionValue:
      return "IncompatibleBindingUnionValue";
    case ErrorCode::kNoNodesFound:
      return "NoNodesFound";
    case ErrorCode::kCycleDetected:
      return "CycleDetected";
    case ErrorCode::kUnreachableNodes:
      return "UnreachableNodes";
    case ErrorCode::kBranchNodeHasNoCondition:
      return "BranchNodeHasNoCondition";
    case ErrorCode::kBranchNodeHasNoDefault:
      return "BranchNodeHasNoDefault";
  }
  return "Unknown";
}

std::string Diagnostic::Headline() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(col);
  out += ": error[";
  out += ErrorCodeName(code);
  out += "]: ";
  out += message;
  return out;
}

std::string Diagnostic::Format() const {
  std::string out = Headline();
  out += '\n';
  if (line == 0) return out;
  out += "  ";
  out += line_text;
  out += "\n  ";
  // Keep tabs so the caret lines up under tab-indented text.
  for (uint32_t i = 1; i < col; ++i) {
    out += (i - 1 < line_text.size() && line_text[i - 1] == '\t') ? '\t' : ' ';
  }
  out += "^\n";
  return out;
}

void Diagnostics::Add(ErrorCode code, SourceLoc loc, std::string message) {
  Diagnostic d;
  d.code = code;
  d.message = std::move(message);
  if (loc.file != nullptr) {
    d.file = loc.file->path();
    d.line = loc.line;
    d.col = loc.col == 0 ? 1 : loc.col;
    if (loc.line > 0) d.line_text = std::string(loc.file->LineText(loc.line));
  }
  items_.push_back(std::move(d));
}

void Diagnostics::AddForFile(ErrorCode code, std::string file, std::string message) {
  Diagnostic d;
  d.code = code;
  d.file = std::move(file);
  d.message = std::move(message);
  items_.push_back(std::move(d));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) { return std::tie(d.file, d.line, d.col, d.message); };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) {
                          return key(a) == key(b) && a.code == b.code;
                        }),
            out.end());
  return out;
}

std::string Diagnostics::FormatAll() const {
  std::string out;
  for (const Diagnostic& d : Sorted()) out += d.Format();
  return out;
}

}  // namespace flyte
