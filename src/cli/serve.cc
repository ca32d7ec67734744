// `flyte serve`: the admin API, the executor and the store in one process. The libuv loop owns
// the engine; cpp-httplib's threads reach it only through the loop bridge. SIGINT/SIGTERM stop
// accepting requests, abort what runs, record it, and exit 0.
#include <malloc.h>
#include <sys/resource.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "cli/commands.h"
#include "cli/execution_log.h"
#include "cli/home_lock.h"
#include "cli/idle_trim.h"
#include "cli/serve_config.h"
#include "cli/serve_gc.h"
#include "cli/serve_log.h"
#include "cron/schedule_service.h"
#include "http/events.h"
#include "http/notifications.h"
#include "http/request_guard.h"
#include "http/server.h"
#include "http/server_metrics.h"
#include "http/webhook.h"
#include "runner/loop_bridge.h"
#include "runner/pod_runner.h"
#include "runner/secret_env.h"
#include "runner/uv_clock.h"
#include "storage/data_stores.h"
#include "util/code_pages.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cli {
namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || StartsWith(host, "127.");
}

// Hashes of the API tokens, read from the store at start and again (through the loop, at most
// once a second) when an unknown token arrives, so tokens created while serving work.
class TokenCache {
 public:
  TokenCache(std::vector<std::string> hashes, LoopBridge& bridge, Store& store)
      : hashes_(hashes.begin(), hashes.end()), bridge_(bridge), store_(store) {}
  bool Check(const std::string& token) {
    const std::string hash = Sha256Hex(token);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (hashes_.count(hash) != 0) return true;
      auto now = std::chrono::steady_clock::now();
      if (now - last_reload_ < std::chrono::seconds(1)) return false;
      last_reload_ = now;
    }
    auto fresh =
        bridge_.Call<std::vector<std::string>>([this] { return store_.ListTokenHashes(); });
    std::lock_guard<std::mutex> lock(mu_);
    if (fresh.ok()) hashes_ = std::set<std::string>(fresh->begin(), fresh->end());
    return hashes_.count(hash) != 0;
  }

 private:
  std::mutex mu_;
  std::set<std::string> hashes_;
  std::chrono::steady_clock::time_point last_reload_{};
  LoopBridge& bridge_;
  Store& store_;
};

// Why the store refuses writes, if it does: set on the loop thread, read by /healthcheck on
// the HTTP threads.
class StoreHealth {
 public:
  void Set(const Status& st) {
    std::lock_guard<std::mutex> lock(mu_);
    reason_ = st.ok() ? "" : st.message();
  }
  std::string Reason() {
    std::lock_guard<std::mutex> lock(mu_);
    return reason_;
  }

 private:
  std::mutex mu_;
  std::string reason_;
};

struct Shutdown {
  uv_signal_t sigint, sigterm;
  cron::ScheduleService* schedules = nullptr;
  http::ApiServer* server = nullptr;
  LoopBridge* bridge = nullptr;
  LocalAdmin* admin = nullptr;
  IdleTrim* trim = nullptr;
  ServeLog* log = nullptr;
  int signal = 0;
};

}  // namespace

