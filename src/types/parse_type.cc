// ParseType: a small recursive-descent parser over the spellings of WORKFLOW.md §2.
#include <optional>
#include <utility>

#include "flyte/types.h"
#include "util/strings.h"

namespace flyte {
namespace {

// Deep enough for any real type, shallow enough that recursion cannot exhaust the stack.
constexpr int kMaxDepth = 32;

struct SimpleName {
  std::string_view name;
  Type (*make)();
};

constexpr SimpleName kSimpleNames[] = {
    {"int", Type::Int},           {"float", Type::Float}, {"str", Type::Str},
    {"string", Type::Str},        {"bool", Type::Bool},   {"datetime", Type::Datetime},
    {"duration", Type::Duration}, {"json", Type::Json},   {"file", Type::File},
    {"dir", Type::Dir},           {"none", Type::None},
};

// What users of other languages write for our types; edit distance cannot see these.
constexpr std::pair<std::string_view, std::string_view> kForeignNames[] = {
    {"integer", "int"},       {"long", "int"},      {"int64", "int"},
    {"double", "float"},      {"number", "float"},  {"float64", "float"},
    {"boolean", "bool"},      {"text", "str"},      {"object", "json"},
    {"dictionary", "dict"},   {"map", "dict"},      {"array", "list"},
    {"null", "none"},         {"nil", "none"},      {"path", "file"},
    {"directory", "dir"},     {"folder", "dir"},    {"timestamp", "datetime"},
    {"date", "datetime"},     {"time", "datetime"}, {"timedelta", "duration"},
    {"interval", "duration"},
};

const std::vector<std::string>& KnownNames() {
  static const std::vector<std::string> names = {
      "int",  "float", "str",  "string", "bool", "datetime", "duration", "json",
      "file", "dir",   "none", "list",   "dict", "optional", "enum",     "union"};
  return names;
}

std::string Suggestion(std::string_view name) {
  std::string close = ClosestMatch(name, KnownNames());
  if (!close.empty()) return " (did you mean " + Quote(close) + "?)";
  for (const auto& [foreign, ours] : kForeignNames) {
    if (foreign == name) return " (did you mean " + Quote(ours) + "?)";
  }
  return "";
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsSymbolChar(char c) { return IsNameChar(c) || c == '.' || c == '-'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ParsedType Run() {
    SkipSpace();
    if (AtEnd()) return Error(0, "empty type");
    std::optional<Type> t = ParseType(0);
    if (!t) return std::move(result_);
    SkipSpace();
    if (!AtEnd())
      return Error(pos_, "unexpected " + Quote(text_.substr(pos_, 1)) + " after the type");
    result_.type = std::move(*t);
    return std::move(result_);
  }

 private:
  ParsedType Error(size_t at, std::string message) {
    Fail(at, std::move(message));
    return std::move(result_);
  }
  // Records the error; returns nullopt so callers can `return Fail(...)`.
  std::nullopt_t Fail(size_t at, std::string message) {
    if (result_.error.empty()) {
      result_.error = std::move(message);
      result_.offset = at;
    }
    return std::nullopt;
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // "got ']'" or "got the end" for messages about what stands at the cursor.
  std::string Got() const {
    return AtEnd() ? "got the end of the type" : "got " + Quote(text_.substr(pos_, 1));
  }

  // type := primary '?'*
  std::optional<Type> ParseType(int depth) {
    if (depth > kMaxDepth) return Fail(pos_, "type nested too deeply");
    std::optional<Type> t = ParsePrimary(depth);
    if (!t) return std::nullopt;
    while (Eat('?')) t = Type::Optional(std::move(*t));
    return t;
  }

  std::optional<Type> ParsePrimary(int depth) {
    SkipSpace();
    size_t start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    if (name.empty()) return Fail(pos_, "expected a type, " + Got());
    for (const SimpleName& simple : kSimpleNames) {
      if (simple.name != name) continue;
      SkipSpace();
      if (Peek() == '[') return Fail(pos_, Quote(name) + " takes no type parameters");
      return simple.make();
    }
    if (name == "list" || name == "optional") return ParseOneArg(name, depth);
    if (name == "dict") return ParseDict(depth);
    if (name == "union") return ParseUnion(depth);
    if (name == "enum") return ParseEnum();
    return Fail(start, "unknown type " + Quote(name) + Suggestion(name));
  }

  // list[T], optional[T]
  std::optional<Type> ParseOneArg(std::string_view name, int depth) {
    std::string usage = std::string(name) + "[T]";
    if (!Eat('[')) return Fail(pos_, std::string(name) + " needs a type: " + usage);
    std::optional<Type> arg = ParseType(depth + 1);
    if (!arg) return std::nullopt;
    SkipSpace();
    if (Peek() == ',') return Fail(pos_, std::string(name) + " takes exactly one type: " + usage);
    if (!Eat(']')) {
      std::string what = name == "list" ? "list element type" : "optional type";
      return Fail(pos_, "expected ']' after " + what);
    }
    return name == "list" ? Type::List(std::move(*arg)) : Type::Optional(std::move(*arg));
  }

  // dict[str, T]
  std::optional<Type> ParseDict(int depth) {
    static constexpr std::string_view kUsage = "dict[str, T]";
    if (!Eat('[')) return Fail(pos_, "dict needs a key and a value type: " + std::string(kUsage));
    SkipSpace();
    size_t key_at = pos_;
    std::optional<Type> key = ParseType(depth + 1);
    if (!key) return std::nullopt;
    if (key->kind() != TypeKind::kStr) return Fail(key_at, "dict keys must be str");
    SkipSpace();
    if (Peek() == ']') {
      return Fail(pos_, "dict takes a key and a value type: " + std::string(kUsage));
    }
    if (!Eat(',')) return Fail(pos_, "expected ',' after dict key type");
    std::optional<Type> value = ParseType(depth + 1);
    if (!value) return std::nullopt;
    SkipSpace();
    if (Peek() == ',') return Fail(pos_, "dict takes exactly two types: " + std::string(kUsage));
    if (!Eat(']')) return Fail(pos_, "expected ']' after dict value type");
    return Type::Dict(std::move(*value));
  }

  // union[A, B, ...]
  std::optional<Type> ParseUnion(int depth) {
    static constexpr std::string_view kUsage = "union[A, B]";
    if (!Eat('[')) return Fail(pos_, "union needs its variant types: " + std::string(kUsage));
    size_t open = pos_ - 1;
    std::vector<Type> variants;
    do {
      std::optional<Type> v = ParseType(depth + 1);
      if (!v) return std::nullopt;
      variants.push_back(std::move(*v));
    } while (Eat(','));
    if (!Eat(']')) return Fail(pos_, "expected ',' or ']' after union variant type");
    if (variants.size() < 2) {
      return Fail(open, "union takes at least two types: " + std::string(kUsage));
    }
    return Type::Union(std::move(variants));
  }

  // enum[a, b, ...]
  std::optional<Type> ParseEnum() {
    static constexpr std::string_view kUsage = "enum[a, b]";
    if (!Eat('[')) return Fail(pos_, "enum needs its symbols: " + std::string(kUsage));
    SkipSpace();
    if (Peek() == ']') return Fail(pos_, "enum takes at least one symbol: " + std::string(kUsage));
    std::vector<std::string> symbols;
    do {
      SkipSpace();
      size_t start = pos_;
      while (!AtEnd() && IsSymbolChar(Peek())) ++pos_;
      std::string symbol(text_.substr(start, pos_ - start));
      if (symbol.empty()) {
        return Fail(pos_, "expected an enum symbol (letters, digits, '_', '.', '-'), " + Got());
      }
      for (const std::string& seen : symbols) {
        if (seen == symbol) return Fail(start, "duplicate enum symbol " + Quote(symbol));
      }
      symbols.push_back(std::move(symbol));
    } while (Eat(','));
    if (!Eat(']')) return Fail(pos_, "expected ',' or ']' after enum symbol");
    return Type::Enum(std::move(symbols));
  }

  std::string_view text_;
  size_t pos_ = 0;
  ParsedType result_;
};

}  // namespace

ParsedType ParseType(std::string_view text) { return Parser(text).Run(); }

}  // namespace flyte
