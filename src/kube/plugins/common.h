// Internal to kube/plugins: the pieces every builder shares (the task's Pod spec, a role's
// container, interruptible settings), on nlohmann's JSON.
#pragma once

#include <string>

#include "kube/plugins/plugin.h"
#include "nlohmann/json.hpp"

namespace flyte::kube::plugin {

using json = nlohmann::json;

// The task's Pod spec with its one container renamed `container` and `restart_policy`.
Result<json> TaskPodSpec(const ResourceInput& in, const std::string& container,
                         const std::string& restart_policy);
// The settings of role `name` (empty when the task does not name it).
const spec::PluginRole* Role(const spec::PluginSpec& plugin, const std::string& name);
// A role's image (its own, else the task's) and resources ({requests, limits}, or null).
std::string RoleImage(const ResourceInput& in, const spec::PluginRole* role);
json RoleResources(const spec::PluginRole* role);
// A Pod spec for a role's helper container (scheduler, workers, head): the task Pod's account,
// node selector, tolerations and image pull secrets, one container `container`.
json RolePodSpec(const json& task_spec, const std::string& container, const std::string& image,
                 const json& resources, const std::string& restart_policy);
// Adds the interruptible node selector and tolerations to a Pod spec.
void MakeInterruptible(const ResourceInput& in, json& pod_spec);
// metadata of the custom resource: name, namespace, labels, annotations.
json Metadata(const ResourceInput& in);
// {"metadata": {"labels": {kMainPodLabel: name}}, "spec": spec}: the main Pod's template.
json MainTemplate(const ResourceInput& in, json spec);

}  // namespace flyte::kube::plugin
