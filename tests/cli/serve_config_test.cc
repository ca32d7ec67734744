// The configuration file of `flyte serve`: the shipped config/server.yaml holds exactly the
// defaults, values are read over them, and mistakes name the file, line and column.
#include "cli/serve_config.h"

#include <catch2/catch.hpp>

#include "support/process_helpers.h"

namespace flyte::cli {
namespace {

using testing::TempDir;

TEST_CASE("config/server.yaml documents exactly the defaults", "[config]") {
  Result<ServeConfig> shipped =
      LoadServeConfig(std::string(FLYTE_SOURCE_DIR) + "/config/server.yaml");
  INFO(shipped.status().message());
  REQUIRE(shipped.ok());
  ServeConfig d;
  CHECK(shipped->listen == d.listen);
  CHECK(shipped->home == d.home);
  CHECK(shipped->auth == d.auth);
  CHECK(shipped->insecure == d.insecure);
  CHECK(shipped->log_format == d.log_format);
  CHECK(shipped->access_log == d.access_log);
  CHECK(shipped->abort_grace_nanos == d.abort_grace_nanos);
  CHECK(shipped->supervise == d.supervise);
  CHECK(shipped->max_connections == d.max_connections);
  CHECK(shipped->max_streams_per_client == d.max_streams_per_client);
  CHECK(shipped->allowed_hosts == d.allowed_hosts);
  CHECK(shipped->allowed_origins == d.allowed_origins);
  CHECK(shipped->max_body_bytes == d.max_body_bytes);
  CHECK(shipped->max_upload_bytes == d.max_upload_bytes);
  CHECK(shipped->gc_interval_nanos == d.gc_interval_nanos);
  CHECK(shipped->gc_older_than_nanos == d.gc_older_than_nanos);
  CHECK(shipped->webhook_timeout == d.webhook_timeout);
  CHECK(shipped->webhook_attempts == d.webhook_attempts);
  CHECK(shipped->webhook_initial_backoff == d.webhook_initial_backoff);
  CHECK(shipped->webhook_max_backoff == d.webhook_max_backoff);
  CHECK_FALSE(shipped->kube.any());
  CHECK(shipped->raw_data_prefix == d.raw_data_prefix);
}

TEST_CASE("raw_data_prefix is read at the top or in the kubernetes section, and both must agree",
          "[config]") {
  TempDir tmp;
  Result<ServeConfig> top = LoadServeConfig(tmp.Write("a.yaml", "raw_data_prefix: s3://b/p\n"));
  REQUIRE(top.ok());
  CHECK(top->raw_data_prefix == "s3://b/p");
  Result<ServeConfig> kube = LoadServeConfig(
      tmp.Write("b.yaml", "kubernetes: {enabled: false, raw_data_prefix: s3://b/k}\n"));
  REQUIRE(kube.ok());
  CHECK(kube->raw_data_prefix == "s3://b/k");
  const std::string both =
      tmp.Write("c.yaml", "raw_data_prefix: s3://b/p\nkubernetes: {raw_data_prefix: s3://b/k}\n");
  Result<ServeConfig> differ = LoadServeConfig(both);
  REQUIRE_FALSE(differ.ok());
  CHECK(
      differ.status().message() ==
      both +
          ": raw_data_prefix and kubernetes.raw_data_prefix differ (s3://b/p, s3://b/k): set one");
}

TEST_CASE("the kubernetes section turns Pods on, with its settings", "[config]") {
  testing::TempDir tmp;
  const std::string path = tmp.Write("server.yaml", R"(
kubernetes:
  kubeconfig: /etc/k
  namespace: tasks
  image: debian:12
  max_pods: 7
  delete_pods: on_success
  image_pull_grace: 1m
  labels: {team: ml}
)");
  Result<ServeConfig> c = LoadServeConfig(path);
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->kube.any());
  CHECK(c->kube.kubeconfig == "/etc/k");
  CHECK(c->kube.ns == "tasks");
  CHECK(c->kube.image == "debian:12");
  CHECK(c->kube.max_pods == 7);
  CHECK_FALSE(c->kube.delete_failed);
  CHECK(c->kube.image_pull_grace_nanos == 60'000'000'000);
  CHECK(c->kube.labels.at("team") == "ml");
}

TEST_CASE("a config file sets values over the defaults", "[config]") {
  TempDir tmp;
  std::string path = tmp.Write("s.yaml", R"yaml(
listen: 0.0.0.0:9000
auth: token
log: {format: json, access: true}
tasks: {abort_grace: 1m30s, supervise: false}
http: {threads: 8, max_body_mib: 2, max_streams_per_client: 3, allowed_hosts: [flyte.internal],
       allowed_origins: ["https://tools.example:8443"]}
webhooks: {attempts: 2, timeout: 250ms}
)yaml");
  Result<ServeConfig> c = LoadServeConfig(path);
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->listen == "0.0.0.0:9000");
  CHECK(c->auth == "token");
  CHECK(c->log_format == "json");
  CHECK(c->access_log);
  CHECK(c->abort_grace_nanos == 90'000'000'000);
  CHECK_FALSE(c->supervise);
  CHECK(c->max_connections == 8);
  CHECK(c->max_streams_per_client == 3);
  CHECK(c->allowed_hosts == std::vector<std::string>{"flyte.internal"});
  CHECK(c->allowed_origins == std::vector<std::string>{"https://tools.example:8443"});
  CHECK(c->max_body_bytes == 2u << 20);
  CHECK(c->webhook_attempts == 2);
  CHECK(c->webhook_timeout == std::chrono::milliseconds(250));
  CHECK(c->webhook_max_backoff == ServeConfig{}.webhook_max_backoff);
}

TEST_CASE("config mistakes name the file, line and column", "[config]") {
  TempDir tmp;
  auto error = [&](const std::string& text) {
    std::string path = tmp.Write("bad.yaml", text);
    Result<ServeConfig> c = LoadServeConfig(path);
    REQUIRE_FALSE(c.ok());
    return c.status().message().substr(path.size());
  };
  CHECK(error("listn: 1.2.3.4:1\n") ==
        ":1:1: unknown key 'listn' (did you mean 'listen'?); the keys are: listen, home, auth, "
        "insecure, log, tasks, "
        "http, webhooks, kubernetes, raw_data_prefix, gc");
  CHECK(error("kubernetes:\n  max_pod: 3\n") ==
        ":2:3: unknown key 'kubernetes.max_pod' (did you mean 'max_pods'?); the keys are: enabled, "
        "kubeconfig, "
        "context, namespace, image, service_account, max_pods, delete_pods, image_pull_grace, "
        "labels, annotations, "
        "node_selector, tolerations, interruptible, pod_template, keep_failed_for, instance, "
        "raw_data_prefix");
  CHECK(error("kubernetes:\n  delete_pods: never\n") ==
        ":2:16: 'kubernetes.delete_pods' must be one of always, on_success, got 'never'");
  CHECK(error("log:\n  format: xml\n") ==
        ":2:11: 'log.format' must be one of text, json, got 'xml'");
  CHECK(
      error("tasks:\n  abort_grace: soon\n") ==
      ":2:16: 'tasks.abort_grace' must be a duration such as 10s or 1m30s, got a string \"soon\"");
  CHECK(error("http: {max_connections: 1}\n") ==
        ":1:25: 'http.max_connections' must be an integer from 4 to 65536, got an int 1");
  CHECK(error("http: {allowed_origins: [evil.example/x]}\n") ==
        ": http.allowed_origins takes origins such as https://tools.example:8443 (scheme, host and "
        "port, no "
        "path) or *, got 'evil.example/x'");
  CHECK(error("http: {allowed_hosts: web}\n") ==
        ":1:23: 'http.allowed_hosts' must be a list of text, got a string \"web\"");
  CHECK(error("insecure: maybe\n") ==
        ":1:11: 'insecure' must be true or false, got a string \"maybe\"");
  CHECK(error("webhooks: 3\n") == ":1:11: 'webhooks' must be a mapping, got an int 3");
  CHECK(error("listen: [a\n").find("invalid YAML") != std::string::npos);
  Result<ServeConfig> missing = LoadServeConfig(tmp / "nope.yaml");
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace flyte::cli
