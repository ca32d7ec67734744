// The task cache end to end (WORKFLOW.md §3.2): real runs against one home, checking what each
// run reports for the node and whether a process was started at all.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;
using testing::ReportNode;

// A file with one cached task `add` (settings `cache`, script `script`) in workflow `wf`.
std::string AddFile(const std::string& cache, const std::string& script) {
  return R"yaml(
tasks:
  add:
    inputs: {a: int, seed: {type: int, default: 0}}
    outputs: {s: int}
    cache: )yaml" +
         cache + R"yaml(
    script: |
      )yaml" +
         script + R"yaml(
workflows:
  wf:
    inputs: {a: int, seed: {type: int, default: 0}}
    outputs: {s: "{{ add.s }}"}
    nodes:
      add: {task: add, inputs: {a: "{{ inputs.a }}", seed: "{{ inputs.seed }}"}}
)yaml";
}

const std::string kPlusOne = R"(echo $(( {{ inputs.a }} + 1 )) > "{{ outputs.s }}")";
const std::string kPlusOneEdited =
    R"(echo $(( {{ inputs.a }} + 1 )) > "{{ outputs.s }}"  # edited)";

class CacheFixture : public CliFixture {
 public:
  // Runs `wf` of `file` and returns the cache status of node `add`, checking the output.
  std::string Run(const std::string& file, std::vector<std::string> extra = {},
                  int64_t expect = 2) {
    std::vector<std::string> args = {"run", file, "wf", "--input", "a=1"};
    args.insert(args.end(), extra.begin(), extra.end());
    nlohmann::json j = Json(args);
    CHECK(j["outputs"]["s"] == expect);
    last = ReportNode(j, "add");
    return last["cache_status"];
  }
  nlohmann::json last;
};

TEST_CASE("a second run with the same inputs is a cache hit that starts no process", "[process]") {
  CacheFixture f;
  const std::string file = f.Write("add.yaml", AddFile("true", kPlusOne));
  CHECK(f.Run(file) == "CACHE_POPULATED");
  CHECK(f.last["attempts"] == 1);
  CHECK(f.AttemptDirs() == 1);
  CHECK(f.Run(file) == "CACHE_HIT");
  CHECK(f.last["attempts"] == 0);
  CHECK(f.last["phase"] == "SUCCEEDED");
  CHECK(f.AttemptDirs() == 1);
  // Other inputs miss.
  nlohmann::json j = f.Json({"run", file, "wf", "--input", "a=5"});
  CHECK(ReportNode(j, "add")["cache_status"] == "CACHE_POPULATED");
  CHECK(j["outputs"]["s"] == 6);
}

TEST_CASE("editing a cached task's script invalidates its cache", "[process]") {
  CacheFixture f;
  CHECK(f.Run(f.Write("add.yaml", AddFile("true", kPlusOne))) == "CACHE_POPULATED");
  CHECK(f.Run(f.Write("add.yaml", AddFile("true", kPlusOneEdited))) == "CACHE_POPULATED");
  CHECK(f.AttemptDirs() == 2);
}

TEST_CASE("a pinned cache version survives a script edit", "[process]") {
  CacheFixture f;
  CHECK(f.Run(f.Write("add.yaml", AddFile("{version: \"1\"}", kPlusOne))) == "CACHE_POPULATED");
  CHECK(f.Run(f.Write("add.yaml", AddFile("{version: \"1\"}", kPlusOneEdited))) == "CACHE_HIT");
  // Bumping it misses.
  CHECK(f.Run(f.Write("add.yaml", AddFile("{version: \"2\"}", kPlusOneEdited))) ==
        "CACHE_POPULATED");
}

TEST_CASE("ignored inputs do not change the cache key", "[process]") {
  CacheFixture f;
  const std::string file = f.Write("add.yaml", AddFile("{ignore_inputs: [seed]}", kPlusOne));
  CHECK(f.Run(file, {"--input", "seed=1"}) == "CACHE_POPULATED");
  CHECK(f.Run(file, {"--input", "seed=2"}) == "CACHE_HIT");
  CHECK(f.AttemptDirs() == 1);
}

TEST_CASE("without ignore_inputs every input is part of the cache key", "[process]") {
  CacheFixture f;
  const std::string file = f.Write("add.yaml", AddFile("true", kPlusOne));
  CHECK(f.Run(file, {"--input", "seed=1"}) == "CACHE_POPULATED");
  CHECK(f.Run(file, {"--input", "seed=2"}) == "CACHE_POPULATED");
}

