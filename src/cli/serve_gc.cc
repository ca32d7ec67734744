#include "cli/serve_gc.h"

#include <chrono>

namespace flyte::cli {

ServeGc::ServeGc(std::string db_path, storage::DataStores& stores, int64_t interval_nanos,
                 int64_t older_than_nanos, Report report)
    : db_path_(std::move(db_path)),
      stores_(stores),
      interval_nanos_(interval_nanos),
      older_than_nanos_(older_than_nanos),
      report_(std::move(report)),
      thread_([this] { Run(); }) {}

ServeGc::~ServeGc() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ServeGc::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::nanoseconds(interval_nanos_),
                         [this] { return stopping_; })) {
    lock.unlock();
    Result<GcReport> report = [&]() -> Result<GcReport> {
      ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(db_path_));
      GcOptions o;
      o.apply = true;
      o.cutoff_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       older_than_nanos_;
      return CollectGarbage(*store, stores_, o);
    }();
    report_(report);
    lock.lock();
  }
}

}  // namespace flyte::cli
