#include "runner/pod_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "kube/manifest.h"
#include "runner/log_cap.h"
#include "runner/pod_attempt.h"
#include "runner/pod_files.h"
#include "runner/pod_helper.h"
#include "runner/task_files.h"
#include "spec/resource_plugin.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte {

extern const unsigned char* const kPodHelperBytes;
extern const std::size_t kPodHelperSize;
extern const char kPodHelperDigest[];

namespace {

namespace fs = std::filesystem;
using kube::PodVerdict;

constexpr const char* kInputDir = "/var/run/flyte/inputs";
constexpr const char* kOutputDir = "/var/run/flyte/outputs";
constexpr const char* kRawDir = "/var/run/flyte/raw";
constexpr const char* kHelperDir = "/var/run/flyte/bin";
constexpr const char* kDataDir = "/var/run/flyte/data";  // file and folder inputs, downloaded
constexpr size_t kTailLines = 20;
// How long a finished Pod's log stream may take to drain before the result goes without it.
constexpr int64_t kLogDrainNanos = 10'000'000'000;
constexpr int64_t kQuotaRetryNanos = 10'000'000'000;
int64_t Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A label value: [A-Za-z0-9._-], at most 63, starting and ending alphanumeric.
std::string LabelValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    out +=
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
    if (out.size() == 63) break;
  }
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out.erase(0, 1);
  return out;
}

std::string DnsPart(std::string_view s) {
  std::string out;
  for (char c : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(l))) {
      out += l;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// Counts a call from the engine for as long as it lasts.
class EngineCall {
 public:
  explicit EngineCall(int& calls) : calls_(calls) { ++calls_; }
  ~EngineCall() { --calls_; }
  EngineCall(const EngineCall&) = delete;
  EngineCall& operator=(const EngineCall&) = delete;

 private:
  int& calls_;
};

// A dynamic task's result: its workflow, from the output folder.
void DynamicResult(const TaskPaths& paths, AttemptResult* r) {
  const std::string spec = paths.output_dir + "/_workflow.yaml";
  std::error_code ec;
  if (fs::is_regular_file(spec, ec)) {
    r->status = AttemptResult::Status::kSucceeded;
    r->dynamic_spec_path = spec;
  } else {
    r->status = AttemptResult::Status::kUserError;
    r->code = ExecErrorCode::kDynamicSpecNotFound;
    r->message = "a dynamic task must write its workflow to $FLYTE_OUTPUT_DIR/_workflow.yaml";
  }
}

}  // namespace

std::string PodLabelValue(std::string_view s) { return LabelValue(s); }
int64_t PodRunnerNow() { return Now(); }
int64_t PodRunnerWallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string PodRunner::PodName(const AttemptId& id, const std::string& instance, size_t max) {
  const std::string key = instance + "\n" + id.project + "\n" + id.domain + "\n" + id.execution +
                          "\n" + id.node + "\n" + std::to_string(id.attempt);
  const std::string hash = Sha256Hex(key).substr(0, 5);
  std::string base =
      DnsPart(id.execution) + "-" + DnsPart(id.node) + "-" + std::to_string(id.attempt);
  if (base.size() > max - 6) base.resize(max - 6);
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty() || !std::isalpha(static_cast<unsigned char>(base[0]))) base = "f" + base;
  return base + "-" + hash;
}

PodRunner::PodRunner(uv_loop_t* loop, kube::Client& client, Options options)
    : loop_(loop), client_(client), options_(std::move(options)) {
  ns_ = options_.ns.empty() ? client_.ns() : options_.ns;
  bridge_ = std::make_unique<LoopBridge>(loop_);
  uv_timer_init(loop_, &tick_);
  tick_.data = this;
  helper_config_map_ = std::string("flyte-pod-") + std::string(kPodHelperDigest, 12);
  for (int i = 0; i < std::max(options_.worker_threads, 1); ++i) {
    workers_.emplace_back([this] {
      for (;;) {
        Job job;
        {
          std::unique_lock<std::mutex> lock(jobs_mu_);
          jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
          if (jobs_.empty()) return;
          job = std::move(jobs_.front());
          jobs_.pop_front();
        }
        job();
      }
    });
  }
}

PodRunner::~PodRunner() {
  // Deletions not yet sent (their attempt's end was just recorded) go now, before the workers stop.
  for (auto& [timer, path] : deleting_) {
    uv_timer_stop(timer);
    DeleteObject(path, -1);
    uv_close(reinterpret_cast<uv_handle_t*>(timer),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  deleting_.clear();
  for (auto& [timer, pod] : keeping_) {
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  keeping_.clear();
  watches_.clear();
  resource_watches_.clear();
  for (auto& [id, a] : attempts_) {
    if (a->logs) a->logs->cancel.Cancel();
  }
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    stopping_ = true;  // queued deletes still run: nothing is left behind that we could delete
  }
  jobs_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  for (auto& [id, a] : attempts_) {
    if (a->logs && a->logs->thread.joinable()) a->logs->thread.join();
  }
  bridge_->Close();
  uv_timer_stop(&tick_);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
}

void PodRunner::SetCallbacks(DoneFn done, OutputFn output) {
  done_ = std::move(done);
  output_ = std::move(output);
}

void PodRunner::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    jobs_.push_back(std::move(job));
  }
  jobs_cv_.notify_one();
}

void PodRunner::Post(std::function<void()> fn) {
  bridge_->Post([fn = std::move(fn)](bool run) {
    if (run) fn();
  });
}

bool PodRunner::Synced(const std::string& ns) const {
  auto it = watches_.find(ns);
  return it != watches_.end() && it->second.synced;
}

