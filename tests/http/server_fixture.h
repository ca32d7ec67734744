// A real `flyte serve` on an ephemeral port with a private home, and a JSON client for it.
// Tests talk HTTP to the built binary exactly as users and the remote CLI do.
#pragma once

#include <httplib.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>

#include "support/process_helpers.h"

namespace flyte::testing {

struct HttpResult {
  int status = 0;
  nlohmann::json body;
  std::string text;
};

class ServerFixture {
 public:
  // `extra` flags go to `flyte serve`; with `start` false, call Start() when ready.
  explicit ServerFixture(std::vector<std::string> extra = {}, bool start = true)
      : extra_(std::move(extra)) {
    if (start) Start();
  }

  void Start() {
    std::vector<std::string> argv = {FLYTE_BINARY,  "serve",  "--listen",
                                     "127.0.0.1:0", "--home", home()};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    server_ = std::make_unique<Child>(argv, FlyteEnv(home()));
    REQUIRE(server_->WaitForStdout("\n"));
    const std::string& out = server_->out();
    size_t at = out.find("http://");
    REQUIRE(at != std::string::npos);
    url = out.substr(at, out.find(' ', at) - at);
    size_t colon = url.rfind(':');
    port = std::stoi(url.substr(colon + 1));
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_read_timeout(30, 0);
  }
  // SIGTERM, and the server's exit.
  ProcessResult Stop() {
    server_->Signal(SIGTERM);
    return server_->Wait();
  }
  // SIGKILL: a crash.
  void Kill() {
    server_->Signal(SIGKILL);
    (void)server_->Wait();
  }
  Child& process() { return *server_; }

  std::string home() const { return tmp / "home"; }

  HttpResult Get(const std::string& path) { return Done(client->Get(path.c_str())); }
  HttpResult Post(const std::string& path, const std::string& body) {
    return Done(client->Post(path.c_str(), body, "application/json"));
  }
  HttpResult Post(const std::string& path, const nlohmann::json& body) {
    return Post(path, body.dump());
  }
  HttpResult Put(const std::string& path, const nlohmann::json& body) {
    return Done(client->Put(path.c_str(), body.dump(), "application/json"));
  }
  HttpResult Delete(const std::string& path, const std::string& body = "") {
    return Done(client->Delete(path.c_str(), body, "application/json"));
  }

  // Registers a workflow file's text (written next to the home, so relative workdirs resolve).
  nlohmann::json Register(const std::string& yaml, const std::string& version = "") {
    std::string path = tmp.Write("wf-" + std::to_string(++files_) + ".yaml", yaml);
    nlohmann::json body = {{"content", yaml}, {"path", path}};
    if (!version.empty()) body["version"] = version;
    HttpResult r = Post("/api/v1/register", body);
    INFO(r.text);
    REQUIRE(r.status == 200);
    return r.body;
  }
  // Starts an execution and returns its name.
  std::string Launch(const nlohmann::json& body) {
    HttpResult r = Post("/api/v1/executions", body);
    INFO(r.text);
    REQUIRE(r.status == 200);
    return r.body["id"]["name"];
  }
  // Polls the execution until its phase is terminal (or `phase` when given).
  nlohmann::json WaitFor(const std::string& name, const std::string& phase = "",
                         int deadline_ms = 30000, const std::string& project = "flytesnacks",
                         const std::string& domain = "development") {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    nlohmann::json last;
    while (SteadyClock::now() < deadline) {
      HttpResult r = Get("/api/v1/executions/" + project + "/" + domain + "/" + name);
      REQUIRE(r.status == 200);
      last = r.body;
      std::string p = last["closure"]["phase"];
      bool terminal = p == "SUCCEEDED" || p == "FAILED" || p == "ABORTED" || p == "TIMED_OUT";
      if (phase.empty() ? terminal : p == phase) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("execution " << name << " did not reach " << (phase.empty() ? "a terminal phase" : phase)
                      << ": " << last.dump());
    return last;
  }

  TempDir tmp;
  std::string url;
  int port = 0;
  std::unique_ptr<httplib::Client> client;

 private:
  HttpResult Done(const httplib::Result& res) {
    HttpResult r;
    REQUIRE(res);  // the server answered
    r.status = res->status;
    r.text = res->body;
    r.body = nlohmann::json::parse(res->body, nullptr, false);
    return r;
  }

  std::vector<std::string> extra_;
  std::unique_ptr<Child> server_;
  int files_ = 0;
};

}  // namespace flyte::testing
