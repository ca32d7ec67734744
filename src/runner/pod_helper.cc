#include "runner/pod_helper.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "runner/pod_transfer.h"

namespace flyte {
namespace {

constexpr const char* kMagic = "flyte-pod/1 ";
// Only this much of an output file is read: anything larger cannot travel in the message.
constexpr size_t kMaxFile = kTerminationMessageMax;

const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n =
        (unsigned(uint8_t(in[i])) << 16) | (unsigned(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    unsigned n = unsigned(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) n |= unsigned(uint8_t(in[i + 1])) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool Unbase64(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    unsigned n = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      const char* p = c == '=' ? nullptr : std::strchr(kAlphabet, c);
      if (c == '=') {
        if (i + 4 != in.size() || j < 2) return false;
        ++pad;
      } else if (p == nullptr || c == '\0' || pad > 0) {
        return false;
      }
      n = (n << 6) | (p == nullptr ? 0u : unsigned(p - kAlphabet));
    }
    out->push_back(char(n >> 16));
    if (pad < 2) out->push_back(char((n >> 8) & 255));
    if (pad < 1) out->push_back(char(n & 255));
  }
  return true;
}

bool ParseInt(std::string_view s, long* out) {
  if (s.empty() || s.size() > 18) return false;
  long v = 0;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

// The output folder's regular files (at most kMaxFile + 1 bytes read of each); a folder among
// them is named in `folder`.
std::vector<std::pair<std::string, std::string>> ReadOutputs(const char* dir, std::string* folder,
                                                             size_t* total,
                                                             const std::set<std::string>& sent) {
  std::vector<std::pair<std::string, std::string>> files;
  DIR* d = ::opendir(dir);
  if (d == nullptr) return files;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || sent.count(name)) continue;  // uploaded: not in the message
    std::string path = std::string(dir) + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (folder->empty()) *folder = name;
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    *total += static_cast<size_t>(st.st_size);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    std::string bytes;
    char buf[4096];
    while (bytes.size() <= kMaxFile) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      bytes.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    files.emplace_back(std::move(name), std::move(bytes));
  }
  ::closedir(d);
  return files;
}

// True when `dir` holds anything.
bool HasEntries(const char* dir) {
  DIR* d = dir != nullptr ? ::opendir(dir) : nullptr;
  if (d == nullptr) return false;
  bool any = false;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) any = true;
  }
  ::closedir(d);
  return any;
}

pid_t g_child = 0;

void Forward(int sig) {
  if (g_child > 0) ::kill(-g_child, sig);
}

void WriteAll(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "flyte-pod: cannot write %s: %s\n", path, std::strerror(errno));
    return;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Downloads the inputs named in the transfer list into DATA; in an input folder of our own
// (not a read-only ConfigMap), each also appears there by name, as locally.
bool FetchInputs(const std::vector<Transfer>& transfers, const std::string& data,
                 const char* in_dir, bool link, std::string* error) {
  ::mkdir(data.c_str(), 0777);
  std::set<std::string> linked;
  for (const Transfer& t : transfers) {
    if (t.kind == Transfer::Kind::kIn && in_dir != nullptr &&
        !HttpGetToFile(t.url, std::string(in_dir) + "/" + t.path, error)) {
      *error = "cannot download input " + t.path + ": " + *error;
      return false;
    }
    if (t.kind != Transfer::Kind::kGet) continue;
    if (!HttpGetToFile(t.url, data + "/" + t.path, error)) {
      *error = "cannot download input " + t.path + ": " + *error;
      return false;
    }
    const std::string top = t.path.substr(0, t.path.find('/'));
    // A file or folder input appears by name; files inside a list or dict do not (the
    // list's own file is there).
    struct stat st;
    const std::string at = in_dir != nullptr ? std::string(in_dir) + "/" + top : "";
    if (link && in_dir != nullptr && linked.insert(top).second && ::lstat(at.c_str(), &st) != 0) {
      if (::symlink((data + "/" + top).c_str(), at.c_str()) != 0) {
        *error = "cannot link input " + top + ": " + std::strerror(errno);
        return false;
      }
    }
  }
  return true;
}

