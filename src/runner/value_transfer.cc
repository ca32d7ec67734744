#include "runner/value_transfer.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "runner/blobs.h"
#include "storage/local_store.h"
#include "types/map_files.h"
#include "util/file_digest.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;
using storage::ObjectInfo;
using storage::ObjectStore;

// Unique beside its target, so two workers fetching the same value do not collide.
std::string TempName(const std::string& name) {
  static std::atomic<uint64_t> counter{0};
  return "." + name + ".fetch-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

Status UploadFile(ObjectStore& store, const std::string& key, const std::string& path) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return IOError("cannot read " + path + ": " + ec.message());
  Result<ObjectInfo> there = store.Head(key);
  if (there.ok() && there->size == size) return Status::Ok();  // content addressed: the same bytes
  // A missing key is the usual answer; a missing bucket (Head says which) is an error.
  const bool missing_key = !there.ok() && there.status().code() == StatusCode::kNotFound &&
                           there.status().message().find("no such bucket") == std::string::npos;
  if (!there.ok() && !missing_key) return there.status();
  return store.Put(key, path);
}

Status UploadDir(ObjectStore& store, const std::string& prefix, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<ObjectInfo> listed, store.List(prefix));
  std::map<std::string, uint64_t> there;
  for (const ObjectInfo& o : listed) there.emplace(o.key, o.size);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = fs::relative(it->path(), dir, ec).string();
    const std::string key = prefix + rel;
    auto found = there.find(key);
    if (found != there.end() && found->second == it->file_size(ec)) continue;  // an earlier try
    RETURN_IF_ERROR(store.Put(key, it->path().string()));
  }
  if (ec) return IOError("cannot list " + dir + ": " + ec.message());
  return Status::Ok();
}

// The digest and name in a flyte value key ".../data/ab/<sha256>/<name>[/]"; nullopt otherwise.
std::optional<std::pair<std::string, std::string>> ContentAddress(std::string_view key) {
  std::optional<std::string> digest = DigestFromS3Uri("s3://bucket/" + std::string(key));
  if (!digest) return std::nullopt;
  if (key.back() == '/') key.remove_suffix(1);
  std::string name(key.substr(key.rfind('/') + 1));
  if (name == "." || name == "..") return std::nullopt;
  return std::make_pair(*digest, std::move(name));
}