void PodRunner::EnsureWatch(const std::string& ns) {
  const bool ticking = !watches_.empty();
  if (watches_.count(ns)) {
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&tick_))) uv_timer_again(&tick_);
    return;
  }
  kube::Watch::Options wo;
  wo.path = "/api/v1/namespaces/" + ns + "/pods";
  wo.label_selector = InstanceSelector();
  wo.kind = kube::Watch::Kind::kPod;
  wo.liveness_nanos = options_.watch_liveness_nanos;
  kube::Watch::Handler h;
  h.on_sync = [this, ns](std::vector<kube::Object> objects) {
    auto shared = std::make_shared<std::vector<kube::Object>>(std::move(objects));
    Post([this, ns, shared] { OnSync(ns, std::move(*shared)); });
  };
  h.on_events = [this](std::vector<kube::Event> events) {
    auto shared = std::make_shared<std::vector<kube::Event>>(std::move(events));
    Post([this, shared] {
      // Only each Pod's last state in a burst counts: a short task seen Running and ended in
      // one read is read once, as ended (its log then fetched whole, not followed).
      std::unordered_map<std::string, size_t> last;
      for (size_t i = 0; i < shared->size(); ++i) last[(*shared)[i].object.meta.name] = i;
      for (size_t i = 0; i < shared->size(); ++i) {
        const kube::Event& e = (*shared)[i];
        if (e.object.pod && last[e.object.meta.name] == i)
          OnPod(*e.object.pod, e.type == kube::EventType::kDeleted);
      }
    });
  };
  h.on_trouble = [](const Status&) {};  // the watch retries; attempts wait meanwhile
  watches_[ns].watch = std::make_unique<kube::Watch>(client_, std::move(wo), std::move(h));
  if (ticking) {
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&tick_))) uv_timer_again(&tick_);
    return;
  }
  uv_timer_start(
      &tick_,
      [](uv_timer_t* t) {
        auto* self = static_cast<PodRunner*>(t->data);
        const int64_t now = Now();
        std::vector<uint64_t> ids;
        for (auto& [id, a] : self->attempts_) ids.push_back(id);
        for (uint64_t id : ids) {
          auto it = self->attempts_.find(id);
          if (it == self->attempts_.end()) continue;
          Attempt& a = *it->second;
          if (a.stage == Attempt::Stage::kWaiting && a.retry_create_at != 0 &&
              now >= a.retry_create_at) {
            a.retry_create_at = 0;
            self->Create(id);
          } else if (a.aborted && a.abort_deadline != 0 && now >= a.abort_deadline) {
            AttemptResult r;
            r.status = AttemptResult::Status::kAborted;
            r.code = ExecErrorCode::kAborted;
            r.message = "aborted";
            self->Finish(id, std::move(r));
          } else if (a.verdict && !a.logs_done && now - a.verdict_at > kLogDrainNanos && a.logs) {
            a.logs->cancel.Cancel();
          } else if (a.stage == Attempt::Stage::kCreated && !a.verdict && !a.logs &&
                     a.running_since != 0 &&
                     now - a.running_since >= self->options_.log_follow_delay_nanos) {
            self->FollowLogs(a, true);
          } else if (a.stage == Attempt::Stage::kCreated && !a.verdict &&
                     !a.waiting_reason.empty()) {
            auto seen = self->seen_.find(a.pod);
            if (seen != self->seen_.end())
              self->OnPod(seen->second, false);  // grace periods run out
          } else if (a.resource != nullptr && a.stage == Attempt::Stage::kCreated) {
            self->TickResource(a, now);
          }
        }
      },
      1000, 1000);
  uv_unref(reinterpret_cast<uv_handle_t*>(&tick_));
}

void PodRunner::Progress(Attempt& a, TaskPhase phase, std::string reason) {
  if (a.phase == phase && a.reason == reason) return;
  a.phase = phase;
  a.reason = reason;
  if (progress_) progress_(a.id, {phase, std::move(reason), Where(a)});
}

void PodRunner::Fail(uint64_t id, AttemptResult::Status status, ExecErrorCode code,
                     std::string message, bool retryable) {
  AttemptResult r;
  r.status = status;
  r.exit_code = -1;
  r.code = code;
  r.message = std::move(message);
  r.retryable = retryable;
  Finish(id, std::move(r));
}

