// The JSON codec's request parsing on bodies the fuzzer found (tests/fuzz/regressions/codec).
#include "http/codec.h"

#include <catch2/catch.hpp>

namespace flyte::http {
namespace {

TEST_CASE("a request body with a number past the double range is refused, not thrown") {
  Result<CreateExecutionRequest> r = ParseCreateExecution(
      R"({"project": "p", "domain": "staging", "workflow": {"name": "w"}, "max_parallelism": 1e999})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().ToString() ==
        "InvalidArgument: malformed JSON in the create-execution body: "
        "[json.exception.out_of_range.406] "
        "number overflow parsing '1e999'");
}

TEST_CASE("the client sends an inputs document that is not a JSON object as text") {
  CreateExecutionRequest r;
  r.project = "p";
  r.domain = "staging";
  r.target_kind = TargetKind::kWorkflow;
  r.target = "w";
  r.inputs_document = "[1]";
  const std::string body = CreateExecutionJson(r);
  CHECK(body ==
        R"({"domain":"staging","inputs_yaml":"[1]","project":"p","workflow":{"name":"w"}})");
  Result<CreateExecutionRequest> again = ParseCreateExecution(body);
  REQUIRE(again.ok());
  CHECK(again->inputs_document == "[1]");
}

}  // namespace
}  // namespace flyte::http
