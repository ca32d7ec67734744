// s3://bucket/key URIs: parsed once, validated against S3's bucket naming rules, and printed
// back the same way in every error message so a user sees the object they named.
#pragma once

#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte::storage {

struct S3Uri {
  std::string bucket;
  std::string key;  // may be empty (the bucket itself) or a prefix ending in '/'

  std::string ToString() const;  // s3://bucket/key
  // The URI of `name` under this one as a prefix: s3://b/p/ + x = s3://b/p/x.
  S3Uri Child(std::string_view name) const;
};

// Errors (InvalidArgument) quote the text and say which rule it breaks.
Result<S3Uri> ParseS3Uri(std::string_view text);

// Empty when `bucket` follows the rules for general-purpose buckets, else why not.
std::string BucketNameProblem(std::string_view bucket);

// True when the bucket can be a DNS label of a virtual-hosted endpoint (no dots, so that a
// TLS wildcard certificate matches).
bool IsVirtualHostable(std::string_view bucket);

}  // namespace flyte::storage
