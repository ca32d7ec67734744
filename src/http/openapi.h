// The OpenAPI 3.0 document of the admin API, served at GET /api/v1/openapi: the JSON text of
// src/http/assets/openapi.json, embedded at build time. A test checks that it lists every route
// the server registers, and nothing else. Thread-safe.
#pragma once

#include <string>

namespace flyte::http {

const std::string& OpenApiDocument();
// A quoted entity tag of the document's bytes, computed at build time.
const std::string& OpenApiEtag();

}  // namespace flyte::http
