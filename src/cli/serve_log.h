// What `flyte serve` tells its operator on stderr: "flyte serve: message" lines, or with
// `--log-format json` one JSON object per line ({"time", "level", "msg", ...fields}) for log
// collectors. Thread-safe: the loop, the HTTP threads and the webhook worker all log.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace flyte::cli {

class ServeLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  explicit ServeLog(bool json) : json_(json) {}
  void Info(const std::string& msg, const Fields& fields = {}) { Write("info", msg, fields); }
  void Warn(const std::string& msg, const Fields& fields = {}) { Write("warn", msg, fields); }
  void Error(const std::string& msg, const Fields& fields = {}) { Write("error", msg, fields); }
  bool json() const { return json_; }

 private:
  void Write(const char* level, const std::string& msg, const Fields& fields);
  bool json_;
  std::mutex mu_;
};

}  // namespace flyte::cli
