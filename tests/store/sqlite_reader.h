// Reads a flyte database the way another process would: a separate, read-only SQLite
// connection, so tests see only what was committed.
#pragma once

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace flyte::testing {

using Rows = std::vector<std::vector<std::string>>;

// Every row of `sql` as text (NULL as "NULL").
inline Rows Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(db));
  REQUIRE(rc == SQLITE_OK);
  Rows rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* t = sqlite3_column_text(stmt, i);
      row.push_back(t == nullptr ? "NULL" : reinterpret_cast<const char*>(t));
    }
    rows.push_back(std::move(row));
  }
  std::string error = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  INFO(sql << ": " << error);
  REQUIRE(rc == SQLITE_DONE);
  return rows;
}

// Runs statements that return no rows, read-write (for tests that tamper with the file).
inline void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string error = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  INFO(sql << ": " << error);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace flyte::testing
