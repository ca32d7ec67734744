// The compiled form of a workflow file: what the executor runs.
// Names are resolved to indices, every binding is type-checked and carries its static type,
// and each workflow's graph is flat arrays of indices (CSR adjacency, a topological order and
// critical-path weights), so that scheduling never searches by name or walks maps.
// A CompiledFile is immutable and shares ownership of the spec::File it was compiled from
// (compiled entities point into it for things they pass through unchanged). Thread-safe to
// read from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flyte/spec.h"
#include "flyte/types.h"
#include "flyte/value.h"

namespace flyte {

inline constexpr uint32_t kNoIndex = UINT32_MAX;
// DataRef::node values that are not nodes.
inline constexpr uint32_t kWorkflowInputs = UINT32_MAX;    // the workflow's inputs
inline constexpr uint32_t kFailureError = UINT32_MAX - 1;  // on_failure's `error`

struct Variable {
  std::string name;
  Type type;
  std::optional<Value> default_value;
  std::string description;
  // Must be bound: no default and not optional.
  bool required() const { return !default_value && !type.IsOptional(); }
};

struct Interface {
  std::vector<Variable> inputs;
  std::vector<Variable> outputs;
  // Index of the variable, or kNoIndex.
  uint32_t FindInput(std::string_view name) const;
  uint32_t FindOutput(std::string_view name) const;
};

// Where a bound value comes from: an output of a node of the same workflow, or the workflow's
// inputs; with an optional attribute path into it.
struct DataRef {
  uint32_t node = kWorkflowInputs;
  uint32_t var = 0;
  std::vector<spec::PathElem> path;
};

struct CompiledBinding;
struct InterpPart {
  std::string text;
  std::optional<DataRef> ref;
};

struct CompiledBinding {
  enum class Kind : uint8_t { kLiteral, kRef, kInterp, kList, kMap };
  Kind kind = Kind::kLiteral;
  Type type;                           // the static type of the result
  Value literal;                       // kLiteral
  DataRef ref;                         // kRef
  std::vector<InterpPart> parts;       // kInterp
  std::vector<CompiledBinding> items;  // kList, kMap (values)
  std::vector<std::string> keys;       // kMap, parallel to items
};

struct BoundInput {
  uint32_t var;  // index into the target's interface inputs
  CompiledBinding value;
};

// A task's command, script or env value with its holes resolved to variable indices.
struct TemplateSegment {
  enum class Kind : uint8_t { kText, kInput, kOutput };
  Kind kind = Kind::kText;
  std::string text;  // kText
  uint32_t var = 0;  // kInput / kOutput
};
using CompiledTemplate = std::vector<TemplateSegment>;

// Which kind of runner a task's attempts need, from what the task declares: a plugin's custom
// resource, a container (it names an image), or a plain process. A routing runner
// (runner/routing_runner.h) maps each kind to a runner at run time; where a kind has none of
// its own (no Kubernetes configured), the process runner runs it locally, as flytekit does.
// `runner: local` pins a task to this machine (kLocal), whatever is configured;
// `runner: kubernetes` needs a cluster (kKubernetes): without one it is refused, not run here.
enum class ExecutorKind : uint8_t {
  kProcess,
  kContainer,
  kDask,
  kRay,
  kSpark,
  kPytorch,
  kLocal,
  kKubernetes,
  kResource  // plugin: resource: an object on the cluster, nothing runs here
};
inline constexpr int kExecutorKinds = 9;
std::string_view ExecutorKindName(ExecutorKind kind);  // "process", "container", "dask", "local"...

struct CompiledTask {
  std::string name;
  ExecutorKind executor = ExecutorKind::kProcess;
  const spec::Task* spec = nullptr;
  Interface iface;
  std::vector<CompiledTemplate> command;
  std::optional<CompiledTemplate> script;
  std::vector<std::pair<std::string, CompiledTemplate>> env;
  std::vector<uint32_t> cache_ignored_inputs;
  // SHA-256 of the definition (command/script, shell, env, image, workdir, interface): the
  // cache version when none is pinned, so that editing a task invalidates its cache.
  std::string definition_hash;
};

struct CompiledOperand {
  std::optional<DataRef> ref;
  Value literal;
};
struct CompiledCondition {
  spec::Condition::Kind kind = spec::Condition::Kind::kCompare;
  spec::CompareOp op = spec::CompareOp::kEq;
  TypeKind compare_as = TypeKind::kInt;  // int, float, str, bool, datetime, duration
  CompiledOperand lhs, rhs;
  std::vector<CompiledCondition> operands;
};

struct CompiledBody;
struct CompiledCase {
  std::optional<CompiledCondition> condition;  // absent: else
  std::optional<std::string> fail_message;
  std::shared_ptr<const CompiledBody> body;  // null when failing
};

// What a node runs, with its settings after node overrides.
struct CompiledBody {
  spec::NodeKind kind = spec::NodeKind::kTask;
  uint32_t target = kNoIndex;  // task, workflow or launch plan index in the CompiledFile
  Interface iface;             // inputs of the target; outputs the node produces
  std::vector<BoundInput> inputs;
  // Task and map nodes.
  int32_t retries = 0;
  std::optional<int64_t> timeout_nanos;  // gates: how long to wait
  spec::CacheSpec cache;
  std::optional<spec::Resources> resources;
  std::string image;
  bool interruptible = false;
  std::string kube_namespace;  // the task's Kubernetes namespace; empty: the server's
  ExecutorKind executor =
      ExecutorKind::kProcess;  // the task's, or container when a node adds an image
  // Map nodes.
  std::vector<uint32_t> mapped_inputs;  // indices into iface.inputs
  uint32_t concurrency = 0;             // 0: no limit of its own
  double min_success_ratio = 1.0;
  std::optional<uint32_t> min_successes;
  // Branch nodes.
  std::vector<CompiledCase> cases;
  // Gates.
  std::optional<CompiledBinding> gate_value;  // sleep's duration, approve's value
  std::string signal_name;
};

struct CompiledNode {
  std::string id;
  SourceLoc loc;
  CompiledBody body;
};

struct CompiledWorkflow {
  std::string name;
  const spec::Workflow* spec = nullptr;
  Interface iface;
  std::vector<CompiledNode> nodes;
  // Edges, deduplicated, upstream → downstream, as compressed sparse rows: the successors of
  // node i are succ[succ_begin[i] .. succ_begin[i + 1]); likewise pred.
  std::vector<uint32_t> succ_begin, succ;
  std::vector<uint32_t> pred_begin, pred;
  std::vector<uint32_t> topo_order;
  // Weight of the heaviest path from the node to the end (each node weighs 1 for now);
  // ready nodes with a longer critical path start first.
  std::vector<uint32_t> critical_path;
  std::vector<CompiledBinding> outputs;  // parallel to iface.outputs
  spec::FailurePolicy failure_policy = spec::FailurePolicy::kFailImmediately;
  std::optional<CompiledBody> on_failure;
  std::optional<uint32_t> max_parallelism;
  std::unordered_map<std::string, uint32_t> node_index;

  uint32_t FindNode(std::string_view id) const;
  size_t edge_count() const { return succ.size(); }
};

struct CompiledLaunchPlan {
  std::string name;
  const spec::LaunchPlan* spec = nullptr;  // null for a workflow's default launch plan
  uint32_t workflow = kNoIndex;
  // The inputs a launch takes: the workflow's, minus fixed ones, with this plan's defaults.
  Interface iface;
  std::vector<std::pair<uint32_t, Value>> fixed_inputs;  // workflow input index, value
  uint32_t kickoff_input = kNoIndex;                     // workflow input index
};

struct CompiledFile {
  std::shared_ptr<const spec::File> spec;
  std::vector<CompiledTask> tasks;
  std::vector<CompiledWorkflow> workflows;
  std::vector<CompiledLaunchPlan> launch_plans;  // user plans, then default plans

  const std::string& project() const { return spec->project; }
  const std::string& domain() const { return spec->domain; }
  uint32_t FindTask(std::string_view name) const;
  uint32_t FindWorkflow(std::string_view name) const;
  uint32_t FindLaunchPlan(std::string_view name) const;
};

}  // namespace flyte
