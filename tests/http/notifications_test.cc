// Launch-plan webhooks from a real `flyte serve` to a real receiver.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::ServerFixture;

// An HTTP server on an ephemeral port that records the JSON bodies POSTed to /hook.
class Receiver {
 public:
  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(json::parse(req.body, nullptr, false));
      }
      cv_.notify_all();
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  // The first `n` bodies, waiting for them (the failure message shows what came).
  std::vector<json> Wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return bodies_.size() >= n; });
    return bodies_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> bodies_;
};

TEST_CASE("a launch plan's webhooks are POSTed for the phases it lists, and only those",
          "[server]") {
  Receiver receiver;
  ServerFixture s;
  s.Register(std::string(R"yaml(
tasks:
  maybe:
    inputs: {fail: bool}
    script: |
      if [ "{{ inputs.fail }}" = "true" ]; then echo "asked to fail" > "$FLYTE_OUTPUT_DIR/_ERROR"; exit 1; fi
workflows:
  w:
    inputs: {fail: bool}
    nodes:
      m: {task: maybe, inputs: {fail: "{{ inputs.fail }}"}}
launch_plans:
  watched:
    workflow: w
    notifications:
      - {on: [failed], webhook: ")yaml") +
             receiver.url() + R"yaml("}
)yaml");
  auto launch = [&](const std::string& name, bool fail) {
    s.Launch({{"project", "flytesnacks"},
              {"domain", "development"},
              {"launch_plan", {{"name", "watched"}}},
              {"name", name},
              {"inputs", {{"fail", fail}}}});
    return s.WaitFor(name);
  };
  CHECK(launch("ok1", false)["closure"]["phase"] == "SUCCEEDED");
  CHECK(launch("bad1", true)["closure"]["phase"] == "FAILED");
  std::vector<json> got = receiver.Wait(1);
  REQUIRE(got.size() == 1);  // the success was not listed
  const json& body = got[0];
  CHECK(body["execution"]["name"] == "bad1");
  CHECK(body["launch_plan"] == "watched");
  CHECK(body["workflow"] == "w");
  CHECK(body["phase"] == "FAILED");
  CHECK(body["error"]["message"].get<std::string>().find("asked to fail") != std::string::npos);
}

}  // namespace
}  // namespace flyte
