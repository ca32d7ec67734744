// The remote CLI (CLI.md "Server and remote work") against a real `flyte serve`.
#include <catch2/catch.hpp>

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
    script: |
      echo "doubling {{ inputs.x }}"
      echo $(( {{ inputs.x }} * 2 )) > "{{ outputs.y }}"
  boom:
    script: |
      echo "about to fail" >&2
      exit 4
workflows:
  flow:
    inputs: {x: int}
    outputs: {y: "{{ d.y }}", ok: "{{ ok.value }}"}
    nodes:
      factor: {signal: {name: factor, type: int}}
      d: {task: double, inputs: {x: "{{ factor.value }}"}}
      ok: {approve: "{{ d.y }}"}
  broken:
    nodes:
      b: {task: boom}
)yaml";

struct Remote {
  ServerFixture server;
  std::string file = server.tmp.Write("flow.yaml", kFlow);
  // The CLI with a home of its own (not the server's), pointed at the server.
  ProcessResult Flyte(std::vector<std::string> args) {
    args.push_back("--endpoint");
    args.push_back(server.url);
    return testing::Flyte(server.tmp / "client-home", std::move(args));
  }
};

TEST_CASE("flyte register, run --remote --wait, get and logs work against a server",
          "[server][remote]") {
  Remote r;
  ProcessResult reg = r.Flyte({"register", r.file, "--version", "v1"});
  INFO(Describe(reg));
  REQUIRE(reg.exit_code == 0);
  CHECK(reg.out.find("created   workflow flow") != std::string::npos);
  ProcessResult again = r.Flyte({"register", r.file, "--version", "v1"});
  CHECK(again.out.find("unchanged workflow flow") != std::string::npos);

  ProcessResult run = r.Flyte({"run", "--remote", r.file, "flow", "--input", "x=1", "--signal",
                               "factor=21", "--approve", "ok", "--name", "r1", "-o", "json"});
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  json report = json::parse(run.out);
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(report["outputs"]["y"] == 42);
  CHECK(run.err.find("d SUCCEEDED") != std::string::npos);
  // As a local run tells it: the execution starts first (when the client saw it running at
  // all: a fast one may be over by its first look), and node times count from its start.
  const size_t started = run.err.find("execution r1 of flow RUNNING");
  const size_t first_node = run.err.find("\n+");
  REQUIRE(first_node != std::string::npos);
  CHECK((started == std::string::npos || started < first_node));
  std::istringstream lines(run.err);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (line.rfind("+", 0) == 0)
      CHECK(line.substr(0, line.find(' ')).find_first_of("dh") == std::string::npos);
  }

  ProcessResult list = r.Flyte({"get", "executions", "-o", "json"});
  INFO(Describe(list));
  REQUIRE(list.exit_code == 0);
  CHECK(json::parse(list.out)[0]["execution"]["name"] == "r1");
  ProcessResult logs = r.Flyte({"logs", "r1", "d"});
  CHECK(logs.out == "doubling 21\n");
}

TEST_CASE("gates of a remote execution are answered with flyte signal and flyte approve",
          "[server][remote]") {
  Remote r;
  ProcessResult run =
      r.Flyte({"run", "--remote", r.file, "flow", "--input", "x=1", "--no-wait", "--name", "r2"});
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  CHECK(run.out == "r2\n");
  // A value may come before its gate is reached; a wrong type or an unknown gate is refused.
  CHECK(r.Flyte({"signal", "r2", "factor", "lots"}).exit_code == 2);
  ProcessResult unknown = r.Flyte({"signal", "r2", "facter", "3"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("did you mean 'factor'?") != std::string::npos);
  CHECK(r.Flyte({"signal", "r2", "factor", "5"}).exit_code == 0);
  CHECK(r.Flyte({"approve", "r2", "ok"}).exit_code == 0);
  json e = r.server.WaitFor("r2");
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(e["closure"]["outputs"]["y"] == 10);
}

TEST_CASE("a failed remote run exits 1, terminate aborts, and relaunch repeats",
          "[server][remote]") {
  Remote r;
  ProcessResult failed = r.Flyte({"run", "--remote", r.file, "broken"});
  INFO(Describe(failed));
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("b FAILED") != std::string::npos);

  ProcessResult started =
      r.Flyte({"run", "--remote", r.file, "flow", "--input", "x=1", "--no-wait", "--name", "r3"});
  REQUIRE(started.exit_code == 0);
  r.server.WaitFor("r3", "RUNNING");
  ProcessResult term = r.Flyte({"terminate", "r3", "--cause", "not today"});
  INFO(Describe(term));
  CHECK(term.exit_code == 0);
  json e = r.server.WaitFor("r3");
  CHECK(e["closure"]["phase"] == "ABORTED");
  CHECK(e["closure"]["error"]["message"] == "not today");
  ProcessResult twice = r.Flyte({"terminate", "r3"});
  CHECK(twice.exit_code == 1);

  ProcessResult re = r.Flyte({"relaunch", "r3", "--name", "r4"});
  INFO(Describe(re));
  CHECK(re.exit_code == 0);
  CHECK(re.out == "r4\n");
  CHECK(r.server.WaitFor("r4", "RUNNING")["spec"]["inputs"]["x"] == 1);
}

TEST_CASE("run --remote runs a task of the file by name, and names the file's targets on a typo",
          "[server][remote]") {
  Remote r;
  ProcessResult run = r.Flyte({"run", "--remote", r.file, "double", "--input", "x=4"});
  INFO(Describe(run));
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("y: 8") != std::string::npos);
  ProcessResult typo = r.Flyte({"run", "--remote", r.file, "doubel"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find(
            "defines no workflow, task or launch plan named 'doubel' (did you mean 'double'?)") !=
        std::string::npos);
}

TEST_CASE("an unreachable server is exit 3 with the URL tried", "[remote]") {
  testing::TempDir tmp;
  ProcessResult r =
      testing::Flyte(tmp / "home", {"get", "executions", "--endpoint", "http://127.0.0.1:1"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("http://127.0.0.1:1") != std::string::npos);
  ProcessResult run = testing::Flyte(
      tmp / "home", {"run", "--remote", "x.yaml", "--endpoint", "http://127.0.0.1:1"});
  CHECK(run.exit_code == 2);  // the file is checked first: it does not exist
}

TEST_CASE("flyte config init writes the endpoint the remote commands then use",
          "[server][remote]") {
  Remote r;
  const std::string home = r.server.tmp / "client-home";
  ProcessResult init = testing::Flyte(home, {"config", "init", "--endpoint", r.server.url});
  INFO(Describe(init));
  REQUIRE(init.exit_code == 0);
  CHECK(testing::ReadFile(home + "/config.yaml").find("endpoint: " + r.server.url) !=
        std::string::npos);
  CHECK(testing::Flyte(home, {"config", "init"}).exit_code == 2);  // no silent overwrite
  ProcessResult reg = testing::Flyte(home, {"register", r.file});
  INFO(Describe(reg));
  CHECK(reg.exit_code == 0);
}

}  // namespace
}  // namespace flyte
