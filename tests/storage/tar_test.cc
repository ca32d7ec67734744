// Folders as tar streams: what the writer makes, the reader (and GNU tar) read back byte for
// byte, whatever the chunking; what is not a file or folder, or climbs out, is refused.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "storage/tar.h"
#include "support/process_helpers.h"

namespace flyte::storage {
namespace {

using testing::ReadFile;
using testing::TempDir;

// The whole archive of `dir` under `top`, as TarStreamer writes it.
std::string Archive(const std::string& dir, const std::string& top) {
  Result<std::vector<TarEntry>> entries = ListFolderForTar(dir, top);
  REQUIRE(entries.ok());
  const std::vector<TarEntry> list = *entries;
  TarStreamer tar(
      list, [&](size_t i) { return FileHandle::OpenRead(dir + list[i].path.substr(top.size())); },
      0);
  std::string out;
  for (;;) {
    Result<bool> more = tar.Next(out, 1000);
    REQUIRE(more.ok());
    if (!*more) break;
  }
  CHECK(out.size() == TarSize(list));
  return out;
}

Status Extract(const std::string& archive, const std::string& dest, size_t chunk) {
  TarExtractor x(dest);
  for (size_t at = 0; at < archive.size(); at += chunk) {
    RETURN_IF_ERROR(x.Feed(archive.data() + at, std::min(chunk, archive.size() - at)));
  }
  return x.Finish();
}

TEST_CASE("tar: a folder goes through the writer and the reader unchanged, in chunks of any size") {
  TempDir dir;
  const std::string long_name(150, 'n');
  dir.Write("src/a.txt", "alpha");
  dir.Write("src/empty", "");
  dir.Write("src/deep/er/" + long_name, std::string(1500, 'x'));
  std::filesystem::create_directories(dir / "src/hollow");
  const std::string archive = Archive(dir / "src", "top");
  for (size_t chunk : {1, 511, 512, 513, 100000}) {
    INFO(chunk);
    const std::string dest = dir / ("out" + std::to_string(chunk));
    REQUIRE(Extract(archive, dest, chunk).ok());
    CHECK(ReadFile(dest + "/top/a.txt") == "alpha");
    CHECK(ReadFile(dest + "/top/empty").empty());
    CHECK(ReadFile(dest + "/top/deep/er/" + long_name) == std::string(1500, 'x'));
    CHECK(std::filesystem::is_directory(dest + "/top/hollow"));
  }
  // GNU tar reads it too (the long name from its pax record).
  std::ofstream(dir / "a.tar", std::ios::binary) << archive;
  std::filesystem::create_directories(dir / "gnu");
  REQUIRE(std::system(("tar -xf " + (dir / "a.tar") + " -C " + (dir / "gnu")).c_str()) == 0);
  CHECK(ReadFile(dir / ("gnu/top/deep/er/" + long_name)) == std::string(1500, 'x'));
}

TEST_CASE(
    "tar: links, paths that climb out and truncated streams are refused with the entry named") {
  TempDir dir;
  // A hand-made archive with "../evil".
  std::string evil = TarHeader({"../evil", 4, false}, 0) + "evil" +
                     std::string(TarPadding(4), '\0') + std::string(kTarEndBytes, '\0');
  Status st = Extract(evil, dir / "x", 512);
  CHECK(st.message() ==
        "tar: the path '../evil' is not allowed: a key has no empty, '.' or '..' part");
  CHECK_FALSE(std::filesystem::exists(dir / "evil"));
  CHECK_FALSE(std::filesystem::exists(dir / "x"));
  // A symbolic link entry (type '2'), made by GNU tar.
  std::filesystem::create_directories(dir / "l");
  std::filesystem::create_symlink("/etc/passwd", dir / "l/link");
  REQUIRE(std::system(("tar -cf " + (dir / "l.tar") + " -C " + (dir / "l") + " link").c_str()) ==
          0);
  st = Extract(ReadFile(dir / "l.tar"), dir / "y", 4096);
  CHECK(st.message() ==
        "tar: 'link' is not a regular file or folder (type '2'); only those are accepted");
  // Cut short.
  dir.Write("s/f", std::string(2000, 'y'));
  const std::string whole = Archive(dir / "s", "s");
  CHECK(Extract(whole.substr(0, 1200), dir / "z", 512).message() ==
        "tar: the stream ends inside an entry");
  CHECK(Extract("not a tar stream at all" + std::string(600, ' '), dir / "w", 512).code() ==
        StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace flyte::storage
