// Projects, domains, registration, and the registered entities (tasks, workflows, launch plans:
// lists, versions, ids, launch-plan activation). Every call goes to the admin on the loop.
#include <httplib.h>

#include "http/codec.h"
#include "http/route_helpers.h"
#include "http/server.h"
#include "runner/loop_bridge.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

std::string EntityKey(const EntityRecord& e, const std::string& key) {
  if (key == "created_at") return TimeKey(e.created_at);
  return key == "version" ? e.version : e.name;
}

}  // namespace

void ApiServer::EntityRoutes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  const std::string seg = kSegment;

  // Projects and domains.
  Add("GET", "/api/v1/projects",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        auto all = bridge.Call<std::vector<ProjectRecord>>([&] { return admin.ListProjects(); });
        if (!all.ok()) return Fail(res, all.status());
        Result<Page> page = Paginate(req, *all, {"id", "name", "created_at"},
                                     [](const ProjectRecord& p, const std::string& k) {
                                       if (k == "created_at") return TimeKey(p.created_at);
                                       return k == "name" ? p.name : p.id;
                                     });
        if (!page.ok()) return Fail(res, page.status());
        res.set_content(ProjectListJson(Slice(*all, *page), page->next), kJson);
      });
  auto put_project = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    Result<ProjectRecord> p = ParseProject(req.body);
    if (!p.ok()) return Fail(res, p.status());
    if (req.matches.size() > 1 && p->id != req.matches[1]) {
      return Fail(res, InvalidArgument("the body's id " + Quote(p->id) + " is not the path's " +
                                       Quote(std::string(req.matches[1]))));
    }
    // Answer with what is stored (its created_at is the first registration's).
    auto stored =
        bridge.Call<std::vector<ProjectRecord>>([&]() -> Result<std::vector<ProjectRecord>> {
          RETURN_IF_ERROR(admin.PutProject(*p));
          return admin.ListProjects();
        });
    if (!stored.ok()) return Fail(res, stored.status());
    for (const ProjectRecord& q : *stored) {
      if (q.id == p->id) return res.set_content(ProjectJson(q), kJson);
    }
    res.set_content(ProjectJson(*p), kJson);
  };
  Add("POST", "/api/v1/projects", put_project);
  Add("PUT", "/api/v1/projects/" + seg, put_project);
  Add("GET", "/api/v1/projects/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string id = req.matches[1];
        Result<std::vector<ProjectRecord>> all =
            bridge.Call<std::vector<ProjectRecord>>([&] { return admin.ListProjects(); });
        if (!all.ok()) return Fail(res, all.status());
        for (const ProjectRecord& p : *all) {
          if (p.id == id) return res.set_content(ProjectJson(p), kJson);
        }
        Fail(res, NotFound("no project " + Quote(id)));
      });
  Add("GET", "/api/v1/domains", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "{\"domains\":[{\"id\":\"development\",\"name\":\"development\"},{\"id\":\"staging\","
        "\"name\":"
        "\"staging\"},{\"id\":\"production\",\"name\":\"production\"}]}",
        kJson);
  });

  // Registration.
  auto do_register = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    Result<RegisterRequest> r = ParseRegisterRequest(req.body);
    if (!r.ok()) return Fail(res, r.status());
    Reply(res, bridge.Call<RegisterResult>([&] { return admin.Register(*r); }), RegisterResultJson);
  };
  Add("POST", "/api/v1/register", do_register);
  for (const char* kind : {"tasks", "workflows", "launch_plans"}) {
    Add("POST", std::string("/api/v1/") + kind, do_register);
  }

  // Tasks, workflows, launch plans: lists, versions, one version, ids.
  struct EntityRoute {
    const char* path;
    const char* kind;
  };
  for (EntityRoute route : {EntityRoute{"tasks", "task"}, EntityRoute{"workflows", "workflow"},
                            EntityRoute{"launch_plans", "launch_plan"}}) {
    const std::string base = std::string("/api/v1/") + route.path + "/" + seg + "/" + seg;
    const std::string kind = route.kind;
    const std::string field = route.path;
    auto list = [&admin, &bridge, kind, field](const httplib::Request& req,
                                               httplib::Response& res) {
      std::string project = req.matches[1], domain = req.matches[2];
      std::string name = req.matches.size() > 3 ? std::string(req.matches[3]) : "";
      std::string version = req.matches.size() > 4 ? std::string(req.matches[4]) : "";
      Status st = CheckPath(project, domain);
      if (!st.ok()) return Fail(res, st);
      auto found = bridge.Call<std::vector<EntityRecord>>(
          [&] { return admin.ListEntities(kind, project, domain, name, version); });
      if (!found.ok()) return Fail(res, found.status());
      if (!version.empty()) {
        if (found->empty()) {
          return Fail(res, NotFound("no " + kind + " " + Quote(name) + " at version " +
                                    Quote(version) + " in " + project + "/" + domain));
        }
        return res.set_content(EntityJson(found->front()), kJson);
      }
      if (!name.empty() && found->empty()) {
        return Fail(res,
                    NotFound("no " + kind + " " + Quote(name) + " in " + project + "/" + domain));
      }
      Result<Page> page = Paginate(req, *found, {"created_at", "name", "version"}, EntityKey);
      if (!page.ok()) return Fail(res, page.status());
      res.set_content(EntityListJson(field.c_str(), Slice(*found, *page), page->next), kJson);
    };
    Add("GET", base, list);
    Add("GET", base + "/" + seg, list);
    Add("GET", base + "/" + seg + "/" + seg, list);
  }
  for (EntityRoute route :
       {EntityRoute{"task_ids", "task"}, EntityRoute{"workflow_ids", "workflow"},
        EntityRoute{"launch_plan_ids", "launch_plan"}}) {
    const std::string kind = route.kind;
    Add("GET", std::string("/api/v1/") + route.path + "/" + seg + "/" + seg,
        [&admin, &bridge, kind](const httplib::Request& req, httplib::Response& res) {
          std::string project = req.matches[1], domain = req.matches[2];
          Status st = CheckPath(project, domain);
          if (!st.ok()) return Fail(res, st);
          auto found = bridge.Call<std::vector<EntityRecord>>(
              [&] { return admin.ListEntities(kind, project, domain, "", ""); });
          if (!found.ok()) return Fail(res, found.status());
          std::vector<EntityRecord> unique;
          for (const EntityRecord& e : *found) {
            bool seen = false;
            for (const EntityRecord& u : unique) seen = seen || u.name == e.name;
            if (!seen) unique.push_back(e);
          }
          std::sort(unique.begin(), unique.end(),
                    [](const EntityRecord& a, const EntityRecord& b) { return a.name < b.name; });
          Result<Page> page = Paginate(req, unique, {"name", "created_at"}, EntityKey);
          if (!page.ok()) return Fail(res, page.status());
          res.set_content(EntityIdListJson(Slice(unique, *page), page->next), kJson);
        });
  }

  // Launch-plan activation: one active version per name; PUT without a version (an extension)
  // means the newest.
  auto set_state = [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
    std::string project = req.matches[1], domain = req.matches[2], name = req.matches[3];
    std::string version = req.matches.size() > 4 ? std::string(req.matches[4]) : "";
    Status st = CheckPath(project, domain);
    if (!st.ok()) return Fail(res, st);
    Result<bool> active = ParseLaunchPlanState(req.body);
    if (!active.ok()) return Fail(res, active.status());
    auto after = bridge.Call<std::vector<EntityRecord>>([&]() -> Result<std::vector<EntityRecord>> {
      RETURN_IF_ERROR(admin.SetLaunchPlanState(project, domain, name, version, *active));
      return admin.ListEntities("launch_plan", project, domain, name, version);
    });
    if (!after.ok()) return Fail(res, after.status());
    res.set_content(EntityJson(after->front()), kJson);
  };
  Add("PUT", "/api/v1/launch_plans/" + seg + "/" + seg + "/" + seg, set_state);
  Add("PUT", "/api/v1/launch_plans/" + seg + "/" + seg + "/" + seg + "/" + seg, set_state);
  Add("GET", "/api/v1/active_launch_plans/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        std::string project = req.matches[1], domain = req.matches[2];
        Status st = CheckPath(project, domain);
        if (!st.ok()) return Fail(res, st);
        auto all = bridge.Call<std::vector<EntityRecord>>(
            [&] { return admin.ListEntities("launch_plan", project, domain, "", ""); });
        if (!all.ok()) return Fail(res, all.status());
        std::vector<EntityRecord> active;
        for (const EntityRecord& e : *all) {
          if (e.state == "ACTIVE") active.push_back(e);
        }
        res.set_content(EntityListJson("launch_plans", active, ""), kJson);
      });
}

}  // namespace flyte::http
