// Crash recovery and recover, against a real `flyte serve`: a server killed with SIGKILL is
// restarted on the same home and continues every execution, each task running once; a
// `flyte run` killed the same way leaves an execution the next server records as ABORTED;
// recover starts a new execution in which what succeeded is RECOVERED.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "http/server_fixture.h"

namespace flyte::testing {
namespace {

// Two steps. Odd n: step1 waits for the file go1. step2 always waits for go2. Every start of
// a task appends "EXECUTION STEP" to ran.log.
std::string TwoSteps(const std::string& dir) {
  return R"yaml(
tasks:
  step1:
    inputs: {n: int}
    outputs: {m: int}
    script: |
      echo "$FLYTE_EXECUTION_ID step1" >> )yaml" +
         dir + R"yaml(/ran.log
      readlink /proc/$PPID/exe >> )yaml" +
         dir + R"yaml(/supervisors.log
      if [ $(( {{ inputs.n }} % 2 )) -eq 1 ]; then
        while [ ! -f )yaml" +
         dir + R"yaml(/go1 ]; do sleep 0.02; done
      fi
      echo $(( {{ inputs.n }} + 1 )) > "{{ outputs.m }}"
  step2:
    inputs: {m: int}
    outputs: {r: int}
    script: |
      echo "$FLYTE_EXECUTION_ID step2" >> )yaml" +
         dir + R"yaml(/ran.log
      while [ ! -f )yaml" +
         dir + R"yaml(/go2 ]; do sleep 0.02; done
      echo $(( {{ inputs.m }} * 10 )) > "{{ outputs.r }}"
workflows:
  two:
    inputs: {n: int}
    outputs: {r: "{{ s2.r }}"}
    nodes:
      s1: {task: step1, inputs: {n: "{{ inputs.n }}"}}
      s2: {task: step2, inputs: {m: "{{ s1.m }}"}}
)yaml";
}

size_t CountLines(const std::string& log) {
  size_t n = 0;
  for (const auto& [line, count] : LineCounts(log)) n += static_cast<size_t>(count);
  return n;
}

std::string NodePhase(ServerFixture& s, const std::string& exec, const std::string& node) {
  HttpResult r = s.Get("/api/v1/node_executions/flytesnacks/development/" + exec);
  if (r.status != 200) return "";
  for (const auto& n : r.body["node_executions"]) {
    if (n["id"]["node_id"] == node) return n["closure"]["phase"];
  }
  return "";
}

