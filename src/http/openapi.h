// The OpenAPI 3.0 document of the admin API, served at GET /api/v1/openapi. A test checks that
// it lists every route the server registers, and nothing else. Built once; thread-safe.
#pragma once

#include <string>

namespace flyte::http {

const std::string& OpenApiDocument();

}  // namespace flyte::http