// Uploads the file and folder outputs the task wrote; their names go in `sent`.
bool SendOutputs(const std::vector<Transfer>& transfers, const char* out_dir,
                 const std::string& data, std::set<std::string>* sent, std::string* error) {
  for (const Transfer& t : transfers) {
    if (t.kind == Transfer::Kind::kGet || t.kind == Transfer::Kind::kIn ||
        t.kind == Transfer::Kind::kPack || out_dir == nullptr)
      continue;
    const std::string path = std::string(out_dir) + "/" + t.path;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;  // not written: flyte says so (or it is optional)
    sent->insert(t.path);
    std::string file = path;
    if (t.kind == Transfer::Kind::kTar) {
      if (!S_ISDIR(st.st_mode)) continue;  // the wrong kind: flyte's reading of outputs says so
      file = data + "/." + t.path + ".tar";
      if (!WriteTar(path, file, error)) return false;
    } else if (!S_ISREG(st.st_mode)) {
      continue;
    }
    if (!HttpPutFile(t.url, file, error)) {
      *error = "cannot upload output " + t.path + ": " + *error;
      return false;
    }
    if (file != path) ::unlink(file.c_str());
  }
  return true;
}

std::string ReadWhole(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

// The transfer failed: the task cannot run, or its outputs are lost; the message says which.
int TransferFailed(const char* log, const std::string& error) {
  std::fprintf(stderr, "flyte-pod: %s\n", error.c_str());
  WriteAll(log, PackOutputs(125, {{"_ERROR", error}}, ""));
  return 125;
}

}  // namespace

std::string PackFiles(int exit_code,
                      const std::vector<std::pair<std::string, std::string>>& files) {
  std::string all = std::string(kMagic) + std::to_string(exit_code) + "\n";
  for (const auto& [name, bytes] : files) all += name + " " + Base64(bytes) + "\n";
  return all;
}

std::string PackOutputs(int exit_code,
                        const std::vector<std::pair<std::string, std::string>>& files,
                        const std::string& folder) {
  std::string head = std::string(kMagic) + std::to_string(exit_code);
  if (!folder.empty()) return head + " folder " + folder + "\n";
  std::string all = PackFiles(exit_code, files);
  if (all.size() <= kTerminationMessageMax) return all;
  size_t raw = 0;
  for (const auto& [name, bytes] : files) raw += bytes.size();
  std::string out = head + " too-large " + std::to_string(raw) + "\n";
  for (const auto& [name, bytes] : files) {
    if (name != "_ERROR") continue;
    std::string line = name + " " + Base64(bytes.substr(0, 2048)) + "\n";
    if (out.size() + line.size() <= kTerminationMessageMax) out += line;
  }
  return out;
}

PackedOutputs UnpackOutputs(std::string_view m) {
  PackedOutputs p;
  if (m.substr(0, std::strlen(kMagic)) != kMagic) return p;
  m.remove_prefix(std::strlen(kMagic));
  size_t nl = m.find('\n');
  if (nl == std::string_view::npos) return p;  // cut
  std::string_view head = m.substr(0, nl);
  m.remove_prefix(nl + 1);
  size_t sp = head.find(' ');
  long code = 0;
  if (!ParseInt(head.substr(0, sp), &code)) return p;
  p.exit_code = static_cast<int>(code);
  if (sp != std::string_view::npos) {
    std::string_view rest = head.substr(sp + 1);
    long n = 0;
    if (rest.substr(0, 10) == "too-large " && ParseInt(rest.substr(10), &n)) {
      p.too_large = static_cast<size_t>(n);
    } else if (rest.substr(0, 7) == "staged " && ParseInt(rest.substr(7), &n)) {
      p.staged = true;
      p.too_large = static_cast<size_t>(n);
    } else if (rest.substr(0, 7) == "folder ") {
      p.folder = std::string(rest.substr(7));
    } else {
      return p;
    }
  }
  while (!m.empty()) {
    nl = m.find('\n');
    if (nl == std::string_view::npos) return p;  // cut mid-line: not ours in full
    std::string_view line = m.substr(0, nl);
    m.remove_prefix(nl + 1);
    size_t s = line.find(' ');
    if (s == std::string_view::npos || s == 0) return p;
    std::string bytes;
    if (!Unbase64(line.substr(s + 1), &bytes)) return p;
    std::string name(line.substr(0, s));
    if (name.find('/') != std::string::npos || name == "." || name == "..") return p;
    p.files.emplace_back(std::move(name), std::move(bytes));
  }
  p.valid = true;
  return p;
}

