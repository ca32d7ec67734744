#include "admin/garbage.h"

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "flyte/phase.h"
#include "storage/value_files.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "ab/<sha256>/<name>[/...]" -> "ab/<sha256>/<name>"; "" when `rest` is not shaped so.
std::string ValueRoot(std::string_view rest) {
  if (rest.size() < 3 + 64 + 2 || rest[2] != '/' || rest[67] != '/') return "";
  std::string_view digest = rest.substr(3, 64);
  if (!IsHex64(digest) || digest.substr(0, 2) != rest.substr(0, 2)) return "";
  size_t end = rest.find('/', 68);
  std::string_view name =
      rest.substr(68, end == std::string_view::npos ? std::string_view::npos : end - 68);
  if (name.empty() || name == "." || name == "..") return "";
  return std::string(rest.substr(0, 68 + name.size()));
}

// The values flyte owns that a stored JSON text names, by a canonical URI (no trailing '/').
class Owned {
 public:
  explicit Owned(storage::DataStores& stores) : root_(stores.blob_root() + "/") {
    if (stores.has_prefix()) {
      std::string out = stores.output_store().UriOf(stores.OutputKeyPrefix());
      prefix_ = out;
    }
  }

  void Collect(const std::string& json, std::set<std::string>& into) const {
    if (json.empty()) return;
    yaml::ParseResult parsed = yaml::ParseText(json, "value");
    if (parsed.doc && parsed.doc->root() != nullptr) Walk(*parsed.doc->root(), into, 0);
  }

  // "ab/<sha256>/<name>" of a canonical URI.
  std::string Relative(const std::string& uri) const {
    for (const std::string& base : {root_, prefix_}) {
      if (!base.empty() && StartsWith(uri, base)) return uri.substr(base.size());
    }
    return "";
  }

 private:
  void Walk(const yaml::Node& n, std::set<std::string>& into, int depth) const {
    if (depth > 64) return;
    if (n.is_scalar()) {
      if (std::string v = Canonical(n.text); !v.empty()) into.insert(std::move(v));
    }
    for (const yaml::Node* item : n.items) Walk(*item, into, depth + 1);
    for (const auto& [k, v] : n.entries) Walk(*v, into, depth + 1);
  }

  std::string Canonical(std::string_view text) const {
    for (const std::string& base : {root_, prefix_}) {
      if (base.empty() || !StartsWith(text, base)) continue;
      std::string root = ValueRoot(text.substr(base.size()));
      if (!root.empty()) return base + root;
    }
    return "";
  }

  std::string root_;
  std::string prefix_;  // s3://bucket/prefix/data/ when a raw_data_prefix is set
};

