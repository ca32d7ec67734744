#include "http/route_helpers.h"

#include <cstdio>

namespace flyte::http {

void Fail(httplib::Response& res, const Status& st) {
  res.status = HttpStatus(st);
  res.set_content(ErrorJson(st), kJson);
}

Status CheckPath(const std::string& project, const std::string& domain) {
  RETURN_IF_ERROR(CheckIdentifier("project", project));
  return CheckDomain(domain);
}

Result<ExecutionKey> KeyFrom(const httplib::Request& req) {
  ExecutionKey k{req.matches[1], req.matches[2], req.matches[3]};
  RETURN_IF_ERROR(CheckPath(k.project, k.domain));
  RETURN_IF_ERROR(CheckIdentifier("execution name", k.name));
  return k;
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

Status CheckParams(const httplib::Request& req, const std::vector<std::string>& allowed) {
  for (const auto& [k, v] : req.params) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return InvalidArgument("unknown query parameter " + Quote(k) + DidYouMean(k, allowed) +
                             (allowed.empty() ? "" : "; expected: " + Join(allowed, ", ")));
    }
  }
  return Status::Ok();
}

Result<ExecutionFilter> PageParams(const httplib::Request& req,
                                   std::initializer_list<const char*> keys) {
  RETURN_IF_ERROR(CheckParams(req, {"limit", "token", "sort_by.key", "sort_by.direction"}));
  ExecutionFilter f;
  f.sort_key = "";
  RETURN_IF_ERROR(ApplyListParams({"", Param(req, "limit"), Param(req, "token"),
                                   Param(req, "sort_by.key"), Param(req, "sort_by.direction")},
                                  f));
  std::vector<std::string> names(keys.begin(), keys.end());
  if (!f.sort_key.empty() && std::find(names.begin(), names.end(), f.sort_key) == names.end()) {
    return InvalidArgument("cannot sort by " + Quote(f.sort_key) + DidYouMean(f.sort_key, names) +
                           "; the keys are: " + Join(names, ", "));
  }
  return f;
}

std::string TimeKey(int64_t t) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(t));
  return buf;
}

}  // namespace flyte::http
