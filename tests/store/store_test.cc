// The SQLite store on a real database file: migrations, registration, the cache, and the
// Recorder that projects the engine's state into rows.
#include "flyte/store.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "flyte/compiler.h"
#include "store/sqlite_reader.h"
#include "support/fake_runner.h"
#include "support/manual_clock.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::Exec;
using testing::Query;
using testing::Rows;
using testing::TempDir;

std::unique_ptr<Store> OpenStore(const std::string& path) {
  Result<std::unique_ptr<Store>> s = Store::Open(path);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  return std::move(s).value();
}

TEST_CASE("a new database is created with every migration applied") {
  TempDir tmp;
  const std::string db = tmp / "flyte.db";
  auto store = OpenStore(db);
  REQUIRE(store->schema_version() >= 1);
  // Each version recorded once, in order, up to the one the store reports.
  Rows versions = Query(db, "SELECT version FROM schema_version ORDER BY version");
  REQUIRE(versions.size() == static_cast<size_t>(store->schema_version()));
  for (size_t i = 0; i < versions.size(); ++i) CHECK(versions[i][0] == std::to_string(i + 1));
  Rows tables = Query(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  for (const auto& r : tables) names.push_back(r[0]);
  for (const char* t : {"cache", "entities", "events", "executions", "node_executions", "projects",
                        "schedules", "schema_version", "sources", "task_executions", "tokens"}) {
    INFO(t);
    CHECK(std::find(names.begin(), names.end(), t) != names.end());
  }
  CHECK(Query(db, "PRAGMA journal_mode") == Rows{{"wal"}});
}

TEST_CASE("reopening a database keeps its data and migrates nothing") {
  TempDir tmp;
  const std::string db = tmp / "flyte.db";
  int version = 0;
  {
    auto store = OpenStore(db);
    version = store->schema_version();
    REQUIRE(store->PutSource("d1", "/w/a.yaml", "tasks: {}").ok());
    REQUIRE(store->PutEntity({"task", "p", "d", "t", "v1", "digest-1", "d1", "", 5}).ok());
  }
  auto store = OpenStore(db);
  CHECK(store->schema_version() == version);
  CHECK(Query(db, "SELECT COUNT(*) FROM schema_version") == Rows{{std::to_string(version)}});
  auto e = store->GetEntity("task", "p", "d", "t", "v1");
  REQUIRE(e.ok());
  REQUIRE(e->has_value());
  CHECK((*e)->digest == "digest-1");
  auto src = store->GetSource("d1");
  REQUIRE(src.ok());
  REQUIRE(src->has_value());
  CHECK((*src)->content == "tasks: {}");
}

TEST_CASE("a database from a newer flyte is refused") {
  TempDir tmp;
  const std::string db = tmp / "flyte.db";
  OpenStore(db).reset();
  Exec(db, "INSERT INTO schema_version VALUES (999)");
  Result<std::unique_ptr<Store>> s = Store::Open(db);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == StatusCode::kFailedPrecondition);
  CHECK(s.status().message().find("schema version 999, newer than this flyte understands") !=
        std::string::npos);
}

TEST_CASE("registering an entity again is a no-op with the same digest and refused with another") {
  TempDir tmp;
  auto store = OpenStore(tmp / "flyte.db");
  REQUIRE(store->PutSource("src", "/w/a.yaml", "...").ok());
  EntityRecord e{"workflow", "flytesnacks", "development", "hello", "v1", "abc", "src", "", 1};
  REQUIRE(store->PutEntity(e).ok());
  CHECK(store->PutEntity(e).ok());
  auto all = store->FindEntities("workflow", "flytesnacks", "development", "hello", "");
  REQUIRE(all.ok());
  CHECK(all->size() == 1);

  e.digest = "def";
  Status st = store->PutEntity(e);
  CHECK(st.code() == StatusCode::kAlreadyExists);
  CHECK(st.message() ==
        "workflow hello version v1 in flytesnacks/development already exists with a different "
        "definition; register under a new version");
  auto kept = store->GetEntity("workflow", "flytesnacks", "development", "hello", "v1");
  REQUIRE(kept.ok());
  CHECK((*kept)->digest == "abc");
  // A new version of the same name is fine.
  e.version = "v2";
  CHECK(store->PutEntity(e).ok());
}

