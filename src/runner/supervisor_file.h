// The static task supervisor (runner/supervise_main.cc) that the flyte binary carries, as a
// file that can be executed: written once per version to a folder of the home and named by
// its digest, so servers of different versions sharing a home never overwrite each other's,
// and a file being executed is never rewritten.
#pragma once

#include <string>

#include "flyte/status.h"

namespace flyte {

// The path of the supervisor in `dir` (created when missing), written there unless a file of
// the right name and size already is. IOError when it cannot be written or executed there
// (a read-only or noexec file system); the caller can fall back to `flyte __supervise`.
// Each call marks ours as just used and removes the supervisors of other versions but the
// kKeepOtherSupervisors used most recently (a server of another version may still run on
// the same home), so upgrades do not pile files up.
inline constexpr size_t kKeepOtherSupervisors = 2;
Result<std::string> InstallSupervisor(const std::string& dir);

}  // namespace flyte
