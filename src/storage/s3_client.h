// The S3 operations flyte needs, on one bucket or many: put a file (one PUT, or a multipart
// upload above a threshold, aborted on failure), get to a file (with a range), head, list
// (v2, following continuation tokens), delete one or many, presigned GET/PUT URLs.
// Blocking (network, retries that sleep): call from a worker thread, never the loop. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flyte/status.h"
#include "storage/object_store.h"
#include "storage/s3_transport.h"
#include "storage/settings.h"
#include "storage/uri.h"

namespace flyte::storage {

struct S3ClientOptions {
  TransportOptions transport;
  uint64_t part_size = 8ull << 20;            // at least 5 MiB (S3's minimum but for the last)
  uint64_t multipart_threshold = 8ull << 20;  // files larger than this go up in parts
};

struct ListPage {
  std::vector<ObjectInfo> objects;      // keys are whole keys, not relative to the prefix
  std::string next_continuation_token;  // empty on the last page
};

class S3Client {
 public:
  S3Client(S3Settings settings, S3ClientOptions options = {});

  Status PutFile(const S3Uri& uri, const std::string& local_path);
  Status GetFile(const S3Uri& uri, const std::string& local_path,
                 std::optional<ByteRange> range = std::nullopt);
  Result<ObjectInfo> Head(const S3Uri& uri);
  Result<ListPage> ListOnePage(const S3Uri& prefix, const std::string& continuation_token,
                               int max_keys = 1000);
  Result<std::vector<ObjectInfo>> List(const S3Uri& prefix);
  Status Delete(const S3Uri& uri);
  // In batches of 1000; errors list the keys S3 did not delete.
  Status DeleteMany(const std::string& bucket, const std::vector<std::string>& keys);
  Result<std::string> PresignGet(const S3Uri& uri, int64_t expires_seconds);
  Result<std::string> PresignPut(const S3Uri& uri, int64_t expires_seconds);

  const S3Settings& settings() const { return transport_.settings(); }

 private:
  Status PutSingle(const S3Uri& uri, int fd, uint64_t size);
  Status PutMultipart(const S3Uri& uri, int fd, uint64_t size);
  Result<std::vector<std::string>> UploadParts(const S3Uri& uri, const std::string& upload_id,
                                               int fd, uint64_t size, uint64_t part_size);
  Status Complete(const S3Uri& uri, const std::string& upload_id,
                  const std::vector<std::string>& etags);

  const S3ClientOptions options_;
  S3Transport transport_;
};

// SHA-256 of `length` bytes of `fd` from `offset`, read in small chunks; lowercase hex.
Result<std::string> HashFileRange(int fd, uint64_t offset, uint64_t length);

}  // namespace flyte::storage
