// `flyte run` with its home on a small tmpfs that a task fills up: the final state cannot be
// written. The run waits a bounded time for room (FLYTE_STORE_RETRY_SECONDS), records the
// true state when room comes back, and otherwise exits 3 naming the database and SQLite's
// error; the execution it could not end is recorded ABORTED by the next run, never left
// RUNNING without a process.
#include <catch2/catch.hpp>

#include "cli/cli_fixture.h"
#include "support/tmpfs.h"

namespace flyte {
namespace {

using testing::Child;
using testing::Describe;
using testing::ProcessResult;
using testing::TempDir;

const std::string kHello = std::string(FLYTE_SOURCE_DIR) + "/examples/hello.yaml";

// A task that fills the disk it is given, then succeeds.
std::string FillingWorkflow(const std::string& filler) {
  return R"yaml(
tasks:
  fill:
    script: dd if=/dev/zero of=)yaml" +
         filler + R"yaml( bs=4k 2>/dev/null || true
workflows:
  wf:
    nodes:
      t: {task: fill}
)yaml";
}

std::string PhaseOf(const std::string& home, const std::string& name) {
  ProcessResult r = testing::Flyte(home, {"get", "execution", name, "-o", "json"});
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out)["phase"].get<std::string>();
}

TEST_CASE("flyte run waits for a full disk to take its final state, then records the true one",
          "[process][store][disk]") {
  TempDir tmp;
  testing::Tmpfs disk(16 << 20);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): not tested here");
    return;
  }
  const std::string home = disk / "home";
  const std::string file = tmp.Write("fill.yaml", FillingWorkflow(disk / "filler"));
  std::vector<std::string> env = testing::FlyteEnv(home);
  env.push_back("FLYTE_STORE_RETRY_SECONDS=60");
  Child run(testing::FlyteArgv(home, {"run", file, "--name", "filled"}), env);
  INFO(run.err());
  REQUIRE(run.WaitForStderr("retrying"));
  CHECK(run.err().find("cannot write to the database " + home + "/flyte.db") != std::string::npos);
  disk.Unfill();
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("the database takes writes again") != std::string::npos);
  CHECK(PhaseOf(home, "filled") == "SUCCEEDED");
}

TEST_CASE(
    "flyte run on a disk that stays full exits 3 naming the database, and the next run ends the "
    "execution",
    "[process][store][disk]") {
  TempDir tmp;
  testing::Tmpfs disk(16 << 20);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): not tested here");
    return;
  }
  const std::string home = disk / "home";
  const std::string file = tmp.Write("fill.yaml", FillingWorkflow(disk / "filler"));
  std::vector<std::string> env = testing::FlyteEnv(home);
  env.push_back("FLYTE_STORE_RETRY_SECONDS=1");
  Child run(testing::FlyteArgv(home, {"run", file, "--name", "filled"}), env);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find(
            "flyte run: cannot record the execution's final state: cannot write to the database " +
            home + "/flyte.db: ") != std::string::npos);
  CHECK(r.err.find("database or disk is full") != std::string::npos);
  CHECK(r.err.find("cannot record the execution's final state\n") == std::string::npos);

  disk.Unfill();
  // The next run finds the execution nobody will end and records it.
  ProcessResult next = testing::Flyte(home, {"run", kHello, "--input", "who=Ada"});
  INFO(Describe(next));
  CHECK(next.exit_code == 0);
  CHECK(next.err.find("recorded ABORTED flytesnacks/development/filled") != std::string::npos);
  CHECK(PhaseOf(home, "filled") == "ABORTED");
}

}  // namespace
}  // namespace flyte
