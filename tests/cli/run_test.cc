// `flyte run` end to end (CLI.md): outputs, exit codes, error reporting, machine-readable
// results, JUnit reports and Ctrl-C, by running the built binary against a private home.
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <signal.h>

#include <cctype>
#include <cstring>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::CountOccurrences;
using testing::Describe;
using testing::ProcessResult;
using testing::ReportNode;

const std::string kHello = std::string(FLYTE_SOURCE_DIR) + "/examples/hello.yaml";

constexpr const char* kFailing = R"yaml(
tasks:
  ok:
    outputs: {n: int}
    script: echo 1 > "{{ outputs.n }}"
  boom:
    inputs: {n: int}
    script: |
      echo "some progress"
      echo "warming up" >&2
      echo "the last words" >&2
      exit 3
workflows:
  wf:
    nodes:
      a: {task: ok}
      b: {task: boom, inputs: {n: "{{ a.n }}"}}
)yaml";

constexpr const char* kNeedsInt = R"yaml(
tasks:
  echo_n:
    inputs: {n: int}
    outputs: {m: int}
    script: echo {{ inputs.n }} > "{{ outputs.m }}"
workflows:
  wf:
    inputs: {n: int}
    outputs: {m: "{{ t.m }}"}
    nodes:
      t: {task: echo_n, inputs: {n: "{{ inputs.n }}"}}
)yaml";

bool HasEscapeCodes(const ProcessResult& r) {
  return r.out.find('\x1b') != std::string::npos || r.err.find('\x1b') != std::string::npos;
}

TEST_CASE("flyte run prints the workflow's outputs and exits 0", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"run", kHello, "--input", "who=Ada"});
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "greeting: Hello, Ada!\n");
  // Progress goes to stderr, one plain line per change when it is not a terminal.
  CHECK(r.err.find("greet SUCCEEDED") != std::string::npos);
  CHECK_FALSE(HasEscapeCodes(r));
}

TEST_CASE("flyte run runs a single task of a file on its own", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"run", kHello, "greet", "--input", "who=Ada"});
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "greeting: Hello, Ada!\n");
}

TEST_CASE("a failing task exits 1 and its last output lines appear once under its error",
          "[process]") {
  CliFixture f;
  const std::string file = f.Write("fail.yaml", kFailing);
  ProcessResult r = f.Flyte({"run", file});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  const size_t error = r.err.find("✗ b FAILED: exit code 3\n");
  REQUIRE(error != std::string::npos);
  CHECK(r.err.substr(error).rfind("✗ b FAILED: exit code 3\n"
                                  "    │ warming up\n"
                                  "    │ the last words\n",
                                  0) == 0);
  CHECK(CountOccurrences(r.err, "the last words") == 1);
  CHECK(CountOccurrences(r.err, "warming up") == 1);
  CHECK_FALSE(HasEscapeCodes(r));
}

TEST_CASE("bad --input values exit 2 and run nothing", "[process]") {
  CliFixture f;
  const std::string file = f.Write("n.yaml", kNeedsInt);
  auto check = [&](std::vector<std::string> inputs, const std::string& message) {
    std::vector<std::string> args = {"run", file};
    for (const std::string& i : inputs) args.insert(args.end(), {"--input", i});
    ProcessResult r = f.Flyte(args);
    INFO(Describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "flyte run: " + message + "\n");
  };
  check({"n=1", "x=2"},
        "unknown input 'x' for workflow 'wf' (did you mean 'n'?); its inputs are: n (int)");
  check({"n=abc"}, "--input n=abc: expected int, got 'abc' (input 'n' is int)");
  check({}, "missing input 'n' (int) of workflow 'wf': pass --input n=VALUE");
  check({"n"}, "--input expects NAME=VALUE, got 'n'");
  CHECK(f.AttemptDirs() == 0);
  CHECK(f.Executions().empty());
}

TEST_CASE("an invalid workflow file exits 2 with FILE:LINE:COL diagnostics", "[process]") {
  CliFixture f;
  const std::string file = f.Write("bad.yaml", R"yaml(tasks:
  t:
    script: "true"
workflows:
  wf:
    nodes:
      a: {task: nope}
      b: {task: t, after: [zzz]}
)yaml");
  ProcessResult r = f.Flyte({"run", file});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        file +
            ":7:17: error[TaskReferenceNotFound]: node 'a' runs unknown task 'nope'\n"
            "        a: {task: nope}\n"
            "                  ^\n" +
            file +
            ":8:28: error[NodeReferenceNotFound]: 'after' of node 'b' names unknown node 'zzz'\n"
            "        b: {task: t, after: [zzz]}\n"
            "                             ^\n");
  CHECK(f.AttemptDirs() == 0);
  CHECK(f.Executions().empty());
}

