#include "http/notifications.h"

#include <algorithm>

namespace flyte::http {

void NotificationObserver::OnExecution(const ExecutionState& e) {
  if (!IsTerminal(e.phase) || e.launch_plan.empty() || e.file == nullptr) return;
  const uint32_t idx = e.file->FindLaunchPlan(e.launch_plan);
  if (idx == kNoIndex) return;
  const spec::LaunchPlan* plan = e.file->launch_plans[idx].spec;
  if (plan == nullptr) return;
  for (const spec::Notification& n : plan->notifications) {
    if (std::find(n.on.begin(), n.on.end(), e.phase) == n.on.end()) continue;
    WebhookEvent ev;
    ev.project = e.key.project;
    ev.domain = e.key.domain;
    ev.name = e.key.name;
    ev.launch_plan = e.launch_plan;
    ev.workflow = e.wf().name;
    ev.phase = std::string(PhaseName(e.phase));
    if (e.error) {
      ev.error_code = std::string(e.error->code.text());
      ev.error_message = e.error->message;
    }
    if (e.started_at > 0) ev.started_at_nanos = e.started_at;
    ev.ended_at_nanos = e.ended_at;
    notifier_.Enqueue({e.key.ToString() + "/" + ev.phase, n.webhook, WebhookBody(ev)});
  }
}

}  // namespace flyte::http
