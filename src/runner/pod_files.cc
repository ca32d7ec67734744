#include "runner/pod_files.h"

#include <unistd.h>

#include <filesystem>

#include "runner/pod_transfer.h"
#include "runner/task_files.h"
#include "runner/value_transfer.h"
#include "util/file_digest.h"
#include "util/strings.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

// Presigned URLs outlive the longest wait for a Pod slot and the longest task we expect; S3
// allows at most 7 days.
constexpr int64_t kUrlSeconds = 7 * 24 * 3600;

std::string StagingKey(storage::DataStores& stores, const std::string& pod, const std::string& name,
                       bool is_dir) {
  std::string key = stores.OutputKeyPrefix();
  key.replace(key.size() - 5, 5, "staging/");  // "prefix/data/" → "prefix/staging/"
  return key + pod + "/" + name + (is_dir ? ".tar" : "");
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
    if (v.kind() != Value::Kind::kFile && v.kind() != Value::Kind::kDir) {
      if (HasRemoteFiles(v) || (HasBlobs(iface.inputs[i].type) && v.kind() != Value::Kind::kNull)) {
        return InvalidArgument(
            "input " + Quote(name) +
            ": files inside lists or dicts do not travel to Pods yet; pass them one by one");
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string uri, Remote(stores, v));
    ASSIGN_OR_RETURN(auto located, stores.Locate(uri));
    auto [store, key] = located;
    if (v.kind() == Value::Kind::kFile) {
      ASSIGN_OR_RETURN(std::string url, store->PresignGet(key, kUrlSeconds));
      transfers.push_back({Transfer::Kind::kGet, url, name});
      out.pod_inputs[i] = Value::File(data_dir + "/" + name);
      continue;
    }
    if (key.back() != '/') key += '/';
    ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, store->List(key));
    for (const storage::ObjectInfo& o : objects) {
      const std::string rel = o.key.substr(key.size());
      if (rel.empty() || rel.back() == '/') continue;
      ASSIGN_OR_RETURN(std::string url, store->PresignGet(o.key, kUrlSeconds));
      transfers.push_back({Transfer::Kind::kGet, url, name + "/" + rel});
    }
    out.pod_inputs[i] = Value::Dir(data_dir + "/" + name);
  }
  storage::ObjectStore& staging = stores.output_store();
  for (const Variable& var : iface.outputs) {
    const TypeKind kind = BlobKind(var.type);
    if (kind != TypeKind::kFile && kind != TypeKind::kDir) {
      if (HasBlobs(var.type)) {
        return InvalidArgument("output " + Quote(var.name) +
                               ": files inside lists or dicts do not travel from Pods yet");
      }
      continue;
    }
    const bool is_dir = kind == TypeKind::kDir;
    ASSIGN_OR_RETURN(std::string url,
                     staging.PresignPut(StagingKey(stores, pod, var.name, is_dir), kUrlSeconds));
    transfers.push_back({is_dir ? Transfer::Kind::kTar : Transfer::Kind::kPut, url, var.name});
  }
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

}  // namespace flyte
