// The content-addressed blob area under the home: BLOBS/ab/<sha256>/<name>. Files and folders
// that tasks produce, and files users pass as inputs, move or are copied here, so a value's
// path never changes under it and its content digest is in its name.
// Methods read whole files: call them off the loop thread for large ones.
#pragma once

#include <string>

#include "flyte/status.h"

namespace flyte {

class BlobStore {
 public:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Moves a file or folder into the store (renaming when possible) and returns its new path.
  Result<std::string> Adopt(const std::string& path, bool is_dir);
  // Copies a file or folder into the store, leaving the original, and returns the new path.
  Result<std::string> Ingest(const std::string& path, bool is_dir);

 private:
  Result<std::string> Place(const std::string& path, bool is_dir, bool move);
  std::string root_;
};

}  // namespace flyte
