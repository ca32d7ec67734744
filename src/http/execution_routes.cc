// Executions (create, relaunch, recover, list, get, terminate), their nodes and task attempts,
// and gates. Every call goes to the admin on the loop.
#include <httplib.h>

#include "http/codec.h"
#include "http/route_helpers.h"
#include "http/server.h"
#include "runner/loop_bridge.h"
#include "util/strings.h"

namespace flyte::http {

void ApiServer::ExecutionRoutes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  const std::string seg = kSegment;

  // Executions.
  Add("POST", "/api/v1/executions",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<CreateExecutionRequest> r = ParseCreateExecution(req.body);
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.CreateExecution(*r); }),
              ExecutionIdJson);
      });
  Add("POST", "/api/v1/executions/relaunch",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<RelaunchRequest> r = ParseRelaunchRequest(req.body, "relaunch");
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.Relaunch(r->id, r->name); }),
              ExecutionIdJson);
      });
  Add("POST", "/api/v1/executions/recover",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<RelaunchRequest> r = ParseRelaunchRequest(req.body, "recover");
        if (!r.ok()) return Fail(res, r.status());
        Reply(res, bridge.Call<ExecutionKey>([&] { return admin.Recover(r->id, r->name); }),
              ExecutionIdJson);
      });
  Add("GET", "/api/v1/executions/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        ExecutionFilter f;
        f.project = req.matches[1];
        f.domain = req.matches[2];
        Status st = CheckPath(f.project, f.domain);
        if (st.ok())
          st = CheckParams(req, {"limit", "token", "filters", "sort_by.key", "sort_by.direction"});
        std::string filters = Param(req, "filters"), limit = Param(req, "limit"),
                    token = Param(req, "token"), sort_key = Param(req, "sort_by.key"),
                    sort_dir = Param(req, "sort_by.direction");
        if (st.ok()) st = ApplyListParams({filters, limit, token, sort_key, sort_dir}, f);
        if (!st.ok()) return Fail(res, st);
        // One more than asked tells whether another page follows.
        const uint32_t want = f.limit;
        f.limit = want + 1;
        auto list =
            bridge.Call<std::vector<ExecutionRecord>>([&] { return admin.ListExecutions(f); });
        if (!list.ok()) return Fail(res, list.status());
        std::string next;
        if (list->size() > want) {
          list->resize(want);
          next = std::to_string(f.offset + want);
        }
        res.set_content(ExecutionListJson(*list, next), kJson);
      });
  Add("GET", "/api/v1/executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Reply(res, bridge.Call<ExecutionRecord>([&] { return admin.GetExecution(*key); }),
              ExecutionJson);
      });
  Add("DELETE", "/api/v1/executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Result<std::string> cause = ParseTerminateRequest(req.body);
        if (!cause.ok()) return Fail(res, cause.status());
        Result<ExecutionRecord> after =
            bridge.Call<ExecutionRecord>([&]() -> Result<ExecutionRecord> {
              RETURN_IF_ERROR(admin.Terminate(*key, *cause));
              return admin.GetExecution(*key);
            });
        Reply(res, after, ExecutionJson);
      });

  // Node executions and task attempts.
  Add("GET", "/api/v1/node_executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        Reply(res, nodes, [&](const std::vector<NodeRecord>& n) { return NodeListJson(*key, n); });
      });
  // Node ids may hold '/' (children) and brackets (map items): the rest of the path is the id.
  Add("GET", "/api/v1/node_executions/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        std::string node = req.matches[4];
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        if (!nodes.ok()) return Fail(res, nodes.status());
        for (const NodeRecord& n : *nodes) {
          if (n.node_id == node) return res.set_content(NodeJson(*key, n), kJson);
        }
        Fail(res, NotFound("execution " + key->name + " has no node " + Quote(node)));
      });
  // Every attempt of the execution, in node order (an extension: one request for a whole
  // execution's Pods in `get execution --details`).
  Add("GET", "/api/v1/task_executions/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto attempts =
            bridge.Call<std::vector<AttemptRecord>>([&]() -> Result<std::vector<AttemptRecord>> {
              RETURN_IF_ERROR(admin.GetExecution(*key).status());
              return admin.ListAttempts(*key, "");
            });
        Reply(res, attempts, AttemptListJson);
      });
  Add("GET", "/api/v1/task_executions/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        std::string node = req.matches[4];
        auto attempts =
            bridge.Call<std::vector<AttemptRecord>>([&]() -> Result<std::vector<AttemptRecord>> {
              ASSIGN_OR_RETURN(ExecutionRecord r, admin.GetExecution(*key));
              (void)r;
              ASSIGN_OR_RETURN(std::vector<AttemptRecord> attempts, admin.ListAttempts(*key, node));
              if (attempts.empty()) {
                ASSIGN_OR_RETURN(std::vector<NodeRecord> nodes, admin.ListNodes(*key));
                bool known = false;
                for (const NodeRecord& n : nodes) known = known || n.node_id == node;
                if (!known)
                  return NotFound("execution " + key->name + " has no node " + Quote(node));
              }
              return attempts;
            });
        Reply(res, attempts, AttemptListJson);
      });

  // Gates.
  Add("GET", "/api/v1/signals/" + seg + "/" + seg + "/" + seg,
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        auto nodes = bridge.Call<std::vector<NodeRecord>>([&] { return admin.ListNodes(*key); });
        if (!nodes.ok()) return Fail(res, nodes.status());
        std::vector<NodeRecord> gates;
        for (const NodeRecord& n : *nodes) {
          if (n.kind == spec::NodeKind::kApprove || n.kind == spec::NodeKind::kSignal)
            gates.push_back(n);
        }
        res.set_content(SignalListJson(*key, gates), kJson);
      });
  Add("POST", "/api/v1/signals",
      [&admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<SignalRequest> r = ParseSignalRequest(req.body);
        if (!r.ok()) return Fail(res, r.status());
        Status st =
            bridge.CallStatus([&] { return admin.Signal(r->execution, r->signal, r->value); });
        if (!st.ok()) return Fail(res, st);
        res.set_content("{}", kJson);
      });
}

}  // namespace flyte::http
