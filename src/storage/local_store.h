// The object store as a folder of this machine (what $FLYTE_HOME/blobs is): keys are relative
// paths under the root, files are written to a temporary file and renamed, so a reader never
// sees half an object. Presigned URLs are file:// URLs, valid on this machine only.
#pragma once

#include <string>

#include "storage/object_store.h"

namespace flyte::storage {

class LocalStore : public ObjectStore {
 public:
  explicit LocalStore(std::string root);  // created on first Put

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
  Result<std::string> PathOf(std::string_view key) const;

  const std::string root_;
};

// Empty when `key` is a safe relative key (no empty, "." or ".." segment, no leading '/'),
// else why not.
std::string KeyProblem(std::string_view key);

}  // namespace flyte::storage
