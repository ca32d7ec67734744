// The local-folder store behaves as the S3 one does through the ObjectStore interface: whole
// files or none, ranges, listing by prefix, idempotent deletes, and keys that cannot escape.
#include <catch2/catch.hpp>

#include <filesystem>

#include "storage/local_store.h"
#include "support/process_helpers.h"

namespace flyte::storage {
namespace {

using testing::ReadFile;
using testing::TempDir;

TEST_CASE("local store puts, heads, lists, reads ranges and deletes") {
  TempDir dir;
  LocalStore store(dir / "blobs");
  ObjectStore& s = store;
  std::string src = dir.Write("src", "0123456789");
  REQUIRE(s.Put("runs/a/report.csv", src).ok());
  REQUIRE(s.Put("runs/b", src).ok());
  REQUIRE(s.Put("other", src).ok());
  CHECK(s.Head("runs/a/report.csv")->size == 10);
  REQUIRE(s.Get("runs/a/report.csv", dir / "out", ByteRange{2, 4}).ok());
  CHECK(ReadFile(dir / "out") == "234");
  REQUIRE(s.Get("runs/b", dir / "out", ByteRange{7, std::nullopt}).ok());
  CHECK(ReadFile(dir / "out") == "789");
  auto listed = s.List("runs/");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].key == "runs/a/report.csv");
  CHECK((*listed)[1].key == "runs/b");
  REQUIRE(s.DeleteMany({"runs/a/report.csv", "runs/b", "never-there"}).ok());
  CHECK(s.List("runs/")->empty());
  CHECK(s.UriOf("other") == dir / "blobs/other");
  CHECK(*s.PresignGet("other", 60) == "file://" + (dir / "blobs/other"));
}

TEST_CASE("local store: a missing key is NotFound and leaves no file behind") {
  TempDir dir;
  LocalStore store(dir / "blobs");
  Status s = store.Get("nope", dir / "out");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == dir / "blobs/nope" + ": no such key");
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
  CHECK(store.Head("nope").status().code() == StatusCode::kNotFound);
}

TEST_CASE("local store refuses keys that would leave its folder") {
  TempDir dir;
  LocalStore store(dir / "blobs");
  std::string src = dir.Write("src", "x");
  Status s = store.Put("../escape", src);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "invalid key '../escape' in " + (dir / "blobs") + ": a key has no empty, '.' or '..' part");
  CHECK(store.Put("/abs", src).message().find("a key does not start with '/'") !=
        std::string::npos);
  CHECK(store.PresignGet("k", 604801).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace flyte::storage
