#include "kube/kubeconfig.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "flyte/source.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte::kube {
namespace {

namespace fs = std::filesystem;
using yaml::Node;

// One kubeconfig file, parsed; entries keep pointers into its document.
struct File {
  std::string path;
  std::string dir;  // relative paths inside it resolve against this folder
  std::unique_ptr<yaml::Document> doc;
};

// A named cluster, user or context and the file that defined it (first file wins).
struct Entry {
  const File* file = nullptr;
  const Node* name_node = nullptr;
  const Node* body = nullptr;  // may be null (an entry without its mapping)
};

struct Merged {
  std::vector<std::unique_ptr<File>> files;
  std::map<std::string, Entry> clusters, users, contexts;
  std::vector<std::string> context_order;  // for suggestions, in file order
  std::string current_context;
};

std::string Where(const File& f, const Node* n) {
  if (n == nullptr || n->line == 0) return f.path;
  return f.path + ":" + std::to_string(n->line) + ":" + std::to_string(n->col);
}

Status Bad(const File& f, const Node* n, const std::string& what) {
  return InvalidArgument(Where(f, n) + ": " + what);
}

// Reads a file; nullopt with errno set when it cannot be opened.
std::optional<std::string> ReadAll(const std::string& path, int* err) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {  // an ifstream opens a folder and reads it as empty
    *err = EISDIR;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = errno;
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scalar field as text; "" when absent or null.
Result<std::string> Str(const File& f, const Node* map, const char* key, const std::string& entry) {
  const Node* v = map == nullptr ? nullptr : map->Get(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_scalar()) {
    return Bad(f, v, entry + ": " + key + " must be a string, not " + v->Describe());
  }
  return v->text;
}

Result<bool> Bool(const File& f, const Node* map, const char* key, const std::string& entry) {
  const Node* v = map == nullptr ? nullptr : map->Get(key);
  if (v == nullptr || v->is_null()) return false;
  if (v->is_scalar() && v->Resolve() == yaml::ScalarKind::kBool) return *yaml::ParseBool(v->text);
  return Bad(f, v, entry + ": " + key + " must be true or false, not " + v->Describe());
}

std::string Resolve(const File& f, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(f.dir) / path).lexically_normal().string();
}

// Adds one named list (clusters, users, contexts) of a file; earlier files win.
Status AddEntries(const File& f, const Node* root, const char* list, const char* body_key,
                  std::map<std::string, Entry>* into, std::vector<std::string>* order) {
  const Node* seq = root->Get(list);
  if (seq == nullptr || seq->is_null()) return Status::Ok();
  if (!seq->is_seq())
    return Bad(f, seq, std::string(list) + " must be a list, not " + seq->Describe());
  std::map<std::string, const Node*> seen;
  for (const Node* item : seq->items) {
    if (!item->is_map()) {
      return Bad(f, item,
                 std::string(list) + ": an entry must be a mapping, not " + item->Describe());
    }
    const Node* name = item->Get("name");
    if (name == nullptr || !name->is_scalar() || name->text.empty()) {
      return Bad(f, item, std::string(list) + ": an entry has no name");
    }
    auto [it, fresh] = seen.emplace(name->text, name);
    if (!fresh) {
      return Bad(f, name,
                 std::string(list) + ": " + Quote(name->text) + " is defined twice (first at " +
                     std::to_string(it->second->line) + ":" + std::to_string(it->second->col) +
                     ")");
    }
    const Node* body = item->Get(body_key);
    if (body != nullptr && !body->is_null() && !body->is_map()) {
      return Bad(f, body,
                 std::string(list) + ": " + Quote(name->text) + ": " + body_key +
                     " must be a mapping, not " + body->Describe());
    }
    if (into->emplace(name->text, Entry{&f, name, body}).second && order != nullptr) {
      order->push_back(name->text);
    }
  }
  return Status::Ok();
}

Status AddFile(std::unique_ptr<File> file, Merged* m) {
  const File& f = *file;
  m->files.push_back(std::move(file));
  const Node* root = f.doc->root();
  if (root == nullptr || root->is_null()) return Status::Ok();  // an empty kubeconfig
  if (!root->is_map()) return Bad(f, root, "not a kubeconfig: the file holds " + root->Describe());
  const Node* kind = root->Get("kind");
  if (kind != nullptr && !kind->is_null() && !(kind->is_scalar() && kind->text == "Config")) {
    return Bad(f, kind, "not a kubeconfig: kind is " + kind->Describe() + ", not \"Config\"");
  }
  const Node* api = root->Get("apiVersion");
  if (api != nullptr && !api->is_null() && !(api->is_scalar() && api->text == "v1")) {
    return Bad(f, api, "not a kubeconfig: apiVersion is " + api->Describe() + ", not \"v1\"");
  }
  RETURN_IF_ERROR(AddEntries(f, root, "clusters", "cluster", &m->clusters, nullptr));
  RETURN_IF_ERROR(AddEntries(f, root, "users", "user", &m->users, nullptr));
  RETURN_IF_ERROR(AddEntries(f, root, "contexts", "context", &m->contexts, &m->context_order));
  ASSIGN_OR_RETURN(std::string current, Str(f, root, "current-context", "the file"));
  if (m->current_context.empty()) m->current_context = current;
  return Status::Ok();
}

// Loads `path` into `m`. A missing file is skipped when `optional`, else an error.
Status LoadFile(const std::string& path, bool optional, Merged* m) {
  int err = 0;
  std::optional<std::string> text = ReadAll(path, &err);
  if (!text) {
    if (optional && err == ENOENT) return Status::Ok();
    return IOError("kubeconfig " + path + ": " + std::strerror(err));
  }
  auto file = std::make_unique<File>();
  file->path = path;
  file->dir = fs::absolute(fs::path(path)).parent_path().string();
  yaml::ParseResult parsed = yaml::Parse(std::make_shared<SourceFile>(path, std::move(*text)));
  if (!parsed.doc) {
    return InvalidArgument(path + ":" + std::to_string(parsed.error.line) + ":" +
                           std::to_string(parsed.error.col) +
                           ": not a kubeconfig: " + parsed.error.message);
  }
  file->doc = std::move(parsed.doc);
  return AddFile(std::move(file), m);
}

Status CheckReadable(const File& f, const Node* at, const std::string& entry, const char* key,
                     const std::string& path) {
  int err = 0;
  if (path.empty() || ReadAll(path, &err)) return Status::Ok();
  return Bad(f, at, entry + ": cannot read " + key + " " + path + ": " + std::strerror(err));
}

// A `-data` field decoded, replacing the file field when set.
Status DataOrFile(const File& f, const Node* body, const std::string& entry, const char* file_key,
                  const char* data_key, std::string* file_out, std::string* data_out) {
  ASSIGN_OR_RETURN(std::string data, Str(f, body, data_key, entry));
  if (!data.empty()) {
    std::optional<std::string> decoded = DecodeBase64(data);
    if (!decoded) return Bad(f, body->Get(data_key), entry + ": invalid base64 in " + data_key);
    *data_out = std::move(*decoded);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::string path, Str(f, body, file_key, entry));
  *file_out = Resolve(f, path);
  return CheckReadable(f, body == nullptr ? nullptr : body->Get(file_key), entry, file_key,
                       *file_out);
}

Status ReadCluster(const Entry& e, const std::string& name, KubeConfig* out) {
  const File& f = *e.file;
  const Node* b = e.body;
  std::string entry = "cluster " + Quote(name);
  ASSIGN_OR_RETURN(out->server, Str(f, b, "server", entry));
  if (out->server.empty()) return Bad(f, e.name_node, entry + " has no server");
  if (out->server.find("://") == std::string::npos) out->server = "https://" + out->server;
  RETURN_IF_ERROR(DataOrFile(f, b, entry, "certificate-authority", "certificate-authority-data",
                             &out->ca_file, &out->ca_data));
  ASSIGN_OR_RETURN(out->insecure_skip_tls_verify, Bool(f, b, "insecure-skip-tls-verify", entry));
  if (out->insecure_skip_tls_verify && (!out->ca_file.empty() || !out->ca_data.empty())) {
    return Bad(f, b->Get("insecure-skip-tls-verify"),
               entry +
                   ": insecure-skip-tls-verify cannot be combined with a certificate "
                   "authority (kubectl refuses it too)");
  }
  ASSIGN_OR_RETURN(out->tls_server_name, Str(f, b, "tls-server-name", entry));
  ASSIGN_OR_RETURN(out->proxy_url, Str(f, b, "proxy-url", entry));
  return Status::Ok();
}

Result<ExecConfig> ReadExec(const File& f, const Node* x, const std::string& entry) {
  ExecConfig exec;
  std::string where = entry + ": exec";
  if (!x->is_map()) return Bad(f, x, where + " must be a mapping, not " + x->Describe());
  ASSIGN_OR_RETURN(std::string api, Str(f, x, "apiVersion", where));
  if (api == "client.authentication.k8s.io/v1") {
    exec.api_version = ExecApiVersion::kV1;
  } else if (api == "client.authentication.k8s.io/v1beta1") {
    exec.api_version = ExecApiVersion::kV1Beta1;
  } else {
    const Node* at = x->Get("apiVersion");
    return Bad(f, at == nullptr ? x : at,
               where + ": apiVersion must be client.authentication.k8s.io/v1 or v1beta1, not " +
                   (api.empty() ? std::string("missing") : Quote(api)));
  }
  ASSIGN_OR_RETURN(exec.command, Str(f, x, "command", where));
  if (exec.command.empty()) return Bad(f, x, where + " has no command");
  // kubectl resolves a relative command only when it names a path, not a program on PATH.
  if (exec.command.find('/') != std::string::npos) exec.command = Resolve(f, exec.command);
  if (const Node* args = x->Get("args"); args != nullptr && !args->is_null()) {
    if (!args->is_seq())
      return Bad(f, args, where + ": args must be a list, not " + args->Describe());
    for (const Node* a : args->items) {
      if (!a->is_scalar())
        return Bad(f, a, where + ": an arg must be a string, not " + a->Describe());
      exec.args.push_back(a->text);
    }
  }
  if (const Node* env = x->Get("env"); env != nullptr && !env->is_null()) {
    if (!env->is_seq()) return Bad(f, env, where + ": env must be a list, not " + env->Describe());
    for (const Node* kv : env->items) {
      if (!kv->is_map())
        return Bad(f, kv, where + ": an env entry must be a mapping {name, value}");
      ASSIGN_OR_RETURN(std::string n, Str(f, kv, "name", where + ": env"));
      ASSIGN_OR_RETURN(std::string v, Str(f, kv, "value", where + ": env"));
      if (n.empty()) return Bad(f, kv, where + ": an env entry has no name");
      exec.env.emplace_back(std::move(n), std::move(v));
    }
  }
  ASSIGN_OR_RETURN(std::string mode, Str(f, x, "interactiveMode", where));
  if (mode == "Never") {
    exec.interactive_mode = InteractiveMode::kNever;
  } else if (mode == "IfAvailable") {
    exec.interactive_mode = InteractiveMode::kIfAvailable;
  } else if (mode == "Always") {
    exec.interactive_mode = InteractiveMode::kAlways;
  } else if (mode.empty() && exec.api_version == ExecApiVersion::kV1Beta1) {
    exec.interactive_mode = InteractiveMode::kIfAvailable;  // v1beta1's default
  } else {
    const Node* at = x->Get("interactiveMode");
    return Bad(f, at == nullptr ? x : at,
               where + ": interactiveMode must be Never, IfAvailable or Always" +
                   (mode.empty() ? std::string(" (required by client.authentication.k8s.io/v1)")
                                 : ", not " + Quote(mode)));
  }
  ASSIGN_OR_RETURN(exec.provide_cluster_info, Bool(f, x, "provideClusterInfo", where));
  ASSIGN_OR_RETURN(exec.install_hint, Str(f, x, "installHint", where));
  return exec;
}

Status ReadUser(const Entry& e, const std::string& name, KubeConfig* out) {
  const File& f = *e.file;
  const Node* b = e.body;
  std::string entry = "user " + Quote(name);
  if (b != nullptr && b->Get("auth-provider") != nullptr && !b->Get("auth-provider")->is_null()) {
    return Bad(f, b->Get("auth-provider"),
               entry +
                   ": auth-provider is not supported (removed from kubectl); use an exec "
                   "plugin such as gke-gcloud-auth-plugin or kubelogin");
  }
  RETURN_IF_ERROR(DataOrFile(f, b, entry, "client-certificate", "client-certificate-data",
                             &out->client_certificate_file, &out->client_certificate_data));
  RETURN_IF_ERROR(DataOrFile(f, b, entry, "client-key", "client-key-data", &out->client_key_file,
                             &out->client_key_data));
  bool has_cert = !out->client_certificate_file.empty() || !out->client_certificate_data.empty();
  bool has_key = !out->client_key_file.empty() || !out->client_key_data.empty();
  if (has_cert != has_key) {
    return Bad(f, e.name_node,
               entry + (has_cert ? ": client-certificate without client-key"
                                 : ": client-key without client-certificate"));
  }
  ASSIGN_OR_RETURN(out->token, Str(f, b, "token", entry));
  ASSIGN_OR_RETURN(std::string token_file, Str(f, b, "tokenFile", entry));
  if (out->token.empty()) out->token_file = Resolve(f, token_file);
  ASSIGN_OR_RETURN(out->username, Str(f, b, "username", entry));
  ASSIGN_OR_RETURN(out->password, Str(f, b, "password", entry));
  if (const Node* x = b == nullptr ? nullptr : b->Get("exec"); x != nullptr && !x->is_null()) {
    ASSIGN_OR_RETURN(out->exec, ReadExec(f, x, entry));
  }
  std::vector<std::string> methods;
  if (!out->token.empty() || !token_file.empty()) methods.push_back("token");
  if (!out->username.empty() || !out->password.empty()) methods.push_back("username/password");
  if (out->exec) methods.push_back("exec");
  if (methods.size() > 1) {
    return Bad(f, e.name_node,
               entry + " has more than one authentication method (" + Join(methods, ", ") +
                   "); only one is allowed");
  }
  return Status::Ok();
}

std::string FileList(const Merged& m) {
  std::vector<std::string> paths;
  for (const auto& f : m.files) paths.push_back(f->path);
  return paths.empty() ? std::string("no kubeconfig") : Join(paths, ", ");
}

Result<KubeConfig> Choose(const Merged& m, const KubeConfigOptions& o) {
  KubeConfig out;
  for (const auto& f : m.files) out.files.push_back(f->path);
  std::string name = o.context.empty() ? m.current_context : o.context;
  std::string names = Join(m.context_order, ", ");
  if (name.empty()) {
    return InvalidArgument(
        FileList(m) + ": no current-context; choose one with --context" +
        (names.empty() ? std::string(" (no contexts are defined)") : " (contexts: " + names + ")"));
  }
  auto ctx = m.contexts.find(name);
  if (ctx == m.contexts.end()) {
    std::string how = o.context.empty() ? "current-context" : "--context";
    return InvalidArgument(FileList(m) + ": no such context " + Quote(name) + " (" + how + ")" +
                           DidYouMean(name, m.context_order));
  }
  const File& cf = *ctx->second.file;
  const Node* cb = ctx->second.body;
  std::string entry = "context " + Quote(name);
  out.context_name = name;
  ASSIGN_OR_RETURN(out.cluster_name, Str(cf, cb, "cluster", entry));
  ASSIGN_OR_RETURN(out.user_name, Str(cf, cb, "user", entry));
  ASSIGN_OR_RETURN(std::string ns, Str(cf, cb, "namespace", entry));
  if (out.cluster_name.empty()) return Bad(cf, ctx->second.name_node, entry + " names no cluster");
  auto cl = m.clusters.find(out.cluster_name);
  if (cl == m.clusters.end()) {
    return Bad(cf, cb->Get("cluster"),
               "cluster " + Quote(out.cluster_name) + " of " + entry + " is not defined");
  }
  RETURN_IF_ERROR(ReadCluster(cl->second, out.cluster_name, &out));
  if (!out.user_name.empty()) {
    auto us = m.users.find(out.user_name);
    if (us == m.users.end()) {
      return Bad(cf, cb->Get("user"),
                 "user " + Quote(out.user_name) + " of " + entry + " is not defined");
    }
    RETURN_IF_ERROR(ReadUser(us->second, out.user_name, &out));
  }
  out.ns = !o.ns.empty() ? o.ns : !ns.empty() ? ns : "default";
  return out;
}

std::string Env(const KubeConfigOptions& o, const char* key) {
  auto it = o.env.find(key);
  return it == o.env.end() ? std::string() : it->second;
}

// client-go's InClusterConfig: the Pod's service account and the API server's Service.
Result<KubeConfig> InCluster(const KubeConfigOptions& o) {
  std::string host = Env(o, "KUBERNETES_SERVICE_HOST");
  std::string port = Env(o, "KUBERNETES_SERVICE_PORT");
  KubeConfig out;
  out.in_cluster = true;
  out.server =
      "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  out.token_file = o.service_account_dir + "/token";
  int err = 0;
  if (!ReadAll(out.token_file, &err)) {
    return IOError("in-cluster config: cannot read the service account token " + out.token_file +
                   ": " + std::strerror(err));
  }
  std::string ca = o.service_account_dir + "/ca.crt";
  if (ReadAll(ca, &err)) out.ca_file = ca;
  std::optional<std::string> ns = ReadAll(o.service_account_dir + "/namespace", &err);
  out.ns = !o.ns.empty() ? o.ns : ns && !Trim(*ns).empty() ? std::string(Trim(*ns)) : "default";
  return out;
}

bool InClusterAvailable(const KubeConfigOptions& o) {
  return !Env(o, "KUBERNETES_SERVICE_HOST").empty() && !Env(o, "KUBERNETES_SERVICE_PORT").empty();
}

}  // namespace

