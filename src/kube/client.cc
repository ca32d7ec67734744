#include "kube/client.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "httplib.h"
#include "nlohmann/json.hpp"
#include "util/strings.h"

namespace flyte::kube {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxIdleConnections = 8;

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepNanos(int64_t n) {
  if (n > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(n));
}

void SetTimeout(httplib::ClientImpl& c, int64_t nanos, bool read) {
  const time_t sec = static_cast<time_t>(nanos / 1'000'000'000);
  const time_t usec = static_cast<time_t>((nanos % 1'000'000'000) / 1000);
  if (read) {
    c.set_read_timeout(sec, usec);
  } else {
    c.set_connection_timeout(sec, usec);
  }
}

// Seconds of a Retry-After header (delta-seconds only, as the API server sends it).
int64_t RetryAfterNanos(const httplib::Response& res) {
  if (!res.has_header("Retry-After")) return 0;
  int64_t s = 0;
  if (!ParseInt64(Trim(res.get_header_value("Retry-After")), &s) || s < 0) return 0;
  return s * 1'000'000'000;
}

bool Retryable(int status) { return status == 429 || (status >= 500 && status != 501); }

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string QueryEscape(std::string_view s) { return PercentEncode(s); }

Status ErrorOf(const Response& r, const std::string& what) {
  std::string text = what + ": " +
                     (r.message.empty() ? "HTTP " + std::to_string(r.status) : r.message) + " (" +
                     std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason) + ")";
  switch (r.status) {
    case 404:
      return NotFound(std::move(text));
    case 409:
      return r.reason == "AlreadyExists" ? AlreadyExists(std::move(text))
                                         : FailedPrecondition(std::move(text));
    case 400:
    case 422:
      return InvalidArgument(std::move(text));
    case 401:
    case 403:
    case 410:
      return FailedPrecondition(std::move(text));
    default:
      if (r.status == 0 || Retryable(r.status)) return Unavailable(std::move(text));
      return FailedPrecondition(std::move(text));
  }
}

void StreamCanceller::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (stop_) stop_();
}

bool StreamCanceller::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool StreamCanceller::Arm(std::function<void()> stop) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  stop_ = std::move(stop);
  return true;
}

void StreamCanceller::Disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = nullptr;
}

// One HTTP/1.1 connection to the server.
struct Client::Connection {
  std::unique_ptr<httplib::ClientImpl> http;
};