void PodRunner::Prepare(Attempt& a) {
  const TaskLaunch& l = a.launch;
  const CompiledTask& task = *l.task;
  a.paths = TaskPaths::For(l);
  a.paths.seen_output_dir = kOutputDir;
  a.paths.seen_raw_dir = kRawDir;
  a.pod = PodName(l.attempt, options_.instance);
  a.inputs = a.pod + "-in";
  TaskPaths pod_paths;
  pod_paths.input_dir = kInputDir;
  pod_paths.output_dir = kOutputDir;
  pod_paths.raw_dir = kRawDir;

  kube::PodRequest p;
  p.name = a.pod;
  p.ns = a.ns;
  p.labels = options_.labels;
  p.labels["app.kubernetes.io/managed-by"] = "flyte";
  p.labels["flyte.org/instance"] = LabelValue(options_.instance);
  p.labels["flyte.org/execution-id"] = LabelValue(l.attempt.execution);
  p.labels["flyte.org/node-id"] = LabelValue(l.attempt.node);
  p.labels["flyte.org/attempt"] = std::to_string(l.attempt.attempt);
  p.labels["flyte.org/task"] = LabelValue(l.attempt.task);
  p.labels["flyte.org/project"] = LabelValue(l.attempt.project);
  p.labels["flyte.org/domain"] = LabelValue(l.attempt.domain);
  p.annotations = options_.annotations;
  p.annotations["flyte.org/execution"] = l.attempt.execution;
  p.annotations["flyte.org/node"] = l.attempt.node;
  p.annotations["flyte.org/task"] = l.attempt.task;
  p.image = !l.image.empty() ? l.image : options_.default_image;
  std::vector<std::string> argv = {std::string(kHelperDir) + "/flyte-pod", "--"};
  if (task.script) {
    argv.insert(argv.end(), task.spec->shell.begin(), task.spec->shell.end());
    argv.push_back("-c");
    argv.push_back(Expand(*task.script, l, pod_paths));
    argv.push_back(task.name);
  } else {
    for (const CompiledTemplate& arg : task.command) argv.push_back(Expand(arg, l, pod_paths));
  }
  p.command = std::move(argv);
  for (const auto& [k, tpl] : task.env) p.env.push_back({k, Expand(tpl, l, pod_paths), "", ""});
  // Secrets as variables (secretKeyRef) or, with `file:`, a key mounted at that path. NAME is
  // key NAME of the configured Secret; GROUP/KEY is key KEY of Secret GROUP.
  for (const spec::Secret& s : task.spec->secrets) {
    size_t slash = s.name.find('/');
    std::string secret =
        slash != std::string::npos ? s.name.substr(0, slash) : options_.secret_name;
    std::string key = slash != std::string::npos ? s.name.substr(slash + 1) : s.name;
    if (!s.file.empty()) {
      p.secret_files.push_back({std::move(secret), std::move(key), s.file});
    } else if (!s.env.empty()) {
      p.env.push_back({s.env, "", std::move(secret), std::move(key)});
    }
  }
  p.env.push_back({"FLYTE_INPUT_DIR", kInputDir, "", ""});
  p.env.push_back({"FLYTE_OUTPUT_DIR", kOutputDir, "", ""});
  p.env.push_back({"FLYTE_RAW_OUTPUT_DIR", kRawDir, "", ""});
  for (const auto& [k, v] : l.env) p.env.push_back({k, v, "", ""});
  if (!task.spec->workdir.empty() && task.spec->workdir[0] == '/')
    p.working_dir = task.spec->workdir;
  if (l.resources) {
    p.requests = kube::Quantities(l.resources->requests);
    p.limits = kube::Quantities(l.resources->limits);
    if (l.resources->limits.mem_bytes)
      a.classify.memory_limit = kube::BytesQuantity(*l.resources->limits.mem_bytes);
  }
  // Small inputs travel in the Pod itself (one request fewer, no object to collect); larger
  // ones in a ConfigMap of their own.
  std::vector<std::pair<std::string, std::string>> input_files =
      a.input_files ? *a.input_files : InputFiles(l);
  size_t input_bytes = 0;
  for (const auto& [name, bytes] : input_files) input_bytes += bytes.size();
  a.inputs_too_large = !a.staged && input_bytes > kMaxConfigMapBytes ? input_bytes : 0;
  if (!a.transfers.empty()) {
    input_files.emplace_back(kTransfersFile, a.transfers);
    p.env.push_back({kDataDirEnv, kDataDir, "", ""});
  }
  std::string packed = PackFiles(0, input_files);
  if (packed.size() <= kMaxInlineInputs) {
    p.env.push_back({kInputsEnv, std::move(packed), "", ""});
    p.empty_dirs = {kInputDir, kOutputDir, kRawDir};
    a.inputs.clear();
  } else {
    p.config_maps.push_back({a.inputs, kInputDir, 0444});
    p.empty_dirs = {kOutputDir, kRawDir};
  }
  if (!a.transfers.empty()) p.empty_dirs.push_back(kDataDir);
  p.config_maps.push_back({helper_config_map_, kHelperDir, 0555});
  p.service_account = options_.service_account;
  p.node_selector = options_.node_selector;
  p.tolerations_json = options_.tolerations_json;
  // A plugin's main Pod stays on regular capacity; its workers may not (PrepareResource).
  const bool plugin = task.spec->plugin.kind != spec::PluginKind::kNone;
  if (l.interruptible && !plugin) {
    for (const auto& [k, v] : options_.interruptible_node_selector) p.node_selector[k] = v;
    if (!options_.interruptible_tolerations_json.empty()) {
      p.tolerations_json =
          options_.tolerations_json.empty()
              ? options_.interruptible_tolerations_json
              : options_.tolerations_json.substr(0, options_.tolerations_json.rfind(']')) + "," +
                    options_.interruptible_tolerations_json.substr(
                        options_.interruptible_tolerations_json.find('[') + 1);
    }
  }
  p.pod_template_json = options_.pod_template_json;
  // The task's own settings, over the server's.
  if (const std::optional<spec::KubernetesSettings>& k = task.spec->kubernetes) {
    if (!k->service_account.empty()) p.service_account = k->service_account;
    for (const auto& [key, v] : k->node_selector) p.node_selector[key] = v;
    for (const auto& [key, v] : k->labels) {
      if (!StartsWith(key, "flyte.org/") && key != "app.kubernetes.io/managed-by")
        p.labels[key] = v;
    }
    for (const auto& [key, v] : k->annotations) {
      if (!StartsWith(key, "flyte.org/")) p.annotations[key] = v;
    }
    if (k->tolerations && !k->tolerations->as_list().empty()) {
      const std::string mine = k->tolerations->ToCanonicalJson();
      p.tolerations_json =
          p.tolerations_json.empty() || p.tolerations_json == "[]"
              ? mine
              : p.tolerations_json.substr(0, p.tolerations_json.rfind(']')) + "," + mine.substr(1);
    }
    if (k->pod_template) p.pod_template_json = k->pod_template->ToCanonicalJson();
  }
  a.classify.image_pull_grace_nanos = options_.image_pull_grace_nanos;
  Result<std::string> manifest = kube::PodManifest(p);
  if (manifest.ok()) {
    a.manifest = std::move(*manifest);
  } else {
    a.manifest_error = manifest.status().message();
  }
  if (plugin && !a.manifest.empty()) PrepareResource(a, p);

  if (a.inputs.empty()) return;
  kube::ConfigMapRequest cm;
  cm.name = a.inputs;
  cm.ns = a.ns;
  cm.labels = {{"app.kubernetes.io/managed-by", "flyte"},
               {"flyte.org/instance", LabelValue(options_.instance)},
               {"flyte.org/execution-id", LabelValue(l.attempt.execution)}};
  for (auto& [name, bytes] : input_files) cm.binary_data[name] = std::move(bytes);
  a.inputs_manifest = kube::ConfigMapManifest(cm);
}

PodRunner::Attempt& PodRunner::Track(TaskLaunch launch) {
  auto owned = std::make_unique<Attempt>();
  Attempt& a = *owned;
  a.id = launch.id;
  a.launch = std::move(launch);
  a.ns = a.launch.kube_namespace.empty() ? ns_ : a.launch.kube_namespace;
  attempts_[a.id] = std::move(owned);
  EnsureWatch(a.ns);
  return a;
}

