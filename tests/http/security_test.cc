// flyte serve against a hostile web page and hostile clients (docs/server.md "Security"): the
// cross-site request that used to run a command, DNS rebinding, bodies whose size is not
// known up front, and clients that hold connections open.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "http/server_fixture.h"

namespace flyte::testing {
namespace {

// A connection that sends bytes exactly as given, from a chosen loopback address.
class RawConnection {
 public:
  RawConnection(int port, const char* from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server closed: it answered without reading everything
      sent += static_cast<size_t>(n);
    }
  }
  // Reads until `until` appears, the peer closes, or the deadline passes; all read so far.
  std::string Read(const std::string& until, int deadline_ms = 10000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (got_.find(until) == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
              .count());
      if (left <= 0 || ::poll(&p, 1, left) <= 0) break;
      char buf[8192];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
  int Status(int deadline_ms = 10000) {
    std::string head = Read("\r\n", deadline_ms);
    return head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
  }

 private:
  int fd_ = -1;
  std::string got_;
};

std::string Request(const std::string& method, const std::string& path, const std::string& headers,
                    const std::string& body) {
  return method + " " + path + " HTTP/1.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a web page cannot make the server run a command (CSRF, DNS rebinding)",
          "[server][security]") {
  ServerFixture s;
  const std::string marker = s.tmp / "pwned";
  const std::string host = "Host: 127.0.0.1:" + std::to_string(s.port) + "\r\n";
  nlohmann::json wf = {{"content", "tasks:\n  pwn:\n    script: echo ran > " + marker + "\n"}};
  // The reproduction from the report: a page's fetch() with a "simple" content type.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    INFO(type);
    RawConnection c(s.port);
    std::string ct = *type ? std::string("Content-Type: ") + type + "\r\n" : "";
    c.Send(Request("POST", "/api/v1/register", host + "Origin: http://evil.example\r\n" + ct,
                   wf.dump()));
    CHECK(c.Status() == 403);
    CHECK(c.Read("OriginNotAllowed").find("OriginNotAllowed") != std::string::npos);
  }
  // The same from a page that made its own name resolve to 127.0.0.1.
  {
    RawConnection c(s.port);
    c.Send(Request("POST", "/api/v1/register",
                   "Host: attacker.example:" + std::to_string(s.port) +
                       "\r\nContent-Type: application/json\r\n",
                   wf.dump()));
    CHECK(c.Status() == 403);
  }
  {
    RawConnection c(s.port);
    c.Send(Request("GET", "/api/v1/projects", "Host: attacker.example\r\n", ""));
    CHECK(c.Status() == 403);
  }
  // A preflight for a JSON post from that page is refused too.
  {
    RawConnection c(s.port);
    c.Send(Request("OPTIONS", "/api/v1/register",
                   host + "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n",
                   ""));
    CHECK(c.Status() == 403);
    CHECK(c.Read("\r\n\r\n").find("Access-Control-Allow-Origin") == std::string::npos);
  }
  // Nothing was registered, nothing ran.
  CHECK(s.Get("/api/v1/tasks/flytesnacks/development").body["tasks"].empty());
  CHECK_FALSE(std::filesystem::exists(marker));
  // The console's own requests (same origin, JSON) still work, as do the CLI's (no origin).
  {
    RawConnection c(s.port);
    c.Send(Request("POST", "/api/v1/register",
                   host + "Origin: http://127.0.0.1:" + std::to_string(s.port) +
                       "\r\nSec-Fetch-Site: same-origin\r\n" + "Content-Type: application/json\r\n",
                   wf.dump()));
    CHECK(c.Status() == 200);
  }
  {
    RawConnection c(s.port);
    c.Send(Request("GET", "/api/v1/projects", "Host: localhost:" + std::to_string(s.port) + "\r\n",
                   ""));
    CHECK(c.Status() == 200);
  }
}

TEST_CASE("configured origins get CORS answers; configured host names are answered",
          "[server][security]") {
  TempDir cfg;
  std::string path = cfg.Write("server.yaml",
                               "http:\n  allowed_origins: [\"https://tools.example:8443\"]\n"
                               "  allowed_hosts: [flyte.internal]\n");
  ServerFixture s({"--config", path});
  RawConnection pre(s.port);
  pre.Send(Request(
      "OPTIONS", "/api/v1/executions",
      "Host: flyte.internal\r\nOrigin: https://tools.example:8443\r\n"
      "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n",
      ""));
  CHECK(pre.Status() == 204);
  std::string head = pre.Read("\r\n\r\n");
  CHECK(head.find("Access-Control-Allow-Origin: https://tools.example:8443") != std::string::npos);
  CHECK(head.find("Access-Control-Allow-Headers: Authorization, Content-Type") !=
        std::string::npos);
  RawConnection get(s.port);
  get.Send(Request("GET", "/api/v1/projects",
                   "Host: flyte.internal\r\nOrigin: https://tools.example:8443\r\n", ""));
  CHECK(get.Status() == 200);
  CHECK(get.Read("\r\n\r\n").find("Access-Control-Allow-Origin: https://tools.example:8443") !=
        std::string::npos);
}

TEST_CASE("request bodies are limited however they arrive", "[server][security]") {
  ServerFixture s;
  const std::string host = "Host: 127.0.0.1:" + std::to_string(s.port) + "\r\n";
  // Chunked: its size is not known before it is read.
  {
    RawConnection c(s.port);
    std::string chunk(65536, ' ');
    std::string body;
    for (int i = 0; i < 4; ++i) body += "10000\r\n" + chunk + "\r\n";
    body += "0\r\n\r\n";
    c.Send("POST /api/v1/register HTTP/1.1\r\n" + host +
           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: "
           "close\r\n\r\n" +
           body);
    CHECK(c.Status() == 411);
  }
  // Compressed: a small body that inflates to a large one.
  {
    RawConnection c(s.port);
    const std::string gzip_of_braces(
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00\x43\xbf\xa6\xa3\x02\x00\x00\x00",
        22);
    c.Send(Request("POST", "/api/v1/register",
                   host + "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
                   gzip_of_braces));
    CHECK(c.Status() == 415);
  }
  // A Content-Length past the limit is refused before the body is read.
  {
    RawConnection c(s.port);
    c.Send("POST /api/v1/register HTTP/1.1\r\n" + host +
           "Content-Type: application/json\r\nContent-Length: 104857600\r\nConnection: "
           "close\r\n\r\n{");
    CHECK(c.Status() == 413);
  }
  // A number no double holds is the body's fault, not the server's.
  HttpResult r =
      s.Post("/api/v1/executions", std::string(R"({"workflow": "x", "inputs": {"n": 1e999}})"));
  CHECK(r.status == 400);
  CHECK(r.body["error"]["code"] == "InvalidArgument");
  CHECK(s.Get("/healthcheck").status == 200);
}

TEST_CASE("idle streams and slow clients do not stop the API", "[server][security]") {
  TempDir cfg;
  std::string path = cfg.Write("server.yaml", "http:\n  max_streams_per_client: 300\n");
  rlimit files{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
  files.rlim_cur = files.rlim_max;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);
  REQUIRE(files.rlim_cur > 1500);
  ServerFixture s({"--config", path});
  const std::string host = "Host: 127.0.0.1:" + std::to_string(s.port) + "\r\n";
  // 1,000 event streams from four client addresses (300 each at most), then 40 clients that
  // never finish their headers.
  std::vector<std::unique_ptr<RawConnection>> held;
  int streams = 0, refused = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string from = "127.0.0." + std::to_string(2 + i % 4);
    auto c = std::make_unique<RawConnection>(s.port, from.c_str());
    c->Send("GET /api/v1/events HTTP/1.1\r\n" + host + "\r\n");
    held.push_back(std::move(c));
  }
  for (auto& c : held) {
    int status = c->Status();
    streams += status == 200;
    refused += status == 429;
  }
  CHECK(streams == 1000);
  for (int i = 0; i < 40; ++i) {
    auto c = std::make_unique<RawConnection>(s.port);
    c->Send("GET /healthcheck HTTP/1.1\r\nHost: 127.0.0");
    held.push_back(std::move(c));
  }
  // Answered well before the slow clients' 5 s read timeout.
  s.client->set_read_timeout(3, 0);
  CHECK(s.Get("/healthcheck").status == 200);
  CHECK(s.Get("/api/v1/projects").status == 200);
  // One client address past its limit gets 429 with a reason.
  std::vector<std::unique_ptr<RawConnection>> more;
  for (int i = 0; i < 301; ++i) {
    auto c = std::make_unique<RawConnection>(s.port, "127.0.0.9");
    c->Send("GET /api/v1/events HTTP/1.1\r\n" + host + "\r\n");
    more.push_back(std::move(c));
  }
  for (auto& c : more) refused += c->Status() == 429;
  CHECK(refused == 1);
  // Stream parameters are checked like any other.
  CHECK(s.Get("/api/v1/events?execution=../../x").status == 400);
  CHECK(s.Get("/api/v1/events?execution=a/b/c/d").status == 400);
}

}  // namespace flyte::testing
