#include "kube/watch.h"

#include <chrono>
#include <random>

#include "kube/decode.h"

namespace flyte::kube {
namespace {

// The largest event line accepted (the API server's own limit on an object is ~1.5 MiB).
constexpr size_t kMaxEventBytes = size_t{64} << 20;

using json = nlohmann::json;

// A custom resource, from its parsed tree: its whole status is kept, flattened.
Object CustomFrom(const json& j) {
  Object o;
  auto custom = std::make_shared<CustomObject>(DecodeCustom(j));
  o.meta = custom->meta;
  o.custom = std::move(custom);
  return o;
}

Object PodObject(Pod pod) {
  Object o;
  o.meta = pod.meta;
  o.pod = std::make_shared<Pod>(std::move(pod));
  return o;
}

}  // namespace

Watch::Watch(Client& client, Options options, Handler handler)
    : client_(client),
      options_(std::move(options)),
      handler_(std::move(handler)),
      backoff_nanos_(options_.first_backoff_nanos) {
  thread_ = std::thread([this] { Run(); });
}

Watch::~Watch() {
  {
    std::lock_guard<std::mutex> lock(sleep_mu_);
    stop_ = true;
  }
  sleep_cv_.notify_all();
  cancel_.Cancel();
  thread_.join();
}

void Watch::Backoff() {
  std::unique_lock<std::mutex> lock(sleep_mu_);
  thread_local std::mt19937_64 rng(std::random_device{}());
  const int64_t wait =
      std::uniform_int_distribution<int64_t>(backoff_nanos_ / 2, backoff_nanos_)(rng);
  sleep_cv_.wait_for(lock, std::chrono::nanoseconds(wait), [this] { return stop_.load(); });
  backoff_nanos_ = std::min(backoff_nanos_ * 2, options_.max_backoff_nanos);
}

void Watch::Run() {
  std::string rv;
  bool need_list = true;
  while (!stop_) {
    if (need_list) {
      if (!List(&rv)) {
        Backoff();
        continue;
      }
      need_list = false;
    }
    switch (WatchOnce(&rv)) {
      case Next::kResume:
        break;
      case Next::kRelist:
        need_list = true;
        break;
      case Next::kBackoff:
        Backoff();
        break;
    }
  }
}

bool Watch::List(std::string* resource_version) {
  std::vector<Object> objects;
  std::string cont;
  for (;;) {
    std::string path = options_.path + "?limit=500";
    if (!options_.label_selector.empty())
      path += "&labelSelector=" + QueryEscape(options_.label_selector);
    if (!cont.empty()) path += "&continue=" + QueryEscape(cont);
    Result<Response> r = client_.Get(path);
    if (stop_) return false;
    if (!r.ok() || !r->ok()) {
      if (r.ok() && r->status == 410 && !cont.empty()) {  // the continue token expired: start over
        objects.clear();
        cont.clear();
        continue;
      }
      if (handler_.on_trouble)
        handler_.on_trouble(r.ok() ? ErrorOf(*r, "listing " + options_.path) : r.status());
      return false;
    }
    // Pods are read without a parsed tree; custom resources keep their whole status.
    if (options_.kind == Kind::kPod) {
      PodList list;
      if (!ScanPodList(r->body, &list)) {
        if (handler_.on_trouble)
          handler_.on_trouble(Unavailable("listing " + options_.path + ": the answer is not JSON"));
        return false;
      }
      for (Pod& pod : list.items) objects.push_back(PodObject(std::move(pod)));
      cont = std::move(list.cont);
      if (cont.empty()) {
        *resource_version = std::move(list.resource_version);
        break;
      }
      continue;
    }
    json list = ParseLean(r->body);
    if (!list.is_object()) {
      if (handler_.on_trouble)
        handler_.on_trouble(Unavailable("listing " + options_.path + ": the answer is not JSON"));
      return false;
    }
    if (auto it = list.find("items"); it != list.end() && it->is_array()) {
      for (const json& item : *it) objects.push_back(CustomFrom(item));
    }
    const json& meta = list.contains("metadata") ? list["metadata"] : json();
    cont = Str(meta, "continue");
    if (cont.empty()) {
      *resource_version = Str(meta, "resourceVersion");
      break;
    }
  }
  lists_.fetch_add(1);
  if (handler_.on_sync) handler_.on_sync(std::move(objects));
  return true;
}

Watch::Next Watch::WatchOnce(std::string* resource_version) {
  std::string path = options_.path + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=" +
                     std::to_string(options_.timeout_seconds) +
                     "&resourceVersion=" + QueryEscape(*resource_version);
  if (!options_.label_selector.empty())
    path += "&labelSelector=" + QueryEscape(options_.label_selector);
  std::string partial;
  std::vector<Event> batch;
  Next next = Next::kResume;
  bool got_any = false;
  // One event's line: false ends the stream (an ERROR). Pods are read without a parsed tree.
  auto on_line = [&](std::string_view line) -> bool {
    std::string type, message, rv;
    int code = 0;
    Object object;
    if (options_.kind == Kind::kPod) {
      PodEvent ev;
      if (!ScanPodEvent(line, &ev)) return true;  // not an event: skip it, as client-go does
      type = std::move(ev.type);
      code = ev.code;
      message = std::move(ev.message);
      rv = ev.pod.meta.resource_version;
      object = PodObject(std::move(ev.pod));
    } else {
      json ev = ParseLean(line);
      if (!ev.is_object()) return true;
      type = Str(ev, "type");
      // References, never `cond ? ev["object"] : json()`, which copies the whole object.
      static const json kNone;
      auto found = ev.find("object");
      const json& o = found != ev.end() ? *found : kNone;
      if (type == "ERROR") {
        code = o.is_object() && o.contains("code") && o["code"].is_number_integer()
                   ? o["code"].get<int>()
                   : 0;
        message = Str(o, "message");
      } else {
        auto meta = o.find("metadata");
        rv = meta != o.end() ? Str(*meta, "resourceVersion") : std::string();
        if (type != "BOOKMARK") object = CustomFrom(o);
      }
    }
    if (type == "ERROR") {
      if (code == 410) {
        next = Next::kRelist;
      } else {
        next = Next::kBackoff;
        if (handler_.on_trouble)
          handler_.on_trouble(Unavailable("watching " + options_.path + ": " + message));
      }
      return false;
    }
    if (!rv.empty()) *resource_version = rv;
    if (type == "BOOKMARK") return true;
    EventType t;
    if (type == "ADDED") {
      t = EventType::kAdded;
    } else if (type == "MODIFIED") {
      t = EventType::kModified;
    } else if (type == "DELETED") {
      t = EventType::kDeleted;
    } else {
      return true;
    }
    batch.push_back({t, std::move(object)});
    return true;
  };
  Client::StreamOptions so;
  so.cancel = &cancel_;
  so.read_timeout_nanos = options_.liveness_nanos > 0
                              ? options_.liveness_nanos
                              : (int64_t{options_.timeout_seconds} + 30) * 1'000'000'000;
  watches_.fetch_add(1);
  auto hand_over = [&] {
    if (!batch.empty() && handler_.on_events) handler_.on_events(std::move(batch));
    batch.clear();
  };
  Result<Response> r = client_.Stream(
      path,
      [&](std::string_view data) {
        got_any = true;
        partial.append(data);
        if (partial.size() > kMaxEventBytes) {  // no event is this large: a broken stream
          if (handler_.on_trouble) {
            handler_.on_trouble(
                Unavailable("watching " + options_.path + ": an event over 64 MiB; listing again"));
          }
          partial.clear();
          next = Next::kRelist;
          return false;
        }
        size_t start = 0, nl;
        while ((nl = partial.find('\n', start)) != std::string::npos) {
          std::string_view line(partial.data() + start, nl - start);
          start = nl + 1;
          if (!line.empty() && !on_line(line)) {
            partial.clear();
            hand_over();
            return false;
          }
        }
        partial.erase(0, start);
        hand_over();
        return !stop_;
      },
      so);
  if (stop_) return Next::kResume;
  if (!r.ok()) {
    if (handler_.on_trouble) handler_.on_trouble(r.status());
    return Next::kBackoff;
  }
  if (r->status == 410) return Next::kRelist;
  if (!r->ok()) {
    if (handler_.on_trouble) handler_.on_trouble(ErrorOf(*r, "watching " + options_.path));
    return Next::kBackoff;
  }
  if (next != Next::kResume) return next;
  // A watch that ended cleanly after events is healthy; one that ended at once and empty is
  // not retried in a tight loop.
  if (!got_any) return Next::kBackoff;
  backoff_nanos_ = options_.first_backoff_nanos;
  return next;
}

}  // namespace flyte::kube
