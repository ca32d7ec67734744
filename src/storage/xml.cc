#include "storage/xml.h"

#include <expat.h>

namespace flyte::storage {
namespace {

struct Builder {
  std::unique_ptr<XmlElement> root;
  std::vector<XmlElement*> stack;
};

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

void OnStart(void* data, const char* name, const char** /*attributes*/) {
  auto* b = static_cast<Builder*>(data);
  auto element = std::make_unique<XmlElement>();
  element->name = std::string(LocalName(name));
  XmlElement* raw = element.get();
  if (b->stack.empty()) {
    b->root = std::move(element);
  } else {
    b->stack.back()->children.push_back(std::move(element));
  }
  b->stack.push_back(raw);
}

void OnEnd(void* data, const char* /*name*/) { static_cast<Builder*>(data)->stack.pop_back(); }

void OnText(void* data, const char* s, int len) {
  auto* b = static_cast<Builder*>(data);
  if (!b->stack.empty()) b->stack.back()->text.append(s, static_cast<size_t>(len));
}

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c->name == child_name) return c.get();
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* c = Child(child_name);
  return c ? c->text : "";
}

std::vector<const XmlElement*> XmlElement::ChildrenNamed(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (c->name == child_name) out.push_back(c.get());
  }
  return out;
}

Result<std::unique_ptr<XmlElement>> ParseXml(std::string_view document) {
  Builder builder;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (parser == nullptr) return Internal("XML: out of memory");
  XML_SetUserData(parser, &builder);
  XML_SetElementHandler(parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser, OnText);
  bool ok =
      XML_Parse(parser, document.data(), static_cast<int>(document.size()), 1) == XML_STATUS_OK;
  std::string error;
  if (!ok) {
    error = std::string("invalid XML at ") + std::to_string(XML_GetCurrentLineNumber(parser)) +
            ":" + std::to_string(XML_GetCurrentColumnNumber(parser) + 1) + ": " +
            XML_ErrorString(XML_GetErrorCode(parser));
  }
  XML_ParserFree(parser);
  if (!ok) return InvalidArgument(error);
  if (!builder.root) return InvalidArgument("invalid XML: no element");
  return std::move(builder.root);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace flyte::storage
