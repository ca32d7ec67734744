// Parsing `{{ ... }}`: references, templates with holes, bindings, and branch conditions.
// Syntax errors are recorded on the Reader with the exact column of the problem.
#pragma once

#include <optional>
#include <string_view>

#include "flyte/spec.h"
#include "spec/reader.h"

namespace flyte::spec {

// The inside of one `{{ }}`; `body` starts at byte `base` of `node`'s text.
std::optional<Ref> ParseRefBody(Reader& r, const yaml::Node& node, std::string_view body,
                                size_t base);

// `text` is the whole of `node`'s scalar value. `\{{` yields a literal `{{`.
std::optional<Template> ParseTemplate(Reader& r, const yaml::Node& node);

// A YAML value on the right of an input: literal, `{{ ref }}`, "text {{ ref }}", or a list or
// mapping of these.
Binding ParseBinding(Reader& r, const yaml::Node& node);

// A branch condition such as `{{ inputs.n }} > 10 and ({{ a.ok }} == true or {{ b.x }} < 1.5)`.
std::optional<Condition> ParseCondition(Reader& r, const yaml::Node& node);

}  // namespace flyte::spec
