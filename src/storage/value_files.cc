#include "storage/value_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/local_store.h"
#include "util/strings.h"

namespace flyte::storage {

std::string ValueName(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  size_t slash = uri.rfind('/');
  std::string name(slash == std::string_view::npos ? uri : uri.substr(slash + 1));
  return name.empty() || name == "." || name == ".." ? "value" : name;
}

Result<StoredValue> FindValue(DataStores& stores, std::string_view uri) {
  ASSIGN_OR_RETURN(auto located, stores.Locate(uri));
  StoredValue v;
  v.store = located.first;
  v.key = located.second;
  v.uri = std::string(uri);
  v.name = ValueName(uri);
  v.is_dir = !v.key.empty() && v.key.back() == '/';
  if (!v.is_dir) {
    Result<ObjectInfo> info = v.store->Head(v.key);
    if (info.ok()) {
      v.info = *info;
      v.bytes = info->size;
      return v;
    }
    // An s3:// folder value may be written without its trailing '/'.
    if (info.status().code() != StatusCode::kNotFound || !StartsWith(uri, "s3://"))
      return info.status();
    v.key += '/';
    v.is_dir = true;
  }
  ASSIGN_OR_RETURN(v.files, v.store->List(v.key));
  const bool local = !StartsWith(v.store->UriOf(""), "s3://");
  if (v.files.empty() && !local)
    return NotFound(std::string(uri) + ": no such value (no object under it)");
  for (const ObjectInfo& f : v.files) v.bytes += f.size;
  return v;
}

Result<FileHandle> OpenObject(ObjectStore& store, const std::string& key,
                              std::optional<ByteRange> range, const std::string& tmp_dir) {
  const std::string uri = store.UriOf(key);
  if (!StartsWith(uri, "s3://")) {
    ASSIGN_OR_RETURN(FileHandle h, FileHandle::OpenRead(uri));
    if (range && lseek(h.fd(), static_cast<off_t>(range->first), SEEK_SET) < 0) {
      return IOError(uri + ": " + strerror(errno));
    }
    return h;
  }
  std::string path = tmp_dir + "/flyte-object-XXXXXX";
  int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return IOError(tmp_dir + ": cannot create a temporary file: " + strerror(errno));
  close(fd);
  Status got = store.Get(key, path, range);
  if (!got.ok()) {
    unlink(path.c_str());
    return got;
  }
  Result<FileHandle> h = FileHandle::OpenRead(path);
  unlink(path.c_str());  // the descriptor keeps the bytes until it is closed
  return h;
}

Status CopyValueTo(const StoredValue& value, const std::string& dest) {
  if (!value.is_dir) return value.store->Get(value.key, dest).WithContext(value.uri);
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return IOError(dest + ": cannot be created: " + ec.message());
  for (const ObjectInfo& f : value.files) {
    std::string rel = f.key.substr(value.key.size());
    if (std::string why = KeyProblem(rel); !why.empty()) {
      return InvalidArgument(value.uri + ": the object " + Quote(f.key) +
                             " cannot be a file of a folder: " + why);
    }
    fs::path target = fs::path(dest) / rel;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return IOError(target.parent_path().string() + ": cannot be created: " + ec.message());
    RETURN_IF_ERROR(value.store->Get(f.key, target.string()).WithContext(value.uri));
  }
  return Status::Ok();
}

}  // namespace flyte::storage
