// RemoteAdmin's value transfers: typed data, downloads (a file streamed to a temporary file,
// a folder extracted from the server's tar stream) and uploads (streamed from disk with their
// digest declared up front, so the server can refuse a body that changed on the way).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "http/codec.h"
#include "http/value_data.h"
#include "storage/file_handle.h"
#include "storage/tar.h"
#include "storage/value_files.h"
#include "util/file_digest.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

namespace fs = std::filesystem;

Status Unreachable(const std::string& endpoint, httplib::Error e) {
  return Unavailable("cannot reach the flyte server at " + endpoint + " (" + httplib::to_string(e) +
                     ")");
}

}  // namespace

Result<std::string> RemoteAdmin::GetData(const ExecutionKey& key, const std::string& node) {
  std::string path =
      "/api/v1/data/" + std::string(node.empty() ? "executions/" : "node_executions/") +
      UrlEncode(key.project) + "/" + UrlEncode(key.domain) + "/" + UrlEncode(key.name);
  if (!node.empty()) path += "/" + node;
  return Call("GET", path);
}

Status RemoteAdmin::Download(const std::string& uri, const std::string& dest, bool is_dir) {
  std::optional<storage::FileHandle> file;
  std::unique_ptr<storage::TarExtractor> tar;
  const std::string part = dest + ".flyte-part";
  std::error_code ec;
  if (is_dir) {
    fs::remove_all(part, ec);
    tar = std::make_unique<storage::TarExtractor>(part);
  } else {
    ASSIGN_OR_RETURN(storage::FileHandle h, storage::FileHandle::CreateTemp(dest));
    file.emplace(std::move(h));
  }
  int status = 0;
  std::string error_body;
  Status sink_error = Status::Ok();
  auto res = client_->Get(
      DownloadPath(uri).c_str(), httplib::Headers{},
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t n) {
        if (status != 200) {
          error_body.append(data, std::min<size_t>(n, 64 << 10));
          return true;
        }
        if (tar) {
          sink_error = tar->Feed(data, n);
          return sink_error.ok();
        }
        for (size_t done = 0; done < n;) {
          ssize_t w = write(file->fd(), data + done, n - done);
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) {
            sink_error = IOError(dest + ": " + strerror(errno));
            return false;
          }
          done += static_cast<size_t>(w);
        }
        return true;
      });
  if (!sink_error.ok()) return sink_error;
  if (!res) return Unreachable(endpoint_, res.error());
  if (status != 200) return StatusFromErrorJson(status, error_body);
  if (!tar) return file->CommitTo(dest);
  RETURN_IF_ERROR(tar->Finish().WithContext(uri));
  // The archive holds one folder, the value's: it becomes `dest`.
  fs::path top;
  for (const auto& entry : fs::directory_iterator(part, ec)) top = entry.path();
  fs::remove_all(dest, ec);
  fs::rename(top, dest, ec);
  if (ec) return IOError("cannot write " + dest + ": " + ec.message());
  fs::remove_all(part, ec);
  return Status::Ok();
}

Result<std::string> RemoteAdmin::Upload(const std::string& local_path, bool is_dir) {
  std::string path = local_path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string name = storage::ValueName(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return NotFound(path + " does not exist");
  if (is_dir != S_ISDIR(st.st_mode) || (!is_dir && !S_ISREG(st.st_mode))) {
    return InvalidArgument(path + " is not a " + (is_dir ? "folder" : "regular file"));
  }
  std::string query = "/api/v1/data/upload?name=" + UrlEncode(name);
  std::optional<httplib::Result> sent;
  if (!is_dir) {
    ASSIGN_OR_RETURN(std::string digest, FileDigest(path));
    ASSIGN_OR_RETURN(storage::FileHandle in, storage::FileHandle::OpenRead(path));
    auto shared = std::make_shared<storage::FileHandle>(std::move(in));
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    sent.emplace(client_->Post(
        (query + "&sha256=" + digest).c_str(), httplib::Headers{}, static_cast<size_t>(size),
        [shared](size_t offset, size_t length, httplib::DataSink& sink) {
          std::string buf(std::min<size_t>(length, 256 << 10), '\0');
          ssize_t n;
          do {
            n = pread(shared->fd(), buf.data(), buf.size(), static_cast<off_t>(offset));
          } while (n < 0 && errno == EINTR);
          return n > 0 && sink.write(buf.data(), static_cast<size_t>(n));
        },
        "application/octet-stream"));
  } else {
    ASSIGN_OR_RETURN(std::string digest, DirDigest(path));
    ASSIGN_OR_RETURN(std::vector<storage::TarEntry> entries, storage::ListFolderForTar(path, name));
    const uint64_t size = storage::TarSize(entries);
    struct State {
      storage::TarStreamer tar;
      std::string pending;
    };
    auto state = std::make_shared<State>(State{
        storage::TarStreamer(
            entries,
            [path, name, entries](size_t i) {
              return storage::FileHandle::OpenRead(path + entries[i].path.substr(name.size()));
            },
            static_cast<int64_t>(std::time(nullptr))),
        ""});
    sent.emplace(client_->Post((query + "&kind=dir&digest=" + digest).c_str(), httplib::Headers{},
                               static_cast<size_t>(size),
                               [state](size_t, size_t length, httplib::DataSink& sink) {
                                 while (state->pending.empty()) {
                                   Result<bool> more = state->tar.Next(state->pending, 256 << 10);
                                   if (!more.ok() || !*more) return false;
                                 }
                                 size_t n = std::min(length, state->pending.size());
                                 bool ok = sink.write(state->pending.data(), n);
                                 state->pending.erase(0, n);
                                 return ok;
                               },
                               "application/x-tar"));
  }
  httplib::Result& res = *sent;
  if (!res) return Unreachable(endpoint_, res.error()).WithContext("upload of " + path);
  if (res->status < 200 || res->status >= 300) {
    return StatusFromErrorJson(res->status, res->body).WithContext("upload of " + path);
  }
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (!j.is_object() || !j.contains("uri") || !j["uri"].is_string()) {
    return Internal("the server answered the upload of " + path + " without a uri");
  }
  return j["uri"].get<std::string>();
}

}  // namespace flyte::http
