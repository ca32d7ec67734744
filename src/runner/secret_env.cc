#include "runner/secret_env.h"

#include <sys/prctl.h>

#include <cstdlib>
#include <map>
#include <string_view>
#include <vector>

#include "util/proc.h"

extern char** environ;

namespace flyte {
namespace {

constexpr std::string_view kPrefix = "FLYTE_SECRET_";

std::map<std::string, std::string>& Captured() {
  static std::map<std::string, std::string> values;
  return values;
}

}  // namespace

void CaptureSecretEnvironment() {
  std::vector<char*> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (kv.substr(0, kPrefix.size()) != kPrefix || eq == std::string_view::npos) continue;
    Captured()[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    entries.push_back(*e);
  }
  for (const auto& [name, value] : Captured()) ::unsetenv(name.c_str());
  WipeInitialEnvironment(entries);
}

void ProtectSecretEnvironment() {
  CaptureSecretEnvironment();
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

std::optional<std::string> SecretFromEnvironment(const std::string& var) {
  if (const char* v = std::getenv(var.c_str())) return std::string(v);
  auto it = Captured().find(var);
  if (it != Captured().end()) return it->second;
  return std::nullopt;
}

}  // namespace flyte
