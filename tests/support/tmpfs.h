// A small tmpfs mounted on a temporary folder, to give a real process a disk that is full or
// read-only. Mounting needs CAP_SYS_ADMIN (root in CI): without it mounted() is false and the
// test says so and passes. The mount is detached when the object goes, on every path out of
// the test (a failed REQUIRE included).
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "support/process_helpers.h"

namespace flyte::testing {

class Tmpfs {
 public:
  // Mounted on a folder of its own, or on `at` (created when missing).
  explicit Tmpfs(size_t bytes, const std::string& at = "") : path_(at.empty() ? dir_.path() : at) {
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    const std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  bool mounted() const { return mounted_; }
  // Why it could not be mounted, for the test's warning.
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // Fills what is left of the file system with FILE (its size is then exactly the free space).
  void Fill(const std::string& name = "filler") {
    int fd = ::open((*this / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    static const char zeros[4096] = {};
    while (::write(fd, zeros, sizeof zeros) > 0) {
    }
    while (::write(fd, zeros, 1) > 0) {  // the last partial block
    }
    ::close(fd);
  }
  // Frees what Fill took.
  void Unfill(const std::string& name = "filler") {
    REQUIRE(::unlink((*this / name).c_str()) == 0);
  }
  void ReadOnly() {
    REQUIRE(::mount(nullptr, path_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0);
  }

 private:
  TempDir dir_;
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace flyte::testing
