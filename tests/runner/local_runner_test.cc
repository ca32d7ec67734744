// The local runner against real processes (WORKFLOW.md §3.1): how outputs are read, how
// failures are classified, and that aborting or finishing a task leaves no process behind.
#include "runner/local_runner.h"

#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "runner/runner_harness.h"
#include "util/sha256.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;
using testing::LiveGroupMembers;
using testing::ReadFile;
using testing::RunnerHarness;
using testing::WaitGroupGone;
using Status_ = AttemptResult::Status;

constexpr const char* kEveryType = R"yaml(
tasks:
  per_file:
    outputs:
      i: int
      f: float
      s: str
      b: bool
      t: datetime
      d: duration
      j: json
      xs: list[int]
      m: dict[str, float]
      o: optional[int]
      nothing: optional[str]
      e: enum[red, green]
      report: file
      folder: dir
    script: |
      cd "$FLYTE_OUTPUT_DIR"
      echo 42 > i
      echo 0.5 > f
      printf 'two words\n\n' > s
      echo true > b
      echo 2026-11-22T10:00:00Z > t
      echo 1h30m > d
      echo '{"a": [1, 2], "b": "x"}' > j
      echo '[1, 2, 3]' > xs
      echo '{"x": 0.5, "y": 2}' > m
      echo 7 > o
      echo null > nothing
      echo green > e
      printf 'file content\n' > report
      mkdir -p folder/sub && echo a > folder/a.txt && echo b > folder/sub/b.txt
  one_json:
    outputs:
      i: int
      f: float
      s: str
      b: bool
      t: datetime
      d: duration
      j: json
      xs: list[int]
      m: dict[str, float]
      o: optional[int]
      nothing: optional[str]
      e: enum[red, green]
      report: file
      folder: dir
    script: |
      cd "$FLYTE_OUTPUT_DIR"
      printf 'file content\n' > report.txt
      mkdir -p out/sub && echo a > out/a.txt && echo b > out/sub/b.txt
      cat > outputs.json <<'EOF'
      {"i": 42, "f": 0.5, "s": "two words\n", "b": true, "t": "2026-11-22T10:00:00Z",
       "d": "1h30m", "j": {"a": [1, 2], "b": "x"}, "xs": [1, 2, 3], "m": {"x": 0.5, "y": 2},
       "o": 7, "nothing": null, "e": "green", "report": "report.txt", "folder": "out"}
      EOF
)yaml";

// Outputs by name.
std::map<std::string, Value> ByName(const CompiledFile& file, const std::string& task,
                                    const AttemptResult& r) {
  const auto& vars = file.tasks[file.FindTask(task)].iface.outputs;
  REQUIRE(r.outputs.size() == vars.size());
  std::map<std::string, Value> out;
  for (size_t i = 0; i < vars.size(); ++i) out.emplace(vars[i].name, r.outputs[i]);
  return out;
}

