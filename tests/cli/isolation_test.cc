// Processes a task started in a session of its own end with it, however `flyte run` ends.
// What one task can learn of another's secrets, or of flyte's own: nothing. Secrets given to
// `flyte run` (and `flyte serve`) as FLYTE_SECRET_* variables are moved out of its environment
// block, flyte and the supervisors are not dumpable, and the attempt folders hold redacted
// text only. Tests run the built binary; the tasks do the snooping.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;
using testing::Child;
using testing::CliFixture;
using testing::Describe;
using testing::FlyteArgv;
using testing::FlyteEnv;
using testing::ProcessResult;
using testing::ReadFile;

constexpr const char* kSecret = "hunter2-very-secret";

// `leaky` puts the secret everywhere it can; `snoop`, which declares none, reads flyte's
// /proc entries, those of the parent of `holder` (its supervisor, which gave it the secret),
// and every file of the other attempts.
constexpr const char* kSnooping = R"yaml(
tasks:
  leaky:
    secrets: [{name: db, env: PGPASSWORD}]
    script: |
      echo "stdout has $PGPASSWORD"
      echo "stderr has $PGPASSWORD" >&2
      echo "bad password $PGPASSWORD" > "$FLYTE_OUTPUT_DIR/_ERROR"
      exit 1
  holder:
    secrets: [{name: db, env: PGPASSWORD}]
    script: |
      echo $PPID > "$FLYTE_HOME/holder.ppid.tmp" && mv "$FLYTE_HOME/holder.ppid.tmp" "$FLYTE_HOME/holder.ppid"
      i=0
      while [ ! -f "$FLYTE_HOME/snooped" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done
  snoop:
    outputs: {seen: str}
    script: |
      # flyte itself: the first ancestor named flyte (the parent may be a supervisor).
      flyte_pid() {
        p=$PPID
        while [ "$(cat /proc/$p/comm)" != flyte ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done
        echo $p
      }
      sup=""
      i=0
      while [ -z "$sup" ] && [ $i -lt 3000 ]; do
        sup=$(cat "$FLYTE_HOME/holder.ppid" 2>/dev/null || true)
        [ -n "$sup" ] || sleep 0.01
        i=$((i+1))
      done
      flyte=$(flyte_pid)
      {
        echo "supervisor $sup"
        tr '\0' '\n' < /proc/$PPID/environ
        tr '\0' '\n' < /proc/$flyte/environ
        tr '\0' ' ' < /proc/$flyte/cmdline
        tr '\0' '\n' < /proc/$sup/environ
        find "$FLYTE_HOME/runs" -type f ! -path "$FLYTE_OUTPUT_DIR/*" -exec cat {} +
      } > "{{ outputs.seen }}" 2>&1
      touch "$FLYTE_HOME/snooped"
  flyte_environ:
    outputs: {seen: str}
    script: |
      p=$PPID
      while [ "$(cat /proc/$p/comm)" != flyte ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done
      cat /proc/$p/environ > "{{ outputs.seen }}" 2>&1 || true

workflows:
  first:
    nodes:
      leaky: {task: leaky}
  both:
    outputs: {seen: "{{ snoop.seen }}"}
    nodes:
      holder: {task: holder}
      snoop: {task: snoop}
)yaml";

// Every regular file under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadFile(e.path()).find(needle) != std::string::npos)
      out.push_back(e.path());
  }
  return out;
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("a task that declares no secret cannot read flyte's secrets from /proc or other attempts",
          "[process][secrets]") {
  CliFixture f;
  const std::string file = f.Write("snoop.yaml", kSnooping);
  std::vector<std::string> env = FlyteEnv(f.home());
  env.push_back(std::string("FLYTE_SECRET_DB=") + kSecret);

  Child first(FlyteArgv(f.home(), {"run", file, "first"}), env);
  ProcessResult r = first.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 1);
  CHECK(r.err.find("bad password [secret]") != std::string::npos);

  Child both(FlyteArgv(f.home(), {"run", file, "both", "--max-parallelism", "2", "-o", "json"}),
             env);
  r = both.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  // The snooping worked: it read flyte's environment and found the supervisor.
  CHECK(r.out.find("FLYTE_HOME=") != std::string::npos);
  CHECK(r.out.find("supervisor \\n") == std::string::npos);  // its pid was found
  CHECK(r.out.find("bad password [secret]") != std::string::npos);
  CHECK(r.out.find(kSecret) == std::string::npos);
  CHECK(r.out.find("FLYTE_SECRET_DB") == std::string::npos);
  // Nothing in the home holds it: not the logs, not _ERROR, not the store.
  CHECK(FilesContaining(f.home(), kSecret).empty());

  // The attempt folders are private, and so are the files that held a secret.
  std::string leaky;
  for (const auto& e : fs::recursive_directory_iterator(f.home() + "/runs")) {
    if (e.path().filename() == "_ERROR") leaky = e.path().parent_path().parent_path();
  }
  REQUIRE_FALSE(leaky.empty());
  CHECK(Mode(leaky) == 0700);
  CHECK(Mode(leaky + "/stdout") == 0600);
  CHECK(Mode(leaky + "/stderr") == 0600);
  CHECK(Mode(leaky + "/outputs/_ERROR") == 0600);
}

