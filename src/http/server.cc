#include "http/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "http/codec.h"
#include "http/connection_threads.h"
#include "http/console.h"
#include "http/events.h"
#include "http/openapi.h"
#include "http/request_guard.h"
#include "http/route_helpers.h"
#include "http/server_metrics.h"
#include "http/static_asset.h"
#include "runner/file_logs.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

// cpp-httplib 0.11 answers a client that accepts br (every browser, and httplib's own client)
// with brotli at its slowest quality: 2.5 s for a node list of 466 kB that gzip compresses in
// a few milliseconds. So br is struck from what the client accepts, and gzip is chosen. The
// request is the server's own object (httplib hands handlers a const view of it).
void AvoidBrotli(const httplib::Request& req) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  for (auto [it, end] = headers.equal_range("Accept-Encoding"); it != end; ++it) {
    std::string kept;
    for (std::string_view coding : Split(it->second, ',')) {
      std::string_view name = Trim(coding.substr(0, coding.find(';')));
      if (name == "br") continue;
      if (!kept.empty()) kept += ", ";
      kept += Trim(coding);
    }
    it->second = kept;
  }
}

}  // namespace

ApiServer::ApiServer(LoopBridge& bridge, AdminService& admin, EventHub* events,
                     ServerMetrics* metrics, Options options)
    : bridge_(bridge),
      admin_(admin),
      events_(events),
      metrics_(metrics),
      options_(options),
      own_logs_(options.logs == nullptr ? std::make_unique<FileLogs>() : nullptr),
      logs_(options.logs != nullptr ? options.logs : own_logs_.get()),
      server_(std::make_unique<httplib::Server>()),
      streams_(std::make_unique<StreamLimit>(options.max_streams_per_client)) {
  // Uploads stream to disk under their own limit; BodyTooLarge holds JSON bodies to theirs.
  server_->set_payload_max_length(
      std::max<uint64_t>(options_.max_body_bytes, options_.max_upload_bytes));
  // Without TCP_NODELAY a response's body waits for the client's delayed ACK of its headers
  // (~40 ms); clients keep their connection for many requests.
  server_->set_tcp_nodelay(true);
  // cpp-httplib's default turns on SO_REUSEPORT, which lets a second server bind the same port
  // and silently take half its connections; SO_REUSEADDR is what a restart needs. The socket
  // is kept to deepen its listen queue after binding (below).
  server_->set_socket_options([this](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
  server_->set_keep_alive_max_count(10000);
  const size_t connections = options_.max_connections;
  server_->new_task_queue = [connections] { return new ConnectionThreads(connections); };
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Fail(res, Internal(what));
      });
  // httplib's own refusals (unknown route, oversize body) get the API's error body too.
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      Fail(res, NotFound("no route " + req.method + " " + req.path + "; see GET /api/v1/openapi"));
    } else if (res.status == 413) {
      res.set_content(ErrorJson(InvalidArgument("the request body is too large")), kJson);
    } else if (res.status == 405) {
      res.set_content(
          ErrorJson(InvalidArgument("method " + req.method + " is not allowed on " + req.path)),
          kJson);
    } else {
      res.set_content(
          ErrorJson(InvalidArgument("bad request (HTTP " + std::to_string(res.status) + ")")),
          kJson);
    }
  });
  // Before routing: stamp the time for the latency histogram, then check the bearer token.
  static thread_local std::chrono::steady_clock::time_point started;
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    started = std::chrono::steady_clock::now();
    AvoidBrotli(req);
    if (Guard(req, res) || BodyTooLarge(req, res)) return httplib::Server::HandlerResponse::Handled;
    // The console page holds no data (its script asks for the token), so it is open too.
    const bool open =
        req.path == "/healthcheck" || req.path == "/console" || req.path == "/console/";
    if (!options_.authorize || open) return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) == 0 && options_.authorize(header.substr(prefix.size()))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(ErrorJson("Unauthenticated",
                              header.empty() ? "this server needs a token: send Authorization: "
                                               "Bearer TOKEN (flyte serve token create)"
                                             : "the token is not valid"),
                    kJson);
    return httplib::Server::HandlerResponse::Handled;
  });
  if (metrics_ != nullptr || options_.on_request) {
    server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      const auto took = std::chrono::steady_clock::now() - started;
      if (metrics_ != nullptr) metrics_->ObserveRequest(req.method, res.status, took);
      if (options_.on_request) options_.on_request(req.method, req.path, res.status, took);
    });
  }
  Routes();
}

