// Tasks under a supervisor, both the static program the flyte binary carries (what a server
// uses) and `flyte __supervise` (its fallback): they report what the task did, an abort
// still ends the whole tree, and a runner of a later process adopts an attempt that is still
// running or has ended, without starting it again.
#include "runner/supervise.h"

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "runner/runner_harness.h"
#include "runner/supervisor_file.h"
#include "util/proc.h"

extern char** environ;

namespace flyte {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunnerHarness;
using Status_ = AttemptResult::Status;

constexpr const char* kTasks = R"yaml(
tasks:
  ok:
    outputs: {o: int}
    script: echo 42 > "{{ outputs.o }}"
  three:
    script: |
      echo "failing" >&2
      exit 3
  killed:
    script: kill -KILL $$
  tree:
    script: |
      sleep 100 & sleep 100 &
      group=$(cut -d' ' -f5 /proc/$$/stat)
      echo "$group"
      wait
  waits:
    outputs: {o: int}
    script: |
      echo run >> ../../count
      while [ ! -f ../../go ]; do sleep 0.01; done
      echo 42 > "{{ outputs.o }}"
)yaml";

enum class Supervisor { kStatic, kFlyteBinary };

// The program to run tasks under: the static supervisor, written once per test process to
// a folder of its own, or the flyte binary.
std::string SupervisorPath(Supervisor which) {
  if (which == Supervisor::kFlyteBinary) return FLYTE_BINARY;
  static testing::TempDir dir;
  Result<std::string> path = InstallSupervisor(dir / "bin");
  REQUIRE(path.ok());
  return *path;
}

// Starts `SUPERVISOR __supervise DIR sh -c SCRIPT` in a session of its own, as an earlier
// server would have, with the attempt's folders in place.
pid_t SuperviseDetached(const std::string& supervisor, const std::string& dir,
                        const std::string& script) {
  fs::create_directories(dir + "/outputs");
  std::vector<std::string> args = {supervisor, kSuperviseCommand, dir, "/bin/sh", "-c", script};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, supervisor.c_str(), nullptr, &attr, argv.data(), environ) == 0);
  posix_spawnattr_destroy(&attr);
  return pid;
}

size_t Lines(const std::string& path) {
  std::string text = ReadFile(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_CASE("a supervised task reports its outputs, exit code and signal as its own", "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(10'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch ok = h.Launch("ok");
  std::string dir = ok.attempt_dir;
  AttemptResult r = h.Run(std::move(ok));
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Int(42)});
  CHECK(ReadFile(dir + "/exit") == "exit 0\n");
  CHECK_FALSE(ReadSupervisorIdentity(dir).empty());

  TaskLaunch three = h.Launch("three");
  dir = three.attempt_dir;
  r = h.Run(std::move(three));
  CHECK(r.status == Status_::kUserError);
  CHECK(r.code.text() == "NonZeroExit");
  CHECK(r.exit_code == 3);
  CHECK(r.tail == "failing");
  CHECK(ReadFile(dir + "/exit") == "exit 3\n");

  TaskLaunch killed = h.Launch("killed");
  dir = killed.attempt_dir;
  r = h.Run(std::move(killed));
  CHECK(r.status == Status_::kSystemError);
  CHECK(r.signal == SIGKILL);
  CHECK(r.message == "killed by SIGKILL");
  CHECK(ReadFile(dir + "/exit") == "signal 9\n");
}

TEST_CASE("aborting a supervised task ends the task's whole tree", "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(5'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch launch = h.Launch("tree");
  launch.stream_output = true;
  uint64_t id = launch.id;
  h.runner.Start(std::move(launch));
  REQUIRE(h.RunUntil([&] { return !h.Lines(id, false).empty(); }));
  pid_t pgid = std::stoi(h.Lines(id, false).front());
  CHECK(testing::LiveGroupMembers(pgid).size() == 4);  // supervisor, sh and two sleeps
  h.runner.Abort(id);
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  CHECK(h.results.at(id).status == Status_::kAborted);
  CHECK(testing::WaitGroupGone(pgid));
  testing::KillGroup(pgid);
}

TEST_CASE("adopting an attempt that left no trace starts it", "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(10'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch launch = h.Launch("ok");
  uint64_t id = launch.id;
  h.runner.Adopt(std::move(launch));
  CHECK(h.results.empty());  // never from inside Adopt
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  CHECK(h.results.at(id).status == Status_::kSucceeded);
  CHECK(h.results.at(id).outputs == std::vector<Value>{Value::Int(42)});
}

