// The codes of failed task attempts, nodes and executions ("NonZeroExit", "OutputsNotFound",
// "Orphaned"...) as one enum, spelled by one table (src/types/exec_error_code.cc) that drives
// both directions. Runners, the engine and the admin set and compare enums; the text appears
// only where a code leaves the process (store rows, the API's JSON, CLI output, notifications)
// and is parsed once where one comes in (a stored row, a Kubernetes Pod reason). A code this
// flyte does not know (a reason such as "OutOfcpu", a row another version wrote) is kUnknown and
// keeps its text, so it leaves the process exactly as it came. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace flyte {

enum class ExecErrorCode : uint8_t {
  kNone,     // "": no code
  kUnknown,  // text not in the table; AnyExecErrorCode keeps it
  // Task attempts, whatever runs them.
  kNonZeroExit,
  kSignal,
  kLost,
  kAborted,
  kTimeoutExpired,
  kSpawnFailed,
  kWorkdirNotFound,
  kSecretNotFound,
  kInputsNotFetched,
  kInputsNotWritten,
  kUserError,  // the task wrote $FLYTE_OUTPUT_DIR/_ERROR
  kOutputsNotFound,
  kOutputsInvalid,
  kOutputsNotRegular,
  kOutputsNotStored,
  kOutputsTooLarge,
  kDynamicSpecNotFound,
  kDynamicSpecInvalid,
  // Pods and plugin resources (KUBERNETES.md §4, §6).
  kRawDataPrefixRequired,
  kNoImage,
  kNoPodHelper,
  kInputsNotStaged,
  kInputsTooLarge,
  kInvalidPod,
  kOperatorNotInstalled,
  kQuotaExceeded,
  kPodNotCreated,
  kPodFailed,
  kPodDeleted,
  kResourceFailed,
  kResourceDeleted,
  kStartError,
  kInitFailed,
  kOOMKilled,
  kDeadlineExceeded,
  kInvalidImage,
  kImagePullFailed,
  kCreateContainerConfigError,
  kCreateContainerError,
  kDisrupted,  // taken away from its node; the Pod's reason when it has one of those below
  kEvicted,
  kPreempting,
  kTerminated,
  kNodeLost,
  kShutdown,
  kNodeShutdown,
  kUnexpectedAdmissionError,
  // Workflow nodes.
  kBindingError,
  kOutputError,
  kChildFailed,
  kConditionError,
  kBranchNoMatch,
  kBranchFailed,
  kCaseFailed,
  kMapLengthMismatch,
  kMapItemFailed,
  kGateTimeout,
  kReceivedRejectSignal,
  kSignalTypeMismatch,
  // Executions ended by a later process.
  kOrphaned,
  kResumeFailed,
};

// Codes are numbered 0..N-1, so loops (and tests) can visit them all.
inline constexpr size_t kExecErrorCodeCount = static_cast<size_t>(ExecErrorCode::kResumeFailed) + 1;

// The stored and shown text: "NonZeroExit"; "" for kNone, "Unknown" for kUnknown.
std::string_view ExecErrorCodeName(ExecErrorCode code);
// Exact text to its code: "" is kNone, text not in the table kUnknown.
ExecErrorCode ParseExecErrorCode(std::string_view text);

// A code as results and errors carry it: one of the enum, or (kUnknown) text flyte does not
// know, kept verbatim. Built from the enum implicitly; from text only through FromText, so code
// never compares strings.
class AnyExecErrorCode {
 public:
  AnyExecErrorCode() = default;
  AnyExecErrorCode(ExecErrorCode code) : code_(code) {}  // NOLINT(google-explicit-constructor)
  static AnyExecErrorCode FromText(std::string_view text);

  ExecErrorCode code() const { return code_; }
  bool empty() const { return code_ == ExecErrorCode::kNone; }
  // What to write out: the table's spelling, or the text a kUnknown code came as.
  std::string_view text() const;

  friend bool operator==(const AnyExecErrorCode& a, ExecErrorCode b) { return a.code_ == b; }
  friend bool operator==(const AnyExecErrorCode&, const AnyExecErrorCode&) = default;

 private:
  ExecErrorCode code_ = ExecErrorCode::kNone;
  std::string unknown_;  // kUnknown: the text as it came
};

}  // namespace flyte
