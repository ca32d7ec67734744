// Where values live (storage/data_stores.h): a bad raw_data_prefix is refused with the reason
// before anything runs, and values (blob paths, s3:// URIs) are located without any request.
#include "storage/data_stores.h"

#include <catch2/catch.hpp>

#include "support/process_helpers.h"

namespace flyte::storage {
namespace {

using testing::TempDir;

const std::map<std::string, std::string> kEnv = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                 {"AWS_REGION", "eu-west-1"},
                                                 {"HOME", "/nonexistent"}};

TEST_CASE("data stores: a bad raw_data_prefix says what is wrong with it", "[storage]") {
  TempDir t;
  auto error = [&](const std::string& prefix, const std::map<std::string, std::string>& env) {
    Result<std::unique_ptr<DataStores>> d = DataStores::Open(t / "blobs", prefix, env);
    REQUIRE_FALSE(d.ok());
    return d.status().message();
  };
  CHECK(error("http://b/x", kEnv) ==
        "raw_data_prefix: invalid S3 URI 'http://b/x': it does not start with s3:// (expected "
        "s3://BUCKET or s3://BUCKET/PREFIX)");
  CHECK(error("s3://bkt//x", kEnv) ==
        "raw_data_prefix 's3://bkt//x': the prefix has an empty path segment");
  CHECK_THAT(error("s3://bucket/p", {{"AWS_ACCESS_KEY_ID", "AKID"}, {"HOME", "/nonexistent"}}),
             Catch::StartsWith("raw_data_prefix s3://bucket/p/: "));
}

TEST_CASE("data stores: values are located in the blob folder or their bucket", "[storage]") {
  TempDir t;
  t.Write("blobs/ab/x/report", "r");
  t.Write("blobs/cd/y/data/f", "f");
  Result<std::unique_ptr<DataStores>> d = DataStores::Open(t / "blobs", "s3://bucket/runs", kEnv);
  REQUIRE(d.ok());
  CHECK((*d)->has_prefix());
  CHECK((*d)->OutputKeyPrefix() == "runs/data/");
  CHECK((*d)->output_store().UriOf("runs/data/k") == "s3://bucket/runs/data/k");
  auto file = (*d)->Locate(t / "blobs/ab/x/report");
  REQUIRE(file.ok());
  CHECK(file->second == "ab/x/report");
  auto dir = (*d)->Locate(t / "blobs/cd/y/data");
  REQUIRE(dir.ok());
  CHECK(dir->second == "cd/y/data/");
  auto other = (*d)->Locate("s3://elsewhere/in/notes.txt");
  REQUIRE(other.ok());
  CHECK(other->second == "in/notes.txt");
  CHECK(other->first->UriOf(other->second) == "s3://elsewhere/in/notes.txt");
  CHECK_FALSE((*d)->Locate("/etc/passwd").ok());
  CHECK_FALSE((*d)->Locate("s3://bucket").ok());
}

TEST_CASE("data stores: without a prefix new values go to the blob folder", "[storage]") {
  TempDir t;
  Result<std::unique_ptr<DataStores>> d = DataStores::Open(t / "blobs", "", {});
  REQUIRE(d.ok());
  CHECK_FALSE((*d)->has_prefix());
  CHECK((*d)->OutputKeyPrefix().empty());
  CHECK((*d)->output_store().UriOf("ab/c/d") == t / "blobs/ab/c/d");
}

}  // namespace
}  // namespace flyte::storage
