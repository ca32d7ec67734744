#include "runner/routing_runner.h"

#include <set>

#include "util/strings.h"

namespace flyte {

RoutingRunner::RoutingRunner(Runner& fallback) : fallback_(fallback) {}

void RoutingRunner::Route(ExecutorKind kind, Runner& runner) {
  if (kind == ExecutorKind::kLocal) return;  // `runner: local` is never routed away
  routes_[static_cast<size_t>(kind)] = &runner;
  if (done_) Attach(runner);  // routed after the engine was built (run and serve assemble so)
}

void RoutingRunner::Attach(Runner& r) {
  if (!attached_.insert(&r).second) return;
  r.SetCallbacks(
      [this](uint64_t id, AttemptResult result) {
        owner_.erase(id);
        done_(id, std::move(result));
      },
      output_);
  if (progress_) r.SetProgress(progress_);
}

void RoutingRunner::SetProgress(ProgressFn progress) {
  progress_ = std::move(progress);
  for (Runner* r : attached_) r->SetProgress(progress_);
}

void RoutingRunner::Require(ExecutorKind kind, std::string why) {
  required_[static_cast<size_t>(kind)] = std::move(why);
}

Status RoutingRunner::CanRun(ExecutorKind kind, const std::string& task) const {
  const size_t k = static_cast<size_t>(kind);
  if (routes_[k] != nullptr || required_[k].empty()) return Status::Ok();
  return FailedPrecondition("task " + Quote(task) + " runs as " +
                            std::string(ExecutorKindName(kind)) +
                            ", which nothing here can run: " + required_[k]);
}

Runner& RoutingRunner::For(ExecutorKind kind) const {
  Runner* r = routes_[static_cast<size_t>(kind)];
  return r != nullptr ? *r : fallback_;
}

void RoutingRunner::SetCallbacks(DoneFn done, OutputFn output) {
  done_ = std::move(done);
  output_ = std::move(output);
  Attach(fallback_);
  for (Runner* r : routes_) {
    if (r != nullptr) Attach(*r);
  }
}

void RoutingRunner::Start(TaskLaunch launch) {
  Runner& r = For(launch.executor);
  owner_[launch.id] = &r;
  r.Start(std::move(launch));
}

void RoutingRunner::Adopt(TaskLaunch launch) {
  Runner& r = For(launch.executor);
  owner_[launch.id] = &r;
  r.Adopt(std::move(launch));
}

void RoutingRunner::Abort(uint64_t id) {
  auto it = owner_.find(id);
  if (it != owner_.end()) it->second->Abort(id);
}

size_t RoutingRunner::running() const { return owner_.size(); }

bool RoutingRunner::RunsHere(ExecutorKind kind) const { return For(kind).RunsHere(kind); }

}  // namespace flyte
