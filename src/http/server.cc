#include "http/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <fstream>

#include "admin/log_reads.h"
#include "http/codec.h"
#include "http/connection_threads.h"
#include "http/console.h"
#include "http/events.h"
#include "http/filters.h"
#include "http/openapi.h"
#include "http/request_guard.h"
#include "http/server_metrics.h"
#include "http/static_asset.h"
#include "runner/file_logs.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";

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

void Fail(httplib::Response& res, const Status& st) {
  res.status = HttpStatus(st);
  res.set_content(ErrorJson(st), kJson);
}

template <typename T, typename Encode>
void Reply(httplib::Response& res, const Result<T>& r, Encode encode, int status = 200) {
  if (!r.ok()) return Fail(res, r.status());
  res.status = status;
  res.set_content(encode(*r), kJson);
}

Status CheckPath(const std::string& project, const std::string& domain) {
  RETURN_IF_ERROR(CheckIdentifier("project", project));
  return CheckDomain(domain);
}

Result<ExecutionKey> KeyFrom(const httplib::Request& req) {
  ExecutionKey k{req.matches[1], req.matches[2], req.matches[3]};
  RETURN_IF_ERROR(CheckPath(k.project, k.domain));
  RETURN_IF_ERROR(CheckIdentifier("execution name", k.name));
  return k;
}

// Sends an attempt's stdout then stderr as they are now, read by ranges on this (the
// connection's) thread: a large log holds neither the loop nor much memory. Chunked, so a client
// that accepts gzip gets it compressed as before.
void SendLogs(LogSource& logs, const AttemptLogs& attempt, httplib::Response& res) {
  Result<uint64_t> total = LogsSize(logs, attempt);  // unreadable logs are refused up front
  if (!total.ok()) return Fail(res, total.status());
  if (*total == 0) return res.set_content("", kText);
  res.set_chunked_content_provider(kText, [&logs, attempt](size_t, httplib::DataSink& sink) {
    Status st = CopyLogs(logs, attempt, [&sink](std::string_view bytes) {
      return sink.write(bytes.data(), bytes.size());
    });
    if (!st.ok() || !sink.is_writable()) return false;
    sink.done();
    return true;
  });
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// Query parameters this route does not know are mistakes worth reporting.
Status CheckParams(const httplib::Request& req, std::initializer_list<const char*> allowed) {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  for (const auto& [k, v] : req.params) {
    if (std::find(names.begin(), names.end(), k) == names.end()) {
      return InvalidArgument("unknown query parameter " + Quote(k) + DidYouMean(k, names) +
                             (names.empty() ? "" : "; expected: " + Join(names, ", ")));
    }
  }
  return Status::Ok();
}

constexpr const char* kSegment = "([^/]+)";

// A page of a list the store returns whole (entities, projects: short lists): `limit` and
// `token` as for executions, sorted by `sort_by.key` (one of `keys`, the first by default).
struct Page {
  size_t begin = 0, end = 0;
  std::string next;  // the token of the following page, empty on the last
};
template <typename T, typename KeyFn>
Result<Page> Paginate(const httplib::Request& req, std::vector<T>& items,
                      std::initializer_list<const char*> keys, KeyFn key_of) {
  RETURN_IF_ERROR(CheckParams(req, {"limit", "token", "sort_by.key", "sort_by.direction"}));
  ExecutionFilter f;
  f.sort_key = "";
  RETURN_IF_ERROR(ApplyListParams({"", Param(req, "limit"), Param(req, "token"),
                                   Param(req, "sort_by.key"), Param(req, "sort_by.direction")},
                                  f));
  std::vector<std::string> names(keys.begin(), keys.end());
  if (!f.sort_key.empty()) {
    if (std::find(names.begin(), names.end(), f.sort_key) == names.end()) {
      return InvalidArgument("cannot sort by " + Quote(f.sort_key) + DidYouMean(f.sort_key, names) +
                             "; the keys are: " + Join(names, ", "));
    }
    // Stable, so equal keys keep the store's order (newest first).
    std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) {
      return f.ascending ? key_of(a, f.sort_key) < key_of(b, f.sort_key)
                         : key_of(b, f.sort_key) < key_of(a, f.sort_key);
    });
  }
  Page p;
  p.begin = std::min<size_t>(f.offset, items.size());
  p.end = std::min<size_t>(p.begin + f.limit, items.size());
  if (p.end < items.size()) p.next = std::to_string(p.end);
  return p;
}

