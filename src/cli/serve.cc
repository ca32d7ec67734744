// `flyte serve`: the admin API, the executor and the store in one process. The libuv loop owns
// the engine; cpp-httplib's threads reach it only through the loop bridge. SIGINT/SIGTERM stop
// accepting requests, abort what runs, record it, and exit 0.
#include <uv.h>

#include <cstdio>
#include <iostream>

#include "admin/local_admin.h"
#include "cli/commands.h"
#include "http/events.h"
#include "http/loop_bridge.h"
#include "http/server.h"
#include "http/server_metrics.h"
#include "cron/schedule_service.h"
#include "runner/uv_clock.h"
#include "util/timefmt.h"
#include "util/strings.h"

namespace flyte::cli {
namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || StartsWith(host, "127.");
}

struct Shutdown {
  uv_signal_t sigint, sigterm;
  cron::ScheduleService* schedules = nullptr;
  http::ApiServer* server = nullptr;
  http::LoopBridge* bridge = nullptr;
  LocalAdmin* admin = nullptr;
  int signal = 0;
};

}  // namespace

int RunServe(const ServeOptions& opts) {
  std::string host = "127.0.0.1";
  int port = 8080;
  if (!opts.listen.empty()) {
    size_t colon = opts.listen.rfind(':');
    int64_t p = 0;
    if (colon == std::string::npos || !ParseInt64(opts.listen.substr(colon + 1), &p) || p < 0 || p > 65535) {
      std::cerr << "flyte serve: --listen takes HOST:PORT (PORT 0 picks a free one), got " << Quote(opts.listen) << "\n";
      return kExitUsage;
    }
    host = opts.listen.substr(0, colon);
    port = static_cast<int>(p);
  }
  if (!IsLoopback(host) && !opts.insecure) {
    std::cerr << "flyte serve: listening on " << host
              << " exposes the API beyond this machine; pass --insecure to do it without authentication\n";
    return kExitUsage;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  LocalAdmin::Options ao;
  ao.home = opts.home.empty() ? DefaultHome() : opts.home;
  ao.keep_finished = false;
  auto opened = LocalAdmin::Open(&loop, ao);
  if (!opened.ok()) {
    std::cerr << "flyte serve: " << opened.status().message() << "\n";
    return kExitInternal;
  }
  std::unique_ptr<LocalAdmin> admin = std::move(*opened);
  http::EventHub events;
  admin->Subscribe(&events);
  http::ServerMetrics metrics;
  admin->Subscribe(&metrics);
  // Schedules of active launch plans: resumed from the store, kept in step with activation.
  auto clock = std::make_unique<UvClock>(&loop);
  cron::SchedulerOptions sched_options;
  sched_options.on_error = [](const cron::ScheduledPlan& plan, int64_t fire, const Status& st) {
    std::fprintf(stderr, "flyte serve: the %s fire of launch plan %s failed: %s\n", FormatDatetime(fire).c_str(),
                 plan.name.c_str(), st.message().c_str());
  };
  auto schedules = std::make_unique<cron::ScheduleService>(*admin, *clock, sched_options);
  std::vector<std::string> restore_errors;
  (void)schedules->Restore(&restore_errors);
  for (const std::string& e : restore_errors) std::fprintf(stderr, "flyte serve: %s\n", e.c_str());
  admin->OnLaunchPlanState([&schedules](const EntityRecord& plan, bool active) { return schedules->Apply(plan, active); });
  auto bridge = std::make_unique<http::LoopBridge>(&loop);
  auto server = std::make_unique<http::ApiServer>(*bridge, *admin, &events, &metrics, http::ApiServer::Options{});
  Status st = server->Listen(host, port);
  if (!st.ok()) {
    std::cerr << "flyte serve: " << st.message() << "\n";
    return kExitInternal;
  }
  std::string url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(server->port());
  std::printf("flyte serve: listening on %s (home %s)\n", url.c_str(), ao.home.c_str());
  std::fflush(stdout);

  Shutdown sd;
  sd.server = server.get();
  sd.bridge = bridge.get();
  sd.admin = admin.get();
  sd.schedules = schedules.get();
  for (auto [handle, signum] : {std::pair{&sd.sigint, SIGINT}, std::pair{&sd.sigterm, SIGTERM}}) {
    uv_signal_init(&loop, handle);
    handle->data = &sd;
    uv_signal_start(
        handle,
        [](uv_signal_t* h, int sig) {
          auto* s = static_cast<Shutdown*>(h->data);
          if (s->signal != 0) return;
          s->signal = sig;
          std::fprintf(stderr, "flyte serve: %s, shutting down\n", sig == SIGINT ? "interrupted" : "SIGTERM");
          // Stop taking requests first; requests in flight get Unavailable from the bridge.
          s->bridge->Close();
          s->server->Stop();
          s->schedules->scheduler().Stop();
          for (const ExecutionKey& key : s->admin->ActiveKeys()) {
            (void)s->admin->Terminate(key, "the server shut down");
          }
          uv_close(reinterpret_cast<uv_handle_t*>(&s->sigint), nullptr);
          uv_close(reinterpret_cast<uv_handle_t*>(&s->sigterm), nullptr);
        },
        signum);
  }
  // Runs until the signal handlers close their handles and the aborted tasks have exited.
  uv_run(&loop, UV_RUN_DEFAULT);
  server.reset();
  bridge.reset();
  admin->OnLaunchPlanState(nullptr);
  schedules.reset();
  clock.reset();
  admin.reset();
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  std::fprintf(stderr, "flyte serve: stopped\n");
  return kExitOk;
}

}  // namespace flyte::cli
