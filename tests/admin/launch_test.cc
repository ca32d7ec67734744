// PlanLaunch (admin/launch.h): a request and a compiled registration become the engine's
// request and the execution's row, or an error that says what is wrong. Pure: no store, no
// loop, no processes.
#include <catch2/catch.hpp>

#include "admin/launch.h"
#include "support/compile_helpers.h"

namespace flyte::testing {
namespace {

constexpr const char* kFile = R"(
tasks:
  add:
    inputs: {a: int, b: int}
    outputs: {sum: int}
    script: echo $(( {{ inputs.a }} + {{ inputs.b }} )) > "{{ outputs.sum }}"
  take:
    inputs: {files: "list[file]"}
    script: "true"
workflows:
  sum:
    inputs: {a: int, b: {type: int, default: 2}, region: str}
    outputs: {sum: "{{ add.sum }}"}
    max_parallelism: 3
    nodes:
      add: {task: add, inputs: {a: "{{ inputs.a }}", b: "{{ inputs.b }}"}}
      factor: {signal: {name: factor, type: int}, timeout: 1m, after: [add]}
  files:
    inputs: {files: "list[file]"}
    nodes: {take: {task: take, inputs: {files: "{{ inputs.files }}"}}}
launch_plans:
  eu:
    workflow: sum
    fixed_inputs: {region: eu}
    default_inputs: {a: 40}
    max_parallelism: 7
    labels: {team: analytics, region: eu}
)";

struct Fixture {
  std::shared_ptr<const CompiledFile> file = Compiled(kFile);
  LaunchContext ctx;
  CreateExecutionRequest req;
  ExecutionKey key{"flytesnacks", "development", "x1"};

  Fixture() {
    ctx.file = file;
    ctx.source = "digest";
    ctx.version = "v1";
    ctx.runs_root = "/home/u/.flyte/runs";
    ctx.now = 1234;
    ctx.default_parallelism = 5;
    req.project = key.project;
    req.domain = key.domain;
  }
  Result<PlannedLaunch> Plan() { return PlanLaunch(req, key, ctx); }
  std::string Error() {
    Result<PlannedLaunch> r = Plan();
    REQUIRE_FALSE(r.ok());
    return r.status().message();
  }
};

}  // namespace

TEST_CASE("PlanLaunch: defaults, then the inputs document, then --input values over it",
          "[admin]") {
  Fixture f;
  f.req.target = "sum";
  f.req.inputs_document = "a: 1\nb: 5\nregion: us\n";
  f.req.inputs_document_name = "in.yaml";
  f.req.text_inputs = {{"b", "7"}};
  Result<PlannedLaunch> r = f.Plan();
  REQUIRE(r.ok());
  CHECK(r->record.inputs_json == R"({"a":1,"b":7,"region":"us"})");
  CHECK(r->request.inputs.size() == 3);
  CHECK(r->record.workflow == "sum");
  CHECK(r->record.phase == ExecutionPhase::kQueued);
  CHECK(r->record.created_at == 1234);
  CHECK(r->record.source == "digest");
  CHECK(r->record.version == "v1");
  CHECK(r->record.run_dir == "/home/u/.flyte/runs/flytesnacks/development/x1");
  CHECK(r->request.options.max_parallelism == 3);  // the workflow's
  // The default of b applies when nothing sets it.
  f.req.inputs_document.clear();
  f.req.text_inputs = {{"a", "1"}, {"region", "us"}};
  REQUIRE(f.Plan().ok());
  CHECK(f.Plan()->record.inputs_json == R"({"a":1,"b":2,"region":"us"})");
}

TEST_CASE("PlanLaunch: wrong, unknown and missing inputs say what and where", "[admin]") {
  Fixture f;
  f.req.target = "sum";
  f.req.text_inputs = {{"a", "one"}};
  CHECK_THAT(f.Error(), Catch::Contains("--input a=one") && Catch::Contains("input 'a' is int"));
  f.req.text_inputs = {{"regoin", "us"}};
  CHECK_THAT(f.Error(),
             Catch::Contains("unknown input 'regoin'") && Catch::Contains("did you mean 'region'"));
  f.req.text_inputs = {{"a", "1"}};
  CHECK_THAT(f.Error(), Catch::Contains("missing input 'region' (str) of workflow 'sum'"));
  f.req.text_inputs = {};
  f.req.inputs_document = "a: 1\nb: [x]\n";
  f.req.inputs_document_name = "in.yaml";
  CHECK_THAT(f.Error(), Catch::StartsWith("in.yaml:2:4: input 'b'"));
  f.req.inputs_document = "a: [";
  CHECK_THAT(f.Error(), Catch::StartsWith("in.yaml:") && Catch::Contains("invalid YAML"));
}