TEST_CASE("adopting an attempt that ended while nobody watched reads its record and runs nothing",
          "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(10'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch launch = h.Launch("waits");
  const std::string dir = launch.attempt_dir;
  const std::string count = fs::path(dir).parent_path().parent_path().string() + "/count";
  std::ofstream(fs::path(dir).parent_path().parent_path().string() + "/go").put('\n');
  pid_t pid = SuperviseDetached(supervisor, dir,
                                "cd " + dir + " && echo run >> ../../count && echo 42 > outputs/o");
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(ReadFile(dir + "/exit") == "exit 0\n");

  uint64_t id = launch.id;
  h.runner.Adopt(std::move(launch));
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  const AttemptResult& r = h.results.at(id);
  CHECK(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Int(42)});
  CHECK(Lines(count) == 1);
}

TEST_CASE("adopting an attempt that is still running follows it to its end", "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(10'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch launch = h.Launch("waits");
  const std::string dir = launch.attempt_dir;
  const std::string root = fs::path(dir).parent_path().parent_path().string();
  pid_t pid = SuperviseDetached(
      supervisor, dir,
      "cd " + dir +
          " && echo run >> ../../count && while [ ! -f ../../go ]; do sleep 0.01; done; "
          "echo 7 > outputs/o; exit 0");
  // Wait until it runs, as a restarted server would find it.
  for (int i = 0; i < 500 && (ReadSupervisorIdentity(dir).empty() || Lines(root + "/count") == 0);
       ++i)
    ::usleep(10'000);
  REQUIRE(ProcessAlive(ReadSupervisorIdentity(dir)));

  uint64_t id = launch.id;
  h.runner.Adopt(std::move(launch));
  CHECK_FALSE(h.RunUntil([&] { return h.results.count(id) > 0; }, 200));
  CHECK(h.runner.running() == 1);
  std::ofstream(root + "/go").put('\n');
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  const AttemptResult& r = h.results.at(id);
  CHECK(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Int(7)});
  CHECK(Lines(root + "/count") == 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

TEST_CASE("an adopted attempt that ended without a record is lost, a system error", "[process]") {
  const std::string supervisor =
      SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary));
  RunnerHarness h(10'000'000'000, supervisor);
  h.Compile(kTasks);
  TaskLaunch launch = h.Launch("ok");
  fs::create_directories(launch.attempt_dir);
  // A supervisor that is gone (its start time cannot match) and wrote no exit record.
  std::ofstream(launch.attempt_dir + "/supervisor") << "4194000:1\n";
  const std::string output = launch.attempt_dir + "/outputs/o";
  uint64_t id = launch.id;
  h.runner.Adopt(std::move(launch));
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  CHECK(h.results.at(id).status == Status_::kSystemError);
  CHECK(h.results.at(id).code.text() == "Lost");
  CHECK_FALSE(fs::exists(output));  // it was not started again
}

TEST_CASE("the static supervisor is written once, named by its content, and rewritten when damaged",
          "[process]") {
  testing::TempDir tmp;
  Result<std::string> first = InstallSupervisor(tmp / "bin");
  REQUIRE(first.ok());
  CHECK(fs::path(*first).filename().string().rfind("flyte-supervise-", 0) == 0);
  CHECK((fs::status(*first).permissions() & fs::perms::owner_exec) != fs::perms::none);
  const auto size = fs::file_size(*first);
  CHECK(size > 1000);
  struct stat st;
  REQUIRE(::stat(first->c_str(), &st) == 0);
  const ino_t written = st.st_ino;
  Result<std::string> again = InstallSupervisor(tmp / "bin");
  REQUIRE(again.ok());
  CHECK(*again == *first);
  REQUIRE(::stat(again->c_str(), &st) == 0);
  CHECK(st.st_ino == written);  // not written again
  // A file cut short (a full disk, a crash of an older writer) is replaced whole, and so is
  // one of the right size but other bytes (after a power loss, say).
  const std::string good = testing::ReadFile(*first);
  fs::resize_file(*first, 100);
  REQUIRE(InstallSupervisor(tmp / "bin").ok());
  CHECK(fs::file_size(*first) == size);
  CHECK(testing::ReadFile(*first) == good);
  {
    std::fstream f(*first, std::ios::in | std::ios::out | std::ios::binary);
    std::string flipped = good.substr(size / 2, 8);
    for (char& c : flipped) c = static_cast<char>(~c);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(flipped.data(), 8);
  }
  REQUIRE(testing::ReadFile(*first) != good);
  REQUIRE(InstallSupervisor(tmp / "bin").ok());
  CHECK(testing::ReadFile(*first) == good);
  CHECK(fs::directory_iterator(tmp / "bin") != fs::directory_iterator());
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp / "bin")) ++files;
  CHECK(files == 1);  // no temporary file left behind
  // A folder that cannot be made is an error that names it.
  tmp.Write("file", "x");
  Result<std::string> bad = InstallSupervisor(tmp / "file/bin");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(tmp / "file/bin") != std::string::npos);
}

