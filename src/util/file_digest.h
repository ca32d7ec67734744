// Content digests of files and folders, for cache keys and the content-addressed blob area.
// These read whole files: call them off the loop thread for anything large.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte {

// Lowercase hex SHA-256 of a file's bytes.
Result<std::string> FileDigest(const std::string& path);
// A digest of a folder: every regular file's relative path and content digest, sorted.
Result<std::string> DirDigest(const std::string& path);
// The digest a blob path carries (".../blobs/ab/<64 hex>/name"), without reading anything.
std::optional<std::string> DigestFromBlobPath(const std::string& path);
// The digest a value URI under a raw_data_prefix carries ("s3://B/P/data/ab/<64 hex>/name[/]").
std::optional<std::string> DigestFromS3Uri(std::string_view uri);

}  // namespace flyte