TEST_CASE("an execution name is unique within its project and domain") {
  TempDir tmp;
  auto store = OpenStore(tmp / "flyte.db");
  ExecutionRecord r;
  r.key = {"p", "d", "run1"};
  r.workflow = "w";
  r.phase = ExecutionPhase::kQueued;
  REQUIRE(store->CreateExecution(r).ok());
  Status st = store->CreateExecution(r);
  CHECK(st.code() == StatusCode::kAlreadyExists);
  CHECK(st.message() == "execution run1 already exists in p/d");
  r.key.domain = "other";
  CHECK(store->CreateExecution(r).ok());
}

TEST_CASE("the cache returns unexpired entries read by the task's output types") {
  TempDir tmp;
  auto store = OpenStore(tmp / "flyte.db");
  CacheEntry e;
  e.key = "k1";
  e.task = "train";
  e.outputs = {Value::Int(3), Value::Str("x")};
  e.created_at = 100;
  e.expires_at = 200;
  e.producer = "p/d/run1/train";
  REQUIRE(store->Put(e).ok());
  const std::vector<Type> types = {Type::Int(), Type::Str()};

  auto hit = store->Lookup("k1", types, 150);
  REQUIRE(hit.ok());
  REQUIRE(hit->has_value());
  CHECK((*hit)->outputs == e.outputs);
  CHECK((*hit)->producer == "p/d/run1/train");
  CHECK((*hit)->expires_at == std::optional<int64_t>(200));

  auto expired = store->Lookup("k1", types, 200);
  REQUIRE(expired.ok());
  CHECK_FALSE(expired->has_value());
  auto other_interface = store->Lookup("k1", {Type::Int()}, 150);
  REQUIRE(other_interface.ok());
  CHECK_FALSE(other_interface->has_value());
  auto unknown = store->Lookup("nope", types, 150);
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());

  e.key = "k2";
  e.task = "other";
  REQUIRE(store->Put(e).ok());
  auto listed = store->ListCache("train");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].project == "p");
  CHECK((*listed)[0].domain == "d");
  CHECK((*listed)[0].outputs_json == "[3,\"x\"]");
  auto removed = store->ClearCache("train");
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  CHECK(store->ListCache("")->size() == 1);
}

TEST_CASE("large values live in the blob area, content-addressed, and read back whole") {
  TempDir tmp;
  auto store = OpenStore(tmp / "flyte.db");
  const std::string big(200'000, 'x');
  ExecutionRecord r;
  r.key = {"p", "d", "big1"};
  r.workflow = "w";
  r.phase = ExecutionPhase::kQueued;
  r.inputs_json = "{\"text\":\"" + big + "\"}";
  REQUIRE(store->CreateExecution(r).ok());
  r.key.name = "big2";  // the same value again: one blob
  REQUIRE(store->CreateExecution(r).ok());
  auto got = store->GetExecution({"p", "d", "big1"});
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->inputs_json == r.inputs_json);
  // The row holds a reference; the blob holds the value.
  const std::string db = tmp / "flyte.db";
  Rows raw = Query(db, "SELECT inputs FROM executions WHERE name = 'big1'");
  REQUIRE(raw.size() == 1);
  CHECK(raw[0][0].rfind(Store::kValueRefPrefix, 0) == 0);
  CHECK(raw[0][0].size() < 100);
  size_t blobs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp / "blobs/values")) {
    blobs += entry.is_regular_file();
  }
  CHECK(blobs == 1);

  // Cached outputs too, and small values stay inline.
  CacheEntry e;
  e.key = "k";
  e.task = "t";
  e.outputs = {Value::Str(big), Value::Int(1)};
  e.producer = "p/d/big1/a";
  REQUIRE(store->Put(e).ok());
  auto hit = store->Lookup("k", {Type::Str(), Type::Int()}, 0);
  REQUIRE(hit.ok());
  REQUIRE(hit->has_value());
  CHECK((*hit)->outputs == e.outputs);
  CHECK(Query(db, "SELECT substr(outputs, 1, 5) FROM cache") == Rows{{"@blob"}});
  r.key.name = "small";
  r.inputs_json = "{\"n\":1}";
  REQUIRE(store->CreateExecution(r).ok());
  CHECK(Query(db, "SELECT inputs FROM executions WHERE name = 'small'") == Rows{{"{\"n\":1}"}});
}

