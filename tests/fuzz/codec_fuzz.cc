// Fuzz target: an HTTP API body. The first byte picks the parser (its value modulo 8), the rest
// is the body. Requests that parse survive the client's writer and parse again to the same
// request; responses the client reads write and read back to the same record.
#include <string>

#include "fuzz/fuzz_check.h"
#include "http/codec.h"

namespace flyte::fuzz {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

void CheckRegister(const std::string& body) {
  Result<RegisterRequest> r = http::ParseRegisterRequest(body);
  if (!r.ok()) return;
  const std::string written = http::RegisterRequestJson(*r);
  Result<RegisterRequest> again = http::ParseRegisterRequest(written);
  FUZZ_CHECK(again.ok(), written + ": " + again.status().ToString());
  FUZZ_CHECK(again->content == r->content && again->path == r->path &&
                 again->project == r->project && again->domain == r->domain &&
                 again->version == r->version,
             written);
}

void CheckCreate(const std::string& body) {
  Result<CreateExecutionRequest> r = http::ParseCreateExecution(body);
  if (!r.ok()) return;
  const std::string written = http::CreateExecutionJson(*r);
  Result<CreateExecutionRequest> again = http::ParseCreateExecution(written);
  FUZZ_CHECK(again.ok(), written + ": " + again.status().ToString());
  FUZZ_CHECK(again->project == r->project && again->domain == r->domain && again->name == r->name,
             written);
  FUZZ_CHECK(again->target_kind == r->target_kind && again->target == r->target &&
                 again->version == r->version,
             written);
  FUZZ_CHECK(again->text_inputs == r->text_inputs && again->env == r->env &&
                 again->labels == r->labels && again->signals == r->signals,
             written);
  FUZZ_CHECK(again->max_parallelism == r->max_parallelism && again->no_cache == r->no_cache &&
                 again->overwrite_cache == r->overwrite_cache,
             written);
  FUZZ_CHECK(again->inputs_document.empty() == r->inputs_document.empty(), written);
}

void CheckSignal(const std::string& body) {
  Result<http::SignalRequest> r = http::ParseSignalRequest(body);
  if (!r.ok()) return;
  const std::string written = http::SignalRequestJson(*r);
  Result<http::SignalRequest> again = http::ParseSignalRequest(written);
  FUZZ_CHECK(again.ok(), written + ": " + again.status().ToString());
  FUZZ_CHECK(again->execution.project == r->execution.project &&
                 again->execution.domain == r->execution.domain &&
                 again->execution.name == r->execution.name && again->signal == r->signal &&
                 again->value == r->value,
             written);
}

// What the remote client reads from a server.
void CheckResponses(const std::string& body) {
  if (Result<ExecutionRecord> e = http::ParseExecution(body); e.ok()) {
    const std::string written = http::ExecutionJson(*e);
    Result<ExecutionRecord> again = http::ParseExecution(written);
    FUZZ_CHECK(again.ok(), written);
    FUZZ_CHECK(again->key.project == e->key.project && again->key.name == e->key.name &&
                   again->phase == e->phase && again->workflow == e->workflow,
               written);
    // Records hold 0 for "not yet"; the writer prints times up to the epoch as null.
    auto same_time = [](int64_t a, int64_t b) { return a == b || (a <= 0 && b <= 0); };
    FUZZ_CHECK(same_time(again->created_at, e->created_at) &&
                   same_time(again->started_at, e->started_at) &&
                   same_time(again->ended_at, e->ended_at),
               written);
  }
  std::string token;
  if (auto list = http::ParseExecutionList(body, &token); list.ok()) {
    (void)http::ExecutionListJson(*list, token);
  }
  if (auto nodes = http::ParseNodeList(body); nodes.ok()) {
    (void)http::NodeListJson(ExecutionKey{"p", "development", "n"}, *nodes);
  }
  if (auto attempts = http::ParseAttemptList(body); attempts.ok())
    (void)http::AttemptListJson(*attempts);
  if (auto result = http::ParseRegisterResult(body); result.ok())
    (void)http::RegisterResultJson(*result);
  if (auto entities = http::ParseEntityList("workflows", body); entities.ok()) {
    (void)http::EntityListJson("workflows", *entities, "");
  }
  if (auto projects = http::ParseProjectList(body); projects.ok())
    (void)http::ProjectListJson(*projects, "");
  (void)http::ParseExecutionId(body);
  (void)http::ListToken(body);
  Status st = http::StatusFromErrorJson(400, body);
  FUZZ_CHECK(!st.ok(), "an error answer reads as an error");
  (void)http::ErrorJson(st);
}

}  // namespace

int FuzzCodec(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      CheckRegister(body);
      break;
    case 1:
      CheckCreate(body);
      break;
    case 2:
      CheckSignal(body);
      break;
    case 3: {
      Result<std::string> cause = http::ParseTerminateRequest(body);
      FUZZ_CHECK(!cause.ok() || !cause->empty(), "a terminate has a cause");
      break;
    }
    case 4:
      (void)http::ParseRelaunchRequest(body, "relaunch");
      break;
    case 5:
      if (Result<ProjectRecord> p = http::ParseProject(body); p.ok()) {
        FUZZ_CHECK(http::CheckIdentifier("project", p->id).ok(), p->id);
        (void)http::ProjectJson(*p);
      }
      break;
    case 6:
      (void)http::ParseLaunchPlanState(body);
      break;
    case 7:
      CheckResponses(body);
      break;
  }
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzCodec(data, size);
}
#endif
