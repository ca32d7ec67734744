// What one task can learn of another's secrets, or of flyte's own: nothing. Secrets given to
// `flyte run` (and `flyte serve`) as FLYTE_SECRET_* variables are moved out of its environment
// block, flyte and the supervisors are not dumpable, and the attempt folders hold redacted
// text only. Tests run the built binary; the tasks do the snooping.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

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
    if (e.is_regular_file() && ReadFile(e.path()).find(needle) != std::string::npos) out.push_back(e.path());
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

  Child both(FlyteArgv(f.home(), {"run", file, "both", "--max-parallelism", "2", "-o", "json"}), env);
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
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
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

}  // namespace
}  // namespace flyte
