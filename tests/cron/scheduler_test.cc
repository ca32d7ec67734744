// The launch-plan scheduler against a fake launcher (a store of execution names) and a manual
// clock: fires on time, catch-up after a restart, overlap, version switches, names.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cron/scheduler.h"
#include "spec/cron.h"
#include "support/manual_clock.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cron {
namespace {

using Lines = std::vector<std::string>;
using spec::Catchup;
using spec::Overlap;

constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

int64_t At(const char* text) { return *ParseDatetime(text); }

// Executions as the store keeps them: a name exists once, so launching it again is AlreadyExists.
class FakeLauncher : public Launcher {
 public:
  Status Launch(const ScheduledPlan& plan, int64_t fire, const std::string& name) override {
    attempts.push_back(name);
    if (!failures.empty()) {
      Status failure = failures.front();
      failures.pop_front();
      return failure;
    }
    if (!names.insert(name).second) return AlreadyExists("execution " + Quote(name) + " exists");
    launched.push_back(plan.version + " " + FormatDatetime(fire));
    launched_names.push_back(name);
    if (on_launch) on_launch();
    return Status::Ok();
  }
  bool HasRunning(const ScheduledPlan&) override { return running; }
  Status RecordFire(const ScheduledPlan&, int64_t fire) override {
    if (!record_failures.empty()) {
      Status failure = record_failures.front();
      record_failures.pop_front();
      return failure;
    }
    recorded.push_back(FormatDatetime(fire));
    last_recorded = fire;
    return Status::Ok();
  }

  std::set<std::string> names;
  Lines attempts, launched, launched_names, recorded;
  int64_t last_recorded = 0;
  bool running = false;
  std::deque<Status> failures;         // returned by the next launches
  std::deque<Status> record_failures;  // returned by the next records
  std::function<void()> on_launch;
};

spec::CronSpec Cron(const char* text) {
  spec::CronParse parsed = spec::ParseCron(text);
  REQUIRE(parsed.ok());
  return parsed.spec;
}

ScheduledPlan Plan(const char* cron, Catchup catchup = Catchup::kLatest,
                   Overlap overlap = Overlap::kAllow, const char* zone = "UTC") {
  ScheduledPlan p;
  p.project = "flytesnacks";
  p.domain = "development";
  p.name = "nightly_report";
  p.version = "v1";
  p.schedule.cron = Cron(cron);
  p.schedule.timezone = zone;
  p.catchup = catchup;
  p.overlap = overlap;
  return p;
}

ScheduledPlan RatePlan(int64_t every) {
  ScheduledPlan p = Plan("* * * * *");
  p.schedule.cron.reset();
  p.schedule.every_nanos = every;
  return p;
}

template <typename ClockT>
struct Fixture {
  explicit Fixture(const char* start = "2026-03-01T00:00:00Z") : clock(At(start)) { Start(); }

  void Start() {
    SchedulerOptions options;
    options.on_error = [this](const ScheduledPlan& p, int64_t fire, const Status& s) {
      errors.push_back(p.name + " " + FormatDatetime(fire) + " " + s.ToString());
    };
    scheduler = std::make_unique<Scheduler>(clock, launcher, options);
  }
  // The server stops; `downtime` passes with no scheduler; a new one starts.
  void Restart(int64_t downtime) {
    scheduler.reset();
    REQUIRE(clock.pending() == 0);
    clock.Advance(downtime);
    Start();
  }
  // The plan as the store restores it after a restart.
  ScheduledPlan Restored(ScheduledPlan p, int64_t activated_at) const {
    p.activated_at = activated_at;
    p.last_fire = launcher.last_recorded;
    return p;
  }
  void Activate(const ScheduledPlan& p) { REQUIRE(scheduler->Activate(p).ok()); }
  std::string NextFire() const {
    int64_t next = scheduler->NextFire("flytesnacks", "development", "nightly_report");
    return next < 0 ? "none" : FormatDatetime(next);
  }

