// The remote CLI the way flytectl users reach for it (issue 15): launching registered launch
// plans and workflows by name, -p/-d and config.yaml defaults, hints that run as printed,
// schedules in `get launchplans`, node changes in the engine's order, and the server's log
// line per execution start and end. A real `flyte serve` and the real binary.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::Describe;
using testing::ProcessResult;
using testing::ServerFixture;

constexpr const char* kFlow = R"yaml(
tasks:
  double:
    inputs: {x: int}
    outputs: {y: int}
    script: echo $(( {{ inputs.x }} * 2 )) > "{{ outputs.y }}"
  boom:
    script: |
      echo "about to fail" >&2
      exit 4
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo $(( {{ inputs.x }} * {{ inputs.x }} )) > "{{ outputs.y }}"
workflows:
  twice:
    inputs: {x: int}
    outputs: {y: "{{ d.y }}"}
    nodes:
      d: {task: double, inputs: {x: "{{ inputs.x }}"}}
  broken:
    nodes:
      a: {task: double, inputs: {x: 1}}
      b: {task: boom, after: [a]}
  squares:
    inputs: {xs: "list[int]"}
    outputs: {ys: "{{ sq.y }}"}
    nodes:
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}}
launch_plans:
  twice_three:
    workflow: twice
    fixed_inputs: {x: 3}
  every_five:
    workflow: twice
    fixed_inputs: {x: 5}
    schedule: {cron: "*/5 * * * *"}
)yaml";

struct Remote {
  explicit Remote(std::vector<std::string> serve_flags = {}) : server(std::move(serve_flags)) {}
  ServerFixture server;
  std::string file = server.tmp.Write("flow.yaml", kFlow);
  std::string home() const { return server.tmp / "client-home"; }
  // The CLI with a home of its own (not the server's), pointed at the server.
  ProcessResult Flyte(std::vector<std::string> args) {
    args.push_back("--endpoint");
    args.push_back(server.url);
    return testing::Flyte(home(), std::move(args));
  }
};

TEST_CASE(
    "run --remote FILE LAUNCH_PLAN runs the file's launch plan (examples/control_flow.yaml "
    "double_it)",
    "[server][remote][flytectl]") {
  Remote r;
  ProcessResult run =
      r.Flyte({"run", "--remote", std::string(FLYTE_SOURCE_DIR) + "/examples/control_flow.yaml",
               "double_it", "-i", "value=4", "-o", "json"});
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  CHECK(json::parse(run.out)["outputs"]["scaled"] == 8);
  // Again, once the file is registered under a version of its own.
  REQUIRE(r.Flyte({"register", std::string(FLYTE_SOURCE_DIR) + "/examples/control_flow.yaml",
                   "--version", "v1"})
              .exit_code == 0);
  ProcessResult again =
      r.Flyte({"run", "--remote", std::string(FLYTE_SOURCE_DIR) + "/examples/control_flow.yaml",
               "double_it", "-i", "value=4"});
  INFO(Describe(again));
  CHECK(again.exit_code == 0);
  CHECK(again.out == "scaled: 8\n");
}

