#include "cli/admin_access.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/assemble.h"
#include "cli/commands.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte::cli {

Endpoint ResolveEndpoint(const std::string& flag, const std::string& home) {
  if (!flag.empty()) return {flag, "--endpoint", "", ""};
  if (const char* env = std::getenv("FLYTE_ENDPOINT"); env != nullptr && *env != '\0') {
    return {env, "FLYTE_ENDPOINT", "", ""};
  }
  const std::string path = (home.empty() ? DefaultHome() : home) + "/config.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  yaml::ParseResult parsed = yaml::ParseText(text.str(), path);
  if (!parsed.doc) {
    return {"", path, path + ":" + std::to_string(parsed.error.line) + ": " + parsed.error.message,
            ""};
  }
  const yaml::Node* root = parsed.doc->root();
  const yaml::Node* admin = root != nullptr && root->is_map() ? root->Get("admin") : nullptr;
  const yaml::Node* endpoint =
      admin != nullptr && admin->is_map() ? admin->Get("endpoint") : nullptr;
  if (endpoint == nullptr || !endpoint->is_scalar()) return {};
  const yaml::Node* token = admin->Get("token");
  return {endpoint->text, path, "", token != nullptr && token->is_scalar() ? token->text : ""};
}

namespace {

const yaml::Node* ScalarAt(const yaml::Node* map, const char* key) {
  const yaml::Node* n = map != nullptr && map->is_map() ? map->Get(key) : nullptr;
  return n != nullptr && n->is_scalar() && !n->text.empty() ? n : nullptr;
}

}  // namespace

ClientDefaults ReadClientDefaults(const std::string& home) {
  const std::string path = (home.empty() ? DefaultHome() : home) + "/config.yaml";
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  yaml::ParseResult parsed = yaml::ParseText(text.str(), path);
  if (!parsed.doc) return {};  // ResolveEndpoint reports a broken file
  ClientDefaults d;
  if (const yaml::Node* p = ScalarAt(parsed.doc->root(), "project")) d.project = p->text;
  if (const yaml::Node* p = ScalarAt(parsed.doc->root(), "domain")) d.domain = p->text;
  if (const yaml::Node* p = ScalarAt(parsed.doc->root(), "raw_data_prefix"))
    d.raw_data_prefix = p->text;
  return d;
}

void ApplyClientDefaults(const std::string& home, const std::string& file_text,
                         std::string& project, std::string& domain) {
  if (!project.empty() && !domain.empty()) return;
  ClientDefaults d = ReadClientDefaults(home);
  if (d.project.empty() && d.domain.empty()) return;
  yaml::ParseResult parsed = yaml::ParseText(file_text, "workflow file");
  const yaml::Node* root = parsed.doc ? parsed.doc->root() : nullptr;
  if (project.empty() && ScalarAt(root, "project") == nullptr) project = d.project;
  if (domain.empty() && ScalarAt(root, "domain") == nullptr) domain = d.domain;
}

AdminAccess::AdminAccess(const std::string& home, const std::string& endpoint_flag,
                         bool remote_only) {
  uv_loop_init(&loop_);
  ClientDefaults defaults = ReadClientDefaults(home);
  if (!defaults.project.empty()) project_ = defaults.project;
  if (!defaults.domain.empty()) domain_ = defaults.domain;
  Endpoint ep = ResolveEndpoint(endpoint_flag, home);
  if (!ep.error.empty()) {
    error_ = "cannot read " + ep.error;
    error_exit_ = kExitUsage;
    return;
  }
  if (!ep.url.empty()) {
    const char* token = std::getenv("FLYTE_TOKEN");
    auto connected = http::RemoteAdmin::Connect(ep.url, token != nullptr ? token : ep.token);
    if (!connected.ok()) {
      error_ = connected.status().message() + " (from " + ep.source + ")";
      error_exit_ = kExitUsage;
      return;
    }
    remote_ = std::move(*connected);
    where_ = remote_->endpoint();
    return;
  }
  if (remote_only) {
    error_ =
        "no flyte server configured: pass --endpoint URL, set FLYTE_ENDPOINT, or run flyte config "
        "init";
    error_exit_ = kExitUsage;
    return;
  }
  LocalAdmin::Options o;
  o.home = home.empty() ? DefaultHome() : home;
  // Only flyte run and flyte serve make a home: looking must not leave one behind (or a
  // database in a folder that only holds config.yaml).
  std::error_code ec;
  if (!std::filesystem::exists(o.home + "/flyte.db", ec)) {
    no_home_ = true;
    where_ = o.home;
    error_ = "there is no flyte home at " + o.home +
             ": nothing has run there yet (flyte run creates it)";
    error_exit_ = kExitUsage;
    return;
  }
  auto opened = OpenLocalAdmin(&loop_, o);
  if (!opened.ok()) {
    error_ = opened.status().message();
    return;
  }
  local_ = std::move(*opened);
  where_ = o.home;
}

AdminAccess::~AdminAccess() {
  local_.reset();
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_loop_close(&loop_);
}

Result<ExecutionRecord> FindExecution(AdminAccess& access, const std::string& name,
                                      const std::string& project, const std::string& domain) {
  AdminService& admin = *access.admin();
  ExecutionFilter f;
  f.project = project;
  f.domain = domain;
  // A server lists one project/domain at a time.
  if (access.remote() != nullptr && f.project.empty()) f.project = access.default_project();
  if (access.remote() != nullptr && f.domain.empty()) f.domain = access.default_domain();
  f.name = name;
  f.limit = 2;
  ASSIGN_OR_RETURN(std::vector<ExecutionRecord> found, admin.ListExecutions(f));
  if (found.empty()) return NotFound("no execution named " + Quote(name) + " in " + access.where());
  if (found.size() > 1) {
    return InvalidArgument("several executions are named " + Quote(name) + " (in " +
                           found[0].key.project + "/" + found[0].key.domain + " and " +
                           found[1].key.project + "/" + found[1].key.domain +
                           "); pass -p PROJECT -d DOMAIN");
  }
  return found.front();
}

int ExitFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidSpec:
    case StatusCode::kTypeMismatch:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    case StatusCode::kFailedPrecondition:
      return kExitFailed;
    default:
      return kExitInternal;
  }
}

}  // namespace flyte::cli
