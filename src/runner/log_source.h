// Where task logs are read: the seam between the readers of a task's output (the admin's
// ReadLogs, the API's log routes, `flyte logs`) and where its runner left it (local files
// today; a Pod's log or an object store can be plugged in). A log is named by the reference its
// runner gave (AttemptRecord::stdout_path / stderr_path: a path, for local files) and read by
// byte range, so no reader needs to hold a whole log; a follow reads the ranges a log gains
// until its attempt ends.
// Implementations are thread-safe and may block: call them off the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte {

class LogSource {
 public:
  virtual ~LogSource() = default;
  // Up to `max` bytes of log `ref` from byte `offset`: fewer at its end, none past it, and none
  // while it does not exist (a task that has not written yet).
  virtual Result<std::string> Read(const std::string& ref, uint64_t offset, size_t max) = 0;
  // Its size now (0 while it does not exist).
  virtual Result<uint64_t> Size(const std::string& ref) = 0;
};

// An attempt's logs, as its runner named them.
struct AttemptLogs {
  std::string out, err;  // stdout, stderr
};

// Receives log bytes; false stops the read (the client went away).
using LogSink = std::function<bool(std::string_view)>;

// The bytes read at once: big enough for few calls, small enough that no reader holds much.
inline constexpr size_t kLogChunkBytes = 256 << 10;

// Writes stdout then stderr of an attempt to `sink` by ranges, up to the sizes they had when it
// began. Ok also when the sink stopped it.
Status CopyLogs(LogSource& logs, const AttemptLogs& attempt, const LogSink& sink);
// The bytes CopyLogs would write (the sizes of both logs now).
Result<uint64_t> LogsSize(LogSource& logs, const AttemptLogs& attempt);

// Follows an attempt's logs: each Drain writes what both gained since the one before, stdout's
// first, by ranges.
class LogCursor {
 public:
  explicit LogCursor(LogSource& logs) : logs_(logs) {}
  // False when the sink refused bytes (stop following).
  Result<bool> Drain(const AttemptLogs& attempt, const LogSink& sink);

 private:
  LogSource& logs_;
  uint64_t out_ = 0, err_ = 0;
};

}  // namespace flyte
