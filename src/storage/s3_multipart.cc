// Multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload): each part is
// read from the file twice, once to hash it and once to send it, so memory stays flat whatever
// the file's size. On any failure the upload is aborted, so no invisible parts are left billed.
#include <algorithm>

#include "storage/s3_client.h"
#include "storage/xml.h"

namespace flyte::storage {
namespace {

constexpr uint64_t kMaxParts = 10000;

S3Request UploadRequest(const char* method, const S3Uri& uri, const std::string& upload_id) {
  S3Request r;
  r.method = method;
  r.target = uri;
  r.query = {{"uploadId", upload_id}};
  return r;
}

}  // namespace

Status S3Client::PutMultipart(const S3Uri& uri, int fd, uint64_t size) {
  // S3 takes at most 10000 parts: a very large file gets larger parts, in whole MiB.
  uint64_t part_size = options_.part_size;
  if ((size + part_size - 1) / part_size > kMaxParts) {
    part_size = ((size / kMaxParts) / (1 << 20) + 1) << 20;
  }
  S3Request create;
  create.method = "POST";
  create.target = uri;
  create.query = {{"uploads", ""}};
  ASSIGN_OR_RETURN(S3Response created, transport_.Send(create));
  auto doc = ParseXml(created.body);
  std::string upload_id = doc.ok() ? (*doc)->ChildText("UploadId") : "";
  if (upload_id.empty()) {
    return Unavailable(uri.ToString() +
                       ": the server's answer to CreateMultipartUpload has no UploadId");
  }
  Status status;
  auto etags = UploadParts(uri, upload_id, fd, size, part_size);
  status = etags.ok() ? Complete(uri, upload_id, *etags) : etags.status();
  if (status.ok()) return status;
  S3Request abort = UploadRequest("DELETE", uri, upload_id);
  abort.payload_hash = std::string(kEmptyPayloadHash);
  Status aborted = transport_.Send(abort).status();
  if (aborted.ok()) {
    return Status(status.code(), status.message() + "; multipart upload " + upload_id + " aborted");
  }
  return Status(status.code(),
                status.message() + "; aborting multipart upload " + upload_id + " failed too (" +
                    aborted.message() +
                    "): a lifecycle rule AbortIncompleteMultipartUpload removes its parts");
}

Result<std::vector<std::string>> S3Client::UploadParts(const S3Uri& uri,
                                                       const std::string& upload_id, int fd,
                                                       uint64_t size, uint64_t part_size) {
  std::vector<std::string> etags;
  for (uint64_t offset = 0, number = 1; offset < size; offset += part_size, ++number) {
    uint64_t length = std::min(part_size, size - offset);
    auto hash = HashFileRange(fd, offset, length);
    if (!hash.ok()) return hash.status().WithContext(uri.ToString() + ": reading the file");
    S3Request part = UploadRequest("PUT", uri, upload_id);
    part.query.emplace_back("partNumber", std::to_string(number));
    part.file = FileRange{fd, offset, length};
    part.payload_hash = *hash;
    auto response = transport_.Send(part);
    if (!response.ok()) {
      return Status(response.status().code(),
                    response.status().message() + " (part " + std::to_string(number) + ")");
    }
    std::string etag = response->Header("etag");
    if (etag.empty()) {
      return Unavailable(uri.ToString() + ": the server gave part " + std::to_string(number) +
                         " no ETag");
    }
    etags.push_back(etag);
  }
  return etags;
}

Status S3Client::Complete(const S3Uri& uri, const std::string& upload_id,
                          const std::vector<std::string>& etags) {
  S3Request complete = UploadRequest("POST", uri, upload_id);
  complete.headers = {{"Content-Type", "application/xml"}};
  complete.body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    complete.body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                     XmlEscape(etags[i]) + "</ETag></Part>";
  }
  complete.body += "</CompleteMultipartUpload>";
  ASSIGN_OR_RETURN(S3Response response, transport_.Send(complete));
  // S3 may answer 200 and still fail: the error is then in the body.
  auto doc = ParseXml(response.body);
  if (doc.ok() && (*doc)->name == "Error") {
    return Unavailable(uri.ToString() + ": completing the multipart upload failed (" +
                       (*doc)->ChildText("Code") + ": " + (*doc)->ChildText("Message") + ")");
  }
  return Status::Ok();
}

}  // namespace flyte::storage
