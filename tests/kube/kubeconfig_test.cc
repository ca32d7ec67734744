// The kubeconfig reader: discovery, merging of a KUBECONFIG list, relative paths, the
// in-cluster service account, overrides and every error, with the merge checked against the
// real kubectl where it is installed.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "kube/kubeconfig.h"
#include "nlohmann/json.hpp"
#include "support/process_helpers.h"

namespace flyte::kube {
namespace {

using testing::TempDir;

// Options reading only `env`, with HOME pointing into the temp dir so nothing real is read.
KubeConfigOptions Opts(const TempDir& dir, std::map<std::string, std::string> env = {}) {
  KubeConfigOptions o;
  o.env = std::move(env);
  o.env.emplace("HOME", dir / "home");
  o.service_account_dir = dir / "sa";
  return o;
}

std::string Error(const Result<KubeConfig>& r) {
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

// Three files with overlapping names: c1, u1 and ctx "dev" in more than one of them.
struct ThreeFiles {
  explicit ThreeFiles(const TempDir& dir) {
    dir.Write("a/ca-a.crt", "CA-A");
    dir.Write("b/certs/ca-b.crt", "CA-B");
    a = dir.Write("a/config", R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://a.example:6443
    certificate-authority: ca-a.crt
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team-a}
users:
- name: u1
  user: {token: token-a}
)");
    b = dir.Write("b/config", R"(current-context: prod
clusters:
- name: c1
  cluster: {server: https://b.example:6443}
- name: c2
  cluster: {server: https://c2.example, certificate-authority: certs/ca-b.crt}
contexts:
- name: dev
  context: {cluster: c2, user: u2}
- name: prod
  context: {cluster: c2, user: u2}
users:
- name: u1
  user: {token: token-b}
- name: u2
  user: {tokenFile: tokens/t}
)");
    c = dir.Write("c/config.json", R"({"apiVersion": "v1", "kind": "Config",
 "clusters": [{"name": "c3", "cluster": {"server": "https://c3.example:443",
                                          "insecure-skip-tls-verify": true}}],
 "contexts": [{"name": "third", "context": {"cluster": "c3", "user": "u3", "namespace": "ns3"}},
              {"name": "prod", "context": {"cluster": "c3", "user": "u3"}}],
 "users": [{"name": "u3", "user": {"username": "admin", "password": "secret"}}]})");
  }
  std::string list() const { return a + ":" + b + "::" + c; }
  std::string a, b, c;
};

TEST_CASE("kubeconfig list: the first file wins current-context and every named entry",
          "[kubeconfig]") {
  TempDir dir;
  ThreeFiles files(dir);
  auto r = LoadKubeConfig(Opts(dir, {{"KUBECONFIG", files.list() + ":" + dir / "missing"}}));
  REQUIRE(r.ok());
  CHECK(r->files == std::vector<std::string>{files.a, files.b, files.c});
  CHECK(r->context_name == "dev");
  CHECK(r->cluster_name == "c1");
  CHECK(r->user_name == "u1");
  CHECK(r->server == "https://a.example:6443");
  CHECK(r->ns == "team-a");
  CHECK(r->ca_file == dir / "a/ca-a.crt");
  CHECK(r->token == "token-a");
  CHECK_FALSE(r->in_cluster);
}

TEST_CASE("kubeconfig list: entries of later files are reachable, paths relative to their file",
          "[kubeconfig]") {
  TempDir dir;
  ThreeFiles files(dir);
  auto opts = Opts(dir, {{"KUBECONFIG", files.list()}});
  opts.context = "prod";  // defined by b and c: b's wins
  auto r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->cluster_name == "c2");
  CHECK(r->server == "https://c2.example");
  CHECK(r->ca_file == dir / "b/certs/ca-b.crt");
  CHECK(r->token.empty());
  CHECK(r->token_file == dir / "b/tokens/t");  // not read now: re-read on use
  CHECK(r->ns == "default");

  opts.context = "third";
  opts.ns = "override";
  r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->server == "https://c3.example:443");
  CHECK(r->insecure_skip_tls_verify);
  CHECK(r->username == "admin");
  CHECK(r->password == "secret");
  CHECK(r->ns == "override");
}

TEST_CASE("kubeconfig: the --kubeconfig flag reads that file only; HOME's config is the default",
          "[kubeconfig]") {
  TempDir dir;
  ThreeFiles files(dir);
  auto opts = Opts(dir, {{"KUBECONFIG", files.list()}});
  opts.kubeconfig = files.c;
  opts.context = "prod";
  auto r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->files == std::vector<std::string>{files.c});
  CHECK(r->cluster_name == "c3");
  CHECK(r->ns == "default");