TEST_CASE("after kill -9 a restarted server finishes all 20 executions, each task run once",
          "[server][recovery]") {
  ServerFixture s;
  const std::string dir = s.tmp.path();
  const std::string log = dir + "/ran.log";
  s.Register(TwoSteps(dir));
  for (int i = 0; i < 20; ++i) {
    s.Launch({{"project", "flytesnacks"},
              {"domain", "development"},
              {"name", "e" + std::to_string(i)},
              {"workflow", {{"name", "two"}}},
              {"inputs", {{"n", i}}}});
  }
  // Every step1 started and the even ones' step2 too: odd executions are in step1, even in step2.
  REQUIRE(WaitUntil([&] { return CountLines(log) == 30; }));
  for (int i = 0; i < 20; i += 2) {
    std::string name = "e" + std::to_string(i);
    REQUIRE(WaitUntil([&] { return NodePhase(s, name, "s2") == "RUNNING"; }));
  }
  s.Kill();
  // While no server runs, the odd step1s end: their status must not be lost.
  std::ofstream(dir + "/go1").put('\n');
  // Each step1's supervisor records its exit in the attempt folder (20: the even ones ended
  // before the kill, the odd ones now).
  REQUIRE(WaitUntil([&] {
    size_t recorded = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(s.home(), ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::filesystem::path& p = it->path();
      recorded += p.filename() == "exit" && p.parent_path().parent_path().filename() == "s1";
    }
    return recorded == 20;
  }));

  s.Start();
  CHECK(s.process().WaitForStderr("continuing 20 execution(s)"));
  // The odd executions move on to step2 (their step1 adopted from its record), while the even
  // ones' step2 is still followed where it runs.
  REQUIRE(WaitUntil([&] { return CountLines(log) == 40; }));
  CHECK(s.WaitFor("e0", "RUNNING")["closure"]["phase"] == "RUNNING");
  std::ofstream(dir + "/go2").put('\n');
  for (int i = 0; i < 20; ++i) {
    std::string name = "e" + std::to_string(i);
    nlohmann::json e = s.WaitFor(name);
    INFO(e.dump());
    CHECK(e["closure"]["phase"] == "SUCCEEDED");
    HttpResult data = s.Get("/api/v1/data/executions/flytesnacks/development/" + name);
    CHECK(data.body["outputs"]["r"] == (i + 1) * 10);
    for (const char* node : {"s1", "s2"}) {
      HttpResult attempts = s.Get(std::string("/api/v1/task_executions/flytesnacks/development/") +
                                  name + "/" + node);
      INFO(attempts.text);
      CHECK(attempts.body["task_executions"].size() == 1);
    }
  }
  std::map<std::string, int> runs = LineCounts(log);
  CHECK(runs.size() == 40);
  for (const auto& [line, count] : runs) {
    INFO(line);
    CHECK(count == 1);
  }
  // Every task ran under the static supervisor the server wrote to its home, not under the
  // flyte binary (which would work too, several times slower per task).
  std::map<std::string, int> supervisors = LineCounts(dir + "/supervisors.log");
  REQUIRE(supervisors.size() == 1);
  CHECK(supervisors.begin()->first.rfind(s.home() + "/bin/flyte-supervise-", 0) == 0);
  CHECK(supervisors.begin()->second == 20);
  CHECK(s.Stop().exit_code == 0);
}

TEST_CASE("a restarted server keeps an execution's envs, parallelism and early signals",
          "[server][recovery]") {
  ServerFixture s;
  const std::string dir = s.tmp.path();
  std::filesystem::create_directories(dir + "/running");
  s.Register(R"yaml(
tasks:
  hold:
    script: |
      echo "hold $GREETING" >> )yaml" +
             dir + R"yaml(/env.log
      while [ ! -f )yaml" +
             dir + R"yaml(/go ]; do sleep 0.02; done
  par:
    inputs: {i: int}
    script: |
      touch )yaml" +
             dir + R"yaml(/running/{{ inputs.i }}
      ls )yaml" +
             dir + R"yaml(/running | wc -l >> )yaml" + dir + R"yaml(/concurrency.log
      sleep 0.2
      rm )yaml" +
             dir + R"yaml(/running/{{ inputs.i }}
      echo "par $GREETING" >> )yaml" +
             dir + R"yaml(/env.log
workflows:
  w:
    outputs: {lr: "{{ lr.value }}"}
    nodes:
      first: {task: hold}
      lr: {signal: {name: lr, type: float}, after: [first]}
      p1: {task: par, inputs: {i: 1}, after: [lr]}
      p2: {task: par, inputs: {i: 2}, after: [lr]}
      p3: {task: par, inputs: {i: 3}, after: [lr]}
)yaml");
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "kept"},
            {"workflow", {{"name", "w"}}},
            {"envs", {{"GREETING", "hello"}}},
            {"max_parallelism", 1}});
  REQUIRE(WaitUntil([&] { return CountLines(dir + "/env.log") == 1; }));
  // The gate is not reached yet (first still runs): its value waits in the execution.
  HttpResult sig = s.Post(
      "/api/v1/signals",
      nlohmann::json{{"id",
                      {{"execution_id",
                        {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "kept"}}},
                       {"signal_id", "lr"}}},
                     {"value", 0.25}});
  INFO(sig.text);
  REQUIRE(sig.status == 200);
  s.Kill();
  std::ofstream(dir + "/go").put('\n');
  s.Start();
  nlohmann::json e = s.WaitFor("kept");
  INFO(e.dump());
  REQUIRE(e["closure"]["phase"] == "SUCCEEDED");
  HttpResult data = s.Get("/api/v1/data/executions/flytesnacks/development/kept");
  CHECK(data.body["outputs"]["lr"] == 0.25);
  std::map<std::string, int> env = LineCounts(dir + "/env.log");
  CHECK(env == std::map<std::string, int>{{"hold hello", 1}, {"par hello", 3}});
  std::map<std::string, int> concurrency = LineCounts(dir + "/concurrency.log");
  CHECK(concurrency == std::map<std::string, int>{{"1", 3}});  // one at a time, as asked
  // Relaunch keeps them too.
  HttpResult again =
      s.Post("/api/v1/executions/relaunch",
             nlohmann::json{
                 {"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "kept"}}},
                 {"name", "again"}});
  INFO(again.text);
  REQUIRE(again.status == 200);
  REQUIRE(WaitUntil([&] { return CountLines(dir + "/env.log") == 5; }));
  CHECK(LineCounts(dir + "/env.log")["hold hello"] == 2);
  CHECK(s.Stop().exit_code == 0);
}