// Checks the scalar and collection outputs of kEveryType and the blobs it wrote.
void CheckEveryType(const RunnerHarness& h, const std::map<std::string, Value>& out) {
  CHECK(out.at("i").ToCanonicalJson() == "42");
  CHECK(out.at("f").ToCanonicalJson() == "0.5");
  CHECK(out.at("s") == Value::Str("two words\n"));  // one trailing newline stripped
  CHECK(out.at("b") == Value::Bool(true));
  CHECK(out.at("t").ToCanonicalJson() == "\"2026-11-22T10:00:00Z\"");
  CHECK(out.at("d") == Value::Duration(5400LL * 1'000'000'000));
  CHECK(out.at("j").ToCanonicalJson() == R"({"a":[1,2],"b":"x"})");
  CHECK(out.at("xs").ToCanonicalJson() == "[1,2,3]");
  CHECK(out.at("m").ToCanonicalJson() == R"({"x":0.5,"y":2.0})");
  CHECK(out.at("o") == Value::Int(7));
  CHECK(out.at("nothing").is_null());
  CHECK(out.at("e") == Value::Str("green"));

  const Value& report = out.at("report");
  REQUIRE(report.kind() == Value::Kind::kFile);
  INFO(report.as_str());
  // BLOBS/ab/<sha256 of the content>/<name>
  const std::string digest = Sha256Hex("file content\n");
  CHECK(fs::path(report.as_str()).parent_path() ==
        fs::path(h.blob_root()) / digest.substr(0, 2) / digest);
  CHECK(ReadFile(report.as_str()) == "file content\n");

  const Value& folder = out.at("folder");
  REQUIRE(folder.kind() == Value::Kind::kDir);
  INFO(folder.as_str());
  CHECK(folder.as_str().rfind(h.blob_root() + "/", 0) == 0);
  CHECK(ReadFile(folder.as_str() + "/a.txt") == "a\n");
  CHECK(ReadFile(folder.as_str() + "/sub/b.txt") == "b\n");
}

TEST_CASE("a task's outputs of every type are read from one file each", "[process]") {
  RunnerHarness h;
  h.Compile(kEveryType);
  TaskLaunch launch = h.Launch("per_file");
  const std::string output_dir = launch.attempt_dir + "/outputs";
  AttemptResult r = h.Run(std::move(launch));
  INFO(r.code.text() << ": " << r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  CheckEveryType(h, ByName(*h.file, "per_file", r));
  // Files and folders were moved, not copied: later nodes see only the blob.
  CHECK_FALSE(fs::exists(output_dir + "/report"));
  CHECK_FALSE(fs::exists(output_dir + "/folder"));
}

TEST_CASE("a task's outputs of every type are read from outputs.json", "[process]") {
  RunnerHarness h;
  h.Compile(kEveryType);
  AttemptResult r = h.Run(h.Launch("one_json"));
  INFO(r.code.text() << ": " << r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  CheckEveryType(h, ByName(*h.file, "one_json", r));
}

TEST_CASE("a file output written outside the output folder is copied into the blob store",
          "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    outputs: {f: file}
    script: |
      printf kept > "$FLYTE_RAW_OUTPUT_DIR/model.bin"
      printf '{"f": "%s"}' "$FLYTE_RAW_OUTPUT_DIR/model.bin" > "$FLYTE_OUTPUT_DIR/outputs.json"
)yaml");
  TaskLaunch launch = h.Launch("t");
  const std::string raw = launch.raw_output_dir + "/model.bin";
  AttemptResult r = h.Run(std::move(launch));
  REQUIRE(r.status == Status_::kSucceeded);
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0].as_str().rfind(h.blob_root() + "/", 0) == 0);
  CHECK(ReadFile(r.outputs[0].as_str()) == "kept");
  CHECK(ReadFile(raw) == "kept");
}

TEST_CASE("an optional file output that was not written is null", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    outputs: {maybe: "optional[file]", n: int}
    script: echo 3 > "{{ outputs.n }}"
)yaml");
  AttemptResult r = h.Run(h.Launch("t"));
  INFO(r.code.text() << ": " << r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  REQUIRE(r.outputs.size() == 2);
  CHECK(r.outputs[0].is_null());
  CHECK(r.outputs[1] == Value::Int(3));
}

TEST_CASE("a task sees its inputs as text, as files, in inputs.json and its FLYTE_* environment",
          "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  show:
    inputs: {n: int, xs: "list[int]", who: str, data: file}
    outputs: {report: str}
    env: {GREETING: "hi {{ inputs.who }}"}
    script: |
      {
        echo "n=$(cat "$FLYTE_INPUT_DIR/n") xs={{ inputs.xs }}"
        echo "json=$(cat "$FLYTE_INPUT_DIR/inputs.json")"
        echo "data=$(cat "{{ inputs.data }}") linked=$(cat "$FLYTE_INPUT_DIR/data")"
        echo "env=$GREETING $FLYTE_NODE_ID $FLYTE_ATTEMPT $FLYTE_EXECUTION_ID"
        echo "dirs=$FLYTE_OUTPUT_DIR $FLYTE_RAW_OUTPUT_DIR $(pwd)"
      } > "{{ outputs.report }}"
)yaml");
  const std::string data = h.tmp.Write("data.txt", "payload");
  TaskLaunch launch =
      h.Launch("show", {Value::Int(3), Value::FromList({Value::Int(1), Value::Int(2)}),
                        Value::Str("Ada"), Value::File(data)});
  const std::string attempt = launch.attempt_dir, raw = launch.raw_output_dir;
  AttemptResult r = h.Run(std::move(launch));
  INFO(r.code.text() << ": " << r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0].as_str() ==
        "n=3 xs=[1,2]\n"
        "json={\"n\":3,\"xs\":[1,2],\"who\":\"Ada\",\"data\":\"" +
            data +
            "\"}\n"
            "data=payload linked=payload\n"
            "env=hi Ada show 0 flytesnacks/development/test\n"
            "dirs=" +
            attempt + "/outputs " + raw + " " + h.tmp.path());
}