TEST_CASE("installing the supervisor keeps only the two most recently used of other versions",
          "[process]") {
  testing::TempDir tmp;
  const auto now = fs::file_time_type::clock::now();
  for (int i = 1; i <= 4; ++i) {
    std::string p = tmp.Write("bin/flyte-supervise-old" + std::to_string(i), "x");
    fs::last_write_time(p, now - std::chrono::hours(24 * i));
  }
  std::string stale = tmp.Write("bin/flyte-supervise-dead.tmp77", "half");
  fs::last_write_time(stale, now - std::chrono::hours(2));
  std::string writing = tmp.Write("bin/flyte-supervise-live.tmp78", "half");
  std::string unrelated = tmp.Write("bin/other-tool", "keep me");
  fs::last_write_time(unrelated, now - std::chrono::hours(24 * 10));
  Result<std::string> ours = InstallSupervisor(tmp / "bin");
  REQUIRE(ours.ok());
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp / "bin"))
    left.insert(e.path().filename().string());
  CHECK(left == std::set<std::string>{fs::path(*ours).filename().string(), "flyte-supervise-old1",
                                      "flyte-supervise-old2", "flyte-supervise-live.tmp78",
                                      "other-tool"});
}

TEST_CASE("Redact replaces every occurrence, the longest secret first", "[process]") {
  CHECK(Redact("a pw b pw", {"pw"}) == "a [secret] b [secret]");
  CHECK(Redact("token abcdef", {"abc", "abcdef"}) == "token [secret]");
  CHECK(Redact("nothing here", {"", "zzz"}) == "nothing here");
}

TEST_CASE("a secret in a line longer than the copy buffer is still redacted", "[process]") {
  RunnerHarness h(10'000'000'000,
                  SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary)));
  h.Compile(R"yaml(
tasks:
  long:
    secrets: [{name: k, env: KEY}]
    script: |
      head -c 70000 /dev/zero | tr '\0' a
      printf '%s' "$KEY"
      head -c 70000 /dev/zero | tr '\0' b
)yaml");
  ::setenv("FLYTE_SECRET_K", "0123456789-secret", 1);
  TaskLaunch launch = h.Launch("long");
  const std::string dir = launch.attempt_dir;
  AttemptResult r = h.Run(std::move(launch));
  ::unsetenv("FLYTE_SECRET_K");
  REQUIRE(r.status == Status_::kSucceeded);
  std::string out = ReadFile(dir + "/stdout");
  CHECK(out.size() == 140000 + std::string("[secret]").size());
  CHECK(out.find("0123456789") == std::string::npos);
  CHECK(out.find("a[secret]b") == 69999);
}

TEST_CASE("a secret that spans lines (a key file) is redacted whole", "[process]") {
  RunnerHarness h(10'000'000'000,
                  SupervisorPath(GENERATE(Supervisor::kStatic, Supervisor::kFlyteBinary)));
  h.Compile(R"yaml(
tasks:
  pem:
    secrets: [{name: tls, env: TLS_KEY}]
    script: |
      echo before
      printf '%s\n' "$TLS_KEY"
      echo after
)yaml");
  std::filesystem::create_directories(h.secrets_dir());
  std::ofstream(h.secrets_dir() + "/tls")
      << "-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----\n";
  TaskLaunch launch = h.Launch("pem");
  const std::string dir = launch.attempt_dir;
  REQUIRE(h.Run(std::move(launch)).status == Status_::kSucceeded);
  CHECK(ReadFile(dir + "/stdout") == "before\n[secret]\nafter\n");
}

TEST_CASE("process identities tell a live process from a gone one", "[process]") {
  std::string me = ProcessIdentity(::getpid());
  REQUIRE_FALSE(me.empty());
  CHECK(IdentityPid(me) == ::getpid());
  CHECK(ProcessAlive(me));
  CHECK_FALSE(ProcessAlive(std::to_string(::getpid()) + ":1"));  // same pid, other start
  CHECK_FALSE(ProcessAlive("nonsense"));
}

}  // namespace
}  // namespace flyte