  ClockT clock;
  FakeLauncher launcher;
  Lines errors;
  std::unique_ptr<Scheduler> scheduler;
};

using ManualFixture = Fixture<testing::ManualClock>;

TEST_CASE("an active cron plan launches each fire on time, named after the fire", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  CHECK(f.NextFire() == "2026-03-01T02:00:00Z");
  CHECK(f.clock.NextDue() == At("2026-03-01T02:00:00Z"));
  CHECK(f.clock.pending() == 1);
  CHECK(f.launcher.launched.empty());
  f.clock.Advance(3 * kDay);
  CHECK(f.launcher.launched ==
        Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z", "v1 2026-03-03T02:00:00Z"});
  CHECK(f.launcher.launched_names == Lines{"nightly-report-20260301t0200",
                                           "nightly-report-20260302t0200",
                                           "nightly-report-20260303t0200"});
  CHECK(f.launcher.recorded ==
        Lines{"2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z", "2026-03-03T02:00:00Z"});
  std::vector<ScheduledPlan> active = f.scheduler->Active();
  REQUIRE(active.size() == 1);
  CHECK(active[0].last_fire == At("2026-03-03T02:00:00Z"));
  CHECK(active[0].activated_at == At("2026-03-01T00:00:00Z"));
  CHECK(f.NextFire() == "2026-03-04T02:00:00Z");
  CHECK(f.errors.empty());
}

TEST_CASE("a Paris plan fires through the spring gap once, at its end", "[cron]") {
  ManualFixture f("2026-03-28T00:00:00Z");
  f.Activate(Plan("30 2 * * *", Catchup::kLatest, Overlap::kAllow, "Europe/Paris"));
  f.clock.Advance(3 * kDay);
  CHECK(f.launcher.launched ==
        Lines{"v1 2026-03-28T01:30:00Z", "v1 2026-03-29T01:00:00Z", "v1 2026-03-30T00:30:00Z"});
  CHECK(f.launcher.launched_names == Lines{"nightly-report-20260328t0130",
                                           "nightly-report-20260329t0100",
                                           "nightly-report-20260330t0030"});
}

TEST_CASE("a fixed rate fires on whole minutes from the minute of its activation", "[cron]") {
  ManualFixture f("2026-03-01T00:00:30.25Z");
  f.Activate(RatePlan(10 * kMinute));
  f.clock.Advance(35 * kMinute);
  CHECK(f.launcher.launched ==
        Lines{"v1 2026-03-01T00:10:00Z", "v1 2026-03-01T00:20:00Z", "v1 2026-03-01T00:30:00Z"});
  CHECK(f.launcher.launched_names.front() == "nightly-report-20260301t0010");
}

TEST_CASE("a rate below a minute fires on whole seconds and names carry them", "[cron]") {
  ManualFixture f("2026-03-01T00:00:30.25Z");
  f.Activate(RatePlan(45'000'000'000));
  f.clock.Advance(2 * kMinute + 30'000'000'000);
  CHECK(f.launcher.launched ==
        Lines{"v1 2026-03-01T00:01:15Z", "v1 2026-03-01T00:02:00Z", "v1 2026-03-01T00:02:45Z"});
  CHECK(f.launcher.launched_names == Lines{"nightly-report-20260301t000115",
                                           "nightly-report-20260301t0002",
                                           "nightly-report-20260301t000245"});
}

// Runs a daily 02:00 plan for a day, stops the server for three days, then restores it.
void RunAndRestart(ManualFixture& f, Catchup catchup) {
  f.Activate(Plan("0 2 * * *", catchup));
  f.clock.Advance(kDay + kHour);  // 2026-03-02T01:00
  REQUIRE(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z"});
  f.Restart(3 * kDay);  // 2026-03-05T01:00: fires of 03-02, 03-03 and 03-04 were missed
  f.Activate(f.Restored(Plan("0 2 * * *", catchup), At("2026-03-01T00:00:00Z")));
}

TEST_CASE("catch-up none skips the missed fires and resumes with the next one", "[cron]") {
  ManualFixture f;
  RunAndRestart(f, Catchup::kNone);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z"});
  CHECK(f.launcher.recorded == Lines{"2026-03-01T02:00:00Z", "2026-03-04T02:00:00Z"});
  CHECK(f.NextFire() == "2026-03-05T02:00:00Z");
  f.clock.Advance(kDay);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-05T02:00:00Z"});
}

TEST_CASE("catch-up latest launches only the most recent missed fire", "[cron]") {
  ManualFixture f;
  RunAndRestart(f, Catchup::kLatest);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-04T02:00:00Z"});
  CHECK(f.NextFire() == "2026-03-05T02:00:00Z");
  f.clock.Advance(kDay);
  CHECK(f.launcher.launched.back() == "v1 2026-03-05T02:00:00Z");
}

TEST_CASE("catch-up all launches every missed fire in order", "[cron]") {
  ManualFixture f;
  RunAndRestart(f, Catchup::kAll);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z",
                                     "v1 2026-03-03T02:00:00Z", "v1 2026-03-04T02:00:00Z"});
  CHECK(f.launcher.last_recorded == At("2026-03-04T02:00:00Z"));
  CHECK(f.NextFire() == "2026-03-05T02:00:00Z");
}

TEST_CASE("catch-up all keeps the most recent 1000 fires of a long downtime", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("* * * * *", Catchup::kAll));
  f.clock.Advance(kMinute);
  f.Restart(2 * kDay);  // 2880 minutes missed
  f.Activate(f.Restored(Plan("* * * * *", Catchup::kAll), At("2026-03-01T00:00:00Z")));
  REQUIRE(f.launcher.launched.size() == 1 + kMaxCatchupFires);
  CHECK(f.launcher.launched[1] == "v1 2026-03-02T07:22:00Z");
  CHECK(f.launcher.launched.back() == "v1 2026-03-03T00:01:00Z");
  CHECK(f.launcher.last_recorded == At("2026-03-03T00:01:00Z"));
  CHECK(f.NextFire() == "2026-03-03T00:02:00Z");
}

TEST_CASE("a plan that never fired catches up from its activation", "[cron]") {
  ManualFixture f("2026-03-02T03:00:00Z");
  ScheduledPlan p = Plan("0 2 * * *", Catchup::kAll);
  p.activated_at = At("2026-03-01T01:00:00Z");
  f.Activate(p);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z"});
}

TEST_CASE("a fire launched before a restart is not launched twice", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *", Catchup::kAll));
  f.clock.Advance(2 * kDay + kHour);
  REQUIRE(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z"});
  // The server died after launching 03-02 but before recording it.
  f.launcher.last_recorded = At("2026-03-01T02:00:00Z");
  f.Restart(2 * kDay);
  f.Activate(f.Restored(Plan("0 2 * * *", Catchup::kAll), At("2026-03-01T00:00:00Z")));
  CHECK(f.launcher.attempts.size() == 5);
  CHECK(f.launcher.attempts[2] == "nightly-report-20260302t0200");
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z",
                                     "v1 2026-03-03T02:00:00Z", "v1 2026-03-04T02:00:00Z"});
  CHECK(f.errors.empty());
  CHECK(f.launcher.last_recorded == At("2026-03-04T02:00:00Z"));
}

TEST_CASE("overlap skip passes over a fire while an execution still runs", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *", Catchup::kLatest, Overlap::kSkip));
  f.launcher.running = true;
  f.clock.Advance(kDay);
  CHECK(f.launcher.launched.empty());
  CHECK(f.launcher.recorded == Lines{"2026-03-01T02:00:00Z"});
  f.launcher.running = false;
  f.clock.Advance(kDay);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-02T02:00:00Z"});
}

TEST_CASE("overlap allow launches even while an execution still runs", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *", Catchup::kLatest, Overlap::kAllow));
  f.launcher.running = true;
  f.clock.Advance(2 * kDay);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z"});
}

TEST_CASE("activating a new version replaces the old version's schedule", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  ScheduledPlan hourly = Plan("0 * * * *");
  hourly.name = "hourly";
  f.Activate(hourly);
  f.clock.Advance(3 * kHour);  // 03:00
  ScheduledPlan v2 = Plan("0 4 * * *");
  v2.version = "v2";
  f.Activate(v2);
  std::vector<ScheduledPlan> active = f.scheduler->Active();
  REQUIRE(active.size() == 2);
  CHECK(active[0].name == "hourly");
  CHECK(active[1].version == "v2");
  CHECK(active[1].last_fire == At("2026-03-01T02:00:00Z"));
  CHECK(f.clock.pending() == 2);
  f.clock.Advance(kDay + 2 * kHour);
  Lines nightly;
  for (const std::string& l : f.launcher.launched_names) {
    if (StartsWith(l, "nightly")) nightly.push_back(l);
  }
  CHECK(nightly == Lines{"nightly-report-20260301t0200", "nightly-report-20260301t0400",
                         "nightly-report-20260302t0400"});
  CHECK(f.launcher.launched.size() == 3 + 29);
}

TEST_CASE("deactivating a plan stops its fires", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  CHECK(f.scheduler->Deactivate("flytesnacks", "development", "nightly_report"));
  CHECK(f.clock.pending() == 0);
  CHECK(f.scheduler->Active().empty());
  CHECK(f.NextFire() == "none");
  f.clock.Advance(2 * kDay);
  CHECK(f.launcher.launched.empty());
  CHECK_FALSE(f.scheduler->Deactivate("flytesnacks", "development", "nightly_report"));
}

TEST_CASE("stopping the scheduler cancels every timer", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  ScheduledPlan other = Plan("0 3 * * *");
  other.domain = "production";
  f.Activate(other);
  CHECK(f.clock.pending() == 2);
  f.scheduler->Stop();
  CHECK(f.clock.pending() == 0);
  CHECK(f.scheduler->Active().empty());
}

TEST_CASE("a failed launch is reported and later fires carry on", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  f.launcher.failures.push_back(Unavailable("store is busy"));
  f.clock.Advance(2 * kDay);
  CHECK(f.errors == Lines{"nightly_report 2026-03-01T02:00:00Z Unavailable: store is busy"});
  CHECK(f.launcher.launched == Lines{"v1 2026-03-02T02:00:00Z"});
  CHECK(f.launcher.recorded == Lines{"2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z"});
}

TEST_CASE("a fire that cannot be recorded is reported; the next record covers it", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  f.launcher.record_failures.push_back(IOError("database or disk is full"));
  f.clock.Advance(2 * kDay);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z"});
  CHECK(f.errors == Lines{"nightly_report 2026-03-01T02:00:00Z IO: cannot record that this "
                          "fire was handled (the next fire's record covers it): database or "
                          "disk is full"});
  CHECK(f.launcher.recorded == Lines{"2026-03-02T02:00:00Z"});
  // A restart then resumes after the last recorded fire: nothing is launched twice.
  f.Restart(kHour);
  f.Activate(f.Restored(Plan("0 2 * * *"), At("2026-03-01T00:00:00Z")));
  CHECK(f.launcher.attempts.size() == 2);
}

TEST_CASE("a launcher may deactivate the plan while it is being caught up", "[cron]") {
  ManualFixture f("2026-03-05T03:00:00Z");
  ScheduledPlan p = Plan("0 2 * * *", Catchup::kAll);
  p.activated_at = At("2026-03-01T00:00:00Z");
  f.launcher.on_launch = [&] {
    f.scheduler->Deactivate("flytesnacks", "development", "nightly_report");
  };
  f.Activate(p);
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z"});
  CHECK(f.launcher.recorded == Lines{"2026-03-01T02:00:00Z"});
  CHECK(f.scheduler->Active().empty());
  CHECK(f.clock.pending() == 0);
}

TEST_CASE("activation refuses a schedule it cannot run and keeps the active version", "[cron]") {
  ManualFixture f;
  f.Activate(Plan("0 2 * * *"));
  const std::string where = "launch plan 'flytesnacks/development/nightly_report' version 'v2': ";
  auto refused = [&](ScheduledPlan p) {
    p.version = "v2";
    Status status = f.scheduler->Activate(p);
    REQUIRE_FALSE(status.ok());
    return status.ToString();
  };
  CHECK(refused(Plan("0 2 * * *", Catchup::kLatest, Overlap::kAllow, "Mars/Base")) ==
        "NotFound: " + where + "time zone 'Mars/Base': no such zone in /usr/share/zoneinfo");
  CHECK(refused(Plan("0 2 * * *", Catchup::kLatest, Overlap::kAllow, "../etc/passwd")) ==
        "InvalidArgument: " + where +
            "time zone '../etc/passwd': not a zone name (expected an IANA name such as "
            "Europe/Paris)");
  CHECK(refused(Plan("0 0 30 2 *")) ==
        "InvalidArgument: " + where +
            "the schedule '0 0 30 2 *' does not fire in the next 5 years");
  CHECK(refused(RatePlan(0)) == "InvalidArgument: " + where + "the interval 0s is not positive");
  ScheduledPlan neither = Plan("0 2 * * *");
  neither.schedule.cron.reset();
  CHECK(refused(neither) ==
        "InvalidArgument: " + where + "a schedule needs exactly one of cron and every");
  std::vector<ScheduledPlan> active = f.scheduler->Active();
  REQUIRE(active.size() == 1);
  CHECK(active[0].version == "v1");
  CHECK(f.clock.pending() == 1);
}

// A clock whose loop can oversleep (a suspended host) or wake early (the wall clock set back).
class LateClock : public Clock {
 public:
  explicit LateClock(int64_t start) : now_(start) {}
  int64_t Now() const override { return now_; }
  TimerId After(int64_t delay, std::function<void()> fn) override {
    timers_[next_] = {now_ + delay, std::move(fn)};
    return next_++;
  }
  void Cancel(TimerId id) override { timers_.erase(id); }
  // Sets the time to `at`, then runs every timer due by then, or every one when `early`.
  void Wake(int64_t at, bool early = false) {
    now_ = at;
    for (auto it = timers_.begin(); it != timers_.end();) {
      if (!early && it->second.first > now_) {
        ++it;
        continue;
      }
      auto fn = std::move(it->second.second);
      timers_.erase(it);
      fn();
      it = timers_.begin();
      if (early) return;
    }
  }
  void Advance(int64_t delta) { Wake(now_ + delta); }
  size_t pending() const { return timers_.size(); }

 private:
  int64_t now_;
  TimerId next_ = 1;
  std::map<TimerId, std::pair<int64_t, std::function<void()>>> timers_;
};

TEST_CASE("a loop that oversleeps several fires catches them up like a restart", "[cron]") {
  auto run = [](Catchup catchup) {
    Fixture<LateClock> f;
    f.Activate(Plan("0 2 * * *", catchup));
    f.clock.Wake(At("2026-03-04T03:00:00Z"));
    CHECK(f.NextFire() == "2026-03-05T02:00:00Z");
    CHECK(f.launcher.last_recorded == At("2026-03-04T02:00:00Z"));
    return f.launcher.launched;
  };
  CHECK(run(Catchup::kNone).empty());
  CHECK(run(Catchup::kLatest) == Lines{"v1 2026-03-04T02:00:00Z"});
  CHECK(run(Catchup::kAll) == Lines{"v1 2026-03-01T02:00:00Z", "v1 2026-03-02T02:00:00Z",
                                    "v1 2026-03-03T02:00:00Z", "v1 2026-03-04T02:00:00Z"});
}

TEST_CASE("a single late fire is launched however late, even without catch-up", "[cron]") {
  Fixture<LateClock> f;
  f.Activate(Plan("0 2 * * *", Catchup::kNone));
  f.clock.Wake(At("2026-03-01T05:00:00Z"));
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z"});
  CHECK(f.NextFire() == "2026-03-02T02:00:00Z");
}

TEST_CASE("a timer that wakes before its fire waits again instead of firing", "[cron]") {
  Fixture<LateClock> f;
  f.Activate(Plan("0 2 * * *"));
  f.clock.Wake(At("2026-03-01T01:00:00Z"), /*early=*/true);
  CHECK(f.launcher.launched.empty());
  CHECK(f.NextFire() == "2026-03-01T02:00:00Z");
  CHECK(f.clock.pending() == 1);
  f.clock.Wake(At("2026-03-01T02:00:00Z"));
  CHECK(f.launcher.launched == Lines{"v1 2026-03-01T02:00:00Z"});
}

TEST_CASE("execution names of fires are valid, deterministic and distinct", "[cron]") {
  int64_t t = At("2026-03-01T02:00:00Z");
  CHECK(FireExecutionName("nightly_report", t) == "nightly-report-20260301t0200");
  CHECK(FireExecutionName("nightly_report", t) == FireExecutionName("nightly_report", t));
  CHECK(FireExecutionName("nightly_report", t + 5'000'000'000) == "nightly-report-20260301t020005");
  CHECK(FireExecutionName("nightly_report", t + 250'000'000) ==
        "nightly-report-20260301t020000-25");
  CHECK(FireExecutionName("Nightly.Report", t) == "nightly-report-38a25d-20260301t0200");
  CHECK(FireExecutionName("nightly-report", t) == "nightly-report-6743ba-20260301t0200");
  CHECK(FireExecutionName("_x", t) == "f-x-a01e47-20260301t0200");
  std::string a70(70, 'a');
  CHECK(FireExecutionName(a70 + "_one", t) == std::string(42, 'a') + "-243976-20260301t0200");
  CHECK(FireExecutionName(a70 + "_two", t) == std::string(42, 'a') + "-c62922-20260301t0200");
  std::string fits(49, 'b');
  CHECK(FireExecutionName(fits, t) == fits + "-20260301t0200");
  CHECK(FireExecutionName(fits + "b", t).size() == 63);
  std::regex valid("[a-z][a-z0-9-]*");
  for (const std::string& plan :
       {std::string("nightly_report"), std::string("Nightly.Report"), std::string("_x"),
        std::string("9lives"), std::string(""), a70 + "_one", fits + "b"}) {
    for (int64_t fire : {t, t + 1, t + 59'999'999'999, int64_t{-1}}) {
      std::string name = FireExecutionName(plan, fire);
      INFO(name);
      CHECK(std::regex_match(name, valid));
      CHECK(name.size() <= 63);
    }
  }
}

}  // namespace
}  // namespace flyte::cron
