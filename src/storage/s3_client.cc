#include "storage/s3_client.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/file_handle.h"
#include "storage/xml.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte::storage {
namespace {

constexpr size_t kDeleteBatch = 1000;

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::string Base64Md5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, md, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

Result<uint64_t> ParseSize(const std::string& text, const S3Uri& uri) {
  int64_t n = 0;
  if (!ParseInt64(text, &n) || n < 0) {
    return Unavailable(uri.ToString() + ": the server gave an invalid size " + Quote(text));
  }
  return static_cast<uint64_t>(n);
}

}  // namespace

Result<std::string> HashFileRange(int fd, uint64_t offset, uint64_t length) {
  Sha256 hash;
  std::string buf(64 * 1024, '\0');
  while (length > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(length, buf.size()));
    ssize_t got = pread(fd, buf.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return IOError(got == 0 ? "the file became shorter" : strerror(errno));
    hash.Update(std::string_view(buf.data(), static_cast<size_t>(got)));
    offset += static_cast<uint64_t>(got);
    length -= static_cast<uint64_t>(got);
  }
  return hash.FinishHex();
}

S3Client::S3Client(S3Settings settings, S3ClientOptions options)
    : options_(options), transport_(std::move(settings), options.transport) {}

Status S3Client::PutFile(const S3Uri& uri, const std::string& local_path) {
  if (uri.key.empty() || uri.key.back() == '/') {
    return InvalidArgument(uri.ToString() + ": an object key is needed, not a bucket or prefix");
  }
  if (options_.part_size < (5ull << 20)) {
    return InvalidArgument("the multipart part size is at least 5 MiB, not " +
                           std::to_string(options_.part_size) + " bytes");
  }
  ASSIGN_OR_RETURN(FileHandle file, FileHandle::OpenRead(local_path));
  struct stat st {};
  if (fstat(file.fd(), &st) != 0) return IOError(local_path + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) return InvalidArgument(local_path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > options_.multipart_threshold) return PutMultipart(uri, file.fd(), size);
  return PutSingle(uri, file.fd(), size);
}

Status S3Client::PutSingle(const S3Uri& uri, int fd, uint64_t size) {
  auto hash = HashFileRange(fd, 0, size);
  if (!hash.ok()) return hash.status().WithContext(uri.ToString() + ": reading the file");
  S3Request request;
  request.method = "PUT";
  request.target = uri;
  request.file = FileRange{fd, 0, size};
  request.payload_hash = *hash;
  return transport_.Send(request).status();
}

