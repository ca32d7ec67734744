#include "runner/task_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "types/literal.h"
#include "types/map_files.h"
#include "util/file_kind.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

// Outputs larger than this are not read into memory as scalars; use a file output instead.
constexpr size_t kMaxScalarOutput = 64u << 20;
// A failed task's message; more is not a message.
constexpr size_t kMaxErrorFile = 1u << 20;

Status MakeDirs(const std::string& dir, mode_t mode = 0755) {
  // One mkdir in the common case (the parent exists); the general walk only when it does not.
  if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), mode);
  return Status::Ok();
}

Status WriteFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IOError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return IOError("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// Reads a whole small file; nullopt when it does not exist. A task may leave anything under
// these names: a pipe or a device is refused (FailedPrecondition) rather than read.
Result<std::optional<std::string>> ReadSmall(const std::string& path, size_t limit) {
  return ReadRegularFile(path, limit);
}

// The error code of an output that cannot be read as what it claims to be.
ExecErrorCode ReadFailureCode(const Status& st) {
  return st.code() == StatusCode::kFailedPrecondition ? ExecErrorCode::kOutputsNotRegular
                                                      : ExecErrorCode::kOutputsInvalid;
}

// The error code of an output the blob store refused (runner/blobs.cc: InvalidArgument for a
// pipe, a device, or a folder holding one or a link out of it).
// Unavailable and FailedPrecondition: the upload to the raw_data_prefix failed (blobs.h).
ExecErrorCode PlaceFailureCode(const Status& st) {
  if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kFailedPrecondition)
    return ExecErrorCode::kOutputsNotStored;
  return st.code() == StatusCode::kInvalidArgument ? ExecErrorCode::kOutputsNotRegular
                                                   : ExecErrorCode::kOutputsInvalid;
}

// What is wrong with an entry (its stat) given as a file or folder output; nullopt: nothing.
std::optional<std::string> WrongKind(const struct stat& st, TypeKind kind) {
  const bool ok = kind == TypeKind::kDir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
  if (ok) return std::nullopt;
  return "is " + FileKindName(st.st_mode) + ", not " +
         (kind == TypeKind::kDir ? "a folder" : "a regular file");
}

// Relative paths in outputs.json are relative to the output folder.
std::string OutputPath(const TaskPaths& paths, const std::string& p) {
  if (StartsWith(p, "file://")) return OutputPath(paths, p.substr(7));
  if (!p.empty() && p[0] == '/') {
    for (const auto& [seen, here] : {std::pair{&paths.seen_output_dir, &paths.output_dir},
                                     std::pair{&paths.seen_raw_dir, &paths.raw_dir}}) {
      if (!seen->empty() && StartsWith(p, *seen + "/")) return *here + p.substr(seen->size());
    }
    return p;
  }
  return paths.output_dir + "/" + p;
}

// What a path the task named that is not there says.
std::string Missing(const TaskPaths& paths, const std::string& path) {
  if (paths.seen_output_dir.empty()) return path + " does not exist";
  return path + " does not exist (in a Pod, files in outputs travel from $FLYTE_OUTPUT_DIR and " +
         "$FLYTE_RAW_OUTPUT_DIR only)";
}

Result<Value> PlaceNested(const Value& v, const TaskPaths& paths, BlobStore* blobs) {
  return MapFiles(v, [&](const Value& f) -> Result<Value> {
    std::string path = OutputPath(paths, f.as_str());
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return NotFound(Missing(paths, path));
    bool is_dir = S_ISDIR(st.st_mode);
    if (blobs == nullptr) return is_dir ? Value::Dir(path) : Value::File(path);
    Result<std::string> placed = blobs->Ingest(path, is_dir);
    if (!placed.ok()) return placed.status();
    return is_dir ? Value::Dir(*placed) : Value::File(*placed);
  });
}

}  // namespace

bool HasBlobs(const Type& t) {
  switch (t.kind()) {
    case TypeKind::kFile:
    case TypeKind::kDir:
      return true;
    case TypeKind::kList:
    case TypeKind::kDict:
      return HasBlobs(t.elem());
    case TypeKind::kUnion:
      for (const Type& v : t.variants()) {
        if (HasBlobs(v)) return true;
      }
      return false;
    default:
      return false;
  }
}

TaskPaths TaskPaths::For(const TaskLaunch& launch) {
  TaskPaths p;
  p.input_dir = launch.attempt_dir + "/inputs";
  p.output_dir = launch.attempt_dir + "/outputs";
  p.raw_dir = launch.raw_output_dir;
  p.stdout_path = launch.attempt_dir + "/stdout";
  p.stderr_path = launch.attempt_dir + "/stderr";
  return p;
}

