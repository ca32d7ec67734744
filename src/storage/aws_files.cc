#include "storage/aws_files.h"

#include "util/strings.h"

namespace flyte::storage {

Result<AwsFile> ParseAwsFile(std::string_view text, const std::string& file_name) {
  AwsFile file;
  AwsSection* section = nullptr;
  std::string parent;  // the key whose nested lines follow, or ""
  int line_no = 0;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    auto bad = [&](const std::string& why) {
      return InvalidArgument(file_name + ":" + std::to_string(line_no) + ": " + why);
    };
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (line[0] == '[') {
      if (line.back() != ']') return bad("a section header ends with ']'");
      std::string name(Trim(line.substr(1, line.size() - 2)));
      if (name.empty()) return bad("a section has a name");
      section = &file[name];
      parent.clear();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return bad("expected 'key = value' or '[section]'");
    if (section == nullptr) return bad("a setting comes after a [section] header");
    std::string key(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (indented && !parent.empty()) {
      (*section)[parent + "." + key] = value;
      continue;
    }
    parent = value.empty() ? key : "";
    (*section)[key] = value;
  }
  return file;
}

}  // namespace flyte::storage
