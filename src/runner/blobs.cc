#include "runner/blobs.h"

#include <filesystem>

#include "util/file_digest.h"

namespace flyte {

namespace fs = std::filesystem;

Result<std::string> BlobStore::Place(const std::string& path, bool is_dir, bool move) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return NotFound(path + " does not exist");
  if (is_dir != fs::is_directory(st)) {
    return InvalidArgument(path + (is_dir ? " is not a directory" : " is not a regular file"));
  }
  Result<std::string> digest = is_dir ? DirDigest(path) : FileDigest(path);
  if (!digest.ok()) return digest.status();
  std::string name = fs::path(path).filename().string();
  if (name.empty() || name == "." || name == "..") name = is_dir ? "dir" : "file";
  fs::path dir = fs::path(root_) / digest->substr(0, 2) / *digest;
  fs::path target = dir / name;
  if (fs::exists(target, ec)) {
    if (move) fs::remove_all(path, ec);
    return target.string();
  }
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir.string() + ": " + ec.message());
  fs::path tmp = dir / ("." + name + ".tmp");
  if (move) {
    fs::rename(path, target, ec);
    if (!ec) return target.string();
    ec.clear();  // another file system: copy instead
  }
  fs::remove_all(tmp, ec);
  fs::copy(path, tmp, is_dir ? fs::copy_options::recursive : fs::copy_options::none, ec);
  if (ec) return IOError("cannot copy " + path + " into the blob store: " + ec.message());
  fs::rename(tmp, target, ec);
  if (ec) return IOError("cannot place " + target.string() + ": " + ec.message());
  if (move) fs::remove_all(path, ec);
  return target.string();
}

Result<std::string> BlobStore::Adopt(const std::string& path, bool is_dir) {
  return Place(path, is_dir, true);
}

Result<std::string> BlobStore::Ingest(const std::string& path, bool is_dir) {
  return Place(path, is_dir, false);
}

}  // namespace flyte
