// The fake Kubernetes API server of tests/support/fake_kube (Python), started for one test: a
// real HTTP(S) server with a kubelet simulator. It lives as long as this object; its stdin is a
// lifeline, so it also ends (with the processes of its Pods) when the test process dies.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "httplib.h"
#include "nlohmann/json.hpp"
#include "support/process_helpers.h"

namespace flyte::testing {

class FakeKube {
 public:
  // `kubelet`: process | scripted | none; `args`: more flags (--operators dask, --step 0.01...).
  explicit FakeKube(const std::string& kubelet, bool tls = false,
                    const std::vector<std::string>& args = {}) {
    struct {
      bool tls;
      std::string kubelet;
      std::vector<std::string> args;
    } o{tls, kubelet, args};
    std::vector<std::string> argv = {
        "/usr/bin/python3", std::string(FLYTE_SOURCE_DIR) + "/tests/support/fake_kube",
        "--port",           "0",
        "--state-dir",      dir_.path(),
        "--kubelet",        o.kubelet,
        "--stdin-lifeline"};
    if (o.tls) argv.push_back("--tls");
    argv.insert(argv.end(), o.args.begin(), o.args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    int rc = posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    lifeline_ = in[1];
    REQUIRE(rc == 0);
    // The ready line.
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    ::close(out[0]);
    INFO("the fake API server did not start: " << line);
    REQUIRE(line.find('\n') != std::string::npos);
    ready_ = nlohmann::json::parse(line.substr(0, line.find('\n')));
    url_ = ready_["url"].get<std::string>();
  }
  ~FakeKube() {
    ::close(lifeline_);
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  FakeKube(const FakeKube&) = delete;
  FakeKube& operator=(const FakeKube&) = delete;

  const std::string& url() const { return url_; }
  std::string kubeconfig(const std::string& variant = "token") const {
    return variant == "token" ? ready_["kubeconfig"].get<std::string>()
                              : ready_["kubeconfigs"][variant].get<std::string>();
  }
  const std::string& state_dir() const { return dir_.path(); }

  // A request to the fake (its /_fake/ side channel, or the API as the admin).
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr) {
    std::unique_ptr<httplib::ClientImpl> c;
    if (url_.rfind("https://", 0) == 0) {
      auto ssl = std::make_unique<httplib::SSLClient>(HostPort().first, HostPort().second);
      ssl->enable_server_certificate_verification(false);
      c = std::move(ssl);
    } else {
      c = std::make_unique<httplib::ClientImpl>(HostPort().first, HostPort().second);
    }
    httplib::Headers h = {{"Authorization", "Bearer " + ready_["token"].get<std::string>()}};
    httplib::Result r = method == "GET"      ? c->Get(path, h)
                        : method == "DELETE" ? c->Delete(path, h)
                                             : c->Post(path, h, body.is_null() ? "" : body.dump(),
                                                       "application/json");
    REQUIRE(r);
    nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json(r->body) : j;
  }
  void Fault(const nlohmann::json& rule) { Call("POST", "/_fake/faults", rule); }
  // The Pods in `ns` (names → phase), as the API lists them.
  nlohmann::json Pods(const std::string& selector = "", const std::string& ns = "default") {
    return Call("GET", "/api/v1/namespaces/" + ns + "/pods" +
                           (selector.empty() ? "" : "?labelSelector=" + selector));
  }

 private:
  std::pair<std::string, int> HostPort() const {
    std::string hp = url_.substr(url_.find("://") + 3);
    size_t colon = hp.rfind(':');
    return {hp.substr(0, colon), std::stoi(hp.substr(colon + 1))};
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int lifeline_ = -1;
  nlohmann::json ready_;
  std::string url_;
};

}  // namespace flyte::testing
