// Streams: an attempt's logs (whole, or followed until the attempt ends) and server-sent
// events of phase changes. Bytes are read and sent on the connection's thread, never the loop's;
// each client holds a bounded number of open streams.
#include <httplib.h>

#include <thread>

#include "admin/log_reads.h"
#include "http/codec.h"
#include "http/events.h"
#include "http/route_helpers.h"
#include "http/server.h"
#include "runner/loop_bridge.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

// Sends an attempt's stdout then stderr as they are now, read by ranges on this (the
// connection's) thread: a large log holds neither the loop nor much memory. Chunked, so a client
// that accepts gzip gets it compressed as before.
void SendLogs(LogSource& logs, const AttemptLogs& attempt, httplib::Response& res) {
  Result<uint64_t> total = LogsSize(logs, attempt);  // unreadable logs are refused up front
  if (!total.ok()) return Fail(res, total.status());
  if (*total == 0) return res.set_content("", kText);
  res.set_chunked_content_provider(kText, [&logs, attempt](size_t, httplib::DataSink& sink) {
    Status st = CopyLogs(logs, attempt, [&sink](std::string_view bytes) {
      return sink.write(bytes.data(), bytes.size());
    });
    if (!st.ok() || !sink.is_writable()) return false;
    sink.done();
    return true;
  });
}

}  // namespace

void ApiServer::StreamRoutes() {
  AdminService& admin = admin_;
  LoopBridge& bridge = bridge_;
  const std::string seg = kSegment;

  // Logs, optionally followed until the attempt ends.
  Add("GET", "/api/v1/logs/" + seg + "/" + seg + "/" + seg + "/(.+)",
      [this, &admin, &bridge](const httplib::Request& req, httplib::Response& res) {
        Result<ExecutionKey> key = KeyFrom(req);
        if (!key.ok()) return Fail(res, key.status());
        Status st = CheckParams(req, {"attempt", "follow"});
        if (!st.ok()) return Fail(res, st);
        std::string node = req.matches[4];
        std::optional<uint32_t> attempt;
        if (std::string a = Param(req, "attempt"); !a.empty()) {
          int64_t n = 0;
          if (!ParseInt64(a, &n) || n < 0 || n > 1'000'000)
            return Fail(res, InvalidArgument("attempt must be a number >= 0"));
          attempt = static_cast<uint32_t>(n);
        }
        const std::string follow = Param(req, "follow");
        if (follow != "true" && follow != "false" && !follow.empty()) {
          return Fail(res, InvalidArgument("follow must be true or false, got " + Quote(follow)));
        }
        if (follow != "true") {
          auto picked = bridge.Call<AttemptRecord>(
              [&] { return PickLogAttempt(admin, *key, node, attempt); });
          if (!picked.ok()) return Fail(res, picked.status());
          return SendLogs(*logs_, LogsOf(*picked), res);
        }
        auto slot = streams_->Take(req.remote_addr);
        if (!slot) return TooManyStreams(res);
        FollowLogs(*key, node, attempt, std::move(slot), res);
      });

  // Server-sent events: phase changes, optionally of one execution.
  Add("GET", "/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
    Status st = CheckParams(req, {"execution"});
    if (!st.ok()) return Fail(res, st);
    if (events_ == nullptr) return Fail(res, Unavailable("this server has no event stream"));
    std::string execution = Param(req, "execution");
    if (!execution.empty()) {
      std::vector<std::string_view> parts = Split(execution, '/');
      if (parts.size() != 3) {
        return Fail(
            res, InvalidArgument("execution must be PROJECT/DOMAIN/NAME, got " + Quote(execution)));
      }
      st = CheckPath(std::string(parts[0]), std::string(parts[1]));
      if (st.ok()) st = CheckIdentifier("execution name", std::string(parts[2]));
      if (!st.ok()) return Fail(res, st);
    }
    // SSE's resumption: a client that saw event N asks for what followed (0: everything the
    // ring still holds), so a reconnect, or a client that connects just after starting an
    // execution, misses nothing.
    std::optional<uint64_t> after;
    if (req.has_header("Last-Event-ID")) {
      int64_t id = 0;
      if (!ParseInt64(Trim(req.get_header_value("Last-Event-ID")), &id) || id < 0) {
        return Fail(res,
                    InvalidArgument("Last-Event-ID must be an event id (a whole number), got " +
                                    Quote(req.get_header_value("Last-Event-ID"))));
      }
      after = static_cast<uint64_t>(id);
    }
    auto slot = streams_->Take(req.remote_addr);
    if (!slot) return TooManyStreams(res);
    StreamEvents(execution, after, std::move(slot), res);
  });
}

