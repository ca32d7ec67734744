#include "storage/s3_errors.h"

#include "storage/xml.h"

namespace flyte::storage {
namespace {

struct Parsed {
  std::string code;
  std::string message;
  std::string region;  // AuthorizationHeaderMalformed and PermanentRedirect carry one
};

Parsed Parse(std::string_view body) {
  Parsed p;
  auto doc = ParseXml(body);
  if (!doc.ok() || (*doc)->name != "Error") return p;
  p.code = (*doc)->ChildText("Code");
  p.message = (*doc)->ChildText("Message");
  p.region = (*doc)->ChildText("Region");
  return p;
}

std::string BucketOf(const std::string& uri) {
  std::string rest = uri.substr(uri.find("//") + 2);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

std::string S3ErrorCode(std::string_view body) { return Parse(body).code; }

bool IsRetryableS3Error(int http_status, std::string_view code) {
  return http_status >= 500 || http_status == 429 || code == "SlowDown" ||
         code == "InternalError" || code == "RequestTimeout" || code == "ServiceUnavailable" ||
         code == "RequestTimeTooSkewed";
}

Status S3ErrorStatus(const S3ErrorAnswer& answer, const S3ErrorContext& c) {
  Parsed p = Parse(answer.body);
  std::string region = !answer.bucket_region.empty() ? answer.bucket_region : p.region;
  const std::string at = c.uri + ": ";
  std::string server_says = p.code.empty()
                                ? " (HTTP " + std::to_string(answer.http_status) + ")"
                                : " (" + p.code + (p.message.empty() ? "" : ": " + p.message) + ")";
  if (!region.empty() && region != c.region &&
      (answer.http_status == 301 || answer.http_status == 400 || p.code == "PermanentRedirect" ||
       p.code == "AuthorizationHeaderMalformed" ||
       p.code == "IllegalLocationConstraintException")) {
    return FailedPrecondition(at + "wrong region: bucket " + BucketOf(c.uri) + " is in " + region +
                              ", not " + c.region + "; set AWS_REGION=" + region);
  }
  if (p.code == "NoSuchBucket") {
    return NotFound(at + "no such bucket " + BucketOf(c.uri) + " at " + c.endpoint);
  }
  if (p.code == "NoSuchKey") return NotFound(at + "no such key");
  if (p.code == "NoSuchUpload") return NotFound(at + "no such multipart upload" + server_says);
  if (p.code == "InvalidAccessKeyId" || p.code == "SignatureDoesNotMatch" ||
      p.code == "ExpiredToken" || p.code == "InvalidToken" || p.code == "TokenRefreshRequired") {
    return InvalidArgument(at + "invalid credentials: access key " + c.key_id + " from " +
                           c.credentials_source + " was refused" + server_says);
  }
  if (p.code == "AccessDenied" || p.code == "AllAccessDisabled") {
    return FailedPrecondition(at + "access denied for access key " + c.key_id + server_says);
  }
  if (answer.http_status == 403) {
    return FailedPrecondition(at +
                              "access denied or invalid credentials (HTTP 403) for access key " +
                              c.key_id + " from " + c.credentials_source);
  }
  if (answer.http_status == 404) return NotFound(at + "not found" + server_says);
  if (answer.http_status == 301 || answer.http_status == 307) {
    return FailedPrecondition(at + "the endpoint " + c.endpoint + " redirects" + server_says +
                              ": the bucket is in another region or needs another endpoint");
  }
  if (IsRetryableS3Error(answer.http_status, p.code)) {
    return Unavailable(at + "the server at " + c.endpoint + " failed" + server_says);
  }
  return FailedPrecondition(at + "refused by " + c.endpoint + server_says);
}

}  // namespace flyte::storage
