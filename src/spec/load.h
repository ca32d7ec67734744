// Internal to the loader: one function per kind of object in the file. Each reads what it can,
// records a diagnostic for everything it cannot, and returns its best effort so that later
// checks still run (an unreadable type becomes `any`, which type-checks against everything,
// so one mistake is reported once).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/spec.h"
#include "spec/reader.h"

namespace flyte::spec {

// `inputs:` / `outputs:` of a task or workflow. `where` reads like "task 'greet'".
std::vector<Var> LoadVars(Reader& r, const yaml::Node& map, bool inputs, std::string_view where);
// `cache: true` or `cache: {version, serialize, ignore_inputs, ttl}`.
std::optional<CacheSpec> LoadCache(Reader& r, const yaml::Node& n, std::string_view where);
// A Kubernetes namespace (`kubernetes: {namespace: NS}`): a DNS-1123 label, else an error there.
std::optional<std::string> LoadNamespace(Reader& r, const yaml::Node& n, std::string_view where);
std::optional<Resources> LoadResources(Reader& r, const yaml::Node& n, std::string_view where);
// `inputs:` of a node: name → binding.
std::vector<InputBinding> LoadInputBindings(Reader& r, const yaml::Node& map,
                                            std::string_view where);

Task LoadTask(Reader& r, const yaml::Node& name, const yaml::Node& body);
// `resource:` of a task with `plugin: resource` (its inputs already read).
void LoadResourcePlugin(Reader& r, const yaml::Node& cfg, Task& t, const std::string& where);
// A node body; `node_id` names it in messages. `keys` is what this position accepts.
NodeBody LoadNodeBody(Reader& r, const yaml::Node& map, const std::string& node_id);
Node LoadNode(Reader& r, const yaml::Node& name, const yaml::Node& body);
Workflow LoadWorkflow(Reader& r, const yaml::Node& name, const yaml::Node& body);
LaunchPlan LoadLaunchPlan(Reader& r, const yaml::Node& name, const yaml::Node& body);

}  // namespace flyte::spec
