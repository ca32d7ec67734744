#include "storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "util/sha256.h"

namespace flyte::storage {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces (and folded lines) into one space, as the spec asks.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" for each
  std::string signed_names;  // "a;b;c"
};

// Repeated names are joined with ',' in the order given.
CanonicalHeaders Canonicalize(const KeyValues& headers) {
  std::map<std::string, std::string> by_name;
  for (const auto& [name, value] : headers) {
    std::string& slot = by_name[Lower(name)];
    if (!slot.empty()) slot += ',';
    slot += CanonicalHeaderValue(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : by_name) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

std::string DateOnly(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

std::string Scope(const SigningScope& scope, std::string_view amz_date) {
  return DateOnly(amz_date) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

SigningTrace Sign(const SignableRequest& request, const std::string& signed_names,
                  const std::string& header_block, const Credentials& credentials,
                  const SigningScope& scope, std::string_view amz_date,
                  std::string_view payload_hash) {
  SigningTrace trace;
  trace.canonical_request = request.method + "\n" + UriEncode(request.path, true) + "\n" +
                            CanonicalQuery(request.query) + "\n" + header_block + "\n" +
                            signed_names + "\n" + std::string(payload_hash);
  trace.string_to_sign = std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" +
                         Scope(scope, amz_date) + "\n" + Sha256Hex(trace.canonical_request);
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, DateOnly(amz_date));
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  key = HmacSha256(key, "aws4_request");
  trace.signature = Hex(HmacSha256(key, trace.string_to_sign));
  return trace;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const KeyValues& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string AmzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Sha256Hex(std::string_view data) { return flyte::Sha256Hex(data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

SigningTrace SignHeaders(SignableRequest& request, const Credentials& credentials,
                         const SigningScope& scope, std::string_view payload_hash,
                         bool add_content_sha256_header) {
  std::string amz_date = AmzDate(scope.time);
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (add_content_sha256_header) {
    request.headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  }
  CanonicalHeaders headers = Canonicalize(request.headers);
  SigningTrace trace = Sign(request, headers.signed_names, headers.block, credentials, scope,
                            amz_date, payload_hash);
  request.headers.emplace_back(
      "Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                           Scope(scope, amz_date) + ", SignedHeaders=" + headers.signed_names +
                           ", Signature=" + trace.signature);
  return trace;
}

SigningTrace Presign(SignableRequest& request, const Credentials& credentials,
                     const SigningScope& scope, int64_t expires_seconds,
                     std::string_view payload_hash) {
  std::string amz_date = AmzDate(scope.time);
  CanonicalHeaders headers = Canonicalize(request.headers);
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back("X-Amz-Credential",
                             credentials.access_key_id + "/" + Scope(scope, amz_date));
  request.query.emplace_back("X-Amz-Date", amz_date);
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials.session_token.empty()) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.query.emplace_back("X-Amz-SignedHeaders", headers.signed_names);
  SigningTrace trace = Sign(request, headers.signed_names, headers.block, credentials, scope,
                            amz_date, payload_hash);
  request.query.emplace_back("X-Amz-Signature", trace.signature);
  return trace;
}

}  // namespace flyte::storage
