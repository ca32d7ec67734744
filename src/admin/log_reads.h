// Reading a task's log through the admin service: which attempt a read means, then its bytes
// from a LogSource. The pick is a store read (on the loop thread, through the service); the
// bytes are read wherever the caller is (an HTTP connection's thread, the CLI), never on the
// loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "flyte/admin.h"
#include "runner/log_source.h"

namespace flyte {

// The attempt of `node` a log read means: `attempt`, or the last. NotFound naming the
// execution's nodes when the node has no attempt, or the node's attempts when it has not that one.
Result<AttemptRecord> PickLogAttempt(AdminService& admin, const ExecutionKey& key,
                                     const std::string& node, std::optional<uint32_t> attempt);

inline AttemptLogs LogsOf(const AttemptRecord& a) { return {a.stdout_path, a.stderr_path}; }

}  // namespace flyte
