// The store: opening flyte.db (migrations.cc), transactions, and the rows of registration and
// of the server (sources, entities, launch-plan states, schedules, tokens, projects). Executions
// are in executions.cc, the cache in cache.cc, large value documents in values.cc.
#include "flyte/store.h"

#include "store/sqlite.h"
#include "util/strings.h"

namespace flyte {

Store::Store(std::unique_ptr<sql::Db> db) : db_(std::move(db)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Db> db, sql::Db::Open(path));
  std::unique_ptr<Store> store(new Store(std::move(db)));
  store->path_ = path;
  const size_t slash = path.rfind('/');
  store->value_dir_ =
      (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/blobs/values";
  Status migrated = store->Migrate();
  if (!migrated.ok()) return migrated.WithContext("cannot open the database " + path);
  return store;
}

Status Store::Begin() { return db_->ExecCached("BEGIN IMMEDIATE"); }
Status Store::Commit() { return db_->ExecCached("COMMIT"); }
Status Store::Rollback() { return db_->Exec("ROLLBACK"); }

Status Store::PutSource(const std::string& digest, const std::string& path,
                        const std::string& text) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("INSERT OR IGNORE INTO sources(digest, path, content, created_at) "
                                "VALUES (?, ?, ?, strftime('%s','now'))"));
  return s->Bind(1, digest).Bind(2, path).Bind(3, text).Run();
}

Result<std::optional<Store::SourceRecord>> Store::GetSource(const std::string& digest) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("SELECT path, content FROM sources WHERE digest = ?"));
  s->Bind(1, digest);
  ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<SourceRecord> out;
  if (row) out = SourceRecord{s->Text(0), s->Text(1)};
  s->Reset();
  return out;
}

Status Store::PutEntity(const EntityRecord& e) {
  ASSIGN_OR_RETURN(std::optional<EntityRecord> existing,
                   GetEntity(e.kind, e.project, e.domain, e.name, e.version));
  if (existing) {
    if (existing->digest == e.digest) return Status::Ok();
    return AlreadyExists(
        e.kind + " " + e.name + " version " + e.version + " in " + e.project + "/" + e.domain +
        " already exists with a different definition; register under a new version");
  }
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("INSERT INTO entities(kind, project, domain, name, "
                                               "version, digest, source, state, created_at) "
                                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return s->Bind(1, e.kind)
      .Bind(2, e.project)
      .Bind(3, e.domain)
      .Bind(4, e.name)
      .Bind(5, e.version)
      .Bind(6, e.digest)
      .Bind(7, e.source)
      .Bind(8, e.state)
      .Bind(9, e.created_at)
      .Run();
}

Result<std::optional<EntityRecord>> Store::GetEntity(const std::string& kind,
                                                     const std::string& project,
                                                     const std::string& domain,
                                                     const std::string& name,
                                                     const std::string& version) {
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("SELECT digest, source, state, created_at FROM "
                                               "entities WHERE kind = ? AND project = ? AND "
                                               "domain = ? AND name = ? AND version = ?"));
  s->Bind(1, kind).Bind(2, project).Bind(3, domain).Bind(4, name).Bind(5, version);
  ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<EntityRecord> out;
  if (row) {
    out = EntityRecord{kind,       project,    domain,     name,     version,
                       s->Text(0), s->Text(1), s->Text(2), s->Int(3)};
  }
  s->Reset();
  return out;
}

Result<std::vector<EntityRecord>> Store::FindEntities(const std::string& kind,
                                                      const std::string& project,
                                                      const std::string& domain,
                                                      const std::string& name,
                                                      const std::string& version) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "SELECT kind, name, version, digest, source, state, created_at FROM entities WHERE "
          "(?1 = '' OR kind = ?1) AND project = ?2 AND domain = ?3 AND (?4 = '' OR name = ?4) AND "
          "(?5 = '' OR version = ?5) ORDER BY created_at DESC, rowid DESC"));
  s->Bind(1, kind).Bind(2, project).Bind(3, domain).Bind(4, name).Bind(5, version);
  std::vector<EntityRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), project, domain, s->Text(1), s->Text(2), s->Text(3), s->Text(4),
                   s->Text(5), s->Int(6)});
  }
  s->Reset();
  return out;
}

