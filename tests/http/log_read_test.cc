// The API reads a task's log on the HTTP connection's thread, by ranges, through the server's
// LogSource: a 200 MB log read while a workflow runs does not hold the loop. The read is held
// half-way (a LogSource that forwards to the local files and stops after its first range until
// the test lets it go); meanwhile the running workflow's first task ends and its next one starts
// in the same loop turn. Were the log read on the loop, the loop would stand still while the
// read is held, and the next task would start only after it.
#include <httplib.h>
#include <uv.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "http/server.h"
#include "runner/file_logs.h"
#include "runner/loop_bridge.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

constexpr uint64_t kLogBytes = uint64_t{200} << 20;

// Forwards to the local files; once armed, the first read past the start of a log waits until
// released (a safety bound of two minutes keeps a broken build from hanging the suite).
class HeldLogs : public LogSource {
 public:
  Result<std::string> Read(const std::string& ref, uint64_t offset, size_t max) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (armed_ && offset > 0) {
        armed_ = false;
        held_ = true;
        changed_.notify_all();
        changed_.wait_for(lock, std::chrono::minutes(2), [this] { return released_; });
        held_ = false;
      }
    }
    return files_.Read(ref, offset, max);
  }
  Result<uint64_t> Size(const std::string& ref) override { return files_.Size(ref); }

  void Arm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = true;
  }
  bool held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  FileLogs files_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool armed_ = false, held_ = false, released_ = false;
};

// The loop turn in which the chain's first task ended and its second started, and whether the
// log read was held at that moment.
class TurnWatch : public EngineObserver {
 public:
  TurnWatch(const uint64_t& turn, HeldLogs& logs) : turn_(turn), logs_(logs) {}
  void OnNode(const ExecutionState& e, const NodeState& n) override {
    if (e.key.name == "chain" && n.id == "a" && n.phase == NodePhase::kSucceeded) a_done = turn_;
  }
  void OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState&) override {
    if (e.key.name != "chain" || n.id != "b" || b_started) return;
    b_started = turn_;
    read_held_then = logs_.held();
  }
  std::optional<uint64_t> a_done, b_started;
  bool read_held_then = false;

 private:
  const uint64_t& turn_;
  HeldLogs& logs_;
};

TEST_CASE("an API read of a 200 MB log does not hold a running workflow's next task",
          "[process][server][logs]") {
  testing::TempDir tmp;
  const std::string text = std::string(R"yaml(
tasks:
  big:
    script: yes | head -c )yaml") +
                           std::to_string(kLogBytes) + R"yaml(
  wait_go:
    script: while [ ! -f )yaml" +
                           tmp.path() + R"yaml(/go ]; do sleep 0.02; done
  echo:
    script: echo b
workflows:
  big:
    nodes:
      t: {task: big}
  chain:
    nodes:
      a: {task: wait_go}
      b: {task: echo, after: [a]}
)yaml";
  const std::string file = tmp.Write("wf.yaml", text);
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  // Loop turns, counted after each poll; a timer keeps the loop turning while the test waits.
  uint64_t turn = 0;
  uv_check_t count;
  uv_check_init(&loop, &count);
  count.data = &turn;
  uv_check_start(&count, [](uv_check_t* c) { ++*static_cast<uint64_t*>(c->data); });
  uv_timer_t tick;
  uv_timer_init(&loop, &tick);
  uv_timer_start(
      &tick, [](uv_timer_t*) {}, 5, 5);

  LocalAdmin::Options options;
  options.home = tmp / "home";
  options.max_log_bytes = 0;  // the whole 200 MB stays
  auto opened = cli::OpenLocalAdmin(&loop, options);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  std::unique_ptr<LocalAdmin> admin = std::move(*opened);
  HeldLogs logs;
  TurnWatch watch(turn, logs);
  admin->Subscribe(&watch);
  auto bridge = std::make_unique<LoopBridge>(&loop);
  http::ApiServer::Options server_options;
  server_options.logs = &logs;
  auto server =
      std::make_unique<http::ApiServer>(*bridge, *admin, nullptr, nullptr, server_options);
  REQUIRE(server->Listen("127.0.0.1", 0).ok());

  Result<RegisterResult> reg = admin->Register({file, text, "", "", ""});
  INFO(reg.status().ToString());
  REQUIRE(reg.ok());
  auto launch = [&](const std::string& name) {
    CreateExecutionRequest req;
    req.project = reg->project;
    req.domain = reg->domain;
    req.version = reg->version;
    req.target_kind = TargetKind::kWorkflow;
    req.target = name;
    req.name = name;
    Result<ExecutionKey> key = admin->CreateExecution(req);
    INFO(key.status().ToString());
    REQUIRE(key.ok());
    return *key;
  };
  const ExecutionKey big = launch("big");
  REQUIRE(admin->RunUntilDone(big).ok());
  REQUIRE(admin->Live(big)->phase == ExecutionPhase::kSucceeded);

  // Runs the loop until `done` (or a safety bound of two minutes, which fails the test).
  auto turn_until = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) uv_run(&loop, UV_RUN_ONCE);
    return done();
  };
  const ExecutionKey chain = launch("chain");
  REQUIRE(turn_until([&] {
    const ExecutionState* e = admin->Live(chain);
    return e != nullptr && !e->nodes.empty() && !e->nodes[0].attempts.empty();
  }));

  logs.Arm();
  httplib::Result answer{nullptr, httplib::Error::Unknown};
  std::thread reader([&] {
    httplib::Client client("127.0.0.1", server->port());
    client.set_read_timeout(300, 0);
    answer = client.Get("/api/v1/logs/" + big.project + "/" + big.domain + "/big/t");
  });
  // No REQUIRE until the reader is joined: a thread left running would end the test binary.
  const bool held = turn_until([&] { return logs.held(); });
  tmp.Write("go", "");
  const bool started = turn_until([&] { return watch.b_started.has_value(); });
  logs.Release();
  const bool ended = turn_until([&] {
    const ExecutionState* e = admin->Live(chain);
    return e != nullptr && IsTerminal(e->phase);
  });
  // The reader finishes on its own thread; the loop keeps serving its bridge calls meanwhile.
  std::atomic<bool> read{false};
  std::thread joiner([&] {
    reader.join();
    read = true;
  });
  const bool done_reading = turn_until([&] { return read.load(); });
  joiner.join();

  REQUIRE(held);
  REQUIRE(done_reading);
  REQUIRE(started);
  CHECK(watch.read_held_then);  // the next task started while the read was held
  REQUIRE(watch.a_done.has_value());
  CHECK(*watch.b_started - *watch.a_done <= 1);
  CHECK(ended);
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK(answer->body.size() == kLogBytes);
  CHECK(answer->body.substr(0, 4) == "y\ny\n");

  server->Stop();
  bridge->Close();
  server.reset();
  bridge.reset();
  admin.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&count), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

}  // namespace
}  // namespace flyte
