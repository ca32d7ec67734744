// The admin's group commit (LocalAdmin::Options::commit_every_ms, what `flyte run` uses): a
// burst of state changes shares transactions, a change that comes right after a commit still
// lands within the interval while nothing else happens, and the final state is all there.
#include <uv.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "support/admin_helpers.h"
#include "support/failing_writer.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::FailingWriter;
using testing::TempDir;

// A chain of `n` tasks that end at once.
std::string Chain(int n) {
  std::string y = "tasks:\n  t:\n    command: [\"true\"]\nworkflows:\n  chain:\n    nodes:\n";
  for (int i = 0; i < n; ++i) {
    y += "      n" + std::to_string(i) + ":\n        task: t\n";
    if (i > 0) y += "        after: [n" + std::to_string(i - 1) + "]\n";
  }
  return y;
}

class CommitFixture {
 public:
  explicit CommitFixture(uint64_t commit_every_ms) {
    uv_loop_init(&loop_);
    LocalAdmin::Options o;
    o.home = tmp / "home";
    o.commit_every_ms = commit_every_ms;
    o.wrap_writes = [this](StateWriter& store) {
      auto w = std::make_unique<FailingWriter>(store);
      writer = w.get();
      return w;
    };
    Result<std::unique_ptr<LocalAdmin>> opened = cli::OpenLocalAdmin(&loop_, o);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    admin = std::move(*opened);
  }
  ~CommitFixture() {
    admin.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }

  ExecutionKey Launch(const std::string& yaml) {
    return testing::RegisterAndLaunch(*admin, tmp.Write("wf.yaml", yaml), yaml);
  }

  // The nodes the store holds as SUCCEEDED.
  size_t StoredSucceeded(const ExecutionKey& key) {
    Result<std::vector<NodeRecord>> nodes = admin->ListNodes(key);
    REQUIRE(nodes.ok());
    size_t n = 0;
    for (const NodeRecord& r : *nodes) n += r.phase == NodePhase::kSucceeded;
    return n;
  }

  TempDir tmp;
  std::unique_ptr<LocalAdmin> admin;
  FailingWriter* writer = nullptr;  // owned by the admin
  uv_loop_t loop_;
};

TEST_CASE("a group commit records a chain of quick tasks in a few transactions, every state kept",
          "[store][commit]") {
  constexpr int kTasks = 30;
  int per_turn = 0, grouped = 0;
  for (uint64_t every : {uint64_t{0}, uint64_t{60'000}}) {
    CommitFixture f(every);
    const ExecutionKey key = f.Launch(Chain(kTasks));
    const int before = f.writer->commits();
    Status st = f.admin->RunUntilDone(key);
    INFO(st.ToString());
    REQUIRE(st.ok());
    (every == 0 ? per_turn : grouped) = f.writer->commits() - before;
    // Nothing waits in memory once the run is over: the store has the whole story.
    CHECK(f.StoredSucceeded(key) == kTasks);
    Result<ExecutionRecord> row = f.admin->GetExecution(key);
    REQUIRE(row.ok());
    CHECK(row->phase == ExecutionPhase::kSucceeded);
  }
  // One transaction per loop turn is one or more per task; a minute's window holds the chain.
  CHECK(per_turn >= kTasks);
  CHECK(grouped <= 3);
}

TEST_CASE("a state deferred by the group commit lands within the interval while a task runs",
          "[store][commit]") {
  CommitFixture f(/*commit_every_ms=*/200);
  const ExecutionKey key = f.Launch(R"yaml(
tasks:
  nap:
    script: sleep 5
workflows:
  wf:
    nodes:
      a: {task: nap}
)yaml");
  // The execution's creation was just committed, so the attempt's start, a moment later, is
  // deferred; with nothing else happening, only the deferred commit can bring it to the store.
  const auto start = std::chrono::steady_clock::now();
  bool stored_running = false;
  while (!stored_running && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    uv_run(&f.loop_, UV_RUN_ONCE);
    Result<std::vector<AttemptRecord>> attempts = f.admin->ListAttempts(key, "a");
    REQUIRE(attempts.ok());
    stored_running = !attempts->empty() && attempts->back().phase == TaskPhase::kRunning;
  }
  CHECK(stored_running);
  REQUIRE(f.admin->Terminate(key, "test over").ok());
  REQUIRE(f.admin->RunUntilDone(key).ok());
}

}  // namespace
}  // namespace flyte