  opts.kubeconfig = dir / "nope";
  CHECK(Error(LoadKubeConfig(opts)) ==
        "kubeconfig " + dir / "nope" + ": No such file or directory");

  std::filesystem::create_directories(dir / "home/.kube");
  std::filesystem::copy_file(files.b, dir / "home/.kube/config");
  dir.Write("home/.kube/certs/ca-b.crt", "CA");
  r = LoadKubeConfig(Opts(dir));
  REQUIRE(r.ok());
  CHECK(r->context_name == "prod");
  CHECK(r->ca_file == dir / "home/.kube/certs/ca-b.crt");
}

TEST_CASE("kubeconfig: -data fields are decoded and replace their file", "[kubeconfig]") {
  TempDir dir;
  dir.Write("client.crt", "CERT");
  dir.Write("client.key", "KEY");
  std::string path = dir.Write("config", R"(current-context: x
clusters:
- name: c
  cluster:
    server: kube.internal:6443
    certificate-authority: missing-but-overridden.crt
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    tls-server-name: kubernetes
    proxy-url: socks5://proxy:1080
users:
- name: u
  user:
    client-certificate: client.crt
    client-key-data: a2V5
contexts:
- name: x
  context: {cluster: c, user: u}
)");
  auto opts = Opts(dir);
  opts.kubeconfig = path;
  auto r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->server == "https://kube.internal:6443");
  CHECK(r->ca_data == "-----BEGIN CERTIFICATE-----\n");
  CHECK(r->ca_file.empty());
  CHECK(r->tls_server_name == "kubernetes");
  CHECK(r->proxy_url == "socks5://proxy:1080");
  CHECK(r->client_certificate_file == dir / "client.crt");
  CHECK(r->client_key_data == "key");
  CHECK(r->client_key_file.empty());
}

TEST_CASE("kubeconfig: exec plugins, their command resolved only when it is a path",
          "[kubeconfig]") {
  TempDir dir;
  std::string path = dir.Write("conf/config", R"(current-context: a
clusters:
- {name: c, cluster: {server: "https://k:6443"}}
users:
- name: path
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, c]
      env: [{name: A, value: "1"}, {name: B, value: two}]
      interactiveMode: Never
      provideClusterInfo: true
- name: onpath
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin,
           args: null, env: null}
contexts:
- {name: a, context: {cluster: c, user: path}}
- {name: b, context: {cluster: c, user: onpath}}
)");
  auto opts = Opts(dir);
  opts.kubeconfig = path;
  auto r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  REQUIRE(r->exec.has_value());
  CHECK(r->exec->api_version == ExecApiVersion::kV1);
  CHECK(r->exec->command == dir / "conf/bin/get-token");
  CHECK(r->exec->args == std::vector<std::string>{"--cluster", "c"});
  CHECK(r->exec->env == std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "two"}});
  CHECK(r->exec->interactive_mode == InteractiveMode::kNever);
  CHECK(r->exec->provide_cluster_info);

  opts.context = "b";
  r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->exec->api_version == ExecApiVersion::kV1Beta1);
  CHECK(r->exec->command == "gke-gcloud-auth-plugin");
  CHECK(r->exec->args.empty());
  CHECK(r->exec->interactive_mode == InteractiveMode::kIfAvailable);
  CHECK_FALSE(r->exec->provide_cluster_info);
}

