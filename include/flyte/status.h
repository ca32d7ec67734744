// Status and Result<T>: the one way errors travel between modules.
// A Status is a closed code plus a "context: detail" message; each layer that passes an error
// up may prefix its own context. Values are cheap to move; an OK status holds no allocation.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace flyte {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // bad user input: a flag, an --input value, a request body
  kInvalidSpec,      // a workflow file that does not compile
  kTypeMismatch,     // a value that does not fit its declared type
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the operation is not allowed in the current state
  kUnavailable,         // a server or resource that cannot be reached right now
  kIO,                  // the file system or the OS said no
  kInternal,            // a bug: an invariant that did not hold
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message".
  Status WithContext(const std::string& context) const;
  // "CODE: message", for logs.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status InvalidSpec(std::string m) { return {StatusCode::kInvalidSpec, std::move(m)}; }
inline Status TypeMismatch(std::string m) { return {StatusCode::kTypeMismatch, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status IOError(std::string m) { return {StatusCode::kIO, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace flyte

#define FLYTE_CONCAT_INNER(a, b) a##b
#define FLYTE_CONCAT(a, b) FLYTE_CONCAT_INNER(a, b)

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)     \
  do {                            \
    ::flyte::Status _st = (expr); \
    if (!_st.ok()) return _st;    \
  } while (0)

// `lhs = value of expr (a Result<T>)`, or return its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(FLYTE_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