uint64_t LocalBytes(const std::string& path, bool* is_dir) {
  std::error_code ec;
  *is_dir = fs::is_directory(path, ec);
  if (!*is_dir) {
    // Not a regular file (a FIFO or socket left where a value would be): it holds no bytes.
    const uint64_t n = fs::file_size(path, ec);
    return ec ? 0 : n;
  }
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

int64_t LocalMtime(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Removes a value from the blob folder, then its digest folder and shard when left empty.
Status RemoveLocal(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return IOError(path + ": cannot be removed: " + ec.message());
  fs::path digest = fs::path(path).parent_path();
  if (fs::is_empty(digest, ec)) fs::remove(digest, ec);
  if (fs::is_empty(digest.parent_path(), ec)) fs::remove(digest.parent_path(), ec);
  return Status::Ok();
}

// The newest of object times; one that cannot be read counts as now: when in doubt, keep.
int64_t Newest(int64_t so_far, const storage::ObjectInfo& o) {
  return std::max(so_far, ParseDatetime(o.last_modified).value_or(INT64_MAX));
}

// Removes (or, in a dry run, only lists) a value found by walking a store.
void Take(GcValue value, const std::function<Status()>& remove, const GcOptions& options,
          GcReport& report) {
  if (options.apply) {
    if (Status st = remove(); !st.ok()) {
      report.errors.push_back(st.message());
      return;
    }
  }
  report.bytes += value.bytes;
  report.orphans += value.orphan ? 1 : 0;
  report.removed.push_back(std::move(value));
}

// Values in the blob folder (BLOBS/ab/<sha256>/<name>) that nothing names, older than the cutoff.
void LocalOrphans(const std::string& root, const std::set<std::string>& named,
                  const GcOptions& options, GcReport& report) {
  std::error_code ec;
  for (const fs::directory_entry& shard : fs::directory_iterator(root, ec)) {
    const std::string s = shard.path().filename().string();
    if (s.size() != 2 || shard.is_symlink(ec) || !shard.is_directory(ec)) continue;
    std::error_code ec2;
    for (const fs::directory_entry& digest : fs::directory_iterator(shard.path(), ec2)) {
      std::error_code ec3;
      // Never through a link: what it points to is not the blob folder's to remove.
      if (digest.is_symlink(ec3) || !digest.is_directory(ec3)) continue;
      for (const fs::directory_entry& value : fs::directory_iterator(digest.path(), ec3)) {
        const std::string rel =
            s + "/" + digest.path().filename().string() + "/" + value.path().filename().string();
        if (ValueRoot(rel) != rel || named.count(rel) != 0) continue;
        const std::string path = value.path().string();
        if (LocalMtime(path) >= options.cutoff_nanos) continue;
        GcValue v{path, 0, false, true};
        v.bytes = LocalBytes(path, &v.is_dir);
        Take(
            std::move(v), [&] { return RemoveLocal(path); }, options, report);
      }
    }
  }
}

// Under the prefix: values (PREFIX/data/ab/<sha256>/<name>[/...]) that nothing names, and
// Pods' staging objects (PREFIX/staging/...), older than the cutoff. A staging object is in use
// only while its attempt runs, which is never days.
void BucketOrphans(storage::DataStores& stores, const std::set<std::string>& named,
                   const GcOptions& options, GcReport& report) {
  storage::ObjectStore& out = stores.output_store();
  struct Found {
    std::vector<std::string> keys;
    uint64_t bytes = 0;
    int64_t newest = 0;
    bool is_dir = false;
  };
  std::map<std::string, Found> values;  // by "ab/<sha256>/<name>", or a staging key
  const std::string data = stores.OutputKeyPrefix();
  const std::string staging = stores.StagingKeyPrefix();
  for (const std::string& prefix : {data, staging}) {
    Result<std::vector<storage::ObjectInfo>> listed = out.List(prefix);
    if (!listed.ok()) {
      report.errors.push_back(listed.status().message());
      continue;
    }
    for (const storage::ObjectInfo& o : *listed) {
      std::string id = o.key;
      if (prefix == data) {
        id = ValueRoot(std::string_view(o.key).substr(data.size()));
        if (id.empty() || named.count(id) != 0) continue;
      }
      Found& f = values[id];
      f.keys.push_back(o.key);
      f.bytes += o.size;
      f.newest = Newest(f.newest, o);
      f.is_dir = f.is_dir || (prefix == data && o.key.size() > data.size() + id.size());
    }
  }
  for (auto& [id, f] : values) {
    if (f.newest >= options.cutoff_nanos) continue;
    const bool value = f.keys[0].compare(0, data.size(), data) == 0;
    GcValue v{out.UriOf(value ? data + id : id), f.bytes, f.is_dir, true};
    Take(
        std::move(v), [&] { return out.DeleteMany(f.keys); }, options, report);
  }
}

// Every execution's rows, in pages.
Status ForEachExecution(Store& store, const std::function<Status(const ExecutionRecord&)>& fn) {
  ExecutionFilter f;
  f.sort_key = "created_at";
  f.limit = 500;
  for (f.offset = 0;; f.offset += f.limit) {
    ASSIGN_OR_RETURN(std::vector<ExecutionRecord> page, store.ListExecutions(f));
    for (const ExecutionRecord& r : page) RETURN_IF_ERROR(fn(r));
    if (page.size() < f.limit) return Status::Ok();
  }
}

}  // namespace

Result<GcReport> CollectGarbage(Store& store, storage::DataStores& stores,
                                const GcOptions& options) {
  Owned owned(stores);
  std::set<std::string> candidates, live;
  GcReport report;
  RETURN_IF_ERROR(ForEachExecution(store, [&](const ExecutionRecord& r) -> Status {
    const bool old = r.created_at < options.cutoff_nanos && IsTerminal(r.phase);
    std::set<std::string>& into = old ? candidates : live;
    report.old_executions += old ? 1 : 0;
    owned.Collect(r.inputs_json, into);
    owned.Collect(r.outputs_json, into);
    ASSIGN_OR_RETURN(std::vector<NodeRecord> nodes, store.ListNodes(r.key));
    for (const NodeRecord& n : nodes) {
      owned.Collect(n.inputs_json, into);
      owned.Collect(n.outputs_json, into);
    }
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(std::vector<CacheRecord> cache, store.ListCache(""));
  for (const CacheRecord& c : cache) owned.Collect(c.outputs_json, live);

  for (const std::string& uri : candidates) {
    if (live.count(uri) != 0) {
      ++report.kept;
      continue;
    }
    GcValue value{uri, 0, false};
    if (!StartsWith(uri, "s3://")) {
      if (!fs::exists(uri)) continue;  // gone already
      if (LocalMtime(uri) >= options.cutoff_nanos) {
        ++report.kept;
        continue;
      }
      value.bytes = LocalBytes(uri, &value.is_dir);
      if (options.apply) {
        if (Status st = RemoveLocal(uri); !st.ok()) {
          report.errors.push_back(st.message());
          continue;
        }
      }
    } else {
      Result<storage::StoredValue> v = storage::FindValue(stores, uri);
      if (!v.ok()) {
        if (v.status().code() != StatusCode::kNotFound)
          report.errors.push_back(v.status().message());
        continue;
      }
      std::vector<std::string> keys;
      int64_t newest = 0;
      auto note = [&](const storage::ObjectInfo& o) {
        keys.push_back(o.key);
        newest = Newest(newest, o);
      };
      if (v->is_dir) {
        for (const storage::ObjectInfo& o : v->files) note(o);
      } else {
        // A listing gives the time as ISO 8601 (HEAD's Last-Modified is an HTTP date).
        Result<std::vector<storage::ObjectInfo>> listed = v->store->List(v->key);
        bool found = false;
        for (const storage::ObjectInfo& o :
             listed.ok() ? *listed : std::vector<storage::ObjectInfo>{}) {
          if (o.key == v->key) note(o), found = true;
        }
        if (!found) note(v->info);
      }
      if (newest >= options.cutoff_nanos) {
        ++report.kept;
        continue;
      }
      value.bytes = v->bytes;
      value.is_dir = v->is_dir;
      if (options.apply) {
        if (Status st = v->store->DeleteMany(keys); !st.ok()) {
          report.errors.push_back(st.message());
          continue;
        }
      }
    }
    report.bytes += value.bytes;
    report.removed.push_back(std::move(value));
  }
  std::set<std::string> named;  // by "ab/<sha256>/<name>": in the blob folder and the bucket alike
  for (const std::set<std::string>* set : {&candidates, &live}) {
    for (const std::string& uri : *set) named.insert(owned.Relative(uri));
  }
  LocalOrphans(stores.blob_root(), named, options, report);
  if (stores.has_prefix()) BucketOrphans(stores, named, options, report);
  return report;
}

}  // namespace flyte