std::string EntityKey(const EntityRecord& e, const std::string& key) {
  if (key == "created_at") {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(e.created_at));
    return buf;
  }
  return key == "version" ? e.version : e.name;
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

void ApiServer::Routes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  const std::string seg = kSegment;

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

  // Projects and domains.
  Add("GET", "/api/v1/projects",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        auto all = bridge.Call<std::vector<ProjectRecord>>([&] { return admin.ListProjects(); });
        if (!all.ok()) return Fail(res, all.status());
        Result<Page> page = Paginate(req, *all, {"id", "name", "created_at"},
                                     [](const ProjectRecord& p, const std::string& k) {
                                       if (k == "created_at") {
                                         char buf[24];
                                         std::snprintf(buf, sizeof buf, "%020lld",
                                                       static_cast<long long>(p.created_at));
                                         return std::string(buf);
                                       }
                                       return k == "name" ? p.name : p.id;
                                     });
        if (!page.ok()) return Fail(res, page.status());
        std::vector<ProjectRecord> slice(all->begin() + static_cast<std::ptrdiff_t>(page->begin),
                                         all->begin() + static_cast<std::ptrdiff_t>(page->end));
        res.set_content(ProjectListJson(slice, page->next), kJson);
      });
  auto put_project = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    Result<ProjectRecord> p = ParseProject(req.body);
    if (!p.ok()) return Fail(res, p.status());
    if (req.matches.size() > 1 && p->id != req.matches[1]) {
      return Fail(res, InvalidArgument("the body's id " + Quote(p->id) + " is not the path's " +
                                       Quote(std::string(req.matches[1]))));
    }
    // Answer with what is stored (its created_at is the first registration's).
    auto stored =
        bridge.Call<std::vector<ProjectRecord>>([&]() -> Result<std::vector<ProjectRecord>> {
          RETURN_IF_ERROR(admin.PutProject(*p));
          return admin.ListProjects();
        });
    if (!stored.ok()) return Fail(res, stored.status());
    for (const ProjectRecord& q : *stored) {
      if (q.id == p->id) return res.set_content(ProjectJson(q), kJson);
    }
    res.set_content(ProjectJson(*p), kJson);
  };
  Add("POST", "/api/v1/projects", put_project);
  Add("PUT", "/api/v1/projects/" + seg, put_project);
  Add("GET", "/api/v1/projects/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string id = req.matches[1];
        Result<std::vector<ProjectRecord>> all =
            bridge.Call<std::vector<ProjectRecord>>([&] { return admin.ListProjects(); });
        if (!all.ok()) return Fail(res, all.status());
        for (const ProjectRecord& p : *all) {
          if (p.id == id) return res.set_content(ProjectJson(p), kJson);
        }
        Fail(res, NotFound("no project " + Quote(id)));
      });
  Add("GET", "/api/v1/domains", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "{\"domains\":[{\"id\":\"development\",\"name\":\"development\"},{\"id\":\"staging\","
        "\"name\":"
        "\"staging\"},{\"id\":\"production\",\"name\":\"production\"}]}",
        kJson);
  });

  // Registration.
  auto do_register = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    Result<RegisterRequest> r = ParseRegisterRequest(req.body);
    if (!r.ok()) return Fail(res, r.status());
    Reply(res, bridge.Call<RegisterResult>([&] { return admin.Register(*r); }), RegisterResultJson);
  };
  Add("POST", "/api/v1/register", do_register);
  for (const char* kind : {"tasks", "workflows", "launch_plans"}) {
    Add("POST", std::string("/api/v1/") + kind, do_register);
  }

  // Tasks, workflows, launch plans: lists, versions, one version, ids.
  struct EntityRoute {
    const char* path;
    const char* kind;
  };
  for (EntityRoute route : {EntityRoute{"tasks", "task"}, EntityRoute{"workflows", "workflow"},
                            EntityRoute{"launch_plans", "launch_plan"}}) {
    const std::string base = std::string("/api/v1/") + route.path + "/" + seg + "/" + seg;
    const std::string kind = route.kind;
    const std::string field = route.path;
    auto list = [&admin, &bridge, kind, field](const httplib::Request& req,
                                               httplib::Response& res) {
      std::string project = req.matches[1], domain = req.matches[2];
      std::string name = req.matches.size() > 3 ? std::string(req.matches[3]) : "";
      std::string version = req.matches.size() > 4 ? std::string(req.matches[4]) : "";
      Status st = CheckPath(project, domain);
      if (!st.ok()) return Fail(res, st);
      auto found = bridge.Call<std::vector<EntityRecord>>(
          [&] { return admin.ListEntities(kind, project, domain, name, version); });
      if (!found.ok()) return Fail(res, found.status());
      if (!version.empty()) {
        if (found->empty()) {
          return Fail(res, NotFound("no " + kind + " " + Quote(name) + " at version " +
                                    Quote(version) + " in " + project + "/" + domain));
        }
        return res.set_content(EntityJson(found->front()), kJson);
      }
      if (!name.empty() && found->empty()) {
        return Fail(res,
                    NotFound("no " + kind + " " + Quote(name) + " in " + project + "/" + domain));
      }
      Result<Page> page = Paginate(req, *found, {"created_at", "name", "version"}, EntityKey);
      if (!page.ok()) return Fail(res, page.status());
      std::vector<EntityRecord> slice(found->begin() + static_cast<std::ptrdiff_t>(page->begin),
                                      found->begin() + static_cast<std::ptrdiff_t>(page->end));
      res.set_content(EntityListJson(field.c_str(), slice, page->next), kJson);
    };
    Add("GET", base, list);
    Add("GET", base + "/" + seg, list);
    Add("GET", base + "/" + seg + "/" + seg, list);
  }
  for (EntityRoute route :
       {EntityRoute{"task_ids", "task"}, EntityRoute{"workflow_ids", "workflow"},
        EntityRoute{"launch_plan_ids", "launch_plan"}}) {
    const std::string kind = route.kind;
    Add("GET", std::string("/api/v1/") + route.path + "/" + seg + "/" + seg,
        [&admin, &bridge, kind](const httplib::Request& req, httplib::Response& res) {
          std::string project = req.matches[1], domain = req.matches[2];
          Status st = CheckPath(project, domain);
          if (!st.ok()) return Fail(res, st);
          auto found = bridge.Call<std::vector<EntityRecord>>(
              [&] { return admin.ListEntities(kind, project, domain, "", ""); });
          if (!found.ok()) return Fail(res, found.status());
          std::vector<EntityRecord> unique;
          for (const EntityRecord& e : *found) {
            bool seen = false;
            for (const EntityRecord& u : unique) seen = seen || u.name == e.name;
            if (!seen) unique.push_back(e);
          }
          std::sort(unique.begin(), unique.end(),
                    [](const EntityRecord& a, const EntityRecord& b) { return a.name < b.name; });
          Result<Page> page = Paginate(req, unique, {"name", "created_at"}, EntityKey);
          if (!page.ok()) return Fail(res, page.status());
          std::vector<EntityRecord> slice(unique.begin() + static_cast<std::ptrdiff_t>(page->begin),
                                          unique.begin() + static_cast<std::ptrdiff_t>(page->end));
          res.set_content(EntityIdListJson(slice, page->next), kJson);
        });
  }

  // Launch-plan activation: one active version per name; PUT without a version (an extension)
  // means the newest.
  auto set_state = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    std::string project = req.matches[1], domain = req.matches[2], name = req.matches[3];
    std::string version = req.matches.size() > 4 ? std::string(req.matches[4]) : "";
    Status st = CheckPath(project, domain);
    if (!st.ok()) return Fail(res, st);
    Result<bool> active = ParseLaunchPlanState(req.body);
    if (!active.ok()) return Fail(res, active.status());
    auto after = bridge.Call<std::vector<EntityRecord>>([&]() -> Result<std::vector<EntityRecord>> {
      RETURN_IF_ERROR(admin.SetLaunchPlanState(project, domain, name, version, *active));
      return admin.ListEntities("launch_plan", project, domain, name, version);
    });
    if (!after.ok()) return Fail(res, after.status());
    res.set_content(EntityJson(after->front()), kJson);
  };
  Add("PUT", "/api/v1/launch_plans/" + seg + "/" + seg + "/" + seg, set_state);
  Add("PUT", "/api/v1/launch_plans/" + seg + "/" + seg + "/" + seg + "/" + seg, set_state);
  Add("GET", "/api/v1/active_launch_plans/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string project = req.matches[1], domain = req.matches[2];
        Status st = CheckPath(project, domain);
        if (!st.ok()) return Fail(res, st);
        auto all = bridge.Call<std::vector<EntityRecord>>(
            [&] { return admin.ListEntities("launch_plan", project, domain, "", ""); });
        if (!all.ok()) return Fail(res, all.status());
        std::vector<EntityRecord> active;
        for (const EntityRecord& e : *all) {
          if (e.state == "ACTIVE") active.push_back(e);
        }
        res.set_content(EntityListJson("launch_plans", active, ""), kJson);
      });

  // Executions.
  Add("POST", "/api/v1/executions",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<CreateExecutionRequest> r = ParseCreateExecution(req.body);
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.CreateExecution(*r); }),
              ExecutionIdJson);
      });
  Add("POST", "/api/v1/executions/relaunch",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<RelaunchRequest> r = ParseRelaunchRequest(req.body, "relaunch");
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.Relaunch(r->id, r->name); }),
              ExecutionIdJson);
      });
  Add("POST", "/api/v1/executions/recover",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<RelaunchRequest> r = ParseRelaunchRequest(req.body, "recover");
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.Recover(r->id, r->name); }),
              ExecutionIdJson);
      });
  Add("GET", "/api/v1/executions/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        ExecutionFilter f;
        f.project = req.matches[1];
        f.domain = req.matches[2];
        Status st = CheckPath(f.project, f.domain);
        if (st.ok())
          st = CheckParams(req, {"limit", "token", "filters", "sort_by.key", "sort_by.direction"});
        std::string filters = Param(req, "filters"), limit = Param(req, "limit"),
                    token = Param(req, "token"), sort_key = Param(req, "sort_by.key"),
                    sort_dir = Param(req, "sort_by.direction");
        if (st.ok()) st = ApplyListParams({filters, limit, token, sort_key, sort_dir}, f);
        if (!st.ok()) return Fail(res, st);
        // One more than asked tells whether another page follows.
        const uint32_t want = f.limit;
        f.limit = want + 1;
        auto list =
            bridge.Call<std::vector<ExecutionRecord>>([&] { return admin.ListExecutions(f); });
        if (!list.ok()) return Fail(res, list.status());
        std::string next;
        if (list->size() > want) {
          list->resize(want);
          next = std::to_string(f.offset + want);
        }
        res.set_content(ExecutionListJson(*list, next), kJson);
      });
  Add("GET", "/api/v1/executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Reply(res, bridge.Call<ExecutionRecord>([&] { return admin.GetExecution(*key); }),
              ExecutionJson);
      });
  Add("DELETE", "/api/v1/executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Result<std::string> cause = ParseTerminateRequest(req.body);
        if (!cause.ok()) return Fail(res, cause.status());
        Result<ExecutionRecord> after =
            bridge.Call<ExecutionRecord>([&]() -> Result<ExecutionRecord> {
              RETURN_IF_ERROR(admin.Terminate(*key, *cause));
              return admin.GetExecution(*key);
            });
        Reply(res, after, ExecutionJson);
      });

  // Node executions and task attempts.
  Add("GET", "/api/v1/node_executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        Reply(res, nodes, [&](const std::vector<NodeRecord>& n) { return NodeListJson(*key, n); });
      });
  // Node ids may hold '/' (children) and brackets (map items): the rest of the path is the id.
  Add("GET", "/api/v1/node_executions/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        std::string node = req.matches[4];
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        if (!nodes.ok()) return Fail(res, nodes.status());
        for (const NodeRecord& n : *nodes) {
          if (n.node_id == node) return res.set_content(NodeJson(*key, n), kJson);
        }
        Fail(res, NotFound("execution " + key->name + " has no node " + Quote(node)));
      });
  // Every attempt of the execution, in node order (an extension: one request for a whole
  // execution's Pods in `get execution --details`).
  Add("GET", "/api/v1/task_executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto attempts =
            bridge.Call<std::vector<AttemptRecord>>([&]() -> Result<std::vector<AttemptRecord>> {
              RETURN_IF_ERROR(admin.GetExecution(*key).status());
              return admin.ListAttempts(*key, "");
            });
        Reply(res, attempts, AttemptListJson);
      });
  Add("GET", "/api/v1/task_executions/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        std::string node = req.matches[4];
        auto attempts =
            bridge.Call<std::vector<AttemptRecord>>([&]() -> Result<std::vector<AttemptRecord>> {
              ASSIGN_OR_RETURN(ExecutionRecord r, admin.GetExecution(*key));
              (void)r;
              ASSIGN_OR_RETURN(std::vector<AttemptRecord> attempts, admin.ListAttempts(*key, node));
              if (attempts.empty()) {
                ASSIGN_OR_RETURN(std::vector<NodeRecord> nodes, admin.ListNodes(*key));
                bool known = false;
                for (const NodeRecord& n : nodes) known = known || n.node_id == node;
                if (!known)
                  return NotFound("execution " + key->name + " has no node " + Quote(node));
              }
              return attempts;
            });
        Reply(res, attempts, AttemptListJson);
      });

  // Logs, optionally followed until the attempt ends.
  Add("GET", "/api/v1/logs/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [this, &admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Status st = CheckParams(req, {"attempt", "follow"});
        if (!st.ok()) return Fail(res, st);
        std::string node = req.matches[4];
        std::optional<uint32_t> attempt;
        if (std::string a = Param(req, "attempt"); !a.empty()) {
          int64_t n = 0;
          if (!ParseInt64(a, &n) || n < 0 || n > 1'000'000)
            return Fail(res, InvalidArgument("attempt must be a number >= 0"));
          attempt = static_cast<uint32_t>(n);
        }
        const std::string follow = Param(req, "follow");
        if (follow != "true" && follow != "false" && !follow.empty()) {
          return Fail(res, InvalidArgument("follow must be true or false, got " + Quote(follow)));
        }
        if (follow != "true") {
          auto picked = bridge.Call<AttemptRecord>(
              [&] { return PickLogAttempt(admin, *key, node, attempt); });
          if (!picked.ok()) return Fail(res, picked.status());
          return SendLogs(*logs_, LogsOf(*picked), res);
        }
        auto slot = streams_->Take(req.remote_addr);
        if (!slot) return TooManyStreams(res);
        FollowLogs(*key, node, attempt, std::move(slot), res);
      });

  // Gates.
  Add("GET", "/api/v1/signals/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        if (!nodes.ok()) return Fail(res, nodes.status());
        std::vector<NodeRecord> gates;
        for (const NodeRecord& n : *nodes) {
          if (n.kind == spec::NodeKind::kApprove || n.kind == spec::NodeKind::kSignal)
            gates.push_back(n);
        }
        res.set_content(SignalListJson(*key, gates), kJson);
      });
  Add("POST", "/api/v1/signals",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<SignalRequest> r = ParseSignalRequest(req.body);
        if (!r.ok()) return Fail(res, r.status());
        Status st =
            bridge.CallStatus([&] { return admin.Signal(r->execution, r->signal, r->value); });
        if (!st.ok()) return Fail(res, st);
        res.set_content("{}", kJson);
      });

  // Server-sent events: phase changes, optionally of one execution.
  Add("GET", "/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
    Status st = CheckParams(req, {"execution"});
    if (!st.ok()) return Fail(res, st);
    if (events_ == nullptr) return Fail(res, Unavailable("this server has no event stream"));
    std::string execution = Param(req, "execution");
    if (!execution.empty()) {
      std::vector<std::string_view> parts = Split(execution, '/');
      if (parts.size() != 3) {
        return Fail(
            res, InvalidArgument("execution must be PROJECT/DOMAIN/NAME, got " + Quote(execution)));
      }
      st = CheckPath(std::string(parts[0]), std::string(parts[1]));
      if (st.ok()) st = CheckIdentifier("execution name", std::string(parts[2]));
      if (!st.ok()) return Fail(res, st);
    }
    // SSE's resumption: a client that saw event N asks for what followed (0: everything the
    // ring still holds), so a reconnect, or a client that connects just after starting an
    // execution, misses nothing.
    std::optional<uint64_t> after;
    if (req.has_header("Last-Event-ID")) {
      int64_t id = 0;
      if (!ParseInt64(Trim(req.get_header_value("Last-Event-ID")), &id) || id < 0) {
        return Fail(res,
                    InvalidArgument("Last-Event-ID must be an event id (a whole number), got " +
                                    Quote(req.get_header_value("Last-Event-ID"))));
      }
      after = static_cast<uint64_t>(id);
    }
    auto slot = streams_->Take(req.remote_addr);
    if (!slot) return TooManyStreams(res);
    StreamEvents(execution, after, std::move(slot), res);
  });
  DescribeRoutes();
  DataRoutes();
}

