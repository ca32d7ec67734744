// Task logs in local files, where the local runner (and the Pod runner, which streams a Pod's
// log into one) writes them: a log's reference is its path. Thread-safe: every call opens the
// file anew. Blocking: call it off the loop thread.
#pragma once

#include "runner/log_source.h"

namespace flyte {

class FileLogs : public LogSource {
 public:
  // A path that is not a regular file (a named pipe left in its place) is FailedPrecondition;
  // a missing one is an empty log.
  Result<std::string> Read(const std::string& ref, uint64_t offset, size_t max) override;
  Result<uint64_t> Size(const std::string& ref) override;
};

}  // namespace flyte
