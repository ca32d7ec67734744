// File and folder values between the blob folder and the raw_data_prefix bucket
// (docs/storage.md, "Values"). Under the prefix a value is content addressed as in the blob
// folder: s3://B/P/data/<ab>/<sha256>/<name> for a file, s3://B/P/data/<ab>/<treedigest>/<name>/
// for a folder, each of its files an object at its relative path. All of this blocks (network,
// disk): call it on a worker thread, never the loop.
#pragma once

#include <string>

#include "flyte/status.h"
#include "flyte/value.h"
#include "storage/data_stores.h"

namespace flyte {

class BlobStore;

// Puts the file or folder at `path`, whose content digest is `digest`, under the output prefix
// as `name` unless it is there already, and returns its URI. Errors name the URI; their codes
// are the storage's (docs/storage.md).
Result<std::string> UploadValue(storage::DataStores& stores, const std::string& path, bool is_dir,
                                const std::string& digest, const std::string& name);

// True when `v` holds an s3:// file or folder, at any depth.
bool HasRemoteFiles(const Value& v);

// `v` with each s3:// file or folder replaced by its copy in the blob folder, downloaded when
// not there yet: by the digest in a flyte key, else by the object's ETag (an index in
// BLOBS/s3/), so nothing is fetched twice.
Result<Value> FetchValue(storage::DataStores& stores, BlobStore& blobs, const Value& v);

}  // namespace flyte