// Downloads the object or every object under the prefix into `into` (a new file or folder).
Status Download(ObjectStore& store, const std::string& key, bool is_dir, const std::string& into,
                const std::string& uri) {
  if (!is_dir) return store.Get(key, into);
  ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, store.List(key));
  std::error_code ec;
  fs::create_directories(into, ec);
  if (ec) return IOError("cannot create " + into + ": " + ec.message());
  for (const ObjectInfo& o : objects) {
    const std::string rel = o.key.substr(key.size());
    if (rel.empty() || rel.back() == '/') continue;  // a folder marker some tools write
    if (std::string why = storage::KeyProblem(rel); !why.empty()) {
      return InvalidArgument(uri + rel + ": cannot be a file of a folder: " + why);
    }
    const fs::path target = fs::path(into) / rel;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return IOError("cannot create " + target.parent_path().string() + ": " + ec.message());
    RETURN_IF_ERROR(store.Get(o.key, target.string()));
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A value in flyte's layout lands at BLOBS/ab/<digest>/<name>, where Place would put it.
Result<std::string> FetchAddressed(ObjectStore& store, const std::string& key, bool is_dir,
                                   const std::string& uri, const std::string& digest,
                                   const std::string& name, const std::string& blob_root) {
  const fs::path dir = fs::path(blob_root) / digest.substr(0, 2) / digest;
  const fs::path target = dir / name;
  std::error_code ec;
  if (fs::exists(target, ec)) return target.string();
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path tmp = dir / TempName(name);
  Status st = Download(store, key, is_dir, tmp.string(), uri);
  if (st.ok()) {
    Result<std::string> got = is_dir ? DirDigest(tmp.string()) : FileDigest(tmp.string());
    if (!got.ok())
      st = got.status();
    else if (*got != digest)
      st = Status(StatusCode::kFailedPrecondition,
                  uri + ": its content does not match the digest in its name (" + *got + ")");
  }
  if (st.ok()) {
    fs::rename(tmp, target, ec);
    if (ec && !fs::exists(target))
      st = IOError("cannot place " + target.string() + ": " + ec.message());
  }
  fs::remove_all(tmp, ec);
  if (!st.ok()) return st;
  return target.string();
}

// Any other object: its ETag (or the ETags of a folder's objects) keys an index entry
// BLOBS/s3/<sha256 of the URI> holding "etag\npath".
Result<std::string> FetchForeign(ObjectStore& store, const std::string& key, bool is_dir,
                                 const std::string& uri, BlobStore& blobs) {
  std::string tag;
  if (is_dir) {
    ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, store.List(key));
    Sha256 h;
    for (const ObjectInfo& o : objects) h.Update(o.key + "\n" + o.etag + "\n");
    tag = h.FinishHex();
  } else {
    ASSIGN_OR_RETURN(ObjectInfo info, store.Head(key));
    tag = info.etag + ":" + std::to_string(info.size);
  }
  const std::string index_dir = blobs.root() + "/s3";
  const std::string index = index_dir + "/" + Sha256Hex(uri);
  std::error_code ec;
  if (Result<std::string> known = ReadSmallFile(index); known.ok()) {
    size_t nl = known->find('\n');
    if (nl != std::string::npos && known->substr(0, nl) == tag &&
        fs::exists(known->substr(nl + 1), ec)) {
      return known->substr(nl + 1);
    }
  }
  std::string name = key;
  if (!name.empty() && name.back() == '/') name.pop_back();
  name = name.substr(name.rfind('/') + 1);
  fs::create_directories(index_dir, ec);
  const std::string tmp_dir = index_dir + "/" + TempName("in");
  fs::create_directories(tmp_dir, ec);
  if (ec) return IOError("cannot create " + tmp_dir + ": " + ec.message());
  Status st = Download(store, key, is_dir, tmp_dir + "/" + name, uri);
  BlobStore cache(blobs.root());  // the copy stays here: it is not a new value to upload
  Result<std::string> placed =
      st.ok() ? cache.Adopt(tmp_dir + "/" + name, is_dir) : Result<std::string>(st);
  fs::remove_all(tmp_dir, ec);
  if (!placed.ok()) return placed.status();
  std::ofstream(index + ".tmp", std::ios::binary | std::ios::trunc) << tag << "\n" << *placed;
  fs::rename(index + ".tmp", index, ec);
  return *placed;
}

Result<std::string> FetchOne(storage::DataStores& stores, BlobStore& blobs, const std::string& uri,
                             bool is_dir) {
  ASSIGN_OR_RETURN(auto located, stores.Locate(uri));
  auto [store, key] = located;
  if (is_dir && !key.empty() && key.back() != '/') key += '/';
  if (std::optional<std::pair<std::string, std::string>> addr = ContentAddress(key)) {
    return FetchAddressed(*store, key, is_dir, uri, addr->first, addr->second, blobs.root());
  }
  return FetchForeign(*store, key, is_dir, uri, blobs);
}

}  // namespace

Result<std::string> UploadValue(storage::DataStores& stores, const std::string& path, bool is_dir,
                                const std::string& digest, const std::string& name) {
  ObjectStore& store = stores.output_store();
  std::string key = stores.OutputKeyPrefix() + digest.substr(0, 2) + "/" + digest + "/" + name;
  if (is_dir) key += "/";
  Status st = is_dir ? UploadDir(store, key, path) : UploadFile(store, key, path);
  if (!st.ok()) return st;
  return store.UriOf(key);
}

bool HasRemoteFiles(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFile:
    case Value::Kind::kDir:
      return StartsWith(v.as_str(), "s3://");
    case Value::Kind::kList:
      for (const Value& i : v.as_list()) {
        if (HasRemoteFiles(i)) return true;
      }
      return false;
    case Value::Kind::kMap:
      for (const auto& [k, i] : v.as_map()) {
        if (HasRemoteFiles(i)) return true;
      }
      return false;
    default:
      return false;
  }
}

Result<Value> FetchValue(storage::DataStores& stores, BlobStore& blobs, const Value& v) {
  return MapFiles(v, [&](const Value& f) -> Result<Value> {
    if (!StartsWith(f.as_str(), "s3://")) return f;
    const bool is_dir = f.kind() == Value::Kind::kDir;
    ASSIGN_OR_RETURN(std::string path, FetchOne(stores, blobs, f.as_str(), is_dir));
    return is_dir ? Value::Dir(path) : Value::File(path);
  });
}

}  // namespace flyte
