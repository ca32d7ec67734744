// An owned file descriptor for the stores' streaming copies, and the temporary file beside a
// destination that a download fills and then renames, so the destination appears whole or not
// at all.
#pragma once

#include <string>

#include "flyte/status.h"

namespace flyte::storage {

class FileHandle {
 public:
  FileHandle() = default;
  FileHandle(FileHandle&& other) noexcept;
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();  // closes; removes a temporary file that was not committed

  static Result<FileHandle> OpenRead(const std::string& path);
  // A new empty file "DEST.flyte-XXXXXX" in the folder of `destination`.
  static Result<FileHandle> CreateTemp(const std::string& destination);

  int fd() const { return fd_; }
  // Flushes the temporary file and renames it to `destination`.
  Status CommitTo(const std::string& destination);

 private:
  int fd_ = -1;
  std::string temp_path_;  // set while an uncommitted temporary file exists
};

}  // namespace flyte::storage
