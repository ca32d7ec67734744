#include "cli/run_view.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <string_view>

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cli {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Millis(int64_t nanos) {
  char buf[32];
  if (nanos < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%dms", static_cast<int>(nanos / 1'000'000));
  } else if (nanos < 60'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(nanos) / 1e9);
  } else {
    return FormatDuration(nanos / 1'000'000'000 * 1'000'000'000);
  }
  return buf;
}

// Columns on screen: every character the view prints is one column wide.
int Columns(const std::string& s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Cuts `s` to at most `max` columns, ending with "…" when it was longer.
std::string Truncate(const std::string& s, int max) {
  if (max <= 0 || Columns(s) <= max) return s;
  int n = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n == max) break;
  }
  return s.substr(0, i) + "…";
}

// A map node's items: "sq[3]" under "sq".
bool IsMapItem(const NodeState& n) {
  return n.id.size() > n.parent.size() + 2 && StartsWith(n.id, n.parent) &&
         n.id[n.parent.size()] == '[' && n.id.back() == ']';
}

struct MapProgress {
  size_t seen = 0, done = 0, failed = 0, running = 0;
  void Count(const NodeState& item) {
    ++seen;
    if (Succeeded(item.phase)) {
      ++done;
    } else if (IsTerminal(item.phase)) {
      ++failed;
    } else if (item.phase != NodePhase::kQueued) {
      ++running;
    }
  }
  // "7/12 items · 1 failed · 3 running"
  std::string Describe(size_t total) const {
    std::string s = std::to_string(done + failed) + "/" + std::to_string(total) + " items";
    if (failed) s += " · " + std::to_string(failed) + " failed";
    if (running) s += " · " + std::to_string(running) + " running";
    return s;
  }
};

}  // namespace

std::string ShellWord(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == '/' || c == ':' || c == '=' || c == ',' || c == '@';
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

RunView::RunView(uv_loop_t* loop, FILE* out, bool tty, bool verbose, std::optional<int64_t> eta)
    : loop_(loop), out_(out), tty_(tty), verbose_(verbose), eta_(eta) {
  if (tty_) {
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { static_cast<RunView*>(t->data)->Redraw(); }, 100, 100);
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
    timer_started_ = true;
  }
}

void RunView::SetEta(std::optional<int64_t> eta) { eta_ = eta; }

RunView::~RunView() {
  if (timer_started_) {
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    uv_run(loop_, UV_RUN_NOWAIT);
  }
}

std::string RunView::Elapsed(int64_t nanos) const { return Millis(nanos); }

void RunView::OnExecution(const ExecutionState& e) {
  exec_ = &e;
  if (tty_) return;
  if (e.phase == ExecutionPhase::kRunning) {
    // Launched by name, a remote run does not know its workflow's nodes in advance.
    pending_.push_back(
        "execution " + e.key.name + " of " + e.wf().name + " RUNNING" +
        (e.wf().nodes.empty() ? "" : " (" + std::to_string(e.wf().nodes.size()) + " nodes)"));
  }
}

void RunView::OnNode(const ExecutionState& e, const NodeState& n) {
  exec_ = &e;
  if (tty_) return;
  // A remote execution may not say when it started yet: then from when it was created.
  const int64_t since = e.started_at != 0   ? e.started_at
                        : e.created_at != 0 ? e.created_at
                                            : NowNanos();
  std::string line =
      "+" + Millis(NowNanos() - since) + " " + n.id + " " + std::string(PhaseName(n.phase));
  if (n.phase == NodePhase::kRunning && n.attempts.size() > 1) {
    line += " attempt " + std::to_string(n.attempts.size());
  }
  if (IsTerminal(n.phase) && n.started_at > 0) line += " " + Millis(n.ended_at - n.started_at);
  if (IsTerminal(n.phase) && n.cache != CacheStatus::kDisabled) {
    line += " " + std::string(CacheStatusName(n.cache));
  }
  if (n.error && IsTerminal(n.phase)) line += ": " + Printable(n.error->message);
  pending_.push_back(std::move(line));
}

void RunView::OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) {
  exec_ = &e;
  if (a.where.empty() || IsTerminal(a.phase)) return;
  std::string wait = std::string(PhaseName(a.phase)) + " (" + a.where + ")" +
                     (a.reason.empty() ? "" : ": " + Printable(a.reason));
  std::string& last = waits_[n.id];
  if (last == wait) return;
  last = wait;
  if (tty_) return;  // the live view shows it on the node's line
  const int64_t since = e.started_at != 0   ? e.started_at
                        : e.created_at != 0 ? e.created_at
                                            : NowNanos();
  pending_.push_back("+" + Millis(NowNanos() - since) + " " + n.id + " " + wait);
}

