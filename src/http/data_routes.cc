// The data routes (docs/server.md, "Values"): typed inputs and outputs of executions and
// nodes, and the bytes of file and dir values: download, presigned URL, upload.
//   GET  /api/v1/data/executions/P/D/NAME             typed inputs, outputs, blobs
//   GET  /api/v1/data/node_executions/P/D/NAME/NODE   the same for a node
//   GET  /api/v1/data/download?uri=URI                a file (Range) or a folder (tar)
//   GET  /api/v1/data/presign?uri=URI&expires_in=S    a URL that reads it without the server
//   POST /api/v1/data/upload?name=N&sha256=H          a file (or ?kind=dir&digest=H, a tar)
// Metadata goes through the loop bridge; bytes move on the connection's thread.
#include <httplib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "http/codec.h"
#include "http/data_transfer.h"
#include "http/route_helpers.h"
#include "http/server.h"
#include "http/value_data.h"
#include "storage/data_stores.h"
#include "util/file_digest.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;
constexpr const char* kUploadPath = "/api/v1/data/upload";

// A value without a declared type is a blob when it is one of the server's stored values.
BlobGuess GuessFor(storage::DataStores* stores) {
  std::string root = stores != nullptr ? stores->blob_root() : "";
  return [root](std::string_view text) -> std::string {
    if (StartsWith(text, "s3://")) return EndsWith(text, "/") ? "dir" : "file";
    if (root.empty() || !StartsWith(text, root + "/") || !DigestFromBlobPath(std::string(text)))
      return "";
    struct stat st {};
    return ::stat(std::string(text).c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "dir" : "file";
  };
}

}  // namespace

bool ApiServer::BodyTooLarge(const httplib::Request& req, httplib::Response& res) const {
  const std::string length = req.get_header_value("Content-Length");
  int64_t n = 0;
  if (length.empty() || !ParseInt64(length, &n) || n < 0) return false;
  const bool upload = req.path == kUploadPath;
  const uint64_t limit = upload ? options_.max_upload_bytes : options_.max_body_bytes;
  if (static_cast<uint64_t>(n) <= limit) return false;
  // A JSON body up to twice its limit is read (then refused by the route, Add), so a client
  // that sends its whole body before reading (cpp-httplib, flyte's own CLI) gets the 413
  // instead of a broken pipe; a larger one is refused from its headers alone.
  if (!upload && static_cast<uint64_t>(n) <= 2 * limit) return false;
  RejectTooLarge(req, res, limit);
  return true;
}

void ApiServer::RejectTooLarge(const httplib::Request& req, httplib::Response& res,
                               uint64_t limit) const {
  const bool upload = req.path == kUploadPath;
  const std::string length = req.get_header_value("Content-Length");
  res.status = 413;
  res.set_header("Connection", "close");
  res.set_content(
      ErrorJson(
          "InvalidArgument",
          std::string(upload ? "the upload" : "the request body") + " is too large: " + length +
              " bytes; this server takes at most " + std::to_string(limit) + " (" +
              (upload ? "http.max_upload_mib" : "http.max_body_mib") + " in the server config)"),
      kJson);
}

void ApiServer::DataRoutes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  storage::DataStores* stores = options_.data;
  const std::string seg = kSegment;

  auto values = [&admin, &bridge, stores](const ExecutionKey& key, const std::string& node,
                                          httplib::Response& res) {
    Result<json> body = ValuesOf(
        admin, [&bridge](const std::function<Status()>& fn) { return bridge.CallStatus(fn); }, key,
        node, GuessFor(stores));
    if (!body.ok()) return Fail(res, body.status());
    res.set_content(body->dump(-1, ' ', false, json::error_handler_t::replace), kJson);
  };
  Add("GET", "/api/v1/data/executions/" + seg + "/" + seg + "/" + seg,
      [values](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        values(*key, "", res);
      });
  Add("GET", "/api/v1/data/node_executions/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [values](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        values(*key, req.matches[4], res);
      });

  auto need_stores = [stores](const httplib::Request& req, httplib::Response& res,
                              const std::vector<std::string>& params) {
    Status st = CheckParams(req, params);
    if (st.ok() && stores == nullptr)
      st = Unavailable("this server keeps no values (no data stores configured)");
    if (st.ok() && Param(req, "uri").empty() &&
        std::find(params.begin(), params.end(), "uri") != params.end()) {
      st = InvalidArgument(
          "uri is required: the file or dir value to read (s3://... or a path in the blob folder)");
    }
    if (!st.ok()) Fail(res, st);
    return st.ok();
  };
  Add("GET", "/api/v1/data/download",
      [stores, need_stores](const httplib::Request& req, httplib::Response& res) {
        if (!need_stores(req, res, {"uri"})) return;
        ServeValue(*stores, Param(req, "uri"), req, res);
      });
  Add("GET", "/api/v1/data/presign",
      [stores, need_stores](const httplib::Request& req, httplib::Response& res) {
        if (!need_stores(req, res, {"uri", "expires_in"})) return;
        const std::string host = req.get_header_value("Host");
        PresignValue(*stores, Param(req, "uri"), Param(req, "expires_in"), "http://" + host, res);
      });
  // A client that waits for "100 Continue" (curl does for large bodies) hears the 413 instead,
  // before it sends a byte of a body over the limit.
  server_->set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return BodyTooLarge(req, res) ? 413 : 100;
      });
  // Uploads read their body as it arrives (httplib's content reader), so they are registered
  // on httplib directly rather than through Add.
  routes_.push_back({"POST", kUploadPath});
  const uint64_t max_upload = options_.max_upload_bytes;
  server_->Post(kUploadPath, [stores, need_stores, max_upload](const httplib::Request& req,
                                                               httplib::Response& res,
                                                               const httplib::ContentReader& read) {
    if (need_stores(req, res, {"name", "sha256", "kind", "digest"}))
      ReceiveUpload(*stores, max_upload, req, res, read);
    // A refusal may leave the body unread: the connection cannot carry another request.
    if (res.status >= 400) res.set_header("Connection", "close");
  });
}

}  // namespace flyte::http
