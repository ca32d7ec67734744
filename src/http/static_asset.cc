#include "http/static_asset.h"

#include <string_view>

#include "util/strings.h"

namespace flyte::http {
namespace {

// If-None-Match is "*" or a comma-separated list of tags, each possibly weak (W/"...").
bool Matches(std::string_view header, const std::string& etag) {
  for (std::string_view tag : Split(header, ',')) {
    tag = Trim(tag);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

void ServeStatic(const httplib::Request& req, httplib::Response& res, const std::string& body,
                 const std::string& etag, const char* content_type) {
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (Matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.set_content(body, content_type);
}

}  // namespace flyte::http
