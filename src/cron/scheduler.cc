#include "cron/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>

#include "cron/next_fire.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cron {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr size_t kMaxExecutionName = 63;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "20260329t0130", "20260329t013005", "20260329t013005-25" (0.25 s past).
std::string FireTime(int64_t fire_nanos) {
  int64_t seconds = FloorDiv(fire_nanos, kSecond);
  int64_t nanos = fire_nanos - seconds * kSecond;
  CivilTime t = SecondsToCivil(seconds);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld%02d%02dt%02d%02d", static_cast<long long>(t.year), t.month,
                t.day, t.hour, t.minute);
  std::string out = buf;
  if (t.second != 0 || nanos != 0) {
    std::snprintf(buf, sizeof buf, "%02d", t.second);
    out += buf;
  }
  if (nanos != 0) {
    std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(nanos));
    std::string digits = buf;
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "-" + digits;
  }
  return out;
}

std::string Describe(const ScheduledPlan& p) {
  return "launch plan " + Quote(p.project + "/" + p.domain + "/" + p.name) + " version " +
         Quote(p.version);
}

}  // namespace

std::string FireExecutionName(const std::string& plan_name, int64_t fire_nanos) {
  std::string time = FireTime(fire_nanos);
  std::string base;
  // Names of [a-z][a-z0-9_]* map one-to-one; any other may meet another's mapping.
  bool plain = !plan_name.empty() && IsLower(plan_name[0]);
  for (char c : plan_name) {
    char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    bool kept = IsLower(lower) || IsDigit(lower);
    plain = plain && ((kept && lower == c) || c == '_');
    base += kept ? lower : '-';
  }
  size_t room = kMaxExecutionName - 1 - time.size();
  if (plain && base.size() <= room) return base + "-" + time;
  if (base.empty() || !IsLower(base[0])) base.insert(0, "f");
  base.resize(std::min(base.size(), room - 7));
  return base + "-" + Sha256Hex(plan_name).substr(0, 6) + "-" + time;
}

struct Scheduler::Entry {
  ScheduledPlan plan;
  TimeZone zone = TimeZone::Utc();  // of a cron schedule
  int64_t anchor = 0;               // of a fixed rate: fires are anchor + k * every
  int64_t cursor = 0;               // fires up to here are handled
  int64_t next = -1;                // the fire the timer waits for
  std::optional<Clock::TimerId> timer;
  bool active = true;  // false once removed; callbacks in flight check it
};

Scheduler::Scheduler(Clock& clock, Launcher& launcher, SchedulerOptions options)
    : clock_(clock), launcher_(launcher), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

Status Scheduler::Activate(ScheduledPlan plan) {
  auto e = std::make_shared<Entry>();
  e->plan = std::move(plan);
  ScheduledPlan& p = e->plan;
  const spec::Schedule& s = p.schedule;
  std::string what = Describe(p);
  if (s.cron.has_value() == s.every_nanos.has_value()) {
    return InvalidArgument(what + ": a schedule needs exactly one of cron and every");
  }
  if (s.every_nanos && *s.every_nanos <= 0) {
    return InvalidArgument(what + ": the interval " + FormatDuration(*s.every_nanos) +
                           " is not positive");
  }
  if (s.cron) {
    Result<TimeZone> zone = TimeZone::Load(s.timezone, options_.zoneinfo_root);
    if (!zone.ok()) return zone.status().WithContext(what);
    e->zone = *zone;
  }
  int64_t now = clock_.Now();
  if (p.activated_at == 0) p.activated_at = now;
  if (s.every_nanos) {
    int64_t every = *s.every_nanos;
    int64_t unit = every % kMinute == 0 ? kMinute : every % kSecond == 0 ? kSecond : 1;
    e->anchor = FloorDiv(p.activated_at, unit) * unit;
  }
  Key key{p.project, p.domain, p.name};
  auto it = entries_.find(key);
  // A fire handled under the previous version has the same execution name under this one.
  if (it != entries_.end()) p.last_fire = std::max(p.last_fire, it->second->plan.last_fire);
  e->cursor = std::max(p.last_fire, p.activated_at);
  if (NextAfter(*e, std::max(e->cursor, now)) < 0) {
    return InvalidArgument(what + ": the schedule " + Quote(s.cron ? s.cron->text : "") +
                           " does not fire in the next " + std::to_string(kCronHorizonYears) +
                           " years");
  }
  if (it != entries_.end()) Remove(it);
  entries_.emplace(key, e);
  CatchUp(e, now);
  Arm(e);
  return Status::Ok();
}

bool Scheduler::Deactivate(const std::string& project, const std::string& domain,
                           const std::string& name) {
  auto it = entries_.find(Key{project, domain, name});
  if (it == entries_.end()) return false;
  Remove(it);
  return true;
}

std::vector<ScheduledPlan> Scheduler::Active() const {
  std::vector<ScheduledPlan> out;
  for (const auto& [key, e] : entries_) out.push_back(e->plan);
  return out;
}

int64_t Scheduler::NextFire(const std::string& project, const std::string& domain,
                            const std::string& name) const {
  auto it = entries_.find(Key{project, domain, name});
  return it == entries_.end() ? -1 : it->second->next;
}

