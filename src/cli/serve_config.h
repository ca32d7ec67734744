// The configuration of `flyte serve`: config/server.yaml documents every key and its default.
// The file is optional; a command-line flag wins over the file, the file over the default.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/kube_setup.h"
#include "flyte/status.h"

namespace flyte::cli {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string home;           // empty: $FLYTE_HOME, else ~/.flyte
  std::string auth = "none";  // none | token
  bool insecure = false;
  std::string log_format = "text";  // text | json
  bool access_log = false;          // one log record per API request
  int64_t abort_grace_nanos = 10'000'000'000;
  bool supervise = true;  // tasks under `flyte __supervise`: they survive a crash of the server
  size_t max_connections = 2048;                // served at once, a thread each
  size_t max_streams_per_client = 512;          // event streams and log follows per client address
  uint64_t max_log_bytes = uint64_t{64} << 20;  // per task attempt and stream; 0: no cap
  size_t max_body_bytes = 16 << 20;
  uint64_t max_upload_bytes = uint64_t{5} << 30;  // POST /api/v1/data/upload
  std::vector<std::string> allowed_hosts;         // besides the listen address's own names
  std::vector<std::string> allowed_origins;       // pages of other origins that may call the API
  std::chrono::milliseconds webhook_timeout{5000};
  int webhook_attempts = 5;
  std::chrono::milliseconds webhook_initial_backoff{1000};
  std::chrono::milliseconds webhook_max_backoff{60000};
  // gc: values of old executions removed on a timer (admin/garbage.h); 0: never.
  int64_t gc_interval_nanos = 0;
  int64_t gc_older_than_nanos = int64_t{30} * 86400 * 1'000'000'000;
  KubeFlags kube;  // the `kubernetes:` section, and the --kubernetes flags over it
  // s3://bucket/prefix for file and folder values (docs/storage.md); top level or in kubernetes:.
  std::string raw_data_prefix;
};

// Reads `path` over the defaults. InvalidArgument with FILE:LINE:COL for a bad or unknown key.
Result<ServeConfig> LoadServeConfig(const std::string& path);

}  // namespace flyte::cli
