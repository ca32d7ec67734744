// What survives when `flyte run` is killed outright: every phase it reported before dying is
// in the database, because it reports a change only after committing it.
#include <catch2/catch.hpp>

#include <signal.h>

#include "flyte/store.h"
#include "store/sqlite_reader.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::Child;
using testing::Query;
using testing::Rows;
using testing::TempDir;

constexpr const char* kTwoSteps = R"yaml(
tasks:
  first:
    outputs: {n: int}
    script: echo 1 > "{{ outputs.n }}"
  slow:
    inputs: {n: int}
    script: |
      echo "started $$"
      sleep 30 & wait
workflows:
  steps:
    nodes:
      a: {task: first}
      b: {task: slow, inputs: {n: "{{ a.n }}"}}
)yaml";

// Kills a task's process group that outlived its (killed) flyte.
struct GroupReaper {
  pid_t pgid = 0;
  ~GroupReaper() { testing::KillGroup(pgid); }
};

TEST_CASE("after flyte run is killed, the store holds every phase it had reported", "[process]") {
  TempDir tmp;
  const std::string home = tmp / "home";
  const std::string file = tmp.Write("steps.yaml", kTwoSteps);
  const std::string db = home + "/flyte.db";
  GroupReaper task;
  {
    Child run(testing::FlyteArgv(home, {"run", file, "--name", "crashed", "-v"}),
              testing::FlyteEnv(home));
    // -v echoes task output once it is committed: node b is RUNNING and its shell has started.
    INFO(run.err());
    REQUIRE(run.WaitForStderr("b | started "));
    size_t at = run.err().find("b | started ") + std::string("b | started ").size();
    task.pgid = std::stoi(run.err().substr(at));

    // Another reader sees the committed state while flyte is still running.
    CHECK(Query(db,
                "SELECT node_id, phase FROM node_executions WHERE execution = 'crashed' ORDER BY "
                "seq") == Rows{{"a", "SUCCEEDED"}, {"b", "RUNNING"}});

    // A crash of flyte run (its watchdog kills the tasks: runner/watchdog.h).
    REQUIRE(::kill(run.pid(), SIGKILL) == 0);
    testing::ProcessResult r = run.Wait();
    CHECK(r.signal == SIGKILL);
  }

  Result<std::unique_ptr<Store>> opened = Store::Open(db);
  REQUIRE(opened.ok());
  Store& store = **opened;
  const ExecutionKey key{"flytesnacks", "development", "crashed"};
  auto exec = store.GetExecution(key);
  REQUIRE(exec.ok());
  REQUIRE(exec->has_value());
  CHECK((*exec)->phase == ExecutionPhase::kRunning);

  auto nodes = store.ListNodes(key);
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 2);
  CHECK((*nodes)[0].node_id == "a");
  CHECK(PhaseName((*nodes)[0].phase) == "SUCCEEDED");
  CHECK((*nodes)[0].outputs_json == R"({"n":1})");
  CHECK((*nodes)[1].node_id == "b");
  CHECK(PhaseName((*nodes)[1].phase) == "RUNNING");

  auto a = store.ListAttempts(key, "a");
  REQUIRE(a.ok());
  REQUIRE(a->size() == 1);
  CHECK(PhaseName((*a)[0].phase) == "SUCCEEDED");
  CHECK(testing::ReadFile((*a)[0].stdout_path).empty());
  auto b = store.ListAttempts(key, "b");
  REQUIRE(b.ok());
  REQUIRE(b->size() == 1);
  CHECK(PhaseName((*b)[0].phase) == "RUNNING");
  CHECK(testing::ReadFile((*b)[0].stdout_path) == "started " + std::to_string(task.pgid) + "\n");

  auto unfinished = store.ListUnfinished();
  REQUIRE(unfinished.ok());
  REQUIRE(unfinished->size() == 1);
  CHECK((*unfinished)[0].key == key);

  // The history commands read the same rows.
  testing::ProcessResult got = testing::Flyte(home, {"get", "execution", "crashed", "--details"});
  INFO(testing::Describe(got));
  CHECK(got.exit_code == 0);
  CHECK(got.out.find("phase      RUNNING") != std::string::npos);
}

}  // namespace
}  // namespace flyte
