// `flyte run` as two processes, so that its tasks end with it even on kill -9. The process
// the user started stays as a small guardian (a subreaper, like a supervisor): it forwards
// SIGINT, SIGTERM, SIGHUP and SIGQUIT to the engine, its child, and when the engine ends, by
// any means, kills whatever of its tasks' trees it inherits, then exits the way the engine
// did (by the same signal, if it was killed). The engine is a subreaper too (what leaves a task's
// group comes to it, and is killed when the attempt ends: runner/orphans.h), and gets SIGTERM when
// the guardian dies (PR_SET_PDEATHSIG), which aborts the run as Ctrl-C does. Cost: one fork per
// run.
#pragma once

#include <optional>

namespace flyte::cli {

// REQUIRES: no thread started yet. In the engine returns nullopt (go on and run); in the
// guardian, once the engine is gone, the exit code to return from main. Without fork(),
// nullopt: the run goes on unguarded.
std::optional<int> SplitGuardian();

}  // namespace flyte::cli
