// `flyte serve --config FILE` and structured logs: the file's settings apply under the flags,
// and with log.format json every line on stderr is one JSON record.
#include <catch2/catch.hpp>

#include <sstream>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::ServerFixture;
using testing::TempDir;

std::vector<json> Records(const std::string& err) {
  std::vector<json> out;
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    INFO("not a JSON record: " << line);
    CHECK(j.is_object());
    if (j.is_object()) out.push_back(j);
  }
  return out;
}

TEST_CASE("flyte serve --config with json logs writes one JSON record per line, requests included",
          "[server]") {
  TempDir conf;
  std::string path =
      conf.Write("server.yaml", "listen: 127.0.0.1:1\nlog: {format: json, access: true}\n");
  ServerFixture s({"--config", path});  // --listen 127.0.0.1:0 from the fixture wins over the file
  REQUIRE(s.Get("/api/v1/projects").status == 200);
  REQUIRE(s.Get("/api/v1/nope").status == 404);
  testing::ProcessResult r = s.Stop();
  CHECK(r.exit_code == 0);
  std::vector<json> records = Records(r.err);
  bool listening = false, projects = false, missing = false, stopped = false;
  for (const json& j : records) {
    CHECK(j["time"].is_string());
    CHECK(j["level"].is_string());
    if (j["msg"] == "listening") listening = j["url"] == s.url;
    if (j["msg"] == "request" && j["path"] == "/api/v1/projects")
      projects = j["status"] == "200" && j["method"] == "GET";
    if (j["msg"] == "request" && j["path"] == "/api/v1/nope") missing = j["status"] == "404";
    if (j["msg"] == "stopped") stopped = true;
  }
  CHECK(listening);
  CHECK(projects);
  CHECK(missing);
  CHECK(stopped);
}

TEST_CASE("a bad config file stops flyte serve with the file, line and column", "[server]") {
  TempDir conf;
  std::string path = conf.Write("server.yaml", "listen: 127.0.0.1:0\nlog:\n  format: xml\n");
  testing::ProcessResult r = testing::Flyte(conf / "home", {"serve", "--config", path});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "flyte serve: " + path + ":3:11: 'log.format' must be one of text, json, got 'xml'\n");
  testing::ProcessResult gone =
      testing::Flyte(conf / "home", {"serve", "--config", conf / "missing.yaml"});
  CHECK(gone.exit_code == 2);
  CHECK(gone.err.find("cannot read the configuration file") != std::string::npos);
}

}  // namespace
}  // namespace flyte
