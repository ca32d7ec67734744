// Runs task attempts as Kubernetes Pods (KUBERNETES.md §3–4). Each attempt becomes a Pod with a
// deterministic name and flyte's labels; its inputs travel in a ConfigMap mounted at
// $FLYTE_INPUT_DIR, its command runs under the in-Pod program (runner/pod_helper.h, shipped
// in a ConfigMap of its own), and its outputs come back in the container's termination
// message, read with the same rules as a local task's. One watch per namespace in use follows
// every Pod of this flyte there (one connection, whatever the number of Pods; a task's
// `kubernetes: {namespace: NS}` puts its Pod in NS); each running Pod's log is streamed
// into the attempt's log file, so logs outlive the Pod. Pods are deleted when their attempt
// ends (after its end is recorded), on abort, and on timeout.
//
// Threads: the Runner interface is used on the loop thread; API requests run on a few worker
// threads, the watch and each log stream on threads of their own; all of them report to the
// loop through a LoopBridge. Nothing here blocks the loop.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "flyte/runner.h"
#include "kube/client.h"
#include "kube/manifest.h"
#include "kube/objects.h"
#include "kube/plugins/plugin.h"
#include "kube/pod_phase.h"
#include "kube/watch.h"
#include "runner/loop_bridge.h"
#include "storage/data_stores.h"

namespace flyte {

class PodRunner : public Runner {
 public:
  struct Options {
    std::string ns;             // empty: the kubeconfig's
    std::string default_image;  // for tasks without an image of their own
    std::string service_account;
    uint32_t max_pods = 100;
    bool delete_failed = true;  // delete_pods: always (true) | on_success (false)
    // A failed Pod is kept this long, then deleted (0: deleted at once, or kept for good
    // with delete_failed false). Kept Pods carry a label saying until when, so a restarted
    // flyte keeps them as long.
    int64_t keep_failed_for_nanos = 0;
    int64_t image_pull_grace_nanos = 180'000'000'000;
    int64_t abort_grace_seconds = 10;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::map<std::string, std::string> node_selector;
    std::string tolerations_json;
    // Added to interruptible tasks' Pods (spot capacity).
    std::map<std::string, std::string> interruptible_node_selector;
    std::string interruptible_tolerations_json;
    std::string pod_template_json;
    // Tells this flyte's Pods from another's in the same namespace (a label value); also what
    // a restarted server finds its Pods by.
    std::string instance = "flyte";
    // Kubernetes Secret holding secrets declared by plain name (NAME → key NAME); GROUP/KEY
    // names read key KEY of Secret GROUP.
    std::string secret_name = "flyte-secrets";
    int worker_threads = 4;
    // A running Pod's log is followed (a thread and a connection) once it has run this long;
    // a Pod that ends sooner has its log read once. Tasks streaming output (-v) follow at once.
    int64_t log_follow_delay_nanos = 1'000'000'000;
    // Tests: watch and log settings.
    int64_t watch_liveness_nanos = 0;
    // Borrowed: where values live. With a raw_data_prefix, file and folder values travel
    // through it by presigned URLs (runner/pod_files.h); without, tasks passing them fail.
    storage::DataStores* stores = nullptr;
  };
  PodRunner(uv_loop_t* loop, kube::Client& client, Options options);
  ~PodRunner() override;

  void SetCallbacks(DoneFn done, OutputFn output) override;
  void SetProgress(ProgressFn progress) override { progress_ = std::move(progress); }
  void Start(TaskLaunch launch) override;
  void Abort(uint64_t id) override;
  void Adopt(TaskLaunch launch) override;
  size_t running() const override { return attempts_.size(); }
  bool RunsHere(ExecutorKind) const override { return false; }

  // After a restart's adoptions: deletes this flyte's Pods and plugin custom resources that no
  // attempt claimed (their executions ended or are gone). Runs once the watch has listed the
  // Pods; custom resources are listed on a worker (runner/pod_sweep.cc).
  void SweepUnclaimed();
  // Deletes every Pod of a running attempt now (a second Ctrl-C); their results arrive as usual.
  void DeleteAll();
  // The name a Pod of this attempt gets: <exec>-<node>-<attempt>-<hash>, DNS-1123, ≤ `max`
  // (63; a plugin's custom resource takes ≤ 53, so its operator's derived names fit).
  static std::string PodName(const AttemptId& id, const std::string& instance, size_t max = 63);
  // The namespace of tasks that name none (the server's, or the kubeconfig context's).
  const std::string& ns() const { return ns_; }

 private:
  struct Attempt;
  using Job = std::function<void()>;

