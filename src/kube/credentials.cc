#include "kube/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "nlohmann/json.hpp"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::kube {
namespace {

const char* ApiVersionName(ExecApiVersion v) {
  switch (v) {
    case ExecApiVersion::kV1:
      return "client.authentication.k8s.io/v1";
    case ExecApiVersion::kV1Beta1:
      return "client.authentication.k8s.io/v1beta1";
  }
  return "";
}

std::string EncodeBase64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out.push_back(k[(n >> 18) & 63]);
    out.push_back(k[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? k[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? k[n & 63] : '=');
  }
  return out;
}

struct Output {
  std::string out;
  int status = 0;
  bool timed_out = false;
};

// Runs argv with envp, stdin from /dev/null, stdout captured, stderr shared with ours (plugins
// print their prompts and diagnostics there), killed after `timeout`.
Result<Output> Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     std::chrono::nanoseconds timeout) {
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const std::string& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return IOError(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return IOError(std::string("cannot start: ") + std::strerror(rc));
  }
  Output o;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      o.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    o.out.append(buf, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  while (::waitpid(pid, &o.status, 0) < 0 && errno == EINTR) {
  }
  return o;
}

Result<ExecCredential> ParseCredential(const std::string& out, ExecApiVersion want) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    return InvalidArgument("its output is not JSON");
  }
  if (!j.is_object()) return InvalidArgument("its output is not an ExecCredential object");
  std::string api = j.value("apiVersion", "");
  if (api != ApiVersionName(want)) {
    return InvalidArgument("it answered apiVersion " + Quote(api) + ", not " +
                           Quote(ApiVersionName(want)));
  }
  if (j.value("kind", "") != "ExecCredential") {
    return InvalidArgument("its output is not of kind ExecCredential");
  }
  auto status = j.find("status");
  if (status == j.end() || !status->is_object()) {
    return InvalidArgument("its ExecCredential has no status");
  }
  ExecCredential c;
  auto str = [&](const char* key) -> std::string {
    auto it = status->find(key);
    return it != status->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  c.token = str("token");
  c.client_certificate_data = str("clientCertificateData");
  c.client_key_data = str("clientKeyData");
  if (c.client_certificate_data.empty() != c.client_key_data.empty()) {
    return InvalidArgument(c.client_key_data.empty()
                               ? "it gave clientCertificateData without clientKeyData"
                               : "it gave clientKeyData without clientCertificateData");
  }
  if (c.token.empty() && c.client_certificate_data.empty()) {
    return InvalidArgument("it gave neither a token nor a client certificate");
  }
  if (std::string exp = str("expirationTimestamp"); !exp.empty()) {
    c.expires_at = ParseDatetime(exp);
    if (!c.expires_at) return InvalidArgument("invalid expirationTimestamp " + Quote(exp));
  }
  return c;
}

}  // namespace

ExecCredentialProvider::ExecCredentialProvider(KubeConfig config,
                                               std::map<std::string, std::string> env, NowFn now,
                                               int64_t timeout_nanos)
    : config_(std::move(config)),
      env_(std::move(env)),
      now_(std::move(now)),
      timeout_nanos_(timeout_nanos) {}

std::string ExecCredentialProvider::ExecInfo() const {
  const ExecConfig& x = *config_.exec;
  nlohmann::json spec = {{"interactive", false}};
  if (x.provide_cluster_info) {
    std::string ca = config_.ca_data;
    if (ca.empty() && !config_.ca_file.empty()) {
      std::ifstream in(config_.ca_file, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      ca = ss.str();
    }
    nlohmann::json cluster = {{"server", config_.server}};
    if (!ca.empty()) cluster["certificate-authority-data"] = EncodeBase64(ca);
    if (!config_.tls_server_name.empty()) cluster["tls-server-name"] = config_.tls_server_name;
    if (config_.insecure_skip_tls_verify) cluster["insecure-skip-tls-verify"] = true;
    if (!config_.proxy_url.empty()) cluster["proxy-url"] = config_.proxy_url;
    spec["cluster"] = cluster;
  }
  nlohmann::json info = {
      {"apiVersion", ApiVersionName(x.api_version)}, {"kind", "ExecCredential"}, {"spec", spec}};
  return info.dump();
}

Result<ExecCredential> ExecCredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_ && (!cached_->expires_at || now_() < *cached_->expires_at)) return *cached_;
  cached_.reset();
  ASSIGN_OR_RETURN(ExecCredential fresh, Run());
  cached_ = fresh;
  return fresh;
}

void ExecCredentialProvider::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  cached_.reset();
}

Result<ExecCredential> ExecCredentialProvider::Run() {
  const ExecConfig& x = *config_.exec;
  std::string who = "exec plugin " + Quote(x.command) + " of user " + Quote(config_.user_name);
  std::string hint = x.install_hint.empty() ? "" : "\n" + x.install_hint;
  // flyte runs without a terminal (a server, a CI job): a plugin that needs one cannot work.
  if (x.interactive_mode == InteractiveMode::kAlways) {
    return FailedPrecondition(who +
                              ": interactiveMode is Always, but flyte has no terminal to "
                              "give it" +
                              hint);
  }
  std::map<std::string, std::string> env = env_;
  for (const auto& [k, v] : x.env) env[k] = v;
  env["KUBERNETES_EXEC_INFO"] = ExecInfo();
  std::vector<std::string> envp;
  for (const auto& [k, v] : env) envp.push_back(k + "=" + v);
  std::vector<std::string> argv{x.command};
  argv.insert(argv.end(), x.args.begin(), x.args.end());
  auto ran = Spawn(argv, envp, std::chrono::nanoseconds(timeout_nanos_));
  if (!ran.ok()) return Unavailable(who + ": " + ran.status().message() + hint);
  if (ran->timed_out) {
    return Unavailable(who + ": no answer within " + FormatDuration(timeout_nanos_));
  }
  if (WIFSIGNALED(ran->status)) {
    return Unavailable(who + ": killed by signal " + std::to_string(WTERMSIG(ran->status)));
  }
  if (WEXITSTATUS(ran->status) != 0) {
    return Unavailable(who + ": exit status " + std::to_string(WEXITSTATUS(ran->status)) + hint);
  }
  auto cred = ParseCredential(ran->out, x.api_version);
  if (!cred.ok()) return InvalidArgument(who + ": " + cred.status().message());
  return cred;
}

}  // namespace flyte::kube
