// The object store as a prefix of an S3-compatible bucket: s3://bucket/prefix/ + key.
#pragma once

#include <memory>
#include <string>

#include "storage/object_store.h"
#include "storage/s3_client.h"

namespace flyte::storage {

class S3Store : public ObjectStore {
 public:
  // `root` is the bucket and prefix ("s3://bucket/flyte/"), its key ending in '/' or empty.
  S3Store(S3Uri root, std::unique_ptr<S3Client> client);

  Status Put(std::string_view key, const std::string& local_path) override;
  Status Get(std::string_view key, const std::string& local_path,
             std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<std::string> PresignGet(std::string_view key, int64_t expires_seconds) override;
  Result<std::string> PresignPut(std::string_view key, int64_t expires_seconds) override;
  std::string UriOf(std::string_view key) const override;

 private:
  S3Uri At(std::string_view key) const;

  const S3Uri root_;
  const std::unique_ptr<S3Client> client_;
};

}  // namespace flyte::storage