// Signals ignored by flyte or by whoever started it (nohup, a shell's background job, our
// SIGPIPE) are not ignored in tasks: each starts with every signal at its default.
TEST_CASE("a task starts with no signal ignored, whatever flyte ignores", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  sigign:
    outputs: {ignored: str}
    script: grep '^SigIgn:' /proc/self/status | cut -f2 > "{{ outputs.ignored }}"
)yaml");
  struct sigaction ign {
  }, old_ttou{}, old_alrm{};
  ign.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGTTOU, &ign, &old_ttou) == 0);
  REQUIRE(::sigaction(SIGALRM, &ign, &old_alrm) == 0);
  AttemptResult r = h.Run(h.Launch("sigign"));
  ::sigaction(SIGTTOU, &old_ttou, nullptr);
  ::sigaction(SIGALRM, &old_alrm, nullptr);
  INFO(r.code.text() << ": " << r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  REQUIRE(r.outputs.size() == 1);
  // Bits of signals 1-31 (glibc's spawn ignores its own real-time signals, 32 and 33, which
  // a glibc program installs again at start).
  const std::string ignored = r.outputs[0].as_str();
  INFO("SigIgn " << ignored);
  CHECK((std::stoull(ignored, nullptr, 16) & 0x7fffffffULL) == 0);
}

TEST_CASE("_ERROR gives the message of a failed attempt", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  crash:
    script: |
      echo "model diverged at step 7" > "$FLYTE_OUTPUT_DIR/_ERROR"
      exit 1
  quiet:
    outputs: {n: int}
    script: |
      echo 1 > "{{ outputs.n }}"
      echo "refusing: no data" > "$FLYTE_OUTPUT_DIR/_ERROR"
)yaml");
  SECTION("with a non-zero exit code") {
    AttemptResult r = h.Run(h.Launch("crash"));
    CHECK(r.status == Status_::kUserError);
    CHECK(r.code.text() == "NonZeroExit");
    CHECK(r.exit_code == 1);
    CHECK(r.message == "model diverged at step 7 (exit code 1)");
  }
  SECTION("with exit code 0 it still fails the attempt") {
    AttemptResult r = h.Run(h.Launch("quiet"));
    CHECK(r.status == Status_::kUserError);
    CHECK(r.code.text() == "UserError");
    CHECK(r.message == "refusing: no data");
    CHECK(r.outputs.empty());
  }
}

TEST_CASE("a non-zero exit is a user error carrying the code and the last 20 lines of stderr",
          "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    script: |
      echo "to stdout"
      for i in $(seq 1 30); do echo "line $i" >&2; done
      exit 7
)yaml");
  TaskLaunch launch = h.Launch("t");
  const std::string attempt = launch.attempt_dir;
  AttemptResult r = h.Run(std::move(launch));
  CHECK(r.status == Status_::kUserError);
  CHECK(r.code.text() == "NonZeroExit");
  CHECK(r.exit_code == 7);
  CHECK(r.signal == 0);
  CHECK(r.message == "exit code 7");
  std::string expected;
  for (int i = 11; i <= 30; ++i)
    expected += (i > 11 ? "\n" : "") + std::string("line ") + std::to_string(i);
  CHECK(r.tail == expected);
  CHECK(r.stdout_path == attempt + "/stdout");
  CHECK(r.stderr_path == attempt + "/stderr");
  CHECK(ReadFile(r.stdout_path) == "to stdout\n");
}

