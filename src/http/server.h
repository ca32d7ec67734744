// `flyte serve`'s HTTP front door (API.md): cpp-httplib's threads accept requests, parse and
// check them, and hand each call to the admin service on the loop thread through a LoopBridge;
// they never touch engine state themselves. Responses are encoded on the HTTP thread.
// Construct, Listen and Stop from the loop thread; handlers run on httplib's pool.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "flyte/admin.h"
#include "http/request_guard.h"
#include "http/stream_limit.h"
#include "runner/log_source.h"
#include "runner/loop_bridge.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace flyte::storage {
class DataStores;
}

namespace flyte::http {

class EventHub;
class ServerMetrics;

class ApiServer {
 public:
  struct Options {
    size_t max_body_bytes = 16 << 20;
    // Connections served at once, a thread each (http/connection_threads.h); more wait.
    size_t max_connections = 2048;
    // Event streams and log follows one client address may hold at once; more get 429.
    size_t max_streams_per_client = 512;
    // When set, every request but /healthcheck and /console needs `Authorization: Bearer TOKEN` for
    // which this returns true (any thread); others get 401 Unauthenticated.
    std::function<bool(const std::string& token)> authorize;
    // Host names and cross-origin pages the server answers (http/request_guard.h).
    GuardPolicy guard{{"localhost", "127.0.0.1", "::1"}, {}};
    // When set, /healthcheck asks it (any thread) why the server cannot do its work; a
    // non-empty reason answers 503 {"status":"degraded","reason":...} instead of 200.
    std::function<std::string()> health;
    // Called once each request is answered (any thread): an access log.
    std::function<void(const std::string& method, const std::string& path, int status,
                       std::chrono::nanoseconds took)>
        on_request;
    // When set, when the active version of a launch plan fires next (ns since the epoch, -1:
    // never), asked on the loop thread; without it, schedules show no next fire.
    std::function<int64_t(const std::string& project, const std::string& domain,
                          const std::string& name)>
        next_fire;
    // Where task logs are read (any thread, off the loop); null: local files.
    LogSource* logs = nullptr;
    // Where file and dir values live, for the data routes (downloads, presigned URLs,
    // uploads; http/data_routes.cc); null: those answer 503. Borrowed; outlives the server.
    storage::DataStores* data = nullptr;
    // The largest upload (POST /api/v1/data/upload) taken; larger ones get 413 before their
    // body is read. JSON bodies keep max_body_bytes.
    uint64_t max_upload_bytes = uint64_t{5} << 30;
  };
  // `admin` is used only through `bridge`, on the loop thread.
  // `events` and `metrics` may be null (no event stream, no /metrics).
  ApiServer(LoopBridge& bridge, AdminService& admin, EventHub* events, ServerMetrics* metrics,
            Options options);
  ~ApiServer();

  // Binds `host:port` (port 0: any free port) and starts serving on a thread of its own.
  Status Listen(const std::string& host, int port);
  int port() const { return port_; }
  // Stops accepting, lets requests in flight finish, joins the threads. Idempotent.
  void Stop();

  // Every route: method and path pattern (a regular expression; ([^/]+) is one segment), in
  // registration order. The OpenAPI document must list each one.
  struct Route {
    std::string method, pattern;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // The server's own routes (health, metrics, OpenAPI, console, version), then each resource's.
  void Routes();
  // Projects, domains, registration, tasks, workflows, launch plans (http/entity_routes.cc).
  void EntityRoutes();
  // Executions, node executions, task attempts, gates (http/execution_routes.cc).
  void ExecutionRoutes();
  // Logs and the event stream, sent from the connection's thread (http/stream_routes.cc).
  void StreamRoutes();
  // The read-only views of compiled sources the console draws (http/describe_routes.cc).
  void DescribeRoutes();
  // Typed inputs and outputs, value downloads, presigned URLs and uploads
  // (http/data_routes.cc).
  void DataRoutes();
  // 413 for a body over its route's limit, decided from Content-Length before it is read;
  // true when answered.
  bool BodyTooLarge(const httplib::Request& req, httplib::Response& res) const;
  // The 413 answer itself (the connection closes after it).
  void RejectTooLarge(const httplib::Request& req, httplib::Response& res, uint64_t limit) const;
  void Add(const char* method, const std::string& pattern, Handler handler);
  void FollowLogs(const ExecutionKey& key, const std::string& node, std::optional<uint32_t> attempt,
                  std::shared_ptr<StreamSlot> slot, httplib::Response& res);
  // From the event after `after` (a Last-Event-ID), or from now when none was given.
  void StreamEvents(const std::string& execution, std::optional<uint64_t> after,
                    std::shared_ptr<StreamSlot> slot, httplib::Response& res);
  void TooManyStreams(httplib::Response& res) const;
  // Refuses what the request guard refuses (or answers a preflight); true when answered.
  bool Guard(const httplib::Request& req, httplib::Response& res) const;

  LoopBridge& bridge_;
  AdminService& admin_;
  EventHub* events_;
  ServerMetrics* metrics_;
  Options options_;
  std::unique_ptr<LogSource> own_logs_;  // when Options::logs is null
  LogSource* logs_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<StreamLimit> streams_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::vector<Route> routes_;
};

}  // namespace flyte::http
