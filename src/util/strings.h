// Small string helpers shared by every layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flyte {

std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// A whole decimal integer (optional leading '-'), without overflow; false otherwise.
bool ParseInt64(std::string_view s, int64_t* out);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance ≤ max(1, |word| / 3), or equal ignoring case); empty otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

// 'x' with quotes, escaping control characters, for messages.
std::string Quote(std::string_view s);

// Kubernetes label syntax, which execution labels follow wherever they come from (a file, the
// API, --label) so that filters and Pods accept them: a name part is 1 to 63 of
// [A-Za-z0-9-_.] starting and ending with a letter or digit; a key may carry a DNS prefix
// ("example.com/team"); a value may also be empty.
bool IsLabelName(std::string_view s);
bool IsLabelKey(std::string_view s);
bool IsLabelValue(std::string_view s);
// A DNS-1123 label (project ids, which name Kubernetes namespaces): 1 to 63 of [a-z0-9-],
// not starting or ending with '-'.
bool IsDnsLabel(std::string_view s);
// An environment variable name a shell can use: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvName(std::string_view s);

// `s` safe to print on a terminal: control characters other than newline and tab (escape
// sequences a task wrote to its output or _ERROR, which could move the cursor, retitle the
// window or hide text) become visible escapes such as \x1b.
std::string Printable(std::string_view s);
// URL percent-encoding of everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - _ . ~):
// a path segment or a query value.
std::string PercentEncode(std::string_view s);

// A node, variable or label identifier: [a-z][a-z0-9_-]*.
bool IsNodeId(std::string_view s);
// A variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view s);

}  // namespace flyte
