#include "spec/loader.h"

#include <sys/stat.h>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string_view>
#include <unordered_set>

#include "spec/keys.h"
#include "spec/load.h"
#include "util/strings.h"
#include "util/utf8.h"
#include "util/yaml.h"

namespace flyte::spec {
namespace {

SourceLoc LocOfOffset(const SourceFile& f, size_t offset) {
  uint32_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < f.text().size(); ++i) {
    if (f.text()[i] == '\n')
      ++line, col = 1;
    else
      ++col;
  }
  return {&f, line, col};
}

// Binary files and wrong encodings get one clear error instead of a confusing parse error.
bool CheckEncoding(const SourceFile& f, Diagnostics& diags) {
  const std::string& text = f.text();
  if (std::optional<size_t> bad = FindInvalidUtf8(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    diags.Add(ErrorCode::kInvalidEncoding, LocOfOffset(f, *bad),
              std::string("the file is not valid UTF-8 (byte ") + byte +
                  "); workflow files must be UTF-8 text");
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", c);
      diags.Add(ErrorCode::kInvalidEncoding, LocOfOffset(f, i),
                std::string("the file contains a control character (") + byte +
                    "); is it a binary file?");
      return false;
    }
  }
  return true;
}

std::string SyntaxHint(std::string_view line) {
  if (!line.empty() && line[0] == '\t') return " (YAML indents with spaces, not tabs)";
  // `x: {{ inputs.n }}` reads as a mapping inside a mapping.
  if (line.find("{{") != std::string_view::npos) {
    return " (a value that starts with {{ must be quoted: \"{{ inputs.x }}\")";
  }
  size_t brace = line.find('{');
  if (brace != std::string_view::npos) {
    for (size_t i = brace; i + 1 < line.size(); ++i) {
      if (std::isalpha(static_cast<unsigned char>(line[i])) && line[i + 1] == '[') {
        return " (inside { } a type with brackets must be quoted, e.g. {xs: \"list[int]\"})";
      }
    }
  }
  return "";
}

template <typename T, typename LoadFn>
void LoadEntities(Reader& r, const yaml::Node& root, const char* key, const char* what,
                  std::vector<T>& out, LoadFn load) {
  const yaml::Node* map = root.Get(key);
  if (map == nullptr || !r.ExpectMap(*map, key)) return;
  r.CheckIds(*map, what);
  std::unordered_set<std::string_view> seen;  // repeats are reported by CheckIds
  for (const auto& [k, v] : map->entries) {
    if (seen.insert(k->text).second) out.push_back(load(r, *k, *v));
  }
}

// Checks the encoding and parses; null (with a diagnostic) when either fails.
std::shared_ptr<const yaml::Document> ParseChecked(const std::shared_ptr<const SourceFile>& source,
                                                   Diagnostics& diags) {
  if (!CheckEncoding(*source, diags)) return nullptr;
  yaml::ParseResult parsed = yaml::Parse(source);
  if (!parsed.doc) {
    if (parsed.error.line == 0) {
      diags.AddForFile(ErrorCode::kSyntaxError, source->path(),
                       "invalid YAML: " + parsed.error.message);
    } else {
      // An error at the very end (an unclosed bracket) points past the last line; show it
      // after the end of the last line instead.
      if (parsed.error.line > source->line_count()) {
        parsed.error.line = source->line_count();
        parsed.error.col = static_cast<uint32_t>(source->LineText(parsed.error.line).size() + 1);
      }
      diags.Add(ErrorCode::kSyntaxError, {source.get(), parsed.error.line, parsed.error.col},
                "invalid YAML: " + parsed.error.message +
                    SyntaxHint(source->LineText(parsed.error.line)));
    }
    return nullptr;
  }
  return std::shared_ptr<const yaml::Document>(std::move(parsed.doc));
}

}  // namespace

