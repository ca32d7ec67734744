// Large inputs and outputs documents live out of their rows, content addressed in
// HOME/blobs/values/ab/<sha256>.json; a row then holds "@blob:sha256:<digest>".
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "flyte/store.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte {

Result<std::string> Store::Keep(std::string json) {
  if (json.size() <= kInlineValueBytes || value_dir_.empty()) return json;
  const std::string sha = Sha256Hex(json);
  const std::string dir = value_dir_ + "/" + sha.substr(0, 2);
  const std::string path = dir + "/" + sha + ".json";
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return kValueRefPrefix + sha;  // content-addressed: written once
  std::filesystem::create_directories(dir, ec);
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(json.data(), static_cast<std::streamsize>(json.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return IOError("cannot write a value of " + std::to_string(json.size()) + " bytes to " +
                     path + " (is the disk full?)");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IOError("cannot write " + path + ": " + ec.message());
  return kValueRefPrefix + sha;
}

std::string Store::Load(std::string text) const {
  if (!StartsWith(text, kValueRefPrefix)) return text;
  const std::string sha = text.substr(std::char_traits<char>::length(kValueRefPrefix));
  std::ifstream in(
      value_dir_ + "/" + sha.substr(0, std::min<size_t>(2, sha.size())) + "/" + sha + ".json",
      std::ios::binary);
  if (!in) return text;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

ExecutionRecord Store::Loaded(ExecutionRecord r) const {
  r.inputs_json = Load(std::move(r.inputs_json));
  r.outputs_json = Load(std::move(r.outputs_json));
  return r;
}
}  // namespace flyte
