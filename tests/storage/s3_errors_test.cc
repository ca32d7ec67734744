// What a user reads when S3 says no: each answer S3 gives mapped to a typed Status naming the
// object, and the XML reader's own errors.
#include <catch2/catch.hpp>

#include "storage/s3_errors.h"
#include "storage/s3_transport.h"
#include "storage/xml.h"

namespace flyte::storage {
namespace {

const S3ErrorContext kContext{"s3://data/runs/x.csv", "https://s3.us-east-1.amazonaws.com",
                              "us-east-1", "AKIDEXAMPLE",
                              "profile 'dev' in /home/u/.aws/credentials"};

std::string ErrorXml(const std::string& code, const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
         "</Code><Message>m</Message>" + extra + "<RequestId>1</RequestId></Error>";
}

TEST_CASE("s3 errors: a bucket in another region says which region to set") {
  Status s = S3ErrorStatus({301, ErrorXml("PermanentRedirect"), "eu-west-1"}, kContext);
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK(s.message() ==
        "s3://data/runs/x.csv: wrong region: bucket data is in eu-west-1, not "
        "us-east-1; set AWS_REGION=eu-west-1");
  Status malformed = S3ErrorStatus(
      {400, ErrorXml("AuthorizationHeaderMalformed", "<Region>ap-south-1</Region>"), ""}, kContext);
  CHECK(malformed.message() ==
        "s3://data/runs/x.csv: wrong region: bucket data is in ap-south-1, "
        "not us-east-1; set AWS_REGION=ap-south-1");
  Status head = S3ErrorStatus({301, "", "eu-central-1"}, kContext);  // HEAD: header only
  CHECK(head.message().find("is in eu-central-1") != std::string::npos);
}

TEST_CASE("s3 errors: missing bucket and key, access denied, invalid credentials") {
  Status bucket = S3ErrorStatus({404, ErrorXml("NoSuchBucket"), ""}, kContext);
  CHECK(bucket.code() == StatusCode::kNotFound);
  CHECK(bucket.message() ==
        "s3://data/runs/x.csv: no such bucket data at https://s3.us-east-1.amazonaws.com");
  CHECK(S3ErrorStatus({404, ErrorXml("NoSuchKey"), ""}, kContext).message() ==
        "s3://data/runs/x.csv: no such key");
  Status denied = S3ErrorStatus({403, ErrorXml("AccessDenied"), ""}, kContext);
  CHECK(denied.code() == StatusCode::kFailedPrecondition);
  CHECK(denied.message() ==
        "s3://data/runs/x.csv: access denied for access key AKIDEXAMPLE (AccessDenied: m)");
  Status creds = S3ErrorStatus({403, ErrorXml("SignatureDoesNotMatch"), ""}, kContext);
  CHECK(creds.code() == StatusCode::kInvalidArgument);
  CHECK(creds.message() ==
        "s3://data/runs/x.csv: invalid credentials: access key AKIDEXAMPLE from "
        "profile 'dev' in /home/u/.aws/credentials was refused "
        "(SignatureDoesNotMatch: m)");
  CHECK(S3ErrorStatus({403, "", ""}, kContext).message() ==
        "s3://data/runs/x.csv: access denied or invalid credentials (HTTP 403) for access key "
        "AKIDEXAMPLE from profile 'dev' in /home/u/.aws/credentials");
}

TEST_CASE("s3 errors: throttling and server faults are retried, client errors are not") {
  CHECK(IsRetryableS3Error(503, "SlowDown"));
  CHECK(IsRetryableS3Error(500, ""));
  CHECK(IsRetryableS3Error(429, ""));
  CHECK(IsRetryableS3Error(400, "RequestTimeout"));
  CHECK_FALSE(IsRetryableS3Error(403, "AccessDenied"));
  CHECK_FALSE(IsRetryableS3Error(404, "NoSuchKey"));
  CHECK(S3ErrorStatus({503, ErrorXml("SlowDown"), ""}, kContext).code() ==
        StatusCode::kUnavailable);
}

TEST_CASE("s3 backoff doubles up to its cap, with jitter in the upper half") {
  RetryPolicy p{6, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  CHECK(BackoffDelay(p, 2, 0.0).count() == 50);
  CHECK(BackoffDelay(p, 2, 1.0).count() == 100);
  CHECK(BackoffDelay(p, 3, 0.0).count() == 100);
  CHECK(BackoffDelay(p, 4, 0.5).count() == 300);
  CHECK(BackoffDelay(p, 9, 1.0).count() == 1000);
}

TEST_CASE("s3 xml reader drops namespaces and reports malformed documents with a position") {
  auto doc = ParseXml(
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Contents><Key>a &amp; b</Key><Size>3</Size></Contents><IsTruncated>false</IsTruncated>"
      "</ListBucketResult>");
  REQUIRE(doc.ok());
  CHECK((*doc)->name == "ListBucketResult");
  CHECK((*doc)->Child("Contents")->ChildText("Key") == "a & b");
  CHECK((*doc)->ChildrenNamed("Contents").size() == 1);
  auto bad = ParseXml("<a><b></a>");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "invalid XML at 1:9: mismatched tag");
  CHECK(XmlEscape("<k&'\">") == "&lt;k&amp;&apos;&quot;&gt;");
}

}  // namespace
}  // namespace flyte::storage