TEST_CASE("flyte's own /proc/PID/environ is unreadable to its tasks run as a user other than root",
          "[process][secrets]") {
  CliFixture f;
  const std::string file = f.Write("snoop.yaml", kSnooping);
  std::vector<std::string> argv = FlyteArgv(f.home(), {"run", file, "flyte_environ", "-o", "json"});
  if (::geteuid() == 0) {
    // Root reads any process's /proc files (CAP_SYS_PTRACE): check as an ordinary user.
    fs::create_directories(f.home());
    REQUIRE(::chown(f.tmp.path().c_str(), 65534, 65534) == 0);
    REQUIRE(::chown(f.home().c_str(), 65534, 65534) == 0);
    REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
    argv.insert(argv.begin(),
                {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  }
  std::vector<std::string> env = FlyteEnv(f.home());
  env.push_back(std::string("FLYTE_SECRET_DB=") + kSecret);
  Child run(argv, env);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Permission denied") != std::string::npos);
  CHECK(r.out.find(kSecret) == std::string::npos);
}

// `escape` starts a process in a session of its own, writes its pid to ESCAPED and says
// "ready"; `exits` leaves it behind and ends, and `check` then says whether it still runs;
// `limited` is stopped by its timeout.
constexpr const char* kEscape = R"yaml(
tasks:
  escape:
    inputs: {escaped: str}
    script: |
      export E="{{ inputs.escaped }}"
      setsid sh -c 'echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
      echo ready
      sleep 1000
  exits:
    inputs: {escaped: str}
    script: |
      export E="{{ inputs.escaped }}"
      setsid sh -c 'echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
  check:
    inputs: {escaped: str}
    outputs: {sleeper: str}
    script: |
      if kill -0 "$(cat "{{ inputs.escaped }}")" 2>/dev/null; then s=alive; else s=gone; fi
      echo $s > "{{ outputs.sleeper }}"
  limited:
    inputs: {escaped: str}
    timeout: 1s
    script: |
      export E="{{ inputs.escaped }}"
      setsid sh -c 'echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
      sleep 1000
workflows:
  exits_then_check:
    inputs: {escaped: str}
    outputs: {sleeper: "{{ check.sleeper }}"}
    nodes:
      exits: {task: exits, inputs: {escaped: "{{ inputs.escaped }}"}}
      check: {task: check, inputs: {escaped: "{{ inputs.escaped }}"}, after: [exits]}
)yaml";

// Waits (on a pidfd, with a deadline) until process `pid` has ended.
bool WaitEnded(pid_t pid, int deadline_ms = 10000) {
  int fd = testing::PidfdOpen(pid);
  if (fd < 0) return true;  // gone
  pollfd p{fd, POLLIN, 0};
  bool ended = ::poll(&p, 1, deadline_ms) == 1;
  ::close(fd);
  return ended;
}

// The pid a task wrote to `path`, or 0 when it was not written.
pid_t PidIn(const std::string& path) {
  std::string text = ReadFile(path);
  return text.empty() ? 0 : std::stoi(text);
}

// Kills the escaped process if a test failed before it ended.
struct Cleanup {
  std::string path;
  ~Cleanup() {
    pid_t pid = PidIn(path);
    if (pid > 1 && !WaitEnded(pid, 0)) ::kill(pid, SIGKILL);
  }
};

// A home, kEscape written as escape.yaml, and the file its escaped process writes its pid to
// (killed at the end if a test failed before it ended).
struct EscapeFixture {
  CliFixture f;
  const std::string file = f.Write("escape.yaml", kEscape);
  const std::string escaped = f.tmp / "escaped";
  Cleanup cleanup{escaped};
};

TEST_CASE("a process a task started in another session ends with flyte run, on Ctrl-C or kill -9",
          "[process][tree]") {
  const int sig = GENERATE(SIGINT, SIGTERM, SIGKILL);
  INFO("signal " << sig);
  EscapeFixture e;
  Child run(FlyteArgv(e.f.home(), {"run", e.file, "escape", "-i", "escaped=" + e.escaped, "-v"}),
            FlyteEnv(e.f.home()));
  REQUIRE(run.WaitForStderr("ready"));
  const pid_t pid = PidIn(e.escaped);
  REQUIRE(pid > 1);
  run.Signal(sig);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(WaitEnded(pid));
}

// The watchdog (runner/watchdog.h) has a session of its own: a kill -9 of flyte run's whole
// process group, what a CI runner does to a job, leaves it to end the tasks.
TEST_CASE("the tasks of flyte run end when its whole process group is killed", "[process][tree]") {
  EscapeFixture e;
  std::vector<std::string> argv =
      FlyteArgv(e.f.home(), {"run", e.file, "escape", "-i", "escaped=" + e.escaped, "-v"});
  argv.insert(argv.begin(), "/usr/bin/setsid");  // flyte run leads a process group of its own
  Child run(argv, FlyteEnv(e.f.home()));
  REQUIRE(run.WaitForStderr("ready"));
  const pid_t pid = PidIn(e.escaped);
  REQUIRE(pid > 1);
  REQUIRE(::getpgid(run.pid()) == run.pid());
  REQUIRE(::kill(-run.pid(), SIGKILL) == 0);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(r.signal == SIGKILL);
  CHECK(WaitEnded(pid));
}

// A flyte run inside a task of another: a kill -9 of the outer one ends the inner one's tasks
// too, what they started in a session of their own included (the inner run's tasks carry both
// runs' FLYTE_RUN_GUARD values, and the outer watchdog kills the inner one with the rest).
TEST_CASE("a flyte run inside a task ends with the outer run on kill -9, its tasks included",
          "[process][tree]") {
  EscapeFixture e;
  const std::string outer = e.f.Write("outer.yaml", R"yaml(
tasks:
  nest:
    inputs: {flyte: str, file: str, home: str, escaped: str}
    script: |
      exec "{{ inputs.flyte }}" run "{{ inputs.file }}" escape --home "{{ inputs.home }}" \
        -i escaped="{{ inputs.escaped }}" -v
)yaml");
  Child run(
      FlyteArgv(e.f.home(), {"run", outer, "nest", "-i", std::string("flyte=") + FLYTE_BINARY, "-i",
                             "file=" + e.file, "-i", "home=" + std::string(e.f.tmp / "inner-home"),
                             "-i", "escaped=" + e.escaped, "-v"}),
      FlyteEnv(e.f.home()));
  REQUIRE(run.WaitForStderr("ready"));
  const pid_t pid = PidIn(e.escaped);
  REQUIRE(pid > 1);
  const std::string env = ReadFile("/proc/" + std::to_string(pid) + "/environ");
  const size_t at = env.find("FLYTE_RUN_GUARD=");
  REQUIRE(at != std::string::npos);
  CHECK(env.substr(at, env.find('\0', at) - at).find(':') != std::string::npos);  // both runs
  run.Signal(SIGKILL);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(WaitEnded(pid));
}

// After a run that ended by itself the watchdog exits too, without killing anything: a process
// marked as the run's tasks are, started by the test itself, is still alive.
TEST_CASE("flyte run's watchdog ends with it and kills nothing after a normal end",
          "[process][tree]") {
  CliFixture f;
  const std::string mark = f.tmp / "mark";
  const std::string file = f.Write("nap.yaml", R"yaml(
tasks:
  nap:
    script: |
      echo "$FLYTE_RUN_GUARD" > ")yaml" + mark + R"yaml("
      echo ready
      sleep 0.5
workflows:
  wf:
    nodes:
      a: {task: nap}
)yaml");
  Child run(FlyteArgv(f.home(), {"run", file, "-v"}), FlyteEnv(f.home()));
  REQUIRE(run.WaitForStderr("ready"));
  // The watchdog: the child of flyte run that is flyte too (the task is sh).
  pid_t watchdog = -1;
  std::istringstream kids(ReadFile("/proc/" + std::to_string(run.pid()) + "/task/" +
                                   std::to_string(run.pid()) + "/children"));
  for (pid_t k; kids >> k;) {
    if (fs::read_symlink("/proc/" + std::to_string(k) + "/exe") ==
        fs::read_symlink("/proc/" + std::to_string(run.pid()) + "/exe"))
      watchdog = k;
  }
  REQUIRE(watchdog > 0);
  std::string value = ReadFile(mark);
  value.erase(value.find_last_not_of('\n') + 1);
  REQUIRE(!value.empty());
  // A bystander wearing the mark: a normal end must not touch it.
  Child bystander({"/bin/sleep", "30"}, {std::string("FLYTE_RUN_GUARD=") + value});
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(WaitEnded(watchdog));
  CHECK(!WaitEnded(bystander.pid(), 300));
}

// Eight processes in sessions of their own, each replacing itself with a new shell forever: at
// any moment some of them are in the middle of an execve(2), when /proc shows an empty
// environment. The watchdog looks again at such a process rather than pass it by.
constexpr const char* kExecLoops = R"yaml(
tasks:
  loops:
    inputs: {pids: str}
    script: |
      export P="{{ inputs.pids }}"
      L='exec sh -c "$0" "$0"'
      for i in 1 2 3 4 5 6 7 8; do
        setsid nice -n 19 sh -c "$L" "$L" &
        echo $! >> "$P"
      done
      echo ready
      sleep 1000
)yaml";