void PodRunner::Start(TaskLaunch launch) {
  EngineCall call(engine_calls_);
  const uint64_t id = launch.id;
  Attempt& a = Track(std::move(launch));
  const CompiledTask& task = *a.launch.task;
  const bool files = PodMovesFiles(task);
  if (files && (options_.stores == nullptr || !options_.stores->has_prefix())) {
    return Fail(id, AttemptResult::Status::kUserError, ExecErrorCode::kRawDataPrefixRequired,
                "task " + Quote(task.name) +
                    " passes files or folders; on Kubernetes they travel through object storage: "
                    "set raw_data_prefix (--raw-data-prefix s3://BUCKET/PREFIX, or in the server "
                    "config), or run the task locally (runner: local)",
                false);
  }
  if (a.launch.image.empty() && options_.default_image.empty() &&
      task.spec->plugin.kind != spec::PluginKind::kResource) {
    return Fail(id, AttemptResult::Status::kUserError, ExecErrorCode::kNoImage,
                "task " + Quote(task.name) +
                    " has no image, and no default image is configured (kubernetes.image)",
                false);
  }
  if (kPodHelperSize == 0) {
    return Fail(id, AttemptResult::Status::kSystemError, ExecErrorCode::kNoPodHelper,
                "this flyte was built without the static in-Pod program (no static C++ library), "
                "so it cannot run Pods",
                false);
  }
  // With a prefix every Pod gets its URLs: for files, large inputs, and outputs too large for
  // the termination message (presigning is local: no request to the bucket unless inputs
  // need uploading).
  if (options_.stores != nullptr && options_.stores->has_prefix())
    return StageFiles(a, [this](Attempt& staged) { Launch(staged); });
  Launch(a);
}

void PodRunner::StageFiles(Attempt& a, std::function<void(Attempt&)> then) {
  // Uploading local inputs and presigning are network calls: on a worker.
  Submit([this, id = a.id, launch = a.launch, pod = PodName(a.launch.attempt, options_.instance),
          then = std::move(then)] {
    Result<PodFiles> staged = StagePodFiles(*options_.stores, launch, pod, kDataDir);
    Post([this, id, staged = std::move(staged), then]() mutable {
      auto it = attempts_.find(id);
      if (it == attempts_.end()) return;  // aborted meanwhile
      if (!staged.ok()) {
        const bool again = staged.status().code() == StatusCode::kUnavailable;
        return Fail(id, AttemptResult::Status::kSystemError, ExecErrorCode::kInputsNotStaged,
                    "cannot prepare the Pod's files: " + staged.status().message(), again);
      }
      it->second->launch.inputs = std::move(staged->pod_inputs);
      it->second->transfers = std::move(staged->transfers);
      it->second->input_files = std::move(staged->input_files);
      it->second->staged = true;
      then(*it->second);
    });
  });
}

void PodRunner::Launch(Attempt& a) {
  const uint64_t id = a.id;
  const CompiledTask& task = *a.launch.task;
  Prepare(a);
  if (a.inputs_too_large > 0) {
    return Fail(id, AttemptResult::Status::kUserError, ExecErrorCode::kInputsTooLarge,
                "the inputs of task " + Quote(task.name) + " (" +
                    std::to_string(a.inputs_too_large) +
                    " bytes) do not fit in a ConfigMap (1 MiB): set raw_data_prefix "
                    "(--raw-data-prefix s3://BUCKET/PREFIX, or in the server config), through "
                    "which large inputs reach Pods, or run the task locally (runner: local)",
                false);
  }
  if (a.manifest.empty() || (a.resource != nullptr && a.resource->body.empty())) {
    return Fail(id, AttemptResult::Status::kUserError, ExecErrorCode::kInvalidPod,
                "the Pod of task " + Quote(task.name) + " cannot be built: " +
                    (a.manifest_error.empty() ? "the pod template or tolerations are invalid"
                                              : a.manifest_error),
                false);
  }
  // The attempt's folder holds its log and, at the end, the outputs read back; the inputs
  // travel in the Pod, so nothing else is written here.
  std::error_code ec;
  fs::create_directories(a.launch.attempt_dir, ec);
  if (Status st = ec ? IOError("cannot create " + a.launch.attempt_dir + ": " + ec.message())
                     : Status::Ok();
      !st.ok()) {
    return Fail(id, AttemptResult::Status::kSystemError, ExecErrorCode::kInputsNotWritten,
                st.message(), true);
  }
  if (a.resource != nullptr) {
    by_resource_[a.resource->name] = id;
  } else {
    by_pod_[a.pod] = id;
  }
  Progress(a, TaskPhase::kQueued, "");
  waiting_.push_back(id);
  StartQueued();
}

void PodRunner::StartQueued() {
  while (!waiting_.empty() && in_flight_ < options_.max_pods) {
    uint64_t id = waiting_.front();
    waiting_.pop_front();
    auto it = attempts_.find(id);
    if (it == attempts_.end() || it->second->stage != Attempt::Stage::kWaiting) continue;
    it->second->counted = true;
    ++in_flight_;
    Create(id);
  }
  for (uint64_t id : waiting_) {
    auto it = attempts_.find(id);
    if (it != attempts_.end()) {
      Progress(*it->second, TaskPhase::kQueued,
               "waiting for a Pod slot (" + std::to_string(options_.max_pods) +
                   " Pods at most at once)");
    }
  }
}

