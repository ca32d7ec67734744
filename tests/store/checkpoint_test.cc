// The store's write-ahead log is copied back into the database file by a thread of its own
// (store/sqlite.h, Checkpointer), not by the writer, which is the loop thread: the rows still
// reach the database file while the writer goes on, and the log does not grow without bound.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <string>

#include "store/sqlite.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::TempDir;
using testing::WaitUntil;

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// One transaction of one row about a page long, as the recorder commits once per loop turn.
void CommitRow(sql::Db& db, int i) {
  REQUIRE(db.Exec("BEGIN IMMEDIATE").ok());
  Result<sql::Stmt*> s = db.Prepare("INSERT INTO t(i, body) VALUES (?, ?)");
  REQUIRE(s.ok());
  REQUIRE((*s)->Bind(1, int64_t{i}).Bind(2, std::string(3000, 'x')).Run().ok());
  REQUIRE(db.Exec("COMMIT").ok());
}

TEST_CASE("the WAL reaches the database file while the writer goes on, and starts over") {
  TempDir tmp;
  const std::string path = tmp / "flyte.db";
  Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(path);
  REQUIRE(opened.ok());
  sql::Db& db = **opened;
  REQUIRE(db.Exec("CREATE TABLE t (i INTEGER PRIMARY KEY, body TEXT NOT NULL)").ok());
  const int64_t page = 4096;
  // Past the checkpoint threshold: the writer only signals, it does not copy.
  int i = 0;
  while (FileSize(path + "-wal") < (sql::Checkpointer::kCheckpointPages + 10) * page)
    CommitRow(db, i++);
  const int rows_before = i;
  // Once the checkpoint thread has copied the log into the database file, the next commit
  // starts the log over instead of appending to it.
  int64_t wal = FileSize(path + "-wal");
  REQUIRE(WaitUntil([&] {
    CommitRow(db, i++);
    const int64_t now = FileSize(path + "-wal");
    const bool reused = now == wal;
    wal = now;
    return reused;
  }));
  CHECK(FileSize(path) >= int64_t{rows_before} * 3000);
  Result<sql::Stmt*> count = db.Prepare("SELECT COUNT(*) FROM t");
  REQUIRE(count.ok());
  REQUIRE(*(*count)->Step());
  CHECK((*count)->Int(0) == i);
}

int64_t CountRows(const std::string& path) {
  Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(path);
  REQUIRE(opened.ok());
  Result<sql::Stmt*> count = (*opened)->Prepare("SELECT COUNT(*) FROM t");
  REQUIRE(count.ok());
  REQUIRE(*(*count)->Step());
  return (*count)->Int(0);
}

// A short log outlives the close (the next open reads it back: no checkpoint's fsyncs at the
// end of every command); a long one is copied into the database file and deleted, so no open
// has a long log to read back (docs/architecture.md, "The database files").
TEST_CASE("a short WAL is kept at close with its rows, a long one goes into the database file") {
  TempDir tmp;
  const std::string path = tmp / "flyte.db";
  {
    Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(path);
    REQUIRE(opened.ok());
    REQUIRE((*opened)->Exec("CREATE TABLE t (i INTEGER PRIMARY KEY, body TEXT NOT NULL)").ok());
    for (int i = 0; i < 5; ++i) CommitRow(**opened, i);
  }
  CHECK(FileSize(path + "-wal") > 0);
  const int64_t db_size = FileSize(path);
  CHECK(db_size < 5 * 3000);  // the rows are in the log only
  CHECK(CountRows(path) == 5);
  int i = 5;
  {
    Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(path);
    REQUIRE(opened.ok());
    while (FileSize(path + "-wal") < (sql::Db::kCloseCheckpointPages + 1) * 4096)
      CommitRow(**opened, i++);
  }
  CHECK(FileSize(path + "-wal") == -1);
  CHECK(FileSize(path) >= int64_t{i} * 3000);  // every row is in the database file now
  CHECK(CountRows(path) == i);
}

}  // namespace
}  // namespace flyte
