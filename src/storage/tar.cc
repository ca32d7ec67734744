#include "storage/tar.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/local_store.h"
#include "util/strings.h"

namespace flyte::storage {
namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxOctalSize = (uint64_t{1} << 33) - 1;  // 11 octal digits
constexpr size_t kMaxPaxBytes = 64 << 10;

void PutOctal(std::string& block, size_t at, size_t width, uint64_t value) {
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value > 0; value >>= 3) digits[i] = char('0' + (value & 7));
  block.replace(at, width - 1, digits);
  block[at + width - 1] = '\0';
}

std::string Block(const std::string& name, uint64_t size, char type, int64_t mtime) {
  std::string b(kBlock, '\0');
  b.replace(0, std::min<size_t>(name.size(), 100), name.substr(0, 100));
  PutOctal(b, 100, 8, type == '5' ? 0755 : 0644);
  PutOctal(b, 108, 8, 0);
  PutOctal(b, 116, 8, 0);
  PutOctal(b, 124, 12, std::min(size, kMaxOctalSize));
  PutOctal(b, 136, 12, static_cast<uint64_t>(std::max<int64_t>(mtime, 0)));
  b[156] = type;
  b.replace(257, 6, std::string("ustar\0", 6));
  b.replace(263, 2, "00");
  b.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  PutOctal(b, 148, 7, sum);
  b[155] = ' ';
  return b;
}

// "LEN key=value\n", where LEN counts the whole record, its own digits included.
std::string PaxRecord(const std::string& key, const std::string& value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + std::to_string(body).size();
  if (std::to_string(len).size() + body != len) ++len;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

uint64_t ParseOctal(const char* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && p[i] != '\0' && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '7') return UINT64_MAX;
    v = (v << 3) | static_cast<uint64_t>(p[i] - '0');
  }
  return v;
}

std::string CString(const char* p, size_t width) { return std::string(p, strnlen(p, width)); }

}  // namespace

std::string TarHeader(const TarEntry& e, int64_t mtime_seconds) {
  std::string name = e.is_dir ? e.path + "/" : e.path;
  const char type = e.is_dir ? '5' : '0';
  if (name.size() <= 100 && e.size <= kMaxOctalSize)
    return Block(name, e.size, type, mtime_seconds);
  std::string pax;
  if (name.size() > 100) pax += PaxRecord("path", name);
  if (e.size > kMaxOctalSize) pax += PaxRecord("size", std::to_string(e.size));
  std::string out = Block("PaxHeader/" + name.substr(0, 80), pax.size(), 'x', mtime_seconds);
  out += pax;
  out.append(TarPadding(pax.size()), '\0');
  return out + Block(name, e.size, type, mtime_seconds);
}

uint64_t TarPadding(uint64_t size) { return (kBlock - size % kBlock) % kBlock; }

uint64_t TarSize(const std::vector<TarEntry>& entries) {
  uint64_t total = kTarEndBytes;
  for (const TarEntry& e : entries) {
    total += TarHeader(e, 0).size() + (e.is_dir ? 0 : e.size + TarPadding(e.size));
  }
  return total;
}

TarReader::TarReader(std::function<Status(const TarEntry&)> on_entry,
                     std::function<Status(const char*, size_t)> on_data)
    : on_entry_(std::move(on_entry)), on_data_(std::move(on_data)) {}

Status TarReader::Feed(const char* data, size_t size) {
  while (size > 0) {
    if (data_left_ > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(data_left_, size));
      RETURN_IF_ERROR(on_data_(data, n));
      data_left_ -= n, data += n, size -= n;
    } else if (pad_left_ > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(pad_left_, size));
      pad_left_ -= n, data += n, size -= n;
    } else if (in_pax_) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(pax_left_, size));
      block_.append(data, n);
      pax_left_ -= n, data += n, size -= n;
      if (pax_left_ == 0) {
        in_pax_ = false;
        pad_left_ = TarPadding(block_.size());
        RETURN_IF_ERROR(PaxRecords());
      }
    } else if (ended_) {
      return Status::Ok();  // what follows the end blocks is ignored, as tar does
    } else {
      size_t n = std::min(kBlock - block_.size(), size);
      block_.append(data, n);
      data += n, size -= n;
      if (block_.size() == kBlock) RETURN_IF_ERROR(Header());
    }
  }
  return Status::Ok();
}

