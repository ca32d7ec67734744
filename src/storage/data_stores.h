// Where flyte's values live: the home's blob folder (always), plus the raw_data_prefix bucket
// when one is set (docs/storage.md, "Values"). A value is an absolute path under the blob
// folder, or an s3:// URI: `Locate` turns either into a store and a key. Owned by the admin;
// Open does no network I/O (it reads the AWS files when a prefix is set: not on the loop).
// Locate and the stores it returns block: call them from worker threads. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "flyte/status.h"
#include "storage/object_store.h"
#include "storage/settings.h"
#include "storage/uri.h"

namespace flyte::storage {

class DataStores {
 public:
  // `raw_data_prefix`: "" (none) or s3://bucket[/prefix]; InvalidArgument names what is wrong
  // with it or with the AWS settings. `env`: AWS_* and HOME, read as the AWS CLI reads them.
  static Result<std::unique_ptr<DataStores>> Open(std::string blob_root,
                                                  std::string raw_data_prefix,
                                                  const std::map<std::string, std::string>& env);
  // The store and key of a file value, or the key prefix (ending in '/') of a dir value;
  // s3:// URIs in any bucket use the same credentials.
  Result<std::pair<ObjectStore*, std::string>> Locate(std::string_view uri);
  // Where new values go: the prefix's bucket, else the blob folder.
  ObjectStore& output_store();
  std::string OutputKeyPrefix() const;  // "prefix/data/" or ""
  // Where Pods' outputs wait until flyte moves them into values: "prefix/staging/" or "".
  std::string StagingKeyPrefix() const;

  bool has_prefix() const { return prefix_.has_value(); }
  const std::string& blob_root() const { return blob_root_; }

 private:
  DataStores() = default;
  // The store of a bucket, made on first use; FailedPrecondition without AWS settings.
  Result<ObjectStore*> Bucket(const std::string& bucket);

  std::string blob_root_;
  std::optional<S3Uri> prefix_;  // its key "" or ending in '/'
  std::map<std::string, std::string> env_;
  std::unique_ptr<ObjectStore> local_;
  std::mutex mu_;
  std::optional<S3Settings> settings_;                           // guarded by mu_
  std::map<std::string, std::unique_ptr<ObjectStore>> buckets_;  // guarded by mu_
};

// The environment variables LoadS3Settings reads (AWS_*, HOME), from this process's.
std::map<std::string, std::string> AwsEnvironment();

}  // namespace flyte::storage
