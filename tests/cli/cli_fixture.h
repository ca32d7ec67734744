// End-to-end tests of the `flyte` binary: a private home folder and workflow files written
// into a temporary folder, and helpers to run the binary and read its JSON.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/process_helpers.h"

namespace flyte::testing {

class CliFixture {
 public:
  // `flyte ARGS --home HOME`.
  ProcessResult Flyte(std::vector<std::string> args) {
    return testing::Flyte(home(), std::move(args));
  }

  // Runs and parses stdout as JSON, requiring exit code `expect_exit`.
  nlohmann::json Json(std::vector<std::string> args, int expect_exit = 0) {
    args.push_back("-o");
    args.push_back("json");
    ProcessResult r = Flyte(std::move(args));
    INFO(Describe(r));
    REQUIRE(r.exit_code == expect_exit);
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }

  std::string home() const { return tmp / "home"; }
  // Workflow files go next to (not inside) the home.
  std::string Write(const std::string& name, const std::string& text) {
    return tmp.Write(name, text);
  }

  // Executions recorded in the home, by name.
  std::vector<std::string> Executions() {
    std::vector<std::string> names;
    for (const auto& e : Json({"get", "executions"})) names.push_back(e["execution"]["name"]);
    return names;
  }
  // Attempt folders created under runs/ (each attempt of each node of each run).
  size_t AttemptDirs() const {
    size_t n = 0;
    std::error_code ec;
    const std::string runs = home() + "/runs";
    if (!std::filesystem::exists(runs)) return 0;
    for (auto it = std::filesystem::recursive_directory_iterator(runs, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      n += it->is_regular_file() && it->path().filename() == "stderr";
    }
    return n;
  }

  TempDir tmp;
};

// The node of a `flyte run -o json` report.
inline const nlohmann::json& ReportNode(const nlohmann::json& report, const std::string& id) {
  for (const auto& n : report["nodes"]) {
    if (n["id"] == id) return n;
  }
  FAIL("no node " << id << " in " << report.dump());
  return report;
}

}  // namespace flyte::testing
