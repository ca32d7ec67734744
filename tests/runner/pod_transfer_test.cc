// The pieces of file transfers that need no server: the transfer list flyte hands a Pod, the
// tar a Pod makes of a folder output and flyte expands, and the digest a value URI carries.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/pod_transfer.h"
#include "support/process_helpers.h"
#include "util/file_digest.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("pod transfer: the list round-trips, paths with spaces included, and refuses escapes",
          "[runner]") {
  std::vector<Transfer> in = {
      {Transfer::Kind::kGet, "http://h/b/k?X-Amz-Signature=1", "data/a b.txt"},
      {Transfer::Kind::kPut, "http://h/b/o?x=1", "report"},
      {Transfer::Kind::kTar, "http://h/b/d.tar?x=1", "data"},
      {Transfer::Kind::kIn, "http://h/b/big?x=2", "inputs.json"},
      {Transfer::Kind::kPack, "http://h/b/.pack.tar?x=3", ".pack"}};
  std::vector<Transfer> out;
  std::string error;
  REQUIRE(ParseTransfers(FormatTransfers(in), &out, &error));
  REQUIRE(out.size() == 5);
  CHECK(out[3].kind == Transfer::Kind::kIn);
  CHECK(out[3].path == "inputs.json");
  CHECK(out[4].kind == Transfer::Kind::kPack);
  CHECK(out[4].url == "http://h/b/.pack.tar?x=3");
  CHECK(out[0].kind == Transfer::Kind::kGet);
  CHECK(out[0].path == "data/a b.txt");
  CHECK(out[2].kind == Transfer::Kind::kTar);
  CHECK(out[1].url == "http://h/b/o?x=1");
  out.clear();
  CHECK_FALSE(ParseTransfers("get http://h/x ../etc/passwd\n", &out, &error));
  CHECK(error == "not a relative path: ../etc/passwd");
  CHECK_FALSE(ParseTransfers("rm http://h/x y\n", &out, &error));
  CHECK_FALSE(ParseTransfers("in http://h/x ../y\n", &out, &error));
  CHECK_FALSE(ParseTransfers("pack\n", &out, &error));
  CHECK(error == "not a transfer: pack");
}

TEST_CASE(
    "pod transfer: the outputs archive holds the output folder, less what went alone, "
    "and the raw folder",
    "[runner]") {
  TempDir t;
  t.Write("out/outputs.json", "{}");
  t.Write("out/pieces/p0.txt", "p0");
  t.Write("out/report", "sent alone");
  t.Write("raw/named.txt", "named");
  std::string error;
  REQUIRE(WritePack(t / "out", t / "raw", {"report"}, t / "pack.tar", &error));
  REQUIRE(ReadTar(t / "pack.tar", t / "back", &error));
  CHECK(Read(t / "back/outputs/outputs.json") == "{}");
  CHECK(Read(t / "back/outputs/pieces/p0.txt") == "p0");
  CHECK_FALSE(fs::exists(t / "back/outputs/report"));
  CHECK(Read(t / "back/raw/named.txt") == "named");
  // No raw folder: an empty raw/.
  REQUIRE(WritePack(t / "out", t / "none", {}, t / "pack2.tar", &error));
  REQUIRE(ReadTar(t / "pack2.tar", t / "back2", &error));
  CHECK(Read(t / "back2/outputs/report") == "sent alone");
  CHECK(fs::is_directory(t / "back2/raw"));
  CHECK(fs::is_empty(t / "back2/raw"));
}

TEST_CASE(
    "pod transfer: a folder goes through a tar byte for byte, long paths and empty folders too",
    "[runner]") {
  TempDir t;
  t.Write("src/a.txt", "alpha\n");
  t.Write("src/sub/b.bin", std::string(1000, '\0') + "x");
  const std::string deep = std::string(90, 'd') + "/" + std::string(90, 'e') + "/f.txt";
  t.Write("src/" + deep, "deep");
  fs::create_directories(t / "src/empty");
  std::string error;
  REQUIRE(WriteTar(t / "src", t / "out.tar", &error));
  REQUIRE(ReadTar(t / "out.tar", t / "back", &error));
  CHECK(Read(t / "back/a.txt") == "alpha\n");
  CHECK(Read(t / "back/sub/b.bin") == std::string(1000, '\0') + "x");
  CHECK(Read(t / ("back/" + deep)) == "deep");
  CHECK(fs::is_directory(t / "back/empty"));
  CHECK(*DirDigest(t / "src") == *DirDigest(t / "back"));
}

TEST_CASE("pod transfer: a tar entry outside the folder is refused", "[runner]") {
  TempDir t;
  t.Write("src/x", "x");
  std::string error;
  REQUIRE(WriteTar(t / "src", t / "a.tar", &error));
  // Rename the entry "x" to "/x" (its header checksum no longer matters to the reader).
  std::string tar = Read(t / "a.tar");
  tar[0] = '/';
  tar[1] = 'x';
  std::ofstream(t / "bad.tar", std::ios::binary) << tar;
  CHECK_FALSE(ReadTar(t / "bad.tar", t / "back", &error));
  CHECK(error == t / "bad.tar" + ": an entry outside the folder: /x");
}

TEST_CASE("value URIs in flyte's layout carry their digest; other URIs none", "[runner]") {
  const std::string hex(64, 'a');
  CHECK(DigestFromS3Uri("s3://b/p/data/aa/" + hex + "/report") == hex);
  CHECK(DigestFromS3Uri("s3://b/data/aa/" + hex + "/data/") == hex);
  CHECK_FALSE(DigestFromS3Uri("s3://b/p/data/ab/" + hex + "/report"));  // the fan-out differs
  CHECK_FALSE(DigestFromS3Uri("s3://b/p/xdata/aa/" + hex + "/report"));
  CHECK_FALSE(DigestFromS3Uri("s3://b/in/notes.txt"));
  CHECK_FALSE(DigestFromS3Uri("/home/x/blobs/aa/" + hex + "/report"));
}

}  // namespace
}  // namespace flyte
