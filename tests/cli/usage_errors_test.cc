// Values outside a closed set are refused before anything runs, with the valid values and the
// likely intended one (cli/choices.h); read-only commands never create a home; hints carry
// what they need to run as printed. The real binary, in a private home.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;

constexpr const char* kTwo = R"yaml(
tasks:
  ok:
    script: echo fine
  boom:
    script: |
      echo "about to fail" >&2
      exit 4
workflows:
  good:
    nodes:
      a: {task: ok}
  bad:
    nodes:
      a: {task: ok}
      b: {task: boom, after: [a]}
)yaml";

TEST_CASE("a mistyped command gets the commands and a did-you-mean, exit 2", "[process][usage]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"runn"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind(
            "flyte: unknown command 'runn'; did you mean 'run'?\ncommands: validate, graph, run, ",
            0) == 0);
  ProcessResult nested = f.Flyte({"config", "int"});
  CHECK(nested.exit_code == 2);
  CHECK(nested.err.rfind("flyte config: unknown command 'int'; did you mean 'init'?\n", 0) == 0);
  // A word that is nobody's typo still lists the commands.
  ProcessResult far = f.Flyte({"xyzzy"});
  CHECK(far.exit_code == 2);
  CHECK(far.err.rfind("flyte: unknown command 'xyzzy'\ncommands: ", 0) == 0);
}

TEST_CASE(
    "get executions --phase takes any case and lists those runs, and an unknown phase is exit 2",
    "[process][usage]") {
  CliFixture f;
  const std::string file = f.Write("two.yaml", kTwo);
  REQUIRE(f.Flyte({"run", file, "good", "--name", "went-well"}).exit_code == 0);
  REQUIRE(f.Flyte({"run", file, "bad", "--name", "went-wrong"}).exit_code == 1);

  ProcessResult failed = f.Flyte({"get", "executions", "--phase", "failed"});
  INFO(Describe(failed));
  CHECK(failed.exit_code == 0);
  CHECK(failed.out.find("went-wrong") != std::string::npos);
  CHECK(failed.out.find("went-well") == std::string::npos);
  CHECK(f.Json({"get", "executions", "--phase", "Succeeded"}).size() == 1);

  ProcessResult bogus = f.Flyte({"get", "executions", "--phase", "BOGUS"});
  CHECK(bogus.exit_code == 2);
  CHECK(bogus.out.empty());
  CHECK(
      bogus.err.rfind(
          "--phase: unknown phase 'BOGUS' (valid: QUEUED, RUNNING, SUCCEEDING, SUCCEEDED, FAILING, "
          "FAILED, ABORTING, ABORTED, TIMED_OUT)\n",
          0) == 0);
  ProcessResult typo = f.Flyte({"get", "executions", "--phase", "faild"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.rfind("--phase: unknown phase 'faild'; did you mean 'FAILED'? (valid: ", 0) == 0);
  ProcessResult format = f.Flyte({"get", "executions", "-o", "jsn"});
  CHECK(format.exit_code == 2);
  CHECK(format.err.find(
            "unknown output format 'jsn'; did you mean 'json'? (valid: table, json, yaml)") !=
        std::string::npos);
}

TEST_CASE("closed-set flags of other commands get the same did-you-mean", "[process][usage]") {
  CliFixture f;
  ProcessResult log = f.Flyte({"serve", "--log-format", "jsn"});
  CHECK(log.exit_code == 2);
  CHECK(log.err.rfind(
            "--log-format: unknown log format 'jsn'; did you mean 'json'? (valid: text, json)\n",
            0) == 0);
  ProcessResult graph = f.Flyte({"graph", "x.yaml", "--format", "mermiad"});
  CHECK(graph.exit_code == 2);
  CHECK(graph.err.find("unknown format 'mermiad'; did you mean 'mermaid'? (valid: dot, mermaid)") !=
        std::string::npos);
  ProcessResult cache = f.Flyte({"cache", "lst"});
  CHECK(cache.exit_code == 2);
  CHECK(cache.err.find("unknown action 'lst'; did you mean 'list'? (valid: list, clear)") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.home()));
}

