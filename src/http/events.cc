#include "http/events.h"

#include "util/json_writer.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

std::string EventJson(const ExecutionKey& key, const char* kind, const std::string& node,
                      std::string_view phase, int64_t at) {
  std::string s = "{\"kind\":\"";
  s += kind;
  s += "\",\"execution\":{\"project\":";
  AppendJsonString(s, key.project);
  s += ",\"domain\":";
  AppendJsonString(s, key.domain);
  s += ",\"name\":";
  AppendJsonString(s, key.name);
  s += "},\"node_id\":";
  if (node.empty()) {
    s += "null";
  } else {
    AppendJsonString(s, node);
  }
  s += ",\"phase\":";
  AppendJsonString(s, phase);
  s += ",\"at\":";
  AppendJsonString(s, FormatDatetime(at));
  s += "}";
  return s;
}

}  // namespace

void EventHub::OnExecution(const ExecutionState& e) {
  int64_t at = IsTerminal(e.phase) ? e.ended_at : e.started_at ? e.started_at : e.created_at;
  Publish(e.key, EventJson(e.key, "execution", "", PhaseName(e.phase), at));
}

void EventHub::OnNode(const ExecutionState& e, const NodeState& n) {
  int64_t at = IsTerminal(n.phase) ? n.ended_at : n.started_at ? n.started_at : n.queued_at;
  Publish(e.key, EventJson(e.key, "node", n.id, PhaseName(n.phase), at));
}

void EventHub::Publish(const ExecutionKey& key, std::string data) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ring_.push_back({++seq_, key.ToString(), std::move(data)});
    if (ring_.size() > capacity_) ring_.pop_front();
  }
  cv_.notify_all();
}

uint64_t EventHub::Wait(uint64_t after, const std::string& execution,
                        std::chrono::milliseconds wait, std::vector<Event>& out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [&] { return closed_ || seq_ > after; });
  if (ring_.empty()) return after;
  // Sequence numbers in the ring are consecutive: start right after `after`.
  const uint64_t first = ring_.front().seq;
  size_t i = after >= first ? static_cast<size_t>(after - first + 1) : 0;
  for (; i < ring_.size(); ++i) {
    const Event& ev = ring_[i];
    if (execution.empty() || ev.execution == execution) out.push_back(ev);
  }
  return std::max(after, ring_.back().seq);
}

uint64_t EventHub::last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

void EventHub::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool EventHub::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace flyte::http