// An engine on a fake runner and a manual clock, recording into a real store.
class RecorderFixture {
 public:
  static constexpr const char* kYaml = R"(
tasks:
  inc:
    inputs: {x: int}
    outputs: {y: int}
    command: [inc]
workflows:
  chain:
    outputs: {result: "{{ b.y }}"}
    nodes:
      a: {task: inc, inputs: {x: 1}}
      b: {task: inc, inputs: {x: "{{ a.y }}"}}
)";

  RecorderFixture()
      : store(OpenStore(tmp / "flyte.db")), recorder(*store), engine(runner, clock, nullptr) {
    engine.AddObserver(&recorder);
  }

  const ExecutionState& Start() {
    CompileOutput out = CompileText(tmp / "chain.yaml", kYaml);
    INFO(out.diagnostics.FormatAll());
    REQUIRE(out.ok());
    ExecutionRecord rec;
    rec.key = key;
    rec.workflow = "chain";
    rec.phase = ExecutionPhase::kQueued;
    rec.created_at = clock.Now();
    REQUIRE(store->CreateExecution(rec).ok());
    ExecutionRequest req;
    req.key = key;
    req.file = out.file;
    req.workflow = out.file->FindWorkflow("chain");
    req.options.run_dir = tmp / "runs";
    return engine.Start(std::move(req));
  }

  ExecutionRecord Execution() {
    auto r = store->GetExecution(key);
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    return **r;
  }
  NodeRecord Node(const std::string& id) {
    auto nodes = store->ListNodes(key);
    REQUIRE(nodes.ok());
    for (const NodeRecord& n : *nodes) {
      if (n.node_id == id) return n;
    }
    FAIL("no row for node " << id);
    return {};
  }
  std::vector<AttemptRecord> Attempts(const std::string& node) {
    auto a = store->ListAttempts(key, node);
    REQUIRE(a.ok());
    return *a;
  }
  // "NODE PHASE" / "NODE#ATTEMPT PHASE" / "execution PHASE", in commit order.
  std::vector<std::string> Events() {
    std::vector<std::string> out;
    for (const auto& r :
         Query(tmp / "flyte.db",
               "SELECT node_id, attempt, phase FROM events WHERE execution = 'run1' "
               "ORDER BY seq")) {
      std::string who = r[0].empty() ? "execution" : r[0];
      if (r[1] != "-1") who += "#" + r[1];
      out.push_back(who + " " + r[2]);
    }
    return out;
  }

  TempDir tmp;
  ExecutionKey key{"flytesnacks", "development", "run1"};
  std::unique_ptr<Store> store;
  Recorder recorder;
  testing::FakeRunner runner;
  testing::ManualClock clock;
  Engine engine;
};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_CASE("a recorder flush writes executions, nodes, attempts and events") {
  RecorderFixture f;
  f.Start();
  CHECK(f.recorder.pending());
  // Nothing reaches the database before the flush.
  CHECK(PhaseName(f.Execution().phase) == "QUEUED");
  REQUIRE(f.recorder.Flush().ok());
  CHECK_FALSE(f.recorder.pending());

  CHECK(PhaseName(f.Execution().phase) == "RUNNING");
  CHECK(f.Execution().started_at == f.clock.Now());
  NodeRecord a = f.Node("a");
  CHECK(PhaseName(a.phase) == "RUNNING");
  CHECK(a.kind == spec::NodeKind::kTask);
  CHECK(a.target == "inc");
  CHECK(a.attempts == 1);
  std::vector<AttemptRecord> attempts = f.Attempts("a");
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].attempt == 0);
  CHECK(PhaseName(attempts[0].phase) == "RUNNING");

  f.clock.Advance(1'000'000'000);
  f.runner.Succeed(f.runner.RunningFor("a"), {Value::Int(2)});
  REQUIRE(f.recorder.Flush().ok());
  a = f.Node("a");
  CHECK(PhaseName(a.phase) == "SUCCEEDED");
  CHECK(a.outputs_json == R"({"y":2})");
  CHECK(a.ended_at - a.started_at == 1'000'000'000);
  CHECK(PhaseName(f.Attempts("a")[0].phase) == "SUCCEEDED");
  CHECK(PhaseName(f.Node("b").phase) == "RUNNING");

  f.runner.FailUser(f.runner.RunningFor("b"), "exit code 1", 1);
  REQUIRE(f.recorder.Flush().ok());
  ExecutionRecord e = f.Execution();
  CHECK(PhaseName(e.phase) == "FAILED");
  CHECK(e.error_code == "NonZeroExit");
  CHECK(e.error_node == "b");
  CHECK(e.ended_at > 0);
  NodeRecord b = f.Node("b");
  CHECK(PhaseName(b.phase) == "FAILED");
  CHECK(b.error_message == "exit code 1");
  CHECK(b.tail == "last line of stderr");
  REQUIRE(f.Attempts("b").size() == 1);
  CHECK(f.Attempts("b")[0].exit_code == 1);
  CHECK(PhaseName(f.Attempts("b")[0].phase) == "FAILED");

  std::vector<std::string> events = f.Events();
  INFO(::Catch::Detail::stringify(events));
  for (const char* ev :
       {"execution RUNNING", "a RUNNING", "a#0 RUNNING", "a#0 SUCCEEDED", "a SUCCEEDED",
        "b RUNNING", "b#0 FAILED", "b FAILED", "execution FAILED"}) {
    INFO(ev);
    CHECK(Contains(events, ev));
  }
  CHECK(events.back() == "execution FAILED");
  auto pos = [&](const std::string& s) {
    return std::find(events.begin(), events.end(), s) - events.begin();
  };
  CHECK(pos("a RUNNING") < pos("a SUCCEEDED"));
  CHECK(pos("a SUCCEEDED") < pos("b RUNNING"));
  CHECK(Query(f.tmp / "flyte.db",
              "SELECT COUNT(*) FROM executions WHERE phase = 'FAILED' AND ended_at > 0") ==
        Rows{{"1"}});
}

TEST_CASE("one flush records every phase change since the last, each row once") {
  RecorderFixture f;
  const ExecutionState& e = f.Start();
  f.runner.Succeed(f.runner.RunningFor("a"), {Value::Int(2)});
  f.runner.Succeed(f.runner.RunningFor("b"), {Value::Int(3)});
  REQUIRE(e.phase == ExecutionPhase::kSucceeded);
  REQUIRE(f.recorder.Flush().ok());
  CHECK(PhaseName(f.Execution().phase) == "SUCCEEDED");
  CHECK(f.Execution().outputs_json == R"({"result":3})");
  CHECK(PhaseName(f.Node("a").phase) == "SUCCEEDED");
  CHECK(PhaseName(f.Node("b").phase) == "SUCCEEDED");
  std::vector<std::string> events = f.Events();
  INFO(::Catch::Detail::stringify(events));
  CHECK(Contains(events, "a RUNNING"));
  CHECK(Contains(events, "b RUNNING"));
  CHECK(events.back() == "execution SUCCEEDED");
  CHECK(Query(f.tmp / "flyte.db", "SELECT COUNT(*) FROM node_executions") == Rows{{"2"}});
  // Flushing again writes nothing new.
  REQUIRE(f.recorder.Flush().ok());
  CHECK(f.Events().size() == events.size());
}

TEST_CASE("a failed flush writes nothing and keeps its changes for the next one") {
  RecorderFixture f;
  f.Start();
  const std::string db = f.tmp / "flyte.db";
  Exec(db,
       "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk on fire'); "
       "END");
  Status st = f.recorder.Flush();
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("disk on fire") != std::string::npos);
  CHECK(f.recorder.pending());
  CHECK(PhaseName(f.Execution().phase) == "QUEUED");  // rolled back as a whole
  CHECK(Query(db, "SELECT COUNT(*) FROM node_executions") == Rows{{"0"}});

  Exec(db, "DROP TRIGGER refuse");
  REQUIRE(f.recorder.Flush().ok());
  CHECK_FALSE(f.recorder.pending());
  CHECK(PhaseName(f.Execution().phase) == "RUNNING");
  CHECK(PhaseName(f.Node("a").phase) == "RUNNING");
  CHECK(Contains(f.Events(), "execution RUNNING"));
}

