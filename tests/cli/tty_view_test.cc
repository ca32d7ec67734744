// The live view `flyte run` draws on stderr when stderr is a terminal (cli/run_view.cc): the
// real binary runs under a pseudo-terminal and the test reads everything it writes. Slow tasks
// wait for a file the test creates once it has seen the view drawn, so nothing here depends on
// how fast the machine is; every wait is for output or exit, with a deadline.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "http/server_fixture.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CountOccurrences;
using testing::Describe;
using testing::FlyteArgv;
using testing::ProcessResult;
using testing::RemainingMs;
using testing::SteadyClock;
using testing::TempDir;

// A child whose stdin, stdout and stderr are the slave side of a new pseudo-terminal (and its
// controlling terminal), as when a person runs it in a terminal window. stdout and stderr
// arrive interleaved, in the order they were written. The terminal's output processing
// (ONLCR) is left on, as in a real terminal; output() undoes it.
class PtyChild {
 public:
  // `env` entries "K=V" are added to (or replace those of) this process's environment; an
  // entry "K" without '=' removes K. The terminal is `columns` wide.
  PtyChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           unsigned short columns = 120) {
    std::vector<std::string> envs;
    auto name_of = [](std::string_view kv) { return kv.substr(0, kv.find('=')); };
    for (char** e = environ; *e != nullptr; ++e) {
      bool replaced = false;
      for (const std::string& mine : env) replaced = replaced || name_of(*e) == name_of(mine);
      if (!replaced) envs.emplace_back(*e);
    }
    for (const std::string& mine : env) {
      if (mine.find('=') != std::string::npos) envs.push_back(mine);
    }
    // Everything the child needs is built before fork: after it, only execve and _exit.
    std::vector<char*> cargv, cenv;
    for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (const std::string& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
    cenv.push_back(nullptr);

    winsize ws{};
    ws.ws_row = 40;
    ws.ws_col = columns;
    pid_ = ::forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
    INFO("forkpty: " << std::strerror(errno));
    REQUIRE(pid_ > 0);
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
  }
  ~PtyChild() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  PtyChild(const PtyChild&) = delete;
  PtyChild& operator=(const PtyChild&) = delete;

  // Types `text` on the terminal.
  void Type(const std::string& text) {
    REQUIRE(::write(master_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

  // What the terminal received so far, with the "\r\n" of its output processing back to "\n".
  std::string output() const {
    std::string out;
    for (size_t i = 0; i < raw_.size(); ++i) {
      if (raw_[i] == '\r' && i + 1 < raw_.size() && raw_[i + 1] == '\n') continue;
      out += raw_[i];
    }
    return out;
  }

  // Reads until `pattern` matches the output; false when the deadline passed or the child
  // closed the terminal first.
  bool WaitFor(const std::regex& pattern, int deadline_ms = 20000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (!std::regex_search(output(), pattern)) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }

  // Reads until the child has exited and closed the terminal; past the deadline it is killed
  // and the test fails.
  ProcessResult Wait(int deadline_ms = 60000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (master_ >= 0) {
      if (!ReadSome(deadline)) break;
    }
    if (master_ >= 0) {
      ::kill(pid_, SIGKILL);
      FAIL_CHECK("the child did not finish within " << deadline_ms << " ms; output so far:\n"
                                                    << output());
    }
    int status = 0;
    REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    reaped_ = true;
    ProcessResult r;
    r.out = output();
    if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
    }
    return r;
  }

 private:
  // One poll of the master side; false on timeout or once the terminal is closed (the last
  // slave descriptor gone: Linux then reports EIO).
  bool ReadSome(SteadyClock::time_point deadline) {
    if (master_ < 0) return false;
    pollfd p{master_, POLLIN, 0};
    int rc = ::poll(&p, 1, RemainingMs(deadline));
    if (rc < 0) return errno == EINTR;
    if (rc == 0) return false;
    char buf[65536];
    ssize_t got = ::read(master_, buf, sizeof buf);
    if (got > 0) {
      raw_.append(buf, static_cast<size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR) return true;
    ::close(master_);
    master_ = -1;
    return false;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  bool reaped_ = false;
  std::string raw_;
};

// `prepare` is quick; `hold` runs until the file named by the input `gate` exists (it gives up
// after about 30 s so a broken test cannot leave it behind); `finish` uses what `hold` made.
constexpr const char* kGated = R"yaml(
tasks:
  prepare:
    outputs: {n: int}
    script: echo 2 > "{{ outputs.n }}"
  hold:
    inputs: {gate: str, n: int}
    outputs: {m: int}
    script: |
      i=0
      while [ ! -e "{{ inputs.gate }}" ]; do
        i=$((i + 1)); if [ $i -gt 1500 ]; then exit 9; fi
        sleep 0.02
      done
      echo $(({{ inputs.n }} * 21)) > "{{ outputs.m }}"
  finish:
    inputs: {m: int}
    outputs: {answer: str}
    script: echo "the answer is {{ inputs.m }}" > "{{ outputs.answer }}"
workflows:
  wf:
    inputs: {gate: str}
    outputs: {answer: "{{ finish.answer }}"}
    nodes:
      prepare: {task: prepare}
      hold: {task: hold, inputs: {gate: "{{ inputs.gate }}", n: "{{ prepare.n }}"}}
      finish: {task: finish, inputs: {m: "{{ hold.m }}"}}
)yaml";

// `a` succeeds; `b` waits for the gate file, then writes to stdout and stderr and fails.
constexpr const char* kGatedFailing = R"yaml(
tasks:
  ok:
    outputs: {n: int}
    script: echo 1 > "{{ outputs.n }}"
  boom:
    inputs: {gate: str, n: int}
    script: |
      i=0
      while [ ! -e "{{ inputs.gate }}" ]; do
        i=$((i + 1)); if [ $i -gt 1500 ]; then exit 9; fi
        sleep 0.02
      done
      echo "some progress"
      echo "warming up" >&2
      echo "the last words" >&2
      exit 3
workflows:
  wf:
    inputs: {gate: str}
    nodes:
      a: {task: ok}
      b: {task: boom, inputs: {gate: "{{ inputs.gate }}", n: "{{ a.n }}"}}
)yaml";

// RunView's spinner frames, any of which may be showing.
const std::string kSpinner = "(⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏)";
// What RunView's Millis() prints for a duration under a minute.
const std::string kMillis = "([0-9]+ms|[0-9]+\\.[0-9]s)";

// The view while `node` runs: the header, the bar with its counts, the running node with its
// spinner and elapsed time. Every drawn line ends with "erase to end of line".
std::regex LiveView(const std::string& wf, const std::string& exec, const std::string& counts,
                    const std::string& node) {
  return std::regex("RUNNING " + wf + " · " + exec + " · " + kMillis + "[^\x1b\n]*\x1b\\[K\n" +
                    "(█|░){30} " + counts + "\x1b\\[K\n" +  //
                    "  " + kSpinner + " " + node + "  " + kMillis + "\x1b\\[K\n");
}

// The text after the last "clear to end of screen": what stays on the terminal once the live
// view is gone.
std::string AfterLastClear(const std::string& out) {
  size_t at = out.rfind("\x1b[J");
  return at == std::string::npos ? out : out.substr(at + 3);
}

struct Home {
  TempDir tmp;
  std::string home() const { return tmp / "home"; }
  std::vector<std::string> Env(const std::string& term) const {
    return {"FLYTE_HOME=" + home(), term};
  }
};

TEST_CASE("on a terminal flyte run draws a live view, then the summary and the outputs",
          "[process][tty]") {
  Home h;
  const std::string file = h.tmp.Write("gated.yaml", kGated);
  const std::string gate = h.tmp / "go";
  PtyChild c(FlyteArgv(h.home(), {"run", file, "--input", "gate=" + gate, "--name", "tty-ok"}),
             h.Env("TERM=xterm"));

  // While `hold` runs: one task done of three, one running, and its elapsed time.
  const std::regex running =
      LiveView("wf", "tty-ok", "1/3 · 1 succeeded · 0 failed · 1 running · 0 queued", "hold");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(running));
  }
  // The view redraws in place: back to the start of its 3 lines, clear below, draw again.
  const std::regex redrawn("\x1b\\[3F\x1b\\[J" + std::string("RUNNING wf · tty-ok"));
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(redrawn));
  }
  h.tmp.Write("go", "");

  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  // The view is cleared before the summary, which stays, followed by the outputs (stdout).
  CHECK(std::regex_match(AfterLastClear(r.out), std::regex("✔ wf SUCCEEDED in " + kMillis +
                                                           " · 3 succeeded · execution tty-ok\n"
                                                           "answer: the answer is 42\n")));
  CHECK(CountOccurrences(r.out, "✔ wf SUCCEEDED") == 1);
  // The terminal gets the view, not the plain per-change lines of a pipe.
  CHECK(r.out.find("hold SUCCEEDED") == std::string::npos);
  CHECK(r.out.find("execution tty-ok of wf RUNNING") == std::string::npos);
}

