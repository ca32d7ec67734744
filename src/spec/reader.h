// Shape-checking helpers for the loader: each reads one YAML node as the expected kind of
// thing and, when it is not, records a located diagnostic that says what was expected and
// returns nothing, so the loader can go on and collect further errors.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flyte/diagnostic.h"
#include "flyte/source.h"
#include "flyte/types.h"
#include "util/yaml.h"

namespace flyte::spec {

using KeyList = std::span<const std::string_view>;

// Where `n` is written. An empty value at the end of the file (`nodes:` on the last line)
// sits past the last line; it is placed just after the end of that line instead.
SourceLoc LocOf(const yaml::Node& n, const SourceFile* file);

class Reader {
 public:
  Reader(const SourceFile* file, Diagnostics& diags) : file_(file), diags_(diags) {}

  const SourceFile* file() const { return file_; }
  Diagnostics& diags() { return diags_; }

  SourceLoc Loc(const yaml::Node& n) const { return LocOf(n, file_); }
  // The location of byte `offset` of a scalar's value, following quotes and block scalars.
  SourceLoc LocIn(const yaml::Node& scalar, size_t offset) const;

  void Error(ErrorCode code, const yaml::Node& at, std::string message) {
    diags_.Add(code, Loc(at), std::move(message));
  }
  void Error(ErrorCode code, SourceLoc at, std::string message) {
    diags_.Add(code, at, std::move(message));
  }

  // "expected a mapping for WHAT, got a list". Null is accepted as an empty mapping.
  bool ExpectMap(const yaml::Node& n, std::string_view what);
  bool ExpectSeq(const yaml::Node& n, std::string_view what);
  // Reports keys not in `allowed` (UnknownKey, with a suggestion) and keys given twice
  // (DuplicateKey). `where` reads like "in task 'greet'".
  void CheckKeys(const yaml::Node& map, KeyList allowed, std::string_view where);
  // For mappings whose keys are ids (tasks, nodes, inputs...): a repeated key is DuplicateId.
  void CheckIds(const yaml::Node& map, std::string_view what);

  // Any non-null scalar, as its text.
  std::optional<std::string> Text(const yaml::Node& n, std::string_view what);
  std::optional<bool> Bool(const yaml::Node& n, std::string_view what);
  std::optional<int64_t> Int(const yaml::Node& n, std::string_view what, int64_t min, int64_t max);
  std::optional<double> Number(const yaml::Node& n, std::string_view what, double min, double max);
  // A duration spelling such as 30s or 1h30m; `positive` rejects zero and negatives.
  std::optional<int64_t> Duration(const yaml::Node& n, std::string_view what, bool positive);
  std::optional<Type> TypeOf(const yaml::Node& n, std::string_view what);
  // A list of names, or a single name; each with its location.
  std::vector<std::pair<std::string, SourceLoc>> Names(const yaml::Node& n, std::string_view what);
  // One of `choices`; an InvalidValue with a suggestion otherwise.
  std::optional<std::string> Choice(const yaml::Node& n, std::string_view what,
                                    const std::vector<std::string>& choices);

 private:
  const SourceFile* file_;
  Diagnostics& diags_;
};

// Valid entity names (tasks, workflows, launch plans): [A-Za-z_][A-Za-z0-9_.-]*, ≤ 255 bytes.
bool IsEntityName(std::string_view s);

}  // namespace flyte::spec
