// `flyte run`'s tasks end with it even on kill -9: a watchdog process waits on a pipe whose only
// writer is this process. When the pipe closes (this process ended, by any means) without the
// all-clear, the watchdog kills every process whose environment holds this run's mark
// (FLYTE_RUN_GUARD, which each task gets and passes on to what it starts, setsid and double
// forks included) and the process group of each. A run started in another run's task gives its
// tasks both values (FLYTE_RUN_GUARD=OUTER:OURS), so that either watchdog finds them. The
// watchdog is in a session of its own, so a kill -9 of flyte run's whole process group does not
// take it too.
//
// The watchdog shares this process's memory (clone(CLONE_VM), no copy of the page tables, no
// copy-on-write faults) and so runs only raw system calls, never libc; it is a child that the
// kernel does not report to wait(2) without __WALL (its exit signal is none), and it is not one
// of the orphans a sweep kills (runner/orphans.h). Starting it costs a pipe, a 64 KiB stack and
// a clone: hello with it ran no slower than with no guardian at all (docs/benchmarks.md, run 13).
// Where the raw calls are not written (not x86-64 or AArch64), or under AddressSanitizer, the
// watchdog is a fork instead: the same code, in memory of its own.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace flyte {

// The variable that marks a run's task processes.
inline constexpr const char* kRunGuardEnv = "FLYTE_RUN_GUARD";

// REQUIRES: no thread started yet. Starts the watchdog once (later calls do nothing). False
// when it could not be started: the run goes on unguarded.
bool StartWatchdog();

// The value of FLYTE_RUN_GUARD for this run's tasks; nullopt without a watchdog.
std::optional<std::string> WatchdogMark();

// The watchdog's pid, or -1 without one (sweeps of orphans leave it alone).
pid_t WatchdogPid();

// No task of this run is left (the run ended and its orphans were killed): the watchdog will
// exit without looking for any when this process ends.
void WatchdogAllClear();

}  // namespace flyte
