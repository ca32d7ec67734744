// A thin, exception-free wrapper over the SQLite C API: a connection and prepared statements.
// Every failure becomes a Status naming the statement. Not thread-safe: one Db per thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "flyte/status.h"

namespace flyte::sql {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds are 1-based; they return *this for chaining. Empty optional binds NULL.
  Stmt& Bind(int i, std::string_view s);
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, const std::optional<int64_t>& v);
  Stmt& BindNull(int i);

  // Steps once: true when a row is available.
  Result<bool> Step();
  // Runs to completion (for statements without rows).
  Status Run();
  void Reset();

  std::string Text(int col) const;
  int64_t Int(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();

  Status Exec(const std::string& sql);
  // Prepared once per SQL text and reused; the statement is reset before it is returned.
  Result<Stmt*> Prepare(const std::string& sql);
  // Prepared for one use, not cached: for SQL built per request (list filters), whose texts
  // have no bound and would otherwise grow the cache for the life of a server.
  Result<std::unique_ptr<Stmt>> PrepareOnce(const std::string& sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

}  // namespace flyte::sql
