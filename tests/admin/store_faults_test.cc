// The admin service over a store that refuses writes the way a full disk does (a forwarding
// wrapper over the recorder's writes fails chosen ones): nothing the engine did is lost, the
// final state lands once the store takes writes again, and an execution whose end could never
// be recorded is recorded ABORTED by the next start, so none stays RUNNING without a process.
#include <uv.h>
#include <catch2/catch.hpp>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "support/admin_helpers.h"
#include "support/failing_writer.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::FailingWriter;
using testing::TempDir;

constexpr const char* kOneTask = R"yaml(
tasks:
  hello:
    outputs: {n: int}
    script: echo 7 > "{{ outputs.n }}"
workflows:
  wf:
    outputs: {n: "{{ t.n }}"}
    nodes:
      t: {task: hello}
)yaml";

class FaultFixture {
 public:
  FaultFixture() { uv_loop_init(&loop_); }
  ~FaultFixture() {
    admin.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }

  // Opens the home with `setup` applied to the wrapper over its writes (none when empty).
  void Open(std::function<void(FailingWriter&)> setup, int64_t retry_nanos = 5'000'000'000) {
    admin.reset();
    writer = nullptr;
    LocalAdmin::Options o;
    o.home = tmp / "home";
    o.store_retry_nanos = retry_nanos;
    if (setup) {
      o.wrap_writes = [this, setup](StateWriter& store) {
        auto w = std::make_unique<FailingWriter>(store);
        writer = w.get();
        setup(*w);
        return w;
      };
    }
    Result<std::unique_ptr<LocalAdmin>> opened = cli::OpenLocalAdmin(&loop_, o);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    admin = std::move(*opened);
    admin->OnStoreHealth([this](const Status& st) { health.push_back(st); });
  }

  ExecutionKey Launch(const std::string& name) {
    return testing::RegisterAndLaunch(*admin, tmp.Write("wf.yaml", kOneTask), kOneTask, name);
  }

  ExecutionRecord Row(const ExecutionKey& key) {
    Result<ExecutionRecord> r = admin->GetExecution(key);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  TempDir tmp;
  std::unique_ptr<LocalAdmin> admin;
  FailingWriter* writer = nullptr;  // owned by the admin
  std::vector<Status> health;       // what OnStoreHealth reported, in order

 private:
  uv_loop_t loop_;
};

TEST_CASE(
    "writes the store refused are retried until they land, and the final state is the true one",
    "[store][faults]") {
  FaultFixture f;
  // Some flushes fail, at the start and in the middle of a batch: the disk fills and frees.
  f.Open([](FailingWriter& w) { w.FailFrom(3, 6); });
  const ExecutionKey key = f.Launch("blip");
  Status st = f.admin->RunUntilDone(key);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(f.writer->failures() == 6);
  CHECK(f.admin->store_error().ok());
  // The store went bad once and came back once.
  REQUIRE(f.health.size() == 2);
  CHECK(f.health[0].message().find("cannot write to the database " + f.tmp / "home/flyte.db") !=
        std::string::npos);
  CHECK(f.health[0].message().find("disk is full") != std::string::npos);
  CHECK(f.health[1].ok());

  ExecutionRecord row = f.Row(key);
  CHECK(PhaseName(row.phase) == "SUCCEEDED");
  CHECK(row.outputs_json == R"({"n":7})");
  Result<std::vector<NodeRecord>> nodes = f.admin->ListNodes(key);
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 1);
  CHECK(PhaseName((*nodes)[0].phase) == "SUCCEEDED");
}

TEST_CASE(
    "a store that stays full fails the run's end with its error, and the next start records the "
    "execution",
    "[store][faults]") {
  FaultFixture f;
  f.Open([](FailingWriter& w) { w.FailFromTerminal(); }, /*retry_nanos=*/300'000'000);
  const ExecutionKey key = f.Launch("full");
  Status st = f.admin->RunUntilDone(key);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kIO);
  CHECK(st.message() == "cannot record the execution's final state: cannot write to the database " +
                            f.tmp / "home/flyte.db" +
                            ": running INSERT: database or disk is full (the disk is full)");
  CHECK(f.writer->failures() >= 2);  // retried, not given up at the first refusal
  // In memory it ended; the store still says what it last took.
  CHECK(IsTerminal(f.admin->Live(key)->phase));
  CHECK(PhaseName(f.Row(key).phase) == "RUNNING");

  // The process that ran it is gone (here: its admin); the next one records how it ended.
  f.Open(nullptr);
  Result<LocalAdmin::ResumeReport> ended = f.admin->EndAbandonedRuns();
  REQUIRE(ended.ok());
  REQUIRE(ended->ended.size() == 1);
  CHECK(ended->ended[0] == key);
  ExecutionRecord row = f.Row(key);
  CHECK(PhaseName(row.phase) == "ABORTED");
  CHECK(row.error_code == "Orphaned");
  Result<std::vector<ExecutionRecord>> unfinished = f.admin->store().ListUnfinished();
  REQUIRE(unfinished.ok());
  CHECK(unfinished->empty());
}

TEST_CASE("the final state lands when the store takes writes again within the run's wait",
          "[store][faults]") {
  FaultFixture f;
  // The terminal batch is refused; the disk has room again by the retry.
  f.Open([](FailingWriter& w) { w.FailFromTerminal(); });
  const ExecutionKey key = f.Launch("late");
  f.admin->OnStoreHealth([&f](const Status& st) {
    f.health.push_back(st);
    if (!st.ok()) f.writer->Heal();
  });
  Status st = f.admin->RunUntilDone(key);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(f.writer->failures() >= 1);
  CHECK(PhaseName(f.Row(key).phase) == "SUCCEEDED");
  REQUIRE(f.health.size() == 2);
  CHECK(f.health[1].ok());
}

}  // namespace
}  // namespace flyte
