// The typed values of an execution or node for the command line (`flyte get inputs|outputs`),
// in our own types: read in-process through an admin service or parsed from the API's answer
// (GET /api/v1/data/...), so commands never see JSON. Pure functions but ValuesDocument, which
// calls the admin service.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/admin.h"
#include "flyte/status.h"

namespace flyte::http {

struct ValueRow {
  std::string name, type;
  std::string value_json;  // canonical JSON of the value
};
struct ValueBlob {
  std::string variable;  // "outputs.report", "outputs.files[1]", "inputs.tables.train"
  std::string kind;      // file | dir
  std::string uri;
};
struct ValueListing {
  std::string values_json;  // {"name": value, ...}, or "{}" when none are recorded
  std::vector<ValueRow> rows;
  std::vector<ValueBlob> blobs;  // of this side only
};

// The API's data document (http/value_data.h) of an execution or node, read in-process:
// what GET /api/v1/data/... answers. `guess` tells values of unknown type that are stored
// files ("file") or folders ("dir") from others ("").
Result<std::string> ValuesDocument(AdminService& admin, const ExecutionKey& key,
                                   const std::string& node,
                                   const std::function<std::string(std::string_view)>& guess);

// One side ("inputs" or "outputs") of a data document.
Result<ValueListing> ListingOf(const std::string& document, const std::string& side);

}  // namespace flyte::http
