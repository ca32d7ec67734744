// The options and signals an execution's row keeps for a restart: they read back as written,
// whatever the envs hold, and a damaged or outdated value is refused or dropped, never guessed.
#include "admin/stored_request.h"

#include <catch2/catch.hpp>

namespace flyte {
namespace {

TEST_CASE("stored options read back as written, envs with any characters included") {
  ExecutionOptions o;
  o.max_parallelism = 3;
  o.overwrite_cache = true;
  o.no_cache = false;
  o.env = {
      {"A", "plain"}, {"QUOTES", "say \"hi\"\n\ttab"}, {"EMPTY", ""}, {"UNICODE", "h\xc3\xa9"}};
  o.gate_default_timeout_nanos = 5'000'000'000;
  o.gate_hint = "pass --signal x=V";
  ExecutionOptions back;
  REQUIRE(ReadOptionsJson(OptionsJson(o), &back));
  CHECK(back.max_parallelism == 3);
  CHECK(back.overwrite_cache);
  CHECK_FALSE(back.no_cache);
  CHECK(back.env == o.env);
  CHECK(back.gate_default_timeout_nanos == 5'000'000'000);
  CHECK(back.gate_hint == o.gate_hint);
}

TEST_CASE("a parallelism the request did not set is not stored, so the plan's applies again") {
  ExecutionOptions o;
  o.max_parallelism = 0;
  const std::string json = OptionsJson(o);
  CHECK(json.find("max_parallelism") == std::string::npos);
  ExecutionOptions back;
  back.max_parallelism = 7;  // the launch plan's, say
  REQUIRE(ReadOptionsJson(json, &back));
  CHECK(back.max_parallelism == 7);
}

TEST_CASE("damaged stored options are refused") {
  ExecutionOptions o;
  CHECK_FALSE(ReadOptionsJson("[1, 2]", &o));
  CHECK_FALSE(ReadOptionsJson("{\"max_parallelism\": \"many\"}", &o));
  CHECK_FALSE(ReadOptionsJson("{\"max_parallelism\": -1}", &o));
  CHECK_FALSE(ReadOptionsJson("{\"env\": [1]}", &o));
  CHECK_FALSE(ReadOptionsJson("{\"no_cache\": 3}", &o));
  CHECK_FALSE(ReadOptionsJson("{not json", &o));
}

TEST_CASE("stored signals come back for the gates that still take them") {
  std::map<std::string, Value> sent = {
      {"lr", Value::Float(0.5)}, {"ok", Value::Bool(true)}, {"gone", Value::Int(1)}};
  const std::string json = SignalsJson(sent);
  std::map<std::string, Type> gates = {{"lr", Type::Float()}, {"ok", Type::Bool()}};
  auto back = ReadSignalsJson(json, gates);
  REQUIRE(back.size() == 2);
  CHECK(back[0] == std::make_pair(std::string("lr"), Value::Float(0.5)));
  CHECK(back[1] == std::make_pair(std::string("ok"), Value::Bool(true)));
  // A gate whose type changed no longer takes the old value; garbage gives nothing.
  gates["ok"] = Type::Int();
  CHECK(ReadSignalsJson(json, gates).size() == 1);
  CHECK(ReadSignalsJson("oops", gates).empty());
}

}  // namespace
}  // namespace flyte
