// The request guard's decisions, header by header (http/request_guard.h).
#include "http/request_guard.h"

#include <catch2/catch.hpp>

namespace flyte::http {
namespace {

GuardPolicy Local() { return GuardPolicy{HostsForListenAddress("127.0.0.1"), {}}; }

RequestFacts Post(std::string origin = "", std::string type = "application/json") {
  RequestFacts r;
  r.method = "POST";
  r.host = "127.0.0.1:8080";
  r.origin = std::move(origin);
  r.content_type = std::move(type);
  r.has_body = true;
  return r;
}

}  // namespace

TEST_CASE("the guard refuses the simple cross-origin posts a web page can send", "[guard]") {
  // The reproduction: Origin http://evil.example, Content-Type text/plain.
  Verdict v = CheckRequest(Local(), Post("http://evil.example", "text/plain"));
  CHECK(v.status == 403);
  CHECK(v.code == "OriginNotAllowed");
  CHECK(v.message ==
        "requests from pages of 'http://evil.example' are not allowed; add the origin to "
        "http.allowed_origins in "
        "the server config");
  // Without an Origin (curl, the CLI), the body type still has to be JSON.
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    INFO(type);
    Verdict t = CheckRequest(Local(), Post("", type));
    CHECK(t.status == 415);
    CHECK(t.code == "UnsupportedMediaType");
  }
  CHECK(CheckRequest(Local(), Post("", "")).message ==
        "POST needs Content-Type: application/json, got 'none'");
  CHECK(CheckRequest(Local(), Post("", "Application/JSON; charset=utf-8")).status == 0);
  // Value uploads: raw bytes and tar streams, which pages cannot send without a preflight.
  CHECK(CheckRequest(Local(), Post("", "application/octet-stream")).status == 0);
  CHECK(CheckRequest(Local(), Post("", "application/x-tar")).status == 0);
  CHECK(CheckRequest(Local(), Post("null")).status == 403);
  // A browser that omits Origin but says the request is cross-site.
  RequestFacts no_origin = Post();
  no_origin.sec_fetch_site = "cross-site";
  CHECK(CheckRequest(Local(), no_origin).status == 403);
}

TEST_CASE("the guard lets the server's own pages and configured origins through", "[guard]") {
  CHECK(CheckRequest(Local(), Post("http://127.0.0.1:8080")).status == 0);
  CHECK(CheckRequest(Local(), Post("http://localhost:8080")).status ==
        0);  // loopback names are one host
  CHECK(CheckRequest(Local(), Post("http://127.0.0.1:9999")).status ==
        403);  // another port is another origin
  CHECK(CheckRequest(Local(), Post("https://127.0.0.1:8080")).status == 0);  // behind a TLS proxy
  GuardPolicy p = Local();
  p.origins = {"https://tools.example:8443"};
  Verdict v = CheckRequest(p, Post("https://tools.example:8443"));
  CHECK(v.status == 0);
  CHECK(v.headers ==
        std::vector<std::pair<std::string, std::string>>{
            {"Access-Control-Allow-Origin", "https://tools.example:8443"}, {"Vary", "Origin"}});
  CHECK(CheckRequest(p, Post("https://tools.example:8444")).status == 403);
}

TEST_CASE("preflights pass only for configured origins", "[guard]") {
  GuardPolicy p = Local();
  p.origins = {"https://tools.example:8443"};
  RequestFacts pre;
  pre.method = "OPTIONS";
  pre.host = "127.0.0.1:8080";
  pre.origin = "https://tools.example:8443";
  Verdict v = CheckRequest(p, pre);
  CHECK(v.preflight);
  CHECK(v.status == 0);
  REQUIRE(v.headers.size() == 5);
  CHECK(v.headers[1] == std::pair<std::string, std::string>{"Access-Control-Allow-Methods",
                                                            "GET, POST, PUT, DELETE"});
  pre.origin = "http://evil.example";
  CHECK(CheckRequest(p, pre).status == 403);
  CHECK_FALSE(CheckRequest(p, pre).preflight);
}

TEST_CASE("the guard answers only the server's own host names (DNS rebinding)", "[guard]") {
  RequestFacts get;
  get.method = "GET";
  get.host = "attacker.example:8080";
  Verdict v = CheckRequest(Local(), get);
  CHECK(v.status == 403);
  CHECK(v.message ==
        "this server does not answer to the host 'attacker.example'; add it to http.allowed_hosts "
        "in the server "
        "config if it is yours");
  for (const char* ok :
       {"127.0.0.1:8080", "localhost:8080", "LOCALHOST.:8080", "[::1]:8080", "127.0.0.1", ""}) {
    INFO(ok);
    get.host = ok;
    CHECK(CheckRequest(Local(), get).status == 0);
  }
  GuardPolicy named{HostsForListenAddress("flyte.internal"), {}};
  get.host = "flyte.internal:80";
  CHECK(CheckRequest(named, get).status == 0);
  get.host = "localhost:80";
  CHECK(CheckRequest(named, get).status == 403);
  named.hosts.push_back("*");
  get.host = "anything.example";
  CHECK(CheckRequest(named, get).status == 0);
}

TEST_CASE("a wildcard listen address answers the machine's own names and addresses", "[guard]") {
  std::vector<std::string> hosts = HostsForListenAddress("0.0.0.0");
  CHECK(std::find(hosts.begin(), hosts.end(), "localhost") != hosts.end());
  CHECK(std::find(hosts.begin(), hosts.end(), "127.0.0.1") != hosts.end());
  CHECK(std::find(hosts.begin(), hosts.end(), "attacker.example") == hosts.end());
  CHECK(HostsForListenAddress("::1") == std::vector<std::string>{"::1", "localhost", "127.0.0.1"});
}

TEST_CASE("bodies must come with their length and uncompressed", "[guard]") {
  RequestFacts chunked = Post();
  chunked.transfer_encoding = "chunked";
  chunked.has_body = false;
  CHECK(CheckRequest(Local(), chunked).status == 411);
  RequestFacts gzip = Post();
  gzip.content_encoding = "gzip";
  Verdict v = CheckRequest(Local(), gzip);
  CHECK(v.status == 415);
  CHECK(v.message == "request bodies are not accepted compressed (Content-Encoding 'gzip')");
  // A DELETE without a body needs no type; with one it must be JSON.
  RequestFacts del;
  del.method = "DELETE";
  del.host = "127.0.0.1:8080";
  CHECK(CheckRequest(Local(), del).status == 0);
  del.has_body = true;
  del.content_type = "text/plain";
  CHECK(CheckRequest(Local(), del).status == 415);
}

TEST_CASE("host names are read without port, case or trailing dot", "[guard]") {
  CHECK(HostName("Example.COM:8080") == "example.com");
  CHECK(HostName("[::1]:80") == "::1");
  CHECK(HostName("[::1]") == "::1");
  CHECK(HostName("example.com.") == "example.com");
  CHECK(HostName("::1") == "::1");
}

}  // namespace flyte::http
