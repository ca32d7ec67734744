// What this flyte binary is: its version, commit and build date, and the optional parts it
// was built with. Written by the build (tools/version.cmake into generated/version.cc), so
// that a new commit recompiles one small file rather than everything. Immutable; thread-safe.
#pragma once

namespace flyte {

struct BuildInfo {
  const char* version;  // `git describe` (e.g. 0.1.0-12-gabc1234-dirty), else the project version
  const char* commit;   // full commit id, or "unknown" outside a git checkout
  const char* build_date;  // YYYY-MM-DD (UTC, or SOURCE_DATE_EPOCH's day)
  bool static_supervisor;  // carries the small static task supervisor (flyte serve)
  bool tls;                // https:// endpoints and webhooks (OpenSSL)
};

const BuildInfo& GetBuildInfo();

// Whether this process runs without a dynamic loader (flyte-static, FLYTE_STATIC).
bool LinkedStatically();

}  // namespace flyte
