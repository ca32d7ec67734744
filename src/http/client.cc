#include "http/client.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "http/codec.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

std::string ExecPath(const char* prefix, const ExecutionKey& k) {
  return std::string(prefix) + UrlEncode(k.project) + "/" + UrlEncode(k.domain) + "/" +
         UrlEncode(k.name);
}

}  // namespace

std::string UrlEncode(std::string_view s) { return PercentEncode(s); }

RemoteAdmin::RemoteAdmin(std::string endpoint, std::unique_ptr<httplib::Client> client)
    : endpoint_(std::move(endpoint)), client_(std::move(client)) {}
RemoteAdmin::~RemoteAdmin() = default;

Result<std::unique_ptr<RemoteAdmin>> RemoteAdmin::Connect(const std::string& endpoint,
                                                          const std::string& token) {
  std::string url = endpoint;
  if (StartsWith(url, "dns:///")) url = url.substr(7);  // Flyte configs spell it this way
  if (url.find("://") == std::string::npos) url = "http://" + url;
  if (!StartsWith(url, "http://") && !StartsWith(url, "https://")) {
    return InvalidArgument("endpoint " + Quote(endpoint) + " must be http://HOST:PORT");
  }
  while (EndsWith(url, "/")) url.pop_back();
  auto client = std::make_unique<httplib::Client>(url);
  if (!client->is_valid())
    return InvalidArgument("endpoint " + Quote(endpoint) + " is not a valid URL");
  client->set_connection_timeout(5, 0);
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_read_timeout(300, 0);
  if (!token.empty()) client->set_bearer_token_auth(token.c_str());
  std::unique_ptr<RemoteAdmin> admin(new RemoteAdmin(url, std::move(client)));
  admin->token_ = token;
  return admin;
}

Result<std::unique_ptr<RemoteAdmin>> RemoteAdmin::Clone() const {
  return Connect(endpoint_, token_);
}

void RemoteAdmin::Stop() { client_->stop(); }

Status RemoteAdmin::FollowEvents(const ExecutionKey& key, uint64_t after,
                                 const std::function<bool(const PhaseEvent&)>& on_event) {
  const std::string path =
      "/api/v1/events?execution=" + UrlEncode(key.project + "/" + key.domain + "/" + key.name);
  std::string pending;
  return Stream(
      path,
      [&](std::string_view data) {
        // One event per blank-line-terminated block of "field: value" lines; only blocks with
        // `data:` are phase changes.
        pending.append(data);
        size_t end;
        while ((end = pending.find("\n\n")) != std::string::npos) {
          PhaseEvent ev;
          bool is_data = false;
          for (std::string_view line : Split(std::string_view(pending).substr(0, end), '\n')) {
            if (StartsWith(line, "id:")) {
              int64_t seq = 0;
              if (ParseInt64(Trim(line.substr(3)), &seq) && seq > 0)
                ev.seq = static_cast<uint64_t>(seq);
            } else if (StartsWith(line, "data:")) {
              is_data = true;
              nlohmann::json j = nlohmann::json::parse(line.substr(5), nullptr, false);
              auto text = [&j](const char* k) {
                auto it = j.find(k);
                return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
              };
              if (j.is_object()) {
                ev.node_id = text("node_id");
                ev.phase = text("phase");
              }
            }
          }
          pending.erase(0, end + 2);
          if (is_data && !on_event(ev)) return false;
        }
        return true;
      },
      {{"Last-Event-ID", std::to_string(after)}});
}

Status RemoteAdmin::Stream(const std::string& path,
                           const std::function<bool(std::string_view)>& sink,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string error_body;
  int status = 0;
  auto res = client_->Get(
      path.c_str(), httplib::Headers(headers.begin(), headers.end()),
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t n) {
        if (status != 200) {
          error_body.append(data, n);
          return true;
        }
        return sink(std::string_view(data, n));
      });
  if (!res) {
    if (res.error() == httplib::Error::Canceled) return Status::Ok();
    return Unavailable("cannot reach the flyte server at " + endpoint_ + " (" +
                       httplib::to_string(res.error()) + ")");
  }
  if (status != 200) return StatusFromErrorJson(status, error_body);
  return Status::Ok();
}