Client::Client(Options options) : options_(std::move(options)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Open(Options options) {
  std::unique_ptr<Client> c(new Client(std::move(options)));
  RETURN_IF_ERROR(c->Init());
  return c;
}

Status Client::Init() {
  const KubeConfig& k = options_.config;
  const std::string where = k.in_cluster ? std::string("the in-cluster service account")
                                         : "cluster " + Quote(k.cluster_name) +
                                               (k.files.empty() ? "" : " in " + Join(k.files, ":"));
  std::string url = k.server;
  if (StartsWith(url, "https://")) {
    tls_ = true;
    url = url.substr(8);
  } else if (StartsWith(url, "http://")) {
    tls_ = false;
    url = url.substr(7);
  } else {
    return InvalidArgument(where + ": server " + Quote(k.server) +
                           " is not an http:// or https:// URL");
  }
  if (size_t slash = url.find('/'); slash != std::string::npos) {
    if (url.substr(slash) != "/") {
      return InvalidArgument(where + ": server " + Quote(k.server) +
                             " has a path; flyte needs the API server's root URL");
    }
    url.resize(slash);
  }
  port_ = tls_ ? 443 : 80;
  host_ = url;
  if (!url.empty() && url[0] == '[') {  // [::1]:6443
    size_t close = url.find(']');
    if (close == std::string::npos)
      return InvalidArgument(where + ": server " + Quote(k.server) + " is not a URL");
    host_ = url.substr(1, close - 1);
    url = url.substr(close + 1);
    if (!url.empty() && url[0] != ':')
      return InvalidArgument(where + ": server " + Quote(k.server) + " is not a URL");
    url = url.empty() ? "" : url.substr(1);
  } else if (size_t colon = url.rfind(':'); colon != std::string::npos) {
    host_ = url.substr(0, colon);
    url = url.substr(colon + 1);
  } else {
    url.clear();
  }
  if (!url.empty()) {
    int64_t p = 0;
    if (!ParseInt64(url, &p) || p <= 0 || p > 65535) {
      return InvalidArgument(where + ": server " + Quote(k.server) + " has an invalid port");
    }
    port_ = static_cast<int>(p);
  }
  if (host_.empty())
    return InvalidArgument(where + ": server " + Quote(k.server) + " names no host");
  if (!k.proxy_url.empty()) {
    std::string p = k.proxy_url;
    if (!StartsWith(p, "http://")) {
      return InvalidArgument(where + ": proxy-url " + Quote(p) +
                             ": only http:// proxies are supported");
    }
    p = p.substr(7);
    if (size_t slash = p.find('/'); slash != std::string::npos) p.resize(slash);
    if (size_t at = p.rfind('@'); at != std::string::npos) p = p.substr(at + 1);
    size_t colon = p.rfind(':');
    int64_t port = 80;
    if (colon != std::string::npos &&
        (!ParseInt64(p.substr(colon + 1), &port) || port <= 0 || port > 65535)) {
      return InvalidArgument(where + ": proxy-url " + Quote(k.proxy_url) + " has an invalid port");
    }
    proxy_host_ = colon == std::string::npos ? p : p.substr(0, colon);
    proxy_port_ = static_cast<int>(port);
  }
  if (k.exec) {
    exec_ = std::make_unique<ExecCredentialProvider>(k, options_.env, NowNanos);
  }
  // Check certificates and keys now, so a bad kubeconfig stops before anything runs.
  std::unique_ptr<Connection> first = Connect();
  if (first == nullptr || !first->http->is_valid()) {
    return InvalidArgument(
        where +
        ": the client certificate, key or CA cannot be used (check the kubeconfig's "
        "certificate-authority, client-certificate and client-key)");
  }
  Give(std::move(first));
  return Status::Ok();
}

namespace {

// PEM text → OpenSSL objects; null when unreadable.
X509* ReadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

EVP_PKEY* ReadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return k;
}

// Every certificate of a PEM bundle in a new store; null when none could be read.
X509_STORE* ReadStore(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_STORE* store = X509_STORE_new();
  int added = 0;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, x) == 1) ++added;
    X509_free(x);
  }
  BIO_free(bio);
  if (added == 0) {
    X509_STORE_free(store);
    return nullptr;
  }
  return store;
}

}  // namespace

std::unique_ptr<Client::Connection> Client::Connect() {
  const KubeConfig& k = options_.config;
  auto c = std::make_unique<Connection>();
  // tls-server-name: the name checked in the server's certificate (and sent as SNI); the
  // connection still goes to the server's own address.
  const std::string name = tls_ && !k.tls_server_name.empty() ? k.tls_server_name : host_;
  if (tls_) {
    std::string cert = k.client_certificate_data, key = k.client_key_data;
    if (cert.empty() && !k.client_certificate_file.empty())
      cert = ReadWholeFile(k.client_certificate_file);
    if (key.empty() && !k.client_key_file.empty()) key = ReadWholeFile(k.client_key_file);
    if (exec_ != nullptr && cert.empty()) {
      // An exec plugin may answer with a client certificate instead of a token.
      Result<ExecCredential> cred = exec_->Get();
      if (cred.ok() && !cred->client_certificate_data.empty()) {
        cert = cred->client_certificate_data;
        key = cred->client_key_data;
      }
    }
    std::unique_ptr<httplib::SSLClient> ssl;
    if (!cert.empty() || !key.empty()) {
      X509* x = ReadCert(cert);
      EVP_PKEY* pk = ReadKey(key);
      if (x == nullptr || pk == nullptr) {
        if (x) X509_free(x);
        if (pk) EVP_PKEY_free(pk);
        return nullptr;
      }
      ssl = std::make_unique<httplib::SSLClient>(name, port_, x, pk);
      X509_free(x);
      EVP_PKEY_free(pk);
    } else {
      ssl = std::make_unique<httplib::SSLClient>(name, port_);
    }
    if (k.insecure_skip_tls_verify) {
      ssl->enable_server_certificate_verification(false);
    } else {
      std::string ca = k.ca_data;
      if (ca.empty() && !k.ca_file.empty()) ca = ReadWholeFile(k.ca_file);
      if (!ca.empty()) {
        X509_STORE* store = ReadStore(ca);
        if (store == nullptr) return nullptr;
        ssl->set_ca_cert_store(store);  // the SSL context owns it now
      }
      ssl->enable_server_certificate_verification(true);
    }
    c->http = std::move(ssl);
  } else {
    c->http = std::make_unique<httplib::ClientImpl>(name, port_);
  }
  if (name != host_) c->http->set_hostname_addr_map({{name, host_}});
  if (!proxy_host_.empty()) c->http->set_proxy(proxy_host_, proxy_port_);
  if (!k.username.empty()) c->http->set_basic_auth(k.username, k.password);
  c->http->set_keep_alive(true);
  c->http->set_tcp_nodelay(true);
  c->http->set_default_headers({{"User-Agent", options_.user_agent}});
  SetTimeout(*c->http, options_.connect_timeout_nanos, false);
  SetTimeout(*c->http, options_.request_timeout_nanos, true);
  return c;
}