TEST_CASE("a missing output fails the attempt naming the output and its type", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  no_scalar:
    outputs: {accuracy: float}
    script: "true"
  no_file:
    outputs: {model: file}
    script: "true"
  no_dir:
    outputs: {shards: dir}
    script: "true"
  json_without_it:
    outputs: {a: int, b: "list[str]"}
    script: |
      echo '{"a": 1}' > "$FLYTE_OUTPUT_DIR/outputs.json"
)yaml");
  auto check = [&](const std::string& task, const std::string& message) {
    AttemptResult r = h.Run(h.Launch(task));
    INFO(task);
    CHECK(r.status == Status_::kUserError);
    CHECK(r.code.text() == "OutputsNotFound");
    CHECK(r.exit_code == 0);
    CHECK(r.message == message);
  };
  check("no_scalar",
        "output 'accuracy' (float) was not written: the task must write $FLYTE_OUTPUT_DIR/accuracy "
        "(or all outputs to $FLYTE_OUTPUT_DIR/outputs.json)");
  check("no_file",
        "output 'model' (file) was not written: the task must create the file "
        "$FLYTE_OUTPUT_DIR/model");
  check("no_dir",
        "output 'shards' (dir) was not written: the task must create the folder "
        "$FLYTE_OUTPUT_DIR/shards");
  check("json_without_it", "output 'b' (list[str]) is missing from outputs.json");
}

TEST_CASE("an unparsable output fails the attempt naming the output and its type", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  bad_int:
    outputs: {n: int}
    script: echo abc > "{{ outputs.n }}"
  bad_enum:
    outputs: {color: "enum[red, green]"}
    script: echo blue > "{{ outputs.color }}"
  bad_list:
    outputs: {xs: "list[int]"}
    script: |
      echo '[1, "two"]' > "{{ outputs.xs }}"
  bad_json:
    outputs: {n: int}
    script: |
      echo '{"n": ' > "$FLYTE_OUTPUT_DIR/outputs.json"
)yaml");
  auto run = [&](const std::string& task) {
    AttemptResult r = h.Run(h.Launch(task));
    CHECK(r.status == Status_::kUserError);
    CHECK(r.code.text() == "OutputsInvalid");
    return r.message;
  };
  CHECK(run("bad_int") == "output 'n' (int): expected int, got 'abc'");
  CHECK(run("bad_enum") ==
        "output 'color' (enum[red, green]): 'blue' is not one of enum[red, green]");
  CHECK(run("bad_list").rfind("output 'xs' (list[int]): ", 0) == 0);
  CHECK(run("bad_json").rfind("outputs.json is not valid JSON: ", 0) == 0);
}

TEST_CASE("a command that does not exist is a system error: SpawnFailed", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  on_path:
    command: [flyte-test-no-such-program, --flag]
  by_path:
    command: [/nonexistent/flyte-test-program]
)yaml");
  AttemptResult r = h.Run(h.Launch("on_path"));
  CHECK(r.status == Status_::kSystemError);
  CHECK(r.code.text() == "SpawnFailed");
  CHECK(r.exit_code == -1);
  CHECK(r.message ==
        "cannot start 'flyte-test-no-such-program': command not found (is it installed and on "
        "PATH?)");
  r = h.Run(h.Launch("by_path"));
  CHECK(r.status == Status_::kSystemError);
  CHECK(r.code.text() == "SpawnFailed");
  CHECK(r.message == "cannot start '/nonexistent/flyte-test-program': command not found");
  CHECK(h.runner.running() == 0);
}

TEST_CASE("a task whose workdir does not exist fails without starting", "[process]") {
  RunnerHarness h;
  h.Compile("tasks:\n  t:\n    command: [\"true\"]\n");
  TaskLaunch launch = h.Launch("t");
  launch.workdir = h.tmp / "gone";
  AttemptResult r = h.Run(std::move(launch));
  CHECK(r.status == Status_::kUserError);
  CHECK(r.code.text() == "WorkdirNotFound");
  CHECK(r.message == "the task's workdir " + (h.tmp / "gone") + " does not exist");
  CHECK_FALSE(r.retryable);
}