TEST_CASE("flyte run's watchdog ends a task's processes caught in the middle of an exec",
          "[process][tree]") {
  CliFixture f;
  const std::string file = f.Write("loops.yaml", kExecLoops);
  int missed = 0;
  for (int trial = 0; trial < 30 && missed == 0; ++trial) {
    const std::string pids = f.tmp / ("pids-" + std::to_string(trial));
    std::ofstream(pids).close();
    Child run(FlyteArgv(f.home(), {"run", file, "loops", "-i", "pids=" + pids, "-v"}),
              FlyteEnv(f.home()));
    REQUIRE(run.WaitForStderr("ready"));
    run.Signal(SIGKILL);
    run.Wait();
    std::istringstream lines(ReadFile(pids));
    for (pid_t pid; lines >> pid;) {
      if (WaitEnded(pid, 2000)) continue;
      ++missed;
      ::kill(pid, SIGKILL);
    }
  }
  CHECK(missed == 0);
}

TEST_CASE(
    "a process a task started in another session is gone when flyte run reports the task done",
    "[process][tree]") {
  EscapeFixture e;
  Child run(FlyteArgv(e.f.home(), {"run", e.file, "exits_then_check", "-i", "escaped=" + e.escaped,
                                   "-o", "json"}),
            FlyteEnv(e.f.home()));
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(R"("sleeper":"gone")") != std::string::npos);
}

