// Where flyte keeps files: an interface with two implementations, a local folder
// (local_store.h, what $FLYTE_HOME/blobs is) and an S3-compatible bucket (s3_store.h), so code
// above is written once. Keys are relative to the store's root ("ab/cd/report.csv").
// Every call is blocking (disk or network, with retries that sleep): run it on a worker thread,
// never on the libuv loop thread. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/status.h"

namespace flyte::storage {

struct ObjectInfo {
  std::string key;  // relative to the store's root
  uint64_t size = 0;
  std::string etag;           // S3's ETag, quotes removed; empty for a local file
  std::string last_modified;  // ISO 8601
};

// Bytes first..last, both included; no last: to the end.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Copies the local file to `key`, replacing what was there; streamed, never all in memory.
  virtual Status Put(std::string_view key, const std::string& local_path) = 0;
  // Writes the object (or a range of it) to the local file, which appears whole or not at all.
  virtual Status Get(std::string_view key, const std::string& local_path,
                     std::optional<ByteRange> range = std::nullopt) = 0;
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, in key order.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Deleting a missing key is not an error (as in S3).
  virtual Status Delete(std::string_view key) = 0;
  virtual Status DeleteMany(const std::vector<std::string>& keys) = 0;
  // A URL that reads (GET) or replaces (PUT) the object without credentials, valid for
  // `expires_seconds` (at most 7 days). A local store gives a file:// URL.
  virtual Result<std::string> PresignGet(std::string_view key, int64_t expires_seconds) = 0;
  virtual Result<std::string> PresignPut(std::string_view key, int64_t expires_seconds) = 0;
  // s3://bucket/prefix/key or /home/.../blobs/key, for messages and values.
  virtual std::string UriOf(std::string_view key) const = 0;
};

}  // namespace flyte::storage
