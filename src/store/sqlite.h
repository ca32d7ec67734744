// A thin, exception-free wrapper over the SQLite C API: a connection and prepared statements.
// Every failure becomes a Status naming the statement. Not thread-safe: one Db per thread
// (each Db checkpoints its writes on a thread of its own, with its own connection).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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
  friend class Db;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Copies the WAL back into the database file, with its two fsyncs, on a thread of its own:
// SQLite would otherwise do it inside the commit that crosses kCheckpointPages, on the
// writer's thread, which for the store is the loop thread (every ~45 tasks of a `flyte run`,
// for milliseconds on a busy disk). Same threshold and durability as SQLite's own.
class Checkpointer {
 public:
  static constexpr int kCheckpointPages = 1000;  // SQLite's default wal_autocheckpoint
  explicit Checkpointer(std::string path);
  ~Checkpointer();  // waits for a checkpoint under way
  void Wake();
  // Its connection could not be opened: the writer checkpoints itself, as SQLite would.
  bool failed() const { return failed_.load(); }

 private:
  void Loop();
  std::atomic<bool> failed_{false};
  std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false, stop_ = false;
  std::thread thread_;
};

class Db {
 public:
  // Below this many WAL pages the close leaves the log in place (synced) for the next open
  // instead of checkpointing it (docs/architecture.md, "The database files").
  static constexpr int kCloseCheckpointPages = 128;

  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();  // see kCloseCheckpointPages

  Status Exec(const std::string& sql);
  // Exec for one statement run again and again (BEGIN, COMMIT): prepared once, not parsed per
  // transaction. Fails as Exec does.
  Status ExecCached(const std::string& sql);
  // Prepared once per SQL text and reused; the statement is reset before it is returned.
  Result<Stmt*> Prepare(const std::string& sql);
  // Prepared for one use, not cached: for SQL built per request (list filters), whose texts
  // have no bound and would otherwise grow the cache for the life of a server.
  Result<std::unique_ptr<Stmt>> PrepareOnce(const std::string& sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  static int OnCommit(void* self, sqlite3* db, const char* name, int wal_pages);
  sqlite3* db_;
  int wal_pages_ = -1;  // at this connection's last commit; -1: it wrote nothing
  std::unique_ptr<Checkpointer> checkpointer_;  // started at the first full WAL
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

}  // namespace flyte::sql
