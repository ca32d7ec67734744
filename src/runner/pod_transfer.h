// How file and folder values cross into and out of a Pod (docs/kubernetes.md, "Files"): flyte
// gives the in-Pod program presigned URLs, never credentials. The program downloads each input
// before the task's command and uploads each output after it; a folder output goes up as one
// tar (its file names are not known in advance, so they cannot be presigned), which flyte
// expands into the folder's prefix. Plain libc, no flyte library: flyte-pod is built from this
// file too, and must stay small (it travels in a ConfigMap).
//
// The transfer list, one line each (the path last: it may hold spaces):
//   get URL PATH   download URL to DATA_DIR/PATH (parent folders made)
//   in URL NAME    download URL to $FLYTE_INPUT_DIR/NAME (an input too large for the Pod)
//   put URL NAME   upload $FLYTE_OUTPUT_DIR/NAME, when the task wrote it
//   tar URL NAME   upload the folder $FLYTE_OUTPUT_DIR/NAME as a tar, when the task wrote it
//   pack URL NAME  after a zero exit, when the outputs do not fit in the termination message
//                  (or hold folders, or $FLYTE_RAW_OUTPUT_DIR holds anything): upload one tar
//                  of $FLYTE_OUTPUT_DIR (as outputs/, less what put and tar sent) and
//                  $FLYTE_RAW_OUTPUT_DIR (as raw/); NAME is unused
#pragma once

#include <string>
#include <vector>

namespace flyte {

struct Transfer {
  enum class Kind { kGet, kIn, kPut, kTar, kPack } kind = Kind::kGet;
  std::string url;
  std::string path;  // relative: under the data folder (get) or the output folder (put, tar)
};
std::string FormatTransfers(const std::vector<Transfer>& transfers);
// False (with `error`) for a line that is none of the three.
bool ParseTransfers(const std::string& text, std::vector<Transfer>* out, std::string* error);

// GET `url` into the file `path`, or PUT the file `path` to `url`. http:// is spoken here;
// https:// goes through curl (else wget) from the image (a TLS library would not fit in the
// ConfigMap). False with `error` naming the URL's host and what went wrong.
bool HttpGetToFile(const std::string& url, const std::string& path, std::string* error);
bool HttpPutFile(const std::string& url, const std::string& path, std::string* error);

// A ustar archive of the regular files under `dir` (paths relative to it; folders as entries
// so that empty ones survive; paths up to 255 bytes, files up to 8 GiB).
bool WriteTar(const std::string& dir, const std::string& tar_path, std::string* error);
// The `pack` archive: `out_dir` as outputs/ (less its top-level entries in `skip`), `raw_dir`
// as raw/.
bool WritePack(const std::string& out_dir, const std::string& raw_dir,
               const std::vector<std::string>& skip, const std::string& tar_path,
               std::string* error);
// Expands a ustar archive into `into` (created). Only regular files and folders; a path that
// is absolute or climbs out with ".." is refused.
bool ReadTar(const std::string& tar_path, const std::string& into, std::string* error);

}  // namespace flyte