TEST_CASE("flyte run --remote on a terminal shows the same live view, fed by the server's events",
          "[process][tty][server]") {
  testing::ServerFixture server;
  Home h;
  const std::string file = h.tmp.Write("gated.yaml", kGated);
  const std::string gate = h.tmp / "go";
  PtyChild c(FlyteArgv(h.home(), {"run", "--remote", file, "--input", "gate=" + gate, "--name",
                                  "tty-remote", "--endpoint", server.url}),
             h.Env("TERM=xterm"));
  const std::regex running =
      LiveView("wf", "tty-remote", "1/3 · 1 succeeded · 0 failed · 1 running · 0 queued", "hold");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(running));
  }
  h.tmp.Write("go", "");
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(std::regex_match(AfterLastClear(r.out), std::regex("✔ wf SUCCEEDED in " + kMillis +
                                                           " · 3 succeeded · execution tty-remote\n"
                                                           "answer: the answer is 42\n")));
  CHECK(r.out.find("hold SUCCEEDED") == std::string::npos);
}

// A map of five items: 0, 1 and 2 end at once, 3 and 4 wait for the gate file.
constexpr const char* kGatedMap = R"yaml(
tasks:
  prepare:
    outputs: {xs: "list[int]"}
    script: echo "[0, 1, 2, 3, 4]" > "{{ outputs.xs }}"
  item:
    inputs: {x: int, gate: str}
    outputs: {y: int}
    script: |
      i=0
      while [ {{ inputs.x }} -ge 3 ] && [ ! -e "{{ inputs.gate }}" ]; do
        i=$((i + 1)); if [ $i -gt 1500 ]; then exit 9; fi
        sleep 0.02
      done
      echo {{ inputs.x }} > "{{ outputs.y }}"
