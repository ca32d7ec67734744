#include "storage/uri.h"

#include <cctype>

#include "util/strings.h"

namespace flyte::storage {
namespace {

constexpr std::string_view kScheme = "s3://";
constexpr size_t kMaxKeyBytes = 1024;

bool IsIpv4(std::string_view s) {
  auto parts = Split(s, '.');
  if (parts.size() != 4) return false;
  for (auto p : parts) {
    if (p.empty() || p.size() > 3) return false;
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

}  // namespace

std::string S3Uri::ToString() const { return std::string(kScheme) + bucket + "/" + key; }

S3Uri S3Uri::Child(std::string_view name) const {
  S3Uri child = *this;
  if (!child.key.empty() && child.key.back() != '/') child.key += '/';
  child.key += name;
  return child;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
std::string BucketNameProblem(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return "a bucket name has 3 to 63 characters";
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return "a bucket name has only lowercase letters, digits, '.' and '-'";
    }
  }
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(b.front()) || !alnum(b.back())) {
    return "a bucket name starts and ends with a letter or digit";
  }
  if (b.find("..") != std::string_view::npos) return "a bucket name has no two adjacent '.'";
  if (IsIpv4(b)) return "a bucket name is not an IP address";
  if (StartsWith(b, "xn--") || StartsWith(b, "sthree-")) {
    return "a bucket name does not start with 'xn--' or 'sthree-'";
  }
  if (EndsWith(b, "-s3alias") || EndsWith(b, "--ol-s3")) {
    return "a bucket name does not end with '-s3alias' or '--ol-s3'";
  }
  return "";
}

bool IsVirtualHostable(std::string_view bucket) {
  return BucketNameProblem(bucket).empty() && bucket.find('.') == std::string_view::npos;
}

Result<S3Uri> ParseS3Uri(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid S3 URI " + Quote(text) + ": " + why);
  };
  if (!StartsWith(text, kScheme)) return bad("it does not start with s3://");
  std::string_view rest = text.substr(kScheme.size());
  size_t slash = rest.find('/');
  S3Uri uri;
  uri.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) uri.key = std::string(rest.substr(slash + 1));
  if (uri.bucket.empty()) return bad("it names no bucket (s3://BUCKET/KEY)");
  if (std::string why = BucketNameProblem(uri.bucket); !why.empty()) {
    return bad("bucket " + Quote(uri.bucket) + ": " + why);
  }
  if (uri.key.size() > kMaxKeyBytes) return bad("a key has at most 1024 bytes");
  for (char c : uri.key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return bad("a key has no control characters");
    }
  }
  return uri;
}

}  // namespace flyte::storage
