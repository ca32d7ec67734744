#include "cli/serve_config.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "types/literal.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace flyte::cli {
namespace {

// Reads one section of the file, naming the file, line and column of anything wrong.
class Reader {
 public:
  Reader(std::string path, const yaml::Node& map, std::string prefix)
      : path_(std::move(path)), map_(map), prefix_(std::move(prefix)) {}

  Status CheckKeys(const std::vector<std::string>& known) const {
    for (const auto& [k, v] : map_.entries) {
      bool ok = false;
      for (const std::string& name : known) ok = ok || k->text == name;
      if (!ok) {
        return Error(*k, "unknown key " + Quote(prefix_ + k->text) + DidYouMean(k->text, known) +
                             "; the keys are: " + Join(known, ", "));
      }
    }
    return Status::Ok();
  }
  Status String(const char* key, std::string* out,
                std::initializer_list<const char*> allowed = {}) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    if (!n->is_scalar())
      return Error(*n, Quote(prefix_ + key) + " must be text, got " + n->Describe());
    if (allowed.size() > 0) {
      bool ok = false;
      std::vector<std::string> names;
      for (const char* a : allowed) ok = ok || n->text == a, names.emplace_back(a);
      if (!ok)
        return Error(*n, Quote(prefix_ + key) + " must be one of " + Join(names, ", ") + ", got " +
                             Quote(n->text));
    }
    *out = n->text;
    return Status::Ok();
  }
  Status Bool(const char* key, bool* out) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    if (!n->is_scalar() || n->Resolve() != yaml::ScalarKind::kBool) {
      return Error(*n, Quote(prefix_ + key) + " must be true or false, got " + n->Describe());
    }
    *out = n->text == "true" || n->text == "True" || n->text == "TRUE";
    return Status::Ok();
  }
  Status Int(const char* key, int64_t lo, int64_t hi, int64_t* out) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    int64_t v = 0;
    if (!n->is_scalar() || n->Resolve() != yaml::ScalarKind::kInt || !ParseInt64(n->text, &v) ||
        v < lo || v > hi) {
      return Error(*n, Quote(prefix_ + key) + " must be an integer from " + std::to_string(lo) +
                           " to " + std::to_string(hi) + ", got " + n->Describe());
    }
    *out = v;
    return Status::Ok();
  }
  Status StringList(const char* key, std::vector<std::string>* out) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    if (!n->is_seq())
      return Error(*n, Quote(prefix_ + key) + " must be a list of text, got " + n->Describe());
    for (const auto& item : n->items) {
      if (!item->is_scalar() || item->text.empty()) {
        return Error(*item,
                     "each of " + Quote(prefix_ + key) + " must be text, got " + item->Describe());
      }
      out->push_back(item->text);
    }
    return Status::Ok();
  }
  Status StringMap(const char* key, std::map<std::string, std::string>* out) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    if (!n->is_map())
      return Error(
          *n, Quote(prefix_ + key) + " must be a mapping of text to text, got " + n->Describe());
    for (const auto& [k, v] : n->entries) {
      if (!v->is_scalar())
        return Error(*v,
                     Quote(prefix_ + key + "." + k->text) + " must be text, got " + v->Describe());
      (*out)[k->text] = v->text;
    }
    return Status::Ok();
  }
  // A list (`list`) or mapping in Kubernetes' own shape, as canonical JSON for the API.
  Status Json(const char* key, bool list, std::string* out) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    if (list ? !n->is_seq() : !n->is_map()) {
      return Error(*n, Quote(prefix_ + key) + " must be " + (list ? "a list" : "a mapping") +
                           ", got " + n->Describe());
    }
    LiteralResult lit = ValueFromNode(*n, list ? Type::List(Type::Json()) : Type::Json());
    if (!lit.ok())
      return Error(lit.at != nullptr ? *lit.at : *n, Quote(prefix_ + key) + ": " + lit.error);
    *out =
        n->items.empty() && n->entries.empty() ? "" : lit.value.ToCanonicalJson();  // [] / {}: none
    return Status::Ok();
  }
  Status Duration(const char* key, int64_t* nanos) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return Status::Ok();
    std::optional<int64_t> d = n->is_scalar() ? ParseDuration(n->text) : std::nullopt;
    if (!d || *d < 0)
      return Error(*n, Quote(prefix_ + key) + " must be a duration such as 10s or 1m30s, got " +
                           n->Describe());
    *nanos = *d;
    return Status::Ok();
  }
  Status Millis(const char* key, std::chrono::milliseconds* out) const {
    int64_t nanos = -1;
    RETURN_IF_ERROR(Duration(key, &nanos));
    if (nanos >= 0) *out = std::chrono::milliseconds(nanos / 1'000'000);
    return Status::Ok();
  }
  const yaml::Node* Section(const char* key, Status* st) const {
    const yaml::Node* n = map_.Get(key);
    if (n == nullptr || n->is_null()) return nullptr;
    if (!n->is_map()) {
      *st = Error(*n, Quote(prefix_ + key) + " must be a mapping, got " + n->Describe());
      return nullptr;
    }
    return n;
  }

 private:
  Status Error(const yaml::Node& at, const std::string& message) const {
    return InvalidArgument(path_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.col) +
                           ": " + message);
  }
  std::string path_;
  const yaml::Node& map_;
  std::string prefix_;
};

}  // namespace