TEST_CASE(
    "a second server on the same home refuses to start and names the first; kill -9 frees the home",
    "[server][recovery]") {
  ServerFixture s;
  Child second({FLYTE_BINARY, "serve", "--listen", "127.0.0.1:0", "--home", s.home()},
               FlyteEnv(s.home()));
  ProcessResult r = second.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());  // it never listened
  CHECK(r.err.find("another flyte serve is already using the home " + s.home()) !=
        std::string::npos);
  CHECK(r.err.find(s.url) != std::string::npos);
  CHECK(s.Get("/healthcheck").status == 200);  // the first one is untouched
  s.Kill();
  s.Start();  // the kernel dropped the dead server's lock
  CHECK(s.Get("/healthcheck").status == 200);
  CHECK(s.Stop().exit_code == 0);
}

TEST_CASE(
    "a home where the static supervisor cannot be written still gets supervised tasks, and says so",
    "[server][recovery]") {
  ServerFixture s({}, /*start=*/false);
  s.tmp.Write("home/bin", "not a folder");
  s.Start();
  CHECK(s.process().WaitForStderr("tasks run under `flyte __supervise` instead"));
  CHECK(s.process().err().find(s.home() + "/bin") != std::string::npos);
  const std::string dir = s.tmp.path();
  s.Register(R"yaml(
tasks:
  who:
    outputs: {o: int}
    script: |
      readlink /proc/$PPID/exe > )yaml" +
             dir + R"yaml(/supervisor.txt
      echo 5 > "{{ outputs.o }}"
workflows:
  w:
    outputs: {o: "{{ a.o }}"}
    nodes: {a: {task: who}}
)yaml");
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "fallback"},
            {"workflow", {{"name", "w"}}}});
  CHECK(s.WaitFor("fallback")["closure"]["phase"] == "SUCCEEDED");
  std::ifstream in(dir + "/supervisor.txt");
  std::string exe;
  std::getline(in, exe);
  CHECK(exe == std::string(FLYTE_BINARY));
  CHECK(s.Stop().exit_code == 0);
}

TEST_CASE("an execution of a flyte run killed with SIGKILL is recorded ABORTED by the next server",
          "[server][recovery]") {
  ServerFixture s({}, /*start=*/false);
  const std::string wf = s.tmp.Write("wait.yaml", R"yaml(
tasks:
  wait:
    script: |
      touch started
      sleep 30
workflows:
  w:
    nodes: {a: {task: wait}}
)yaml");
  Child run(FlyteArgv(s.home(), {"run", wf, "--name", "local1"}), FlyteEnv(s.home()));
  REQUIRE(WaitUntil([&] { return std::ifstream(s.tmp.path() + "/started").good(); }));
  // Its RUNNING is committed (what the next server reads).
  REQUIRE(WaitUntil([&] {
    ProcessResult got = testing::Flyte(s.home(), {"get", "execution", "local1", "-o", "json"});
    nlohmann::json j = nlohmann::json::parse(got.out, nullptr, false);
    return got.exit_code == 0 && j.is_object() && j["phase"] == "RUNNING";
  }));
  // A crash of flyte run (its watchdog kills the tasks: runner/watchdog.h).
  REQUIRE(::kill(run.pid(), SIGKILL) == 0);
  (void)run.Wait();
  s.Start();
  nlohmann::json e = s.WaitFor("local1", "ABORTED", 5000);
  CHECK(e["closure"]["error"]["code"] == "Orphaned");
  CHECK(std::string(e["closure"]["error"]["message"]).find("flyte run process") !=
        std::string::npos);
}

