// Read-only routes over compiled sources, for the console (extensions; docs/server.md):
//   GET /api/v1/executions/P/D/NAME/graph           the execution's workflow graph
//   GET /api/v1/interfaces/P/D/KIND/NAME[?version=]  a target's typed inputs and outputs
//   GET /api/v1/launch_plan_schedules/P/D            every launch plan's schedule and next fire
#include <httplib.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "http/codec.h"
#include "http/describe.h"
#include "http/route_helpers.h"
#include "http/server.h"
#include "runner/loop_bridge.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* ResourceType(const std::string& kind) {
  return kind == "task" ? "TASK" : kind == "workflow" ? "WORKFLOW" : "LAUNCH_PLAN";
}

json IdJson(const EntityRecord& e) {
  return {{"resource_type", ResourceType(e.kind)},
          {"project", e.project},
          {"domain", e.domain},
          {"name", e.name},
          {"version", e.version}};
}

// Of a name's versions (newest first): the one asked for, else the active one, else the newest.
const EntityRecord* Pick(const std::vector<EntityRecord>& versions, const std::string& version) {
  const EntityRecord* pick = nullptr;
  for (const EntityRecord& e : versions) {
    if (!version.empty()) {
      if (e.version == version) return &e;
    } else if (e.state == "ACTIVE") {
      return &e;
    } else if (pick == nullptr) {
      pick = &e;
    }
  }
  return pick;
}

}  // namespace

void ApiServer::DescribeRoutes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  const std::string seg = kSegment;

  Add("GET", "/api/v1/executions/" + seg + "/" + seg + "/" + seg + "/graph",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> checked = KeyFrom(req);
        if (!checked.ok()) return Fail(res, checked.status());
        const ExecutionKey& key = *checked;
        auto graph = bridge.Call<json>([&]() -> Result<json> {
          ASSIGN_OR_RETURN(ExecutionRecord e, admin.GetExecution(key));
          ASSIGN_OR_RETURN(std::shared_ptr<const CompiledFile> file, admin.Compiled(e.source));
          if (uint32_t w = file->FindWorkflow(e.workflow); w != kNoIndex) {
            return GraphJson(*file, file->workflows[w]);
          }
          if (uint32_t t = file->FindTask(e.workflow); t != kNoIndex)
            return TaskGraphJson(file->tasks[t]);
          return NotFound("execution " + key.name + " ran " + Quote(e.workflow) +
                          ", which its source no longer defines");
        });
        if (!graph.ok()) return Fail(res, graph.status());
        res.set_content(
            Dump({{"id", {{"project", key.project}, {"domain", key.domain}, {"name", key.name}}},
                  {"graph", *graph}}),
            kJson);
      });

  Add("GET", "/api/v1/interfaces/" + seg + "/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string project = req.matches[1], domain = req.matches[2], resource = req.matches[3],
                    name = req.matches[4];
        std::string version = req.has_param("version") ? req.get_param_value("version") : "";
        Status st = CheckPath(project, domain);
        if (!st.ok()) return Fail(res, st);
        const std::vector<std::string> kinds = {"tasks", "workflows", "launch_plans"};
        std::string kind = resource == "tasks"          ? "task"
                           : resource == "workflows"    ? "workflow"
                           : resource == "launch_plans" ? "launch_plan"
                                                        : "";
        if (kind.empty()) {
          return Fail(res, InvalidArgument("no resource " + Quote(resource) +
                                           "; expected one of tasks, "
                                           "workflows, launch_plans" +
                                           DidYouMean(resource, kinds)));
        }
        auto body = bridge.Call<json>([&]() -> Result<json> {
          ASSIGN_OR_RETURN(std::vector<EntityRecord> versions,
                           admin.ListEntities(kind, project, domain, name, ""));
          const EntityRecord* e = Pick(versions, version);
          if (e == nullptr) {
            return NotFound("no " + kind + " " + Quote(name) +
                            (version.empty() ? "" : " at version " + Quote(version)) + " in " +
                            project + "/" + domain);
          }
          ASSIGN_OR_RETURN(std::shared_ptr<const CompiledFile> file, admin.Compiled(e->source));
          const Interface* iface = nullptr;
          json out = {{"id", IdJson(*e)}};
          if (kind == "task") {
            if (uint32_t i = file->FindTask(name); i != kNoIndex) iface = &file->tasks[i].iface;
          } else if (kind == "workflow") {
            if (uint32_t i = file->FindWorkflow(name); i != kNoIndex)
              iface = &file->workflows[i].iface;
          } else if (uint32_t i = file->FindLaunchPlan(name); i != kNoIndex) {
            const CompiledLaunchPlan& lp = file->launch_plans[i];
            iface = &lp.iface;
            json fixed = json::object();
            for (const auto& [var, value] : lp.fixed_inputs) {
              fixed[file->workflows[lp.workflow].iface.inputs[var].name] =
                  json::parse(value.ToCanonicalJson(), nullptr, false);
            }
            out["fixed_inputs"] = fixed;
            out["workflow"] = file->workflows[lp.workflow].name;
            out["schedule"] = ScheduleJson(lp);
          }
          if (iface == nullptr)
            return NotFound("the source of " + kind + " " + Quote(name) + " no longer defines it");
          out["inputs"] = VariablesJson(iface->inputs);
          out["outputs"] = VariablesJson(iface->outputs);
          return out;
        });
        if (!body.ok()) return Fail(res, body.status());
        res.set_content(Dump(*body), kJson);
      });

  Add("GET", "/api/v1/launch_plan_schedules/" + seg + "/" + seg,
      [this, &admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string project = req.matches[1], domain = req.matches[2];
        Status st = CheckPath(project, domain);
        if (!st.ok()) return Fail(res, st);
        auto body = bridge.Call<json>([&]() -> Result<json> {
          ASSIGN_OR_RETURN(std::vector<EntityRecord> all,
                           admin.ListEntities("launch_plan", project, domain, "", ""));
          json plans = json::array();
          std::vector<std::string> seen;
          for (const EntityRecord& first : all) {
            if (std::find(seen.begin(), seen.end(), first.name) != seen.end()) continue;
            seen.push_back(first.name);
            std::vector<EntityRecord> versions;
            for (const EntityRecord& e : all) {
              if (e.name == first.name) versions.push_back(e);
            }
            const EntityRecord* e = Pick(versions, "");
            json schedule = nullptr;
            if (auto file = admin.Compiled(e->source); file.ok()) {
              if (uint32_t i = (*file)->FindLaunchPlan(e->name); i != kNoIndex) {
                schedule = ScheduleJson((*file)->launch_plans[i]);
              }
            }
            int64_t next = -1;
            if (!schedule.is_null() && e->state == "ACTIVE" && options_.next_fire) {
              next = options_.next_fire(project, domain, e->name);
            }
            plans.push_back(
                {{"id", IdJson(*e)},
                 {"state", e->state},
                 {"versions", versions.size()},
                 {"created_at", FormatDatetime(e->created_at)},
                 {"schedule", schedule},
                 {"next_fire_at", next > 0 ? json(FormatDatetime(next)) : json(nullptr)}});
          }
          return json{{"launch_plans", plans}};
        });
        if (!body.ok()) return Fail(res, body.status());
        res.set_content(Dump(*body), kJson);
      });
}

}  // namespace flyte::http
