// A small tree over Expat, for S3's XML answers (lists, errors, multipart ids) and the
// documents sent to it. Element names lose their namespace prefix; attributes are not kept
// (S3 answers carry none that matter). Answers are small (a page of at most 1000 keys).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/status.h"

namespace flyte::storage {

struct XmlElement {
  std::string name;
  std::string text;  // the character data directly inside, untrimmed
  std::vector<std::unique_ptr<XmlElement>> children;

  // The first child named `name`, or null.
  const XmlElement* Child(std::string_view child_name) const;
  // The text of the first child named `name`, or "".
  std::string ChildText(std::string_view child_name) const;
  std::vector<const XmlElement*> ChildrenNamed(std::string_view child_name) const;
};

// Errors (InvalidArgument) give Expat's reason with line and column.
Result<std::unique_ptr<XmlElement>> ParseXml(std::string_view document);

// Text escaped for an XML element's content.
std::string XmlEscape(std::string_view text);

}  // namespace flyte::storage