TEST_CASE("flyte logs names the execution's nodes when the node does not exist",
          "[process][usage]") {
  CliFixture f;
  const std::string file = f.Write("two.yaml", kTwo);
  REQUIRE(f.Flyte({"run", file, "bad", "--name", "went-wrong"}).exit_code == 1);
  ProcessResult r = f.Flyte({"logs", "went-wrong", "nosuch"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "flyte logs: no node 'nosuch' in went-wrong; nodes are: a, b\n");
  ProcessResult typo = f.Flyte({"logs", "went-wrong", "bb"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err ==
        "flyte logs: no node 'bb' in went-wrong (did you mean 'b'?); nodes are: a, b\n");
}

TEST_CASE("flyte run FILE TARGET names the file's targets for an unknown one", "[process][usage]") {
  CliFixture f;
  const std::string file = f.Write("two.yaml", kTwo);
  ProcessResult r = f.Flyte({"run", file, "nosuch"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "flyte run: " + file +
                     " defines no workflow, task or launch plan named 'nosuch'; it has: good, bad, "
                     "ok, boom\n");
  ProcessResult typo = f.Flyte({"run", file, "goood"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("named 'goood' (did you mean 'good'?); it has: ") != std::string::npos);
  // --version names a registered version: with a file it is refused, not ignored.
  ProcessResult version = f.Flyte({"run", file, "good", "--version", "v1"});
  CHECK(version.exit_code == 2);
  CHECK(version.err ==
        "flyte run: --version picks a registered version for flyte run --remote NAME; a file runs "
        "as it is "
        "(flyte register FILE --version V registers it under one)\n");
  CHECK(f.AttemptDirs() == 0);
}

TEST_CASE("read-only commands never create a home, and say there is none", "[process][usage]") {
  CliFixture f;
  const std::string nowhere = f.tmp / "nonexistent";
  ProcessResult list = testing::Flyte(nowhere, {"get", "executions"});
  INFO(Describe(list));
  CHECK(list.exit_code == 0);
  CHECK(list.out.empty());
  CHECK(list.err == "flyte get: there is no flyte home at " + nowhere +
                        ": nothing has run there yet (flyte run creates it)\n");
  CHECK(testing::Flyte(nowhere, {"get", "executions", "-o", "json"}).out == "[]\n");
  ProcessResult one = testing::Flyte(nowhere, {"get", "execution", "x"});
  CHECK(one.exit_code == 2);
  ProcessResult logs = testing::Flyte(nowhere, {"logs", "x"});
  CHECK(logs.exit_code == 2);
  CHECK(testing::Flyte(nowhere, {"cache", "list"}).exit_code == 0);
  CHECK(testing::Flyte(nowhere, {"get", "workflows"}).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(nowhere));
}

TEST_CASE("the logs hint of a local run in another home runs as printed", "[process][usage]") {
  CliFixture f;
  const std::string file = f.Write("two.yaml", kTwo);
  ProcessResult r = f.Flyte({"run", file, "bad", "--name", "went-wrong"});
  INFO(Describe(r));
  REQUIRE(r.exit_code == 1);
  const std::string hint = "    logs: flyte logs went-wrong b --home " + f.home() + "\n";
  CHECK(r.err.find(hint) != std::string::npos);
  // As printed, without FLYTE_HOME: the flags find the execution.
  testing::Child c({FLYTE_BINARY, "logs", "went-wrong", "b", "--home", f.home()},
                   {"FLYTE_HOME=" + f.tmp / "elsewhere"});
  ProcessResult logs = c.Wait();
  CHECK(logs.exit_code == 0);
  CHECK(logs.out.find("about to fail") != std::string::npos);
}

}  // namespace
}  // namespace flyte
