#include "http/request_guard.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>

#include "util/strings.h"

namespace flyte::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool IsLoopbackHost(const std::string& h) {
  return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

// Loopback names are interchangeable: a page on http://localhost:PORT talks to the server
// that listens on 127.0.0.1:PORT.
bool SameHost(const std::string& a, const std::string& b) {
  return a == b || (IsLoopbackHost(a) && IsLoopbackHost(b));
}

// "http://Host:8080" -> {"http", "host", "8080"}; false when it is not a web origin.
bool ParseOrigin(std::string_view origin, std::string& scheme, std::string& host,
                 std::string& port) {
  size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return false;
  scheme = Lower(origin.substr(0, sep));
  if (scheme != "http" && scheme != "https") return false;
  std::string_view rest = origin.substr(sep + 3);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  host = HostName(rest);
  size_t colon = rest.rfind(':');
  size_t bracket = rest.rfind(']');
  port = (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket))
             ? std::string(rest.substr(colon + 1))
             : (scheme == "https" ? "443" : "80");
  return !host.empty();
}

std::string PortOf(std::string_view host_header) {
  size_t colon = host_header.rfind(':');
  size_t bracket = host_header.rfind(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket))
    return "80";
  return std::string(host_header.substr(colon + 1));
}

// The origin of the page that sent the request is this server itself.
bool SameOrigin(const std::string& origin, const std::string& host_header) {
  std::string scheme, host, port;
  if (!ParseOrigin(origin, scheme, host, port)) return false;
  return SameHost(host, HostName(host_header)) && port == PortOf(host_header);
}

Verdict Refuse(int status, std::string code, std::string message) {
  Verdict v;
  v.status = status;
  v.code = std::move(code);
  v.message = std::move(message);
  return v;
}

bool ChangesState(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

}  // namespace

std::string HostName(std::string_view host_header) {
  std::string_view h = host_header;
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
  } else if (size_t colon = h.find(':');
             colon != std::string_view::npos && h.find(':', colon + 1) == std::string_view::npos) {
    h = h.substr(0, colon);  // one colon: a port; more: a bare IPv6 address
  }
  std::string out = Lower(Trim(h));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::vector<std::string> HostsForListenAddress(const std::string& listen_host) {
  std::string host = HostName(!listen_host.empty() && listen_host.find(':') != std::string::npos &&
                                      listen_host.front() != '['
                                  ? "[" + listen_host + "]"
                                  : listen_host);
  std::vector<std::string> hosts;
  auto add = [&hosts](std::string h) {
    h = HostName(h.find(':') != std::string::npos ? "[" + h + "]" : h);
    if (!h.empty() && !Contains(hosts, h)) hosts.push_back(h);
  };
  const bool wildcard = host.empty() || host == "0.0.0.0" || host == "::";
  if (!wildcard) add(host);
  if (wildcard || IsLoopbackHost(host)) {
    add("localhost");
    add("127.0.0.1");
    add("::1");
  }
  if (!wildcard) return hosts;
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) add(name);
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (a->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text,
                  sizeof text);
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, text,
                  sizeof text);
      }
      if (text[0] != '\0') add(text);
    }
    freeifaddrs(list);
  }
  return hosts;
}

Verdict CheckRequest(const GuardPolicy& policy, const RequestFacts& r) {
  // DNS rebinding: a page of attacker.example, resolved to 127.0.0.1, still says its own name.
  // A request without Host (HTTP/1.0) cannot come from a browser.
  if (!r.host.empty() && !Contains(policy.hosts, "*")) {
    const std::string name = HostName(r.host);
    bool known = false;
    for (const std::string& h : policy.hosts) known = known || SameHost(h, name);
    if (!known) {
      return Refuse(403, "HostNotAllowed",
                    "this server does not answer to the host " + Quote(name) +
                        "; add it to http.allowed_hosts in the server config if it is yours");
    }
  }

  const bool configured =
      !r.origin.empty() && (Contains(policy.origins, "*") || Contains(policy.origins, r.origin));
  const bool foreign = !r.origin.empty() && !configured && !SameOrigin(r.origin, r.host);
  if (r.method == "OPTIONS") {
    if (!configured) {
      return Refuse(
          403, "OriginNotAllowed",
          "cross-origin requests from " + Quote(r.origin.empty() ? "(no origin)" : r.origin) +
              " are not allowed; add the origin to http.allowed_origins in the server config");
    }
    Verdict v;
    v.preflight = true;
    v.headers = {{"Access-Control-Allow-Origin", r.origin},
                 {"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"},
                 {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                 {"Access-Control-Max-Age", "600"},
                 {"Vary", "Origin"}};
    return v;
  }
  // A page of another origin: a form post or fetch() (CSRF), or an EventSource holding a
  // stream. `Origin: null` (sandboxed frames, file:// pages) is foreign too.
  if (foreign || (r.sec_fetch_site == "cross-site" && !configured && ChangesState(r.method))) {
    return Refuse(
        403, "OriginNotAllowed",
        "requests from pages of " + Quote(r.origin.empty() ? "another site" : r.origin) +
            " are not allowed; add the origin to http.allowed_origins in the server config");
  }

  if (!r.transfer_encoding.empty() && Lower(Trim(r.transfer_encoding)) != "identity") {
    return Refuse(411, "LengthRequired",
                  "send the request body with a Content-Length (Transfer-Encoding " +
                      Quote(r.transfer_encoding) +
                      " is not accepted), so that its size limit holds before it is read");
  }
  if (!r.content_encoding.empty() && Lower(Trim(r.content_encoding)) != "identity") {
    return Refuse(415, "UnsupportedMediaType",
                  "request bodies are not accepted compressed (Content-Encoding " +
                      Quote(r.content_encoding) + ")");
  }
  // Browsers send text/plain, form-encoded and multipart bodies cross-origin without asking;
  // application/json needs a preflight, which only configured origins pass.
  if (ChangesState(r.method) && (r.method != "DELETE" || r.has_body)) {
    std::string type = Lower(Trim(r.content_type.substr(0, r.content_type.find(';'))));
    // Uploads of values (POST /api/v1/data/upload) are raw bytes or a tar stream: neither is
    // a type a page can send without a preflight either.
    if (type != "application/json" && type != "application/octet-stream" &&
        type != "application/x-tar") {
      return Refuse(415, "UnsupportedMediaType",
                    r.method + " needs Content-Type: application/json, got " +
                        Quote(r.content_type.empty() ? "none" : r.content_type));
    }
  }
  Verdict pass;
  if (configured) pass.headers = {{"Access-Control-Allow-Origin", r.origin}, {"Vary", "Origin"}};
  return pass;
}

}  // namespace flyte::http
