#include "http/filters.h"

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

struct OpName {
  const char* name;
  FieldCondition::Op op;
};
constexpr OpName kOps[] = {
    {"eq", FieldCondition::Op::kEq},
    {"ne", FieldCondition::Op::kNe},
    {"gt", FieldCondition::Op::kGt},
    {"gte", FieldCondition::Op::kGte},
    {"lt", FieldCondition::Op::kLt},
    {"lte", FieldCondition::Op::kLte},
    {"contains", FieldCondition::Op::kContains},
    {"value_in", FieldCondition::Op::kValueIn},
};

}  // namespace

Status ParseFilters(std::string_view text, ExecutionFilter& filter) {
  if (Trim(text).empty()) return Status::Ok();
  for (std::string_view term : Split(text, '+')) {
    term = Trim(term);
    size_t open = term.find('(');
    if (open == std::string_view::npos || term.back() != ')') {
      return InvalidArgument("filter " + Quote(term) +
                             " must look like op(field,value), e.g. eq(phase,RUNNING)");
    }
    std::string op_name(term.substr(0, open));
    const OpName* op = nullptr;
    std::vector<std::string> names;
    for (const OpName& o : kOps) {
      names.emplace_back(o.name);
      if (op_name == o.name) op = &o;
    }
    if (op == nullptr) {
      return InvalidArgument("unknown filter operation " + Quote(op_name) +
                             DidYouMean(op_name, names) +
                             "; the operations are: " + Join(names, ", "));
    }
    std::string_view args = term.substr(open + 1, term.size() - open - 2);
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) {
      return InvalidArgument("filter " + Quote(term) + " needs a field and a value: " + op_name +
                             "(field,value)");
    }
    FieldCondition c;
    c.field = std::string(Trim(args.substr(0, comma)));
    c.op = op->op;
    std::string_view value = args.substr(comma + 1);
    std::vector<std::string_view> values;
    if (c.op == FieldCondition::Op::kValueIn) {
      values = Split(value, ';');
    } else {
      values.push_back(value);
    }
    const bool time = EndsWith(c.field, "_at");
    for (std::string_view v : values) {
      if (!time) {
        c.values.emplace_back(v);
        continue;
      }
      std::optional<int64_t> at = ParseDatetime(Trim(v));
      if (!at) {
        return InvalidArgument("filter " + Quote(term) + ": " + Quote(v) +
                               " is not a time such as 2026-11-01T00:00:00Z");
      }
      c.values.push_back(std::to_string(*at));
    }
    filter.conditions.push_back(std::move(c));
  }
  return Status::Ok();
}

Status ApplyListParams(const ListParams& p, ExecutionFilter& filter) {
  RETURN_IF_ERROR(ParseFilters(p.filters, filter));
  if (!p.limit.empty()) {
    int64_t limit = 0;
    if (!ParseInt64(p.limit, &limit) || limit < 1 || limit > 1000) {
      return InvalidArgument("limit must be an integer from 1 to 1000, got " + Quote(p.limit));
    }
    filter.limit = static_cast<uint32_t>(limit);
  }
  if (!p.token.empty()) {
    // The token is the offset of the next page: opaque to clients, but simple to check.
    int64_t offset = 0;
    if (!ParseInt64(p.token, &offset) || offset < 0 || offset > 100'000'000) {
      return InvalidArgument("token " + Quote(p.token) + " is not one this server gave out");
    }
    filter.offset = static_cast<uint32_t>(offset);
  }
  if (!p.sort_key.empty()) filter.sort_key = std::string(p.sort_key);
  if (!p.sort_direction.empty()) {
    if (p.sort_direction != "ASCENDING" && p.sort_direction != "DESCENDING") {
      return InvalidArgument("sort_by.direction must be ASCENDING or DESCENDING, got " +
                             Quote(p.sort_direction));
    }
    filter.ascending = p.sort_direction == "ASCENDING";
  }
  return Status::Ok();
}

}  // namespace flyte::http
