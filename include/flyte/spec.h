// The typed model of a workflow file, as the loader reads it (WORKFLOW.md §1–6).
// Every string that has structure (types, durations, templates, references, conditions,
// quantities) is parsed here, once; every element carries its source location. Names are not
// resolved yet: that is the compiler's job. A File owns its YAML document; Binding::node and
// the literal pointers below borrow from it. Files are immutable once loaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flyte/phase.h"
#include "flyte/source.h"
#include "flyte/types.h"
#include "flyte/value.h"

namespace flyte::yaml {
struct Node;
class Document;
}  // namespace flyte::yaml

namespace flyte::spec {

// One step of a JSON attribute path: `.field`, `[0]` or `["key"]`.
struct PathElem {
  bool is_index = false;
  int64_t index = 0;
  std::string key;
};

// The target of a `{{ ... }}`: `inputs.x`, `outputs.y` (task templates only), `node.out`, with
// an optional attribute path `node.out.field[0]`.
struct Ref {
  enum class Root : uint8_t { kInputs, kOutputs, kNode };
  Root root = Root::kInputs;
  std::string node;  // kNode only
  std::string var;
  std::vector<PathElem> path;
  SourceLoc loc;  // where the reference text starts

  // "inputs.x", "train.model.metrics[0]".
  std::string ToString() const;
};

// Text with `{{ }}` holes. Parts alternate freely; a part is text or a reference.
struct TemplatePart {
  std::string text;
  std::optional<Ref> ref;
};
struct Template {
  std::vector<TemplatePart> parts;
  SourceLoc loc;
  bool has_refs() const;
  // The text when there are no references.
  std::string PlainText() const;
};

// The right-hand side of an input assignment: a literal, one typed reference, an interpolated
// string (type str), or a list / mapping mixing these.
struct Binding {
  // Defined in template.cc, where Binding is complete: clang (the fuzz build) would otherwise
  // instantiate the destructor of `entries` while std::pair<std::string, Binding> is incomplete.
  Binding();
  Binding(const Binding&);
  Binding(Binding&&) noexcept;
  Binding& operator=(const Binding&);
  Binding& operator=(Binding&&) noexcept;
  ~Binding();