ApiServer::~ApiServer() { Stop(); }

bool ApiServer::Guard(const httplib::Request& req, httplib::Response& res) const {
  RequestFacts facts;
  facts.method = req.method;
  facts.host = req.get_header_value("Host");
  facts.origin = req.get_header_value("Origin");
  facts.sec_fetch_site = req.get_header_value("Sec-Fetch-Site");
  facts.content_type = req.get_header_value("Content-Type");
  facts.content_encoding = req.get_header_value("Content-Encoding");
  facts.transfer_encoding = req.get_header_value("Transfer-Encoding");
  facts.has_body =
      req.get_header_value("Content-Length") != "" && req.get_header_value("Content-Length") != "0";
  Verdict v = CheckRequest(options_.guard, facts);
  for (const auto& [name, value] : v.headers) res.set_header(name, value);
  if (v.preflight) {
    res.status = 204;
    return true;
  }
  if (v.status == 0) return false;
  res.status = v.status;
  res.set_header("Connection", "close");
  res.set_content(ErrorJson(v.code, v.message), kJson);
  return true;
}

Status ApiServer::Listen(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(port) +
                       " (address in use, or not an address of this machine)");
  }
  // cpp-httplib listens with a queue of 5: a burst of connections (many clients, or event
  // streams reconnecting after a restart) overflows it, and each dropped SYN costs its client
  // a retransmission of 1 s, then 3 s... Linux takes a second listen() as a new queue size.
  if (listen_fd_ >= 0) (void)::listen(listen_fd_, SOMAXCONN);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Status::Ok();
}

void ApiServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (events_ != nullptr) events_->Close();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ApiServer::Add(const char* method, const std::string& pattern, Handler inner) {
  routes_.push_back({method, pattern});
  // A body read whole though over the limit (BodyTooLarge lets a slightly larger one through,
  // so its sender hears the answer) is refused here, before any route sees it.
  Handler handler = [this, inner = std::move(inner)](const httplib::Request& req,
                                                     httplib::Response& res) {
    if (req.body.size() > options_.max_body_bytes) {
      return RejectTooLarge(req, res, options_.max_body_bytes);
    }
    inner(req, res);
  };
  const std::string m = method;
  if (m == "GET") {
    server_->Get(pattern, std::move(handler));
  } else if (m == "POST") {
    server_->Post(pattern, std::move(handler));
  } else if (m == "PUT") {
    server_->Put(pattern, std::move(handler));
  } else {
    server_->Delete(pattern, std::move(handler));
  }
}

// The server's own routes; each resource's are in a file of its own.
void ApiServer::Routes() {
  Add("GET", "/healthcheck", [this](const httplib::Request&, httplib::Response& res) {
    const std::string reason = options_.health ? options_.health() : "";
    if (!reason.empty()) res.status = 503;
    res.set_content(HealthJson(reason), kJson);
  });
  Add("GET", "/api/v1/openapi", [](const httplib::Request& req, httplib::Response& res) {
    ServeStatic(req, res, OpenApiDocument(), OpenApiEtag(), kJson);
  });
  Add("GET", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (metrics_ == nullptr) return Fail(res, NotFound("this server keeps no metrics"));
    res.set_content(metrics_->Render(), metrics::kPrometheusContentType);
  });
  // The web console: one self-contained page that uses only the API below.
  auto console = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    ServeStatic(req, res, ConsoleHtml(), ConsoleEtag(), "text/html; charset=utf-8");
  };
  Add("GET", "/console", console);
  Add("GET", "/console/", console);
  Add("GET", "/api/v1/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string("{\"version\":\"") + FLYTE_VERSION + "\",\"name\":\"flyte\"}",
                    kJson);
  });

  EntityRoutes();
  ExecutionRoutes();
  StreamRoutes();
  DescribeRoutes();
  DataRoutes();
}

}  // namespace flyte::http
