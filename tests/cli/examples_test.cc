// Every example in examples/ runs end to end with the command its header comment gives
// (gates answered up front), and produces the outputs it promises.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;
using testing::ReportNode;

std::string Example(const std::string& name) {
  return std::string(FLYTE_SOURCE_DIR) + "/examples/" + name;
}

TEST_CASE("examples/hello.yaml greets", "[process][examples]") {
  CliFixture f;
  auto report = f.Json({"run", Example("hello.yaml"), "--input", "who=Ada"});
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(report["outputs"]["greeting"] == "Hello, Ada!");
}

TEST_CASE("examples/files.yaml passes a file and a folder between tasks", "[process][examples]") {
  CliFixture f;
  auto report = f.Json({"run", Example("files.yaml"), "--input", "parts=2"});
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(report["outputs"]["summary"] == "3 files, 29 bytes");
  CHECK(report["outputs"]["lines"] == 4);
  std::ifstream everything(report["outputs"]["everything"].get<std::string>());
  std::stringstream text;
  text << everything.rdbuf();
  CHECK(text.str() == "2 parts\nnested\npart 1\npart 2\n");
}

TEST_CASE("examples/ml_pipeline.yaml trains, selects, packages and publishes a model",
          "[process][examples]") {
  CliFixture f;
  const std::string registry = f.tmp / "registry";
  auto report = f.Json({"run", Example("ml_pipeline.yaml"), "ml_pipeline", "--approve", "review",
                        "--input", "registry=" + registry});
  CHECK(report["phase"] == "SUCCEEDED");
  // The diverging learning rate fails its item, and min_success_ratio lets the map succeed.
  CHECK(ReportNode(report, "train")["phase"] == "SUCCEEDED");
  CHECK(report["outputs"]["accuracy"].get<double>() > 0.5);
  const std::string uri = report["outputs"]["model_uri"];
  CHECK(uri.rfind("file://" + registry + "/ml_pipeline/", 0) == 0);
  CHECK(std::filesystem::exists(uri.substr(7)));
}

TEST_CASE("examples/etl.yaml extracts, transforms dynamically and loads", "[process][examples]") {
  CliFixture f;
  Child c(testing::FlyteArgv(
              f.home(), {"run", Example("etl.yaml"), "etl", "--input", "day=2026-11-22", "--input",
                         "settle_time=0s", "--signal", "warehouse_ready=true", "-o", "json"}),
          {"FLYTE_HOME=" + f.home(), "TERM=dumb", "FLYTE_SECRET_SALES_API_TOKEN=dev",
           "FLYTE_SECRET_WAREHOUSE_PASSWORD=dev"});
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(ReportNode(report, "transform")["phase"] == "SUCCEEDED");
  CHECK(ReportNode(report, "load")["phase"] == "SUCCEEDED");
  // The secrets' values never reach the output.
  CHECK(r.out.find("WAREHOUSE_PASSWORD=dev") == std::string::npos);
}

TEST_CASE("examples/scheduled.yaml renders and files a daily report", "[process][examples]") {
  CliFixture f;
  auto report = f.Json({"run", Example("scheduled.yaml"), "daily_report", "--input",
                        "run_date=2026-11-22T06:00:00Z", "--input", "region=eu"});
  CHECK(report["phase"] == "SUCCEEDED");
  const std::string location = report["outputs"]["location"];
  CHECK(location.find("/eu/") != std::string::npos);
  CHECK(std::filesystem::exists(location));
}

TEST_CASE("examples/plugins.yaml runs its plugin tasks as local processes", "[process][examples]") {
  CliFixture f;
  auto report = f.Json({"run", Example("plugins.yaml"), "plugins_demo", "--input", "documents=12"});
  CHECK(report["phase"] == "SUCCEEDED");
}

}  // namespace
}  // namespace flyte