TEST_CASE(
    "run --remote NAME and launch NAME run a registered launch plan, else workflow, without the "
    "file",
    "[server][remote][flytectl]") {
  Remote r;
  REQUIRE(r.Flyte({"register", r.file, "--version", "v1", "-p", "team-a"}).exit_code == 0);

  ProcessResult plan = r.Flyte({"run", "--remote", "twice_three", "-p", "team-a"});
  INFO(Describe(plan));
  CHECK(plan.exit_code == 0);
  CHECK(plan.out == "y: 6\n");
  CHECK(plan.err.find("d SUCCEEDED") != std::string::npos);

  ProcessResult wf = r.Flyte({"launch", "twice", "-i", "x=21", "-p", "team-a", "-o", "json"});
  INFO(Describe(wf));
  CHECK(wf.exit_code == 0);
  json report = json::parse(wf.out);
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(report["workflow"] == "twice");
  CHECK(report["outputs"]["y"] == 42);
  CHECK(report["execution"]["project"] == "team-a");

  ProcessResult nowait = r.Flyte({"launch", "twice", "-i", "x=1", "-p", "team-a", "--version", "v1",
                                  "--no-wait", "--name", "by-name"});
  INFO(Describe(nowait));
  CHECK(nowait.exit_code == 0);
  CHECK(nowait.out == "by-name\n");
  CHECK(r.server.WaitFor("by-name", "", 30000, "team-a")["closure"]["phase"] == "SUCCEEDED");

  ProcessResult typo = r.Flyte({"launch", "twise", "-p", "team-a"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err ==
        "flyte run: no launch plan or workflow named 'twise' is registered in team-a/development "
        "at " +
            r.server.url +
            " (did you mean 'twice'?); registered: broken, every_five, squares, twice, "
            "twice_three\n");
  ProcessResult version = r.Flyte({"launch", "twice", "-p", "team-a", "--version", "v9"});
  CHECK(version.exit_code == 2);
  CHECK(version.err.find("named 'twice' at version v9 is registered in team-a/development") !=
        std::string::npos);
  ProcessResult elsewhere = r.Flyte({"launch", "twice"});  // flytesnacks has nothing
  CHECK(elsewhere.exit_code == 2);
  CHECK(elsewhere.err.find("nothing is registered there (flyte register FILE)") !=
        std::string::npos);
}

TEST_CASE("a failed remote run in another project prints a logs hint that runs as printed",
          "[server][remote][flytectl]") {
  Remote r;
  ProcessResult failed =
      r.Flyte({"run", "--remote", r.file, "broken", "-p", "team-a", "--name", "fails"});
  INFO(Describe(failed));
  REQUIRE(failed.exit_code == 1);
  const std::string hint = "    logs: flyte logs fails b -p team-a -d development --endpoint " +
                           r.server.url + " --home " + r.home() + "\n";
  REQUIRE(failed.err.find(hint) != std::string::npos);
  // The hint's words, run as they are.
  std::vector<std::string> argv = {FLYTE_BINARY};
  std::istringstream words(hint.substr(hint.find("flyte logs") + 6));
  for (std::string w; words >> w;) argv.push_back(w);
  testing::Child c(argv, {"FLYTE_HOME=" + r.home()});
  ProcessResult logs = c.Wait();
  INFO(Describe(logs));
  CHECK(logs.exit_code == 0);
  CHECK(logs.out == "about to fail\n");
}

TEST_CASE("project and domain in config.yaml are the default of -p and -d",
          "[server][remote][flytectl]") {
  Remote r;
  REQUIRE(r.Flyte({"register", r.file, "-p", "team-b", "-d", "staging"}).exit_code == 0);
  REQUIRE(r.Flyte({"launch", "twice_three", "-p", "team-b", "-d", "staging", "--name", "in-b"})
              .exit_code == 0);
  CHECK(r.Flyte({"get", "execution", "in-b"}).exit_code == 2);  // not in flytesnacks/development
  std::filesystem::create_directories(r.home());
  std::ofstream(r.home() + "/config.yaml")
      << "admin: {endpoint: " << r.server.url << "}\nproject: team-b\ndomain: staging\n";
  ProcessResult get = testing::Flyte(r.home(), {"get", "execution", "in-b"});
  INFO(Describe(get));
  CHECK(get.exit_code == 0);
  CHECK(get.out.find("execution  in-b (team-b/staging)") != std::string::npos);
  ProcessResult list = testing::Flyte(r.home(), {"get", "executions", "--phase", "succeeded"});
  CHECK(list.out.find("in-b") != std::string::npos);
  ProcessResult run = testing::Flyte(r.home(), {"launch", "twice", "-i", "x=2"});
  INFO(Describe(run));
  CHECK(run.exit_code == 0);
  CHECK(run.out == "y: 4\n");
  // Flags still win.
  CHECK(testing::Flyte(r.home(), {"get", "execution", "in-b", "-p", "flytesnacks"}).exit_code == 2);
}

TEST_CASE("get launchplans shows each plan's schedule, and the next fire of an active one",
          "[server][remote][flytectl]") {
  Remote r;
  REQUIRE(r.Flyte({"register", r.file, "--version", "v1"}).exit_code == 0);
  REQUIRE(r.Flyte({"launchplan", "activate", "every_five"}).exit_code == 0);
  ProcessResult table = r.Flyte({"get", "launchplans"});
  INFO(Describe(table));
  REQUIRE(table.exit_code == 0);
  std::istringstream lines(table.out);
  std::string header;
  std::getline(lines, header);
  CHECK(header.find("STATE") != std::string::npos);
  CHECK(header.find("SCHEDULE") != std::string::npos);
  CHECK(header.find("NEXT FIRE") != std::string::npos);
  CHECK(table.out.find("ACTIVE    */5 * * * * UTC") != std::string::npos);

  json plans = json::parse(r.Flyte({"get", "launchplans", "-o", "json"}).out);
  bool seen = false;
  for (const json& p : plans) {
    if (p["name"] == "every_five") {
      seen = true;
      CHECK(p["schedule"] == "*/5 * * * * UTC");
      REQUIRE(p["next_fire"].is_string());
      // On a whole multiple of five minutes.
      const std::string at = p["next_fire"];
      INFO(at);
      CHECK(std::stoi(at.substr(14, 2)) % 5 == 0);
    } else if (p["name"] == "twice_three") {
      CHECK(p["schedule"].is_null());
      CHECK(p["next_fire"].is_null());
    }
  }
  CHECK(seen);
  REQUIRE(r.Flyte({"launchplan", "deactivate", "every_five"}).exit_code == 0);
  for (const json& p :
       json::parse(r.Flyte({"get", "launchplans", "every_five", "-o", "json"}).out)) {
    CHECK(p["next_fire"].is_null());
  }
}

TEST_CASE("a remote follow prints a map's items before the map itself, in the engine's order",
          "[server][remote][flytectl]") {
  Remote r;
  for (int round = 0; round < 3; ++round) {
    ProcessResult run = r.Flyte({"run", "--remote", r.file, "squares", "-i", "xs=[1,2,3,4,5,6]",
                                 "--max-parallelism", "10"});
    INFO(Describe(run));
    REQUIRE(run.exit_code == 0);
    const size_t parent = run.err.find(" sq SUCCEEDED");
    REQUIRE(parent != std::string::npos);
    for (int i = 0; i < 6; ++i) {
      const size_t item = run.err.find(" sq[" + std::to_string(i) + "] SUCCEEDED");
      REQUIRE(item != std::string::npos);
      CHECK(item < parent);
    }
  }
}

TEST_CASE("the event stream resumes after a Last-Event-ID, so a late client misses nothing",
          "[server][remote]") {
  Remote r;
  REQUIRE(r.Flyte({"run", "--remote", r.file, "squares", "-i", "xs=[1,2]", "--name", "done-run"})
              .exit_code == 0);
  // The execution has ended: only a replay can show its events.
  std::string text;
  auto res = r.server.client->Get(
      "/api/v1/events?execution=flytesnacks/development/done-run",
      httplib::Headers{{"Last-Event-ID", "0"}}, [&](const char* data, size_t n) {
        text.append(data, n);
        return text.find("\"node_id\":null,\"phase\":\"SUCCEEDED\"") == std::string::npos;
      });
  INFO(text);
  REQUIRE(text.find("\"node_id\":null,\"phase\":\"SUCCEEDED\"") != std::string::npos);
  // Ids rise, and the map ends after its items, the execution after the map.
  uint64_t last = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("id: ", 0) != 0) continue;
    const uint64_t id = std::stoull(line.substr(4));
    CHECK(id > last);
    last = id;
  }
  const size_t map_end = text.find("\"node_id\":\"sq\",\"phase\":\"SUCCEEDED\"");
  REQUIRE(map_end != std::string::npos);
  CHECK(text.find("\"node_id\":\"sq[1]\",\"phase\":\"SUCCEEDED\"") < map_end);
  CHECK(map_end < text.find("\"node_id\":null,\"phase\":\"SUCCEEDED\""));

  auto bad = r.server.client->Get("/api/v1/events", httplib::Headers{{"Last-Event-ID", "later"}});
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("Last-Event-ID must be an event id") != std::string::npos);
}

