// Failure codes are one enum spelled by one table: every code's text parses back to it, no two
// codes share a text, and text this flyte does not know is kept as it came.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "flyte/exec_error_code.h"

namespace flyte {
namespace {

TEST_CASE("every failure code's name parses back to the code") {
  for (size_t i = 0; i < kExecErrorCodeCount; ++i) {
    const auto code = static_cast<ExecErrorCode>(i);
    INFO(i << " " << ExecErrorCodeName(code));
    CHECK(ParseExecErrorCode(ExecErrorCodeName(code)) == code);
    CHECK(AnyExecErrorCode::FromText(ExecErrorCodeName(code)) == code);
    CHECK(AnyExecErrorCode(code).text() == ExecErrorCodeName(code));
  }
}

TEST_CASE("failure code names are unique, and only kNone has none") {
  std::set<std::string> seen;
  for (size_t i = 0; i < kExecErrorCodeCount; ++i) {
    const std::string name(ExecErrorCodeName(static_cast<ExecErrorCode>(i)));
    CHECK(seen.insert(name).second);
    CHECK(name.empty() == (i == 0));
  }
  CHECK(seen.size() == kExecErrorCodeCount);
}

TEST_CASE("failure codes keep the spellings stored in databases") {
  // A sample across the groups; a renamed code would break every stored row and API filter.
  CHECK(ExecErrorCodeName(ExecErrorCode::kNonZeroExit) == "NonZeroExit");
  CHECK(ExecErrorCodeName(ExecErrorCode::kOutputsNotFound) == "OutputsNotFound");
  CHECK(ExecErrorCodeName(ExecErrorCode::kOOMKilled) == "OOMKilled");
  CHECK(ExecErrorCodeName(ExecErrorCode::kUnexpectedAdmissionError) == "UnexpectedAdmissionError");
  CHECK(ExecErrorCodeName(ExecErrorCode::kReceivedRejectSignal) == "ReceivedRejectSignal");
  CHECK(ExecErrorCodeName(ExecErrorCode::kResumeFailed) == "ResumeFailed");
  CHECK(ExecErrorCodeName(ExecErrorCode::kNone).empty());
}

TEST_CASE("a failure code this flyte does not know keeps its text") {
  AnyExecErrorCode c = AnyExecErrorCode::FromText("OutOfnvidia.com/gpu");
  CHECK(c == ExecErrorCode::kUnknown);
  CHECK(c.text() == "OutOfnvidia.com/gpu");
  CHECK_FALSE(c.empty());
  CHECK(ParseExecErrorCode("OutOfnvidia.com/gpu") == ExecErrorCode::kUnknown);
  // Exact text: case matters, as it does in stored rows and API filters.
  CHECK(ParseExecErrorCode("nonzeroexit") == ExecErrorCode::kUnknown);
  CHECK(AnyExecErrorCode::FromText("nonzeroexit").text() == "nonzeroexit");
  // Two unknown codes are the same only with the same text.
  CHECK_FALSE(c == AnyExecErrorCode::FromText("OutOfcpu"));
  CHECK(c == AnyExecErrorCode::FromText("OutOfnvidia.com/gpu"));
  // Empty text is no code.
  CHECK(AnyExecErrorCode::FromText("").empty());
  CHECK(AnyExecErrorCode::FromText("").text().empty());
}

}  // namespace
}  // namespace flyte