void RunView::OnOutput(const ExecutionState&, const NodeState& n, bool, std::string_view line) {
  if (!verbose_) return;
  pending_.push_back(n.id + " | " + std::string(line));
}

void RunView::Flush() {
  if (pending_.empty()) return;
  Clear();
  // One write for the batch: the stream is unbuffered (stderr), and a line per write was three
  // system calls per task.
  std::string text;
  for (const std::string& l : pending_) text.append(l).push_back('\n');
  std::fwrite(text.data(), 1, text.size(), out_);
  pending_.clear();
  if (tty_) Redraw();
  std::fflush(out_);
}

void RunView::Clear() {
  if (!tty_ || drawn_lines_ == 0) return;
  std::fprintf(out_, "\x1b[%dF\x1b[J", drawn_lines_);
  drawn_lines_ = 0;
}

void RunView::Pause() {
  Clear();
  std::fflush(out_);
  paused_ = true;
}

void RunView::Resume() { paused_ = false; }

void RunView::Redraw() {
  if (!tty_ || paused_ || exec_ == nullptr || IsTerminal(exec_->phase)) return;
  const ExecutionState& e = *exec_;
  static const char* kSpin[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  ++frame_;
  // The counts are of the workflow's own nodes: map items, subworkflow and branch nodes show in
  // their parent's line instead (a remote copy knows its nodes only once they start).
  size_t total = e.frames.empty() ? 0 : e.frames[0].nodes.size();
  size_t top_level = 0;
  size_t done = 0, failed = 0, running = 0, queued = 0, cached = 0;
  std::vector<const NodeState*> active;
  std::map<std::string_view, MapProgress> maps;
  for (const NodeState& n : e.nodes) {
    if (!n.started) continue;
    if (!n.parent.empty()) {
      if (IsMapItem(n)) {
        maps[n.parent].Count(n);
      } else if (n.phase != NodePhase::kQueued && !IsTerminal(n.phase)) {
        active.push_back(&n);  // a task of a subworkflow or branch
      }
      continue;
    }
    ++top_level;
    if (n.phase == NodePhase::kSucceeded || n.phase == NodePhase::kSkipped ||
        n.phase == NodePhase::kRecovered) {
      ++done;
      cached += n.cache == CacheStatus::kHit;
    } else if (IsTerminal(n.phase)) {
      ++failed;
    } else if (n.phase == NodePhase::kQueued) {
      ++queued;
    } else {
      ++running;
      active.push_back(&n);
    }
  }
  total = std::max(total, top_level);
  int64_t now = NowNanos();
  std::string eta;
  if (eta_ && *eta_ > 0) {
    int64_t left = *eta_ - (now - e.started_at);
    eta = left > 0 ? " · ETA " + Millis(left) : " · ETA overdue";
  }
  // A line wider than the terminal wraps, and "\x1b[NF" would then stop short of the top of the
  // view, leaving a stale copy on screen at every redraw: lines must fit in the columns.
  winsize ws{};
  const int columns = ::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  const std::string counts = std::to_string(done + failed) + "/" + std::to_string(total) + " · " +
                             std::to_string(done) + " succeeded" +
                             (cached ? " (" + std::to_string(cached) + " cached)" : "") + " · " +
                             std::to_string(failed) + " failed · " + std::to_string(running) +
                             " running · " + std::to_string(queued) + " queued";
  const int width = columns > 0 ? std::clamp(columns - 2 - Columns(counts), 5, 30) : 30;
  int filled = total == 0 ? 0 : static_cast<int>(width * (done + failed) / total);
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
  std::vector<std::string> lines;
  lines.push_back(std::string(PhaseName(e.phase)) + " " + e.wf().name + " · " + e.key.name + " · " +
                  Millis(now - e.started_at) + eta);
  lines.push_back(bar + " " + counts);
  std::sort(active.begin(), active.end(),
            [](const NodeState* a, const NodeState* b) { return a->started_at < b->started_at; });
  const size_t shown = std::min<size_t>(active.size(), 8);
  for (size_t i = 0; i < shown; ++i) {
    const NodeState& n = *active[i];
    std::string attempt =
        n.attempts.size() > 1 ? " (attempt " + std::to_string(n.attempts.size()) + ")" : "";
    std::string items;
    if (auto m = maps.find(n.id); m != maps.end() || !n.items.empty()) {
      MapProgress p = m != maps.end() ? m->second : MapProgress{};
      items = "  " + p.Describe(std::max(n.items.size(), p.seen));
    }
    // A Pod waiting for the cluster says so: "QUEUED: 0/3 nodes are available", "INITIALIZING:
    // ImagePullBackOff: ...".
    std::string wait;
    // A failed attempt's reason stays shown while the node waits out its retry's backoff.
    if (!n.attempts.empty() && !n.attempts.back().where.empty() &&
        n.attempts.back().phase != TaskPhase::kRunning &&
        (!IsTerminal(n.attempts.back().phase) ||
         n.attempts.back().phase == TaskPhase::kRetryableFailed)) {
      const AttemptState& a = n.attempts.back();
      wait = "  " + std::string(PhaseName(a.phase)) +
             (a.reason.empty() ? "" : ": " + Printable(a.reason));
    }
    lines.push_back("  " + std::string(kSpin[frame_ % 10]) + " " + n.id + attempt + "  " +
                    Millis(now - n.started_at) + items + wait);
  }
  if (active.size() > shown)
    lines.push_back("  … and " + std::to_string(active.size() - shown) + " more");
  Clear();
  for (const std::string& l : lines) {
    std::fprintf(out_, "%s\x1b[K\n", Truncate(l, columns - 1).c_str());
  }
  drawn_lines_ = static_cast<int>(lines.size());
  std::fflush(out_);
}

void RunView::Finish(const ExecutionState& e) {
  Flush();
  Clear();
  size_t ok = 0, failed = 0, cached = 0, not_run = 0, skipped = 0, aborted = 0;
  for (const NodeState& n : e.nodes) {
    if (!n.started) {
      ++not_run;
      continue;
    }
    if (Succeeded(n.phase))
      ++ok, cached += n.cache == CacheStatus::kHit;
    else if (n.phase == NodePhase::kSkipped)
      ++skipped;
    else if (n.phase == NodePhase::kAborted)
      ++aborted;
    else if (IsTerminal(n.phase))
      ++failed;
  }
  for (const NodeState& n : e.nodes) {
    if (!n.error || (n.phase != NodePhase::kFailed && n.phase != NodePhase::kTimedOut)) continue;
    std::fprintf(out_, "✗ %s %s: %s\n", n.id.c_str(), std::string(PhaseName(n.phase)).c_str(),
                 Printable(n.error->message).c_str());
    if (!n.tail.empty()) {
      size_t start = 0;
      while (start <= n.tail.size()) {
        size_t nl = n.tail.find('\n', start);
        if (nl == std::string::npos) nl = n.tail.size();
        std::fprintf(out_, "    │ %s\n", Printable(n.tail.substr(start, nl - start)).c_str());
        start = nl + 1;
      }
    }
    if (!n.attempts.empty() && !n.attempts.back().stderr_path.empty()) {
      std::fprintf(out_, "    logs: flyte logs %s %s%s\n", e.key.name.c_str(),
                   ShellWord(n.id).c_str(), hint_flags_.c_str());
    }
  }
  const bool success = e.phase == ExecutionPhase::kSucceeded;
  std::string counts = std::to_string(ok) + " succeeded";
  if (cached) counts += " (" + std::to_string(cached) + " from cache)";
  if (failed) counts += ", " + std::to_string(failed) + " failed";
  if (aborted) counts += ", " + std::to_string(aborted) + " aborted";
  if (skipped) counts += ", " + std::to_string(skipped) + " skipped";
  if (not_run) counts += ", " + std::to_string(not_run) + " not run";
  std::fprintf(out_, "%s %s %s in %s · %s · execution %s\n", success ? "✔" : "✗",
               e.wf().name.c_str(), std::string(PhaseName(e.phase)).c_str(),
               Millis(e.ended_at - e.started_at).c_str(), counts.c_str(), e.key.name.c_str());
  if (!success && e.error && (e.error->node.empty() || e.phase == ExecutionPhase::kAborted)) {
    std::fprintf(out_, "  %s: %s\n", std::string(e.error->code.text()).c_str(),
                 Printable(e.error->message).c_str());
  }
  std::fflush(out_);
}

}  // namespace flyte::cli
