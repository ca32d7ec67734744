// Outputs a task leaves that are not regular files (named pipes, links out of a folder output):
// reading them must never block, so `flyte run` ends promptly with an error that names the
// output and what it is. A pipe opened for reading used to wait for a writer for good, on the
// loop or on libuv's thread pool, and Ctrl-C could not end it.
#include <catch2/catch.hpp>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;

// Long enough for a loaded machine, far shorter than the 60 s a hung run is given by default.
constexpr int kPromptlyMs = 20000;

// Runs `flyte run FILE t -o json` (task t) and requires it to fail its execution (exit 1) in
// time; returns the report's error.
nlohmann::json RunFailing(CliFixture& f, const std::string& yaml) {
  const std::string file = f.Write("wf.yaml", yaml);
  Child run(testing::FlyteArgv(f.home(), {"run", file, "t", "-o", "json"}),
            testing::FlyteEnv(f.home()));
  ProcessResult r = run.Wait(kPromptlyMs);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 1);
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE(j.is_object());
  return j["error"];
}

bool Contains(const nlohmann::json& s, const std::string& part) {
  return s.get<std::string>().find(part) != std::string::npos;
}

TEST_CASE("a file output that is a named pipe fails the task with OutputsNotRegular",
          "[process][outputs]") {
  CliFixture f;
  nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {f: file}
    script: mkfifo "{{ outputs.f }}"
)yaml");
  INFO(error.dump());
  CHECK(error["code"] == "OutputsNotRegular");
  CHECK(Contains(error["message"], "output 'f' (file)"));
  CHECK(Contains(error["message"], "is a named pipe (FIFO), not a regular file"));
}

TEST_CASE("a scalar output file that is a named pipe fails the task with OutputsNotRegular",
          "[process][outputs]") {
  CliFixture f;
  nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {n: int}
    script: mkfifo "{{ outputs.n }}"
)yaml");
  INFO(error.dump());
  CHECK(error["code"] == "OutputsNotRegular");
  CHECK(Contains(error["message"], "output 'n' (int)"));
  CHECK(Contains(error["message"], "is a named pipe (FIFO), not a regular file"));
}

TEST_CASE("an outputs.json that is a named pipe fails the task with OutputsNotRegular",
          "[process][outputs]") {
  CliFixture f;
  nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {n: int}
    script: mkfifo "$FLYTE_OUTPUT_DIR/outputs.json"
)yaml");
  INFO(error.dump());
  CHECK(error["code"] == "OutputsNotRegular");
  CHECK(Contains(error["message"], "/outputs.json is a named pipe (FIFO), not a regular file"));
}

TEST_CASE("an _ERROR that is a named pipe fails the task and says so", "[process][outputs]") {
  CliFixture f;
  SECTION("after a zero exit") {
    nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    script: mkfifo "$FLYTE_OUTPUT_DIR/_ERROR"
)yaml");
    INFO(error.dump());
    CHECK(error["code"] == "OutputsNotRegular");
    CHECK(Contains(error["message"], "/_ERROR is a named pipe (FIFO), not a regular file"));
  }
  SECTION("after a failure") {
    nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    script: mkfifo "$FLYTE_OUTPUT_DIR/_ERROR"; exit 4
)yaml");
    INFO(error.dump());
    CHECK(error["code"] == "NonZeroExit");
    CHECK(Contains(error["message"],
                   "/_ERROR is a named pipe (FIFO), not a regular file (exit code 4)"));
  }
}

TEST_CASE("an output read as a value is bounded, with an error saying so", "[process][outputs]") {
  CliFixture f;
  nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    script: head -c 2000000 /dev/zero | tr '\0' x > "$FLYTE_OUTPUT_DIR/_ERROR"
)yaml");
  INFO(error.dump());
  CHECK(error["code"] == "OutputsInvalid");
  CHECK(Contains(error["message"], "/_ERROR is larger than 1 MiB"));
}

TEST_CASE("a folder output holding a named pipe or a link out of it fails the task",
          "[process][outputs]") {
  CliFixture f;
  SECTION("a named pipe") {
    nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {d: dir}
    script: mkdir -p "{{ outputs.d }}/sub" && echo hi > "{{ outputs.d }}/a" && mkfifo "{{ outputs.d }}/sub/p"
)yaml");
    INFO(error.dump());
    CHECK(error["code"] == "OutputsNotRegular");
    CHECK(Contains(error["message"], "output 'd'"));
    CHECK(Contains(error["message"], "sub/p is a named pipe (FIFO)"));
  }
  SECTION("a named pipe and a link out of the folder") {
    nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {d: dir}
    script: mkdir "{{ outputs.d }}" && ln -s /etc "{{ outputs.d }}/out" && mkfifo "{{ outputs.d }}/p"
)yaml");
    INFO(error.dump());
    CHECK(error["code"] == "OutputsNotRegular");
    CHECK(Contains(error["message"], "output 'd'"));
  }
  SECTION("a link out of the folder") {
    nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    outputs: {d: dir}
    script: mkdir "{{ outputs.d }}" && ln -s /etc/passwd "{{ outputs.d }}/out"
)yaml");
    INFO(error.dump());
    CHECK(error["code"] == "OutputsNotRegular");
    CHECK(Contains(error["message"], "out is a symbolic link to /etc/passwd, outside the folder"));
  }
}

TEST_CASE("a folder output with links inside it is still stored", "[process][outputs]") {
  CliFixture f;
  const std::string file = f.Write("wf.yaml", R"yaml(
tasks:
  t:
    outputs: {d: dir}
    script: mkdir "{{ outputs.d }}" && echo hi > "{{ outputs.d }}/a" && ln -s a "{{ outputs.d }}/b"
)yaml");
  ProcessResult r = f.Flyte({"run", file, "t"});
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
}

TEST_CASE("a dynamic task's _workflow.yaml that is a named pipe fails the task",
          "[process][outputs]") {
  CliFixture f;
  nlohmann::json error = RunFailing(f, R"yaml(
tasks:
  t:
    dynamic: true
    script: mkfifo "$FLYTE_OUTPUT_DIR/_workflow.yaml"
)yaml");
  INFO(error.dump());
  CHECK(error["code"] == "OutputsNotRegular");
  CHECK(Contains(error["message"], "_workflow.yaml is a named pipe (FIFO), not a regular file"));
}

}  // namespace
}  // namespace flyte
