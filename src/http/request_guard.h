// What a request must show before it reaches the API, checked from its headers alone (before
// its body is read): the defences of a server on localhost against the web pages its user
// opens, and against bodies whose size is not known up front.
//
// A browser lets any page send a "simple" cross-origin POST (text/plain, form-encoded, no
// Content-Type) without asking the server first, and a DNS-rebinding page talks to 127.0.0.1
// under its own host name. Jupyter and Docker both had remote code execution through exactly
// this. So: only the server's own host names are answered (DNS rebinding), a request from
// another origin is refused unless configured (CSRF, and reads through a rebound name), a
// state-changing request must be application/json (which a page can only send after a
// preflight, which is refused), and a body must come with its length and uncompressed (the
// size limit then holds before anything is read or inflated). docs/server.md "Security".
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte::http {

struct GuardPolicy {
  // Host names (no port, lower case) the server answers to; "*" answers any.
  std::vector<std::string> hosts;
  // Origins other than the server's own whose pages may call the API ("http://host:port",
  // exact; "*" any), with the CORS headers they need.
  std::vector<std::string> origins;
};

// The headers the decision reads; empty when absent.
struct RequestFacts {
  std::string method;
  std::string host;  // the Host header, with its port
  std::string origin;
  std::string sec_fetch_site;
  std::string content_type;
  std::string content_encoding;
  std::string transfer_encoding;
  bool has_body = false;  // a Content-Length above zero
};

struct Verdict {
  int status = 0;    // 0: let the request through
  std::string code;  // the API error's code
  std::string message;
  std::vector<std::pair<std::string, std::string>> headers;  // added to the response either way
  bool preflight = false;  // an allowed CORS preflight: answer 204 with `headers`, nothing else
};

Verdict CheckRequest(const GuardPolicy& policy, const RequestFacts& request);

// The host names a server listening on `listen_host` answers to: that host; the loopback names
// when it is a loopback address; the machine's name and interface addresses when it is a
// wildcard (0.0.0.0, ::).
std::vector<std::string> HostsForListenAddress(const std::string& listen_host);

// "Example.com:8080" -> "example.com", "[::1]:80" -> "::1"; a trailing dot dropped.
std::string HostName(std::string_view host_header);

}  // namespace flyte::http
