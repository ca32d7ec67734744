// The bytes behind a `file` or `dir` value, wherever it lives (data_stores.h): what the value
// is (one object, or the objects under a folder's key prefix), a way to read one object as a
// local file descriptor, and a copy of the whole value to this machine. The API's downloads,
// `flyte get outputs --download` and `flyte gc` read values through these, written once
// against ObjectStore. Blocking (disk, network): never on the loop thread. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/status.h"
#include "storage/data_stores.h"
#include "storage/file_handle.h"
#include "storage/object_store.h"

namespace flyte::storage {

struct StoredValue {
  ObjectStore* store = nullptr;
  std::string uri;
  std::string key;   // a file's key, or a folder's key prefix (ending in '/')
  std::string name;  // the last part of the path: the file or folder name a download takes
  bool is_dir = false;
  ObjectInfo info;                // a file's size, ETag, time
  std::vector<ObjectInfo> files;  // a folder's objects, keys relative to the store's root
  uint64_t bytes = 0;             // the file's size, or the sum of the folder's
};

// NotFound when nothing is stored at `uri` (a file value names one object; a folder value, a
// key prefix holding at least one, or an existing local folder).
Result<StoredValue> FindValue(DataStores& stores, std::string_view uri);

// An object (or bytes of it) open for reading from its first asked byte: a local file
// directly, an S3 object through an already-unlinked temporary file in `tmp_dir`.
Result<FileHandle> OpenObject(ObjectStore& store, const std::string& key,
                              std::optional<ByteRange> range, const std::string& tmp_dir);

// Copies the value to `dest` (a file, or a folder made there), byte for byte; `dest` appears
// whole or not at all for a file.
Status CopyValueTo(const StoredValue& value, const std::string& dest);

// The `name` of a value's URI or path: ".../ab/<digest>/report.csv" -> "report.csv".
std::string ValueName(std::string_view uri);

}  // namespace flyte::storage
