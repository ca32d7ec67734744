// s3:// URIs: what parses, and the message for each rule a bucket name can break.
#include <catch2/catch.hpp>

#include "storage/uri.h"

namespace flyte::storage {
namespace {

std::string Error(std::string_view text) {
  auto r = ParseS3Uri(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("s3 uri splits bucket and key, keeping the key's slashes") {
  auto u = ParseS3Uri("s3://my-bucket.data/runs/a//b.txt");
  REQUIRE(u.ok());
  CHECK(u->bucket == "my-bucket.data");
  CHECK(u->key == "runs/a//b.txt");
  CHECK(u->ToString() == "s3://my-bucket.data/runs/a//b.txt");
  auto bare = ParseS3Uri("s3://bucket");
  REQUIRE(bare.ok());
  CHECK(bare->key.empty());
  CHECK(bare->Child("x").ToString() == "s3://bucket/x");
  CHECK(ParseS3Uri("s3://bucket/pre")->Child("x").ToString() == "s3://bucket/pre/x");
}

TEST_CASE("s3 uri errors say which rule is broken") {
  CHECK(Error("gs://b/k") == "invalid S3 URI 'gs://b/k': it does not start with s3://");
  CHECK(Error("s3:///k") == "invalid S3 URI 's3:///k': it names no bucket (s3://BUCKET/KEY)");
  CHECK(Error("s3://ab/k") ==
        "invalid S3 URI 's3://ab/k': bucket 'ab': a bucket name has 3 to 63 characters");
  CHECK(Error("s3://My_Bucket") ==
        "invalid S3 URI 's3://My_Bucket': bucket 'My_Bucket': a bucket "
        "name has only lowercase letters, digits, '.' and '-'");
  CHECK(Error("s3://-abc") ==
        "invalid S3 URI 's3://-abc': bucket '-abc': a bucket name starts and ends with a letter or "
        "digit");
  CHECK(Error("s3://a..b") ==
        "invalid S3 URI 's3://a..b': bucket 'a..b': a bucket name has no two adjacent '.'");
  CHECK(Error("s3://192.168.1.1/x") ==
        "invalid S3 URI 's3://192.168.1.1/x': bucket '192.168.1.1': a bucket name is not an IP "
        "address");
  CHECK(Error("s3://xn--abc") ==
        "invalid S3 URI 's3://xn--abc': bucket 'xn--abc': a bucket name does not start with 'xn--' "
        "or 'sthree-'");
  CHECK(Error("s3://bucket/a\nb") ==
        "invalid S3 URI 's3://bucket/a\\nb': a key has no control characters");
  CHECK(Error("s3://bucket/" + std::string(1025, 'k')).find("a key has at most 1024 bytes") !=
        std::string::npos);
}

TEST_CASE("s3 uri: dotted buckets are not virtual-hostable (TLS wildcards)") {
  CHECK(IsVirtualHostable("my-bucket"));
  CHECK_FALSE(IsVirtualHostable("my.bucket"));
}

}  // namespace
}  // namespace flyte::storage
