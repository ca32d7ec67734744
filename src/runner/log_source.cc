#include "runner/log_source.h"

#include <algorithm>
#include <optional>

namespace flyte {
namespace {

// Writes `ref` from `*offset` up to `end` (nullopt: to its end now), advancing `*offset`.
// False when the sink refused bytes.
Result<bool> Pump(LogSource& logs, const std::string& ref, uint64_t* offset,
                  std::optional<uint64_t> end, const LogSink& sink) {
  if (ref.empty()) return true;
  while (!end || *offset < *end) {
    const size_t want =
        end ? static_cast<size_t>(std::min<uint64_t>(*end - *offset, kLogChunkBytes))
            : kLogChunkBytes;
    ASSIGN_OR_RETURN(std::string bytes, logs.Read(ref, *offset, want));
    if (bytes.empty()) break;  // its end (or it shrank: a capped log)
    *offset += bytes.size();
    if (!sink(bytes)) return false;
  }
  return true;
}

}  // namespace

Result<uint64_t> LogsSize(LogSource& logs, const AttemptLogs& attempt) {
  uint64_t total = 0;
  for (const std::string* ref : {&attempt.out, &attempt.err}) {
    if (ref->empty()) continue;
    ASSIGN_OR_RETURN(uint64_t size, logs.Size(*ref));
    total += size;
  }
  return total;
}

Status CopyLogs(LogSource& logs, const AttemptLogs& attempt, const LogSink& sink) {
  for (const std::string* ref : {&attempt.out, &attempt.err}) {
    if (ref->empty()) continue;
    ASSIGN_OR_RETURN(uint64_t size, logs.Size(*ref));
    uint64_t offset = 0;
    ASSIGN_OR_RETURN(bool more, Pump(logs, *ref, &offset, size, sink));
    if (!more) break;
  }
  return Status::Ok();
}

Result<bool> LogCursor::Drain(const AttemptLogs& attempt, const LogSink& sink) {
  ASSIGN_OR_RETURN(bool more, Pump(logs_, attempt.out, &out_, std::nullopt, sink));
  if (!more) return false;
  return Pump(logs_, attempt.err, &err_, std::nullopt, sink);
}

}  // namespace flyte
