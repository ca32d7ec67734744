// `flyte validate` as a user runs it: the real binary, its stderr and its exit code.
#include <catch2/catch.hpp>

#include <string>

#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::Child;
using testing::ProcessResult;

ProcessResult Validate(const std::string& path) {
  Child c({FLYTE_BINARY, "validate", path});
  return c.Wait();
}

TEST_CASE("flyte validate prints the error, the source line and a caret, and exits 2") {
  const std::string path = FLYTE_SOURCE_DIR "/tests/corpus/malformed/05-unknown-task.yaml";
  ProcessResult r = Validate(path);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == path +
                     ":8:19: error[TaskReferenceNotFound]: node 'fit' runs unknown task 'trian' "
                     "(did you mean 'train'?)\n"
                     "        fit: {task: trian}\n"
                     "                    ^\n" +
                     path + ": 1 error\n");
}

TEST_CASE("flyte validate reports every error of a file and counts them") {
  testing::TempDir dir;
  std::string path = dir.Write("two.yaml",
                               "tasks:\n"
                               "  greet:\n"
                               "    script: echo hi\n"
                               "    retires: 3\n"
                               "    timeout: 5\n");
  ProcessResult r = Validate(path);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err == path +
                     ":4:5: error[UnknownKey]: unknown key 'retires' in task 'greet' (did you "
                     "mean 'retries'?)\n"
                     "      retires: 3\n"
                     "      ^\n" +
                     path +
                     ":5:14: error[InvalidValue]: expected a duration such as 30s, 5m or 1h30m "
                     "for timeout, got an int 5\n"
                     "      timeout: 5\n"
                     "               ^\n" +
                     path + ": 2 errors\n");
}

TEST_CASE("flyte validate reports an error about the whole file without a caret") {
  const std::string path = FLYTE_SOURCE_DIR "/tests/corpus/malformed/30-empty-file.yaml";
  ProcessResult r = Validate(path);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err == path +
                     ": error[ValueRequired]: the file is empty; a workflow file defines tasks:, "
                     "workflows: and launch_plans:\n" +
                     path + ": 1 error\n");
}

TEST_CASE("flyte validate reports a missing file as an IO error") {
  testing::TempDir dir;
  std::string path = dir / "missing.yaml";
  ProcessResult r = Validate(path);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        path + ": error[IOError]: cannot read: No such file or directory\n" + path + ": 1 error\n");
}

TEST_CASE("flyte validate accepts the hello example and exits 0") {
  const std::string path = FLYTE_SOURCE_DIR "/examples/hello.yaml";
  ProcessResult r = Validate(path);
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind(path + ": ok (", 0) == 0);
}

}  // namespace
}  // namespace flyte
