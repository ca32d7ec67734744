// Folders as one stream: the POSIX tar format (ustar, with pax records for long names and
// large sizes), how a `dir` value is downloaded from and uploaded to `flyte serve`
// (docs/storage.md, "Folders over HTTP"). Only regular files and folders are written or read:
// links, devices and anything else are refused, and so are paths that are absolute or climb
// out with "..". The writer makes headers only (the caller streams the bytes between them, so
// nothing is held in memory); the reader is pushed chunks as they arrive. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flyte/status.h"
#include "storage/file_handle.h"

namespace flyte::storage {

struct TarEntry {
  std::string path;  // relative, '/'-separated, no trailing '/'
  uint64_t size = 0;
  bool is_dir = false;
};

// The header block(s) of an entry (a pax record first when the path or size does not fit).
std::string TarHeader(const TarEntry& entry, int64_t mtime_seconds);
// The zero bytes that pad an entry's data to a whole block.
uint64_t TarPadding(uint64_t size);
// Two zero blocks end an archive.
inline constexpr size_t kTarEndBytes = 1024;
// The size of the whole archive of these entries: what Content-Length says before streaming.
uint64_t TarSize(const std::vector<TarEntry>& entries);

// Reads a tar stream pushed in chunks of any size: `on_entry` for each file or folder, then
// `on_data` with a file's bytes. Errors (InvalidArgument) say what is wrong and at which entry.
class TarReader {
 public:
  TarReader(std::function<Status(const TarEntry&)> on_entry,
            std::function<Status(const char* data, size_t size)> on_data);
  Status Feed(const char* data, size_t size);
  // InvalidArgument when the stream ended inside an entry or before its end blocks.
  Status Finish() const;

 private:
  Status Header();
  Status PaxRecords();

  std::function<Status(const TarEntry&)> on_entry_;
  std::function<Status(const char*, size_t)> on_data_;
  std::string block_;  // a header or pax record being gathered
  uint64_t data_left_ = 0, pad_left_ = 0, pax_left_ = 0;
  bool in_pax_ = false;
  bool ended_ = false;
  int zero_blocks_ = 0;
  std::string pax_path_;
  std::optional<uint64_t> pax_size_;
};

// Extracts a tar stream into the new folder `dest` (its parent must exist; `dest` must not).
class TarExtractor {
 public:
  explicit TarExtractor(std::string dest);
  ~TarExtractor();
  Status Feed(const char* data, size_t size) { return reader_.Feed(data, size); }
  // Ends the stream; on error the partial folder is removed.
  Status Finish();

 private:
  Status Begin(const TarEntry& e);
  Status Write(const char* data, size_t size);

  std::string dest_;
  TarReader reader_;
  int fd_ = -1;
  bool done_ = false;
};

// Produces an archive of `entries` part by part: headers, each file's bytes read from what
// `open(i)` gives for entry i as its turn comes, padding, the end blocks. Memory: one chunk.
class TarStreamer {
 public:
  using Opener = std::function<Result<FileHandle>(size_t index)>;
  TarStreamer(std::vector<TarEntry> entries, Opener open, int64_t mtime_seconds);
  // Appends the next part (at most `max` bytes of a file) to `out`; false at the end.
  Result<bool> Next(std::string& out, size_t max);
  const std::vector<TarEntry>& entries() const { return entries_; }

 private:
  std::vector<TarEntry> entries_;
  Opener open_;
  int64_t mtime_;
  size_t next_ = 0;
  bool ended_ = false;
  std::optional<FileHandle> file_;
  uint64_t left_ = 0, pad_ = 0;
};

// Every regular file and folder under `dir`, as entries relative to it and prefixed with
// `top` ("name/..."), `top` itself first, in path order. Refuses links and special files.
Result<std::vector<TarEntry>> ListFolderForTar(const std::string& dir, const std::string& top);

}  // namespace flyte::storage
