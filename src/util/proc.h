// Who a process is, across a restart of ours: a pid alone can be reused by the kernel, so a
// process is named by its pid and its start time (field 22 of /proc/PID/stat, in clock ticks
// since boot), which together are unique until the machine reboots.
#pragma once

#include <sys/types.h>

#include <string>

namespace flyte {

// "PID:STARTTIME", or empty when no process `pid` exists.
std::string ProcessIdentity(pid_t pid);
// Whether the process named by `identity` (from ProcessIdentity) is still running.
bool ProcessAlive(const std::string& identity);
// The pid part of an identity, or -1 when it is not one.
pid_t IdentityPid(const std::string& identity);

}  // namespace flyte