TEST_CASE("a workflow file that does not exist exits 2", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"run", f.tmp / "missing.yaml"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(f.tmp / "missing.yaml") != std::string::npos);
}

TEST_CASE("flyte run -o json prints the documented fields", "[process]") {
  CliFixture f;
  const std::string file = f.Write("fail.yaml", kFailing);
  SECTION("a success") {
    nlohmann::json j = f.Json({"run", kHello, "--input", "who=Ada", "--name", "json-ok"});
    CHECK(j["execution"] == nlohmann::json{{"project", "flytesnacks"},
                                           {"domain", "development"},
                                           {"name", "json-ok"}});
    CHECK(j["phase"] == "SUCCEEDED");
    CHECK(j["outputs"] == nlohmann::json{{"greeting", "Hello, Ada!"}});
    CHECK(j["error"].is_null());
    CHECK(j["duration_ms"].is_number_integer());
    CHECK(j["duration_ms"] >= 0);
    REQUIRE(j["nodes"].size() == 1);
    const auto& n = j["nodes"][0];
    CHECK(n["id"] == "greet");
    CHECK(n["phase"] == "SUCCEEDED");
    CHECK(n["cache_status"] == "CACHE_DISABLED");
    CHECK(n["attempts"] == 1);
    CHECK(n["duration_ms"].is_number_integer());
  }
  SECTION("a failure") {
    nlohmann::json j = f.Json({"run", file}, /*expect_exit=*/1);
    CHECK(j["phase"] == "FAILED");
    CHECK(j["outputs"] == nlohmann::json::object());
    REQUIRE(j["error"].is_object());
    CHECK(j["error"]["code"] == "NonZeroExit");
    CHECK(j["error"]["message"] == "exit code 3");
    CHECK(j["error"]["node"] == "b");
    CHECK(ReportNode(j, "a")["phase"] == "SUCCEEDED");
    CHECK(ReportNode(j, "b")["phase"] == "FAILED");
    CHECK(ReportNode(j, "b")["attempts"] == 1);
  }
}

TEST_CASE("flyte run -o yaml prints the same report as YAML", "[process]") {
  CliFixture f;
  ProcessResult r =
      f.Flyte({"run", kHello, "--input", "who=Ada", "--name", "yaml-ok", "-o", "yaml"});
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  YAML::Node y = YAML::Load(r.out);
  CHECK(y["execution"]["name"].as<std::string>() == "yaml-ok");
  CHECK(y["phase"].as<std::string>() == "SUCCEEDED");
  CHECK(y["outputs"]["greeting"].as<std::string>() == "Hello, Ada!");
  CHECK(y["error"].IsNull());
  CHECK(y["nodes"][0]["id"].as<std::string>() == "greet");
  CHECK(y["nodes"][0]["attempts"].as<int>() == 1);
  CHECK_FALSE(HasEscapeCodes(r));
}

TEST_CASE("flyte run -v streams task output prefixed with its node", "[process]") {
  CliFixture f;
  const std::string file = f.Write("talk.yaml", R"yaml(
tasks:
  talk:
    script: |
      echo "hello from stdout"
      echo "hello from stderr" >&2
workflows:
  wf:
    nodes: {speaker: {task: talk}}
)yaml");
  ProcessResult r = f.Flyte({"run", file, "-v"});
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(CountOccurrences(r.err, "speaker | hello from stdout\n") == 1);
  CHECK(CountOccurrences(r.err, "speaker | hello from stderr\n") == 1);
}

// Enough of XML to check what the JUnit writer produces: a declaration, balanced elements,
// quoted attributes, and no raw '<' or '&' in text. Returns the element names in order.
bool ParseXml(const std::string& xml, std::vector<std::string>* elements, std::string* error) {
  size_t i = 0;
  if (xml.rfind("<?xml ", 0) == 0) i = xml.find("?>") + 2;
  std::vector<std::string> open;
  auto entity_ok = [&](size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (xml.compare(at, std::strlen(e), e) == 0) return true;
    }
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) return *error = "bad entity at " + std::to_string(i), false;
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return *error = "text outside the root at " + std::to_string(i), false;
      }
      ++i;
      continue;
    }
    size_t end = i + 1;
    char quote = 0;
    while (end < xml.size() && (quote != 0 || xml[end] != '>')) {
      if (quote == 0 && (xml[end] == '"' || xml[end] == '\''))
        quote = xml[end];
      else if (xml[end] == quote)
        quote = 0;
      else if (quote != 0 && xml[end] == '<')
        return *error = "'<' in an attribute", false;
      else if (quote != 0 && xml[end] == '&' && !entity_ok(end))
        return *error = "bad entity in an attribute", false;
      ++end;
    }
    if (end >= xml.size()) return *error = "unterminated tag", false;
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1))
        return *error = "unbalanced </" + tag.substr(1) + ">", false;
      open.pop_back();
    } else {
      if (open.empty() && !elements->empty()) return *error = "two roots", false;
      std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
      elements->push_back(name);
      if (tag.back() != '/') open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty()) return *error = "unclosed <" + open.back() + ">", false;
  return true;
}