TEST_CASE("a file input is cached by its content, not its path", "[process]") {
  CacheFixture f;
  const std::string file = f.Write("count.yaml", R"yaml(
tasks:
  count:
    inputs: {f: file}
    outputs: {n: int}
    cache: true
    script: |
      wc -c < "{{ inputs.f }}" > "{{ outputs.n }}"
)yaml");
  const std::string data = f.Write("data.txt", "hello\n");
  auto run = [&](int64_t expect) {
    nlohmann::json j = f.Json({"run", file, "count", "--input", "f=" + data});
    CHECK(j["outputs"]["n"] == expect);
    return ReportNode(j, "count")["cache_status"].get<std::string>();
  };
  CHECK(run(6) == "CACHE_POPULATED");
  CHECK(run(6) == "CACHE_HIT");
  f.Write("data.txt", "hello world\n");
  CHECK(run(12) == "CACHE_POPULATED");
  f.Write("data.txt", "hello\n");
  CHECK(run(6) == "CACHE_HIT");
}

TEST_CASE("flyte run --overwrite-cache runs the task again and --no-cache bypasses the cache",
          "[process]") {
  CacheFixture f;
  const std::string file = f.Write("add.yaml", AddFile("true", kPlusOne));
  CHECK(f.Run(file) == "CACHE_POPULATED");
  CHECK(f.Run(file, {"--overwrite-cache"}) == "CACHE_SKIPPED");
  CHECK(f.last["attempts"] == 1);
  CHECK(f.AttemptDirs() == 2);
  CHECK(f.Run(file, {"--no-cache"}) == "CACHE_DISABLED");
  CHECK(f.last["attempts"] == 1);
  CHECK(f.AttemptDirs() == 3);
  // The entry is still there afterwards.
  CHECK(f.Run(file) == "CACHE_HIT");
}

TEST_CASE("an expired cache entry is a miss", "[process]") {
  CacheFixture f;
  // 1ms: long gone by the time the next process looks it up.
  const std::string file = f.Write("add.yaml", AddFile("{ttl: 1ms}", kPlusOne));
  CHECK(f.Run(file) == "CACHE_POPULATED");
  CHECK(f.Run(file) == "CACHE_POPULATED");
  CHECK(f.AttemptDirs() == 2);
}

TEST_CASE("flyte cache list shows entries and flyte cache clear removes them", "[process]") {
  CacheFixture f;
  const std::string file = f.Write("both.yaml", R"yaml(
tasks:
  one:
    outputs: {n: int}
    cache: true
    script: echo 1 > "{{ outputs.n }}"
  two:
    outputs: {n: int}
    cache: true
    script: echo 2 > "{{ outputs.n }}"
workflows:
  wf:
    nodes:
      a: {task: one}
      b: {task: two}
)yaml");
  ProcessResult run = f.Flyte({"run", file, "--name", "fill"});
  REQUIRE(run.exit_code == 0);

  nlohmann::json all = f.Json({"cache", "list"});
  CHECK(all.size() == 2);
  nlohmann::json ones = f.Json({"cache", "list", "--task", "one"});
  REQUIRE(ones.size() == 1);
  CHECK(ones[0]["task"] == "one");
  CHECK(ones[0]["producer"] == "flytesnacks/development/fill/a");
  CHECK(ones[0]["expires_at"].is_null());
  ProcessResult table = f.Flyte({"cache", "list", "--task", "one"});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("flytesnacks/development/fill/a") != std::string::npos);

  ProcessResult cleared = f.Flyte({"cache", "clear", "--task", "one"});
  INFO(Describe(cleared));
  CHECK(cleared.exit_code == 0);
  CHECK(cleared.out == "removed 1 cache entry of task one\n");
  CHECK(f.Json({"cache", "list", "--task", "one"}).empty());
  CHECK(f.Json({"cache", "list"}).size() == 1);

  nlohmann::json again = f.Json({"run", file});
  CHECK(ReportNode(again, "a")["cache_status"] == "CACHE_POPULATED");
  CHECK(ReportNode(again, "b")["cache_status"] == "CACHE_HIT");
}

TEST_CASE("a large output is kept in the blob area and served whole from the cache", "[process]") {
  CliFixture f;
  const std::string file = f.Write("big.yaml", R"yaml(
tasks:
  big:
    outputs: {text: str}
    cache: true
    script: head -c 300000 /dev/zero | tr '\0' z > "{{ outputs.text }}"
workflows:
  wf:
    outputs: {text: "{{ big.text }}"}
    nodes: {big: {task: big}}
)yaml");
  nlohmann::json first = f.Json({"run", file, "wf"});
  CHECK(first["outputs"]["text"].get<std::string>().size() == 300000);
  nlohmann::json second = f.Json({"run", file, "wf"});
  CHECK(ReportNode(second, "big")["cache_status"] == "CACHE_HIT");
  CHECK(second["outputs"]["text"] == first["outputs"]["text"]);
  // The history reads the value back from its blob.
  nlohmann::json got = f.Json({"get", "execution", second["execution"]["name"].get<std::string>()});
  CHECK(got["outputs"]["text"] == first["outputs"]["text"]);
  CHECK(std::filesystem::exists(f.home() + "/blobs/values"));
}

}  // namespace
}  // namespace flyte
