#include "storage/file_handle.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace flyte::storage {

FileHandle::FileHandle(FileHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), temp_path_(std::move(other.temp_path_)) {
  other.temp_path_.clear();
}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    this->~FileHandle();
    fd_ = std::exchange(other.fd_, -1);
    temp_path_ = std::move(other.temp_path_);
    other.temp_path_.clear();
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  temp_path_.clear();
}

Result<FileHandle> FileHandle::OpenRead(const std::string& path) {
  FileHandle h;
  h.fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (h.fd_ < 0) return IOError(path + ": cannot be opened: " + strerror(errno));
  return h;
}

Result<FileHandle> FileHandle::CreateTemp(const std::string& destination) {
  std::string pattern = destination + ".flyte-XXXXXX";
  FileHandle h;
  h.fd_ = mkostemp(pattern.data(), O_CLOEXEC);
  if (h.fd_ < 0) return IOError(destination + ": cannot be created: " + strerror(errno));
  h.temp_path_ = pattern;
  return h;
}

Status FileHandle::CommitTo(const std::string& destination) {
  if (fsync(fd_) != 0 || rename(temp_path_.c_str(), destination.c_str()) != 0) {
    return IOError(destination + ": cannot be written: " + strerror(errno));
  }
  temp_path_.clear();
  return Status::Ok();
}

}  // namespace flyte::storage