std::unique_ptr<Client::Connection> Client::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return Connect();
}

void Client::Give(std::unique_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(c));
}

Result<std::string> Client::Authorization() {
  const KubeConfig& k = options_.config;
  if (!k.token.empty()) return "Bearer " + k.token;
  if (!k.token_file.empty()) {
    // Re-read each time: a projected service-account token rotates under us.
    std::ifstream in(k.token_file, std::ios::binary);
    if (!in) return IOError("cannot read the token file " + k.token_file);
    std::ostringstream text;
    text << in.rdbuf();
    std::string token(Trim(text.str()));
    if (token.empty()) return IOError("the token file " + k.token_file + " is empty");
    return "Bearer " + token;
  }
  if (exec_ != nullptr) {
    ASSIGN_OR_RETURN(ExecCredential cred, exec_->Get());
    if (!cred.token.empty()) return "Bearer " + cred.token;
  }
  return std::string();
}

bool Client::Refresh() {
  refreshes_.fetch_add(1);
  if (exec_ != nullptr) {
    exec_->Invalidate();
    return true;
  }
  return !options_.config.token_file.empty();  // it may have rotated since we read it
}

namespace {

Response FromHttp(const httplib::Response& res) {
  Response r;
  r.status = res.status;
  r.body = res.body;
  if (!r.ok()) {
    json j = json::parse(res.body, nullptr, false);
    if (j.is_object() && j.value("kind", "") == "Status") {
      if (j.contains("reason") && j["reason"].is_string())
        r.reason = j["reason"].get<std::string>();
      if (j.contains("message") && j["message"].is_string())
        r.message = j["message"].get<std::string>();
    } else {
      std::string_view first = res.body;
      first = first.substr(0, std::min(first.find('\n'), size_t{200}));
      r.message = std::string(Trim(first));
    }
  }
  return r;
}

}  // namespace

Result<Response> Client::Once(Connection& c, std::string_view method, const std::string& path,
                              const std::string& body, std::string_view content_type,
                              int64_t* retry_after_nanos) {
  ASSIGN_OR_RETURN(std::string auth, Authorization());
  httplib::Request req;
  req.method = std::string(method);
  req.path = path;
  req.headers = {{"Accept", "application/json"}};
  if (!auth.empty()) req.headers.emplace("Authorization", auth);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.body = body;
    req.headers.emplace("Content-Type", std::string(content_type));
  }
  requests_.fetch_add(1);
  httplib::Result res = c.http->send(req);
  if (!res) {
    return Unavailable("cannot reach the Kubernetes API at " + options_.config.server + ": " +
                       httplib::to_string(res.error()));
  }
  *retry_after_nanos = RetryAfterNanos(*res);
  return FromHttp(*res);
}