int PodHelperMain(int argc, char** argv) {
  int first = 1;
  if (first < argc && std::strcmp(argv[first], "--") == 0) ++first;
  if (first >= argc) {
    std::fprintf(stderr, "usage: flyte-pod -- COMMAND [ARGS...]\n");
    return 2;
  }
  const char* out_dir = std::getenv("FLYTE_OUTPUT_DIR");
  const char* log = std::getenv("FLYTE_TERMINATION_LOG");
  if (log == nullptr || *log == '\0') log = "/dev/termination-log";
  if (out_dir != nullptr) ::mkdir(out_dir, 0777);
  if (const char* raw = std::getenv("FLYTE_RAW_OUTPUT_DIR")) ::mkdir(raw, 0777);
  std::string transfer_text;
  bool inline_inputs = false;
  // Small inputs come in the Pod itself: written out here, then gone from the environment.
  if (const char* packed = std::getenv(kInputsEnv)) {
    inline_inputs = true;
    const char* in_dir = std::getenv("FLYTE_INPUT_DIR");
    PackedOutputs inputs = UnpackOutputs(packed);
    if (!inputs.valid || in_dir == nullptr) {
      std::fprintf(stderr, "flyte-pod: the inputs in $%s are not readable\n", kInputsEnv);
      WriteAll(log, PackOutputs(126, {}, ""));
      return 126;
    }
    ::mkdir(in_dir, 0777);
    for (const auto& [name, bytes] : inputs.files) {
      if (name == kTransfersFile) {
        transfer_text = bytes;  // presigned URLs: for us, not the task
        continue;
      }
      WriteAll((std::string(in_dir) + "/" + name).c_str(), bytes);
    }
    ::unsetenv(kInputsEnv);
  } else if (const char* in_dir = std::getenv("FLYTE_INPUT_DIR")) {
    transfer_text = ReadWhole(std::string(in_dir) + "/" + kTransfersFile);
  }
  std::vector<Transfer> transfers;
  const char* data_env = std::getenv(kDataDirEnv);
  const std::string data = data_env != nullptr ? data_env : "/tmp/flyte-data";
  std::string error;
  if (!ParseTransfers(transfer_text, &transfers, &error)) return TransferFailed(log, error);
  if (!FetchInputs(transfers, data, std::getenv("FLYTE_INPUT_DIR"), inline_inputs, &error))
    return TransferFailed(log, error);

  // A SIGTERM (the Pod deleted) that comes while the task is being started must still reach
  // it: held until the task's group exists and Forward knows it, then delivered.
  sigset_t stop, before;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop, &before);
  struct sigaction sa {};
  sa.sa_handler = Forward;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "flyte-pod: cannot start the task: %s\n", std::strerror(errno));
    WriteAll(log, PackOutputs(127, {}, ""));
    return 127;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    ::execvp(argv[first], argv + first);
    std::fprintf(stderr, "flyte-pod: cannot run %s: %s\n", argv[first], std::strerror(errno));
    ::_exit(errno == ENOENT ? 127 : 126);
  }
  ::setpgid(pid, pid);
  g_child = pid;
  ::sigprocmask(SIG_SETMASK, &before, nullptr);
  int status = 0;
  int code = 0;
  for (;;) {
    // As PID 1 of a container we reap everything; the task's own exit is what counts.
    pid_t w = ::waitpid(-1, &status, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break;
    if (w != pid) continue;
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    break;
  }
  ::kill(-pid, SIGKILL);  // what the task left in its group goes with it
  std::set<std::string> sent;
  if (code == 0 && !SendOutputs(transfers, out_dir, data, &sent, &error))
    return TransferFailed(log, error);
  std::string folder;
  size_t total = 0;
  std::vector<std::pair<std::string, std::string>> files =
      out_dir != nullptr ? ReadOutputs(out_dir, &folder, &total, sent)
                         : std::vector<std::pair<std::string, std::string>>{};
  const char* raw = std::getenv("FLYTE_RAW_OUTPUT_DIR");
  if (code == 0 && out_dir != nullptr &&
      (!folder.empty() || PackFiles(code, files).size() > kTerminationMessageMax ||
       HasEntries(raw))) {
    for (const Transfer& t : transfers) {
      if (t.kind != Transfer::Kind::kPack) continue;
      const std::string tar = data + "/.outputs.tar";
      ::mkdir(data.c_str(), 0777);
      struct stat st {};
      if (!WritePack(out_dir, raw != nullptr ? raw : "", {sent.begin(), sent.end()}, tar, &error) ||
          ::stat(tar.c_str(), &st) != 0 || !HttpPutFile(t.url, tar, &error))
        return TransferFailed(log, "cannot upload the outputs: " + error);
      ::unlink(tar.c_str());
      WriteAll(log, std::string(kMagic) + "0 staged " + std::to_string(st.st_size) + "\n");
      return code;
    }
  }
  WriteAll(log, PackOutputs(code, files, folder));
  return code;
}

}  // namespace flyte
