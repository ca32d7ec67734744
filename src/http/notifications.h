// Launch-plan notifications: when an execution started from a launch plan reaches a phase its
// plan lists under `notifications`, the document of webhook.h is queued for the plan's URL.
// An engine observer on the loop thread; delivery happens on the notifier's own thread.
#pragma once

#include "flyte/engine.h"
#include "http/webhook.h"

namespace flyte::http {

class NotificationObserver : public EngineObserver {
 public:
  explicit NotificationObserver(WebhookNotifier& notifier) : notifier_(notifier) {}
  void OnExecution(const ExecutionState& e) override;

 private:
  WebhookNotifier& notifier_;
};

}  // namespace flyte::http
