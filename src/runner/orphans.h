// Processes of a task's tree that left its process group (setsid, a double fork) and, their
// parent gone, came to us because this process is a subreaper (PR_SET_CHILD_SUBREAPER): how
// `flyte run` ends them without a supervisor per task. The kernel gives orphans to the main
// thread of a subreaper, which is also the thread that starts tasks, so only its children
// are read (/proc/self/task/PID/children). Blocks for as long as killed processes take to
// die (SIGKILL: normally microseconds), and for a child caught in the middle of an execve(2)
// until its new environment is readable (at most 0.1 s); when there is nothing to do, costs one
// waitid(2) if we have no child at all, else one read of that file. Never waits for a process in
// `keep` (running attempts, reaped elsewhere).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace flyte {

// Kills and reaps our children whose environment holds FLYTE_OUTPUT_DIR=`output_dir` (the
// attempt they belong to), then the children those leave to us, and so on; reaps children
// that had already ended on the way.
void KillOrphansOf(const std::string& output_dir, const std::vector<pid_t>& keep);

// Kills and reaps every child not in `keep`: whatever the tasks left that could not be
// attributed (their environment was replaced), when flyte run ends.
void KillAllOrphans(const std::vector<pid_t>& keep);

}  // namespace flyte