void PodRunner::Create(uint64_t id) {
  Attempt& a = *attempts_.at(id);
  if (!a.staged && options_.stores != nullptr && options_.stores->has_prefix()) {
    // Adopted, but its Pod was never created: its transfers need their URLs first.
    return StageFiles(a, [this](Attempt& staged) {
      Prepare(staged);
      Create(staged.id);
    });
  }
  a.stage = Attempt::Stage::kCreating;
  const std::string base = "/api/v1/namespaces/" + a.ns;
  // A plugin task creates its custom resource where a Pod task creates its Pod.
  std::optional<kube::ResourceKind> kind;
  if (a.resource != nullptr) kind = a.resource->kind;
  Submit([this, id, base, ns = a.ns, kind, pod = a.resource ? a.resource->name : a.pod,
          inputs = a.inputs, manifest = a.resource ? a.resource->body : a.manifest,
          cm = a.inputs_manifest, attempt_label = std::to_string(a.launch.attempt.attempt),
          exec_label = LabelValue(a.launch.attempt.execution)] {
    auto report = [&](Status st, std::string uid, bool quota_wait) {
      Post([this, id, st, uid, quota_wait] { OnCreated(id, st, uid, quota_wait); });
    };
    {
      // The in-Pod program: one immutable ConfigMap per namespace and flyte version.
      std::lock_guard<std::mutex> lock(helper_mu_);
      if (ns != ns_ && !recorded_ns_.count(ns)) {
        // Before the first object there: a restarted flyte sweeps the namespaces recorded.
        if (Status st = RecordNamespace(ns); !st.ok()) return report(st, "", false);
        recorded_ns_.insert(ns);
      }
      if (!helper_ready_.count(ns)) {
        Result<kube::Response> got = client_.Get(base + "/configmaps/" + helper_config_map_);
        if (got.ok() && got->status == 404) {
          kube::ConfigMapRequest h;
          h.name = helper_config_map_;
          h.ns = ns;
          h.labels = {{"app.kubernetes.io/managed-by", "flyte"}};
          h.binary_data["flyte-pod"] =
              std::string(reinterpret_cast<const char*>(kPodHelperBytes), kPodHelperSize);
          got = client_.Send("POST", base + "/configmaps", kube::ConfigMapManifest(h));
          if (got.ok() && got->status == 409) got->status = 200;
        }
        if (!got.ok()) return report(got.status(), "", false);
        if (!got->ok())
          return report(kube::ErrorOf(*got, "creating ConfigMap " + helper_config_map_), "", false);
        helper_ready_.insert(ns);
      }
    }
    std::string collection = base + "/pods", what = "Pod " + pod;
    if (kind) {
      // Nothing is created for an operator that is not installed.
      Result<std::string> c = ResourceCollection(*kind, ns);
      if (!c.ok()) return report(c.status(), "", false);
      collection = *c;
      what = kind->kind + " " + pod;
      Post([this, id, collection] {
        auto it = attempts_.find(id);
        if (it != attempts_.end() && it->second->resource)
          it->second->resource->collection = collection;
      });
    }
    Result<kube::Response> r = Unavailable("");
    if (!cm.empty()) {
      r = client_.Send("POST", base + "/configmaps", cm);
      if (!r.ok()) return report(r.status(), "", false);
      if (!r->ok() && r->status != 409)
        return report(kube::ErrorOf(*r, "creating ConfigMap " + inputs), "", false);
    }
    r = client_.Send("POST", collection, manifest);
    if (!r.ok()) return report(r.status(), "", false);
    std::string uid;
    if (r->status == 409) {
      // Created before (a retried request, or a restart): ours if its labels say so.
      Result<kube::Response> got = client_.Get(collection + "/" + pod);
      if (!got.ok()) return report(got.status(), "", false);
      kube::ObjectMeta m = kube::ParseMeta(got->body);
      if (!got->ok() || m.labels["flyte.org/attempt"] != attempt_label ||
          m.labels["flyte.org/execution-id"] != exec_label) {
        return report(kube::ErrorOf(*r, "creating " + what), "", false);
      }
      uid = m.uid;
    } else if (!r->ok()) {
      if (r->status == 403 && kube::IsQuotaRefusal(r->message)) {
        if (std::string never = kube::QuotaNeverFits(r->message); !never.empty()) {
          return report(FailedPrecondition(never + " (" + r->message + ")"), "", false);
        }
        return report(Unavailable(r->message), "", true);
      }
      return report(kube::ErrorOf(*r, "creating " + what), "", false);
    } else {
      uid = kube::ParseMeta(r->body).uid;
    }
    // The inputs go with the Pod (garbage collection), even if flyte is gone by then.
    if (!cm.empty()) {
      (void)client_.Send("PATCH", base + "/configmaps/" + inputs,
                         kind ? kube::OwnerPatch(pod, uid, kind->group_version, kind->kind)
                              : kube::OwnerPatch(pod, uid),
                         "application/merge-patch+json");
    }
    report(Status::Ok(), uid, false);
  });
}

void PodRunner::OnCreated(uint64_t id, Status st, std::string uid, bool quota_wait) {
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  Attempt& a = *it->second;
  if (!st.ok()) {
    if (a.aborted) {
      AttemptResult r;
      r.status = AttemptResult::Status::kAborted;
      r.code = ExecErrorCode::kAborted;
      r.message = "aborted";
      return Finish(id, std::move(r));
    }
    if (quota_wait) {
      a.stage = Attempt::Stage::kWaiting;
      a.retry_create_at = Now() + kQuotaRetryNanos;
      Progress(a, TaskPhase::kWaitingForResources, st.message());
      return;
    }
    if (st.code() == StatusCode::kNotFound && a.resource != nullptr) {
      return Fail(id, AttemptResult::Status::kUserError, ExecErrorCode::kOperatorNotInstalled,
                  st.message(), false);
    }
    const bool bad_request =
        st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kFailedPrecondition;
    return Fail(
        id, bad_request ? AttemptResult::Status::kUserError : AttemptResult::Status::kSystemError,
        st.code() == StatusCode::kFailedPrecondition && kube::IsQuotaRefusal(st.message())
            ? ExecErrorCode::kQuotaExceeded
            : ExecErrorCode::kPodNotCreated,
        st.message(), !bad_request);
  }
  if (a.stage != Attempt::Stage::kCreated) {
    a.stage = Attempt::Stage::kCreated;
    a.uid = uid;
  }
  if (a.resource != nullptr) {
    if (!a.resource->created_at) a.resource->created_at = Now();
    EnsureResourceWatch(a.resource->collection);
  }
  if (a.aborted) {
    DeleteObject(ObjectPath(a), options_.abort_grace_seconds);
    a.abort_deadline = Now() + (options_.abort_grace_seconds + 5) * 1'000'000'000;
    return;
  }
  if (a.resource != nullptr && a.pod.empty()) {
    // Adopted after a restart: its main Pod may already be known.
    for (const auto& [name, pod] : seen_) {
      if (ClaimMainPod(pod) != by_pod_.end()) return OnPod(pod, false);
    }
  }
  if (auto seen = seen_.find(a.pod); seen != seen_.end()) OnPod(seen->second, false);
}

