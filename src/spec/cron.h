// Cron expressions for launch-plan schedules: five fields (minute hour day-of-month month
// day-of-week) with *, lists, ranges, steps and JAN/MON names, or @yearly, @monthly, @weekly,
// @daily, @midnight, @hourly.
#pragma once

#include <string>
#include <string_view>

#include "flyte/spec.h"

namespace flyte::spec {

struct CronParse {
  CronSpec spec;
  std::string error;  // empty on success
  size_t offset = 0;  // where the error is
  bool ok() const { return error.empty(); }
};

CronParse ParseCron(std::string_view text);

}  // namespace flyte::spec
