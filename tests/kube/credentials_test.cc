// Exec credential plugins: what the plugin receives, what flyte accepts from it, and when it
// runs again. The plugin is a small shell script that counts its runs; time is a manual clock.
#include <catch2/catch.hpp>

#include "kube/credentials.h"
#include "nlohmann/json.hpp"
#include "support/process_helpers.h"

namespace flyte::kube {
namespace {

using testing::ReadFile;
using testing::TempDir;

constexpr int64_t kSecond = 1'000'000'000;
// 2026-01-01T00:00:00Z
constexpr int64_t kNewYear = 1767225600 * kSecond;

struct Plugin {
  explicit Plugin(const TempDir& dir) : dir(dir) {
    dir.Write("plugin", R"(#!/bin/sh
n=$(cat "$STATE/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$STATE/count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$STATE/info.json"
sed "s/NUM/$n/" "$STATE/answer"
exit $(cat "$STATE/exit" 2>/dev/null || echo 0)
)");
    std::filesystem::permissions(dir / "plugin", std::filesystem::perms::owner_all);
    config.user_name = "u";
    config.server = "https://k:6443";
    config.ca_data = "CA";
    config.tls_server_name = "kubernetes";
    ExecConfig x;
    x.command = dir / "plugin";
    x.env = {{"STATE", dir.path()}};
    x.interactive_mode = InteractiveMode::kNever;
    x.install_hint = "install it with: apt install plugin";
    config.exec = x;
  }
  void Answer(const std::string& json) const { dir.Write("answer", json); }
  int Runs() const { return std::stoi(ReadFile(dir / "count")); }
  ExecCredentialProvider Provider() {
    return ExecCredentialProvider(config, {{"PATH", "/usr/bin:/bin"}}, [this] { return now; });
  }

  const TempDir& dir;
  KubeConfig config;
  int64_t now = kNewYear;
};

TEST_CASE("exec plugin: cached until its expirationTimestamp, re-run after a 401",
          "[kubeconfig][exec]") {
  TempDir dir;
  Plugin plugin(dir);
  plugin.Answer(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
  "status": {"token": "tok-NUM", "expirationTimestamp": "2026-01-01T00:10:00Z"}})");
  auto provider = plugin.Provider();
  auto c = provider.Get();
  REQUIRE(c.ok());
  CHECK(c->token == "tok-1");
  CHECK(c->expires_at == kNewYear + 600 * kSecond);
  plugin.now += 599 * kSecond;
  CHECK(provider.Get()->token == "tok-1");
  CHECK(plugin.Runs() == 1);
  plugin.now += kSecond;
  CHECK(provider.Get()->token == "tok-2");
  provider.Invalidate();
  CHECK(provider.Get()->token == "tok-3");
  CHECK(plugin.Runs() == 3);

  auto info = nlohmann::json::parse(ReadFile(dir / "info.json"));
  CHECK(info == nlohmann::json::parse(R"({"apiVersion": "client.authentication.k8s.io/v1",
    "kind": "ExecCredential", "spec": {"interactive": false}})"));
}

TEST_CASE("exec plugin: client certificates, v1beta1 and the cluster it is asked about",
          "[kubeconfig][exec]") {
  TempDir dir;
  Plugin plugin(dir);
  plugin.config.exec->api_version = ExecApiVersion::kV1Beta1;
  plugin.config.exec->provide_cluster_info = true;
  plugin.Answer(R"({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
  "status": {"clientCertificateData": "CERT", "clientKeyData": "KEY"}})");
  auto provider = plugin.Provider();
  auto c = provider.Get();
  REQUIRE(c.ok());
  CHECK(c->client_certificate_data == "CERT");
  CHECK(c->client_key_data == "KEY");
  CHECK_FALSE(c->expires_at.has_value());
  plugin.now += 1000000 * kSecond;  // no expiry: kept until a 401
  CHECK(provider.Get().ok());
  CHECK(plugin.Runs() == 1);
  CHECK(nlohmann::json::parse(ReadFile(dir / "info.json")) == nlohmann::json::parse(R"({
    "apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
    "spec": {"interactive": false, "cluster": {"server": "https://k:6443",
      "certificate-authority-data": "Q0E=", "tls-server-name": "kubernetes"}}})"));
}

TEST_CASE("exec plugin errors name the plugin and the reason, never its output",
          "[kubeconfig][exec]") {
  TempDir dir;
  Plugin plugin(dir);
  std::string who = "exec plugin '" + dir / "plugin" + "' of user 'u': ";
  auto error = [&](const std::string& answer) {
    plugin.Answer(answer);
    auto c = plugin.Provider().Get();
    REQUIRE_FALSE(c.ok());
    return c.status().message();
  };
  CHECK(error("secret-token") == who + "its output is not JSON");
  CHECK(error(R"({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": "t"}})") ==
        who +
            "it answered apiVersion 'client.authentication.k8s.io/v1beta1', not "
            "'client.authentication.k8s.io/v1'");
  CHECK(error(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential"})") ==
        who + "its ExecCredential has no status");
  CHECK(error(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {}})") == who + "it gave neither a token nor a client certificate");
  CHECK(error(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"clientCertificateData": "C"}})") ==
        who + "it gave clientCertificateData without clientKeyData");
  CHECK(error(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"token": "t", "expirationTimestamp": "soon"}})") ==
        who + "invalid expirationTimestamp 'soon'");
  dir.Write("exit", "3");
  CHECK(error("{}") == who + "exit status 3\ninstall it with: apt install plugin");
  plugin.config.exec->command = dir / "absent";
  CHECK(error("{}") == "exec plugin '" + dir / "absent" +
                           "' of user 'u': cannot start: No such file or directory\n"
                           "install it with: apt install plugin");
  plugin.config.exec->interactive_mode = InteractiveMode::kAlways;
  CHECK(error("{}") == "exec plugin '" + dir / "absent" +
                           "' of user 'u': interactiveMode is Always, but flyte has no terminal "
                           "to give it\ninstall it with: apt install plugin");
}

}  // namespace
}  // namespace flyte::kube
