// What a started `flyte serve` keeps resident of its own code: not the pages that only started
// it (util/code_pages.h). Read from /proc/PID/smaps of the real server.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "http/server_fixture.h"

namespace flyte {
namespace {

struct Mapping {
  long size_kb = 0;
  long rss_kb = 0;
};

// The executable's code mapping (r-xp, backed by the binary) in /proc/PID/smaps.
Mapping CodeMapping(pid_t pid) {
  const std::string exe =
      std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe").string();
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  Mapping m;
  bool ours = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first, perms;
    words >> first;
    if (first.find('-') != std::string::npos && first.back() != ':') {
      std::string offset, dev, inode, path;
      words >> perms >> offset >> dev >> inode >> path;
      ours = perms == "r-xp" && path == exe;
    } else if (ours && first == "Size:") {
      words >> m.size_kb;
    } else if (ours && first == "Rss:") {
      words >> m.rss_kb;
    }
  }
  return m;
}

TEST_CASE("a started server keeps little of its start-up code resident and still serves",
          "[server]") {
  testing::ServerFixture s;
  REQUIRE(s.Get("/healthcheck").status == 200);
  // The pages go once the server is started; served requests bring back what they run.
  Mapping code;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    code = CodeMapping(s.process().pid());
    if (code.rss_kb * 2 < code.size_kb) break;
    ::usleep(20'000);
  } while (std::chrono::steady_clock::now() < deadline);
  INFO("code mapping: " << code.rss_kb << " KB resident of " << code.size_kb << " KB");
  REQUIRE(code.size_kb > 0);
  CHECK(code.rss_kb * 2 < code.size_kb);  // without the drop, ~70% stays resident

  // Code dropped is code that runs again: a workflow registers and runs to the end.
  s.Register(R"yaml(
tasks:
  t:
    script: echo ok
workflows:
  w:
    nodes: {a: {task: t}}
)yaml");
  testing::HttpResult created =
      s.Post("/api/v1/executions", nlohmann::json{{"project", "flytesnacks"},
                                                  {"domain", "development"},
                                                  {"name", "resident"},
                                                  {"workflow", {{"name", "w"}}}});
  INFO(created.text);
  REQUIRE(created.status == 200);
  CHECK(s.WaitFor("resident", "SUCCEEDED", 20000)["closure"]["phase"] == "SUCCEEDED");
  CHECK(s.Stop().exit_code == 0);
}

}  // namespace
}  // namespace flyte
