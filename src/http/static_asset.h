// Serving a text asset built into the binary with HTTP revalidation: the response carries the
// asset's entity tag and `Cache-Control: no-cache`, so a browser asks again on every load and a
// request whose If-None-Match names the tag gets 304 with no body. Thread-safe.
#pragma once

#include <httplib.h>

#include <string>

namespace flyte::http {

// REQUIRES: etag is a quoted entity tag ("\"abc\"").
void ServeStatic(const httplib::Request& req, httplib::Response& res, const std::string& body,
                 const std::string& etag, const char* content_type);

}  // namespace flyte::http
