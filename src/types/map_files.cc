#include "types/map_files.h"

namespace flyte {

Result<Value> MapFiles(const Value& v, const std::function<Result<Value>(const Value&)>& fn) {
  switch (v.kind()) {
    case Value::Kind::kFile:
    case Value::Kind::kDir:
      return fn(v);
    case Value::Kind::kList: {
      Value::List items;
      for (const Value& i : v.as_list()) {
        ASSIGN_OR_RETURN(Value x, MapFiles(i, fn));
        items.push_back(std::move(x));
      }
      return Value::FromList(std::move(items));
    }
    case Value::Kind::kMap: {
      Value::Map entries;
      for (const auto& [k, i] : v.as_map()) {
        ASSIGN_OR_RETURN(Value x, MapFiles(i, fn));
        entries.emplace_back(k, std::move(x));
      }
      return Value::FromMap(std::move(entries));
    }
    default:
      return v;
  }
}

}  // namespace flyte
