#include "cli/serve_log.h"

#include <chrono>
#include <cstdio>

#include "util/json_writer.h"
#include "util/timefmt.h"

namespace flyte::cli {

void ServeLog::Write(const char* level, const std::string& msg, const Fields& fields) {
  std::string line;
  if (json_) {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    line = "{\"time\":";
    AppendJsonString(line, FormatDatetime(now));
    line += ",\"level\":";
    AppendJsonString(line, level);
    line += ",\"msg\":";
    AppendJsonString(line, msg);
    for (const auto& [k, v] : fields) {
      line += ",";
      AppendJsonString(line, k);
      line += ":";
      AppendJsonString(line, v);
    }
    line += "}\n";
  } else {
    line = "flyte serve: " + msg;
    for (const auto& [k, v] : fields) line += " " + k + "=" + v;
    line += "\n";
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace flyte::cli