workflows:
  wf:
    inputs: {gate: str}
    outputs: {ys: "{{ sq.y }}"}
    nodes:
      prepare: {task: prepare}
      sq: {map: item, over: [x], inputs: {x: "{{ prepare.xs }}", gate: "{{ inputs.gate }}"}}
)yaml";

TEST_CASE("on a terminal the live view counts the workflow's nodes and shows a map's item progress",
          "[process][tty]") {
  // Map items are not nodes of the workflow: counting them gave "4/2 · 4 succeeded".
  Home h;
  const std::string file = h.tmp.Write("map.yaml", kGatedMap);
  const std::string gate = h.tmp / "go";
  PtyChild c(FlyteArgv(h.home(), {"run", file, "--input", "gate=" + gate, "--name", "tty-map",
                                  "--max-parallelism", "0"}),
             h.Env("TERM=xterm"));
  const std::regex running(
      "RUNNING wf · tty-map · " + kMillis + "[^\x1b\n]*\x1b\\[K\n" +
      "(█|░){30} 1/2 · 1 succeeded · 0 failed · 1 running · 0 queued\x1b\\[K\n" + "  " + kSpinner +
      " sq  " + kMillis + "  3/5 items · 2 running\x1b\\[K\n");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(running));
  }
  h.tmp.Write("go", "");
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("sq[3]") == std::string::npos);  // items are not listed one by one
}

