#include "store/sqlite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace flyte::sql {
namespace {

// What a person can do about an error SQLite reports for the database at `path`. A damaged
// file fails every command that opens the home, so the way out has to be in the message.
std::string Hint(int code, const char* path) {
  const std::string p = path != nullptr && *path != '\0' ? path : "the database";
  switch (code & 0xff) {
    case SQLITE_FULL:
      return " (the disk is full)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return " (the database " + p + " is damaged: move it aside, e.g. mv " + p + " " + p +
             ".damaged, with its log if there is one, mv " + p + "-wal " + p +
             ".damaged-wal, and flyte starts an empty one; `sqlite3 " + p +
             ".damaged .recover` may save its rows)";
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN: {
      // In WAL mode SQLite must create PATH-wal and PATH-shm next to the file; on a read-only
      // file system it says only that it cannot open the database.
      struct statvfs fs;
      const std::string dir = p.substr(0, p.rfind('/') == std::string::npos ? 0 : p.rfind('/'));
      if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) {
        return " (" + p + " is on a read-only file system)";
      }
      return (code & 0xff) == SQLITE_READONLY ? " (" + p + " or its folder is read-only)" : "";
    }
    default:
      return "";
  }
}

Status Error(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  std::string msg = what + ": " + sqlite3_errmsg(db) + Hint(code, sqlite3_db_filename(db, "main"));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(msg);
  if (code == SQLITE_CONSTRAINT) return AlreadyExists(msg);
  return IOError(msg);
}

}  // namespace

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, std::string_view s) {
  sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, const std::optional<int64_t>& v) {
  if (v) return Bind(i, *v);
  return BindNull(i);
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, std::string("running ") + sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  Result<bool> r = Step();
  Reset();
  return r.ok() ? Status::Ok() : r.status();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return t == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n));
}
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  // SQLite's own word for this case is only "unable to open database file".
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return IOError("cannot open the database " + path + ": it is a folder, not a database file");
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return IOError("cannot open the database " + path + ": " + msg);
  }
  std::unique_ptr<Db> db(new Db(raw));
  // SQLite reads a WAL database on a read-only disk when its -wal and -shm files are there,
  // which the close leaves (~Db): refused as when they are not, so that a read-only home
  // fails every command alike (docs/cli.md, exit 3).
  if (sqlite3_db_readonly(raw, "main") == 1) {
    const std::string hint = Hint(SQLITE_READONLY, path.c_str());
    if (hint.find("read-only file system") != std::string::npos)
      return IOError("cannot open the database " + path + ": it cannot be written" + hint);
  }
  sqlite3_busy_timeout(raw, 5000);
  // WAL: readers never block the writer; NORMAL: commits survive a crash of this process
  // without an fsync per transaction.
  Status st =
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!st.ok()) return st.WithContext("cannot open the database " + path);
  // Replaces SQLite's automatic checkpoint (itself a WAL hook) with the Checkpointer's.
  sqlite3_wal_hook(raw, &Db::OnCommit, db.get());
  return db;
}

int Db::OnCommit(void* self, sqlite3* db, const char* name, int wal_pages) {
  auto* d = static_cast<Db*>(self);
  d->wal_pages_ = wal_pages;
  if (wal_pages < Checkpointer::kCheckpointPages) return SQLITE_OK;
  if (!d->checkpointer_)
    d->checkpointer_ = std::make_unique<Checkpointer>(sqlite3_db_filename(db, "main"));
  if (d->checkpointer_->failed()) {
    (void)sqlite3_wal_checkpoint(db, name);
  } else {
    d->checkpointer_->Wake();
  }
  return SQLITE_OK;
}

Db::~Db() {
  cache_.clear();
  checkpointer_.reset();  // before the close, whose own last checkpoint would find it busy
  // A short log stays for the next open (SQLite's close would copy it into the database file
  // and delete it: two fsyncs here, and the file created again with two more at the next
  // write). What this connection committed is made durable as the checkpoint would have: the
  // log is synced. A long one is checkpointed, so that no open has a long log to read back.
  if (wal_pages_ < kCloseCheckpointPages) {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // Its folder entry was synced when the log was created (SQLite syncs a new log's header
    // and folder at its first commit), so the file's own data is all that is left.
    if (wal_pages_ >= 0) {
      const int fd =
          ::open(sqlite3_filename_wal(sqlite3_db_filename(db_, "main")), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        (void)::fdatasync(fd);
        ::close(fd);
      }
    }
  }
  sqlite3_close(db_);
}

Checkpointer::Checkpointer(std::string path)
    : path_(std::move(path)), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Checkpointer::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted_ = true;
  }
  cv_.notify_one();
}

void Checkpointer::Loop() {
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(conn);
    conn = nullptr;
    failed_ = true;
  } else {
    // The checkpoint's fsyncs follow this connection's setting: the writer's.
    sqlite3_exec(conn, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) break;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: never waits for the writer or readers; what it cannot copy now goes next time.
    if (conn != nullptr)
      sqlite3_wal_checkpoint_v2(conn, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
  lock.unlock();
  sqlite3_close(conn);
}

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return IOError(msg + Hint(sqlite3_extended_errcode(db_), sqlite3_db_filename(db_, "main")));
}

Status Db::ExecCached(const std::string& sql) {
  auto failed = [this] {
    return IOError(sqlite3_errmsg(db_) +
                   Hint(sqlite3_extended_errcode(db_), sqlite3_db_filename(db_, "main")));
  };
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return failed();
    it = cache_.emplace(sql, std::make_unique<Stmt>(db_, stmt)).first;
  }
  sqlite3_stmt* stmt = it->second->stmt_;
  const int rc = sqlite3_step(stmt);
  Status st = rc == SQLITE_DONE || rc == SQLITE_ROW ? Status::Ok() : failed();
  sqlite3_reset(stmt);
  return st;
}

Result<std::unique_ptr<Stmt>> Db::PrepareOnce(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Error(db_, "preparing " + sql);
  }
  return std::make_unique<Stmt>(db_, stmt);
}

Result<Stmt*> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Error(db_, "preparing " + sql);
  }
  auto owned = std::make_unique<Stmt>(db_, stmt);
  Stmt* raw = owned.get();
  cache_.emplace(sql, std::move(owned));
  return raw;
}

}  // namespace flyte::sql
