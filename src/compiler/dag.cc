#include "flyte/dag.h"

namespace flyte {
namespace {

uint32_t FindVar(const std::vector<Variable>& vars, std::string_view name) {
  for (uint32_t i = 0; i < vars.size(); ++i) {
    if (vars[i].name == name) return i;
  }
  return kNoIndex;
}

template <typename T>
uint32_t FindByName(const std::vector<T>& items, std::string_view name) {
  for (uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return i;
  }
  return kNoIndex;
}

}  // namespace

uint32_t Interface::FindInput(std::string_view name) const { return FindVar(inputs, name); }
uint32_t Interface::FindOutput(std::string_view name) const { return FindVar(outputs, name); }

uint32_t CompiledWorkflow::FindNode(std::string_view id) const {
  auto it = node_index.find(std::string(id));
  return it == node_index.end() ? kNoIndex : it->second;
}

uint32_t CompiledFile::FindTask(std::string_view name) const { return FindByName(tasks, name); }
uint32_t CompiledFile::FindWorkflow(std::string_view name) const {
  return FindByName(workflows, name);
}
uint32_t CompiledFile::FindLaunchPlan(std::string_view name) const {
  return FindByName(launch_plans, name);
}

std::string_view ExecutorKindName(ExecutorKind kind) {
  switch (kind) {
    case ExecutorKind::kProcess:
      return "process";
    case ExecutorKind::kContainer:
      return "container";
    case ExecutorKind::kDask:
      return "dask";
    case ExecutorKind::kRay:
      return "ray";
    case ExecutorKind::kSpark:
      return "spark";
    case ExecutorKind::kPytorch:
      return "pytorch";
    case ExecutorKind::kLocal:
      return "local";
    case ExecutorKind::kKubernetes:
      return "kubernetes";
    case ExecutorKind::kResource:
      return "resource";
  }
  return "process";
}

}  // namespace flyte