TEST_CASE("flyte run --junit writes one testcase per node and a failure for the failed one",
          "[process]") {
  CliFixture f;
  const std::string file = f.Write("fail.yaml", kFailing);
  const std::string report = f.tmp / "junit.xml";
  ProcessResult r = f.Flyte({"run", file, "--junit", report});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  const std::string xml = testing::ReadFile(report);
  INFO(xml);
  std::vector<std::string> elements;
  std::string error;
  CHECK(ParseXml(xml, &elements, &error));
  INFO(error);
  CHECK(elements ==
        std::vector<std::string>{"testsuites", "testsuite", "testcase", "testcase", "failure"});
  CHECK(xml.find("<testsuite name=\"wf\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"a\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"exit code 3\" type=\"NonZeroExit\">warming up\nthe last "
                 "words</failure>") != std::string::npos);
}

TEST_CASE("Ctrl-C aborts flyte run: exit 130, ABORTED recorded, no task left behind", "[process]") {
  CliFixture f;
  const std::string file = f.Write("slow.yaml", R"yaml(
tasks:
  slow:
    script: |
      sleep 30 & sleep 30 &
      echo "started $$"
      wait
workflows:
  wf:
    nodes: {nap: {task: slow}}
)yaml");
  pid_t pgid = 0;
  struct Reaper {
    pid_t& pgid;
    ~Reaper() { testing::KillGroup(pgid); }
  } reaper{pgid};
  testing::Child run(testing::FlyteArgv(f.home(), {"run", file, "--name", "interrupted", "-v"}),
                     testing::FlyteEnv(f.home()));
  INFO(run.err());
  REQUIRE(run.WaitForStderr("nap | started "));
  pgid = std::stoi(run.err().substr(run.err().find("nap | started ") + 14));
  CHECK(testing::LiveGroupMembers(pgid).size() == 3);

  run.Signal(SIGINT);
  ProcessResult r = run.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("nap ABORTED") != std::string::npos);
  CHECK(testing::WaitGroupGone(pgid));

  nlohmann::json j = f.Json({"get", "execution", "interrupted", "--details"});
  CHECK(j["phase"] == "ABORTED");
  REQUIRE(j["nodes"].size() == 1);
  CHECK(j["nodes"][0]["phase"] == "ABORTED");
  CHECK(j["error"]["code"] == "Aborted");
}

}  // namespace
}  // namespace flyte

namespace flyte {
namespace {

using testing::CliFixture;
using testing::ProcessResult;

TEST_CASE("a second Ctrl-C kills tasks that ignore SIGTERM instead of waiting out the grace period",
          "[process]") {
  CliFixture f;
  const std::string file = f.Write("stubborn.yaml", R"yaml(
tasks:
  stubborn:
    script: |
      trap '' TERM
      echo "started $$"
      sleep 60
workflows:
  wf:
    nodes: {nap: {task: stubborn}}
)yaml");
  pid_t pgid = 0;
  struct Reaper {
    pid_t& pgid;
    ~Reaper() { testing::KillGroup(pgid); }
  } reaper{pgid};
  testing::Child run(testing::FlyteArgv(f.home(), {"run", file, "-v"}),
                     testing::FlyteEnv(f.home()));
  INFO(run.err());
  REQUIRE(run.WaitForStderr("nap | started "));
  pgid = std::stoi(run.err().substr(run.err().find("nap | started ") + 14));
  run.Signal(SIGINT);
  REQUIRE(run.WaitForStderr("interrupted: stopping the running tasks", 5000));
  run.Signal(SIGINT);
  // Well inside the 10 s grace period the first Ctrl-C started.
  ProcessResult r = run.Wait(7000);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("interrupted again: killing the running tasks now") != std::string::npos);
  CHECK(testing::WaitGroupGone(pgid));
}

}  // namespace
}  // namespace flyte