void ApiServer::TooManyStreams(httplib::Response& res) const {
  res.status = 429;
  res.set_header("Retry-After", "5");
  res.set_content(
      ErrorJson("TooManyStreams", "this client holds " + std::to_string(streams_->per_client()) +
                                      " event streams and log follows already "
                                      "(http.max_streams_per_client); close one first"),
      kJson);
}

void ApiServer::FollowLogs(const ExecutionKey& key, const std::string& node,
                           std::optional<uint32_t> attempt, std::shared_ptr<StreamSlot> slot,
                           httplib::Response& res) {
  LoopBridge& bridge = bridge_;
  AdminService& admin = admin_;
  auto pick = [&bridge, &admin, key, node, attempt]() -> Result<AttemptRecord> {
    auto attempts =
        bridge.Call<std::vector<AttemptRecord>>([&] { return admin.ListAttempts(key, node); });
    if (!attempts.ok()) return attempts.status();
    for (auto it = attempts->rbegin(); it != attempts->rend(); ++it) {
      if (!attempt || it->attempt == *attempt) return *it;
    }
    return NotFound("node " + Quote(node) + " of execution " + key.name + " has no attempt" +
                    (attempt ? " " + std::to_string(*attempt) : std::string(" yet")));
  };
  Result<AttemptRecord> first = pick();
  if (!first.ok()) return Fail(res, first.status());
  auto current = std::make_shared<AttemptRecord>(*first);
  auto cursor = std::make_shared<LogCursor>(*logs_);
  res.set_chunked_content_provider(
      kText, [this, current, cursor, pick, slot](size_t, httplib::DataSink& sink) {
        const LogSink write = [&sink](std::string_view bytes) {
          return sink.write(bytes.data(), bytes.size());
        };
        while (!stopping_) {
          // Once the attempt has ended, one last read and the stream ends.
          const bool done = IsTerminal(current->phase);
          Result<bool> more = cursor->Drain(LogsOf(*current), write);
          if (!more.ok() || done) break;
          if (!*more || !sink.is_writable()) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          Result<AttemptRecord> now = pick();
          if (now.ok() && now->attempt == current->attempt) *current = *now;
        }
        sink.done();
        return true;
      });
}

void ApiServer::StreamEvents(const std::string& execution, std::optional<uint64_t> after_id,
                             std::shared_ptr<StreamSlot> slot, httplib::Response& res) {
  uint64_t start = after_id ? std::min(*after_id, events_->last()) : events_->last();
  auto after = std::make_shared<uint64_t>(start);
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [this, after, execution, slot](size_t, httplib::DataSink& sink) {
        std::vector<EventHub::Event> batch;
        *after = events_->Wait(*after, execution, std::chrono::milliseconds(15000), batch);
        if (events_->closed() || stopping_) {
          sink.done();
          return true;
        }
        std::string out;
        for (const EventHub::Event& ev : batch) {
          out += "id: " + std::to_string(ev.seq) + "\ndata: " + ev.data + "\n\n";
        }
        if (out.empty()) out = ": keep-alive\n\n";
        return sink.write(out.data(), out.size());
      });
}

}  // namespace flyte::http