TEST_CASE("in-cluster: the service account when no kubeconfig is found", "[kubeconfig]") {
  TempDir dir;
  dir.Write("sa/token", "tok");
  dir.Write("sa/ca.crt", "CA");
  dir.Write("sa/namespace", "team-b\n");
  std::map<std::string, std::string> env{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                         {"KUBERNETES_SERVICE_PORT", "443"},
                                         {"KUBECONFIG", dir / "none"}};
  auto r = LoadKubeConfig(Opts(dir, env));
  REQUIRE(r.ok());
  CHECK(r->in_cluster);
  CHECK(r->server == "https://10.96.0.1:443");
  CHECK(r->token_file == dir / "sa/token");
  CHECK(r->ca_file == dir / "sa/ca.crt");
  CHECK(r->ns == "team-b");

  env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  auto opts = Opts(dir, env);
  opts.ns = "mine";
  r = LoadKubeConfig(opts);
  REQUIRE(r.ok());
  CHECK(r->server == "https://[fd00::1]:443");
  CHECK(r->ns == "mine");

  std::filesystem::remove(dir / "sa/token");
  CHECK(Error(LoadKubeConfig(Opts(dir, env))) ==
        "in-cluster config: cannot read the service account token " + dir / "sa/token" +
            ": No such file or directory");

  CHECK(Error(LoadKubeConfig(Opts(dir, {{"KUBECONFIG", dir / "none"}}))) ==
        "no kubeconfig found (KUBECONFIG=" + dir / "none" +
            ") and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)");
  CHECK(Error(LoadKubeConfig(Opts(dir))) ==
        "no kubeconfig found (" + dir / "home/.kube/config" +
            ") and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)");
}

