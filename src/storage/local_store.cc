#include "storage/local_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/file_handle.h"
#include "util/strings.h"

namespace flyte::storage {
namespace {

namespace fs = std::filesystem;

// Copies `length` bytes (or to the end) from `in` at `offset` into `out`, in small chunks.
Status CopyRange(int in, int out, uint64_t offset, std::optional<uint64_t> length) {
  std::string buf(64 * 1024, '\0');
  while (!length || *length > 0) {
    size_t want =
        length ? static_cast<size_t>(std::min<uint64_t>(*length, buf.size())) : buf.size();
    ssize_t got = pread(in, buf.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return IOError(strerror(errno));
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      ssize_t n = write(out, buf.data() + done, static_cast<size_t>(got - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IOError(strerror(errno));
      done += n;
    }
    offset += static_cast<uint64_t>(got);
    if (length) *length -= static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

Status CheckExpiry(int64_t expires_seconds) {
  if (expires_seconds < 1 || expires_seconds > 604800) {
    return InvalidArgument("a presigned URL expires in 1 second to 7 days (604800 seconds), not " +
                           std::to_string(expires_seconds));
  }
  return Status::Ok();
}

}  // namespace

std::string KeyProblem(std::string_view key) {
  if (key.empty()) return "a key is not empty";
  if (key.front() == '/') return "a key does not start with '/'";
  for (std::string_view part : Split(key, '/')) {
    if (part.empty() || part == "." || part == "..") return "a key has no empty, '.' or '..' part";
  }
  if (key.find('\0') != std::string_view::npos) return "a key has no NUL byte";
  return "";
}

LocalStore::LocalStore(std::string root) : root_(std::move(root)) {}

std::string LocalStore::UriOf(std::string_view key) const { return root_ + "/" + std::string(key); }

Result<std::string> LocalStore::PathOf(std::string_view key) const {
  if (std::string why = KeyProblem(key); !why.empty()) {
    return InvalidArgument("invalid key " + Quote(key) + " in " + root_ + ": " + why);
  }
  return UriOf(key);
}

Status LocalStore::Put(std::string_view key, const std::string& local_path) {
  ASSIGN_OR_RETURN(std::string path, PathOf(key));
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return IOError(path + ": cannot create its folder: " + ec.message());
  ASSIGN_OR_RETURN(FileHandle in, FileHandle::OpenRead(local_path));
  ASSIGN_OR_RETURN(FileHandle out, FileHandle::CreateTemp(path));
  Status copied = CopyRange(in.fd(), out.fd(), 0, std::nullopt);
  if (!copied.ok()) return copied.WithContext(local_path + " to " + path);
  return out.CommitTo(path);
}

Status LocalStore::Get(std::string_view key, const std::string& local_path,
                       std::optional<ByteRange> range) {
  ASSIGN_OR_RETURN(std::string path, PathOf(key));
  if (access(path.c_str(), F_OK) != 0) return NotFound(path + ": no such key");
  ASSIGN_OR_RETURN(FileHandle in, FileHandle::OpenRead(path));
  ASSIGN_OR_RETURN(FileHandle out, FileHandle::CreateTemp(local_path));
  uint64_t first = range ? range->first : 0;
  std::optional<uint64_t> length;
  if (range && range->last) {
    if (*range->last < first) return InvalidArgument(path + ": a range ends after it starts");
    length = *range->last - first + 1;
  }
  Status copied = CopyRange(in.fd(), out.fd(), first, length);
  if (!copied.ok()) return copied.WithContext(path + " to " + local_path);
  return out.CommitTo(local_path);
}

Result<ObjectInfo> LocalStore::Head(std::string_view key) {
  ASSIGN_OR_RETURN(std::string path, PathOf(key));
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return NotFound(path + ": no such key");
  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<uint64_t>(st.st_size);
  char buf[32];
  std::tm tm{};
  gmtime_r(&st.st_mtime, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  info.last_modified = buf;
  return info;
}

Result<std::vector<ObjectInfo>> LocalStore::List(std::string_view prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  // Only the folder the prefix names is walked, not the whole store (a value's folder in a
  // blob area of thousands).
  const size_t slash = prefix.rfind('/');
  const std::string start =
      slash == std::string_view::npos ? root_ : root_ + "/" + std::string(prefix.substr(0, slash));
  if (!KeyProblem(prefix.substr(0, slash == std::string_view::npos ? 0 : slash)).empty() &&
      slash != std::string_view::npos) {
    return out;
  }
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), root_, ec).string();
    if (key.find(".flyte-") != std::string::npos || !StartsWith(key, prefix)) continue;
    ASSIGN_OR_RETURN(ObjectInfo info, Head(key));
    out.push_back(std::move(info));
  }
  if (ec) return IOError(root_ + ": cannot be listed: " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

Status LocalStore::Delete(std::string_view key) {
  ASSIGN_OR_RETURN(std::string path, PathOf(key));
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return IOError(path + ": cannot be deleted: " + strerror(errno));
  }
  return Status::Ok();
}

Status LocalStore::DeleteMany(const std::vector<std::string>& keys) {
  for (const auto& k : keys) RETURN_IF_ERROR(Delete(k));
  return Status::Ok();
}

Result<std::string> LocalStore::PresignGet(std::string_view key, int64_t expires_seconds) {
  RETURN_IF_ERROR(CheckExpiry(expires_seconds));
  ASSIGN_OR_RETURN(std::string path, PathOf(key));
  return "file://" + fs::absolute(path).string();
}

Result<std::string> LocalStore::PresignPut(std::string_view key, int64_t expires_seconds) {
  return PresignGet(key, expires_seconds);
}

}  // namespace flyte::storage
