// A home whose database cannot be opened (damaged, truncated, a folder, on a read-only or
// full disk): every command that opens it names the database and SQLite's reason and exits 3
// (CLI.md), never an assertion of libuv's (an admin that failed to open used to close loop
// handles it had never initialised).
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli/cli_fixture.h"
#include "store/sqlite.h"
#include "support/tmpfs.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;

const std::string kHello = std::string(FLYTE_SOURCE_DIR) + "/examples/hello.yaml";

// Every command that opens the home's store locally, read-only ones included.
const std::vector<std::vector<std::string>> kCommands = {
    {"run", kHello, "--input", "who=Ada"},
    {"get", "executions"},
    {"logs", "anexecution"},
    {"cache", "list"},
};

void RequireReported(const ProcessResult& r, const std::string& db, const std::string& reason) {
  INFO(Describe(r));
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("Assertion") == std::string::npos);
  CHECK(r.err.find("cannot open the database " + db) != std::string::npos);
  CHECK(r.err.find(reason) != std::string::npos);
}

TEST_CASE("a damaged database is reported with its path and how to move it aside",
          "[process][store]") {
  CliFixture f;
  std::filesystem::create_directories(f.home());
  const std::string db = f.home() + "/flyte.db";
  f.tmp.Write("home/flyte.db", std::string(8192, 'x'));
  for (const auto& args : kCommands) {
    RequireReported(f.Flyte(args), db,
                    "is damaged: move it aside, e.g. mv " + db + " " + db + ".damaged");
  }
}

TEST_CASE("a truncated database is reported as damaged", "[process][store]") {
  CliFixture f;
  ProcessResult first = f.Flyte({"run", kHello, "--input", "who=Ada"});
  REQUIRE(first.exit_code == 0);
  const std::string db = f.home() + "/flyte.db";
  {
    // The rows go into the database file (a short log stays beside it between commands).
    Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(db);
    REQUIRE(opened.ok());
    REQUIRE((*opened)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  std::filesystem::resize_file(db, std::filesystem::file_size(db) / 3);
  ProcessResult r = f.Flyte({"get", "executions"});
  INFO(Describe(r));
  CHECK(r.exit_code == 3);
  CHECK(r.signal == 0);
  CHECK(r.err.find("is damaged: move it aside") != std::string::npos);
}

TEST_CASE("a folder in place of the database is reported, not an assertion", "[process][store]") {
  CliFixture f;
  std::filesystem::create_directories(f.home() + "/flyte.db");
  for (const auto& args : kCommands) {
    RequireReported(f.Flyte(args), f.home() + "/flyte.db", "it is a folder, not a database file");
  }
}

TEST_CASE("flyte serve on a damaged database exits 3 with the reason", "[process][store]") {
  CliFixture f;
  f.tmp.Write("home/flyte.db", std::string(8192, 'x'));
  ProcessResult r = f.Flyte({"serve", "--listen", "127.0.0.1:0"});
  RequireReported(r, f.home() + "/flyte.db", "is damaged");
}

TEST_CASE("a home on a read-only disk is reported with SQLite's reason", "[process][store]") {
  testing::Tmpfs disk(4 << 20);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): not tested here");
    return;
  }
  const std::string home = disk / "home";
  ProcessResult first = testing::Flyte(home, {"run", kHello, "--input", "who=Ada"});
  REQUIRE(first.exit_code == 0);
  disk.ReadOnly();
  for (const auto& args : kCommands) {
    ProcessResult r = testing::Flyte(home, args);
    INFO(Describe(r));
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(home + "/flyte.db") != std::string::npos);
    CHECK(r.err.find("read-only") != std::string::npos);
  }
}

TEST_CASE("a home on a full disk is reported with SQLite's reason", "[process][store]") {
  testing::Tmpfs disk(1 << 20);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): not tested here");
    return;
  }
  const std::string home = disk / "home";
  std::filesystem::create_directories(home);
  disk.Fill();
  ProcessResult r = testing::Flyte(home, {"run", kHello, "--input", "who=Ada"});
  INFO(Describe(r));
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("cannot open the database " + home + "/flyte.db") != std::string::npos);
  CHECK(r.err.find("full") != std::string::npos);
}

}  // namespace
}  // namespace flyte
