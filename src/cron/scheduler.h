// The launch-plan scheduler: fires the cron and fixed-rate schedules of active launch plans on a
// Clock, catching up after downtime and honouring the overlap policy. It stores nothing itself:
// a Launcher (the server) starts executions and persists the last fire. Single-threaded: call
// it only from the loop thread; it calls the Launcher from there too, and the Launcher may call
// back into it (Activate, Deactivate, Stop), but must not destroy it from a callback.
//
// Rules:
//  - One active version per project/domain/name: activating a version replaces the schedule of
//    the one active before.
//  - Fires are those of NextCronFire (on the schedule's zone) or of a fixed rate anchored at
//    `activated_at` rounded down to the whole minute (to the whole second when the rate is not a
//    whole number of minutes); only fires after max(last_fire, activated_at) count, so a rate
//    first fires less than one interval after activation.
//  - Catch-up, on Activate and when the loop wakes up after more than one fire came due (a
//    suspended host): of the fires due, kNone launches none, kLatest the most recent, kAll the
//    most recent kMaxCatchupFires in time order (older ones are skipped). A single due fire is
//    launched, however late.
//  - Overlap kSkip: a fire (caught-up ones too) that comes while Launcher::HasRunning is true
//    is skipped.
//  - Launcher::RecordFire gets every fire launched, failed or skipped for overlap, and the
//    latest of those a catch-up passed over, so a restart does not reconsider them. A failed
//    Launch goes to the error callback; AlreadyExists (a fire launched before a restart) is
//    ignored. Neither stops later fires.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "flyte/clock.h"
#include "flyte/spec.h"
#include "flyte/status.h"
#include "util/tz.h"

namespace flyte::cron {

inline constexpr size_t kMaxCatchupFires = 1000;

// One active launch-plan version with a schedule.
struct ScheduledPlan {
  std::string project, domain, name, version;
  spec::Schedule schedule;
  spec::Catchup catchup = spec::Catchup::kLatest;
  spec::Overlap overlap = spec::Overlap::kAllow;
  int64_t activated_at = 0;  // ns; the anchor of fixed rates (0: the time of Activate)
  int64_t last_fire = 0;     // ns; the last fire already handled (0: none), kept across restarts
};

// What the scheduler needs from the server.
class Launcher {
 public:
  virtual ~Launcher() = default;
  // Starts the execution `name` for the fire at `fire_nanos` (the kickoff input gets that time).
  // AlreadyExists means this fire was launched before (e.g. before a restart).
  virtual Status Launch(const ScheduledPlan& plan, int64_t fire_nanos, const std::string& name) = 0;
  // Whether an execution this plan launched is still running.
  virtual bool HasRunning(const ScheduledPlan& plan) = 0;
  // Persists that fires up to and including `fire_nanos` are handled (launched or skipped).
  // An error is reported through SchedulerOptions::on_error; the next fire's record covers
  // this one (the row keeps the maximum), and a restart that replays it finds the execution's
  // name taken (AlreadyExists), so a fire never runs twice.
  virtual Status RecordFire(const ScheduledPlan& plan, int64_t fire_nanos) = 0;
};

// The execution name of a plan's fire: the plan name lowercased with every character outside
// [a-z0-9] as '-', then "-YYYYMMDDtHHMM" of the fire in UTC ("...tHHMMSS" when the fire is not on
// a whole minute, plus "-" and the nanoseconds when not on a whole second). A name outside
// [a-z][a-z0-9_]* or too long for 63 characters also gets "-" and 6 hex digits of its SHA-256
// before the time (and an 'f' in front when it starts with no letter), so distinct plans never
// share a name. Always matches [a-z][a-z0-9-]*, at most 63 characters.
std::string FireExecutionName(const std::string& plan_name, int64_t fire_nanos);

struct SchedulerOptions {
  std::string zoneinfo_root = kZoneinfoRoot;
  // Failed launches, and fires that could not be recorded; may be empty.
  std::function<void(const ScheduledPlan& plan, int64_t fire_nanos, const Status& error)> on_error;
};

class Scheduler {
 public:
  // `clock` and `launcher` are borrowed and must outlive the scheduler.
  Scheduler(Clock& clock, Launcher& launcher, SchedulerOptions options = {});
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Makes `plan` the active version of its name and launches the missed fires its catch-up
  // policy selects before returning. InvalidArgument (and nothing changes) when the schedule has
  // neither or both of cron and every, a rate that is not positive, or a cron that never fires;
  // the errors of TimeZone::Load for its zone.
  Status Activate(ScheduledPlan plan);
  // Returns whether the name had an active version.
  bool Deactivate(const std::string& project, const std::string& domain, const std::string& name);
  // The active versions, by project, domain and name, with their current last_fire.
  std::vector<ScheduledPlan> Active() const;
  // When the active version of the name fires next (ns), or -1.
  int64_t NextFire(const std::string& project, const std::string& domain,
                   const std::string& name) const;
  // Deactivates everything without recording anything.
  void Stop();

 private:
  struct Entry;
  using Key = std::tuple<std::string, std::string, std::string>;

  int64_t NextAfter(const Entry& e, int64_t after) const;
  std::vector<int64_t> LastFires(const Entry& e, int64_t after, int64_t until, size_t keep) const;
  void CatchUp(const std::shared_ptr<Entry>& e, int64_t now);
  void Fire(const std::shared_ptr<Entry>& e, int64_t fire);
  void Arm(const std::shared_ptr<Entry>& e);
  // Launcher::RecordFire, its error reported through on_error.
  void Record(const ScheduledPlan& plan, int64_t fire);
  void OnTimer(const std::shared_ptr<Entry>& e);
  void Remove(std::map<Key, std::shared_ptr<Entry>>::iterator it);

  Clock& clock_;
  Launcher& launcher_;
  SchedulerOptions options_;
  std::map<Key, std::shared_ptr<Entry>> entries_;
};

}  // namespace flyte::cron
