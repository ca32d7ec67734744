#include "kube/access.h"

#include "nlohmann/json.hpp"

namespace flyte::kube {

using json = nlohmann::json;

Result<bool> CanI(Client& client, const std::string& ns, const AccessCheck& check,
                  std::string* reason) {
  json attrs = {{"namespace", ns},
                {"verb", check.verb},
                {"resource", check.resource},
                {"group", check.group}};
  if (!check.subresource.empty()) attrs["subresource"] = check.subresource;
  json review = {{"apiVersion", "authorization.k8s.io/v1"},
                 {"kind", "SelfSubjectAccessReview"},
                 {"spec", {{"resourceAttributes", attrs}}}};
  ASSIGN_OR_RETURN(
      Response r,
      client.Send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.dump()));
  if (!r.ok()) return ErrorOf(r, "asking whether flyte may " + check.verb + " " + check.resource);
  json answer = json::parse(r.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("status") || !answer["status"].is_object()) {
    return Unavailable("the SelfSubjectAccessReview answer has no status");
  }
  const json& status = answer["status"];
  const bool allowed = status.value("allowed", false) && !status.value("denied", false);
  if (!allowed && reason != nullptr) *reason = status.value("reason", "");
  return allowed;
}

Result<std::string> ServerVersion(Client& client) {
  ASSIGN_OR_RETURN(Response r, client.Get("/version"));
  if (!r.ok()) return ErrorOf(r, "reading the server's version");
  json v = json::parse(r.body, nullptr, false);
  if (!v.is_object() || !v.contains("gitVersion") || !v["gitVersion"].is_string()) {
    return Unavailable("the server's /version answer has no gitVersion");
  }
  return v["gitVersion"].get<std::string>();
}

namespace {

// The APIResourceList of a group version; null when the server does not serve it.
Result<json> Resources(Client& client, const std::string& group_version) {
  const std::string path =
      (group_version.find('/') == std::string::npos ? "/api/" : "/apis/") + group_version;
  ASSIGN_OR_RETURN(Response r, client.Get(path));
  if (r.status == 404) return json(nullptr);
  if (!r.ok()) return ErrorOf(r, "reading " + path);
  json list = json::parse(r.body, nullptr, false);
  if (!list.is_object() || !list.contains("resources") || !list["resources"].is_array())
    return json(nullptr);
  return list["resources"];
}

}  // namespace

Result<std::set<std::string>> ServedGroupVersions(Client& client) {
  ASSIGN_OR_RETURN(Response r, client.Get("/apis"));
  if (!r.ok()) return ErrorOf(r, "reading /apis");
  json list = json::parse(r.body, nullptr, false);
  std::set<std::string> out = {"v1"};
  if (!list.is_object() || !list.contains("groups") || !list["groups"].is_array()) return out;
  for (const json& g : list["groups"]) {
    if (!g.is_object() || !g.contains("versions") || !g["versions"].is_array()) continue;
    for (const json& v : g["versions"]) {
      if (v.is_object() && v.contains("groupVersion") && v["groupVersion"].is_string())
        out.insert(v["groupVersion"].get<std::string>());
    }
  }
  return out;
}

Result<bool> Serves(Client& client, const std::string& group_version, const std::string& plural) {
  ASSIGN_OR_RETURN(json resources, Resources(client, group_version));
  for (const json& res : resources) {
    if (res.is_object() && res.value("name", "") == plural) return true;
  }
  return false;
}

Result<std::string> PluralOf(Client& client, const std::string& group_version,
                             const std::string& kind) {
  ASSIGN_OR_RETURN(json resources, Resources(client, group_version));
  for (const json& res : resources) {
    const std::string name = res.is_object() ? res.value("name", "") : "";
    if (res.value("kind", "") == kind && name.find('/') == std::string::npos) return name;
  }
  return std::string();
}

}  // namespace flyte::kube
