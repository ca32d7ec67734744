// List parameters of the admin API in Flyte's syntax: `filters=eq(phase,RUNNING)+gte(created_at,
// 2026-11-01T00:00:00Z)+value_in(name,a;b)`, `limit`, `token`, `sort_by.key`,
// `sort_by.direction`. Parsed once into the store's typed filter. Stateless.
#pragma once

#include <string>
#include <string_view>

#include "flyte/store.h"

namespace flyte::http {

// Adds the terms of `text` to `filter`. Times (fields ending in _at) are RFC 3339.
Status ParseFilters(std::string_view text, ExecutionFilter& filter);

struct ListParams {
  std::string_view filters, limit, token, sort_key, sort_direction;
};
// Applies every list parameter; InvalidArgument names the bad one.
Status ApplyListParams(const ListParams& params, ExecutionFilter& filter);

}  // namespace flyte::http
