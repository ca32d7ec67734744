// A small program over the storage library for the S3 integration tests
// (tests/storage/s3_integration_test.py): each command is one client call, with the settings
// read from the real environment as flyte reads them. Not shipped; not a flyte subcommand.
//   s3_tool [--part-size BYTES] [--attempts N] [--base-delay-ms MS] COMMAND ARGS...
//     put FILE URI | get URI FILE [FIRST-LAST] | head URI | ls URI | rm URI
//     rm-many BUCKET KEY... | presign-get URI SECONDS | presign-put URI SECONDS
// put also prints "rss_growth_kb N": the peak resident size above the one at start.
// Errors go to stderr as "error: CODE: message", exit status 1; bad usage exits 2.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "storage/s3_client.h"
#include "storage/settings.h"
#include "storage/uri.h"

extern char** environ;

namespace flyte::storage {
namespace {

long StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::string(field).size());
  }
  return -1;
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return 1;
}

int Usage() {
  std::cerr
      << "usage: s3_tool [--part-size BYTES] [--attempts N] [--base-delay-ms MS] COMMAND ...\n";
  return 2;
}

int Run(std::vector<std::string> args) {
  S3ClientOptions options;
  while (!args.empty() && args[0].rfind("--", 0) == 0 && args.size() >= 2) {
    if (args[0] == "--part-size") {
      options.part_size = options.multipart_threshold = std::stoull(args[1]);
    } else if (args[0] == "--attempts") {
      options.transport.retry.max_attempts = std::stoi(args[1]);
    } else if (args[0] == "--base-delay-ms") {
      options.transport.retry.base_delay = std::chrono::milliseconds(std::stoi(args[1]));
    } else {
      return Usage();
    }
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() < 2) return Usage();
  S3Options s3_options;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) s3_options.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto settings = LoadS3Settings(s3_options);
  if (!settings.ok()) return Fail(settings.status());
  S3Client client(*settings, options);
  const std::string& cmd = args[0];
  auto uri_at = [&](size_t i) { return ParseS3Uri(args.at(i)); };

  if (cmd == "put" && args.size() == 3) {
    long start = StatusKb("VmRSS:");
    auto uri = uri_at(2);
    if (!uri.ok()) return Fail(uri.status());
    Status s = client.PutFile(*uri, args[1]);
    if (!s.ok()) return Fail(s);
    std::cout << "rss_growth_kb " << StatusKb("VmHWM:") - start << "\n";
    return 0;
  }
  if (cmd == "get" && (args.size() == 3 || args.size() == 4)) {
    auto uri = uri_at(1);
    if (!uri.ok()) return Fail(uri.status());
    std::optional<ByteRange> range;
    if (args.size() == 4) {
      size_t dash = args[3].find('-');
      range = ByteRange{std::stoull(args[3].substr(0, dash)), std::nullopt};
      if (dash + 1 < args[3].size()) range->last = std::stoull(args[3].substr(dash + 1));
    }
    Status s = client.GetFile(*uri, args[2], range);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "head" && args.size() == 2) {
    auto uri = uri_at(1);
    if (!uri.ok()) return Fail(uri.status());
    auto info = client.Head(*uri);
    if (!info.ok()) return Fail(info.status());
    std::cout << info->size << " " << info->etag << "\n";
    return 0;
  }
  if (cmd == "ls" && args.size() == 2) {
    auto uri = uri_at(1);
    if (!uri.ok()) return Fail(uri.status());
    auto list = client.List(*uri);
    if (!list.ok()) return Fail(list.status());
    for (const auto& o : *list) std::cout << o.key << " " << o.size << "\n";
    return 0;
  }
  if (cmd == "rm" && args.size() == 2) {
    auto uri = uri_at(1);
    if (!uri.ok()) return Fail(uri.status());
    Status s = client.Delete(*uri);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "rm-many" && args.size() >= 3) {
    Status s = client.DeleteMany(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
    return s.ok() ? 0 : Fail(s);
  }
  if ((cmd == "presign-get" || cmd == "presign-put") && args.size() == 3) {
    auto uri = uri_at(1);
    if (!uri.ok()) return Fail(uri.status());
    int64_t seconds = std::stoll(args[2]);
    auto url =
        cmd == "presign-get" ? client.PresignGet(*uri, seconds) : client.PresignPut(*uri, seconds);
    if (!url.ok()) return Fail(url.status());
    std::cout << *url << "\n";
    return 0;
  }
  return Usage();
}

}  // namespace
}  // namespace flyte::storage

int main(int argc, char** argv) {
  return flyte::storage::Run(std::vector<std::string>(argv + 1, argv + argc));
}