void PodRunner::OnSync(const std::string& ns, std::vector<kube::Object> objects) {
  std::map<std::string, kube::Pod> now;
  for (kube::Object& o : objects) {
    if (o.pod) now[o.meta.name] = *o.pod;
  }
  // Pods of this namespace that went while its watch was away: their last state decides.
  std::vector<std::string> gone;
  for (const auto& [name, pod] : seen_) {
    if (pod.meta.ns == ns && !now.count(name)) gone.push_back(name);
  }
  for (const std::string& name : gone) {
    const kube::Pod last = seen_[name];  // a copy: OnPod erases the entry first
    OnPod(last, true);
  }
  for (const auto& [name, pod] : now) OnPod(pod, false);
  PodWatch& w = watches_[ns];
  const bool first = !w.synced;
  w.synced = true;
  if (first) {
    auto adopting = std::move(adopting_);
    adopting_.clear();
    for (uint64_t id : adopting) {
      auto it = attempts_.find(id);
      if (it == attempts_.end()) continue;
      Attempt& a = *it->second;
      if (a.ns != ns) {
        adopting_.push_back(id);  // its namespace is listed by another watch
        continue;
      }
      auto seen = seen_.find(a.pod);
      if (seen == seen_.end()) {
        waiting_.push_back(id);  // never created (we stopped before): create it now
        continue;
      }
      a.stage = Attempt::Stage::kCreated;
      a.uid = seen->second.meta.uid;
      a.counted = true;
      ++in_flight_;
      OnPod(seen->second, false);
    }
    StartQueued();
    if (sweep_wanted_) SweepUnclaimed();
  }
}

void PodRunner::OnPod(const kube::Pod& pod, bool deleted) {
  if (deleted) {
    seen_.erase(pod.meta.name);
  } else {
    seen_[pod.meta.name] = pod;
  }
  auto found = by_pod_.find(pod.meta.name);
  if (found == by_pod_.end() && !deleted) found = ClaimMainPod(pod);
  if (found == by_pod_.end()) return;
  auto it = attempts_.find(found->second);
  if (it == attempts_.end()) return;
  Attempt& a = *it->second;
  if (a.stage == Attempt::Stage::kWaiting) return;  // an old Pod of that name, being replaced
  if (a.stage == Attempt::Stage::kCreating) {
    if (deleted) return;
    a.stage = Attempt::Stage::kCreated;  // its event came before the answer to our create
    a.uid = pod.meta.uid;
  }
  if (a.aborted) {
    if (deleted) Finish(a.id, AbortedResult());
    return;
  }
  if (a.verdict) return;
  const int64_t now = Now();
  PodVerdict v =
      deleted ? kube::ClassifyDeleted(pod, a.classify) : kube::Classify(pod, now, 0, a.classify);
  // ErrImagePull and ImagePullBackOff alternate while a pull fails: one wait, one grace period.
  const std::string wait_kind =
      v.waiting_reason == "ErrImagePull" || v.waiting_reason == "ImagePullBackOff"
          ? "ImagePull"
          : v.waiting_reason;
  if (!v.terminal() && wait_kind != a.waiting_reason) {
    a.waiting_reason = wait_kind;
    a.waiting_since = now;
  }
  if (!v.terminal() && v.in_grace) v = kube::Classify(pod, now, a.waiting_since, a.classify);
  switch (v.kind) {
    case PodVerdict::Kind::kQueued:
      Progress(a, TaskPhase::kQueued, v.message.empty() ? v.waiting_reason : v.message);
      return;
    case PodVerdict::Kind::kInitializing:
      Progress(a, TaskPhase::kInitializing,
               v.waiting_reason + (v.message.empty() ? "" : ": " + v.message));
      return;
    case PodVerdict::Kind::kRunning:
      a.waiting_reason.clear();
      Progress(a, TaskPhase::kRunning, "");
      if (a.running_since == 0) a.running_since = now;
      // A short task ends before its log is followed, and has it read once instead: no thread
      // and no connection held for it. -v follows at once.
      if (a.launch.stream_output || options_.log_follow_delay_nanos <= 0) FollowLogs(a, true);
      return;
    default:
      break;
  }
  a.verdict = std::move(v);
  a.verdict_at = now;
  if (!deleted)
    FollowLogs(a, false);  // a Pod that ended before we followed it: read its whole log once
  MaybeFinish(a);
}

