// `flyte get` and `flyte logs` read back what earlier `flyte run`s recorded in the home.
#include <catch2/catch.hpp>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;

constexpr const char* kTwoNodes = R"yaml(
tasks:
  say:
    inputs: {word: str}
    outputs: {said: str}
    script: |
      echo "saying {{ inputs.word }}"
      echo "note on stderr" >&2
      echo "{{ inputs.word }}" > "{{ outputs.said }}"
  boom:
    inputs: {x: str}
    script: |
      echo "failing on purpose" >&2
      exit 1
workflows:
  talk:
    inputs: {word: {type: str, default: hi}}
    outputs: {said: "{{ first.said }}"}
    nodes:
      first: {task: say, inputs: {word: "{{ inputs.word }}"}}
  broken:
    nodes:
      first: {task: say, inputs: {word: hi}}
      second: {task: boom, inputs: {x: "{{ first.said }}"}}
)yaml";

TEST_CASE("flyte get, flyte logs show earlier runs", "[process]") {
  CliFixture f;
  const std::string file = f.Write("talk.yaml", kTwoNodes);
  ProcessResult ok = f.Flyte({"run", file, "talk", "--name", "went-well", "--input", "word=hello"});
  REQUIRE(ok.exit_code == 0);
  ProcessResult bad = f.Flyte({"run", file, "broken", "--name", "went-badly"});
  REQUIRE(bad.exit_code == 1);

  SECTION("get executions lists both, newest first") {
    ProcessResult r = f.Flyte({"get", "executions"});
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    const size_t badly = r.out.find("went-badly"), well = r.out.find("went-well");
    REQUIRE(badly != std::string::npos);
    REQUIRE(well != std::string::npos);
    CHECK(badly < well);
    CHECK(r.out.rfind("NAME", 0) == 0);

    nlohmann::json j = f.Json({"get", "executions"});
    REQUIRE(j.size() == 2);
    CHECK(j[0]["execution"]["name"] == "went-badly");
    CHECK(j[0]["phase"] == "FAILED");
    CHECK(j[1]["execution"]["name"] == "went-well");
    CHECK(j[1]["phase"] == "SUCCEEDED");
    CHECK(j[1]["workflow"] == "talk");
  }
  SECTION("get executions filters by phase") {
    nlohmann::json j = f.Json({"get", "executions", "--phase", "FAILED"});
    REQUIRE(j.size() == 1);
    CHECK(j[0]["execution"]["name"] == "went-badly");
  }
  SECTION("get execution NAME --details shows the node tree") {
    ProcessResult r = f.Flyte({"get", "execution", "went-badly", "--details"});
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("phase      FAILED") != std::string::npos);
    CHECK(r.out.find("error      NonZeroExit: exit code 1 (node second)") != std::string::npos);
    CHECK(r.out.find("NODE") != std::string::npos);
    CHECK(r.out.find("first ") != std::string::npos);
    CHECK(r.out.find("second") != std::string::npos);

    nlohmann::json j = f.Json({"get", "execution", "went-badly", "--details"});
    CHECK(j["phase"] == "FAILED");
    REQUIRE(j["nodes"].size() == 2);
    CHECK(j["nodes"][0]["id"] == "first");
    CHECK(j["nodes"][0]["phase"] == "SUCCEEDED");
    CHECK(j["nodes"][0]["attempts"] == 1);
    CHECK(j["nodes"][0]["kind"] == "task");
    CHECK(j["nodes"][0]["target"] == "say");
    CHECK(j["nodes"][1]["id"] == "second");
    CHECK(j["nodes"][1]["phase"] == "FAILED");
    CHECK(j["nodes"][1]["error"]["code"] == "NonZeroExit");
  }
  SECTION("logs EXEC NODE prints the task's stdout, then its stderr") {
    ProcessResult r = f.Flyte({"logs", "went-well", "first"});
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "saying hello\nnote on stderr\n");
  }
  SECTION("logs EXEC prints every node that ran") {
    ProcessResult r = f.Flyte({"logs", "went-badly"});
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "==> first <==\nsaying hi\nnote on stderr\n"
          "==> second <==\nfailing on purpose\n");
  }
  SECTION("unknown names exit 2") {
    ProcessResult r = f.Flyte({"get", "execution", "no-such-run"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no execution named 'no-such-run'") != std::string::npos);
    r = f.Flyte({"logs", "went-well", "frist"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind(
              "flyte logs: no node 'frist' in went-well (did you mean 'first'?); nodes are: first",
              0) == 0);
  }
}

TEST_CASE("flyte get executions on a fresh home lists nothing", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"get", "executions"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(f.Executions().empty());
}

}  // namespace
}  // namespace flyte
