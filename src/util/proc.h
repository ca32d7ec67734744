// Who a process is, across a restart of ours: a pid alone can be reused by the kernel, so a
// process is named by its pid and its start time (field 22 of /proc/PID/stat, in clock ticks
// since boot), which together are unique until the machine reboots.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace flyte {

// "PID:STARTTIME", or empty when no process `pid` exists.
std::string ProcessIdentity(pid_t pid);
// Whether the process named by `identity` (from ProcessIdentity) is still running.
bool ProcessAlive(const std::string& identity);
// The pid part of an identity, or -1 when it is not one.
pid_t IdentityPid(const std::string& identity);

// Overwrites with zeros those of `entries` (environment strings "K=V") that lie in this
// process's initial environment block, the memory /proc/PID/environ shows to other processes
// (strings set later live elsewhere and are left alone: they may be read-only). Call it after
// taking the values out and unsetting the variables.
void WipeInitialEnvironment(const std::vector<char*>& entries);

// The children of this process's main thread, from /proc (CONFIG_PROC_CHILDREN; empty where
// there is no such file). For a single-threaded process that is all of them.
std::vector<pid_t> MainThreadChildren();

// This process's environment as a map (what kubeconfig discovery and exec plugins read).
std::map<std::string, std::string> EnvironmentMap();

}  // namespace flyte
