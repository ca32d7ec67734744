// Secrets given to flyte as FLYTE_SECRET_<NAME> variables. Any process of the same user (and
// root) can read another's environment in /proc/PID/environ, which shows the process's
// *initial* environment block as it is in memory now: unsetenv() alone hides nothing there.
// So serve and run move these variables into memory once, before any thread starts, and
// overwrite their bytes in that block. Not thread-safe: call Capture before threads exist.
#pragma once

#include <optional>
#include <string>

namespace flyte {

// Moves every FLYTE_SECRET_* variable out of the environment into memory, overwriting the
// bytes of the original strings so that /proc/self/environ no longer shows them. Idempotent.
void CaptureSecretEnvironment();

// Capture, then makes this process non-dumpable: its /proc/PID files (environ, cmdline, mem,
// fd...) become unreadable to other processes of the same user unless they hold
// CAP_SYS_PTRACE (root does: for root only the overwritten environment protects the values).
// Tasks are not affected: the flag goes back to normal when they exec.
void ProtectSecretEnvironment();

// The value of variable `var` (e.g. "FLYTE_SECRET_DB"): captured, else still in the
// environment (set after the capture, as tests do), else nullopt.
std::optional<std::string> SecretFromEnvironment(const std::string& var);

}  // namespace flyte
