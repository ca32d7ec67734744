#include "runner/pod_files.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runner/pod_helper.h"
#include "runner/pod_transfer.h"
#include "runner/task_files.h"
#include "runner/value_transfer.h"
#include "types/map_files.h"
#include "util/file_digest.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

// Presigned URLs outlive the longest wait for a Pod slot and the longest task we expect; S3
// allows at most 7 days.
constexpr int64_t kUrlSeconds = 7 * 24 * 3600;
// The staging name of the `pack` archive (a name no output can have).
constexpr const char* kPack = ".pack";

std::string StagingKey(storage::DataStores& stores, const std::string& pod, const std::string& name,
                       bool is_dir) {
  return stores.StagingKeyPrefix() + pod + "/" + name + (is_dir ? ".tar" : "");
}

TypeKind BlobKind(const Type& t) { return t.WithoutNone().kind(); }

// The value's URI under the prefix: an s3:// value as it is, a local one uploaded first.
Result<std::string> Remote(storage::DataStores& stores, const Value& v) {
  const std::string& at = v.as_str();
  if (StartsWith(at, "s3://")) return at;
  const bool is_dir = v.kind() == Value::Kind::kDir;
  std::optional<std::string> digest = DigestFromBlobPath(at);
  // A file inside a stored folder carries the folder's digest in its path, not its own.
  if (digest && fs::path(at).parent_path().filename() != *digest) digest.reset();
  if (!digest) {
    Result<std::string> d = is_dir ? DirDigest(at) : FileDigest(at);
    if (!d.ok()) return d.status();
    digest = *d;
  }
  return UploadValue(stores, at, is_dir, *digest, fs::path(at).filename().string());
}

// The transfers that bring the file or folder `v` to DATA/`rel` in the Pod.
Status AddInput(storage::DataStores& stores, const Value& v, const std::string& rel,
                std::vector<Transfer>* transfers) {
  ASSIGN_OR_RETURN(std::string uri, Remote(stores, v));
  ASSIGN_OR_RETURN(auto located, stores.Locate(uri));
  auto [store, key] = located;
  if (v.kind() == Value::Kind::kFile) {
    ASSIGN_OR_RETURN(std::string url, store->PresignGet(key, kUrlSeconds));
    transfers->push_back({Transfer::Kind::kGet, url, rel});
    return Status::Ok();
  }
  if (key.back() != '/') key += '/';
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, store->List(key));
  for (const storage::ObjectInfo& o : objects) {
    const std::string sub = o.key.substr(key.size());
    if (sub.empty() || sub.back() == '/') continue;
    ASSIGN_OR_RETURN(std::string url, store->PresignGet(o.key, kUrlSeconds));
    transfers->push_back({Transfer::Kind::kGet, url, rel + "/" + sub});
  }
  return Status::Ok();
}

// The size of PackFiles(files + the transfer list), without making it.
size_t PackedSize(const std::vector<std::pair<std::string, std::string>>& files,
                  const std::vector<Transfer>& transfers) {
  auto line = [](size_t name, size_t bytes) { return name + 2 + (bytes + 2) / 3 * 4; };
  size_t n = PackFiles(0, {}).size() +
             line(std::strlen(kTransfersFile), FormatTransfers(transfers).size());
  for (const auto& [name, bytes] : files) n += line(name.size(), bytes.size());
  return n;
}

// Inputs too large for a ConfigMap: the largest input files go up to the bucket (content
// addressed, so a value sent again is not uploaded again) and come down in the Pod (`in`), until
// the rest travels in the Pod itself. `scratch`: a folder of the attempt's, for the uploads.
Status OffloadInputs(storage::DataStores& stores, const std::string& scratch,
                     std::vector<std::pair<std::string, std::string>>* files,
                     std::vector<Transfer>* transfers) {
  size_t raw = FormatTransfers(*transfers).size();
  for (const auto& [name, bytes] : *files) raw += bytes.size();
  if (raw <= kMaxConfigMapBytes || PackedSize(*files, *transfers) <= kMaxInlineInputs)
    return Status::Ok();
  std::stable_sort(files->begin(), files->end(),
                   [](const auto& x, const auto& y) { return x.second.size() > y.second.size(); });
  std::error_code ec;
  fs::create_directories(scratch, ec);
  while (!files->empty() && PackedSize(*files, *transfers) > kMaxInlineInputs) {
    const auto& [name, bytes] = files->front();
    const std::string tmp = scratch + "/.upload-" + name;
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      f.close();
      if (!f) return IOError("cannot write " + tmp + ": " + std::strerror(errno));
    }
    Result<std::string> uri = UploadValue(stores, tmp, false, Sha256Hex(bytes), name);
    fs::remove(tmp, ec);
    if (!uri.ok()) return uri.status();
    ASSIGN_OR_RETURN(auto located, stores.Locate(*uri));
    ASSIGN_OR_RETURN(std::string url, located.first->PresignGet(located.second, kUrlSeconds));
    transfers->push_back({Transfer::Kind::kIn, url, name});
    files->erase(files->begin());
  }
  if (PackedSize(*files, *transfers) > kMaxInlineInputs) {
    return InvalidArgument("the task's inputs need " + std::to_string(transfers->size()) +
                           " transfers, whose presigned URLs do not fit in the Pod (" +
                           std::to_string(kMaxInlineInputs / 1024) + " KiB)");
  }
  return Status::Ok();
}

}  // namespace

bool PodMovesFiles(const CompiledTask& task) {
  for (const auto* vars : {&task.iface.inputs, &task.iface.outputs}) {
    for (const Variable& v : *vars) {
      if (HasBlobs(v.type)) return true;
    }
  }
  return false;
}

