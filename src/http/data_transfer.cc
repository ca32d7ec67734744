#include "http/data_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "http/codec.h"
#include "http/value_data.h"
#include "storage/local_store.h"
#include "storage/tar.h"
#include "storage/value_files.h"
#include "util/file_digest.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using storage::ByteRange;
using storage::StoredValue;

constexpr const char* kJson = "application/json";
constexpr size_t kChunk = 256 << 10;

void Fail(httplib::Response& res, const Status& st) {
  res.status = HttpStatus(st);
  res.set_content(ErrorJson(st), kJson);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsLocal(const storage::ObjectStore& store) { return !StartsWith(store.UriOf(""), "s3://"); }

// Where uploads land and S3 objects pass through on their way out; made on first use.
std::string StagingDir(storage::DataStores& stores) {
  std::string dir = stores.blob_root() + "/.staging";
  std::error_code ec;
  fs::create_directories(dir, ec);
  return dir;
}

// A folder of its own under the staging area, removed with everything in it when dropped.
struct Staging {
  std::string path;
  ~Staging() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

Result<std::unique_ptr<Staging>> MakeStaging(storage::DataStores& stores) {
  std::error_code ec;
  fs::create_directories(StagingDir(stores), ec);
  std::string tmpl = StagingDir(stores) + "/x-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return IOError(StagingDir(stores) + ": " + strerror(errno));
  auto s = std::make_unique<Staging>();
  s->path = tmpl;
  return s;
}

// Range: bytes=A-B, A- or -N, one range only (several: the whole file, as RFC 9110 allows).
enum class RangeKind { kWhole, kSlice, kUnsatisfiable };
RangeKind ParseRange(std::string_view header, uint64_t size, ByteRange& out) {
  header = Trim(header);
  if (!StartsWith(header, "bytes=") || header.find(',') != std::string_view::npos)
    return RangeKind::kWhole;
  std::string_view spec = Trim(header.substr(6));
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kWhole;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  int64_t first = 0, last = 0;
  if (a.empty()) {  // the last N bytes
    if (!ParseInt64(b, &last) || last < 0) return RangeKind::kWhole;
    if (last == 0 || size == 0) return RangeKind::kUnsatisfiable;
    out.first = size - std::min<uint64_t>(size, static_cast<uint64_t>(last));
    out.last = size - 1;
    return RangeKind::kSlice;
  }
  if (!ParseInt64(a, &first) || first < 0) return RangeKind::kWhole;
  if (!b.empty() && (!ParseInt64(b, &last) || last < first)) return RangeKind::kWhole;
  if (static_cast<uint64_t>(first) >= size) return RangeKind::kUnsatisfiable;
  out.first = static_cast<uint64_t>(first);
  out.last = b.empty() ? size - 1 : std::min<uint64_t>(static_cast<uint64_t>(last), size - 1);
  return RangeKind::kSlice;
}

std::string Disposition(const std::string& name) {
  std::string ascii;
  for (char c : name) ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '_';
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + PercentEncode(name);
}

bool Matches(std::string_view if_none_match, const std::string& etag) {
  for (std::string_view tag : Split(if_none_match, ',')) {
    tag = Trim(tag);
    if (StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

std::string EtagOf(const StoredValue& v) {
  if (!v.info.etag.empty()) return "\"" + v.info.etag + "\"";
  if (auto d = DigestFromBlobPath(v.uri)) return "\"" + *d + "\"";
  return "\"" + std::to_string(v.info.size) + "-" + v.info.last_modified + "\"";
}

// Sends the bytes of an open file, `length` of them from where it stands.
httplib::ContentProvider FromFile(std::shared_ptr<storage::FileHandle> file) {
  return [file](size_t, size_t length, httplib::DataSink& sink) {
    std::string buf(std::min(length, kChunk), '\0');
    ssize_t n;
    do {
      n = read(file->fd(), buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;  // the file shrank under us: the response is cut short
    return sink.write(buf.data(), static_cast<size_t>(n));
  };
}

void ServeFile(storage::DataStores& stores, const StoredValue& v, const httplib::Request& req,
               httplib::Response& res) {
  const std::string etag = EtagOf(v);
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Content-Disposition", Disposition(v.name));
  if (Matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  ByteRange range;
  RangeKind kind = ParseRange(req.get_header_value("Range"), v.info.size, range);
  // httplib would apply the Range again to what the provider gives: it is answered here.
  const_cast<httplib::Request&>(req).ranges.clear();
  if (kind == RangeKind::kUnsatisfiable) {
    res.status = 416;
    res.set_header("Content-Range", "bytes */" + std::to_string(v.info.size));
    res.set_content(
        ErrorJson("RangeNotSatisfiable", "the value " + v.uri + " has " +
                                             std::to_string(v.info.size) + " bytes; the range " +
                                             req.get_header_value("Range") + " lies outside them"),
        kJson);
    return;
  }
  std::optional<ByteRange> slice;
  if (kind == RangeKind::kSlice) slice = range;
  Result<storage::FileHandle> file =
      storage::OpenObject(*v.store, v.key, slice, StagingDir(stores));
  if (!file.ok()) return Fail(res, file.status());
  uint64_t length = v.info.size;
  if (slice) {
    length = *range.last - range.first + 1;
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                        std::to_string(*range.last) + "/" +
                                        std::to_string(v.info.size));
  }
  auto shared = std::make_shared<storage::FileHandle>(std::move(*file));
  res.set_content_provider(static_cast<size_t>(length), "application/octet-stream",
                           FromFile(shared));
}

void ServeFolder(storage::DataStores& stores, const StoredValue& v, httplib::Response& res) {
  std::vector<storage::TarEntry> entries{{v.name, 0, true}};
  std::vector<std::string> keys{""};
  for (const storage::ObjectInfo& f : v.files) {
    std::string rel = f.key.substr(v.key.size());
    if (!storage::KeyProblem(rel).empty()) continue;  // "a//b" is no file of a folder
    entries.push_back({v.name + "/" + rel, f.size, false});
    keys.push_back(f.key);
  }
  const uint64_t size = storage::TarSize(entries);
  storage::ObjectStore* store = v.store;
  const std::string staging = StagingDir(stores);
  struct State {
    storage::TarStreamer tar;
    std::string pending;
  };
  auto state = std::make_shared<State>(State{storage::TarStreamer(
                                                 std::move(entries),
                                                 [store, keys, staging](size_t i) {
                                                   return storage::OpenObject(
                                                       *store, keys[i], std::nullopt, staging);
                                                 },
                                                 static_cast<int64_t>(std::time(nullptr))),
                                             ""});
  res.set_header("Content-Disposition", Disposition(v.name + ".tar"));
  res.set_content_provider(static_cast<size_t>(size), "application/x-tar",
                           [state](size_t, size_t length, httplib::DataSink& sink) {
                             while (state->pending.empty()) {
                               Result<bool> more = state->tar.Next(state->pending, kChunk);
                               if (!more.ok() || !*more)
                                 return false;  // cut short: the client sees it
                             }
                             size_t n = std::min(length, state->pending.size());
                             bool ok = sink.write(state->pending.data(), n);
                             state->pending.erase(0, n);
                             return ok;
                           });
}

// Moves (local) or copies (S3) an uploaded file or folder to where new values go.
Result<std::string> Place(storage::DataStores& stores, const std::string& path,
                          const std::string& name, const std::string& digest, bool is_dir) {
  storage::ObjectStore& out = stores.output_store();
  const std::string key =
      stores.OutputKeyPrefix() + digest.substr(0, 2) + "/" + digest + "/" + name;
  if (IsLocal(out)) {
    const std::string target = stores.blob_root() + "/" + key;
    std::error_code ec;
    if (fs::exists(target, ec)) {
      // Already stored: fresh again, so `flyte gc` does not take it before it is used.
      utimensat(AT_FDCWD, target.c_str(), nullptr, 0);
      return target;
    }
    fs::create_directories(fs::path(target).parent_path(), ec);
    fs::rename(path, target, ec);
    if (ec && !fs::exists(target)) return IOError("cannot place " + target + ": " + ec.message());
    return target;
  }
  if (!is_dir) {
    RETURN_IF_ERROR(out.Put(key, path));
    return out.UriOf(key);
  }
  ASSIGN_OR_RETURN(std::vector<storage::TarEntry> files, storage::ListFolderForTar(path, ""));
  for (const storage::TarEntry& f : files) {
    if (f.is_dir) continue;
    // Under an empty top the entries are "/a/b".
    RETURN_IF_ERROR(out.Put(key + f.path, path + f.path));
  }
  return out.UriOf(key) + "/";
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

}  // namespace

void ServeValue(storage::DataStores& stores, const std::string& uri, const httplib::Request& req,
                httplib::Response& res) {
  Result<StoredValue> v = storage::FindValue(stores, uri);
  if (!v.ok()) return Fail(res, v.status());
  if (v->is_dir) return ServeFolder(stores, *v, res);
  ServeFile(stores, *v, req, res);
}

void ReceiveUpload(storage::DataStores& stores, uint64_t max_bytes, const httplib::Request& req,
                   httplib::Response& res, const httplib::ContentReader& read) {
  const std::string name = Param(req, "name"), kind = Param(req, "kind");
  const bool is_dir = kind == "dir";
  const std::string digest = Lower(Param(req, is_dir ? "digest" : "sha256"));
  Status st = Status::Ok();
  if (kind != "" && kind != "file" && kind != "dir")
    st = InvalidArgument("kind must be file or dir, got " + Quote(kind));
  if (st.ok() && (name.empty() || name.size() > 255 || name.find('/') != std::string::npos ||
                  !storage::KeyProblem(name).empty())) {
    st = InvalidArgument("name must be a file or folder name (no '/', not '.' or '..'), got " +
                         Quote(name));
  }
  if (st.ok() && !IsHex64(digest)) {
    st = InvalidArgument(std::string(is_dir ? "digest" : "sha256") +
                         " must be the content's SHA-256 in hex (64 characters), got " +
                         Quote(digest));
  }
  const std::string type =
      Lower(Trim(req.get_header_value("Content-Type")
                     .substr(0, req.get_header_value("Content-Type").find(';'))));
  const char* want = is_dir ? "application/x-tar" : "application/octet-stream";
  if (st.ok() && type != want) {
    st = InvalidArgument(std::string("a ") + (is_dir ? "folder" : "file") + " upload is sent as " +
                         want + ", not " + Quote(type.empty() ? "none" : type));
  }
  if (!st.ok()) return Fail(res, st);
  if (!req.has_header("Content-Length")) {
    res.status = 411;
    return res.set_content(ErrorJson("LengthRequired", "an upload needs a Content-Length"), kJson);
  }
  Result<std::unique_ptr<Staging>> staging = MakeStaging(stores);
  if (!staging.ok()) return Fail(res, staging.status());
  const std::string path = (*staging)->path + "/" + name;
  std::string got;
  uint64_t received = 0;
  if (is_dir) {
    // The archive holds one folder, named as the value: extracted beside nothing else.
    storage::TarExtractor extract((*staging)->path);
    Status fed = Status::Ok();
    bool complete = read([&](const char* data, size_t n) {
      received += n;
      fed = extract.Feed(data, n);
      return fed.ok() && received <= max_bytes;
    });
    if (!fed.ok()) return Fail(res, fed.WithContext("upload of " + Quote(name)));
    if (!complete)
      return Fail(res, InvalidArgument("the upload of " + Quote(name) + " ended early"));
    if (Status done = extract.Finish(); !done.ok())
      return Fail(res, done.WithContext("upload of " + Quote(name)));
    std::error_code ec;
    size_t entries = 0;
    for (auto it = fs::directory_iterator((*staging)->path, ec); !ec && it != fs::end(it);
         it.increment(ec))
      ++entries;
    if (entries != 1 || !fs::is_directory(path, ec)) {
      return Fail(res, InvalidArgument("a folder upload is a tar of one folder named " +
                                       Quote(name) + " (its files under it)"));
    }
    Result<std::string> d = DirDigest(path);
    if (!d.ok()) return Fail(res, d.status());
    got = *d;
  } else {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Fail(res, IOError(path + ": " + strerror(errno)));
    Sha256 h;
    Status wrote = Status::Ok();
    bool complete = read([&](const char* data, size_t n) {
      received += n;
      h.Update(std::string_view(data, n));
      for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          wrote = IOError(path + ": " + strerror(errno));
          return false;
        }
        done += static_cast<size_t>(w);
      }
      return received <= max_bytes;
    });
    close(fd);
    if (!wrote.ok()) return Fail(res, wrote);
    if (!complete)
      return Fail(res, InvalidArgument("the upload of " + Quote(name) + " ended early"));
    got = h.FinishHex();
  }
  if (got != digest) {
    return Fail(res,
                InvalidArgument(
                    "the upload of " + Quote(name) + " has the digest " + got + ", not " + digest +
                    " as declared: it changed or was damaged on the way; nothing was stored"));
  }
  Result<std::string> uri = Place(stores, path, name, digest, is_dir);
  if (!uri.ok()) return Fail(res, uri.status());
  res.set_content(
      json{{"uri", *uri}, {"kind", is_dir ? "dir" : "file"}, {"bytes", received}}.dump(), kJson);
}

void PresignValue(storage::DataStores& stores, const std::string& uri,
                  const std::string& expires_in, const std::string& base, httplib::Response& res) {
  int64_t seconds = 3600;
  if (!expires_in.empty() &&
      (!ParseInt64(expires_in, &seconds) || seconds < 1 || seconds > 604800)) {
    return Fail(res, InvalidArgument("expires_in must be 1 to 604800 seconds (7 days), got " +
                                     Quote(expires_in)));
  }
  Result<StoredValue> v = storage::FindValue(stores, uri);
  if (!v.ok()) return Fail(res, v.status());
  const std::string expires_at =
      FormatDatetime((static_cast<int64_t>(std::time(nullptr)) + seconds) * 1'000'000'000);
  if (IsLocal(*v->store)) {
    // Files on the server's disk have no signature of their own: its download route serves them.
    res.set_content(
        json{{"url", base + DownloadPath(uri)}, {"presigned", false}, {"expires_at", nullptr}}
            .dump(),
        kJson);
    return;
  }
  json out = {{"presigned", true}, {"expires_at", expires_at}};
  if (!v->is_dir) {
    Result<std::string> url = v->store->PresignGet(v->key, seconds);
    if (!url.ok()) return Fail(res, url.status());
    out["url"] = *url;
  } else {
    json files = json::array();
    for (const storage::ObjectInfo& f : v->files) {
      Result<std::string> url = v->store->PresignGet(f.key, seconds);
      if (!url.ok()) return Fail(res, url.status());
      files.push_back({{"path", f.key.substr(v->key.size())}, {"url", *url}, {"bytes", f.size}});
    }
    out["url"] = nullptr;
    out["files"] = files;
  }
  res.set_content(out.dump(), kJson);
}

}  // namespace flyte::http