Result<std::string> RemoteAdmin::Call(const char* method, const std::string& path,
                                      const std::string& body) {
  const std::string m = method;
  httplib::Result res = m == "GET"    ? client_->Get(path.c_str())
                        : m == "POST" ? client_->Post(path.c_str(), body, "application/json")
                        : m == "PUT"  ? client_->Put(path.c_str(), body, "application/json")
                                      : client_->Delete(path.c_str(), body, "application/json");
  if (!res) {
    return Unavailable("cannot reach the flyte server at " + endpoint_ + " (" +
                       httplib::to_string(res.error()) + "); is `flyte serve` running?");
  }
  if (res->status >= 200 && res->status < 300) return res->body;
  return StatusFromErrorJson(res->status, res->body);
}

Result<RegisterResult> RemoteAdmin::Register(const RegisterRequest& r) {
  ASSIGN_OR_RETURN(std::string body, Call("POST", "/api/v1/register", RegisterRequestJson(r)));
  return ParseRegisterResult(body);
}

Result<ExecutionKey> RemoteAdmin::CreateExecution(const CreateExecutionRequest& r) {
  ASSIGN_OR_RETURN(std::string body, Call("POST", "/api/v1/executions", CreateExecutionJson(r)));
  return ParseExecutionId(body);
}

Result<ExecutionRecord> RemoteAdmin::GetExecution(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(std::string body, Call("GET", ExecPath("/api/v1/executions/", key)));
  return ParseExecution(body);
}

Result<std::vector<ExecutionRecord>> RemoteAdmin::ListExecutions(const ExecutionFilter& f) {
  std::vector<std::string> terms;
  if (!f.workflow.empty()) terms.push_back("eq(workflow," + f.workflow + ")");
  if (f.phase) terms.push_back("eq(phase," + *f.phase + ")");
  if (!f.name.empty()) terms.push_back("eq(name," + f.name + ")");
  std::string path = "/api/v1/executions/" + UrlEncode(f.project) + "/" + UrlEncode(f.domain) +
                     "?limit=" + std::to_string(std::min<uint32_t>(f.limit, 1000));
  if (!terms.empty()) path += "&filters=" + UrlEncode(Join(terms, "+"));
  ASSIGN_OR_RETURN(std::string body, Call("GET", path));
  return ParseExecutionList(body, nullptr);
}

Result<std::vector<NodeRecord>> RemoteAdmin::ListNodes(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(std::string body, Call("GET", ExecPath("/api/v1/node_executions/", key)));
  return ParseNodeList(body);
}

Result<std::vector<AttemptRecord>> RemoteAdmin::ListAttempts(const ExecutionKey& key,
                                                             const std::string& node) {
  std::string path = ExecPath("/api/v1/task_executions/", key);
  if (!node.empty()) path += "/" + node;  // empty: every node's
  ASSIGN_OR_RETURN(std::string body, Call("GET", path));
  return ParseAttemptList(body);
}

Result<std::string> RemoteAdmin::ReadLogs(const ExecutionKey& key, const std::string& node,
                                          std::optional<uint32_t> attempt) {
  std::string path = ExecPath("/api/v1/logs/", key) + "/" + node;
  if (attempt) path += "?attempt=" + std::to_string(*attempt);
  return Call("GET", path);
}

Status RemoteAdmin::FollowLogs(const ExecutionKey& key, const std::string& node,
                               std::optional<uint32_t> attempt,
                               const std::function<bool(std::string_view)>& sink) {
  std::string path = ExecPath("/api/v1/logs/", key) + "/" + node + "?follow=true";
  if (attempt) path += "&attempt=" + std::to_string(*attempt);
  return Stream(path, sink);
}

Status RemoteAdmin::Terminate(const ExecutionKey& key, const std::string& cause) {
  std::string body = "{\"cause\":";
  AppendJsonString(body, cause);
  body += "}";
  auto r = Call("DELETE", ExecPath("/api/v1/executions/", key), body);
  return r.ok() ? Status::Ok() : r.status();
}

Status RemoteAdmin::Signal(const ExecutionKey& key, const std::string& name,
                           const std::string& value) {
  auto r = Call("POST", "/api/v1/signals", SignalRequestJson({key, name, value}));
  return r.ok() ? Status::Ok() : r.status();
}

Result<ExecutionKey> RemoteAdmin::Relaunch(const ExecutionKey& key, const std::string& name) {
  return Again("relaunch", key, name);
}