  enum class Kind : uint8_t { kLiteral, kRef, kInterp, kList, kMap };
  Kind kind = Kind::kLiteral;
  const yaml::Node* node = nullptr;  // where it was written
  SourceLoc loc;
  bool has_refs = false;                                 // anywhere inside
  Ref ref;                                               // kRef
  Template interp;                                       // kInterp
  std::vector<Binding> items;                            // kList
  std::vector<std::pair<std::string, Binding>> entries;  // kMap
};

// A declared input or output.
struct Var {
  std::string name;
  Type type;
  std::optional<Value> default_value;  // inputs only
  std::string description;
  SourceLoc loc;       // the name
  SourceLoc type_loc;  // the type spelling
};

struct CacheSpec {
  bool enabled = false;
  std::string version;  // empty: a hash of the task definition
  bool serialize = false;
  std::vector<std::pair<std::string, SourceLoc>> ignore_inputs;
  std::optional<int64_t> ttl_nanos;
  SourceLoc loc;
};

struct ResourceAmounts {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> mem_bytes;
  std::optional<int64_t> gpu;
  std::optional<int64_t> storage_bytes;
};
struct Resources {
  ResourceAmounts requests;
  ResourceAmounts limits;
  SourceLoc loc;
};

struct Secret {
  std::string name;
  std::string env;   // the variable it is exposed as (default: NAME upper-cased)
  std::string file;  // or a path it is mounted at
  SourceLoc loc;
};

struct RetryBackoff {
  int64_t initial_nanos = 1'000'000'000;
  int64_t max_nanos = 60'000'000'000;
  double factor = 2.0;
};

// kResource: `plugin: resource`, any object built from a manifest (spec/resource_plugin.h).
enum class PluginKind : uint8_t { kNone, kDask, kRay, kSpark, kPytorch, kResource };
struct PluginRole {
  std::string role;  // "workers", "scheduler", "head", "driver", "executor", "master"
  std::optional<int64_t> replicas;
  std::optional<Resources> resources;
  std::string image;
};
struct PluginSpec {
  PluginKind kind = PluginKind::kNone;
  std::vector<PluginRole> roles;
  // spark `conf`, ray `runtime_env`: passed through as json; resource: {manifest, success,
  // failure}.
  std::optional<Value> settings;
  std::string version;  // spark `version` (sparkVersion); empty: the builder's default
  SourceLoc loc;
};

// Where a task may run when Kubernetes is configured (KUBERNETES.md §2): `auto` runs it as a
// Pod when it has an image (its own or the configured default), `local` keeps it a local
// process, `kubernetes` requires a cluster.
enum class RunnerChoice : uint8_t { kAuto, kLocal, kKubernetes };

// A task's Pod settings on Kubernetes (KUBERNETES.md §2), over the server's.
struct KubernetesSettings {
  std::string service_account;
  std::vector<std::pair<std::string, std::string>> node_selector, labels, annotations;
  std::optional<Value> tolerations;   // a list of tolerations, as Kubernetes spells them
  std::optional<Value> pod_template;  // a Pod, PodTemplate or Pod spec merged under the task's Pod
  // Where its Pod (and custom resource) goes; empty: the server's. Placement only: not part
  // of the definition hash nor of the cache key.
  std::string ns;
  SourceLoc loc;
};

struct Task {
  std::string name;
  SourceLoc loc;
  std::string description;
  std::vector<Var> inputs;
  std::vector<Var> outputs;
  std::vector<Template> command;   // either command...
  std::optional<Template> script;  // ...or script, run with `shell`
  std::vector<std::string> shell = {"sh", "-eu"};
  std::string workdir;  // as written; relative to the file's folder
  std::vector<std::pair<std::string, Template>> env;
  std::string image;
  int32_t retries = 0;
  RetryBackoff retry_backoff;
  std::optional<int64_t> timeout_nanos;
  CacheSpec cache;
  std::optional<Resources> resources;
  std::vector<Secret> secrets;
  bool interruptible = false;
  bool dynamic = false;
  PluginSpec plugin;
  RunnerChoice runner = RunnerChoice::kAuto;
  std::optional<KubernetesSettings> kubernetes;
};

enum class NodeKind : uint8_t {
  kTask,
  kWorkflow,
  kLaunchPlan,
  kMap,
  kBranch,
  kSleep,
  kApprove,
  kSignal,
};
const char* NodeKindName(NodeKind kind);                       // "task", "launch_plan"...
std::optional<NodeKind> ParseNodeKind(std::string_view name);  // NodeKindName's inverse

struct InputBinding {
  std::string name;
  SourceLoc loc;
  Binding value;
};

// Per-node settings that override the task's (task and map nodes).
struct Overrides {
  std::optional<int32_t> retries;
  std::optional<int64_t> timeout_nanos;  // for gates: how long to wait
  std::optional<CacheSpec> cache;
  std::optional<Resources> resources;
  std::optional<std::string> image;
  std::optional<bool> interruptible;
  std::optional<std::string> kube_namespace;  // kubernetes: {namespace: NS}
  SourceLoc loc;  // of the first override, for "only on task nodes" errors
};

// A branch condition: comparisons joined by `and` / `or`, with parentheses.
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
const char* CompareOpText(CompareOp op);
struct Operand {
  std::optional<Ref> ref;  // a `{{ ref }}`, or else a literal:
  Value literal;
  TypeKind literal_type = TypeKind::kNone;  // int, float, str, bool, datetime, duration
  SourceLoc loc;
};
struct Condition {
  enum class Kind : uint8_t { kAnd, kOr, kCompare };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;
  Operand lhs, rhs;                 // kCompare; a bare bool operand reads as `== true`
  std::vector<Condition> operands;  // kAnd / kOr: two or more
  SourceLoc loc;
};

struct NodeBody;
struct BranchCase {
  bool is_else = false;
  std::optional<Condition> condition;       // absent for else
  std::optional<std::string> fail_message;  // `fail: msg` instead of a node
  std::shared_ptr<const NodeBody> body;     // null when fail_message is set
  SourceLoc loc;
};

// What a node runs. Branch cases hold bodies too.
struct NodeBody {
  NodeKind kind = NodeKind::kTask;
  std::string target;  // task, workflow, launch plan, or mapped task
  SourceLoc loc;       // the kind key
  SourceLoc target_loc;
  std::vector<InputBinding> inputs;
  Overrides overrides;
  // map
  std::vector<std::pair<std::string, SourceLoc>> over;  // empty: every bound list input
  std::optional<uint32_t> concurrency;
  std::optional<double> min_success_ratio;
  std::optional<uint32_t> min_successes;
  // branch
  std::vector<BranchCase> cases;
  // gates: sleep's duration or approve's value
  std::optional<Binding> gate_value;
  std::string signal_name;
  Type signal_type;
};

struct Node {
  std::string id;
  SourceLoc loc;
  std::string description;
  NodeBody body;
  std::vector<std::pair<std::string, SourceLoc>> after;
};

enum class FailurePolicy : uint8_t { kFailImmediately, kFailAfterExecutableNodesComplete };

struct OutputDecl {
  std::string name;
  Binding value;
  std::optional<Type> type;  // long form only; otherwise inferred from the binding
  std::string description;
  SourceLoc loc;
};

struct FailureHandler {
  NodeKind kind = NodeKind::kTask;  // kTask or kWorkflow
  std::string target;
  SourceLoc loc;
  SourceLoc target_loc;
  std::vector<InputBinding> inputs;  // explicit; the rest bind by name (inputs, `error`)
};

struct Workflow {
  std::string name;
  SourceLoc loc;
  std::string description;
  std::vector<Var> inputs;
  std::vector<OutputDecl> outputs;
  std::vector<Node> nodes;
  SourceLoc nodes_loc;
  FailurePolicy failure_policy = FailurePolicy::kFailImmediately;
  std::optional<FailureHandler> on_failure;
  std::optional<uint32_t> max_parallelism;
};

// A parsed 5-field cron expression (or @daily-style descriptor).
struct CronSpec {
  std::string text;
  uint64_t minutes = 0;  // bit i set: minute i matches
  uint32_t hours = 0;
  uint32_t days_of_month = 0;   // bit 1..31
  uint16_t months = 0;          // bit 1..12
  uint8_t days_of_week = 0;     // bit 0..6, Sunday = 0
  bool dom_restricted = false;  // for the POSIX either-or rule
  bool dow_restricted = false;
};

struct Schedule {
  std::optional<CronSpec> cron;
  std::optional<int64_t> every_nanos;
  std::string kickoff_input;
  SourceLoc kickoff_loc;
  std::string timezone = "UTC";
  SourceLoc loc;
};

enum class Catchup : uint8_t { kNone, kLatest, kAll };
enum class Overlap : uint8_t { kSkip, kAllow };

struct Notification {
  std::vector<ExecutionPhase> on;
  std::string webhook;
  SourceLoc loc;
};

struct LiteralAssign {
  std::string name;
  SourceLoc loc;
  const yaml::Node* value = nullptr;
};

struct LaunchPlan {
  std::string name;
  SourceLoc loc;
  std::string description;
  std::string workflow;
  SourceLoc workflow_loc;
  std::vector<LiteralAssign> fixed_inputs;
  std::vector<LiteralAssign> default_inputs;
  std::optional<Schedule> schedule;
  Catchup catchup = Catchup::kLatest;
  Overlap overlap = Overlap::kAllow;
  std::optional<uint32_t> max_parallelism;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  std::vector<Notification> notifications;
};

struct File {
  std::shared_ptr<const File> base;  // a dynamic fragment: the file whose entities it copies
  std::shared_ptr<const SourceFile> source;
  std::shared_ptr<const yaml::Document> doc;
  std::string project = "flytesnacks";
  std::string domain = "development";
  std::vector<Task> tasks;
  std::vector<Workflow> workflows;
  std::vector<LaunchPlan> launch_plans;
};

}  // namespace flyte::spec