Status TarReader::Header() {
  std::string b = std::move(block_);
  block_.clear();
  if (std::all_of(b.begin(), b.end(), [](char c) { return c == '\0'; })) {
    ended_ = ++zero_blocks_ == 2;
    return Status::Ok();
  }
  if (zero_blocks_ > 0) return InvalidArgument("tar: a zero block inside the archive");
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(b[i]);
  if (ParseOctal(&b[148], 8) != sum)
    return InvalidArgument("tar: a header's checksum does not match (not a tar stream?)");
  uint64_t size = ParseOctal(&b[124], 12);
  if (size == UINT64_MAX) return InvalidArgument("tar: a header's size is not a number");
  const char type = b[156];
  if (type == 'x' || type == 'g') {
    if (size > kMaxPaxBytes)
      return InvalidArgument("tar: a pax header of " + std::to_string(size) + " bytes");
    in_pax_ = size > 0;
    pax_left_ = size;
    if (type == 'g') {  // global records apply to nothing flyte writes: read and drop them
      in_pax_ = false;
      data_left_ = 0;
      pad_left_ = size + TarPadding(size);
    }
    return Status::Ok();
  }
  std::string path = CString(&b[0], 100);
  if (b.compare(257, 5, "ustar") == 0 && b[345] != '\0') path = CString(&b[345], 155) + "/" + path;
  if (!pax_path_.empty()) path = std::move(pax_path_);
  if (pax_size_) size = *pax_size_;
  pax_path_.clear();
  pax_size_.reset();
  while (!path.empty() && path.back() == '/') path.pop_back();
  while (StartsWith(path, "./")) path = path.substr(2);
  if (type != '0' && type != '\0' && type != '5') {
    return InvalidArgument("tar: " + Quote(path) + " is not a regular file or folder (type " +
                           Quote(std::string(1, type)) + "); only those are accepted");
  }
  if (std::string why = KeyProblem(path); !why.empty()) {
    return InvalidArgument("tar: the path " + Quote(path) + " is not allowed: " + why);
  }
  TarEntry e{path, type == '5' ? 0 : size, type == '5'};
  data_left_ = e.size;
  pad_left_ = TarPadding(e.size);
  return on_entry_(e);
}

Status TarReader::PaxRecords() {
  std::string_view rest = block_;
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    int64_t len = 0;
    if (space == std::string_view::npos || !ParseInt64(rest.substr(0, space), &len) || len <= 0 ||
        static_cast<size_t>(len) > rest.size()) {
      return InvalidArgument("tar: a malformed pax record");
    }
    std::string_view record = rest.substr(space + 1, static_cast<size_t>(len) - space - 2);
    size_t eq = record.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = record.substr(0, eq), value = record.substr(eq + 1);
      int64_t n = 0;
      if (key == "path") pax_path_ = std::string(value);
      if (key == "size") {
        if (!ParseInt64(value, &n) || n < 0)
          return InvalidArgument("tar: a pax size is not a number");
        pax_size_ = static_cast<uint64_t>(n);
      }
    }
    rest.remove_prefix(static_cast<size_t>(len));
  }
  block_.clear();
  return Status::Ok();
}

Status TarReader::Finish() const {
  if (data_left_ > 0 || in_pax_ || !block_.empty())
    return InvalidArgument("tar: the stream ends inside an entry");
  if (!ended_) return InvalidArgument("tar: the stream ends before the archive's end blocks");
  return Status::Ok();
}

TarExtractor::TarExtractor(std::string dest)
    : dest_(std::move(dest)),
      reader_([this](const TarEntry& e) { return Begin(e); },
              [this](const char* d, size_t n) { return Write(d, n); }) {}