TEST_CASE("a secret comes from FLYTE_SECRET_<NAME> and a missing one fails without starting",
          "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    outputs: {seen: str}
    secrets: [{name: wandb-key, env: WANDB_API_KEY}]
    script: |
      printf '%s' "$WANDB_API_KEY" > "{{ outputs.seen }}"
)yaml");
  ::unsetenv("FLYTE_SECRET_WANDB_KEY");
  AttemptResult r = h.Run(h.Launch("t"));
  CHECK(r.status == Status_::kUserError);
  CHECK(r.code.text() == "SecretNotFound");
  CHECK(r.message ==
        "secret 'wandb-key' is not available: set FLYTE_SECRET_WANDB_KEY in the environment of "
        "flyte or write it to " +
            h.secrets_dir() + "/wandb-key");
  CHECK_FALSE(r.retryable);

  ::setenv("FLYTE_SECRET_WANDB_KEY", "s3cr3t", 1);
  r = h.Run(h.Launch("t"));
  ::unsetenv("FLYTE_SECRET_WANDB_KEY");
  INFO(r.message);
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Str("s3cr3t")});
}

TEST_CASE("a secret may come from a file, and its value never reaches the logs", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  leaky:
    outputs: {n: int}
    secrets: [{name: db, env: PGPASSWORD}]
    script: |
      echo "connecting with $PGPASSWORD to the db"
      printf 'half of it: %s' "$PGPASSWORD" >&2
      echo ${#PGPASSWORD} > "{{ outputs.n }}"
  failing:
    secrets: [{name: db, env: PGPASSWORD}]
    script: |
      echo "bad password $PGPASSWORD" > "$FLYTE_OUTPUT_DIR/_ERROR"
      echo "stderr says $PGPASSWORD" >&2
      exit 1
  other:
    outputs: {seen: str}
    script: printf '%s' "${FLYTE_SECRET_WANDB_KEY:-none}" > "{{ outputs.seen }}"
)yaml");
  std::filesystem::create_directories(h.secrets_dir());
  std::ofstream(h.secrets_dir() + "/db") << "hunter2-very-secret\n";
  TaskLaunch launch = h.Launch("leaky");
  const std::string dir = launch.attempt_dir;
  AttemptResult r = h.Run(std::move(launch));
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Int(19)});  // the task saw the whole value
  CHECK(ReadFile(dir + "/stdout") == "connecting with [secret] to the db\n");
  CHECK(ReadFile(dir + "/stderr") == "half of it: [secret]");

  r = h.Run(h.Launch("failing"));
  CHECK(r.status == Status_::kUserError);
  CHECK(r.message == "bad password [secret] (exit code 1)");
  CHECK(r.tail == "stderr says [secret]");

  // A secret in flyte's own environment does not leak into tasks that do not declare it.
  ::setenv("FLYTE_SECRET_WANDB_KEY", "s3cr3t", 1);
  r = h.Run(h.Launch("other"));
  ::unsetenv("FLYTE_SECRET_WANDB_KEY");
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(r.outputs == std::vector<Value>{Value::Str("none")});
}

TEST_CASE("a task killed by a signal is a system error", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    script: |
      echo "about to go" >&2
      kill -KILL $$
)yaml");
  AttemptResult r = h.Run(h.Launch("t"));
  CHECK(r.status == Status_::kSystemError);
  CHECK(r.code.text() == "Signal");
  CHECK(r.exit_code == -1);
  CHECK(r.signal == SIGKILL);
  CHECK(r.message == "killed by SIGKILL");
  CHECK(r.tail == "about to go");
}

// A task that starts two background children and prints its pid (= its process group) once
// they exist.
constexpr const char* kTree = R"yaml(
tasks:
  tree:
    script: |
      sleep 100 & sleep 100 &
      echo $$
      wait
  stubborn:
    script: |
      trap '' TERM
      sleep 100 & sleep 100 &
      echo $$
      wait
)yaml";

pid_t StartTree(RunnerHarness& h, TaskLaunch launch) {
  launch.stream_output = true;
  uint64_t id = launch.id;
  h.runner.Start(std::move(launch));
  REQUIRE(h.RunUntil([&] { return !h.Lines(id, false).empty(); }));
  pid_t pgid = std::stoi(h.Lines(id, false).front());
  REQUIRE(pgid > 1);
  CHECK(LiveGroupMembers(pgid).size() == 3);  // sh and two sleeps
  return pgid;
}

