// Kubernetes resource quantities: "500m", "2", "4Gi", "1.5G", "1e3".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace flyte {

// CPU in millicores: "2" → 2000, "500m" → 500, "0.5" → 500.
std::optional<int64_t> ParseCpuMillis(std::string_view text);
// Bytes: "4Gi", "512Mi", "1G", "1000", "1e9". Rejects fractional bytes and "m" suffix.
std::optional<int64_t> ParseBytes(std::string_view text);

}  // namespace flyte