std::unique_ptr<File> LoadFragment(std::shared_ptr<const SourceFile> source,
                                   std::shared_ptr<const File> base, const Task& task,
                                   Diagnostics& diags) {
  std::shared_ptr<const yaml::Document> doc = ParseChecked(source, diags);
  if (doc == nullptr) return nullptr;
  auto file = std::make_unique<File>(*base);
  file->base = base;
  file->source = source;
  file->doc = doc;
  Reader r(source.get(), diags);
  const yaml::Node* root = doc->root();
  std::string where = "the dynamic workflow of task " + Quote(task.name);
  if (root == nullptr || !root->is_map()) {
    diags.AddForFile(ErrorCode::kWrongShape, source->path(),
                     "expected a mapping with nodes: and outputs: for " + where);
    return nullptr;
  }
  static constexpr std::string_view kFragment[] = {"nodes", "outputs"};
  r.CheckKeys(*root, kFragment, "in " + where);
  yaml::Node name;
  name.kind = yaml::NodeKind::kScalar;
  name.text = task.name + ".dynamic";
  name.line = root->line;
  name.col = root->col;
  Workflow w = LoadWorkflow(r, name, *root);
  w.inputs = task.inputs;
  file->workflows.push_back(std::move(w));
  return file;
}

std::unique_ptr<File> LoadSource(std::shared_ptr<const SourceFile> source, Diagnostics& diags) {
  std::shared_ptr<const yaml::Document> doc = ParseChecked(source, diags);
  if (doc == nullptr) return nullptr;
  auto file = std::make_unique<File>();
  file->source = source;
  file->doc = doc;
  const yaml::Node* root = file->doc->root();
  Reader r(source.get(), diags);
  if (root == nullptr || root->is_null()) {
    diags.AddForFile(ErrorCode::kValueRequired, source->path(),
                     "the file is empty; a workflow file defines tasks:, workflows: and "
                     "launch_plans:");
    return file;
  }
  if (!root->is_map()) {
    r.Error(ErrorCode::kWrongShape, *root,
            "expected a mapping with tasks:, workflows: and launch_plans: at the top of the "
            "file, got " +
                root->Describe());
    return file;
  }
  r.CheckKeys(*root, keys::kFile, "at the top level");
  if (const yaml::Node* n = root->Get("project")) {
    if (auto p = r.Text(*n, "project")) {
      file->project = *p;
      if (!IsDnsLabel(*p)) {
        r.Error(ErrorCode::kInvalidValue, *n,
                "project " + Quote(*p) + " must be a DNS label: lowercase letters, digits and '-'");
      }
    }
  }
  if (const yaml::Node* n = root->Get("domain")) {
    if (auto d = r.Choice(*n, "domain", {"development", "staging", "production"}))
      file->domain = *d;
  }
  LoadEntities(r, *root, "tasks", "task", file->tasks, LoadTask);
  LoadEntities(r, *root, "workflows", "workflow", file->workflows, LoadWorkflow);
  LoadEntities(r, *root, "launch_plans", "launch plan", file->launch_plans, LoadLaunchPlan);
  if (file->tasks.empty() && file->workflows.empty() && diags.ok()) {
    r.Error(ErrorCode::kValueRequired, *root, "the file defines no tasks and no workflows");
  }
  return file;
}

std::shared_ptr<const SourceFile> ReadSource(const std::string& path, Diagnostics& diags) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    diags.AddForFile(ErrorCode::kIOError, path,
                     std::string("cannot read: ") + std::strerror(errno));
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    diags.AddForFile(ErrorCode::kIOError, path, "cannot read: it is a directory");
    return nullptr;
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    diags.AddForFile(ErrorCode::kFileTooLarge, path,
                     "the file is " + std::to_string(st.st_size >> 20) +
                         " MiB; workflow files are limited to " +
                         std::to_string(kMaxFileBytes >> 20) + " MiB");
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.AddForFile(ErrorCode::kIOError, path,
                     std::string("cannot read: ") + std::strerror(errno));
    return nullptr;
  }
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {  // pipes and devices have no size up front
      diags.AddForFile(ErrorCode::kFileTooLarge, path,
                       "the file is larger than " + std::to_string(kMaxFileBytes >> 20) +
                           " MiB, the limit for workflow files");
      return nullptr;
    }
  }
  if (in.bad()) {
    diags.AddForFile(ErrorCode::kIOError, path,
                     std::string("cannot read: ") + std::strerror(errno));
    return nullptr;
  }
  return std::make_shared<SourceFile>(path, std::move(text));
}

std::unique_ptr<File> LoadFile(const std::string& path, Diagnostics& diags) {
  std::shared_ptr<const SourceFile> source = ReadSource(path, diags);
  if (source == nullptr) return nullptr;
  return LoadSource(std::move(source), diags);
}

}  // namespace flyte::spec
