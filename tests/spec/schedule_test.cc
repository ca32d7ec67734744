// Launch plan settings the loader checks on its own: schedules, catch-up, notifications, labels.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader points at the cron field that is out of range") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule: {cron: "0 25 * * *"}
)") == Lines{"wf.yaml:8:25: error[InvalidValue]: invalid cron '0 25 * * *': hour 25 is out of "
             "range 0-23"});
}

TEST_CASE("loader counts the fields of a cron expression") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule:
      cron: "0 2 * *"
)") == Lines{"wf.yaml:9:14: error[InvalidValue]: invalid cron '0 2 * *': a cron expression has 5 "
             "fields (minute hour day-of-month month day-of-week), got 4"});
}

TEST_CASE("loader suggests the cron descriptor a misspelt one resembles") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule:
      cron: "@dayly"
)") == Lines{"wf.yaml:9:14: error[InvalidValue]: invalid cron '@dayly': unknown schedule "
             "'@dayly' (did you mean '@daily'?)"});
}

TEST_CASE("loader requires a unit on a schedule's interval") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule: {every: 10}
)") == Lines{"wf.yaml:8:23: error[InvalidValue]: expected a duration such as 30s, 5m or 1h30m for "
             "every, got an int 10"});
}

TEST_CASE("loader requires exactly one of cron and every") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule: {cron: "0 2 * * *", every: 1h}
)") == Lines{"wf.yaml:8:15: error[ValueRequired]: schedule of launch plan 'nightly' needs "
             "exactly one of cron or every"});
}

TEST_CASE("loader rejects a time zone that cannot be an IANA name") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule: {every: 1h, timezone: Pacific Time}
)") == Lines{"wf.yaml:8:37: error[InvalidValue]: unknown time zone 'Pacific Time' (use an IANA "
             "name such as Europe/Paris)"});
}

TEST_CASE("loader suggests the catch-up policy a misspelt one resembles") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    catchup: lates
)") == Lines{"wf.yaml:8:14: error[InvalidValue]: 'lates' is not a valid catchup; expected one of "
             "none, latest, all (did you mean 'latest'?)"});
}

TEST_CASE("loader checks a notification's phases and webhook") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    notifications:
      - {on: [faild], webhook: "ftp://x"}
)") == Lines{"wf.yaml:9:15: error[InvalidValue]: unknown phase 'faild' (did you mean 'failed'?)",
             "wf.yaml:9:32: error[InvalidValue]: webhook must be an http:// or https:// URL, got "
             "'ftp://x'"});
}

TEST_CASE("loader rejects a label value Kubernetes would refuse") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    labels: {team: "ML team"}
)") == Lines{"wf.yaml:8:20: error[InvalidValue]: label value 'ML team' must be at most 63 "
             "characters of [A-Za-z0-9-_.], starting and ending with a letter or digit"});
}

TEST_CASE("loader reads a daily schedule with a kickoff input") {
  auto file = testing::Compiled(R"(
workflows:
  wf:
    inputs: {run_date: datetime}
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: wf
    schedule: {cron: "@daily", kickoff_input: run_date}
)");
  const CompiledLaunchPlan& lp = file->launch_plans[file->FindLaunchPlan("nightly")];
  REQUIRE(lp.spec->schedule.has_value());
  REQUIRE(lp.spec->schedule->cron.has_value());
  CHECK(lp.spec->schedule->cron->minutes == 1);
  CHECK(lp.spec->schedule->cron->hours == 1);
  CHECK(lp.kickoff_input == 0);
  CHECK(lp.iface.inputs.size() == 1);
}

}  // namespace
}  // namespace flyte
