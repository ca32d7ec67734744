// The runner the engine talks to: it hands each attempt to the runner configured for its
// task's executor kind (include/flyte/dag.h), and reports every result back through one set
// of callbacks, so the engine never knows which runner ran a task. A kind without a runner of
// its own goes to the fallback (the local process runner), as flytekit runs plugin tasks
// locally; a kind marked required has no fallback, and CanRun refuses its tasks before an
// execution starts. Single-threaded, like the runners it routes to.
//
// Adding a runner: implement Runner (Start/Abort/Adopt reporting through DoneFn on the loop
// thread), say in RunsHere whether its attempts use this machine's slots, and Route() the
// kinds it runs when the command line or config turns it on.
#pragma once

#include <array>
#include <set>
#include <unordered_map>

#include "flyte/runner.h"
#include "flyte/status.h"

namespace flyte {

class RoutingRunner : public Runner {
 public:
  // `fallback` runs every kind that has no runner of its own; it must outlive this.
  explicit RoutingRunner(Runner& fallback);

  // `runner` must outlive this; before the first Start. kLocal is never routed.
  void Route(ExecutorKind kind, Runner& runner);
  // Tasks of `kind` need their own runner (e.g. `runner: kubernetes`): without one, CanRun
  // refuses them. `why` completes the error ("configure Kubernetes with --kubeconfig").
  void Require(ExecutorKind kind, std::string why);
  // Ok when tasks of `kind` have a runner; FailedPrecondition naming `task` and the reason
  // when the kind is required and has none.
  Status CanRun(ExecutorKind kind, const std::string& task) const;

  void SetCallbacks(DoneFn done, OutputFn output) override;
  void Start(TaskLaunch launch) override;
  void Abort(uint64_t id) override;
  void Adopt(TaskLaunch launch) override;
  size_t running() const override;
  bool RunsHere(ExecutorKind kind) const override;
  void SetProgress(ProgressFn progress) override;

 private:
  Runner& For(ExecutorKind kind) const;
  // Gives `r` our callbacks, once.
  void Attach(Runner& r);

  Runner& fallback_;
  std::array<Runner*, kExecutorKinds> routes_{};
  std::array<std::string, kExecutorKinds> required_;
  std::unordered_map<uint64_t, Runner*> owner_;  // running attempts, by id
  DoneFn done_;
  OutputFn output_;
  ProgressFn progress_;
  std::set<Runner*> attached_;
};

}  // namespace flyte
