#include "storage/data_stores.h"

#include <sys/stat.h>

#include "storage/local_store.h"
#include "storage/s3_client.h"
#include "storage/s3_store.h"
#include "util/strings.h"

extern char** environ;

namespace flyte::storage {

std::map<std::string, std::string> AwsEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    if (StartsWith(name, "AWS_") || name == "HOME") env.emplace(name, kv.substr(eq + 1));
  }
  return env;
}

Result<std::unique_ptr<DataStores>> DataStores::Open(
    std::string blob_root, std::string raw_data_prefix,
    const std::map<std::string, std::string>& env) {
  std::unique_ptr<DataStores> d(new DataStores());
  d->blob_root_ = std::move(blob_root);
  d->env_ = env;
  d->local_ = std::make_unique<LocalStore>(d->blob_root_);
  if (raw_data_prefix.empty()) return d;
  Result<S3Uri> uri = ParseS3Uri(raw_data_prefix);
  if (!uri.ok()) {
    return InvalidArgument("raw_data_prefix: " + uri.status().message() +
                           " (expected s3://BUCKET or s3://BUCKET/PREFIX)");
  }
  if (!uri->key.empty() && uri->key.back() != '/') uri->key += '/';
  if (uri->key.find("//") != std::string::npos || StartsWith(uri->key, "/")) {
    return InvalidArgument("raw_data_prefix " + Quote(raw_data_prefix) +
                           ": the prefix has an empty path segment");
  }
  Result<S3Settings> settings = LoadS3Settings(S3Options{env, std::nullopt});
  if (!settings.ok()) {
    return Status(settings.status().code(),
                  "raw_data_prefix " + uri->ToString() + ": " + settings.status().message());
  }
  d->prefix_ = std::move(*uri);
  d->settings_ = std::move(*settings);
  return d;
}

Result<ObjectStore*> DataStores::Bucket(const std::string& bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(bucket);
  if (it != buckets_.end()) return it->second.get();
  if (!settings_) {
    // Inputs may name s3:// URIs without a raw_data_prefix: settings are read when needed.
    Result<S3Settings> settings = LoadS3Settings(S3Options{env_, std::nullopt});
    if (!settings.ok()) return settings.status();
    settings_ = std::move(*settings);
  }
  auto store = std::make_unique<S3Store>(S3Uri{bucket, ""}, std::make_unique<S3Client>(*settings_));
  ObjectStore* raw = store.get();
  buckets_.emplace(bucket, std::move(store));
  return raw;
}

Result<std::pair<ObjectStore*, std::string>> DataStores::Locate(std::string_view uri) {
  if (StartsWith(uri, "s3://")) {
    ASSIGN_OR_RETURN(S3Uri parsed, ParseS3Uri(uri));
    if (parsed.key.empty()) return InvalidArgument(Quote(uri) + " names a bucket, not a value");
    ASSIGN_OR_RETURN(ObjectStore * store, Bucket(parsed.bucket));
    return std::make_pair(store, parsed.key);
  }
  std::string path(uri);
  if (StartsWith(path, "file://")) path = path.substr(7);
  const std::string root = blob_root_ + "/";
  if (!StartsWith(path, root) || path.size() == root.size()) {
    return InvalidArgument(Quote(uri) + " is neither an s3:// URI nor under " + blob_root_);
  }
  std::string key = path.substr(root.size());
  if (std::string why = KeyProblem(key); !why.empty())
    return InvalidArgument(Quote(uri) + ": " + why);
  struct stat st;
  if (key.back() != '/' && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) key += '/';
  return std::make_pair(local_.get(), key);
}

ObjectStore& DataStores::output_store() {
  if (!prefix_) return *local_;
  Result<ObjectStore*> store = Bucket(prefix_->bucket);
  // Open loaded the settings, so making the bucket's store cannot fail.
  return **store;
}

std::string DataStores::OutputKeyPrefix() const {
  return prefix_ ? prefix_->key + "data/" : std::string();
}

std::string DataStores::StagingKeyPrefix() const {
  return prefix_ ? prefix_->key + "staging/" : std::string();
}

}  // namespace flyte::storage