TarExtractor::~TarExtractor() {
  if (fd_ >= 0) close(fd_);
  if (!done_) {
    std::error_code ec;
    std::filesystem::remove_all(dest_, ec);
  }
}

Status TarExtractor::Begin(const TarEntry& e) {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  std::error_code ec;
  if (!std::filesystem::exists(dest_, ec) && mkdir(dest_.c_str(), 0755) != 0) {
    return IOError(dest_ + ": cannot be created: " + strerror(errno));
  }
  const std::string path = dest_ + "/" + e.path;
  std::filesystem::create_directories(
      e.is_dir ? path : std::filesystem::path(path).parent_path().string(), ec);
  if (ec) return IOError(path + ": cannot create its folder: " + ec.message());
  if (e.is_dir) return Status::Ok();
  // No existing entry is followed or replaced: a second entry of the same path is an error.
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return InvalidArgument("tar: " + Quote(e.path) + " cannot be written: " + strerror(errno));
  return Status::Ok();
}

Status TarExtractor::Write(const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IOError(dest_ + ": " + strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status TarExtractor::Finish() {
  RETURN_IF_ERROR(reader_.Finish());
  if (fd_ >= 0 && close(fd_) != 0) return IOError(dest_ + ": " + strerror(errno));
  fd_ = -1;
  std::error_code ec;
  if (!std::filesystem::exists(dest_, ec) && mkdir(dest_.c_str(), 0755) != 0) {
    return IOError(dest_ + ": cannot be created: " + strerror(errno));
  }
  done_ = true;
  return Status::Ok();
}

TarStreamer::TarStreamer(std::vector<TarEntry> entries, Opener open, int64_t mtime_seconds)
    : entries_(std::move(entries)), open_(std::move(open)), mtime_(mtime_seconds) {}

Result<bool> TarStreamer::Next(std::string& out, size_t max) {
  if (file_ && left_ > 0) {
    size_t start = out.size();
    out.resize(start + static_cast<size_t>(std::min<uint64_t>(left_, max)));
    ssize_t n;
    do {
      n = read(file_->fd(), out.data() + start, out.size() - start);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return IOError(entries_[next_ - 1].path + ": " + strerror(errno));
    if (n == 0) return IOError(entries_[next_ - 1].path + ": the file shrank while it was sent");
    out.resize(start + static_cast<size_t>(n));
    left_ -= static_cast<uint64_t>(n);
    return true;
  }
  if (file_) {
    file_.reset();
    out.append(pad_, '\0');
    return true;
  }
  if (ended_) return false;
  if (next_ == entries_.size()) {
    out.append(kTarEndBytes, '\0');
    ended_ = true;
    return true;
  }
  const TarEntry& e = entries_[next_];
  out += TarHeader(e, mtime_);
  if (!e.is_dir) {
    ASSIGN_OR_RETURN(FileHandle h, open_(next_));
    file_.emplace(std::move(h));
    left_ = e.size;
    pad_ = TarPadding(e.size);
  }
  ++next_;
  return true;
}

Result<std::vector<TarEntry>> ListFolderForTar(const std::string& dir, const std::string& top) {
  namespace fs = std::filesystem;
  std::vector<TarEntry> out{{top, 0, true}};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), dir, ec).string();
    // Links inside the folder count as what they point to, as the folder's digest counts them.
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0)
      return IOError(it->path().string() + ": " + strerror(errno));
    if (S_ISDIR(st.st_mode)) {
      out.push_back({top + "/" + rel, 0, true});
    } else if (S_ISREG(st.st_mode)) {
      out.push_back({top + "/" + rel, static_cast<uint64_t>(st.st_size), false});
    } else {
      return InvalidArgument(it->path().string() + " is not a regular file or folder");
    }
  }
  if (ec) return IOError("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin() + 1, out.end(),
            [](const TarEntry& a, const TarEntry& b) { return a.path < b.path; });
  return out;
}

}  // namespace flyte::storage
