// What every route file of the API server shares: the error body, checks of a path's project,
// domain and execution, query parameters, and pages of short lists. One copy, so that every
// route answers a bad request the same way.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "flyte/admin.h"
#include "flyte/status.h"
#include "http/codec.h"
#include "http/filters.h"
#include "util/strings.h"

namespace flyte::http {

inline constexpr const char* kJson = "application/json";
inline constexpr const char* kText = "text/plain; charset=utf-8";
inline constexpr const char* kSegment = "([^/]+)";  // one path segment, captured

// The API's error body with the HTTP status that matches the Status's code.
void Fail(httplib::Response& res, const Status& st);

// `encode(*r)` with `status`, or the error.
template <typename T, typename Encode>
void Reply(httplib::Response& res, const Result<T>& r, Encode encode, int status = 200) {
  if (!r.ok()) return Fail(res, r.status());
  res.status = status;
  res.set_content(encode(*r), kJson);
}

// A path's project and domain, checked.
Status CheckPath(const std::string& project, const std::string& domain);

// PROJECT/DOMAIN/NAME from the route's first three captures, checked.
Result<ExecutionKey> KeyFrom(const httplib::Request& req);

// A query parameter's value, empty when absent.
std::string Param(const httplib::Request& req, const char* name);

// Query parameters this route does not know are mistakes worth reporting.
Status CheckParams(const httplib::Request& req, const std::vector<std::string>& allowed);

// A page of a list the store returns whole (entities, projects: short lists): `limit` and
// `token` as for executions, sorted by `sort_by.key` (one of `keys`, the first by default).
struct Page {
  size_t begin = 0, end = 0;
  std::string next;  // the token of the following page, empty on the last
};

// The list parameters of a request as a filter, checked: `sort_key` is one of `keys` or empty.
Result<ExecutionFilter> PageParams(const httplib::Request& req,
                                   std::initializer_list<const char*> keys);

template <typename T, typename KeyFn>
Result<Page> Paginate(const httplib::Request& req, std::vector<T>& items,
                      std::initializer_list<const char*> keys, KeyFn key_of) {
  ASSIGN_OR_RETURN(ExecutionFilter f, PageParams(req, keys));
  if (!f.sort_key.empty()) {
    // Stable, so equal keys keep the store's order (newest first).
    std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) {
      return f.ascending ? key_of(a, f.sort_key) < key_of(b, f.sort_key)
                         : key_of(b, f.sort_key) < key_of(a, f.sort_key);
    });
  }
  Page p;
  p.begin = std::min<size_t>(f.offset, items.size());
  p.end = std::min<size_t>(p.begin + f.limit, items.size());
  if (p.end < items.size()) p.next = std::to_string(p.end);
  return p;
}

// items[page.begin, page.end).
template <typename T>
std::vector<T> Slice(const std::vector<T>& items, const Page& page) {
  return std::vector<T>(items.begin() + static_cast<std::ptrdiff_t>(page.begin),
                        items.begin() + static_cast<std::ptrdiff_t>(page.end));
}

// A time as a key that sorts as text.
std::string TimeKey(int64_t t);

}  // namespace flyte::http
