// S3's error answers turned into Statuses that name the object and say what to do:
//   NotFound            no such bucket, no such key
//   InvalidArgument     invalid credentials (unknown key id, wrong secret, expired token)
//   FailedPrecondition  access denied; the bucket is in another region (with the region to set)
//   Unavailable         the endpoint cannot be reached, or kept failing (5xx, 429, SlowDown)
//                       through every retry
#pragma once

#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte::storage {

struct S3ErrorAnswer {
  int http_status = 0;
  std::string body;           // the XML <Error> document, or empty (HEAD has no body)
  std::string bucket_region;  // the x-amz-bucket-region header
};

struct S3ErrorContext {
  std::string uri;       // s3://bucket/key
  std::string endpoint;  // https://s3.us-east-1.amazonaws.com
  std::string region;    // the region flyte signed for
  std::string key_id;    // the access key id used, for "invalid credentials"
  std::string credentials_source;
};

// The <Code> of an <Error> document, or "".
std::string S3ErrorCode(std::string_view body);

// Worth another try: 5xx, 429, and the codes S3 uses for throttling and transient faults.
bool IsRetryableS3Error(int http_status, std::string_view code);

Status S3ErrorStatus(const S3ErrorAnswer& answer, const S3ErrorContext& context);

}  // namespace flyte::storage