Result<KubeConfig> LoadKubeConfig(const KubeConfigOptions& o) {
  Merged m;
  if (!o.kubeconfig.empty()) {
    RETURN_IF_ERROR(LoadFile(o.kubeconfig, /*optional=*/false, &m));
    return Choose(m, o);
  }
  std::string list = Env(o, "KUBECONFIG");
  std::string tried;
  if (!list.empty()) {
    for (std::string_view p : Split(list, ':')) {
      if (p.empty()) continue;
      RETURN_IF_ERROR(LoadFile(std::string(p), /*optional=*/true, &m));
    }
    tried = "KUBECONFIG=" + list;
  } else if (std::string home = Env(o, "HOME"); !home.empty()) {
    RETURN_IF_ERROR(LoadFile(home + "/.kube/config", /*optional=*/true, &m));
    tried = home + "/.kube/config";
  }
  // As client-go does: an empty result (no file found, or only empty files) falls back to
  // the in-cluster service account when running in a Pod, unless a context was asked for.
  bool empty =
      m.contexts.empty() && m.clusters.empty() && m.users.empty() && m.current_context.empty();
  if (empty && o.context.empty() && InClusterAvailable(o)) return InCluster(o);
  if (m.files.empty()) {
    return NotFound("no kubeconfig found (" +
                    (tried.empty() ? std::string("HOME is not set") : tried) +
                    ") and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)");
  }
  return Choose(m, o);
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = clean[i + j];
      if (c == '=') {
        if (i + 4 != clean.size() || j < 2) return std::nullopt;
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) return std::nullopt;
      v[j] = value(c);
      if (v[j] < 0) return std::nullopt;
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

}  // namespace flyte::kube