TEST_CASE("kubeconfig: a kubeconfig found wins over the in-cluster account", "[kubeconfig]") {
  TempDir dir;
  ThreeFiles files(dir);
  dir.Write("sa/token", "tok");
  auto r = LoadKubeConfig(Opts(dir, {{"KUBECONFIG", files.a},
                                     {"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                     {"KUBERNETES_SERVICE_PORT", "443"}}));
  REQUIRE(r.ok());
  CHECK_FALSE(r->in_cluster);
  CHECK(r->server == "https://a.example:6443");
}

// Loads `text` as the only kubeconfig and returns the error message.
std::string ErrorOf(const TempDir& dir, const std::string& text, const std::string& context = "") {
  auto opts = Opts(dir);
  opts.kubeconfig = dir.Write("config", text);
  opts.context = context;
  return Error(LoadKubeConfig(opts));
}

const char* kBase = R"(current-context: dev
clusters:
- {name: c, cluster: {server: "https://k:6443"}}
contexts:
- {name: dev, context: {cluster: c, user: u}}
- {name: staging, context: {cluster: c, user: u}}
users:
- {name: u, user: {token: t}}
)";

TEST_CASE("kubeconfig errors: contexts, clusters and users that are not there", "[kubeconfig]") {
  TempDir dir;
  std::string f = dir / "config";
  CHECK(ErrorOf(dir, kBase, "stagng") ==
        f + ": no such context 'stagng' (--context) (did you mean 'staging'?)");
  CHECK(ErrorOf(dir, R"(current-context: prod
contexts:
- {name: dev, context: {cluster: c}}
)") == f + ": no such context 'prod' (current-context)");
  CHECK(ErrorOf(dir, "contexts:\n- {name: dev, context: {cluster: c}}\n") ==
        f + ": no current-context; choose one with --context (contexts: dev)");
  CHECK(ErrorOf(dir, "apiVersion: v1\n") ==
        f + ": no current-context; choose one with --context (no contexts are defined)");
  CHECK(ErrorOf(dir, "current-context: x\ncontexts:\n- {name: x, context: {cluster: nope}}\n") ==
        f + ":3:32: cluster 'nope' of context 'x' is not defined");
  CHECK(ErrorOf(dir, R"(current-context: x
clusters:
- {name: c, cluster: {server: "https://k"}}
contexts:
- {name: x, context: {cluster: c, user: who}}
)") == f + ":5:41: user 'who' of context 'x' is not defined");
  CHECK(ErrorOf(dir, "current-context: x\ncontexts:\n- {name: x, context: {user: u}}\n") ==
        f + ":3:10: context 'x' names no cluster");
  CHECK(ErrorOf(dir, R"(current-context: x
clusters:
- {name: c, cluster: {insecure-skip-tls-verify: true}}
contexts:
- {name: x, context: {cluster: c}}
)") == f + ":3:10: cluster 'c' has no server");
}

TEST_CASE("kubeconfig errors: what kubectl also rejects in a cluster or user", "[kubeconfig]") {
  TempDir dir;
  std::string f = dir / "config";
  auto with_user = [](const std::string& user) {
    return "current-context: x\nclusters:\n- {name: c, cluster: {server: \"https://k\"}}\n"
           "contexts:\n- {name: x, context: {cluster: c, user: u}}\nusers:\n- name: u\n  user:\n" +
           user;
  };
  CHECK(ErrorOf(dir, with_user("    token: t\n    exec: {apiVersion: "
                               "client.authentication.k8s.io/v1, command: x, "
                               "interactiveMode: Never}\n")) ==
        f + ":7:9: user 'u' has more than one authentication method (token, exec); only one is "
            "allowed");
  CHECK(ErrorOf(dir, with_user("    tokenFile: t\n    username: admin\n")) ==
        f + ":7:9: user 'u' has more than one authentication method (token, username/password); "
            "only one is allowed");
  CHECK(ErrorOf(dir, with_user("    client-certificate-data: Zm9v\n")) ==
        f + ":7:9: user 'u': client-certificate without client-key");
  CHECK(ErrorOf(dir, with_user("    client-key-data: Zm9v!\n")) ==
        f + ":9:22: user 'u': invalid base64 in client-key-data");
  CHECK(ErrorOf(dir, with_user("    client-certificate: missing.crt\n")) ==
        f + ":9:25: user 'u': cannot read client-certificate " + dir / "missing.crt" +
            ": No such file or directory");
  CHECK(ErrorOf(dir, with_user("    exec: {command: aws}\n")) ==
        f + ":9:11: user 'u': exec: apiVersion must be client.authentication.k8s.io/v1 or "
            "v1beta1, not missing");
  CHECK(ErrorOf(dir, with_user("    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, "
                               "command: aws}\n")) ==
        f + ":9:24: user 'u': exec: apiVersion must be client.authentication.k8s.io/v1 or "
            "v1beta1, not 'client.authentication.k8s.io/v1alpha1'");
  CHECK(ErrorOf(dir, with_user("    exec: {apiVersion: client.authentication.k8s.io/v1, "
                               "command: aws}\n")) ==
        f + ":9:11: user 'u': exec: interactiveMode must be Never, IfAvailable or Always "
            "(required by client.authentication.k8s.io/v1)");
  CHECK(ErrorOf(dir, with_user("    exec: {apiVersion: client.authentication.k8s.io/v1, "
                               "interactiveMode: Sometimes, command: aws}\n")) ==
        f + ":9:74: user 'u': exec: interactiveMode must be Never, IfAvailable or Always, not "
            "'Sometimes'");
  CHECK(ErrorOf(dir, with_user("    exec: {apiVersion: client.authentication.k8s.io/v1}\n")) ==
        f + ":9:11: user 'u': exec has no command");
  CHECK(ErrorOf(dir, with_user("    auth-provider: {name: gcp}\n")) ==
        f + ":9:20: user 'u': auth-provider is not supported (removed from kubectl); use an exec "
            "plugin such as gke-gcloud-auth-plugin or kubelogin");
  CHECK(ErrorOf(dir, R"(current-context: x
clusters:
- name: c
  cluster:
    server: https://k
    certificate-authority-data: "not base64"
contexts:
- {name: x, context: {cluster: c}}
)") == f + ":6:33: cluster 'c': invalid base64 in certificate-authority-data");
  CHECK(ErrorOf(dir, R"(current-context: x
clusters:
- name: c
  cluster: {server: https://k, certificate-authority-data: Zm9v, insecure-skip-tls-verify: true}
contexts:
- {name: x, context: {cluster: c}}
)") == f + ":4:92: cluster 'c': insecure-skip-tls-verify cannot be combined with a certificate "
           "authority (kubectl refuses it too)");
}

TEST_CASE("kubeconfig errors: a file that is not a kubeconfig", "[kubeconfig]") {
  TempDir dir;
  std::string f = dir / "config";
  CHECK(ErrorOf(dir, "- a\n- b\n") == f + ":1:1: not a kubeconfig: the file holds a list");
  CHECK(ErrorOf(dir, "apiVersion: v1\nkind: Pod\n") ==
        f + ":2:7: not a kubeconfig: kind is a string \"Pod\", not \"Config\"");
  CHECK(ErrorOf(dir, "clusters: {c: 1}\n") == f + ":1:11: clusters must be a list, not a mapping");
  CHECK(ErrorOf(dir, "contexts:\n- {name: a}\n- {name: a}\n") ==
        f + ":3:10: contexts: 'a' is defined twice (first at 2:10)");
  CHECK(ErrorOf(dir, "users:\n- user: {token: t}\n") == f + ":2:3: users: an entry has no name");
  std::string bad = ErrorOf(dir, "clusters: [\n");
  CHECK(bad.rfind(f + ":", 0) == 0);
  CHECK(bad.find(": not a kubeconfig: ") != std::string::npos);

  // In a KUBECONFIG list, a missing file is skipped but an invalid one stops everything.
  dir.Write("good", kBase);
  dir.Write("bad", "- 1\n");
  CHECK(Error(LoadKubeConfig(
            Opts(dir, {{"KUBECONFIG", dir / "good:" + dir / "gone:" + dir / "bad"}}))) ==
        dir / "bad" + ":1:1: not a kubeconfig: the file holds a list");
  std::filesystem::create_directories(dir / "folder");
  CHECK(Error(LoadKubeConfig(Opts(dir, {{"KUBECONFIG", dir / "good:" + dir / "folder"}}))) ==
        "kubeconfig " + dir / "folder" + ": Is a directory");
}

// What kubectl chose from the same KUBECONFIG list, through `config view --minify`.
struct KubectlView {
  std::string context, cluster, user, server, ns;
};

KubectlView ViewWithKubectl(const TempDir& dir, const std::string& list,
                            const std::string& context) {
  std::filesystem::create_directories(dir / "kubectl-home");
  std::vector<std::string> argv{"/usr/bin/kubectl", "config", "view", "--merge", "--raw",
                                "--minify",         "-o",     "json"};
  if (!context.empty()) argv.push_back("--context=" + context);
  testing::Child child(argv, {"KUBECONFIG=" + list, "HOME=" + dir / "kubectl-home"});
  testing::ProcessResult done = child.Wait(120000);
  INFO(done.err);
  REQUIRE(done.exit_code == 0);
  auto j = nlohmann::json::parse(done.out);
  KubectlView v;
  v.context = j.value("current-context", "");
  const auto& ctx = j["contexts"].at(0)["context"];
  v.cluster = ctx.value("cluster", "");
  v.user = ctx.value("user", "");
  v.ns = ctx.value("namespace", "default");
  v.server = j["clusters"].at(0)["cluster"].value("server", "");
  return v;
}

TEST_CASE("kubeconfig list: flyte chooses what kubectl chooses", "[kubeconfig][kubectl]") {
  if (::access("/usr/bin/kubectl", X_OK) != 0) {
    WARN("skipped: /usr/bin/kubectl is not installed, so the merge is not compared with it");
    return;
  }
  TempDir dir;
  ThreeFiles files(dir);
  for (std::string context : {"", "prod", "third", "dev"}) {
    INFO("context " << (context.empty() ? "(current)" : context));
    KubectlView want = ViewWithKubectl(dir, files.list(), context);
    auto opts = Opts(dir, {{"KUBECONFIG", files.list()}});
    opts.context = context;
    auto got = LoadKubeConfig(opts);
    REQUIRE(got.ok());
    CHECK(got->context_name == want.context);
    CHECK(got->cluster_name == want.cluster);
    CHECK(got->user_name == want.user);
    CHECK(got->server == want.server);
    CHECK(got->ns == want.ns);
  }
}

TEST_CASE("DecodeBase64 accepts padded standard base64 only", "[kubeconfig]") {
  CHECK(DecodeBase64("") == std::string());
  CHECK(DecodeBase64("Zm9vYmFy") == std::string("foobar"));
  CHECK(DecodeBase64("Zm9vYg==") == std::string("foob"));
  CHECK(DecodeBase64("Zm9v\nYmE=\n") == std::string("fooba"));
  CHECK(DecodeBase64("Zm9vYg") == std::nullopt);
  CHECK(DecodeBase64("Zm9v YmE=") == std::nullopt);
  CHECK(DecodeBase64("Zg==Zm9v") == std::nullopt);
  CHECK(DecodeBase64("Z===") == std::nullopt);
}

}  // namespace
}  // namespace flyte::kube
