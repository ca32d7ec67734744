// `flyte get inputs|outputs EXEC [NODE] [-o json|yaml] [--download DIR]`: the typed values of
// an execution or a node, from the home (read in-process) or a server (GET /api/v1/data/...),
// and with --download the bytes of every file and dir value among them, written into DIR
// under the variable's name: `report`, `files[1]`, `tables.train`.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <vector>

#include "cli/admin_access.h"
#include "cli/commands.h"
#include "http/value_listing.h"
#include "storage/data_stores.h"
#include "storage/value_files.h"
#include "types/literal.h"
#include "types/yaml_writer.h"
#include "util/file_digest.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte::cli {
namespace {

int Fail(const Status& st) {
  std::fprintf(stderr, "flyte get: %s\n", st.message().c_str());
  return ExitFor(st);
}

// A blob's variable ("outputs.files[1]") as a name in the download folder ("files[1]").
std::string FileNameOf(const std::string& variable) {
  std::string name = variable.substr(variable.find('.') + 1);
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

std::function<std::string(std::string_view)> LocalGuess(const std::string& blob_root) {
  return [blob_root](std::string_view text) -> std::string {
    if (StartsWith(text, "s3://")) return EndsWith(text, "/") ? "dir" : "file";
    if (!StartsWith(text, blob_root + "/") || !DigestFromBlobPath(std::string(text))) return "";
    struct stat st {};
    return ::stat(std::string(text).c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "dir" : "file";
  };
}

Result<http::ValueListing> ReadValues(AdminAccess& access, const ExecutionKey& key,
                                      const std::string& node, const std::string& side) {
  Result<std::string> doc =
      access.remote() != nullptr
          ? access.remote()->GetData(key, node)
          : http::ValuesDocument(*access.local(), key, node,
                                 LocalGuess(access.local()->home() + "/blobs"));
  if (!doc.ok()) return doc.status();
  return http::ListingOf(*doc, side);
}

int Download(AdminAccess& access, const std::vector<http::ValueBlob>& blobs,
             const std::string& side, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(IOError("cannot create " + dir + ": " + ec.message()));
  std::unique_ptr<storage::DataStores> stores;
  if (access.local() != nullptr) {
    auto opened =
        storage::DataStores::Open(access.local()->home() + "/blobs", "", storage::AwsEnvironment());
    if (!opened.ok()) return Fail(opened.status());
    stores = std::move(*opened);
  }
  for (const http::ValueBlob& b : blobs) {
    const std::string label = b.variable.substr(side.size() + 1);
    const std::string dest = dir + "/" + FileNameOf(b.variable);
    Status st = Status::Ok();
    if (stores) {
      Result<storage::StoredValue> v = storage::FindValue(*stores, b.uri);
      st = v.ok() ? storage::CopyValueTo(*v, dest) : v.status();
    } else {
      st = access.remote()->Download(b.uri, dest, b.kind == "dir");
    }
    if (!st.ok()) return Fail(st.WithContext(label));
    std::cerr << "downloaded " << label << " -> " << dest << (b.kind == "dir" ? "/" : "") << "\n";
  }
  if (blobs.empty()) std::cerr << "no file or dir values among the " << side << "\n";
  return kExitOk;
}

}  // namespace

int RunGetValues(const GetOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint);
  if (access.admin() == nullptr) return Fail(FailedPrecondition(access.error()));
  if (opts.name.empty()) {
    std::fprintf(stderr, "flyte get %s: name the execution: flyte get %s EXEC [NODE]\n",
                 opts.what.c_str(), opts.what.c_str());
    return kExitUsage;
  }
  Result<ExecutionRecord> rec = FindExecution(access, opts.name, opts.project, opts.domain);
  if (!rec.ok()) return Fail(rec.status());
  const std::string& side = opts.what;
  Result<http::ValueListing> data = ReadValues(access, rec->key, opts.node, side);
  if (!data.ok()) return Fail(data.status());
  if (!opts.download.empty()) {
    int code = Download(access, data->blobs, side, opts.download);
    if (code != kExitOk) return code;
  }
  if (opts.output == "json") {
    std::cout << data->values_json << "\n";
    return kExitOk;
  }
  if (opts.output == "yaml") {
    yaml::ParseResult parsed = yaml::ParseText(data->values_json, side);
    LiteralResult lit = parsed.doc && parsed.doc->root()
                            ? ValueFromNode(*parsed.doc->root(), Type::Any())
                            : LiteralResult{};
    std::cout << ToYaml(lit.ok() ? lit.value : Value::FromMap({}));
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "TYPE", "VALUE"}};
  for (const http::ValueRow& r : data->rows) {
    // A string shows as its text, as the table of a local run's outputs does.
    std::string text = r.value_json;
    if (text.size() >= 2 && text.front() == '"') {
      yaml::ParseResult parsed = yaml::ParseText(text, "value");
      if (parsed.doc && parsed.doc->root() && parsed.doc->root()->is_scalar())
        text = parsed.doc->root()->text;
    }
    rows.push_back({r.name, r.type, text});
  }
  if (rows.size() == 1) {
    std::cerr << "no " << side << (opts.node.empty() ? "" : " recorded for node " + opts.node)
              << "\n";
    return kExitOk;
  }
  std::vector<size_t> width(3, 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < 3; ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::cout << r[0] << std::string(width[0] - r[0].size() + 2, ' ') << r[1]
              << std::string(width[1] - r[1].size() + 2, ' ') << r[2] << "\n";
  }
  return kExitOk;
}

}  // namespace flyte::cli
