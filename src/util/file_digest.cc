#include "util/file_digest.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "util/file_kind.h"
#include "util/sha256.h"

namespace flyte {

Result<std::string> FileDigest(const std::string& path) {
  // Only regular files: a pipe or a device would never end the loop below.
  ASSIGN_OR_RETURN(const int fd, OpenRegularFile(path));
  Sha256 h;
  std::vector<char> buf(1 << 16);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IOError("cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    h.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return h.FinishHex();
}

Result<std::string> DirDigest(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), path, ec).string());
  }
  if (ec) return IOError("cannot list " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  Sha256 h;
  for (const std::string& f : files) {
    Result<std::string> d = FileDigest(path + "/" + f);
    if (!d.ok()) return d.status();
    h.Update(f);
    h.Update(std::string_view("\0", 1));
    h.Update(*d);
    h.Update("\n");
  }
  return h.FinishHex();
}

std::optional<std::string> DigestFromBlobPath(const std::string& path) {
  size_t at = path.rfind("/blobs/");
  if (at == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(path).substr(at + 7);
  if (rest.size() < 3 + 64 || rest[2] != '/') return std::nullopt;
  std::string_view hex = rest.substr(3, 64);
  if (!std::all_of(hex.begin(), hex.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return std::nullopt;
  }
  if (hex.substr(0, 2) != rest.substr(0, 2)) return std::nullopt;
  if (rest.size() > 67 && rest[67] != '/') return std::nullopt;
  return std::string(hex);
}

}  // namespace flyte

namespace flyte {

std::optional<std::string> DigestFromS3Uri(std::string_view uri) {
  if (uri.substr(0, 5) != "s3://") return std::nullopt;
  if (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  const size_t slash = uri.rfind('/');
  constexpr size_t kTail = 5 + 3 + 64;  // "data/" "ab/" <sha256>
  if (slash == std::string_view::npos || slash < 5 + kTail || slash + 1 == uri.size())
    return std::nullopt;
  const size_t data = slash - kTail;
  if (uri.substr(data, 5) != "data/" || uri[data - 1] != '/') return std::nullopt;
  return DigestFromBlobPath("/blobs/" + std::string(uri.substr(data + 5, 3 + 64)));
}

}  // namespace flyte