Result<ExecutionKey> RemoteAdmin::Recover(const ExecutionKey& key, const std::string& name) {
  return Again("recover", key, name);
}

Result<ExecutionKey> RemoteAdmin::Again(const std::string& verb, const ExecutionKey& key,
                                        const std::string& name) {
  std::string body = "{\"id\":{\"project\":";
  AppendJsonString(body, key.project);
  body += ",\"domain\":";
  AppendJsonString(body, key.domain);
  body += ",\"name\":";
  AppendJsonString(body, key.name);
  body += "}";
  if (!name.empty()) {
    body += ",\"name\":";
    AppendJsonString(body, name);
  }
  body += "}";
  ASSIGN_OR_RETURN(std::string out, Call("POST", "/api/v1/executions/" + verb, body));
  return ParseExecutionId(out);
}

Status RemoteAdmin::SetLaunchPlanState(const std::string& project, const std::string& domain,
                                       const std::string& name, const std::string& version,
                                       bool active) {
  std::string path = "/api/v1/launch_plans/" + UrlEncode(project) + "/" + UrlEncode(domain) + "/" +
                     UrlEncode(name);
  if (!version.empty()) path += "/" + UrlEncode(version);
  auto r = Call("PUT", path, active ? "{\"state\":\"ACTIVE\"}" : "{\"state\":\"INACTIVE\"}");
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<ProjectRecord>> RemoteAdmin::ListProjects() {
  // Every page.
  std::vector<ProjectRecord> out;
  std::string token;
  do {
    ASSIGN_OR_RETURN(std::string body,
                     Call("GET", "/api/v1/projects?limit=1000" +
                                     (token.empty() ? "" : "&token=" + UrlEncode(token))));
    ASSIGN_OR_RETURN(std::vector<ProjectRecord> page, ParseProjectList(body));
    out.insert(out.end(), page.begin(), page.end());
    token = ListToken(body);
  } while (!token.empty());
  return out;
}

Status RemoteAdmin::PutProject(const ProjectRecord& p) {
  std::string body = "{\"id\":";
  AppendJsonString(body, p.id);
  body += ",\"name\":";
  AppendJsonString(body, p.name);
  body += ",\"description\":";
  AppendJsonString(body, p.description);
  body += "}";
  auto r = Call("POST", "/api/v1/projects", body);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<EntityRecord>> RemoteAdmin::ListEntities(const std::string& kind,
                                                            const std::string& project,
                                                            const std::string& domain,
                                                            const std::string& name,
                                                            const std::string& version) {
  std::vector<EntityRecord> out;
  for (const char* k : {"task", "workflow", "launch_plan"}) {
    if (!kind.empty() && kind != k) continue;
    std::string field = std::string(k) + "s";
    std::string path = "/api/v1/" + field + "/" + UrlEncode(project) + "/" + UrlEncode(domain);
    if (!name.empty()) path += "/" + UrlEncode(name);
    if (!name.empty() && !version.empty()) path += "/" + UrlEncode(version);
    Result<std::string> body = Call("GET", path);
    if (!body.ok() && body.status().code() == StatusCode::kNotFound) continue;
    if (!body.ok()) return body.status();
    if (!version.empty()) {
      // One entity comes back on its own: wrap it as a list.
      ASSIGN_OR_RETURN(auto one,
                       ParseEntityList(field.c_str(), "{\"" + field + "\":[" + *body + "]}"));
      out.insert(out.end(), one.begin(), one.end());
    } else {
      // Every page: the first was asked without a limit (100), the rest follow its token.
      std::string page_body = std::move(*body);
      while (true) {
        ASSIGN_OR_RETURN(auto list, ParseEntityList(field.c_str(), page_body));
        out.insert(out.end(), list.begin(), list.end());
        std::string token = ListToken(page_body);
        if (token.empty()) break;
        ASSIGN_OR_RETURN(page_body, Call("GET", path + "?limit=1000&token=" + UrlEncode(token)));
      }
    }
  }
  return out;
}

Result<std::vector<CacheRecord>> RemoteAdmin::ListCache(const std::string&) {
  return FailedPrecondition("the cache is managed on the server's machine: run flyte cache there");
}

Result<int64_t> RemoteAdmin::ClearCache(const std::string&) {
  return FailedPrecondition("the cache is managed on the server's machine: run flyte cache there");
}

}  // namespace flyte::http
