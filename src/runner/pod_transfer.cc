#include "runner/pod_transfer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flyte {
namespace {

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Copies `n` bytes (or to EOF with n == -1) from `in` to `out`; the count copied.
long long Copy(int in, int out, long long n) {
  char buf[65536];
  long long done = 0;
  while (n < 0 || done < n) {
    size_t want =
        n < 0 ? sizeof buf : static_cast<size_t>(std::min<long long>(sizeof buf, n - done));
    ssize_t r = ::read(in, buf, want);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (!WriteAll(out, buf, static_cast<size_t>(r))) return -1;
    done += r;
  }
  return done;
}

void MakeParents(const std::string& path) {
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0777);
  }
}

struct Url {
  bool https = false;
  std::string host, port, target;  // target: path and query
};

bool ParseUrl(const std::string& url, Url* u) {
  size_t at;
  if (url.compare(0, 7, "http://") == 0) {
    at = 7;
  } else if (url.compare(0, 8, "https://") == 0) {
    u->https = true;
    at = 8;
  } else {
    return false;
  }
  size_t slash = url.find('/', at);
  std::string authority =
      url.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
  u->target = slash == std::string::npos ? "/" : url.substr(slash);
  size_t colon = authority.rfind(':');
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    u->host = authority.substr(1, close - 1);
    u->port = close + 1 < authority.size() ? authority.substr(close + 2) : "";
  } else if (colon != std::string::npos) {
    u->host = authority.substr(0, colon);
    u->port = authority.substr(colon + 1);
  } else {
    u->host = authority;
  }
  if (u->port.empty()) u->port = u->https ? "443" : "80";
  return !u->host.empty();
}

// https: curl, else wget, from the image.
bool External(bool put, const std::string& url, const std::string& path, std::string* error) {
  const char* curl_get[] = {"curl", "-fsSL",      "--retry",   "3",
                            "-o",   path.c_str(), url.c_str(), nullptr};
  const char* curl_put[] = {"curl", "-fsS",       "--retry",   "3",
                            "-T",   path.c_str(), url.c_str(), nullptr};
  const char* wget_get[] = {"wget", "-q", "-O", path.c_str(), url.c_str(), nullptr};
  for (const char* const* argv : {put ? curl_put : curl_get, put ? nullptr : wget_get}) {
    if (argv == nullptr) continue;
    pid_t pid = ::fork();
    if (pid < 0) return Fail(error, std::string("cannot fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::execvp(argv[0], const_cast<char* const*>(argv));
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
      return Fail(error, std::string(argv[0]) + " failed (status " + std::to_string(status) + ")");
    }
  }
  return Fail(error, "an https:// URL needs curl (or wget, for downloads) in the task's image");
}

int Connect(const Url& u, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = "cannot resolve " + u.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) *error = "cannot connect to " + u.host + ":" + u.port + ": " + std::strerror(errno);
  return fd;
}

// Reads the status line and headers; the status code and Content-Length (-1: none).
bool ReadHead(int fd, int* status, long long* length, std::string* rest, std::string* error) {
  std::string head;
  char buf[4096];
  size_t end;
  while ((end = head.find("\r\n\r\n")) == std::string::npos) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || head.size() > (64u << 10)) return Fail(error, "the server closed the connection");
    head.append(buf, static_cast<size_t>(r));
  }
  *rest = head.substr(end + 4);
  head.resize(end);
  if (head.compare(0, 5, "HTTP/") != 0 || head.size() < 12)
    return Fail(error, "not an HTTP answer");
  *status = std::atoi(head.c_str() + 9);
  *length = -1;
  for (size_t i = 0; i < head.size(); ++i) head[i] = static_cast<char>(std::tolower(head[i]));
  size_t cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) *length = std::atoll(head.c_str() + cl + 17);
  if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    return Fail(error, "a chunked answer (not expected from S3)");
  }
  return true;
}