void Scheduler::Stop() {
  for (auto& [key, e] : entries_) {
    e->active = false;
    if (e->timer) clock_.Cancel(*e->timer);
  }
  entries_.clear();
}

void Scheduler::Remove(std::map<Key, std::shared_ptr<Entry>>::iterator it) {
  it->second->active = false;
  if (it->second->timer) clock_.Cancel(*it->second->timer);
  entries_.erase(it);
}

int64_t Scheduler::NextAfter(const Entry& e, int64_t after) const {
  const spec::Schedule& s = e.plan.schedule;
  return s.cron ? NextCronFire(*s.cron, e.zone, after)
                : NextRateFire(e.anchor, *s.every_nanos, after);
}

std::vector<int64_t> Scheduler::LastFires(const Entry& e, int64_t after, int64_t until,
                                          size_t keep) const {
  if (until <= after || keep == 0) return {};
  std::deque<int64_t> fires;
  if (e.plan.schedule.every_nanos) {
    int64_t every = *e.plan.schedule.every_nanos;
    int64_t first = NextRateFire(e.anchor, every, after);
    if (first < 0 || first > until) return {};
    int64_t count = (until - first) / every + 1;
    for (int64_t i = std::max<int64_t>(0, count - static_cast<int64_t>(keep)); i < count; ++i) {
      fires.push_back(first + i * every);
    }
    return {fires.begin(), fires.end()};
  }
  // Cron fires cannot be counted backwards, so look at ever wider windows ending at `until`
  // until one holds `keep` fires or reaches back to `after`: a long downtime costs the fires
  // kept, not the fires missed.
  int64_t span = until - after;
  for (int64_t window = kHour;; window = window > span / 16 ? span : window * 16) {
    int64_t from = window >= span ? after : until - window;
    fires.clear();
    for (int64_t f = NextAfter(e, from); f >= 0 && f <= until; f = NextAfter(e, f)) {
      fires.push_back(f);
      if (fires.size() > keep) fires.pop_front();
    }
    if (fires.size() >= keep || from == after) return {fires.begin(), fires.end()};
  }
}

void Scheduler::CatchUp(const std::shared_ptr<Entry>& e, int64_t now) {
  if (now <= e->cursor) return;
  int64_t after = e->cursor;
  e->cursor = now;
  spec::Catchup policy = e->plan.catchup;
  size_t keep = policy == spec::Catchup::kAll ? kMaxCatchupFires : 1;
  std::vector<int64_t> missed = LastFires(*e, after, now, keep);
  if (missed.empty()) return;
  switch (policy) {
    case spec::Catchup::kNone:
      e->plan.last_fire = std::max(e->plan.last_fire, missed.back());
      Record(e->plan, missed.back());
      return;
    case spec::Catchup::kLatest:
    case spec::Catchup::kAll:
      for (int64_t fire : missed) {
        if (!e->active) return;
        Fire(e, fire);
      }
      return;
  }
}

void Scheduler::Fire(const std::shared_ptr<Entry>& e, int64_t fire) {
  bool skip = e->plan.overlap == spec::Overlap::kSkip && launcher_.HasRunning(e->plan);
  if (!e->active) return;
  if (!skip) {
    Status status = launcher_.Launch(e->plan, fire, FireExecutionName(e->plan.name, fire));
    if (!status.ok() && status.code() != StatusCode::kAlreadyExists && options_.on_error) {
      options_.on_error(e->plan, fire, status);
    }
  }
  // Recorded even when the launch failed: retrying belongs to the launcher, and a restart
  // should not replay a fire that was already tried.
  e->plan.last_fire = std::max(e->plan.last_fire, fire);
  Record(e->plan, fire);
}

void Scheduler::Record(const ScheduledPlan& plan, int64_t fire) {
  Status st = launcher_.RecordFire(plan, fire);
  if (!st.ok() && options_.on_error) {
    options_.on_error(plan, fire,
                      Status(st.code(),
                             "cannot record that this fire was handled (the next "
                             "fire's record covers it): " +
                                 st.message()));
  }
}

void Scheduler::Arm(const std::shared_ptr<Entry>& e) {
  if (!e->active) return;
  int64_t now = clock_.Now();
  e->next = NextAfter(*e, std::max(e->cursor, now));
  if (e->next < 0) return;
  std::weak_ptr<Entry> weak = e;
  e->timer = clock_.After(e->next - now, [this, weak] {
    if (std::shared_ptr<Entry> entry = weak.lock()) OnTimer(entry);
  });
}

void Scheduler::OnTimer(const std::shared_ptr<Entry>& e) {
  if (!e->active) return;
  e->timer.reset();
  int64_t now = clock_.Now();
  int64_t due = e->next;
  // A timer can wake before its fire when the wall clock was set back; Arm then waits again.
  if (now >= due) {
    int64_t after_due = NextAfter(*e, due);
    if (after_due < 0 || after_due > now) {
      e->cursor = std::max(e->cursor, due);
      Fire(e, due);
      if (!e->active) return;
    } else {
      CatchUp(e, now);  // the loop slept through several fires (a suspended host)
      if (!e->active) return;
    }
  }
  Arm(e);
}

}  // namespace flyte::cron