// The "execution started" and "execution ended" records in the server's stderr.
std::vector<json> ExecutionRecords(const std::string& err) {
  std::vector<json> out;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("msg", "").rfind("execution ", 0) == 0) out.push_back(j);
  }
  return out;
}

TEST_CASE("the server logs one line per execution start and end, in JSON and in text",
          "[server][remote][flytectl]") {
  SECTION("json") {
    Remote r({"--log-format", "json"});
    REQUIRE(
        r.Flyte({"run", "--remote", r.file, "twice", "-i", "x=1", "--name", "ok-run"}).exit_code ==
        0);
    REQUIRE(r.Flyte({"run", "--remote", r.file, "broken", "--name", "bad-run"}).exit_code == 1);
    REQUIRE(r.server.process().WaitForStderr(
        "\"execution\":\"bad-run\",\"project\":\"flytesnacks\","
        "\"domain\":\"development\",\"workflow\":\"broken\",\"phase\""));
    std::vector<json> records = ExecutionRecords(r.server.process().err());
    REQUIRE(records.size() == 4);
    CHECK(records[0]["msg"] == "execution started");
    CHECK(records[0]["execution"] == "ok-run");
    CHECK(records[0]["workflow"] == "twice");
    CHECK(records[1]["msg"] == "execution ended");
    CHECK(records[1]["phase"] == "SUCCEEDED");
    CHECK(records[1]["duration_ms"].is_string());
    CHECK(records[3]["execution"] == "bad-run");
    CHECK(records[3]["phase"] == "FAILED");
    CHECK(records[3]["error"] == "NonZeroExit in b");
  }
  SECTION("text, with the launch plan") {
    Remote r;
    REQUIRE(r.Flyte({"register", r.file}).exit_code == 0);
    REQUIRE(r.Flyte({"launch", "twice_three", "--name", "lp-run"}).exit_code == 0);
    REQUIRE(r.server.process().WaitForStderr(
        "flyte serve: execution ended execution=lp-run project=flytesnacks "
        "domain=development launch_plan=twice_three phase=SUCCEEDED "
        "duration_ms="));
    CHECK(r.server.process().err().find(
              "flyte serve: execution started execution=lp-run project=flytesnacks "
              "domain=development launch_plan=twice_three\n") != std::string::npos);
  }
}

}  // namespace
}  // namespace flyte
