// What the cluster lets flyte do, asked the way `kubectl auth can-i` and `kubectl version` ask:
// for `flyte doctor --kubernetes`. Blocking, like every Client call.
#pragma once

#include <set>
#include <string>

#include "flyte/status.h"
#include "kube/client.h"

namespace flyte::kube {

struct AccessCheck {
  std::string verb;         // create, get, list, watch, delete, patch
  std::string resource;     // pods, configmaps
  std::string subresource;  // log
  std::string group;        // "" for the core group
};

// A SelfSubjectAccessReview: whether this client's user may do `check` in `ns`; `reason` gets
// the server's reason when it says no.
Result<bool> CanI(Client& client, const std::string& ns, const AccessCheck& check,
                  std::string* reason);

// GET /version: "v1.30.14".
Result<std::string> ServerVersion(Client& client);

// Whether `group_version` ("kubernetes.dask.org/v1") serves `plural` ("daskjobs"): whether the
// operator's CRD is installed.
Result<bool> Serves(Client& client, const std::string& group_version, const std::string& plural);

// Every group version the server serves ("v1", "apps/v1", "kubernetes.dask.org/v1"): GET /api
// and /apis.
Result<std::set<std::string>> ServedGroupVersions(Client& client);

// The plural under which `group_version` ("batch/v1", "v1") serves `kind` ("Job"); empty
// when it does not.
Result<std::string> PluralOf(Client& client, const std::string& group_version,
                             const std::string& kind);

}  // namespace flyte::kube
