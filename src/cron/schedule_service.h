// Schedules under `flyte serve`: keeps the scheduler in step with launch-plan activation,
// launches each fire as an execution of the plan (kickoff input = the fire time, mode
// SCHEDULED, a deterministic name so a fire is never run twice), and persists what was fired so
// a restarted server resumes with the plan's catch-up policy. Loop thread only.
#pragma once

#include <memory>

#include "admin/schedule_host.h"
#include "cron/scheduler.h"

namespace flyte::cron {

class ScheduleService : public Launcher {
 public:
  ScheduleService(ScheduleHost& host, Clock& clock, SchedulerOptions options = {});
  ~ScheduleService() override;

  // Re-activates the schedules recorded in the store (after a restart). Plans whose file no
  // longer compiles, or whose zone is unknown, are reported through `errors` and skipped.
  Status Restore(std::vector<std::string>* errors);
  // The admin's launch-plan activation hook: applies the change to the scheduler and the store.
  Status Apply(const EntityRecord& plan, bool active);
  Scheduler& scheduler() { return *scheduler_; }

  Status Launch(const ScheduledPlan& plan, int64_t fire_nanos, const std::string& name) override;
  bool HasRunning(const ScheduledPlan& plan) override;
  Status RecordFire(const ScheduledPlan& plan, int64_t fire_nanos) override;

 private:
  // The plan's schedule from its compiled source; nullopt when it has none.
  Result<std::optional<ScheduledPlan>> PlanOf(const EntityRecord& plan);

  ScheduleHost& host_;
  Clock& clock_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace flyte::cron