Result<ServeConfig> LoadServeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the configuration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  yaml::ParseResult parsed = yaml::ParseText(text.str(), path);
  if (!parsed.doc) {
    return InvalidArgument(path + ":" + std::to_string(parsed.error.line) + ":" +
                           std::to_string(parsed.error.col) +
                           ": invalid YAML: " + parsed.error.message);
  }
  ServeConfig c;
  const yaml::Node* root = parsed.doc->root();
  if (root == nullptr || root->is_null()) return c;
  if (!root->is_map())
    return InvalidArgument(path + ": expected a mapping of settings, got " + root->Describe());
  Reader r(path, *root, "");
  RETURN_IF_ERROR(r.CheckKeys({"listen", "home", "auth", "insecure", "log", "tasks", "http",
                               "webhooks", "kubernetes", "raw_data_prefix", "gc"}));
  RETURN_IF_ERROR(r.String("listen", &c.listen));
  RETURN_IF_ERROR(r.String("raw_data_prefix", &c.raw_data_prefix));
  RETURN_IF_ERROR(r.String("home", &c.home));
  if (StartsWith(c.home, "~/")) {
    const char* h = std::getenv("HOME");
    if (h != nullptr) c.home = std::string(h) + c.home.substr(1);
  }
  RETURN_IF_ERROR(r.String("auth", &c.auth, {"none", "token"}));
  RETURN_IF_ERROR(r.Bool("insecure", &c.insecure));
  Status st;
  if (const yaml::Node* log = r.Section("log", &st)) {
    Reader l(path, *log, "log.");
    RETURN_IF_ERROR(l.CheckKeys({"format", "access"}));
    RETURN_IF_ERROR(l.String("format", &c.log_format, {"text", "json"}));
    RETURN_IF_ERROR(l.Bool("access", &c.access_log));
  }
  RETURN_IF_ERROR(st);
  if (const yaml::Node* kube = r.Section("kubernetes", &st)) {
    Reader k(path, *kube, "kubernetes.");
    RETURN_IF_ERROR(k.CheckKeys(
        {"enabled", "kubeconfig", "context", "namespace", "image", "service_account", "max_pods",
         "delete_pods", "image_pull_grace", "labels", "annotations", "node_selector", "tolerations",
         "interruptible", "pod_template", "keep_failed_for", "instance", "raw_data_prefix"}));
    std::string prefix;
    RETURN_IF_ERROR(k.String("raw_data_prefix", &prefix));
    if (!prefix.empty() && !c.raw_data_prefix.empty() && prefix != c.raw_data_prefix) {
      return InvalidArgument(path + ": raw_data_prefix and kubernetes.raw_data_prefix differ (" +
                             c.raw_data_prefix + ", " + prefix + "): set one");
    }
    if (!prefix.empty()) c.raw_data_prefix = prefix;
    c.kube.enabled = true;  // the section turns it on unless it says enabled: false
    RETURN_IF_ERROR(k.Bool("enabled", &c.kube.enabled));
    RETURN_IF_ERROR(k.String("kubeconfig", &c.kube.kubeconfig));
    RETURN_IF_ERROR(k.String("context", &c.kube.context));
    RETURN_IF_ERROR(k.String("namespace", &c.kube.ns));
    RETURN_IF_ERROR(k.String("image", &c.kube.image));
    RETURN_IF_ERROR(k.String("service_account", &c.kube.service_account));
    RETURN_IF_ERROR(k.String("instance", &c.kube.instance));
    int64_t max_pods = c.kube.max_pods;
    RETURN_IF_ERROR(k.Int("max_pods", 1, 100000, &max_pods));
    c.kube.max_pods = static_cast<uint32_t>(max_pods);
    std::string delete_pods = "always";
    RETURN_IF_ERROR(k.String("delete_pods", &delete_pods, {"always", "on_success"}));
    c.kube.delete_failed = delete_pods == "always";
    RETURN_IF_ERROR(k.Duration("image_pull_grace", &c.kube.image_pull_grace_nanos));
    RETURN_IF_ERROR(k.StringMap("labels", &c.kube.labels));
    RETURN_IF_ERROR(k.StringMap("annotations", &c.kube.annotations));
    RETURN_IF_ERROR(k.StringMap("node_selector", &c.kube.node_selector));
    RETURN_IF_ERROR(k.Json("tolerations", true, &c.kube.tolerations_json));
    RETURN_IF_ERROR(k.Json("pod_template", false, &c.kube.pod_template_json));
    RETURN_IF_ERROR(k.Duration("keep_failed_for", &c.kube.keep_failed_for_nanos));
    if (const yaml::Node* spot = k.Section("interruptible", &st)) {
      Reader i(path, *spot, "kubernetes.interruptible.");
      RETURN_IF_ERROR(i.CheckKeys({"node_selector", "tolerations"}));
      RETURN_IF_ERROR(i.StringMap("node_selector", &c.kube.interruptible_node_selector));
      RETURN_IF_ERROR(i.Json("tolerations", true, &c.kube.interruptible_tolerations_json));
    }
    RETURN_IF_ERROR(st);
    if (!c.kube.enabled) c.kube = KubeFlags{};
  }
  RETURN_IF_ERROR(st);
  if (const yaml::Node* tasks = r.Section("tasks", &st)) {
    Reader t(path, *tasks, "tasks.");
    RETURN_IF_ERROR(t.CheckKeys({"abort_grace", "supervise", "max_log_mib"}));
    RETURN_IF_ERROR(t.Duration("abort_grace", &c.abort_grace_nanos));
    RETURN_IF_ERROR(t.Bool("supervise", &c.supervise));
    int64_t log_mib = static_cast<int64_t>(c.max_log_bytes >> 20);
    RETURN_IF_ERROR(t.Int("max_log_mib", 0, 1 << 20, &log_mib));
    c.max_log_bytes = static_cast<uint64_t>(log_mib) << 20;
  }
  RETURN_IF_ERROR(st);
  if (const yaml::Node* http = r.Section("http", &st)) {
    Reader h(path, *http, "http.");
    RETURN_IF_ERROR(
        h.CheckKeys({"max_connections", "max_streams_per_client", "threads", "max_body_mib",
                     "max_upload_mib", "allowed_hosts", "allowed_origins"}));
    RETURN_IF_ERROR(h.StringList("allowed_hosts", &c.allowed_hosts));
    RETURN_IF_ERROR(h.StringList("allowed_origins", &c.allowed_origins));
    for (const std::string& o : c.allowed_origins) {
      const bool web = StartsWith(o, "http://") || StartsWith(o, "https://");
      if (o != "*" && (!web || o.find('/', o.find("//") + 2) != std::string::npos)) {
        return InvalidArgument(
            path +
            ": http.allowed_origins takes origins such as https://tools.example:8443 "
            "(scheme, host and port, no path) or *, got " +
            Quote(o));
      }
    }
    int64_t connections = static_cast<int64_t>(c.max_connections),
            mib = static_cast<int64_t>(c.max_body_bytes >> 20);
    int64_t streams = static_cast<int64_t>(c.max_streams_per_client);
    RETURN_IF_ERROR(h.Int("threads", 4, 65536, &connections));  // the name before 0.2: a fixed pool
    RETURN_IF_ERROR(h.Int("max_connections", 4, 65536, &connections));
    RETURN_IF_ERROR(h.Int("max_streams_per_client", 1, 65536, &streams));
    RETURN_IF_ERROR(h.Int("max_body_mib", 1, 1024, &mib));
    c.max_connections = static_cast<size_t>(connections);
    c.max_streams_per_client = static_cast<size_t>(streams);
    c.max_body_bytes = static_cast<size_t>(mib) << 20;
    int64_t upload_mib = static_cast<int64_t>(c.max_upload_bytes >> 20);
    RETURN_IF_ERROR(h.Int("max_upload_mib", 1, int64_t{1} << 30, &upload_mib));
    c.max_upload_bytes = static_cast<uint64_t>(upload_mib) << 20;
  }
  RETURN_IF_ERROR(st);
  if (const yaml::Node* gc = r.Section("gc", &st)) {
    Reader g(path, *gc, "gc.");
    RETURN_IF_ERROR(g.CheckKeys({"interval", "older_than"}));
    RETURN_IF_ERROR(g.Duration("interval", &c.gc_interval_nanos));
    RETURN_IF_ERROR(g.Duration("older_than", &c.gc_older_than_nanos));
  }
  RETURN_IF_ERROR(st);
  if (const yaml::Node* hooks = r.Section("webhooks", &st)) {
    Reader w(path, *hooks, "webhooks.");
    RETURN_IF_ERROR(w.CheckKeys({"timeout", "attempts", "initial_backoff", "max_backoff"}));
    RETURN_IF_ERROR(w.Millis("timeout", &c.webhook_timeout));
    int64_t attempts = c.webhook_attempts;
    RETURN_IF_ERROR(w.Int("attempts", 1, 100, &attempts));
    c.webhook_attempts = static_cast<int>(attempts);
    RETURN_IF_ERROR(w.Millis("initial_backoff", &c.webhook_initial_backoff));
    RETURN_IF_ERROR(w.Millis("max_backoff", &c.webhook_max_backoff));
  }
  RETURN_IF_ERROR(st);
  return c;
}

}  // namespace flyte::cli
