// A failure code is text only where it leaves the process: a row written by another flyte
// version, with a code this one does not know, is shown exactly as stored.
#include <catch2/catch.hpp>

#include "cli/cli_fixture.h"
#include "store/sqlite.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;

constexpr const char* kBroken = R"yaml(
tasks:
  boom:
    script: exit 1
workflows:
  broken:
    nodes:
      only: {task: boom}
)yaml";

TEST_CASE("flyte get shows a stored failure code it does not know as stored", "[process]") {
  CliFixture f;
  ProcessResult run = f.Flyte({"run", f.Write("broken.yaml", kBroken), "broken", "--name", "old"});
  REQUIRE(run.exit_code == 1);
  nlohmann::json before = f.Json({"get", "execution", "old", "--details"});
  CHECK(before["error"]["code"] == "NonZeroExit");
  {
    // As a later flyte might have written it.
    Result<std::unique_ptr<sql::Db>> db = sql::Db::Open(f.home() + "/flyte.db");
    REQUIRE(db.ok());
    REQUIRE(
        (*db)->Exec("UPDATE executions SET error_code = 'QuantumFlux' WHERE name = 'old'").ok());
    REQUIRE((*db)
                ->Exec("UPDATE node_executions SET error_code = 'QuantumFlux' WHERE "
                       "error_code = 'NonZeroExit'")
                .ok());
  }
  nlohmann::json j = f.Json({"get", "execution", "old", "--details"});
  CHECK(j["phase"] == "FAILED");
  CHECK(j["error"]["code"] == "QuantumFlux");
  CHECK(j["error"]["message"] == before["error"]["message"]);
  REQUIRE(j["nodes"].size() == 1);
  CHECK(j["nodes"][0]["error"]["code"] == "QuantumFlux");
  ProcessResult text = f.Flyte({"get", "execution", "old"});
  INFO(Describe(text));
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("error      QuantumFlux: exit code 1") != std::string::npos);
}

}  // namespace
}  // namespace flyte