Result<Response> Client::Send(std::string_view method, const std::string& path, std::string body,
                              std::string_view content_type) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const RetryPolicy& p = options_.retry;
  int64_t backoff = p.first_backoff_nanos;
  bool refreshed = false;
  Result<Response> last = Unavailable("no request was sent");
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<Connection> c = Take();
    if (c == nullptr) return InvalidArgument("the kubeconfig's certificates cannot be used");
    int64_t retry_after = 0;
    last = Once(*c, method, path, body, content_type, &retry_after);
    if (last.ok()) Give(std::move(c));  // a failed connection is not reused
    if (last.ok() && last->status == 401 && !refreshed && Refresh()) {
      refreshed = true;  // once: new credentials, then the answer stands
      --attempt;
      continue;
    }
    const bool again =
        !last.ok() ? last.status().code() == StatusCode::kUnavailable : Retryable(last->status);
    if (!again || attempt >= p.max_attempts) return last;
    int64_t wait = std::uniform_int_distribution<int64_t>(backoff / 2, backoff)(rng);
    if (retry_after > 0) wait = std::min(retry_after, p.max_retry_after_nanos);
    SleepNanos(wait);
    backoff = std::min(backoff * 2, p.max_backoff_nanos);
  }
}

Result<Response> Client::Stream(const std::string& path,
                                const std::function<bool(std::string_view)>& on_data,
                                StreamOptions so) {
  const bool pooled = so.pooled && so.read_timeout_nanos <= 0;
  std::unique_ptr<Connection> c = pooled ? Take() : Connect();  // else one of its own
  if (c == nullptr) return InvalidArgument("the kubeconfig's certificates cannot be used");
  if (!pooled) {
    c->http->set_keep_alive(false);
    SetTimeout(*c->http,
               so.read_timeout_nanos > 0 ? so.read_timeout_nanos : options_.request_timeout_nanos,
               true);
  }
  Response out;
  httplib::ClientImpl* http = c->http.get();
  if (so.cancel != nullptr && !so.cancel->Arm([http] { http->stop(); })) return out;
  struct Disarm {
    StreamCanceller* c;
    ~Disarm() {
      if (c != nullptr) c->Disarm();
    }
  } disarm{so.cancel};
  // A pooled connection goes back only when its answer was read to the end and nobody stopped
  // it (stopping closes its socket).
  auto give_back = [&] {
    if (!pooled) return;
    if (so.cancel != nullptr) {
      so.cancel->Disarm();
      if (so.cancel->cancelled()) return;
    }
    Give(std::move(c));
  };
  bool refreshed = false;
  for (;;) {
    ASSIGN_OR_RETURN(std::string auth, Authorization());
    httplib::Headers headers = {{"Accept", "application/json"}};
    if (!auth.empty()) headers.emplace("Authorization", auth);
    std::string error_body;
    requests_.fetch_add(1);
    httplib::Result res = c->http->Get(
        path, headers,
        [&](const httplib::Response& r) {
          out.status = r.status;
          return true;
        },
        [&](const char* data, size_t n) {
          if (so.cancel != nullptr && so.cancel->cancelled()) return false;
          if (out.status < 200 || out.status >= 300) {
            if (error_body.size() < 64 * 1024) error_body.append(data, n);
            return true;
          }
          return on_data(std::string_view(data, n));
        });
    if (!res) {
      // Stopped by on_data or cancelled (a stopped socket reads as an error).
      if (res.error() == httplib::Error::Canceled ||
          (so.cancel != nullptr && so.cancel->cancelled()))
        return out;
      return Unavailable("the stream " + path + " from " + options_.config.server +
                         " ended: " + httplib::to_string(res.error()));
    }
    if (res->status == 401 && !refreshed && Refresh()) {
      refreshed = true;
      continue;
    }
    if (res->status < 200 || res->status >= 300) {
      httplib::Response copy = *res;
      copy.body = error_body;
      give_back();
      return FromHttp(copy);
    }
    out.status = res->status;
    give_back();
    return out;
  }
}

}  // namespace flyte::kube
