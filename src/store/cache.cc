// The task cache: entries by key (a task's definition and inputs), each naming its outputs.
#include "flyte/store.h"
#include "store/sqlite.h"
#include "types/literal.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte {
namespace {

std::string ListJson(const std::vector<Value>& values) {
  return Value::FromList(values).ToCanonicalJson();
}

}  // namespace

Result<std::optional<CacheEntry>> Store::Lookup(const std::string& key,
                                                const std::vector<Type>& types, int64_t now) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "SELECT task, outputs, created_at, expires_at, producer FROM cache WHERE key = ? AND "
          "(expires_at IS NULL OR expires_at > ?)"));
  s->Bind(1, key).Bind(2, now);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) {
    s->Reset();
    return std::optional<CacheEntry>();
  }
  CacheEntry e;
  e.key = key;
  e.task = s->Text(0);
  std::string outputs = Load(s->Text(1));
  e.created_at = s->Int(2);
  if (!s->IsNull(3)) e.expires_at = s->Int(3);
  e.producer = s->Text(4);
  s->Reset();
  yaml::ParseResult parsed = yaml::ParseText(outputs, "cache");
  if (!parsed.doc || parsed.doc->root() == nullptr || !parsed.doc->root()->is_seq() ||
      parsed.doc->root()->items.size() != types.size()) {
    return std::optional<CacheEntry>();  // unreadable or from another interface: a miss
  }
  for (size_t i = 0; i < types.size(); ++i) {
    LiteralResult lit = ValueFromNode(*parsed.doc->root()->items[i], types[i]);
    if (!lit.ok()) return std::optional<CacheEntry>();
    e.outputs.push_back(std::move(lit.value));
  }
  return std::optional<CacheEntry>(std::move(e));
}

Status Store::Put(const CacheEntry& entry) {
  std::vector<std::string> parts = {entry.producer};
  std::string project, domain;
  auto slash = Split(entry.producer, '/');
  if (slash.size() >= 2) project = std::string(slash[0]), domain = std::string(slash[1]);
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("INSERT OR REPLACE INTO cache(key, task, project, "
                                               "domain, outputs, created_at, expires_at, producer) "
                                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  ASSIGN_OR_RETURN(std::string outputs, Keep(ListJson(entry.outputs)));
  return s->Bind(1, entry.key)
      .Bind(2, entry.task)
      .Bind(3, project)
      .Bind(4, domain)
      .Bind(5, outputs)
      .Bind(6, entry.created_at)
      .Bind(7, entry.expires_at)
      .Bind(8, entry.producer)
      .Run();
}

Result<std::vector<CacheRecord>> Store::ListCache(const std::string& task) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "SELECT key, task, project, domain, producer, created_at, expires_at, outputs FROM cache "
          "WHERE (?1 = '' OR task = ?1) ORDER BY task, created_at"));
  s->Bind(1, task);
  std::vector<CacheRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    CacheRecord r{s->Text(0), s->Text(1), s->Text(2),   s->Text(3),
                  s->Text(4), s->Int(5),  std::nullopt, Load(s->Text(7))};
    if (!s->IsNull(6)) r.expires_at = s->Int(6);
    out.push_back(std::move(r));
  }
  s->Reset();
  return out;
}

Result<int64_t> Store::ClearCache(const std::string& task) {
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("DELETE FROM cache WHERE (?1 = '' OR task = ?1)"));
  RETURN_IF_ERROR(s->Bind(1, task).Run());
  return db_->changes();
}
}  // namespace flyte
