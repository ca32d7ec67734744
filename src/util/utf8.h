// UTF-8 validation for files read from users.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace flyte {

// The byte offset of the first invalid UTF-8 sequence, or nullopt when `s` is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view s);

}  // namespace flyte
