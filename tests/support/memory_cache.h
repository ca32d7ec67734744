// A CacheBackend in memory, with switches to make lookups or puts fail.
#pragma once

#include <map>
#include <string>

#include "flyte/engine.h"

namespace flyte::testing {

class MemoryCache : public CacheBackend {
 public:
  Result<std::optional<CacheEntry>> Lookup(const std::string& key, const std::vector<Type>&,
                                           int64_t now) override {
    ++lookups;
    if (fail_lookups) return IOError("lookup failed");
    auto it = entries.find(key);
    if (it == entries.end()) return std::optional<CacheEntry>();
    if (it->second.expires_at && *it->second.expires_at <= now) return std::optional<CacheEntry>();
    return std::optional<CacheEntry>(it->second);
  }
  Status Put(const CacheEntry& e) override {
    ++puts;
    if (fail_puts) return IOError("disk full");
    entries[e.key] = e;
    return Status::Ok();
  }
  std::map<std::string, CacheEntry> entries;
  bool fail_lookups = false;
  bool fail_puts = false;
  int lookups = 0;
  int puts = 0;
};

}  // namespace flyte::testing
