// What a Pod's status means for the task attempt it runs (KUBERNETES.md §4): one pure function,
// so the table is tested row by row without a cluster. Grace periods are measured from when
// flyte first saw the Pod waiting, by the caller's clock.
#pragma once

#include <cstdint>
#include <string>

#include "flyte/exec_error_code.h"
#include "kube/objects.h"

namespace flyte::kube {

struct PodVerdict {
  enum class Kind : uint8_t {
    kQueued,        // not scheduled yet (unschedulable: the scheduler's message)
    kInitializing,  // scheduled: pulling, creating, init containers
    kRunning,
    kSucceeded,       // the task's container exited 0
    kUserError,       // exit N, OOM: the task's retry budget
    kSystemError,     // evicted, preempted, node lost, deleted by someone else: the system budget
    kPermanentError,  // no retry can help: an invalid image, a missing Secret, a pull past its
                      // grace
  };
  Kind kind = Kind::kQueued;
  AnyExecErrorCode code;  // kNonZeroExit, kOOMKilled, kEvicted, kImagePullFailed...
  std::string message;    // what the user reads
  int exit_code = -1;
  std::string termination_message;  // the task container's, when it terminated
  // Waiting reason to show ("ImagePullBackOff"), and whether a grace period now runs.
  std::string waiting_reason;
  bool in_grace = false;

  bool terminal() const { return kind >= Kind::kSucceeded; }
};

struct ClassifyOptions {
  std::string container = "task";
  int64_t image_pull_grace_nanos = 180'000'000'000;  // ErrImagePull / ImagePullBackOff
  int64_t config_error_grace_nanos =
      60'000'000'000;        // CreateContainerConfigError / CreateContainerError
  std::string memory_limit;  // for "out of memory (limit X)"
};

// `waiting_since`: when flyte first saw the container waiting with its current reason (0: now).
PodVerdict Classify(const Pod& pod, int64_t now_nanos, int64_t waiting_since_nanos,
                    const ClassifyOptions& options);

// A Pod that disappeared (a DELETED event) while its attempt was not over: the verdict from its
// last state when that was final, else a system error saying it was deleted.
PodVerdict ClassifyDeleted(const Pod& last, const ClassifyOptions& options);

// A Pod creation refused by a ResourceQuota (403 "exceeded quota: NAME, requested: R, used: U,
// limited: L"): when the request alone is more than the quota's limit, no wait can help, and
// this says which amounts ("requested limits.cpu=2, but the quota compute-resources allows
// limits.cpu=1"); empty when waiting for others to finish may let it in.
std::string QuotaNeverFits(const std::string& message);
bool IsQuotaRefusal(const std::string& message);

}  // namespace flyte::kube