// Linux before 5.3 has no pidfd_open(2), and valgrind does not know it either: under valgrind
// flyte looks for a task's end on a timer (runner/local_runner.cc, OnExitPoll). The same
// workflow then still sees each task end, its exit code, and what it left in another session.
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("without pidfds (under valgrind) flyte run sees each task end and what it left",
          "[process][tree]") {
  REQUIRE(fs::exists("/usr/bin/valgrind"));  // scripts/install-deps.sh installs it
  EscapeFixture e;
  const std::string codes = e.f.Write("codes.yaml", R"yaml(
tasks:
  ok: {script: "echo fine"}
  three: {script: "exit 3"}
workflows:
  wf:
    nodes:
      a: {task: ok}
      b: {task: three, after: [a]}
)yaml");
  std::vector<std::string> argv = FlyteArgv(
      e.f.home(), {"run", e.file, "exits_then_check", "-i", "escaped=" + e.escaped, "-o", "json"});
  argv.insert(argv.begin(), {"/usr/bin/valgrind", "-q", "--tool=none"});
  Child run(argv, FlyteEnv(e.f.home()));
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("syscall: 434") != std::string::npos);  // pidfd_open, unknown to it
  CHECK(r.out.find(R"("sleeper":"gone")") != std::string::npos);

  argv = FlyteArgv(e.f.home(), {"run", codes, "wf"});
  argv.insert(argv.begin(), {"/usr/bin/valgrind", "-q", "--tool=none"});
  Child failing(argv, FlyteEnv(e.f.home()));
  r = failing.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("a SUCCEEDED") != std::string::npos);
  CHECK(r.err.find("exit code 3") != std::string::npos);
}
#endif

TEST_CASE("a process a task started in another session ends when the task times out",
          "[process][tree]") {
  EscapeFixture e;
  Child run(FlyteArgv(e.f.home(), {"run", e.file, "limited", "-i", "escaped=" + e.escaped}),
            FlyteEnv(e.f.home()));
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  const pid_t pid = PidIn(e.escaped);
  REQUIRE(pid > 1);
  CHECK(WaitEnded(pid, 0));  // already when flyte reported the attempt
}

}  // namespace
}  // namespace flyte
