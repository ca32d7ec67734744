#include "flyte/exec_error_code.h"

#include <array>

namespace flyte {
namespace {

// In the enum's order (checked below); these spellings are stored in databases, filtered on by
// the API (`eq(error_code,...)`) and read by users: never change one.
constexpr std::array<std::string_view, kExecErrorCodeCount> kNames = {
    "",
    "Unknown",
    "NonZeroExit",
    "Signal",
    "Lost",
    "Aborted",
    "TimeoutExpired",
    "SpawnFailed",
    "WorkdirNotFound",
    "SecretNotFound",
    "InputsNotFetched",
    "InputsNotWritten",
    "UserError",
    "OutputsNotFound",
    "OutputsInvalid",
    "OutputsNotRegular",
    "OutputsNotStored",
    "OutputsTooLarge",
    "DynamicSpecNotFound",
    "DynamicSpecInvalid",
    "RawDataPrefixRequired",
    "NoImage",
    "NoPodHelper",
    "InputsNotStaged",
    "InputsTooLarge",
    "InvalidPod",
    "OperatorNotInstalled",
    "QuotaExceeded",
    "PodNotCreated",
    "PodFailed",
    "PodDeleted",
    "ResourceFailed",
    "ResourceDeleted",
    "StartError",
    "InitFailed",
    "OOMKilled",
    "DeadlineExceeded",
    "InvalidImage",
    "ImagePullFailed",
    "CreateContainerConfigError",
    "CreateContainerError",
    "Disrupted",
    "Evicted",
    "Preempting",
    "Terminated",
    "NodeLost",
    "Shutdown",
    "NodeShutdown",
    "UnexpectedAdmissionError",
    "BindingError",
    "OutputError",
    "ChildFailed",
    "ConditionError",
    "BranchNoMatch",
    "BranchFailed",
    "CaseFailed",
    "MapLengthMismatch",
    "MapItemFailed",
    "GateTimeout",
    "ReceivedRejectSignal",
    "SignalTypeMismatch",
    "Orphaned",
    "ResumeFailed",
};

// Spot checks that the table and the enum have not drifted apart (the test checks all).
static_assert(kNames[static_cast<size_t>(ExecErrorCode::kNonZeroExit)] == "NonZeroExit");
static_assert(kNames[static_cast<size_t>(ExecErrorCode::kDisrupted)] == "Disrupted");
static_assert(kNames[static_cast<size_t>(ExecErrorCode::kBindingError)] == "BindingError");
static_assert(kNames[static_cast<size_t>(ExecErrorCode::kResumeFailed)] == "ResumeFailed");

}  // namespace

std::string_view ExecErrorCodeName(ExecErrorCode code) { return kNames[static_cast<size_t>(code)]; }

ExecErrorCode ParseExecErrorCode(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<ExecErrorCode>(i);
  }
  return ExecErrorCode::kUnknown;
}

AnyExecErrorCode AnyExecErrorCode::FromText(std::string_view text) {
  AnyExecErrorCode c(ParseExecErrorCode(text));
  if (c.code_ == ExecErrorCode::kUnknown) c.unknown_ = text;
  return c;
}

std::string_view AnyExecErrorCode::text() const {
  if (code_ == ExecErrorCode::kUnknown && !unknown_.empty()) return unknown_;
  return ExecErrorCodeName(code_);
}

}  // namespace flyte