Status S3Client::GetFile(const S3Uri& uri, const std::string& local_path,
                         std::optional<ByteRange> range) {
  ASSIGN_OR_RETURN(FileHandle out, FileHandle::CreateTemp(local_path));
  S3Request request;
  request.method = "GET";
  request.target = uri;
  request.payload_hash = std::string(kEmptyPayloadHash);
  if (range) {
    request.headers.emplace_back("Range",
                                 "bytes=" + std::to_string(range->first) + "-" +
                                     (range->last ? std::to_string(*range->last) : std::string()));
  }
  int fd = out.fd();
  request.begin = [fd, &local_path]() -> Status {
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
      return IOError(local_path + ": " + strerror(errno));
    }
    return Status::Ok();
  };
  request.sink = [fd, &local_path](const char* data, size_t size) -> Status {
    while (size > 0) {
      ssize_t n = write(fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IOError(local_path + ": " + strerror(errno));
      data += n;
      size -= static_cast<size_t>(n);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(transport_.Send(request).status());
  return out.CommitTo(local_path);
}

Result<ObjectInfo> S3Client::Head(const S3Uri& uri) {
  S3Request request;
  request.method = "HEAD";
  request.target = uri;
  request.payload_hash = std::string(kEmptyPayloadHash);
  auto response = transport_.Send(request);
  if (!response.ok()) {
    if (response.status().code() != StatusCode::kNotFound) return response.status();
    // A HEAD answer has no body to say whether the bucket or the key is missing: ask.
    S3Request bucket = request;
    bucket.target.key.clear();
    auto probe = transport_.Send(bucket);
    if (!probe.ok() && probe.status().code() == StatusCode::kNotFound) {
      return NotFound(uri.ToString() + ": no such bucket " + uri.bucket + " at " +
                      settings().endpoint.Url());
    }
    return NotFound(uri.ToString() + ": no such key");
  }
  ObjectInfo info;
  info.key = uri.key;
  ASSIGN_OR_RETURN(info.size, ParseSize(response->Header("content-length"), uri));
  info.etag = Unquote(response->Header("etag"));
  info.last_modified = response->Header("last-modified");
  return info;
}

Result<ListPage> S3Client::ListOnePage(const S3Uri& prefix, const std::string& token,
                                       int max_keys) {
  S3Request request;
  request.method = "GET";
  request.target = S3Uri{prefix.bucket, ""};
  request.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.key.empty()) request.query.emplace_back("prefix", prefix.key);
  if (!token.empty()) request.query.emplace_back("continuation-token", token);
  request.payload_hash = std::string(kEmptyPayloadHash);
  ASSIGN_OR_RETURN(S3Response response, transport_.Send(request));
  auto doc = ParseXml(response.body);
  if (!doc.ok()) return Unavailable(prefix.ToString() + ": listing: " + doc.status().message());
  ListPage page;
  for (const XmlElement* c : (*doc)->ChildrenNamed("Contents")) {
    ObjectInfo info;
    info.key = c->ChildText("Key");
    ASSIGN_OR_RETURN(info.size, ParseSize(c->ChildText("Size"), prefix));
    info.etag = Unquote(c->ChildText("ETag"));
    info.last_modified = c->ChildText("LastModified");
    page.objects.push_back(std::move(info));
  }
  if ((*doc)->ChildText("IsTruncated") == "true") {
    page.next_continuation_token = (*doc)->ChildText("NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return Unavailable(prefix.ToString() + ": a truncated listing has no continuation token");
    }
  }
  return page;
}

Result<std::vector<ObjectInfo>> S3Client::List(const S3Uri& prefix) {
  std::vector<ObjectInfo> all;
  std::string token;
  do {
    ASSIGN_OR_RETURN(ListPage page, ListOnePage(prefix, token));
    for (auto& o : page.objects) all.push_back(std::move(o));
    token = page.next_continuation_token;
  } while (!token.empty());
  return all;
}

Status S3Client::Delete(const S3Uri& uri) {
  S3Request request;
  request.method = "DELETE";
  request.target = uri;
  request.payload_hash = std::string(kEmptyPayloadHash);
  return transport_.Send(request).status();
}

Status S3Client::DeleteMany(const std::string& bucket, const std::vector<std::string>& keys) {
  for (size_t start = 0; start < keys.size(); start += kDeleteBatch) {
    size_t end = std::min(keys.size(), start + kDeleteBatch);
    std::string body = "<Delete><Quiet>true</Quiet>";
    for (size_t i = start; i < end; ++i)
      body += "<Object><Key>" + XmlEscape(keys[i]) + "</Key></Object>";
    body += "</Delete>";
    S3Request request;
    request.method = "POST";
    request.target = S3Uri{bucket, ""};
    request.query = {{"delete", ""}};
    request.headers = {{"Content-MD5", Base64Md5(body)}, {"Content-Type", "application/xml"}};
    request.body = std::move(body);
    ASSIGN_OR_RETURN(S3Response response, transport_.Send(request));
    auto doc = ParseXml(response.body);
    if (!doc.ok()) return Unavailable("s3://" + bucket + "/: deleting: " + doc.status().message());
    std::string failed;
    for (const XmlElement* e : (*doc)->ChildrenNamed("Error")) {
      if (!failed.empty()) failed += "; ";
      failed += S3Uri{bucket, e->ChildText("Key")}.ToString() + " (" + e->ChildText("Code") + ")";
    }
    if (!failed.empty()) return FailedPrecondition("could not delete " + failed);
  }
  return Status::Ok();
}

Result<std::string> S3Client::PresignGet(const S3Uri& uri, int64_t expires_seconds) {
  return transport_.PresignUrl("GET", uri, expires_seconds);
}

Result<std::string> S3Client::PresignPut(const S3Uri& uri, int64_t expires_seconds) {
  return transport_.PresignUrl("PUT", uri, expires_seconds);
}

}  // namespace flyte::storage
