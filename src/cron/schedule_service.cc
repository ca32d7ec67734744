#include "cron/schedule_service.h"

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cron {

ScheduleService::ScheduleService(ScheduleHost& host, Clock& clock, SchedulerOptions options)
    : host_(host),
      clock_(clock),
      scheduler_(std::make_unique<Scheduler>(clock, *this, std::move(options))) {}

ScheduleService::~ScheduleService() { scheduler_->Stop(); }

Result<std::optional<ScheduledPlan>> ScheduleService::PlanOf(const EntityRecord& e) {
  ASSIGN_OR_RETURN(std::shared_ptr<const CompiledFile> file, host_.Compiled(e.source));
  uint32_t idx = file->FindLaunchPlan(e.name);
  if (idx == kNoIndex)
    return NotFound("launch plan " + Quote(e.name) + " is not in its registered file");
  const CompiledLaunchPlan& lp = file->launch_plans[idx];
  if (lp.spec == nullptr || !lp.spec->schedule) return std::optional<ScheduledPlan>();
  ScheduledPlan p;
  p.project = e.project;
  p.domain = e.domain;
  p.name = e.name;
  p.version = e.version;
  p.schedule = *lp.spec->schedule;
  p.catchup = lp.spec->catchup;
  p.overlap = lp.spec->overlap;
  return std::optional<ScheduledPlan>(std::move(p));
}

Status ScheduleService::Apply(const EntityRecord& e, bool active) {
  if (!active) {
    scheduler_->Deactivate(e.project, e.domain, e.name);
    return host_.DeleteSchedule(e.project, e.domain, e.name);
  }
  ASSIGN_OR_RETURN(std::optional<ScheduledPlan> plan, PlanOf(e));
  if (!plan) {
    // Active without a schedule: launchable by name, nothing to fire. A previous version's
    // schedule stops.
    scheduler_->Deactivate(e.project, e.domain, e.name);
    return host_.DeleteSchedule(e.project, e.domain, e.name);
  }
  // Keep the last fire of the version this one replaces, so switching versions neither
  // repeats nor skips a fire.
  ASSIGN_OR_RETURN(std::vector<ScheduleRecord> all, host_.ListSchedules());
  for (const ScheduleRecord& r : all) {
    if (r.project == e.project && r.domain == e.domain && r.name == e.name)
      plan->last_fire = r.last_fire;
  }
  plan->activated_at = clock_.Now();
  RETURN_IF_ERROR(scheduler_->Activate(*plan));
  return host_.PutSchedule(
      {e.project, e.domain, e.name, e.version, plan->activated_at, plan->last_fire});
}

Status ScheduleService::Restore(std::vector<std::string>* errors) {
  ASSIGN_OR_RETURN(std::vector<ScheduleRecord> all, host_.ListSchedules());
  for (const ScheduleRecord& r : all) {
    auto found = host_.ListEntities("launch_plan", r.project, r.domain, r.name, r.version);
    Status st = found.ok() ? Status::Ok() : found.status();
    std::optional<ScheduledPlan> plan;
    if (st.ok() && found->empty())
      st = NotFound("its version " + r.version + " is no longer registered");
    if (st.ok()) {
      auto p = PlanOf(found->front());
      if (p.ok()) {
        plan = std::move(*p);
      } else {
        st = p.status();
      }
    }
    if (st.ok() && plan) {
      plan->activated_at = r.activated_at;
      plan->last_fire = r.last_fire;
      st = scheduler_->Activate(*plan);
    }
    if (!st.ok() && errors != nullptr) {
      errors->push_back("schedule of " + r.project + "/" + r.domain + "/" + r.name + ": " +
                        st.message());
    }
  }
  return Status::Ok();
}

Status ScheduleService::Launch(const ScheduledPlan& plan, int64_t fire_nanos,
                               const std::string& name) {
  CreateExecutionRequest req;
  req.project = plan.project;
  req.domain = plan.domain;
  req.name = name;
  req.target_kind = TargetKind::kLaunchPlan;
  req.target = plan.name;
  req.version = plan.version;
  req.mode = ExecutionMode::kScheduled;
  if (!plan.schedule.kickoff_input.empty()) {
    req.text_inputs.emplace_back(plan.schedule.kickoff_input, FormatDatetime(fire_nanos));
  }
  Result<ExecutionKey> key = host_.CreateExecution(req);
  return key.ok() ? Status::Ok() : key.status();
}

bool ScheduleService::HasRunning(const ScheduledPlan& plan) {
  return host_.HasRunning(plan.project, plan.domain, plan.name);
}

Status ScheduleService::RecordFire(const ScheduledPlan& plan, int64_t fire_nanos) {
  return host_.RecordFire(plan.project, plan.domain, plan.name, fire_nanos);
}

}  // namespace flyte::cron