TEST_CASE("PlanLaunch: a launch plan fixes inputs, sets defaults, parallelism and labels",
          "[admin]") {
  Fixture f;
  f.req.target = "eu";
  f.req.labels = {{"region", "eu-west"}, {"run", "manual"}};
  Result<PlannedLaunch> r = f.Plan();
  REQUIRE(r.ok());
  // Fixed inputs go back in the workflow's order.
  CHECK(r->record.inputs_json == R"({"a":40,"b":2,"region":"eu"})");
  CHECK(r->record.launch_plan == "eu");
  CHECK(r->request.launch_plan == "eu");
  CHECK(r->record.workflow == "sum");
  CHECK(r->request.options.max_parallelism == 7);
  // The request's labels over the plan's.
  CHECK(r->record.labels_json == R"({"region":"eu-west","run":"manual","team":"analytics"})");
  // The plan's parallelism is read again on resume, so it is not stored as asked.
  CHECK(r->record.options_json.find("max_parallelism") == std::string::npos);
  f.req.max_parallelism = 2;
  REQUIRE(f.Plan().ok());
  CHECK(f.Plan()->request.options.max_parallelism == 2);
  CHECK_THAT(f.Plan()->record.options_json, Catch::Contains("\"max_parallelism\":2"));

  f.req.text_inputs = {{"region", "us"}};
  CHECK_THAT(f.Error(), Catch::Contains("input 'region' is fixed by launch plan 'eu'"));
  // A relaunch may carry the fixed input in its document: ignored.
  f.req.text_inputs = {};
  f.req.inputs_document = "region: eu\na: 1\n";
  f.req.ignore_fixed_inputs = true;
  REQUIRE(f.Plan().ok());
  CHECK(f.Plan()->record.inputs_json == R"({"a":1,"b":2,"region":"eu"})");
}

TEST_CASE("PlanLaunch: the target is named or is the only workflow, and a task may run alone",
          "[admin]") {
  Fixture f;
  CHECK_THAT(f.Error(), Catch::Contains("the file defines 2 workflows; name the workflow or task "
                                        "to run: sum, files, add, take"));
  f.req.target = "sums";
  CHECK_THAT(f.Error(), Catch::Contains("no workflow or task named 'sums'") &&
                            Catch::Contains("did you mean 'sum'"));
  f.req.target = "add";
  f.req.text_inputs = {{"a", "1"}, {"b", "2"}};
  Result<PlannedLaunch> r = f.Plan();
  REQUIRE(r.ok());
  REQUIRE(r->request.single_task != nullptr);
  CHECK(r->record.workflow == "add");
  CHECK(r->request.options.max_parallelism == 5);  // the context's default
  // Kinds: asking for a workflow does not find a task of that name.
  f.req.target_kind = TargetKind::kWorkflow;
  CHECK(f.Error() == "no workflow named 'add'; the file has: sum, files");
}

TEST_CASE("PlanLaunch: signals given up front must name a gate and fit its type", "[admin]") {
  Fixture f;
  f.req.target = "sum";
  f.req.text_inputs = {{"a", "1"}, {"region", "us"}};
  f.req.signals = {{"factor", "3"}};
  Result<PlannedLaunch> r = f.Plan();
  REQUIRE(r.ok());
  REQUIRE(r->request.signals.size() == 1);
  CHECK(r->request.signals[0].second == Value::Int(3));
  CHECK(r->record.signals_json == R"({"factor":3})");
  f.req.signals = {{"factr", "3"}};
  CHECK_THAT(f.Error(), Catch::Contains("no gate of workflow 'sum' waits for 'factr'") &&
                            Catch::Contains("its gates are: factor"));
  f.req.signals = {{"factor", "three"}};
  CHECK_THAT(f.Error(), Catch::StartsWith("signal 'factor':"));
}

TEST_CASE("PlanLaunch: names, labels and variables are checked before anything else", "[admin]") {
  Fixture f;
  f.req.target = "sum";
  f.key.name = "Bad_Name";
  CHECK_THAT(f.Error(), Catch::Contains("execution name 'Bad_Name' must match"));
  f.key.name = "ok";
  f.req.labels = {{"-bad", "v"}};
  CHECK_THAT(f.Error(), Catch::Contains("label key '-bad'"));
  f.req.labels = {{"k", std::string(64, 'v')}};
  CHECK_THAT(f.Error(), Catch::Contains("at most 63 characters"));
  f.req.labels = {};
  f.req.env = {{"1X", "v"}};
  CHECK_THAT(f.Error(), Catch::Contains("environment variable name '1X'"));
}

TEST_CASE("PlanLaunch: file inputs are ingested, and a kind without a runner is refused",
          "[admin]") {
  Fixture f;
  f.req.target = "files";
  f.req.text_inputs = {{"files", "[/tmp/a, /tmp/b]"}};
  std::vector<std::string> seen;
  f.ctx.ingest = [&](const Value& v) -> Result<Value> {
    seen.push_back(v.ToCanonicalJson());
    return Value::FromList({Value::File("/blobs/a"), Value::File("/blobs/b")});
  };
  Result<PlannedLaunch> r = f.Plan();
  REQUIRE(r.ok());
  CHECK(seen == std::vector<std::string>{R"(["/tmp/a","/tmp/b"])"});
  CHECK(r->record.inputs_json == R"({"files":["/blobs/a","/blobs/b"]})");
  f.ctx.ingest = [](const Value&) -> Result<Value> { return NotFound("/tmp/a: no such file"); };
  CHECK(f.Error() == "input 'files': /tmp/a: no such file");
  f.ctx.can_run = [](ExecutorKind, const std::string& task) {
    return FailedPrecondition("task " + task + " needs Kubernetes");
  };
  CHECK(f.Error() == "task take needs Kubernetes");
}

}  // namespace flyte::testing
