// The schema of flyte.db: each migration moves it one version forward, in order, each in a
// transaction of its own; the database records its version in schema_version.
#include "flyte/store.h"
#include "store/sqlite.h"

namespace flyte {
namespace {

const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE projects (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL);
CREATE TABLE sources (
  digest TEXT PRIMARY KEY, path TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE entities (
  kind TEXT NOT NULL, project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
  version TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL REFERENCES sources(digest),
  state TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,
  PRIMARY KEY (kind, project, domain, name, version));
CREATE TABLE executions (
  project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
  workflow TEXT NOT NULL, launch_plan TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '', phase TEXT NOT NULL, mode TEXT NOT NULL DEFAULT 'MANUAL',
  created_at INTEGER NOT NULL, started_at INTEGER NOT NULL DEFAULT 0,
  ended_at INTEGER NOT NULL DEFAULT 0, inputs TEXT NOT NULL DEFAULT '{}',
  outputs TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '', error_node TEXT NOT NULL DEFAULT '',
  run_dir TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (project, domain, name));
CREATE INDEX executions_by_time ON executions(created_at);
CREATE INDEX executions_by_workflow ON executions(project, domain, workflow, created_at);
CREATE TABLE node_executions (
  project TEXT NOT NULL, domain TEXT NOT NULL, execution TEXT NOT NULL, node_id TEXT NOT NULL,
  parent_id TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL, cache_status TEXT NOT NULL DEFAULT 'CACHE_DISABLED',
  attempts INTEGER NOT NULL DEFAULT 0, queued_at INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL DEFAULT 0, ended_at INTEGER NOT NULL DEFAULT 0,
  error_code TEXT NOT NULL DEFAULT '', error_message TEXT NOT NULL DEFAULT '',
  tail TEXT NOT NULL DEFAULT '', outputs TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL,
  PRIMARY KEY (project, domain, execution, node_id));
CREATE TABLE task_executions (
  project TEXT NOT NULL, domain TEXT NOT NULL, execution TEXT NOT NULL, node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL, phase TEXT NOT NULL, started_at INTEGER NOT NULL DEFAULT 0,
  ended_at INTEGER NOT NULL DEFAULT 0, exit_code INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '', stdout_path TEXT NOT NULL DEFAULT '',
  stderr_path TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (project, domain, execution, node_id, attempt));
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, domain TEXT NOT NULL,
  execution TEXT NOT NULL, node_id TEXT NOT NULL, attempt INTEGER NOT NULL,
  phase TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX events_by_execution ON events(project, domain, execution, seq);
CREATE TABLE cache (
  key TEXT PRIMARY KEY, task TEXT NOT NULL, project TEXT NOT NULL, domain TEXT NOT NULL,
  outputs TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,
  producer TEXT NOT NULL DEFAULT '');
CREATE INDEX cache_by_task ON cache(task);
)sql",
    // 2: launch-plan nodes and the child executions they start point at each other.
    R"sql(
ALTER TABLE executions ADD COLUMN parent TEXT NOT NULL DEFAULT '';
ALTER TABLE node_executions ADD COLUMN child_execution TEXT NOT NULL DEFAULT '';
)sql",
    // 3: the schedules of active launch plans, so a restarted server resumes them.
    R"sql(
CREATE TABLE schedules (
  project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  activated_at INTEGER NOT NULL, last_fire INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project, domain, name));
)sql",
    // 4: API tokens of `flyte serve --auth token`, stored as SHA-256 hashes.
    R"sql(
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
)sql",
    // 5: which process runs an execution ("serve:PID:START" or "run:PID:START"), so a
    // restarted server knows which unfinished ones are orphans it must resume.
    R"sql(
ALTER TABLE executions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql",
    // 6: labels of executions, as a JSON object.
    R"sql(
ALTER TABLE executions ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
)sql",
    // 7: what an execution was asked for beyond its inputs (admin/stored_request.h) and the
    // signals it received, so a restarted server continues it with both.
    R"sql(
ALTER TABLE executions ADD COLUMN options TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN signals TEXT NOT NULL DEFAULT '{}';
)sql",
    // 8: what runs an attempt when not a local process ("pod NAMESPACE/NAME").
    R"sql(
ALTER TABLE task_executions ADD COLUMN runner TEXT NOT NULL DEFAULT '';
)sql",
    // 9: a node's inputs, as its target received them (the API and console show them).
    R"sql(
ALTER TABLE node_executions ADD COLUMN inputs TEXT NOT NULL DEFAULT '';
)sql",
    // 10: the executions that have not ended, which every start of flyte run and serve reads
    // (Store::ListUnfinished): without it that read was a scan of the whole history. The list
    // is the condition as the query spells it (NotTerminalSql in executions.cc); a test fails
    // if the two part. Comparisons, not NOT IN: see NotTerminalSql.
    R"sql(
CREATE INDEX executions_unfinished ON executions(created_at)
  WHERE phase <> 'SUCCEEDED' AND phase <> 'FAILED' AND phase <> 'ABORTED' AND phase <> 'TIMED_OUT';
)sql",
};

}  // namespace

Status Store::Migrate() {
  RETURN_IF_ERROR(
      db_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  ASSIGN_OR_RETURN(sql::Stmt * q, db_->Prepare("SELECT MAX(version) FROM schema_version"));
  ASSIGN_OR_RETURN(bool row, q->Step());
  schema_version_ = row && !q->IsNull(0) ? static_cast<int>(q->Int(0)) : 0;
  q->Reset();
  const int latest = static_cast<int>(std::size(kMigrations));
  if (schema_version_ > latest) {
    return FailedPrecondition("the database has schema version " + std::to_string(schema_version_) +
                              ", newer than this flyte understands (" + std::to_string(latest) +
                              "); upgrade flyte");
  }
  for (int v = schema_version_; v < latest; ++v) {
    RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    Status st = db_->Exec(kMigrations[v]);
    if (st.ok())
      st = db_->Exec("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")");
    if (!st.ok()) {
      (void)db_->Exec("ROLLBACK");
      return st.WithContext("migrating the database to version " + std::to_string(v + 1));
    }
    RETURN_IF_ERROR(db_->Exec("COMMIT"));
    schema_version_ = v + 1;
  }
  return Status::Ok();
}

}  // namespace flyte