  Attempt& Track(TaskLaunch launch);    // a new attempt, its namespace's watch started
  void Submit(Job job);                 // to a worker thread
  void Post(std::function<void()> fn);  // to the loop thread
  void Prepare(Attempt& a);             // loop: build the Pod and its ConfigMap
  void Create(uint64_t id);             // loop → worker: create them
  void OnCreated(uint64_t id, Status st, std::string uid, bool quota_wait);
  void OnPod(const kube::Pod& pod, bool deleted);
  // The watch of namespace `ns` has listed its Pods (first time, or after reconnecting).
  void OnSync(const std::string& ns, std::vector<kube::Object> objects);
  void Progress(Attempt& a, TaskPhase phase, std::string reason);
  // Streams the task's log into its file while it runs (`follow`), or reads it whole once it
  // has ended.
  void FollowLogs(Attempt& a, bool follow);
  void OnLogsDone(uint64_t id);
  // A piece of a Pod's log for -v: split into lines on the loop thread.
  void PostOutput(uint64_t id, std::string chunk);
  void MaybeFinish(Attempt& a);
  // A Pod that has ended (its log read): its result, its staged outputs brought in first.
  void FinishEnded(Attempt& a);
  // After the checks of Start (and the presigning of its files): build and queue the Pod.
  void Launch(Attempt& a);
  // The outputs a finished Pod staged (files, folders, the `pack` archive): brought in and
  // read on a worker.
  void CollectThenFinish(Attempt& a);
  // Presigns the attempt's transfers on a worker (runner/pod_files.h), then `then` on the loop.
  void StageFiles(Attempt& a, std::function<void(Attempt&)> then);
  void Finish(uint64_t id, AttemptResult r);
  void Fail(uint64_t id, AttemptResult::Status status, ExecErrorCode code, std::string message,
            bool retryable);
  // `read_outputs` false: unpacks the termination message into the output folder but leaves
  // reading it (with the files still to come) to the caller.
  AttemptResult ResultOf(Attempt& a, bool read_outputs = true);
  // Deletes the object (a Pod's or custom resource's API path) after `delay_ms` on the loop
  // (0: next turn). A kept one is not deleted when flyte stops; the next start's sweep honours
  // a kept Pod's keep-until label.
  void DeleteLater(std::string path, uint64_t delay_ms, bool kept);
  void StartQueued();
  // The Pod watch of namespace `ns`, started if it is the first attempt there.
  void EnsureWatch(const std::string& ns);
  bool Synced(const std::string& ns) const;
  void DeleteObject(const std::string& path, int64_t grace_seconds);
  // "pod NS/NAME", or "DaskJob NS/NAME (pod NAME)" for a plugin task.
  std::string Where(const Attempt& a) const;
  // The API path of what this attempt created (its Pod, or its custom resource).
  // The label selector of every object of this flyte: its Pods and custom resources.
  std::string InstanceSelector() const;
  std::string ObjectPath(const Attempt& a) const;

  // Plugin tasks (runner/pod_runner_resource.cc): their custom resource wraps the Pod built
  // as for a Pod task; its main Pod is found by label on the same Pod watch.
  void PrepareResource(Attempt& a, const kube::PodRequest& pod);
  // Worker thread: where the API serves `kind`, or NotFound naming the operator to install.
  Result<std::string> ResourceCollection(const kube::ResourceKind& kind, const std::string& ns);
  void EnsureResourceWatch(const std::string& collection);
  void OnResource(const kube::CustomObject& object, bool deleted);
  // The attempt whose custom resource `pod` is the main Pod of, claimed; else by_pod_.end().
  std::unordered_map<std::string, uint64_t>::iterator ClaimMainPod(const kube::Pod& pod);
  void MaybeFinishResource(Attempt& a);
  void TickResource(Attempt& a, int64_t now);
  // Restarts (runner/pod_sweep.cc). The ConfigMap naming the kinds of custom resources this
  // flyte creates; RecordKind (worker thread) adds one before its first object is created.
  std::string KindsConfigMap() const;
  Status RecordKind(const kube::ResourceKind& kind);
  // Worker thread: records a namespace in that ConfigMap before the first object there, once
  // per process, so that a restart sweeps it too.
  Status RecordNamespace(const std::string& ns);
  // SweepUnclaimed for custom resources: listed on a worker, unclaimed ones deleted.
  void SweepResources();
  // Deletes an unclaimed object now, or when its keep-until label says.
  void DropUnclaimed(const std::string& path, const std::map<std::string, std::string>& labels,
                     int64_t now_seconds);

  uv_loop_t* loop_;
  // Above zero while the engine calls in (Start, Abort, Adopt): a result found then waits for
  // the next turn, since the engine is mid-update. Found anywhere else, it goes at once.
  int engine_calls_ = 0;
  kube::Client& client_;
  Options options_;
  std::string ns_;
  DoneFn done_;
  OutputFn output_;
  ProgressFn progress_;
  std::unique_ptr<LoopBridge> bridge_;

  std::unordered_map<uint64_t, std::unique_ptr<Attempt>> attempts_;
  std::unordered_map<std::string, uint64_t> by_pod_;       // pod name → attempt id
  std::unordered_map<std::string, uint64_t> by_resource_;  // custom resource name → attempt id
  std::map<std::string, std::unique_ptr<kube::Watch>> resource_watches_;  // by collection
  std::mutex served_mu_;
  std::map<std::string, std::string> served_;  // "G/V Kind" → plural, once found installed
  std::deque<uint64_t> waiting_;               // for a Pod slot (max_pods)
  uint32_t in_flight_ = 0;                     // Pods created or being created
  std::vector<uint64_t> adopting_;             // until the first list of their namespace
  bool sweep_wanted_ = false;
  std::set<std::string> sweep_ns_;  // the namespaces a pending sweep covers
  bool sweep_listed_ = false;       // ...once read from the kinds ConfigMap
  // Every Pod of ours, by name, as last seen (names are unique across namespaces: they come
  // from execution, node and attempt).
  std::map<std::string, kube::Pod> seen_;
  // Worker threads, under helper_mu_: namespaces holding the in-Pod program's ConfigMap, and
  // namespaces recorded for the restart sweep.
  std::set<std::string> helper_ready_, recorded_ns_;
  std::mutex helper_mu_;
  std::string helper_config_map_;
  struct PodWatch {
    std::unique_ptr<kube::Watch> watch;
    bool synced = false;  // listed once
  };
  std::map<std::string, PodWatch> watches_;  // by namespace (KUBERNETES.md §4)
  uv_timer_t tick_;                          // grace periods and quota retries
  // Pods (or custom resources) to delete on the next loop turn, once their attempt's end is
  // committed: their API paths.
  std::map<uv_timer_t*, std::string> deleting_;
  std::map<uv_timer_t*, std::string> keeping_;  // failed objects kept for keep_failed_for

  // Worker threads and their queue.
  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace flyte
