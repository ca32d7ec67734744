// Garbage collection of stored values (`flyte gc`, the server's `gc:` setting): the files and
// folders that executions older than a cutoff produced or took as inputs, in the home's blob
// folder and under the raw_data_prefix, once nothing else uses them. A value stays when
//  - a cache entry's outputs name it (a later run would reuse it),
//  - an execution newer than the cutoff, or one not yet ended (of any age), names it in its
//    inputs or outputs or in those of its nodes,
//  - or it was written or reused since the cutoff (its modification time): a value placed
//    again by a task or an upload is fresh, so one about to be named is never taken.
// Values that nothing names at all (an upload never launched, the output of an attempt whose
// execution row was never written, a Pod's staging object left by a crash) go too, once older
// than the cutoff: they are listed with `orphan` set.
// Only values flyte owns are ever removed: blob paths (BLOBS/ab/<sha256>/<name>) and objects
// under PREFIX/data/ab/<sha256>/<name>; s3:// inputs elsewhere are the user's. Execution rows
// stay (their values then read as missing). Blocking (disk, network): never on the loop
// thread; `store` is used from the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flyte/status.h"
#include "flyte/store.h"
#include "storage/data_stores.h"

namespace flyte {

struct GcOptions {
  int64_t cutoff_nanos = 0;  // values of executions created before this instant may go
  bool apply = false;        // false: a dry run, nothing removed
};

struct GcValue {
  std::string uri;
  uint64_t bytes = 0;
  bool is_dir = false;
  bool orphan = false;  // named by no execution and no cache entry
};

struct GcReport {
  std::vector<GcValue> removed;  // removed, or that a dry run would remove
  uint64_t bytes = 0;
  size_t old_executions = 0;        // ended before the cutoff: their values were candidates
  size_t kept = 0;                  // candidates still in use (cache, newer executions, fresh)
  size_t orphans = 0;               // of `removed`, those nothing names
  std::vector<std::string> errors;  // values that could not be read or removed (the rest went on)
};

Result<GcReport> CollectGarbage(Store& store, storage::DataStores& stores,
                                const GcOptions& options);

}  // namespace flyte
