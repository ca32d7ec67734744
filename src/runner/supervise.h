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
#pragma once

#include <string>
#include <vector>

namespace flyte {

inline constexpr const char kSuperviseCommand[] = "__supervise";
inline constexpr const char kRedactEnv[] = "FLYTE_REDACT_ENV";
inline constexpr const char kRedacted[] = "[secret]";

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
