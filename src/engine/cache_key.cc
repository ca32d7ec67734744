#include "flyte/engine.h"
#include "util/file_digest.h"
#include "util/json_writer.h"
#include "util/sha256.h"

namespace flyte {
namespace {

// Files and folders enter the key by content, not by path.
Value Hashable(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFile:
    case Value::Kind::kDir: {
      std::optional<std::string> d = DigestFromBlobPath(v.as_str());
      if (!d) d = DigestFromS3Uri(v.as_str());
      // Another s3:// object is keyed by its URI: reading it here would block the loop.
      if (!d && v.as_str().rfind("s3://", 0) == 0) return Value::Str("uri:" + v.as_str());
      if (!d) {
        Result<std::string> r =
            v.kind() == Value::Kind::kFile ? FileDigest(v.as_str()) : DirDigest(v.as_str());
        // An unreadable file cannot match any earlier run: key it by path and failure.
        d = r.ok() ? *r : "unreadable:" + v.as_str();
      }
      return Value::Str("sha256:" + *d);
    }
    case Value::Kind::kList: {
      Value::List items;
      for (const Value& i : v.as_list()) items.push_back(Hashable(i));
      return Value::FromList(std::move(items));
    }
    case Value::Kind::kMap: {
      Value::Map entries;
      for (const auto& [k, i] : v.as_map()) entries.emplace_back(k, Hashable(i));
      return Value::FromMap(std::move(entries));
    }
    default:
      return v;
  }
}

}  // namespace

std::string CacheKey(const std::string& project, const std::string& domain,
                     const CompiledTask& task, const spec::CacheSpec& cache,
                     const std::vector<Value>& inputs) {
  Value::Map in;
  for (size_t i = 0; i < task.iface.inputs.size() && i < inputs.size(); ++i) {
    bool ignored = false;
    for (const auto& [name, loc] : cache.ignore_inputs)
      ignored = ignored || name == task.iface.inputs[i].name;
    if (!ignored) in.emplace_back(task.iface.inputs[i].name, Hashable(inputs[i]));
  }
  Value::List iface_in, iface_out;
  for (const Variable& v : task.iface.inputs) {
    iface_in.push_back(Value::FromList({Value::Str(v.name), Value::Str(v.type.ToString())}));
  }
  for (const Variable& v : task.iface.outputs) {
    iface_out.push_back(Value::FromList({Value::Str(v.name), Value::Str(v.type.ToString())}));
  }
  Value key = Value::FromMap({
      {"project", Value::Str(project)},
      {"domain", Value::Str(domain)},
      {"task", Value::Str(task.name)},
      {"inputs_interface", Value::FromList(std::move(iface_in))},
      {"outputs_interface", Value::FromList(std::move(iface_out))},
      {"version",
       Value::Str(cache.version.empty() ? "def:" + task.definition_hash : "pin:" + cache.version)},
      {"inputs", Value::FromMap(std::move(in))},
  });
  return key.Hash();
}

std::string_view CacheStatusName(CacheStatus s) {
  switch (s) {
    case CacheStatus::kDisabled:
      return "CACHE_DISABLED";
    case CacheStatus::kMiss:
      return "CACHE_MISS";
    case CacheStatus::kHit:
      return "CACHE_HIT";
    case CacheStatus::kPopulated:
      return "CACHE_POPULATED";
    case CacheStatus::kLookupFailure:
      return "CACHE_LOOKUP_FAILURE";
    case CacheStatus::kPutFailure:
      return "CACHE_PUT_FAILURE";
    case CacheStatus::kSkipped:
      return "CACHE_SKIPPED";
  }
  return "CACHE_DISABLED";
}

std::optional<CacheStatus> ParseCacheStatus(std::string_view s) {
  for (CacheStatus c :
       {CacheStatus::kDisabled, CacheStatus::kMiss, CacheStatus::kHit, CacheStatus::kPopulated,
        CacheStatus::kLookupFailure, CacheStatus::kPutFailure, CacheStatus::kSkipped}) {
    if (CacheStatusName(c) == s) return c;
  }
  return std::nullopt;
}

}  // namespace flyte