TEST_CASE("on a terminal a gate's question stays on screen while the view is paused",
          "[process][tty]") {
  Home h;
  const std::string go = h.tmp / "go", done = h.tmp / "done";
  const std::string file = h.tmp.Write("gate.yaml", R"yaml(
tasks:
  side:
    script: |
      while [ ! -f )yaml" + go + R"yaml( ]; do sleep 0.02; done
      touch )yaml" + done + R"yaml(
  after:
    inputs: {v: int}
    outputs: {w: int}
    script: echo $(( {{ inputs.v }} + 1 )) > "{{ outputs.w }}"
workflows:
  wf:
    outputs: {w: "{{ after.w }}"}
    nodes:
      side: {task: side}
      ok: {approve: 41}
      after: {task: after, inputs: {v: "{{ ok.value }}"}}
)yaml");
  PtyChild c(FlyteArgv(h.home(), {"run", file, "--name", "tty-gate"}), h.Env("TERM=xterm"));
  const std::regex asked("approve ok\\? \\[y/n\\] $");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(asked));
  }
  // A node ends while the question waits: the paused view must not redraw over it.
  h.tmp.Write("go", "");
  for (int i = 0; i < 500 && !std::ifstream(done).good(); ++i) ::usleep(10'000);
  REQUIRE(std::ifstream(done).good());
  CHECK_FALSE(c.WaitFor(std::regex("approve ok\\? \\[y/n\\] [^\n]*\x1b"), 500));
  c.Type("y\n");
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("approve ok? [y/n] y\n") != std::string::npos);  // the answer, echoed, stays
  CHECK(std::regex_search(AfterLastClear(r.out), std::regex("✔ wf SUCCEEDED .*\nw: 42\n")));
}

// Screen columns of `s`: every character the view prints is one column wide.
int Columns(std::string_view s) {
  int n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

TEST_CASE("on a narrow terminal every line of the live view fits on one line", "[process][tty]") {
  // A line that wraps takes two rows, so moving the cursor up by the number of lines drawn
  // would leave a stale copy of the view on screen at every redraw.
  Home h;
  const std::string file = h.tmp.Write("gated.yaml", kGated);
  const std::string gate = h.tmp / "go";
  PtyChild c(FlyteArgv(h.home(), {"run", file, "--input", "gate=" + gate, "--name", "narrow"}),
             h.Env("TERM=xterm"), /*columns=*/80);
  const std::regex running(
      "(█|░)+ 1/3 · 1 succeeded · 0 failed · 1 running · 0 queued\x1b\\[K\n"
      "  " +
      kSpinner + " hold  " + kMillis + "\x1b\\[K\n");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(running));
  }
  h.tmp.Write("go", "");
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  // Each drawn line ends with "\x1b[K\n"; the cursor moves back to the start of a line first.
  std::string_view out = r.out;
  size_t lines = 0;
  for (size_t end = out.find("\x1b[K\n"); end != std::string_view::npos;
       end = out.find("\x1b[K\n", end + 1)) {
    size_t start = out.rfind('\n', end);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string_view line = out.substr(start, end - start);
    if (line.rfind("\x1b[", 0) == 0) line.remove_prefix(line.find("\x1b[J") + 3);
    INFO("line: " << line);
    CHECK(Columns(line) < 80);
    ++lines;
  }
  CHECK(lines >= 3);
}