void ApiServer::TooManyStreams(httplib::Response& res) const {
  res.status = 429;
  res.set_header("Retry-After", "5");
  res.set_content(
      ErrorJson("TooManyStreams", "this client holds " + std::to_string(streams_->per_client()) +
                                      " event streams and log follows already "
                                      "(http.max_streams_per_client); close one first"),
      kJson);
}

void ApiServer::FollowLogs(const ExecutionKey& key, const std::string& node,
                           std::optional<uint32_t> attempt, std::shared_ptr<StreamSlot> slot,
                           httplib::Response& res) {
  LoopBridge& bridge = bridge_;
  AdminService& admin = admin_;
  auto pick = [&bridge, &admin, key, node, attempt]() -> Result<AttemptRecord> {
    auto attempts =
        bridge.Call<std::vector<AttemptRecord>>([&] { return admin.ListAttempts(key, node); });
    if (!attempts.ok()) return attempts.status();
    for (auto it = attempts->rbegin(); it != attempts->rend(); ++it) {
      if (!attempt || it->attempt == *attempt) return *it;
    }
    return NotFound("node " + Quote(node) + " of execution " + key.name + " has no attempt" +
                    (attempt ? " " + std::to_string(*attempt) : std::string(" yet")));
  };
  Result<AttemptRecord> first = pick();
  if (!first.ok()) return Fail(res, first.status());
  auto current = std::make_shared<AttemptRecord>(*first);
  auto cursor = std::make_shared<LogCursor>(*logs_);
  res.set_chunked_content_provider(
      kText, [this, current, cursor, pick, slot](size_t, httplib::DataSink& sink) {
        const LogSink write = [&sink](std::string_view bytes) {
          return sink.write(bytes.data(), bytes.size());
        };
        while (!stopping_) {
          // Once the attempt has ended, one last read and the stream ends.
          const bool done = IsTerminal(current->phase);
          Result<bool> more = cursor->Drain(LogsOf(*current), write);
          if (!more.ok() || done) break;
          if (!*more || !sink.is_writable()) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          Result<AttemptRecord> now = pick();
          if (now.ok() && now->attempt == current->attempt) *current = *now;
        }
        sink.done();
        return true;
      });
}

void ApiServer::StreamEvents(const std::string& execution, std::optional<uint64_t> after_id,
                             std::shared_ptr<StreamSlot> slot, httplib::Response& res) {
  uint64_t start = after_id ? std::min(*after_id, events_->last()) : events_->last();
  auto after = std::make_shared<uint64_t>(start);
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [this, after, execution, slot](size_t, httplib::DataSink& sink) {
        std::vector<EventHub::Event> batch;
        *after = events_->Wait(*after, execution, std::chrono::milliseconds(15000), batch);
        if (events_->closed() || stopping_) {
          sink.done();
          return true;
        }
        std::string out;
        for (const EventHub::Event& ev : batch) {
          out += "id: " + std::to_string(ev.seq) + "\ndata: " + ev.data + "\n\n";
        }
        if (out.empty()) out = ": keep-alive\n\n";
        return sink.write(out.data(), out.size());
      });
}

}  // namespace flyte::http