TEST_CASE("Abort kills the whole process tree of a task", "[process]") {
  RunnerHarness h(/*abort_grace_nanos=*/5'000'000'000);
  h.Compile(kTree);
  TaskLaunch launch = h.Launch("tree");
  uint64_t id = launch.id;
  pid_t pgid = StartTree(h, std::move(launch));
  h.runner.Abort(id);
  CHECK(h.results.empty());  // never from inside Abort
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  const AttemptResult& r = h.results.at(id);
  CHECK(r.status == Status_::kAborted);
  CHECK(r.code.text() == "Aborted");
  CHECK(WaitGroupGone(pgid));
  CHECK(h.runner.running() == 0);
  testing::KillGroup(pgid);
}

TEST_CASE("Abort kills a task that ignores SIGTERM once the grace period is over", "[process]") {
  RunnerHarness h(/*abort_grace_nanos=*/100'000'000);
  h.Compile(kTree);
  TaskLaunch launch = h.Launch("stubborn");
  uint64_t id = launch.id;
  pid_t pgid = StartTree(h, std::move(launch));
  h.runner.Abort(id);
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  CHECK(h.results.at(id).status == Status_::kAborted);
  CHECK(WaitGroupGone(pgid));
  testing::KillGroup(pgid);
}

TEST_CASE("processes a task leaves behind are killed when it exits", "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    outputs: {leader: int}
    script: |
      sleep 100 &
      echo "left a sleep behind"
      echo $$ > "{{ outputs.leader }}"
)yaml");
  // Streaming too: the leftover holds the pipe open, and the attempt must still end.
  TaskLaunch launch = h.Launch("t");
  launch.stream_output = true;
  AttemptResult r = h.Run(std::move(launch));
  REQUIRE(r.status == Status_::kSucceeded);
  REQUIRE(r.outputs.size() == 1);
  const auto pgid = static_cast<pid_t>(r.outputs[0].as_int());
  CHECK(WaitGroupGone(pgid));
  testing::KillGroup(pgid);
}

TEST_CASE("streaming reports each line with its stream and still writes the log files",
          "[process]") {
  RunnerHarness h;
  h.Compile(R"yaml(
tasks:
  t:
    script: |
      echo out1
      echo err1 >&2
      echo out2
      printf 'no newline at the end' >&2
)yaml");
  TaskLaunch launch = h.Launch("t");
  launch.stream_output = true;
  uint64_t id = launch.id;
  AttemptResult r = h.Run(std::move(launch));
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(h.Lines(id, false) == std::vector<std::string>{"out1", "out2"});
  CHECK(h.Lines(id, true) == std::vector<std::string>{"err1", "no newline at the end"});
  CHECK(ReadFile(r.stdout_path) == "out1\nout2\n");
  CHECK(ReadFile(r.stderr_path) == "err1\nno newline at the end");
}

TEST_CASE("without streaming no lines are reported and output goes to the log files", "[process]") {
  RunnerHarness h;
  h.Compile("tasks:\n  t:\n    script: echo hello; echo oops >&2\n");
  AttemptResult r = h.Run(h.Launch("t"));
  REQUIRE(r.status == Status_::kSucceeded);
  CHECK(h.lines.empty());
  CHECK(ReadFile(r.stdout_path) == "hello\n");
  CHECK(ReadFile(r.stderr_path) == "oops\n");
}

TEST_CASE("several attempts run at once and each result arrives once", "[process]") {
  RunnerHarness h;
  h.Compile(
      "tasks:\n  t:\n    inputs: {n: int}\n    outputs: {n: int}\n"
      "    script: echo {{ inputs.n }} > \"{{ outputs.n }}\"\n");
  std::vector<uint64_t> ids;
  for (int i = 0; i < 4; ++i) {
    TaskLaunch l = h.Launch("t", {Value::Int(i)});
    ids.push_back(l.id);
    h.runner.Start(std::move(l));
  }
  CHECK(h.runner.running() == 4);
  REQUIRE(h.RunUntil([&] { return h.results.size() == 4; }));
  for (int i = 0; i < 4; ++i) {
    const AttemptResult& r = h.results.at(ids[static_cast<size_t>(i)]);
    REQUIRE(r.status == Status_::kSucceeded);
    CHECK(r.outputs == std::vector<Value>{Value::Int(i)});
  }
  CHECK(h.runner.running() == 0);
}

}  // namespace
}  // namespace flyte
