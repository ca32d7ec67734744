// Fuzz target: the list parameters of GET /executions, one per line: filters, limit, token,
// sort_by.key, sort_by.direction. Parameters that parse give a typed filter the store accepts
// or rejects by name (InvalidArgument), never with an SQL error.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/store.h"
#include "fuzz/fuzz_check.h"
#include "http/filters.h"
#include "util/strings.h"

namespace flyte::fuzz {
namespace {

// One in-memory store for the whole run: opening one migrates its schema, which is slow.
Store& TheStore() {
  static std::unique_ptr<Store> store = [] {
    Result<std::unique_ptr<Store>> opened = Store::Open(":memory:");
    FUZZ_CHECK(opened.ok(), opened.status().ToString());
    return std::move(*opened);
  }();
  return *store;
}

}  // namespace

int FuzzFilter(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = Split(input, '\n');
  lines.resize(5);
  http::ListParams params{lines[0], lines[1], lines[2], lines[3], lines[4]};
  ExecutionFilter filter;
  Status st = http::ApplyListParams(params, filter);
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == StatusCode::kInvalidArgument, st.ToString());
    return 0;
  }
  FUZZ_CHECK(filter.limit >= 1 && filter.limit <= 1000, std::to_string(filter.limit));
  for (const FieldCondition& c : filter.conditions) {
    FUZZ_CHECK(!c.values.empty(), c.field);
    if (c.op != FieldCondition::Op::kValueIn) FUZZ_CHECK(c.values.size() == 1, c.field);
    if (EndsWith(c.field, "_at")) {
      for (const std::string& v : c.values) {
        int64_t nanos = 0;
        FUZZ_CHECK(ParseInt64(v, &nanos), c.field + " holds " + v);
      }
    }
  }
  Result<std::vector<ExecutionRecord>> listed = TheStore().ListExecutions(filter);
  FUZZ_CHECK(listed.ok() || listed.status().code() == StatusCode::kInvalidArgument,
             listed.status().ToString());
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzFilter(data, size);
}
#endif