Status WriteInputs(const TaskLaunch& launch, const TaskPaths& paths) {
  // Parents first, so each is a single mkdir.
  RETURN_IF_ERROR(MakeDirs(fs::path(paths.raw_dir).parent_path().string()));
  RETURN_IF_ERROR(MakeDirs(paths.raw_dir));
  // Private: logs, inputs and _ERROR may hold what other users of the machine must not read.
  RETURN_IF_ERROR(MakeDirs(launch.attempt_dir, 0700));
  RETURN_IF_ERROR(MakeDirs(paths.input_dir));
  RETURN_IF_ERROR(MakeDirs(paths.output_dir));
  const Interface& iface = launch.task->iface;
  for (size_t i = 0; i < iface.inputs.size() && i < launch.inputs.size(); ++i) {
    const Value& v = launch.inputs[i];
    if (v.kind() != Value::Kind::kFile && v.kind() != Value::Kind::kDir) continue;
    const std::string path = paths.input_dir + "/" + iface.inputs[i].name;
    std::error_code ec;
    fs::remove(path, ec);
    fs::create_symlink(v.as_str(), path, ec);
    if (ec) return IOError("cannot link input " + iface.inputs[i].name + ": " + ec.message());
  }
  for (const auto& [name, bytes] : InputFiles(launch))
    RETURN_IF_ERROR(WriteFile(paths.input_dir + "/" + name, bytes));
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> InputFiles(const TaskLaunch& launch) {
  std::vector<std::pair<std::string, std::string>> files;
  const Interface& iface = launch.task->iface;
  std::string json = "{";
  for (size_t i = 0; i < iface.inputs.size() && i < launch.inputs.size(); ++i) {
    const Value& v = launch.inputs[i];
    if (v.kind() != Value::Kind::kFile && v.kind() != Value::Kind::kDir)
      files.emplace_back(iface.inputs[i].name, v.ToText());
    if (i > 0) json += ",";
    json += Value::Str(iface.inputs[i].name).ToCanonicalJson() + ":" + v.ToCanonicalJson();
  }
  json += "}";
  files.emplace_back("inputs.json", std::move(json));
  return files;
}

std::string Expand(const CompiledTemplate& tpl, const TaskLaunch& launch, const TaskPaths& paths) {
  std::string out;
  for (const TemplateSegment& s : tpl) {
    switch (s.kind) {
      case TemplateSegment::Kind::kText:
        out += s.text;
        break;
      case TemplateSegment::Kind::kInput:
        if (s.var < launch.inputs.size()) out += launch.inputs[s.var].ToText();
        break;
      case TemplateSegment::Kind::kOutput:
        out += paths.output_dir + "/" + launch.task->iface.outputs[s.var].name;
        break;
    }
  }
  return out;
}

std::string ReadErrorFile(const TaskPaths& paths) {
  Result<std::optional<std::string>> r = ReadSmall(paths.output_dir + "/_ERROR", kMaxErrorFile);
  // What stands in the way of the message is the best message left.
  if (!r.ok()) return r.status().message();
  if (!r->has_value()) return "";
  return std::string(Trim(**r));
}

OutputsRead ReadOutputs(const TaskLaunch& launch, const TaskPaths& paths, BlobStore* blobs) {
  OutputsRead out;
  auto fail = [&](ExecErrorCode code, std::string message) {
    out.ok = false;
    out.code = code;
    out.message = std::move(message);
    out.outputs.clear();
    return out;
  };
  Result<std::optional<std::string>> error = ReadSmall(paths.output_dir + "/_ERROR", kMaxErrorFile);
  if (!error.ok()) return fail(ReadFailureCode(error.status()), error.status().message());
  if (error->has_value() && !Trim(**error).empty())
    return fail(ExecErrorCode::kUserError, std::string(Trim(**error)));
  const std::vector<Variable>& vars = launch.task->iface.outputs;
  if (vars.empty()) return out;

  Result<std::optional<std::string>> json =
      ReadSmall(paths.output_dir + "/outputs.json", kMaxScalarOutput);
  if (!json.ok()) return fail(ReadFailureCode(json.status()), json.status().message());
  std::unique_ptr<yaml::Document> doc;
  if (json->has_value()) {
    yaml::ParseResult parsed = yaml::ParseText(**json, "outputs.json");
    if (!parsed.doc)
      return fail(ExecErrorCode::kOutputsInvalid,
                  "outputs.json is not valid JSON: " + parsed.error.message);
    doc = std::move(parsed.doc);
    if (doc->root() == nullptr || !doc->root()->is_map()) {
      return fail(ExecErrorCode::kOutputsInvalid,
                  "outputs.json must hold a JSON object of output names to values");
    }
  }
  for (const Variable& var : vars) {
    const std::string what = "output " + Quote(var.name) + " (" + var.type.ToString() + ")";
    Value value;
    if (doc != nullptr) {
      const yaml::Node* node = doc->root()->Get(var.name);
      if (node == nullptr) {
        if (var.type.IsOptional()) {
          out.outputs.emplace_back();  // an optional output left out is null
          continue;
        }
        return fail(ExecErrorCode::kOutputsNotFound, what + " is missing from outputs.json");
      }
      LiteralResult lit = ValueFromNode(*node, var.type);
      if (!lit.ok())
        return fail(ExecErrorCode::kOutputsInvalid, what + " in outputs.json: " + lit.error);
      value = std::move(lit.value);
    } else {
      const std::string path = paths.output_dir + "/" + var.name;
      const TypeKind kind = var.type.WithoutNone().kind();
      if (kind == TypeKind::kFile || kind == TypeKind::kDir) {
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) {
          if (var.type.IsOptional()) {
            out.outputs.emplace_back();  // an optional file or folder left unwritten is null
            continue;
          }
          return fail(ExecErrorCode::kOutputsNotFound,
                      what + " was not written: the task must create " +
                          (kind == TypeKind::kDir ? "the folder " : "the file ") +
                          "$FLYTE_OUTPUT_DIR/" + var.name);
        }
        if (std::optional<std::string> wrong = WrongKind(st, kind)) {
          return fail(ExecErrorCode::kOutputsNotRegular,
                      what + ": $FLYTE_OUTPUT_DIR/" + var.name + " " + *wrong);
        }
        value = kind == TypeKind::kFile ? Value::File(path) : Value::Dir(path);
      } else {
        Result<std::optional<std::string>> text = ReadSmall(path, kMaxScalarOutput);
        if (!text.ok())
          return fail(ReadFailureCode(text.status()), what + ": " + text.status().message());
        if (!text->has_value() && var.type.IsOptional()) {
          out.outputs.emplace_back();
          continue;
        }
        if (!text->has_value()) {
          return fail(ExecErrorCode::kOutputsNotFound,
                      what + " was not written: the task must write $FLYTE_OUTPUT_DIR/" + var.name +
                          " (or all outputs to $FLYTE_OUTPUT_DIR/outputs.json)");
        }
        std::string s = std::move(**text);
        if (!s.empty() && s.back() == '\n') s.pop_back();
        if (!s.empty() && s.back() == '\r') s.pop_back();
        LiteralResult lit = ValueFromText(s, var.type);
        if (!lit.ok()) return fail(ExecErrorCode::kOutputsInvalid, what + ": " + lit.error);
        value = std::move(lit.value);
      }
    }
    out.outputs.push_back(std::move(value));
  }
  // Files inside lists, dicts and json values are copied first: they may live inside a folder
  // output that moves next.
  for (size_t i = 0; i < out.outputs.size(); ++i) {
    Value& v = out.outputs[i];
    if (v.kind() != Value::Kind::kList && v.kind() != Value::Kind::kMap) continue;
    Result<Value> placed = PlaceNested(v, paths, blobs);
    if (!placed.ok()) {
      out.retryable = placed.status().code() != StatusCode::kFailedPrecondition;
      return fail(PlaceFailureCode(placed.status()),
                  "output " + Quote(vars[i].name) + ": " + placed.status().message());
    }
    v = std::move(*placed);
  }
  // Files and folders move into the blob store, so their paths never change under later nodes.
  for (size_t i = 0; i < out.outputs.size(); ++i) {
    Value& v = out.outputs[i];
    if (v.kind() != Value::Kind::kFile && v.kind() != Value::Kind::kDir) continue;
    std::string path = OutputPath(paths, v.as_str());
    struct stat st;
    bool is_dir = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (::stat(path.c_str(), &st) != 0) {
      return fail(ExecErrorCode::kOutputsNotFound,
                  "output " + Quote(vars[i].name) + ": " + Missing(paths, path));
    }
    if (blobs == nullptr) {
      v = is_dir ? Value::Dir(path) : Value::File(path);
      continue;
    }
    bool inside = StartsWith(path, paths.output_dir + "/");
    Result<std::string> placed = inside ? blobs->Adopt(path, is_dir) : blobs->Ingest(path, is_dir);
    if (!placed.ok()) {
      out.retryable = placed.status().code() != StatusCode::kFailedPrecondition;
      return fail(PlaceFailureCode(placed.status()),
                  "output " + Quote(vars[i].name) + ": " + placed.status().message());
    }
    v = is_dir ? Value::Dir(*placed) : Value::File(*placed);
  }
  return out;
}

std::string Tail(const std::string& path, size_t max_lines) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st;
  std::string data;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    off_t want = std::min<off_t>(st.st_size, 8192);
    data.resize(static_cast<size_t>(want));
    ssize_t n = ::pread(fd, data.data(), data.size(), st.st_size - want);
    data.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  while (!data.empty() && data.back() == '\n') data.pop_back();
  size_t lines = 0, pos = data.size();
  while (pos > 0) {
    if (data[pos - 1] == '\n' && ++lines == max_lines) break;
    --pos;
  }
  return data.substr(pos);
}

void SetOutputsResult(OutputsRead read, const std::string& tail_log, AttemptResult* r) {
  if (read.ok) {
    r->status = AttemptResult::Status::kSucceeded;
    r->outputs = std::move(read.outputs);
    return;
  }
  // Not the task's fault: the bucket was unreachable (another attempt may do) or refused us.
  const bool storage = read.code == ExecErrorCode::kOutputsNotStored;
  r->status = storage ? AttemptResult::Status::kSystemError : AttemptResult::Status::kUserError;
  if (storage) r->retryable = read.retryable;
  r->code = read.code;
  r->message = std::move(read.message);
  r->tail = Tail(tail_log, 20);
}

}  // namespace flyte