void PodRunner::FollowLogs(Attempt& a, bool follow) {
  if (a.logs != nullptr) return;
  a.logs = std::make_shared<Attempt::Logs>();
  Attempt::Logs* logs = a.logs.get();
  if (!follow) {
    // The container has ended: its whole log, written to the file as it arrives (a log may be
    // larger than memory), from a worker thread rather than a thread of its own.
    Submit(
        [this, id = a.id, logs = a.logs, file = a.paths.stdout_path,
         stream = a.launch.stream_output,
         path = "/api/v1/namespaces/" + a.ns + "/pods/" + a.pod + "/log?container=" + a.container] {
          int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
          kube::Client::StreamOptions so;
          so.cancel = &logs->cancel;
          so.pooled = true;  // the body ends with the container's log: no connection of its own
          (void)client_.Stream(
              path,
              [&](std::string_view data) {
                if (fd >= 0) [[maybe_unused]]
                  ssize_t n = ::write(fd, data.data(), data.size());
                if (stream) PostOutput(id, std::string(data));
                return true;
              },
              so);
          if (fd >= 0) ::close(fd);
          Post([this, id] { OnLogsDone(id); });
        });
    return;
  }
  const std::string path = "/api/v1/namespaces/" + a.ns + "/pods/" + a.pod +
                           "/log?container=" + a.container + "&follow=true";
  const std::string file = a.paths.stdout_path;
  const bool stream = a.launch.stream_output;
  const uint64_t id = a.id;
  logs->thread = std::thread([this, logs, path, file, stream, id] {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    // A container still being created answers 400: wait for it, unless told to stop.
    for (int tries = 0; tries < 600 && !logs->cancel.cancelled(); ++tries) {
      kube::Client::StreamOptions so;
      so.cancel = &logs->cancel;
      so.read_timeout_nanos = 0;
      Result<kube::Response> r = client_.Stream(
          path,
          [&](std::string_view data) {
            if (fd >= 0) {
              [[maybe_unused]] ssize_t n = ::write(fd, data.data(), data.size());
            }
            if (stream) PostOutput(id, std::string(data));
            return true;
          },
          so);
      if (r.ok() && (r->ok() || r->status == 404)) break;  // done, or the Pod is gone
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (fd >= 0) ::close(fd);
    Post([this, id] { OnLogsDone(id); });
  });
}

void PodRunner::PostOutput(uint64_t id, std::string chunk) {
  Post([this, id, chunk = std::move(chunk)] {
    auto it = attempts_.find(id);
    if (it == attempts_.end() || !it->second->logs) return;
    std::string& partial = it->second->logs->partial;
    partial += chunk;
    size_t start = 0, nl;
    while ((nl = partial.find('\n', start)) != std::string::npos) {
      output_(id, false, std::string_view(partial).substr(start, nl - start));
      start = nl + 1;
    }
    partial.erase(0, start);
  });
}

void PodRunner::OnLogsDone(uint64_t id) {
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  Attempt& a = *it->second;
  a.logs_done = true;
  if (a.logs && a.logs->thread.joinable()) a.logs->thread.join();  // it has just ended
  if (a.launch.stream_output && a.logs && !a.logs->partial.empty()) {
    output_(id, false, a.logs->partial);
    a.logs->partial.clear();
  }
  MaybeFinish(a);
}

void PodRunner::MaybeFinish(Attempt& a) {
  if (a.resource != nullptr) return MaybeFinishResource(a);
  if (!a.verdict) return;
  if (a.logs != nullptr && !a.logs_done) return;  // the log first, so the result can quote it
  if (a.collecting) return;
  FinishEnded(a);
}

void PodRunner::FinishEnded(Attempt& a) {
  if (a.verdict->kind == PodVerdict::Kind::kSucceeded && options_.stores != nullptr &&
      options_.stores->has_prefix() &&
      ((PodMovesFiles(*a.launch.task) && !a.launch.task->spec->dynamic) ||
       UnpackOutputs(a.verdict->termination_message).staged)) {
    return CollectThenFinish(a);
  }
  Finish(a.id, ResultOf(a));
}

void PodRunner::CollectThenFinish(Attempt& a) {
  a.collecting = true;
  // The small outputs from the termination message (or the archive of them all) first, then
  // the staged files beside them; the local reader then stores files and folders content
  // addressed under the prefix.
  AttemptResult unpacked = ResultOf(a, false);
  if (unpacked.status != AttemptResult::Status::kSucceeded)
    return Finish(a.id, std::move(unpacked));
  const bool pack = UnpackOutputs(a.verdict->termination_message).staged;
  Submit([this, id = a.id, launch = a.launch, paths = a.paths, pod = a.pod, pack,
          r = std::move(unpacked)]() mutable {
    Status st =
        pack ? CollectPodPack(*options_.stores, pod, paths, launch.attempt_dir) : Status::Ok();
    if (st.ok() && PodMovesFiles(*launch.task))
      st = CollectPodFiles(*options_.stores, launch, pod, paths.output_dir);
    if (!st.ok()) {
      r.status = AttemptResult::Status::kSystemError;
      r.code = ExecErrorCode::kOutputsNotStored;
      r.retryable = st.code() == StatusCode::kUnavailable;
      r.message = "cannot bring in the Pod's outputs: " + st.message();
    } else if (launch.task->spec->dynamic) {
      DynamicResult(paths, &r);
    } else {
      BlobStore blobs(options_.stores->blob_root());
      blobs.set_remote(options_.stores);
      SetOutputsResult(ReadOutputs(launch, paths, &blobs), paths.stdout_path, &r);
    }
    Post([this, id, r = std::move(r)]() mutable { Finish(id, std::move(r)); });
  });
}

AttemptResult PodRunner::ResultOf(Attempt& a, bool read_outputs) {
  const PodVerdict& v = *a.verdict;
  AttemptResult r;
  r.stdout_path = a.paths.stdout_path;
  r.stderr_path = a.paths.stderr_path;
  r.exit_code = v.exit_code;
  PackedOutputs packed = UnpackOutputs(v.termination_message);
  auto error_file = [&]() -> std::string {
    for (const auto& [name, bytes] : packed.files) {
      if (name == "_ERROR") return std::string(Trim(bytes));
    }
    return {};
  };
  switch (v.kind) {
    case PodVerdict::Kind::kSucceeded: {
      const bool expects_files =
          !a.launch.task->iface.outputs.empty() || a.launch.task->spec->dynamic;
      if (!packed.valid && v.termination_message.empty() && !expects_files) {
        r.status = AttemptResult::Status::kSucceeded;  // nothing to bring back
        return r;
      }
      if (!packed.valid) {
        r.status = AttemptResult::Status::kUserError;
        r.code = ExecErrorCode::kOutputsNotFound;
        r.message = v.termination_message.empty()
                        ? "the Pod's container left no termination message: did its command "
                          "replace the in-Pod "
                          "program (an entrypoint that does not run flyte-pod)?"
                        : "the Pod's termination message was not written by flyte-pod";
        return r;
      }
      std::error_code ec;
      fs::remove_all(a.paths.output_dir, ec);
      fs::create_directories(a.paths.output_dir, ec);
      if (packed.staged && !read_outputs) {
        r.status = AttemptResult::Status::kSucceeded;  // the outputs come from the bucket
        return r;
      }
      if (!packed.folder.empty() || packed.too_large > 0) {
        r.status = AttemptResult::Status::kUserError;
        r.code = ExecErrorCode::kOutputsTooLarge;
        r.retryable = false;
        r.message = !packed.folder.empty()
                        ? "output " + Quote(packed.folder) +
                              " is a folder where the task declares none: only declared file "
                              "and dir outputs travel through the raw_data_prefix"
                        : "the task's outputs (" + std::to_string(packed.too_large) +
                              " bytes) do not fit in a termination message (4 KiB): set "
                              "raw_data_prefix (--raw-data-prefix s3://BUCKET/PREFIX, or in the "
                              "server config), through which larger outputs travel";
        return r;
      }
      for (const auto& [name, bytes] : packed.files) {
        int fd = ::open((a.paths.output_dir + "/" + name).c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) continue;
        [[maybe_unused]] ssize_t n = ::write(fd, bytes.data(), bytes.size());
        ::close(fd);
      }
      if (a.launch.task->spec->dynamic) {
        DynamicResult(a.paths, &r);
        return r;
      }
      if (!read_outputs) {
        r.status = AttemptResult::Status::kSucceeded;
        return r;
      }
      SetOutputsResult(ReadOutputs(a.launch, a.paths, nullptr), a.paths.stdout_path, &r);
      return r;
    }
    case PodVerdict::Kind::kUserError:
    case PodVerdict::Kind::kPermanentError: {
      r.status = AttemptResult::Status::kUserError;
      r.retryable = v.kind == PodVerdict::Kind::kUserError;
      r.code = v.code;
      std::string error = error_file();
      r.message = error.empty() ? v.message : error + " (" + v.message + ")";
      r.tail = Tail(a.paths.stdout_path, kTailLines);
      return r;
    }
    default:
      r.status = AttemptResult::Status::kSystemError;
      r.code = v.code;
      r.message = v.message;
      r.tail = Tail(a.paths.stdout_path, kTailLines);
      return r;
  }
}

void PodRunner::Finish(uint64_t id, AttemptResult r) {
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  std::unique_ptr<Attempt> a = std::move(it->second);
  if (a->stage != Attempt::Stage::kWaiting && (!a->pod.empty() || a->resource)) r.where = Where(*a);
  attempts_.erase(it);
  by_pod_.erase(a->pod);
  if (a->resource) by_resource_.erase(a->resource->name);
  if (a->logs) {
    a->logs->cancel.Cancel();
    if (a->logs->thread.joinable()) a->logs->thread.join();
  }
  (void)CapLog(a->paths.stdout_path, uint64_t{64} << 20);
  if (a->counted) {
    --in_flight_;
    StartQueued();
  }
  const bool failed =
      r.status != AttemptResult::Status::kSucceeded && r.status != AttemptResult::Status::kAborted;
  const bool keep = failed && (!options_.delete_failed || options_.keep_failed_for_nanos > 0);
  std::string doomed =
      a->stage == Attempt::Stage::kCreated && !a->aborted ? ObjectPath(*a) : std::string();
  if (attempts_.empty() && waiting_.empty()) uv_timer_stop(&tick_);
  if (keep && !doomed.empty()) {
    // Until when, on the Pod itself: a restarted flyte's sweep keeps it as long.
    const int64_t keep_nanos = options_.keep_failed_for_nanos;
    const std::string until =
        keep_nanos > 0 ? std::to_string((PodRunnerWallNanos() + keep_nanos) / 1'000'000'000)
                       : "never";
    Submit([this, path = doomed, until] {
      (void)client_.Send(
          "PATCH", path,
          R"({"metadata":{"labels":{")" + std::string(kKeepUntil) + R"(":")" + until + R"("}}})",
          "application/merge-patch+json");
    });
  }
  // The result now, or on the next turn when the engine is calling in (mid-update); the Pod's
  // deletion one turn later still, after the result's writes are committed: a restart must
  // never find the Pod gone while its attempt still reads as running (it would run the task
  // again).
  auto deliver = [this, id, r = std::move(r), doomed = std::move(doomed), keep]() mutable {
    done_(id, std::move(r));
    if (doomed.empty()) return;
    if (!keep) return DeleteLater(std::move(doomed), 0, false);
    if (options_.keep_failed_for_nanos > 0) {
      DeleteLater(std::move(doomed),
                  static_cast<uint64_t>(options_.keep_failed_for_nanos / 1'000'000), true);
    }
  };
  if (engine_calls_ > 0) return Post(std::move(deliver));
  deliver();
}

void PodRunner::DeleteLater(std::string path, uint64_t delay_ms, bool kept) {
  auto* timer = new uv_timer_t;
  uv_timer_init(loop_, timer);
  timer->data = this;
  (kept ? keeping_ : deleting_)[timer] = std::move(path);
  uv_timer_start(
      timer,
      [](uv_timer_t* t) {
        auto* self = static_cast<PodRunner*>(t->data);
        auto& timers = self->deleting_.count(t) ? self->deleting_ : self->keeping_;
        auto it = timers.find(t);
        self->DeleteObject(it->second, -1);
        timers.erase(it);
        uv_close(reinterpret_cast<uv_handle_t*>(t),
                 [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
      },
      delay_ms, 0);
}

void PodRunner::DeleteObject(const std::string& path, int64_t grace_seconds) {
  Submit([this, path, grace_seconds] {
    (void)client_.Send("DELETE", path, kube::DeleteOptions(grace_seconds));
  });
}

std::string PodRunner::InstanceSelector() const {
  return "app.kubernetes.io/managed-by=flyte,flyte.org/instance=" + LabelValue(options_.instance);
}

std::string PodRunner::ObjectPath(const Attempt& a) const {
  return a.resource ? a.resource->Path() : "/api/v1/namespaces/" + a.ns + "/pods/" + a.pod;
}

std::string PodRunner::Where(const Attempt& a) const {
  if (a.resource == nullptr) return "pod " + a.ns + "/" + a.pod;
  return a.resource->kind.kind + " " + a.ns + "/" + a.resource->name +
         (a.pod.empty() ? "" : " (pod " + a.pod + ")");
}

void PodRunner::Abort(uint64_t id) {
  EngineCall call(engine_calls_);
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  Attempt& a = *it->second;
  if (a.aborted) return;
  a.aborted = true;
  switch (a.stage) {
    case Attempt::Stage::kWaiting: {
      AttemptResult r;
      r.status = AttemptResult::Status::kAborted;
      r.code = ExecErrorCode::kAborted;
      r.message = "aborted";
      return Finish(id, std::move(r));
    }
    case Attempt::Stage::kCreating:
      return;  // deleted as soon as its creation is answered
    case Attempt::Stage::kCreated:
      DeleteObject(ObjectPath(a), options_.abort_grace_seconds);
      a.abort_deadline = Now() + (options_.abort_grace_seconds + 5) * 1'000'000'000;
      return;
  }
}

void PodRunner::DeleteAll() {
  for (auto& [id, a] : attempts_) {
    if (a->stage == Attempt::Stage::kCreated) DeleteObject(ObjectPath(*a), 0);
  }
}

void PodRunner::Adopt(TaskLaunch launch) {
  EngineCall call(engine_calls_);
  const uint64_t id = launch.id;
  Attempt& a = Track(std::move(launch));
  Prepare(a);
  if (a.resource != nullptr) {
    // Created again: a 409 adopts the existing resource after checking its labels.
    by_resource_[a.resource->name] = id;
    waiting_.push_back(id);
    return StartQueued();
  }
  by_pod_[a.pod] = id;
  if (Synced(a.ns)) {
    auto seen = seen_.find(a.pod);
    if (seen == seen_.end()) {
      waiting_.push_back(id);
      return StartQueued();
    }
    a.stage = Attempt::Stage::kCreated;
    a.uid = seen->second.meta.uid;
    a.counted = true;
    ++in_flight_;
    return OnPod(seen->second, false);
  }
  adopting_.push_back(id);
}

}  // namespace flyte
