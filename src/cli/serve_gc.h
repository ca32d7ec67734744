// The server's garbage collector (`gc:` in config/server.yaml): a thread of its own that, every
// interval, runs admin/garbage.h over the home with a database connection of its own (the
// loop's Store is not shared across threads) and reports what it removed. Stopped and joined
// by the destructor, which wakes it at once.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "admin/garbage.h"
#include "storage/data_stores.h"

namespace flyte::cli {

class ServeGc {
 public:
  using Report = std::function<void(const Result<GcReport>& report)>;
  // REQUIRES: interval_nanos > 0. `stores` outlives this. `report` runs on the gc thread.
  ServeGc(std::string db_path, storage::DataStores& stores, int64_t interval_nanos,
          int64_t older_than_nanos, Report report);
  ~ServeGc();

 private:
  void Run();

  const std::string db_path_;
  storage::DataStores& stores_;
  const int64_t interval_nanos_, older_than_nanos_;
  Report report_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flyte::cli