bool Exchange(bool put, const std::string& url, const std::string& path, std::string* error) {
  Url u;
  if (!ParseUrl(url, &u)) return Fail(error, "not an http(s) URL");
  if (u.https) return External(put, url, path, error);
  int file = put ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  struct stat st {};
  if (put && (file < 0 || ::fstat(file, &st) != 0)) {
    return Fail(error, "cannot read " + path + ": " + std::strerror(errno));
  }
  int fd = Connect(u, error);
  if (fd < 0) {
    if (file >= 0) ::close(file);
    return false;
  }
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != "80") host += ":" + u.port;
  std::string req = std::string(put ? "PUT " : "GET ") + u.target + " HTTP/1.1\r\nHost: " + host +
                    "\r\nConnection: close\r\n";
  if (put) req += "Content-Length: " + std::to_string(st.st_size) + "\r\n";
  req += "\r\n";
  bool ok = WriteAll(fd, req.data(), req.size());
  if (ok && put) ok = Copy(file, fd, st.st_size) == st.st_size;
  if (file >= 0) ::close(file);
  int status = 0;
  long long length = -1;
  std::string rest;
  if (!ok || !ReadHead(fd, &status, &length, &rest, error)) {
    ::close(fd);
    return ok ? false : Fail(error, std::string("cannot send: ") + std::strerror(errno));
  }
  if (status != 200) {
    char body[512];
    ssize_t n = ::read(fd, body, sizeof body);
    ::close(fd);
    rest += std::string(body, n > 0 ? static_cast<size_t>(n) : 0);
    return Fail(error, "HTTP " + std::to_string(status) + " " + rest.substr(0, 300));
  }
  if (put) {
    ::close(fd);
    return true;
  }
  MakeParents(path);
  const std::string tmp = path + ".part";
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(fd);
    return Fail(error, "cannot write " + path + ": " + std::strerror(errno));
  }
  ok = WriteAll(out, rest.data(), rest.size());
  long long got = static_cast<long long>(rest.size());
  if (ok) {
    long long more = Copy(fd, out, length < 0 ? -1 : length - got);
    ok = more >= 0;
    got += more;
  }
  ::close(fd);
  ok = ::close(out) == 0 && ok && (length < 0 || got == length);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Fail(error, "the download was cut (" + std::to_string(got) + " bytes)");
  }
  return true;
}

// tar: 512-byte blocks; a header per entry, its data padded to a block.
void Octal(char* field, size_t width, unsigned long long v) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), v);
}

bool TarHeader(int out, const std::string& rel, bool dir, unsigned long long size,
               std::string* error) {
  char h[512] = {};
  std::string name = dir ? rel + "/" : rel;
  if (name.size() <= 100) {
    std::memcpy(h, name.data(), name.size());
  } else {
    // ustar splits a long path at a '/' into a prefix (155) and a name (100).
    size_t cut = std::string::npos;
    for (size_t i = 0; i < name.size() && i <= 155 && cut == std::string::npos; ++i) {
      if (name[i] == '/' && name.size() - i - 1 <= 100 && name.size() - i - 1 > 1) cut = i;
    }
    if (cut == std::string::npos) return Fail(error, "a path too long for a tar: " + rel);
    std::memcpy(h + 345, name.data(), cut);
    std::memcpy(h, name.data() + cut + 1, name.size() - cut - 1);
  }
  Octal(h + 100, 8, dir ? 0755 : 0644);
  Octal(h + 108, 8, 0);
  Octal(h + 116, 8, 0);
  if (size >= (1ull << 33)) return Fail(error, rel + ": a file over 8 GiB cannot go in the tar");
  Octal(h + 124, 12, size);
  Octal(h + 136, 12, 0);
  h[156] = dir ? '5' : '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  return WriteAll(out, h, sizeof h) ||
         Fail(error, std::string("cannot write the tar: ") + std::strerror(errno));
}

// `root`/`rel`, recursively, its entries named `prefix` + their path (less the top-level `skip`).
bool TarTree(int out, const std::string& root, const std::string& rel, std::string* error,
             const std::string& prefix = "", const std::vector<std::string>* skip = nullptr) {
  const std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Fail(error, "cannot list " + dir + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.push_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (skip != nullptr && std::find(skip->begin(), skip->end(), n) != skip->end()) continue;
    const std::string r = rel.empty() ? n : rel + "/" + n;
    const std::string full = root + "/" + r;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (!TarHeader(out, prefix + r, true, 0, error) || !TarTree(out, root, r, error, prefix))
        return false;
    } else if (S_ISREG(st.st_mode)) {
      int in = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
      if (in < 0) return Fail(error, "cannot read " + full + ": " + std::strerror(errno));
      bool ok =
          TarHeader(out, prefix + r, false, static_cast<unsigned long long>(st.st_size), error);
      long long n = ok ? Copy(in, out, st.st_size) : -1;
      ::close(in);
      if (!ok) return false;
      if (n != st.st_size) return Fail(error, "cannot copy " + full + " into the tar");
      static const char zeros[512] = {};
      size_t pad = (512 - static_cast<size_t>(st.st_size) % 512) % 512;
      if (!WriteAll(out, zeros, pad)) return Fail(error, "cannot write the tar");
    }  // links and devices are not values: left out, as the blob store refuses them
  }
  return true;
}