int RunServe(const ServeOptions& opts) {
  // Before any thread starts: tasks must not find our secrets in /proc/OUR_PID/environ.
  ProtectSecretEnvironment();
  // The configuration: defaults, then the file, then the flags.
  ServeConfig cfg;
  if (!opts.config.empty()) {
    Result<ServeConfig> loaded = LoadServeConfig(opts.config);
    if (!loaded.ok()) {
      std::cerr << "flyte serve: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    cfg = std::move(*loaded);
  }
  if (!opts.listen.empty()) cfg.listen = opts.listen;
  if (!opts.home.empty()) cfg.home = opts.home;
  if (!opts.auth.empty()) cfg.auth = opts.auth;
  if (opts.insecure) cfg.insecure = true;
  if (!opts.log_format.empty()) cfg.log_format = opts.log_format;
  if (opts.access_log) cfg.access_log = true;
  if (opts.kube.any()) cfg.kube.enabled = true;
  if (!opts.kube.kubeconfig.empty()) cfg.kube.kubeconfig = opts.kube.kubeconfig;
  if (!opts.kube.context.empty()) cfg.kube.context = opts.kube.context;
  if (!opts.kube.ns.empty()) cfg.kube.ns = opts.kube.ns;
  if (!opts.kube.image.empty()) cfg.kube.image = opts.kube.image;
  if (!opts.raw_data_prefix.empty()) cfg.raw_data_prefix = opts.raw_data_prefix;
  if (cfg.log_format != "text" && cfg.log_format != "json") {
    std::cerr << "flyte serve: --log-format takes text or json, got " << Quote(cfg.log_format)
              << "\n";
    return kExitUsage;
  }
  ServeLog log(cfg.log_format == "json");
  std::string host;
  int port = 0;
  {
    size_t colon = cfg.listen.rfind(':');
    int64_t p = 0;
    if (colon == std::string::npos || !ParseInt64(cfg.listen.substr(colon + 1), &p) || p < 0 ||
        p > 65535) {
      log.Error("--listen takes HOST:PORT (PORT 0 picks a free one), got " + Quote(cfg.listen));
      return kExitUsage;
    }
    host = cfg.listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    port = static_cast<int>(p);
  }
  const bool auth = cfg.auth == "token";
  if (cfg.auth != "token" && cfg.auth != "none") {
    log.Error("--auth takes token or none, got " + Quote(cfg.auth));
    return kExitUsage;
  }
  if (!IsLoopback(host) && !auth && !cfg.insecure) {
    log.Error("listening on " + host +
              " exposes the API beyond this machine: pass --auth token (tokens from flyte serve "
              "token create)"
              " or, to do it without authentication, --insecure");
    return kExitUsage;
  }

  // glibc gives each of the HTTP threads its own malloc arena (~7 MiB each, measured); two
  // are plenty for threads that mostly wait on the loop.
  mallopt(M_ARENA_MAX, 2);
  // A connection and a task's log files are a descriptor each; the soft limit (often 1,024)
  // would refuse connections long before http.max_connections.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  // A lambda, so that every early return still closes the loop below.
  const int code = [&]() -> int {
    LocalAdmin::Options ao;
    ao.home = cfg.home.empty() ? DefaultHome() : cfg.home;
    ao.abort_grace_nanos = cfg.abort_grace_nanos;
    ao.keep_finished = false;
    ao.supervise = cfg.supervise;  // tasks outlive a crash of ours, and a restart adopts them
    ao.max_log_bytes = cfg.max_log_bytes;
    {
      Result<std::unique_ptr<storage::DataStores>> stores =
          storage::DataStores::Open(LocalAdmin::AbsoluteHome(ao.home) + "/blobs",
                                    cfg.raw_data_prefix, storage::AwsEnvironment());
      if (!stores.ok()) {
        log.Error(stores.status().message());
        return kExitUsage;
      }
      ao.data_stores = std::move(*stores);
    }
    auto lock = HomeLock::Acquire(ao.home);
    if (!lock.ok()) {
      log.Error(lock.status().message());
      return lock.status().code() == StatusCode::kFailedPrecondition ? kExitUsage : kExitInternal;
    }
    if (!(*lock)->warning().empty()) log.Warn((*lock)->warning());
    StoreHealth health;  // before the admin, whose last flush may still report to it
    auto opened = OpenLocalAdmin(&loop, ao);
    if (!opened.ok()) {
      log.Error(opened.status().message());
      return kExitInternal;
    }
    std::unique_ptr<LocalAdmin> admin = std::move(*opened);
    if (!admin->supervisor_warning().empty()) log.Warn(admin->supervisor_warning());
    // Before resuming: adopted Pod attempts need their runner.
    Result<std::unique_ptr<KubeSetup>> kube =
        SetUpKubernetes(&loop, cfg.kube, ao.home, admin->runners(), &admin->data_stores());
    if (!kube.ok()) {
      log.Error("Kubernetes: " + kube.status().message());
      return kExitUsage;
    }
    if (*kube != nullptr) log.Info("tasks with an image run as Pods: " + (*kube)->description());
    // A store that refuses writes (a full disk) is retried until it takes them; meanwhile the
    // server says so on /healthcheck and in its log.
    admin->OnStoreHealth([&health, &log](const Status& st) {
      health.Set(st);
      if (st.ok()) {
        log.Info("the database takes writes again");
      } else {
        log.Error(st.message() +
                  "; retrying, /healthcheck reports the server degraded until it works");
      }
    });
    http::EventHub events;
    admin->Subscribe(&events);
    http::ServerMetrics metrics;
    admin->Subscribe(&metrics);
    ExecutionLog execution_log(log);
    admin->Subscribe(&execution_log);
    // Launch-plan webhooks, delivered off the loop with retries.
    http::WebhookOptions hook_options;
    hook_options.timeout = cfg.webhook_timeout;
    hook_options.max_attempts = cfg.webhook_attempts;
    hook_options.initial_backoff = cfg.webhook_initial_backoff;
    hook_options.max_backoff = cfg.webhook_max_backoff;
    hook_options.on_result = [&log](const http::WebhookResult& r) {
      if (!r.status.ok())
        log.Warn("webhook failed", {{"webhook", r.id}, {"error", r.status.message()}});
    };
    auto notifier = std::make_unique<http::WebhookNotifier>(hook_options);
    http::NotificationObserver notifications(*notifier);
    admin->Subscribe(&notifications);
    // Executions a killed or crashed server left behind continue here, their tasks adopted.
    auto resumed = admin->ResumeOrphans();
    if (!resumed.ok()) {
      log.Error("cannot look for executions to continue: " + resumed.status().message());
    } else {
      if (!resumed->resumed.empty()) {
        log.Info("continuing " + std::to_string(resumed->resumed.size()) +
                 " execution(s) left running by an earlier server");
      }
      for (const std::string& m : resumed->messages) log.Warn("ended " + m);
    }
    // Pods of ours that no resumed attempt claimed belong to executions that ended or are gone.
    if (*kube != nullptr) (*kube)->runner().SweepUnclaimed();
    // Schedules of active launch plans: resumed from the store, kept in step with activation.
    auto clock = std::make_unique<UvClock>(&loop);
    // Memory a burst of executions freed goes back to the system 2 s after the last one ends.
    IdleTrim trim(*clock, 2'000'000'000, [&admin] { return !admin->ActiveKeys().empty(); });
    admin->Subscribe(&trim);
    cron::SchedulerOptions sched_options;
    sched_options.on_error = [&log](const cron::ScheduledPlan& plan, int64_t fire,
                                    const Status& st) {
      log.Error(
          "a scheduled fire failed",
          {{"launch_plan", plan.name}, {"fire", FormatDatetime(fire)}, {"error", st.message()}});
    };
    auto schedules = std::make_unique<cron::ScheduleService>(*admin, *clock, sched_options);
    std::vector<std::string> restore_errors;
    (void)schedules->Restore(&restore_errors);
    for (const std::string& e : restore_errors) log.Error(e);
    admin->OnLaunchPlanState([&schedules](const EntityRecord& plan, bool active) {
      return schedules->Apply(plan, active);
    });
    admin->OnNextFire([&schedules](const std::string& project, const std::string& domain,
                                   const std::string& name) {
      return schedules->scheduler().NextFire(project, domain, name);
    });
    auto bridge = std::make_unique<LoopBridge>(&loop);
    http::ApiServer::Options server_options;
    std::unique_ptr<TokenCache> tokens;
    if (auth) {
      auto hashes = admin->store().ListTokenHashes();
      if (!hashes.ok() || hashes->empty()) {
        log.Error("--auth token needs a token: run flyte serve token create" +
                  (cfg.home.empty() ? std::string() : " --home " + cfg.home) + " first");
        return kExitUsage;
      }
      tokens = std::make_unique<TokenCache>(std::move(*hashes), *bridge, admin->store());
      server_options.authorize = [&tokens](const std::string& t) { return tokens->Check(t); };
    }
    server_options.guard.hosts = http::HostsForListenAddress(host);
    for (const std::string& h : cfg.allowed_hosts)
      server_options.guard.hosts.push_back(h == "*" ? h : http::HostName(h));
    server_options.guard.origins = cfg.allowed_origins;
    server_options.max_connections = cfg.max_connections;
    server_options.max_streams_per_client = cfg.max_streams_per_client;
    server_options.health = [&health] { return health.Reason(); };
    server_options.max_body_bytes = cfg.max_body_bytes;
    server_options.logs = &admin->logs();  // read on the connections' threads, never the loop's
    server_options.max_upload_bytes = cfg.max_upload_bytes;
    // Values live in the home's blob folder (and under raw_data_prefix when one is set).
    server_options.data = &admin->data_stores();
    std::unique_ptr<ServeGc> gc;
    if (cfg.gc_interval_nanos > 0) {
      gc = std::make_unique<ServeGc>(
          admin->home() + "/flyte.db", admin->data_stores(), cfg.gc_interval_nanos,
          cfg.gc_older_than_nanos, [&log](const Result<GcReport>& r) {
            if (!r.ok()) return log.Error("gc failed", {{"error", r.status().message()}});
            log.Info("gc", {{"removed", std::to_string(r->removed.size())},
                            {"bytes", std::to_string(r->bytes)},
                            {"kept", std::to_string(r->kept)}});
            for (const std::string& e : r->errors) log.Error("gc: " + e);
          });
    }
    server_options.next_fire = [&schedules](const std::string& p, const std::string& d,
                                            const std::string& n) {
      return schedules ? schedules->scheduler().NextFire(p, d, n) : -1;
    };
    if (cfg.access_log) {
      server_options.on_request = [&log](const std::string& method, const std::string& path,
                                         int status, std::chrono::nanoseconds took) {
        char ms[32];
        std::snprintf(ms, sizeof ms, "%.3f",
                      std::chrono::duration<double, std::milli>(took).count());
        log.Info(
            "request",
            {{"method", method}, {"path", path}, {"status", std::to_string(status)}, {"ms", ms}});
      };
    }
    auto server =
        std::make_unique<http::ApiServer>(*bridge, *admin, &events, &metrics, server_options);
    Status st = server->Listen(host, port);
    if (!st.ok()) {
      log.Error(st.message());
      return kExitInternal;
    }
    std::string url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                      ":" + std::to_string(server->port());
    // The URL on stdout for scripts (and tests) that start a server; the record on stderr.
    (*lock)->SetHolder(url);
    std::printf("flyte serve: listening on %s (home %s)\n", url.c_str(), ao.home.c_str());
    if (log.json()) log.Info("listening", {{"url", url}, {"home", ao.home}});
    std::fflush(stdout);

    Shutdown sd;
    sd.log = &log;
    sd.server = server.get();
    sd.bridge = bridge.get();
    sd.admin = admin.get();
    sd.schedules = schedules.get();
    sd.trim = &trim;
    for (auto [handle, signum] : {std::pair{&sd.sigint, SIGINT}, std::pair{&sd.sigterm, SIGTERM}}) {
      uv_signal_init(&loop, handle);
      handle->data = &sd;
      uv_signal_start(
          handle,
          [](uv_signal_t* h, int sig) {
            auto* s = static_cast<Shutdown*>(h->data);
            if (s->signal != 0) return;
            s->signal = sig;
            s->log->Info(std::string(sig == SIGINT ? "interrupted" : "SIGTERM") +
                         ", shutting down");
            // Stop taking requests first; requests in flight get Unavailable from the bridge.
            s->bridge->Close();
            s->server->Stop();
            s->schedules->scheduler().Stop();
            s->trim->Close();  // a pending trim would keep the loop 2 s longer
            for (const ExecutionKey& key : s->admin->ActiveKeys()) {
              (void)s->admin->Terminate(key, "the server shut down");
            }
            uv_close(reinterpret_cast<uv_handle_t*>(&s->sigint), nullptr);
            uv_close(reinterpret_cast<uv_handle_t*>(&s->sigterm), nullptr);
          },
          signum);
    }
    // Started: the code that only started us leaves the resident set (docs/benchmarks.md,
    // run 13: idle RSS 14.5 -> 12.4 MiB).
    DropExecutablePages();
    // Runs until the signal handlers close their handles and the aborted tasks have exited.
    uv_run(&loop, UV_RUN_DEFAULT);
    server.reset();
    bridge.reset();
    admin->OnLaunchPlanState(nullptr);
    admin->OnNextFire(nullptr);
    schedules.reset();
    trim.Close();
    clock.reset();
    admin.reset();     // its last flush, one more try
    notifier->Stop();  // lets a delivery in flight finish
    if (const std::string lost = health.Reason(); !lost.empty()) {
      log.Error("stopped without recording every state: " + lost);
      return kExitInternal;
    }
    return kExitOk;
  }();
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  if (code == kExitOk) log.Info("stopped");
  return code;
}

int RunTokenCreate(const ServeOptions& opts) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int code = [&] {
    LocalAdmin::Options ao;
    ao.home = opts.home.empty() ? DefaultHome() : opts.home;
    auto admin = OpenLocalAdmin(&loop, ao);
    if (!admin.ok()) {
      std::cerr << "flyte serve token create: " << admin.status().message() << "\n";
      return kExitInternal;
    }
    unsigned char raw[24];
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    if (!urandom.read(reinterpret_cast<char*>(raw), sizeof raw)) {
      std::cerr << "flyte serve token create: cannot read /dev/urandom\n";
      return kExitInternal;
    }
    static const char kHex[] = "0123456789abcdef";
    std::string token = "flyte_";
    for (unsigned char c : raw) {
      token += kHex[c >> 4];
      token += kHex[c & 15];
    }
    Status st = (*admin)->store().PutToken(Sha256Hex(token), opts.description,
                                           std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    if (!st.ok()) {
      std::cerr << "flyte serve token create: " << st.message() << "\n";
      return kExitInternal;
    }
    // Shown once: only its hash is kept.
    std::cout << token << "\n";
    return kExitOk;
  }();
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  return code;
}

}  // namespace flyte::cli