TEST_CASE("executions that never ended are listed as unfinished") {
  RecorderFixture f;
  f.Start();
  REQUIRE(f.recorder.Flush().ok());
  auto unfinished = f.store->ListUnfinished();
  REQUIRE(unfinished.ok());
  REQUIRE(unfinished->size() == 1);
  CHECK((*unfinished)[0].key == f.key);
  f.runner.Succeed(f.runner.RunningFor("a"), {Value::Int(2)});
  f.runner.Succeed(f.runner.RunningFor("b"), {Value::Int(3)});
  REQUIRE(f.recorder.Flush().ok());
  CHECK(f.store->ListUnfinished()->empty());
}

// Every start reads the unfinished executions: through the partial index, not a scan of the
// history. The query is built as the store builds it, so a change to the terminal phases that
// leaves the index behind fails here.
TEST_CASE(
    "the unfinished executions are read through their index and not by a scan of the history") {
  TempDir tmp;
  const std::string db = tmp / "flyte.db";
  auto store = OpenStore(db);
  std::string not_terminal;
  for (size_t i = 0; i < kExecutionPhaseCount; ++i) {
    const auto p = static_cast<ExecutionPhase>(i);
    if (IsTerminal(p))
      not_terminal += (not_terminal.empty() ? "phase <> '" : " AND phase <> '") +
                      std::string(PhaseName(p)) + "'";
  }
  Rows plan = Query(db, "EXPLAIN QUERY PLAN SELECT name FROM executions WHERE " + not_terminal +
                            " ORDER BY created_at");
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].back() == "SCAN executions USING INDEX executions_unfinished");
}

// Each change of an execution's phase is a write that the partial index's condition is
// evaluated for, old row and new. Spelled as a NOT IN list, SQLite built a temporary b-tree
// (a page cache allocated and freed) twice per write: a server spent about a tenth of its CPU
// there.
TEST_CASE("a write of an execution's phase builds no temporary table for the index") {
  TempDir tmp;
  const std::string db = tmp / "flyte.db";
  auto store = OpenStore(db);
  Rows program = Query(db,
                       "EXPLAIN UPDATE executions SET phase = 'RUNNING' WHERE project = 'p' AND "
                       "domain = 'd' AND name = 'n'");
  REQUIRE(program.size() > 5);
  for (const auto& row : program) CHECK(row[1] != "OpenEphemeral");
}

}  // namespace
}  // namespace flyte
