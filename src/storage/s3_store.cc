#include "storage/s3_store.h"

namespace flyte::storage {

S3Store::S3Store(S3Uri root, std::unique_ptr<S3Client> client)
    : root_(std::move(root)), client_(std::move(client)) {}

S3Uri S3Store::At(std::string_view key) const {
  return S3Uri{root_.bucket, root_.key + std::string(key)};
}

std::string S3Store::UriOf(std::string_view key) const { return At(key).ToString(); }

Status S3Store::Put(std::string_view key, const std::string& local_path) {
  return client_->PutFile(At(key), local_path);
}

Status S3Store::Get(std::string_view key, const std::string& local_path,
                    std::optional<ByteRange> range) {
  return client_->GetFile(At(key), local_path, range);
}

Result<ObjectInfo> S3Store::Head(std::string_view key) {
  ASSIGN_OR_RETURN(ObjectInfo info, client_->Head(At(key)));
  info.key = std::string(key);
  return info;
}

Result<std::vector<ObjectInfo>> S3Store::List(std::string_view prefix) {
  ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, client_->List(At(prefix)));
  for (auto& o : all) o.key = o.key.substr(root_.key.size());
  return all;
}

Status S3Store::Delete(std::string_view key) { return client_->Delete(At(key)); }

Status S3Store::DeleteMany(const std::vector<std::string>& keys) {
  std::vector<std::string> full;
  full.reserve(keys.size());
  for (const auto& k : keys) full.push_back(At(k).key);
  return client_->DeleteMany(root_.bucket, full);
}

Result<std::string> S3Store::PresignGet(std::string_view key, int64_t expires_seconds) {
  return client_->PresignGet(At(key), expires_seconds);
}

Result<std::string> S3Store::PresignPut(std::string_view key, int64_t expires_seconds) {
  return client_->PresignPut(At(key), expires_seconds);
}

}  // namespace flyte::storage
