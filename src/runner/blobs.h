// The content-addressed blob area under the home: BLOBS/ab/<sha256>/<name>. Files and folders
// that tasks produce, and files users pass as inputs, move or are copied here, so a value's
// path never changes under it and its content digest is in its name.
// With a raw_data_prefix (`set_remote`), a placed value is also uploaded there first, and its
// s3:// URI is returned; the blob folder keeps a copy as a cache (runner/value_transfer.h).
// Methods read whole files (and upload them): call them off the loop thread for large ones.
#pragma once

#include <string>

#include "flyte/status.h"

namespace flyte {

namespace storage {
class DataStores;
}

class BlobStore {
 public:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  // Borrowed; values placed from now on go to its prefix when it has one. An upload failure
  // is Unavailable (try again) or FailedPrecondition (the bucket or credentials are wrong).
  void set_remote(storage::DataStores* stores) { remote_ = stores; }

  // Moves a file or folder into the store (renaming when possible) and returns its new path.
  Result<std::string> Adopt(const std::string& path, bool is_dir);
  // Copies a file or folder into the store, leaving the original, and returns the new path.
  Result<std::string> Ingest(const std::string& path, bool is_dir);

 private:
  Result<std::string> Place(const std::string& path, bool is_dir, bool move);
  std::string root_;
  storage::DataStores* remote_ = nullptr;
};

}  // namespace flyte
