// Appending JSON tokens to a string. No allocation beyond the output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flyte {

// Appends `s` as a JSON string literal, escaping quotes, backslashes and control characters.
void AppendJsonString(std::string& out, std::string_view s);
// Shortest round-trip decimal; ".0" appended when integral; NaN/Infinity as JSON strings.
void AppendJsonDouble(std::string& out, double d);

}  // namespace flyte
