// docs/workflow.schema.json is what editors check workflow files against; the loader checks
// against src/spec/keys.h. These tests keep the two from drifting apart.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "spec/keys.h"

namespace flyte {
extern const char kWorkflowSchemaJson[];  // generated from docs/workflow.schema.json
}  // namespace flyte

namespace flyte::spec {
namespace {

using nlohmann::json;

const std::string kSchemaPath = std::string(FLYTE_SOURCE_DIR) + "/docs/workflow.schema.json";

std::string ReadSchemaText() {
  std::ifstream in(kSchemaPath, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <size_t N>
std::set<std::string> Keys(const std::string_view (&list)[N]) {
  return std::set<std::string>(std::begin(list), std::end(list));
}

std::set<std::string> PropertyNames(const json& object) {
  std::set<std::string> out;
  for (const auto& [name, value] : object.at("properties").items()) out.insert(name);
  return out;
}

// An object definition: closed, and every property explains itself (editors show it on hover).
void CheckObject(const json& object, const std::string& name) {
  INFO("object: " << name);
  CHECK(object.value("type", json()) == "object");
  CHECK(object.value("additionalProperties", json()) == false);
  for (const auto& [key, property] : object.at("properties").items()) {
    INFO("property: " << key);
    REQUIRE(property.is_object());
    CHECK(property.contains("description"));
    CHECK_FALSE(property.value("description", std::string()).empty());
  }
}

TEST_CASE("the published JSON schema lists exactly the keys the loader accepts") {
  const json schema = json::parse(ReadSchemaText());
  CHECK(schema.at("$schema") == "http://json-schema.org/draft-07/schema#");

  CHECK(PropertyNames(schema) == Keys(keys::kFile));
  CheckObject(schema, "the file");

  const struct {
    const char* definition;
    std::set<std::string> keys;
  } kObjects[] = {
      {"task", Keys(keys::kTask)},
      {"input", Keys(keys::kInput)},
      {"output", Keys(keys::kOutput)},
      {"retry_backoff", Keys(keys::kRetryBackoff)},
      {"cache", Keys(keys::kCache)},
      {"resources", Keys(keys::kResources)},
      {"limits", Keys(keys::kLimits)},
      {"secret", Keys(keys::kSecret)},
      {"plugin_role", Keys(keys::kPluginRole)},
      {"dask", Keys(keys::kDask)},
      {"ray", Keys(keys::kRay)},
      {"spark", Keys(keys::kSpark)},
      {"pytorch", Keys(keys::kPytorch)},
      {"resource_plugin", Keys(keys::kResourcePlugin)},
      {"workflow", Keys(keys::kWorkflow)},
      {"workflow_output", Keys(keys::kWorkflowOutput)},
      {"on_failure", Keys(keys::kOnFailure)},
      {"node", Keys(keys::kNode)},
      {"branch_case", Keys(keys::kBranchCase)},
      {"else_case", Keys(keys::kElseCase)},
      {"signal", Keys(keys::kSignal)},
      {"launch_plan", Keys(keys::kLaunchPlan)},
      {"schedule", Keys(keys::kSchedule)},
      {"notification", Keys(keys::kNotification)},
  };
  const json& definitions = schema.at("definitions");
  std::set<std::string> checked;
  for (const auto& object : kObjects) {
    INFO("definition: " << object.definition);
    REQUIRE(definitions.contains(object.definition));
    const json& def = definitions.at(object.definition);
    REQUIRE(def.contains("properties"));
    CHECK(PropertyNames(def) == object.keys);
    CheckObject(def, object.definition);
    checked.insert(object.definition);
  }

  // The other definitions are scalar helpers (duration, type spelling...): an object with
  // keys of its own would escape the comparison above.
  for (const auto& [name, def] : definitions.items()) {
    INFO("definition: " << name);
    if (checked.count(name) == 0) CHECK_FALSE(def.contains("properties"));
  }
}

TEST_CASE("the schema printed by `flyte schema` is docs/workflow.schema.json") {
  CHECK(std::string(kWorkflowSchemaJson) == ReadSchemaText());
}

}  // namespace
}  // namespace flyte::spec
