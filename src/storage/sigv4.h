// AWS Signature Version 4, as specified in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// and, for S3, in the "Authenticating Requests (AWS Signature Version 4)" pages: header
// authentication and presigned (query) authentication. S3's rules are the ones applied: the
// path is URI-encoded once and never normalized (a key may hold "//" or "./").
// Pure functions of their inputs (the time is a parameter); thread-safe.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte::storage {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// A request before signing. Path and query are not yet encoded: "/bucket/my key.txt".
struct SignableRequest {
  std::string method;
  std::string path;
  KeyValues query;
  KeyValues headers;  // must hold "host"; names in any case
};

struct SigningScope {
  std::string region;
  std::string service = "s3";
  std::time_t time = 0;  // seconds since the epoch, UTC
};

// What signing produced, kept for tests and for debugging a SignatureDoesNotMatch.
struct SigningTrace {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay, everything else
// becomes %XX (uppercase); '/' stays when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
// The query string sorted by encoded name then value, each encoded: the canonical query string,
// also what goes on the wire so that the two never differ.
std::string CanonicalQuery(const KeyValues& query);
// 20150830T123600Z
std::string AmzDate(std::time_t t);

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw bytes

// Adds X-Amz-Date, X-Amz-Security-Token (with a session token) and, when
// `add_content_sha256_header` (always for S3), x-amz-content-sha256 to the headers, then signs
// every header and adds Authorization.
SigningTrace SignHeaders(SignableRequest& request, const Credentials& credentials,
                         const SigningScope& scope, std::string_view payload_hash,
                         bool add_content_sha256_header = true);

// Adds the X-Amz-* query parameters of a presigned URL, X-Amz-Signature last, signing the
// request's headers (for a URL to hand out: only host). `expires_seconds` is not checked here.
SigningTrace Presign(SignableRequest& request, const Credentials& credentials,
                     const SigningScope& scope, int64_t expires_seconds,
                     std::string_view payload_hash = kUnsignedPayload);

}  // namespace flyte::storage
