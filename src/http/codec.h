// The admin API's JSON bodies (API.md): records to JSON for responses, and strict request
// parsing (unknown fields, wrong types and bad ids are InvalidArgument naming the field). The
// remote client reads the same documents back, so the two directions live side by side.
// With openapi.cc, the API's only user of nlohmann_json. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "flyte/admin.h"
#include "flyte/store.h"

namespace flyte::http {

// InvalidArgument unless `s` is a valid project, version or execution name (what names it).
Status CheckIdentifier(const char* what, const std::string& s);
// InvalidArgument unless `d` is development, staging or production.
Status CheckDomain(const std::string& d);

// Responses.
std::string ErrorJson(const Status& status);
// The HTTP status answering `status`: 400 for bad input, 404, 409, 503, 500.
int HttpStatus(const Status& status);
// {"error": {"code": CODE, "message": MESSAGE}}, for refusals that are not a Status.
std::string ErrorJson(std::string_view code, std::string_view message);
// /healthcheck: {"status":"ok"}, or {"status":"degraded","reason":REASON} when `reason` is set.
std::string HealthJson(const std::string& reason);
std::string ExecutionJson(const ExecutionRecord& r);
std::string ExecutionListJson(const std::vector<ExecutionRecord>& list, const std::string& token);
std::string ExecutionDataJson(const ExecutionRecord& r);
std::string ExecutionIdJson(const ExecutionKey& key);
std::string NodeListJson(const ExecutionKey& key, const std::vector<NodeRecord>& nodes);
std::string NodeJson(const ExecutionKey& key, const NodeRecord& node);
std::string AttemptListJson(const std::vector<AttemptRecord>& attempts);
std::string EntityJson(const EntityRecord& e);
std::string EntityListJson(const char* field, const std::vector<EntityRecord>& list,
                           const std::string& token);
std::string EntityIdListJson(const std::vector<EntityRecord>& list, const std::string& token);
std::string RegisterResultJson(const RegisterResult& r);
std::string ProjectJson(const ProjectRecord& p);
std::string ProjectListJson(const std::vector<ProjectRecord>& list, const std::string& token);
std::string SignalListJson(const ExecutionKey& key, const std::vector<NodeRecord>& gates);

// The `token` of a list answer: where the next page starts, empty on the last page.
std::string ListToken(const std::string& body);

// Requests.
Result<RegisterRequest> ParseRegisterRequest(const std::string& body);
Result<CreateExecutionRequest> ParseCreateExecution(const std::string& body);
struct SignalRequest {
  ExecutionKey execution;
  std::string signal;
  std::string value;  // as text, read by the gate's declared type
};
Result<SignalRequest> ParseSignalRequest(const std::string& body);
// `{cause}` of a terminate; an empty body is allowed.
Result<std::string> ParseTerminateRequest(const std::string& body);
// `{id: {project, domain, name}, name?}` of relaunch and recover.
struct RelaunchRequest {
  ExecutionKey id;
  std::string name;
};
// POST /executions/relaunch and /executions/recover (`what` names it in errors).
Result<RelaunchRequest> ParseRelaunchRequest(const std::string& body, const char* what);
Result<ProjectRecord> ParseProject(const std::string& body);
// `{state: ACTIVE|INACTIVE}` of PUT /launch_plans/...
Result<bool> ParseLaunchPlanState(const std::string& body);

// Reading responses back (the remote client).
Status StatusFromErrorJson(int http_status, const std::string& body);
Result<ExecutionRecord> ParseExecution(const std::string& body);
Result<std::vector<ExecutionRecord>> ParseExecutionList(const std::string& body,
                                                        std::string* token);
Result<ExecutionKey> ParseExecutionId(const std::string& body);
Result<std::vector<NodeRecord>> ParseNodeList(const std::string& body);
Result<std::vector<AttemptRecord>> ParseAttemptList(const std::string& body);
Result<RegisterResult> ParseRegisterResult(const std::string& body);
Result<std::vector<EntityRecord>> ParseEntityList(const char* field, const std::string& body);
Result<std::vector<ProjectRecord>> ParseProjectList(const std::string& body);
// Requests, written by the client.
std::string RegisterRequestJson(const RegisterRequest& r);
std::string CreateExecutionJson(const CreateExecutionRequest& r);
std::string SignalRequestJson(const SignalRequest& r);

}  // namespace flyte::http
