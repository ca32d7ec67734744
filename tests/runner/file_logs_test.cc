// Task logs in local files, read through the LogSource seam by byte range and by follow.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "runner/file_logs.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

std::string Collect(LogSource& logs, const AttemptLogs& a) {
  std::string out;
  Status st = CopyLogs(logs, a, [&out](std::string_view b) {
    out.append(b);
    return true;
  });
  INFO(st.ToString());
  CHECK(st.ok());
  return out;
}

TEST_CASE("a local log is read by byte range, and a missing one is empty", "[logs]") {
  testing::TempDir tmp;
  const std::string path = tmp.Write("stdout", "0123456789");
  FileLogs logs;
  CHECK(*logs.Read(path, 0, 4) == "0123");
  CHECK(*logs.Read(path, 8, 100) == "89");
  CHECK(logs.Read(path, 10, 4)->empty());
  CHECK(logs.Read(path, 99, 4)->empty());
  CHECK(*logs.Size(path) == 10);
  CHECK(logs.Read(tmp / "none", 0, 4)->empty());
  CHECK(*logs.Size(tmp / "none") == 0);
}

TEST_CASE("a log that is a named pipe is refused, not waited on", "[logs]") {
  testing::TempDir tmp;
  const std::string fifo = tmp / "stdout";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  FileLogs logs;
  Result<std::string> read = logs.Read(fifo, 0, 10);
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == StatusCode::kFailedPrecondition);
  REQUIRE_FALSE(logs.Size(fifo).ok());
  CHECK(logs.Size(fifo).status().message() ==
        "the log " + fifo + " is a named pipe (FIFO), not a file");
}

TEST_CASE("an attempt's log is its stdout then its stderr, copied in ranges", "[logs]") {
  testing::TempDir tmp;
  const std::string big(kLogChunkBytes * 2 + 17, 'o');
  AttemptLogs a{tmp.Write("stdout", big), tmp.Write("stderr", "err\n")};
  FileLogs logs;
  CHECK(Collect(logs, a) == big + "err\n");
  CHECK(*LogsSize(logs, a) == big.size() + 4);
  // A reader that goes away stops the copy after the range it refused.
  size_t calls = 0;
  CHECK(CopyLogs(logs, a, [&calls](std::string_view) { return ++calls < 1; }).ok());
  CHECK(calls == 1);
}

TEST_CASE("a follow writes only what each log gained since its last drain", "[logs]") {
  testing::TempDir tmp;
  AttemptLogs a{tmp / "stdout", tmp / "stderr"};  // not written yet
  FileLogs logs;
  LogCursor cursor(logs);
  std::string seen;
  auto sink = [&seen](std::string_view b) {
    seen.append(b);
    return true;
  };
  CHECK(*cursor.Drain(a, sink));
  CHECK(seen.empty());
  std::ofstream out(a.out, std::ios::binary);
  out << "one\n" << std::flush;
  CHECK(*cursor.Drain(a, sink));
  CHECK(seen == "one\n");
  out << "two\n" << std::flush;
  tmp.Write("stderr", "oops\n");
  CHECK(*cursor.Drain(a, sink));
  CHECK(seen == "one\ntwo\noops\n");
  CHECK(*cursor.Drain(a, sink));
  CHECK(seen == "one\ntwo\noops\n");
  // A reader that went away ends the follow.
  out << "three\n" << std::flush;
  CHECK_FALSE(*cursor.Drain(a, [](std::string_view) { return false; }));
}

}  // namespace
}  // namespace flyte
