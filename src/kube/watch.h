// One list-and-watch of one resource kind in one namespace, narrowed by a label selector, on a
// thread of its own, as client-go's reflector does it: list (in pages), then watch from the
// list's resourceVersion with bookmarks; a watch that ends cleanly is resumed from the last
// resourceVersion seen; an expired one (410, as an HTTP status or an in-stream ERROR) lists
// again; a dropped or silent connection (no byte for `liveness_nanos`) reconnects with backoff
// (0.8 s doubling to 30 s). Never one watch per object.
//
// The handler runs on the watch's thread: it must be quick and thread-safe (hand the events
// to the loop). After every list, on_sync gets every object that exists, so a consumer that
// missed events (during a 410 or a reconnect) reconciles from it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flyte/status.h"
#include "kube/client.h"
#include "kube/objects.h"

namespace flyte::kube {

enum class EventType : uint8_t { kAdded, kModified, kDeleted };
struct Event {
  EventType type;
  Object object;
};

class Watch {
 public:
  enum class Kind : uint8_t { kPod, kCustom };
  struct Options {
    std::string path;            // the collection: /api/v1/namespaces/NS/pods
    std::string label_selector;  // e.g. app.kubernetes.io/managed-by=flyte
    Kind kind = Kind::kPod;
    int64_t liveness_nanos = 0;  // 0: the server timeout plus 30 s
    int timeout_seconds = 290;   // asked of the server per watch request
    int64_t first_backoff_nanos = 800'000'000;
    int64_t max_backoff_nanos = 30'000'000'000;
  };
  struct Handler {
    std::function<void(std::vector<Object> objects)> on_sync;
    // Every event that arrived together (one read of the stream), in order: one hand-over to
    // the loop for a burst, not one per event.
    std::function<void(std::vector<Event> events)> on_events;
    // Something went wrong and the watch is retrying (shown to users as a warning).
    std::function<void(const Status& why)> on_trouble;
  };
  // Starts the thread. `client` must outlive this.
  Watch(Client& client, Options options, Handler handler);
  // Stops and joins the thread.
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // For tests and the doctor: lists done (the first plus relists), watch requests made.
  uint64_t lists() const { return lists_.load(); }
  uint64_t watches() const { return watches_.load(); }

 private:
  void Run();
  // Lists every object; false when stopped or failed (after on_trouble).
  bool List(std::string* resource_version);
  // One watch request from `*resource_version`; updates it. Returns what to do next.
  enum class Next : uint8_t { kResume, kRelist, kBackoff };
  Next WatchOnce(std::string* resource_version);
  void Backoff();

  Client& client_;
  const Options options_;
  const Handler handler_;
  std::atomic<bool> stop_{false};
  StreamCanceller cancel_;
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  int64_t backoff_nanos_;
  std::atomic<uint64_t> lists_{0};
  std::atomic<uint64_t> watches_{0};
  std::thread thread_;
};

}  // namespace flyte::kube
