// The AWS shared config and credentials files: INI sections of `key = value` lines, where a key
// with an empty value opens nested `  sub = value` lines (`s3 =\n  addressing_style = path`),
// kept as "s3.addressing_style".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte::storage {

using AwsSection = std::map<std::string, std::string>;
using AwsFile = std::map<std::string, AwsSection>;  // by section name as written ("profile x")

// Errors (InvalidArgument) are FILE:LINE: reason.
Result<AwsFile> ParseAwsFile(std::string_view text, const std::string& file_name);

}  // namespace flyte::storage