Result<PodFiles> StagePodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                               const std::string& pod, const std::string& data_dir) {
  PodFiles out;
  std::vector<Transfer> transfers;
  const Interface& iface = launch.task->iface;
  out.pod_inputs = launch.inputs;
  for (size_t i = 0; i < iface.inputs.size() && i < launch.inputs.size(); ++i) {
    const Value& v = launch.inputs[i];
    const std::string& name = iface.inputs[i].name;
    if (v.kind() == Value::Kind::kFile || v.kind() == Value::Kind::kDir) {
      RETURN_IF_ERROR(AddInput(stores, v, name, &transfers));
      out.pod_inputs[i] = v.kind() == Value::Kind::kFile ? Value::File(data_dir + "/" + name)
                                                         : Value::Dir(data_dir + "/" + name);
      continue;
    }
    // Files inside lists and dicts: each at DATA/NAME/<n>/<its name>, as the value says.
    size_t n = 0;
    Result<Value> mapped = MapFiles(v, [&](const Value& f) -> Result<Value> {
      std::string at = f.as_str();
      while (at.size() > 1 && at.back() == '/') at.pop_back();
      const std::string rel = name + "/" + std::to_string(n++) + "/" + at.substr(at.rfind('/') + 1);
      RETURN_IF_ERROR(AddInput(stores, f, rel, &transfers));
      return f.kind() == Value::Kind::kFile ? Value::File(data_dir + "/" + rel)
                                            : Value::Dir(data_dir + "/" + rel);
    });
    if (!mapped.ok()) return mapped.status();
    out.pod_inputs[i] = std::move(*mapped);
  }
  storage::ObjectStore& staging = stores.output_store();
  for (const Variable& var : iface.outputs) {
    const TypeKind kind = BlobKind(var.type);
    if (kind != TypeKind::kFile && kind != TypeKind::kDir) continue;
    const bool is_dir = kind == TypeKind::kDir;
    ASSIGN_OR_RETURN(std::string url,
                     staging.PresignPut(StagingKey(stores, pod, var.name, is_dir), kUrlSeconds));
    transfers.push_back({is_dir ? Transfer::Kind::kTar : Transfer::Kind::kPut, url, var.name});
  }
  if (!iface.outputs.empty() || launch.task->spec->dynamic) {
    ASSIGN_OR_RETURN(std::string url,
                     staging.PresignPut(StagingKey(stores, pod, kPack, true), kUrlSeconds));
    transfers.push_back({Transfer::Kind::kPack, url, kPack});
  }
  TaskLaunch pod_launch;
  pod_launch.task = launch.task;
  pod_launch.inputs = out.pod_inputs;
  out.input_files = InputFiles(pod_launch);
  RETURN_IF_ERROR(OffloadInputs(stores, launch.attempt_dir, &out.input_files, &transfers));
  out.transfers = FormatTransfers(transfers);
  return out;
}

Status CollectPodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                       const std::string& pod, const std::string& output_dir) {
  storage::ObjectStore& staging = stores.output_store();
  std::error_code ec;
  for (const Variable& var : launch.task->iface.outputs) {
    const TypeKind kind = BlobKind(var.type);
    if (kind != TypeKind::kFile && kind != TypeKind::kDir) continue;
    const bool is_dir = kind == TypeKind::kDir;
    const std::string key = StagingKey(stores, pod, var.name, is_dir);
    const std::string target = output_dir + "/" + var.name;
    fs::remove_all(target, ec);
    const std::string fetched = is_dir ? output_dir + "/." + var.name + ".tar" : target;
    Status got = staging.Get(key, fetched);
    if (got.code() == StatusCode::kNotFound &&
        got.message().find("no such bucket") == std::string::npos) {
      continue;  // the task did not write it
    }
    RETURN_IF_ERROR(got);
    if (is_dir) {
      std::string error;
      const bool ok = ReadTar(fetched, target, &error);
      fs::remove(fetched, ec);
      if (!ok) return IOError("output " + Quote(var.name) + ": " + error);
    }
    RETURN_IF_ERROR(staging.Delete(key));
  }
  return Status::Ok();
}

Status CollectPodPack(storage::DataStores& stores, const std::string& pod, const TaskPaths& paths,
                      const std::string& scratch) {
  storage::ObjectStore& staging = stores.output_store();
  const std::string key = StagingKey(stores, pod, kPack, true);
  const std::string tar = scratch + "/.pack.tar", into = scratch + "/.pack";
  std::error_code ec;
  fs::remove_all(into, ec);
  RETURN_IF_ERROR(staging.Get(key, tar));
  std::string error;
  const bool ok = ReadTar(tar, into, &error);
  fs::remove(tar, ec);
  if (!ok) return IOError("the Pod's outputs archive: " + error);
  for (const auto& [from, to] :
       {std::pair{into + "/outputs", paths.output_dir}, std::pair{into + "/raw", paths.raw_dir}}) {
    fs::create_directories(to, ec);
    std::vector<fs::path> entries;  // listed first: moving them out changes the folder
    for (const fs::directory_entry& e : fs::directory_iterator(from, ec))
      entries.push_back(e.path());
    for (const fs::path& e : entries) {
      const std::string target = to + "/" + e.filename().string();
      fs::remove_all(target, ec);
      fs::rename(e, target, ec);
      if (ec) return IOError("cannot move " + e.string() + " to " + target + ": " + ec.message());
    }
  }
  fs::remove_all(into, ec);
  return staging.Delete(key);
}

}  // namespace flyte
