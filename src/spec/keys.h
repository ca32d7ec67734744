// The keys each object of the workflow file accepts. The loader checks against these, and a
// test checks that docs/workflow.schema.json lists exactly the same ones.
#pragma once

#include <string_view>

namespace flyte::spec::keys {

inline constexpr std::string_view kFile[] = {"project", "domain",    "description",
                                             "tasks",   "workflows", "launch_plans"};
inline constexpr std::string_view kTask[] = {
    "description", "inputs",        "outputs", "command",       "script",  "shell", "workdir",
    "env",         "image",         "retries", "retry_backoff", "timeout", "cache", "resources",
    "secrets",     "interruptible", "dynamic", "plugin",        "dask",    "ray",   "spark",
    "pytorch",     "resource",      "runner",  "kubernetes"};
inline constexpr std::string_view kKubernetes[] = {
    "service_account", "node_selector", "tolerations", "labels",
    "annotations",     "pod_template",  "namespace"};
// `kubernetes:` on a node: what a node may override.
inline constexpr std::string_view kNodeKubernetes[] = {"namespace"};
inline constexpr std::string_view kInput[] = {"type", "default", "description"};
inline constexpr std::string_view kOutput[] = {"type", "description"};
inline constexpr std::string_view kRetryBackoff[] = {"initial", "max", "factor"};
inline constexpr std::string_view kCache[] = {"version", "serialize", "ignore_inputs", "ttl"};
inline constexpr std::string_view kResources[] = {"cpu", "mem", "gpu", "storage", "limits"};
inline constexpr std::string_view kLimits[] = {"cpu", "mem", "gpu", "storage"};
inline constexpr std::string_view kSecret[] = {"name", "env", "file"};
inline constexpr std::string_view kPluginRole[] = {"replicas", "resources", "image"};
inline constexpr std::string_view kDask[] = {"workers", "scheduler"};
inline constexpr std::string_view kRay[] = {"head", "workers", "runtime_env"};
inline constexpr std::string_view kSpark[] = {"driver", "executor", "conf", "version"};
inline constexpr std::string_view kPytorch[] = {"master", "workers"};
inline constexpr std::string_view kResourcePlugin[] = {"manifest", "success", "failure"};
inline constexpr std::string_view kWorkflow[] = {
    "description", "inputs", "outputs", "nodes", "failure_policy", "on_failure", "max_parallelism"};
inline constexpr std::string_view kWorkflowOutput[] = {"value", "type", "description"};
inline constexpr std::string_view kOnFailure[] = {"task", "workflow", "inputs"};
inline constexpr std::string_view kNode[] = {"description",  "task",          "workflow",
                                             "launch_plan",  "map",           "branch",
                                             "sleep",        "approve",       "signal",
                                             "inputs",       "after",         "retries",
                                             "timeout",      "cache",         "resources",
                                             "image",        "interruptible", "kubernetes",
                                             "over",         "concurrency",   "min_success_ratio",
                                             "min_successes"};
// An `if` case of a branch: a node body plus its condition (or a `fail`).
inline constexpr std::string_view kBranchCase[] = {
    "if",           "fail",          "task",
    "workflow",     "launch_plan",   "map",
    "branch",       "sleep",         "approve",
    "signal",       "inputs",        "retries",
    "timeout",      "cache",         "resources",
    "image",        "interruptible", "kubernetes",
    "over",         "concurrency",   "min_success_ratio",
    "min_successes"};
// The body under `else:`.
inline constexpr std::string_view kElseCase[] = {
    "fail",          "task",       "workflow", "launch_plan", "map",
    "branch",        "sleep",      "approve",  "signal",      "inputs",
    "retries",       "timeout",    "cache",    "resources",   "image",
    "interruptible", "kubernetes", "over",     "concurrency", "min_success_ratio",
    "min_successes"};
inline constexpr std::string_view kSignal[] = {"name", "type"};
inline constexpr std::string_view kLaunchPlan[] = {
    "description", "workflow",        "fixed_inputs", "default_inputs", "schedule",     "catchup",
    "overlap",     "max_parallelism", "labels",       "annotations",    "notifications"};
inline constexpr std::string_view kSchedule[] = {"cron", "every", "kickoff_input", "timezone"};
inline constexpr std::string_view kNotification[] = {"on", "webhook"};

}  // namespace flyte::spec::keys
