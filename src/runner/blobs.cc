#include "runner/blobs.h"

#include <sys/stat.h>

#include <filesystem>

#include "runner/value_transfer.h"
#include "storage/data_stores.h"
#include "util/file_digest.h"
#include "util/file_kind.h"

namespace flyte {

namespace fs = std::filesystem;

namespace {

// Digesting, copying or moving a pipe or a device would block or never end (on the thread
// pool, stalling every later output with it); a link out of a folder would carry what it
// points to into the store. InvalidArgument: the caller gave (or a task wrote) the wrong thing.
Status CheckPlaceable(const std::string& path, bool is_dir) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFound(path + " does not exist");
  if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return InvalidArgument(path + " is " + FileKindName(st.st_mode) + ", not " +
                           (is_dir ? "a folder" : "a regular file"));
  }
  if (!is_dir) return Status::Ok();
  Status contents = CheckFolderContents(path);
  if (contents.ok() || contents.code() != StatusCode::kFailedPrecondition) return contents;
  return InvalidArgument("the folder " + path + " cannot be stored: " + contents.message());
}

}  // namespace

Result<std::string> BlobStore::Place(const std::string& path, bool is_dir, bool move) {
  std::error_code ec;
  RETURN_IF_ERROR(CheckPlaceable(path, is_dir));
  Result<std::string> digest = is_dir ? DirDigest(path) : FileDigest(path);
  if (!digest.ok()) return digest.status();
  std::string name = fs::path(path).filename().string();
  if (name.empty() || name == "." || name == "..") name = is_dir ? "dir" : "file";
  std::string uri;
  if (remote_ != nullptr && remote_->has_prefix()) {
    // Up first, from where the task left it: a crash meanwhile leaves the output to read again.
    Result<std::string> up = UploadValue(*remote_, path, is_dir, *digest, name);
    if (!up.ok()) {
      const bool again = up.status().code() == StatusCode::kUnavailable;
      return Status(
          again ? StatusCode::kUnavailable : StatusCode::kFailedPrecondition,
          "cannot store " + path + " under the raw_data_prefix: " + up.status().message());
    }
    uri = std::move(*up);
  }
  fs::path dir = fs::path(root_) / digest->substr(0, 2) / *digest;
  fs::path target = dir / name;
  auto placed = [&]() { return uri.empty() ? target.string() : uri; };
  if (fs::exists(target, ec)) {
    // Stored before: made fresh again, so that `flyte gc` sees it in use (admin/garbage.h).
    fs::last_write_time(target, fs::file_time_type::clock::now(), ec);
    if (move) fs::remove_all(path, ec);
    return placed();
  }
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir.string() + ": " + ec.message());
  fs::path tmp = dir / ("." + name + ".tmp");
  if (move) {
    fs::rename(path, target, ec);
    if (!ec) return placed();
    ec.clear();  // another file system: copy instead
  }
  fs::remove_all(tmp, ec);
  fs::copy(path, tmp, is_dir ? fs::copy_options::recursive : fs::copy_options::none, ec);
  if (ec) return IOError("cannot copy " + path + " into the blob store: " + ec.message());
  fs::rename(tmp, target, ec);
  if (ec) return IOError("cannot place " + target.string() + ": " + ec.message());
  if (move) fs::remove_all(path, ec);
  return placed();
}

Result<std::string> BlobStore::Adopt(const std::string& path, bool is_dir) {
  return Place(path, is_dir, true);
}

Result<std::string> BlobStore::Ingest(const std::string& path, bool is_dir) {
  return Place(path, is_dir, false);
}

}  // namespace flyte