// Writes a tar at `tar_path`: its entries by `entries(fd)`, then the end blocks.
template <typename Fn>
bool TarFile(const std::string& tar_path, std::string* error, Fn entries) {
  int out = ::open(tar_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return Fail(error, "cannot write " + tar_path + ": " + std::strerror(errno));
  bool ok = entries(out);
  static const char end[1024] = {};
  ok = ok && (WriteAll(out, end, sizeof end) || Fail(error, "cannot write the tar"));
  return (::close(out) == 0 || Fail(error, "cannot write " + tar_path)) && ok;
}

// Transfer::Kind's names, in its order.
constexpr const char* kVerbs[] = {"get", "in", "put", "tar", "pack"};
constexpr int kNumVerbs = 5;

bool SafeRelative(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string part =
        p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

std::string FormatTransfers(const std::vector<Transfer>& transfers) {
  std::string out;
  for (const Transfer& t : transfers)
    out += std::string(kVerbs[static_cast<int>(t.kind)]) + " " + t.url + " " + t.path + "\n";
  return out;
}

bool ParseTransfers(const std::string& text, std::vector<Transfer>* out, std::string* error) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    Transfer t;
    const size_t verb_end = line.find(' ');
    const size_t sp = verb_end == std::string::npos ? verb_end : line.find(' ', verb_end + 1);
    const std::string verb = line.substr(0, verb_end);
    int kind = 0;
    while (kind < kNumVerbs && verb != kVerbs[kind]) ++kind;
    if (sp == std::string::npos || kind == kNumVerbs) {
      return Fail(error, "not a transfer: " + line.substr(0, 80));
    }
    t.kind = static_cast<Transfer::Kind>(kind);
    t.url = line.substr(verb_end + 1, sp - verb_end - 1);
    t.path = line.substr(sp + 1);
    if (!SafeRelative(t.path)) return Fail(error, "not a relative path: " + t.path);
    out->push_back(std::move(t));
  }
  return true;
}

bool HttpGetToFile(const std::string& url, const std::string& path, std::string* error) {
  return Exchange(false, url, path, error);
}

bool HttpPutFile(const std::string& url, const std::string& path, std::string* error) {
  return Exchange(true, url, path, error);
}

bool WriteTar(const std::string& dir, const std::string& tar_path, std::string* error) {
  return TarFile(tar_path, error, [&](int out) { return TarTree(out, dir, "", error); });
}

bool WritePack(const std::string& out_dir, const std::string& raw_dir,
               const std::vector<std::string>& skip, const std::string& tar_path,
               std::string* error) {
  return TarFile(tar_path, error, [&](int out) {
    struct stat st;
    return TarHeader(out, "outputs", true, 0, error) &&
           TarTree(out, out_dir, "", error, "outputs/", &skip) &&
           TarHeader(out, "raw", true, 0, error) &&
           (raw_dir.empty() || ::stat(raw_dir.c_str(), &st) != 0 ||
            TarTree(out, raw_dir, "", error, "raw/"));
  });
}

bool ReadTar(const std::string& tar_path, const std::string& into, std::string* error) {
  int in = ::open(tar_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail(error, "cannot read " + tar_path + ": " + std::strerror(errno));
  ::mkdir(into.c_str(), 0755);
  bool ok = true;
  for (;;) {
    char h[512];
    ssize_t r = ::read(in, h, sizeof h);
    if (r == 0) break;  // no end blocks: accepted, as tar does
    if (r != sizeof h) {
      ok = Fail(error, tar_path + ": cut inside a header");
      break;
    }
    if (std::all_of(h, h + 512, [](char c) { return c == 0; })) break;
    std::string name(h, strnlen(h, 100));
    std::string prefix(h + 345, strnlen(h + 345, 155));
    if (!prefix.empty()) name = prefix + "/" + name;
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (name.compare(0, 2, "./") == 0) name = name.substr(2);
    unsigned long long size = std::strtoull(std::string(h + 124, 12).c_str(), nullptr, 8);
    const char type = h[156];
    const long long padded = static_cast<long long>((size + 511) / 512 * 512);
    if (!name.empty() && name != "." && !SafeRelative(name)) {
      ok = Fail(error, tar_path + ": an entry outside the folder: " + name);
      break;
    }
    const std::string target = into + "/" + name;
    if (type == '5') {
      MakeParents(target + "/");
    } else if ((type == '0' || type == '\0') && !name.empty()) {
      MakeParents(target);
      int out = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out < 0) {
        ok = Fail(error, "cannot write " + target + ": " + std::strerror(errno));
        break;
      }
      long long n = Copy(in, out, static_cast<long long>(size));
      ::close(out);
      if (n != static_cast<long long>(size)) {
        ok = Fail(error, tar_path + ": cut inside " + name);
        break;
      }
      if (::lseek(in, padded - n, SEEK_CUR) < 0) ok = false;
      continue;
    }
    if (::lseek(in, padded, SEEK_CUR) < 0) ok = Fail(error, tar_path + ": cannot skip an entry");
    if (!ok) break;
  }
  ::close(in);
  return ok;
}

}  // namespace flyte
