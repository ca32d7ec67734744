// The bytes of file and dir values over HTTP, for http/data_routes.cc: downloads streamed
// from the store (a file with Range, ETag and If-None-Match; a folder as a tar stream) and
// uploads streamed to disk with their digest checked, then placed where new values go
// (DataStores::output_store). Everything here blocks on disk or network: it runs on the
// connection's thread, never the loop. docs/server.md, "Values".
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

#include "storage/data_stores.h"

namespace flyte::http {

// GET /api/v1/data/download?uri=URI: a file's bytes (200, or 206 / 416 for a Range), or a
// folder as `NAME.tar`. Errors are answered as API errors.
void ServeValue(storage::DataStores& stores, const std::string& uri, const httplib::Request& req,
                httplib::Response& res);

// POST /api/v1/data/upload?name=NAME&sha256=HEX (a file, application/octet-stream) or
// ?name=NAME&kind=dir&digest=HEX (a folder as a tar stream, application/x-tar): the body is
// streamed to a staging folder in the blob area, checked against its digest, and placed
// content-addressed; answers {"uri": ...}.
void ReceiveUpload(storage::DataStores& stores, uint64_t max_bytes, const httplib::Request& req,
                   httplib::Response& res, const httplib::ContentReader& read);

// GET /api/v1/data/presign?uri=URI[&expires_in=SECONDS]: {"url", "expires_at", "presigned"} (a
// folder: and "files": [{"path", "url"}]); a value in the blob folder gets this server's
// download URL (`base`: scheme://host of the request), presigned false.
void PresignValue(storage::DataStores& stores, const std::string& uri,
                  const std::string& expires_in, const std::string& base, httplib::Response& res);

}  // namespace flyte::http
