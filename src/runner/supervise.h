// The task supervisor: `flyte __supervise ATTEMPT_DIR PROGRAM ARGS...`, the flyte binary
// re-executing itself between a server and a task process, so that a task outlives a server
// killed with SIGKILL and its exit status is not lost. It runs as the leader of the task's
// session and process group, records who it is in ATTEMPT_DIR/supervisor, starts PROGRAM
// in the same group, waits for it, writes ATTEMPT_DIR/exit atomically ("exit N" or
// "signal N"), and then ends the same way the task did, so a parent that is still there sees
// the task's own status. Signals sent to the group reach the task; the supervisor only waits.
// A restarted server re-attaches through these two files (LocalRunner::Adopt).
// Secrets: when the environment names variables in FLYTE_REDACT_ENV ("A,B"), the task's
// stdout and stderr pass through the supervisor, which writes them on with every value of
// those variables replaced by kRedacted, so the log files never hold a secret.
// The task's tree: the supervisor is a subreaper (PR_SET_CHILD_SUBREAPER), so a process that
// leaves the task's group (setsid, a double fork) becomes its child when its parent dies, and
// is killed when the task ends. KillTreeSignal() sent to the supervisor ends the whole tree at
// once (the runner sends it when an abort's grace period is over, instead of SIGKILL to the
// group, which would kill the supervisor first). With FLYTE_SUPERVISE_PARENT=PID (flyte
// run), the same happens when that parent dies (PR_SET_PDEATHSIG), and no records are kept.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace flyte {

inline constexpr const char kSuperviseCommand[] = "__supervise";
inline constexpr const char kRedactEnv[] = "FLYTE_REDACT_ENV";
inline constexpr const char kRedacted[] = "[secret]";
inline constexpr const char kEndWithParentEnv[] = "FLYTE_SUPERVISE_PARENT";
inline int KillTreeSignal() { return SIGRTMAX - 1; }

// The supervisor's children: the task, and whatever of its tree lost its parent.
class TaskTree {
 public:
  explicit TaskTree(pid_t task) : task_(task) {}
  // Reaps children until the task has ended; on KillTreeSignal() kills everything first.
  void WaitTask();
  // SIGKILLs and reaps every child, and the children of those, until none is left.
  void KillAll();
  pid_t task() const { return task_; }
  int status() const { return status_; }  // waitpid(2) status of the task, once it ended

 private:
  pid_t Reap(int flags);  // one waitpid(-1, flags), noting the task's status
  pid_t task_;
  int status_ = 0;
  bool done_ = false;
};

// `text` with every occurrence of each of `secrets` (longest first) replaced by kRedacted.
std::string Redact(std::string text, const std::vector<std::string>& secrets);

// main() for `flyte __supervise`; argv[1] is kSuperviseCommand.
int SuperviseMain(int argc, char** argv);

// What ATTEMPT_DIR/exit says.
struct RecordedExit {
  bool found = false;
  int exit_code = 0;  // when signal == 0
  int signal = 0;
};
RecordedExit ReadRecordedExit(const std::string& attempt_dir);
// The identity (util/proc.h) in ATTEMPT_DIR/supervisor, or empty when there is none.
std::string ReadSupervisorIdentity(const std::string& attempt_dir);

}  // namespace flyte