TEST_CASE("on a terminal a second run of a workflow shows an ETA from the last one",
          "[process][tty]") {
  Home h;
  const std::string file = h.tmp.Write("gated.yaml", kGated);
  h.tmp.Write("go-1", "");
  {
    PtyChild first(
        FlyteArgv(h.home(), {"run", file, "--input", "gate=" + (h.tmp / "go-1"), "--name", "e1"}),
        h.Env("TERM=xterm"));
    ProcessResult r = first.Wait();
    INFO(Describe(r));
    REQUIRE(r.exit_code == 0);
  }
  PtyChild c(
      FlyteArgv(h.home(), {"run", file, "--input", "gate=" + (h.tmp / "go-2"), "--name", "e2"}),
      h.Env("TERM=xterm"));
  const std::regex eta("RUNNING wf · e2 · " + kMillis + " · ETA (" + kMillis +
                       "|overdue)\x1b\\[K\n");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(eta));
  }
  h.tmp.Write("go-2", "");
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("✔ wf SUCCEEDED") != std::string::npos);
}

TEST_CASE("on a terminal a failed task's error and last lines are shown once, exit 1",
          "[process][tty]") {
  Home h;
  const std::string file = h.tmp.Write("fail.yaml", kGatedFailing);
  const std::string gate = h.tmp / "go";
  PtyChild c(FlyteArgv(h.home(), {"run", file, "--input", "gate=" + gate, "--name", "tty-fail"}),
             h.Env("TERM=xterm"));
  const std::regex running =
      LiveView("wf", "tty-fail", "1/2 · 1 succeeded · 0 failed · 1 running · 0 queued", "b");
  {
    INFO("output so far:\n" << c.output());
    REQUIRE(c.WaitFor(running));
  }
  h.tmp.Write("go", "");

  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK(std::regex_match(AfterLastClear(r.out),
                         std::regex("✗ b FAILED: exit code 3\n"
                                    "    │ warming up\n"
                                    "    │ the last words\n"
                                    "    logs: flyte logs tty-fail b --home " +
                                    h.home() +
                                    "\n"
                                    "✗ wf FAILED in " +
                                    kMillis + " · 1 succeeded, 1 failed · execution tty-fail\n")));
  CHECK(CountOccurrences(r.out, "exit code 3") == 1);
  CHECK(CountOccurrences(r.out, "warming up") == 1);
  CHECK(CountOccurrences(r.out, "the last words") == 1);
  CHECK(CountOccurrences(r.out, "some progress") == 0);
}

TEST_CASE("without a terminal, or with TERM dumb or unset, flyte run writes no escape codes",
          "[process][tty]") {
  Home h;
  const std::string file = h.tmp.Write("gated.yaml", kGated);
  const std::string gate = h.tmp.Write("go", "");  // `hold` need not wait here
  const std::vector<std::string> args = {"run", file, "--input", "gate=" + gate};

  auto check_plain = [](const std::string& what, const std::string& text) {
    INFO(what << ":\n" << text);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find("hold SUCCEEDED") != std::string::npos);
    CHECK(text.find("✔ wf SUCCEEDED in ") != std::string::npos);
    CHECK(text.find("answer: the answer is 42\n") != std::string::npos);
  };
  SECTION("stdout and stderr are pipes, even with TERM=xterm") {
    Child c(FlyteArgv(h.home(), args), h.Env("TERM=xterm"));
    ProcessResult r = c.Wait();
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    check_plain("pipes", r.out + r.err);
  }
  SECTION("a terminal with TERM=dumb") {
    PtyChild c(FlyteArgv(h.home(), args), h.Env("TERM=dumb"));
    ProcessResult r = c.Wait();
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    check_plain("TERM=dumb", r.out);
  }
  SECTION("a terminal without TERM") {
    PtyChild c(FlyteArgv(h.home(), args), h.Env("TERM"));
    ProcessResult r = c.Wait();
    INFO(Describe(r));
    CHECK(r.exit_code == 0);
    check_plain("no TERM", r.out);
  }
}

}  // namespace
}  // namespace flyte