Status Store::SetLaunchPlanState(const std::string& project, const std::string& domain,
                                 const std::string& name, const std::string& version, bool active) {
  ASSIGN_OR_RETURN(sql::Stmt * off,
                   db_->Prepare("UPDATE entities SET state = 'INACTIVE' WHERE kind = 'launch_plan' "
                                "AND project = ? AND domain = ? AND "
                                "name = ?"));
  RETURN_IF_ERROR(off->Bind(1, project).Bind(2, domain).Bind(3, name).Run());
  if (!active) return Status::Ok();
  ASSIGN_OR_RETURN(sql::Stmt * on, db_->Prepare("UPDATE entities SET state = 'ACTIVE' WHERE kind = "
                                                "'launch_plan' AND project = ? AND domain = ? AND "
                                                "name = ? AND version = ?"));
  return on->Bind(1, project).Bind(2, domain).Bind(3, name).Bind(4, version).Run();
}

Status Store::PutSchedule(const ScheduleRecord& r) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("INSERT INTO schedules(project, domain, name, version, activated_at, last_fire) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                   "ON CONFLICT(project, domain, name) DO UPDATE SET version = excluded.version, "
                   "activated_at = excluded.activated_at, last_fire = excluded.last_fire"));
  return s->Bind(1, r.project)
      .Bind(2, r.domain)
      .Bind(3, r.name)
      .Bind(4, r.version)
      .Bind(5, r.activated_at)
      .Bind(6, r.last_fire)
      .Run();
}

Status Store::RecordFire(const std::string& project, const std::string& domain,
                         const std::string& name, int64_t last_fire) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("UPDATE schedules SET last_fire = max(last_fire, ?4) WHERE project "
                                "= ?1 AND domain = ?2 AND name = ?3"));
  return s->Bind(1, project).Bind(2, domain).Bind(3, name).Bind(4, last_fire).Run();
}

Status Store::DeleteSchedule(const std::string& project, const std::string& domain,
                             const std::string& name) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("DELETE FROM schedules WHERE project = ? AND domain = ? AND name = ?"));
  return s->Bind(1, project).Bind(2, domain).Bind(3, name).Run();
}

Result<std::vector<ScheduleRecord>> Store::ListSchedules() {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("SELECT project, domain, name, version, activated_at, last_fire "
                                "FROM schedules ORDER BY project, domain, name"));
  std::vector<ScheduleRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Int(4), s->Int(5)});
  }
  s->Reset();
  return out;
}

Status Store::PutToken(const std::string& hash, const std::string& description,
                       int64_t created_at) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("INSERT INTO tokens(hash, description, created_at) VALUES (?, ?, ?)"));
  return s->Bind(1, hash).Bind(2, description).Bind(3, created_at).Run();
}

Result<std::vector<std::string>> Store::ListTokenHashes() {
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("SELECT hash FROM tokens"));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(s->Text(0));
  }
  s->Reset();
  return out;
}

Status Store::PutProject(const ProjectRecord& p) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "INSERT INTO projects(id, name, description, created_at) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = "
          "excluded.description"));
  return s->Bind(1, p.id)
      .Bind(2, p.name.empty() ? p.id : p.name)
      .Bind(3, p.description)
      .Bind(4, p.created_at)
      .Run();
}

Result<std::vector<ProjectRecord>> Store::ListProjects() {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("SELECT id, name, description, created_at FROM projects ORDER BY id"));
  std::vector<ProjectRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), s->Text(1), s->Text(2), s->Int(3)});
  }
  s->Reset();
  return out;
}

Result<std::optional<ProjectRecord>> Store::GetProject(const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<ProjectRecord> all, ListProjects());
  for (ProjectRecord& p : all) {
    if (p.id == id) return std::optional<ProjectRecord>(std::move(p));
  }
  return std::optional<ProjectRecord>();
}
}  // namespace flyte