TEST_CASE("recover reruns only what did not succeed; its succeeded nodes are RECOVERED",
          "[server][recovery]") {
  ServerFixture s;
  const std::string dir = s.tmp.path();
  s.Register(R"yaml(
tasks:
  first:
    outputs: {v: int}
    script: |
      echo first >> )yaml" +
             dir + R"yaml(/ran.log
      echo 5 > "{{ outputs.v }}"
  second:
    inputs: {v: int}
    outputs: {w: int}
    script: |
      echo second >> )yaml" +
             dir + R"yaml(/ran.log
      [ -f )yaml" +
             dir + R"yaml(/fixed ] || exit 3
      echo $(( {{ inputs.v }} * 2 )) > "{{ outputs.w }}"
workflows:
  flow:
    outputs: {w: "{{ b.w }}"}
    nodes:
      a: {task: first}
      b: {task: second, inputs: {v: "{{ a.v }}"}}
)yaml");
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "broken"},
            {"workflow", {{"name", "flow"}}}});
  CHECK(s.WaitFor("broken")["closure"]["phase"] == "FAILED");

  HttpResult early = s.Post(
      "/api/v1/executions/recover",
      nlohmann::json{
          {"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "nope"}}}});
  CHECK(early.status == 404);

  std::ofstream(dir + "/fixed").put('\n');
  HttpResult r = s.Post(
      "/api/v1/executions/recover",
      nlohmann::json{
          {"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "broken"}}},
          {"name", "fixed1"}});
  INFO(r.text);
  REQUIRE(r.status == 200);
  CHECK(r.body["id"]["name"] == "fixed1");
  nlohmann::json e = s.WaitFor("fixed1");
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(e["spec"]["mode"] == "RECOVERED");
  CHECK(NodePhase(s, "fixed1", "a") == "RECOVERED");
  CHECK(NodePhase(s, "fixed1", "b") == "SUCCEEDED");
  CHECK(s.Get("/api/v1/data/executions/flytesnacks/development/fixed1").body["outputs"]["w"] == 10);
  std::map<std::string, int> runs = LineCounts(dir + "/ran.log");
  CHECK(runs["first"] == 1);
  CHECK(runs["second"] == 2);

  // From the CLI, recovering the recovered one: everything is RECOVERED, nothing runs.
  ProcessResult cli =
      Flyte(s.tmp / "client-home", {"recover", "fixed1", "--name", "again", "--endpoint", s.url});
  INFO(Describe(cli));
  CHECK(cli.exit_code == 0);
  CHECK(cli.out == "again\n");
  CHECK(s.WaitFor("again")["closure"]["phase"] == "SUCCEEDED");
  CHECK(NodePhase(s, "again", "b") == "RECOVERED");
  CHECK(LineCounts(dir + "/ran.log")["second"] == 2);

  // A running execution cannot be recovered yet.
  std::remove((dir + "/fixed").c_str());
  s.Register(R"yaml(
tasks:
  slow:
    script: sleep 5
workflows:
  slow:
    nodes: {a: {task: slow}}
)yaml");
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "busy"},
            {"workflow", {{"name", "slow"}}}});
  HttpResult busy = s.Post(
      "/api/v1/executions/recover",
      nlohmann::json{
          {"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "busy"}}}});
  CHECK(busy.status == 409);
  CHECK(std::string(busy.body["error"]["message"]).find("once it has ended") != std::string::npos);
}

}  // namespace
}  // namespace flyte::testing
