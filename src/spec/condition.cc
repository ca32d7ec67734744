// Branch conditions: a tiny recursive-descent parser over the condition text.
//   or      := and ('or' and)*
//   and     := primary ('and' primary)*
//   primary := '(' or ')' | operand (op operand)?
//   operand := {{ ref }} | number | duration | datetime | 'string' | "string" | true | false
#include <cctype>

#include "spec/template.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::spec {
namespace {

class ConditionParser {
 public:
  ConditionParser(Reader& r, const yaml::Node& node) : r_(r), node_(node), s_(node.text) {}

  std::optional<Condition> Parse() {
    std::optional<Condition> c = Or();
    if (!c) return std::nullopt;
    SkipSpace();
    if (pos_ < s_.size()) return Fail(pos_, "unexpected " + Quote(Rest()) + " in condition");
    return c;
  }

 private:
  std::optional<Condition> Or() { return Chain(Condition::Kind::kOr, "or"); }
  std::optional<Condition> And() { return Chain(Condition::Kind::kAnd, "and"); }

  std::optional<Condition> Chain(Condition::Kind kind, std::string_view word) {
    size_t start = Peek();
    std::optional<Condition> first = kind == Condition::Kind::kOr ? And() : Primary();
    if (!first) return std::nullopt;
    if (!AtWord(word)) return first;
    Condition c;
    c.kind = kind;
    c.loc = r_.LocIn(node_, start);
    c.operands.push_back(std::move(*first));
    while (AtWord(word)) {
      pos_ += word.size();
      std::optional<Condition> next = kind == Condition::Kind::kOr ? And() : Primary();
      if (!next) return std::nullopt;
      c.operands.push_back(std::move(*next));
    }
    return c;
  }

  std::optional<Condition> Primary() {
    size_t start = Peek();
    if (start < s_.size() && s_[start] == '(') {
      pos_ = start + 1;
      std::optional<Condition> inner = Or();
      if (!inner) return std::nullopt;
      if (Peek() >= s_.size() || s_[pos_] != ')') return Fail(Peek(), "expected ')'");
      ++pos_;
      return inner;
    }
    Condition c;
    c.kind = Condition::Kind::kCompare;
    c.loc = r_.LocIn(node_, start);
    std::optional<Operand> lhs = ParseOperand();
    if (!lhs) return std::nullopt;
    c.lhs = std::move(*lhs);
    std::optional<CompareOp> op = ParseOp();
    if (!op) {
      // A bare operand reads as `== true`; the compiler checks that it is a bool.
      c.op = CompareOp::kEq;
      c.rhs.literal = Value::Bool(true);
      c.rhs.literal_type = TypeKind::kBool;
      c.rhs.loc = c.lhs.loc;
      return c;
    }
    c.op = *op;
    std::optional<Operand> rhs = ParseOperand();
    if (!rhs) return std::nullopt;
    c.rhs = std::move(*rhs);
    return c;
  }

  std::optional<CompareOp> ParseOp() {
    size_t p = Peek();
    auto take = [&](std::string_view t, CompareOp op) -> std::optional<CompareOp> {
      if (s_.compare(p, t.size(), t) != 0) return std::nullopt;
      pos_ = p + t.size();
      return op;
    };
    for (auto [t, op] : {std::pair<std::string_view, CompareOp>{"==", CompareOp::kEq},
                         {"!=", CompareOp::kNe},
                         {"<=", CompareOp::kLe},
                         {">=", CompareOp::kGe},
                         {"<", CompareOp::kLt},
                         {">", CompareOp::kGt}}) {
      if (auto r = take(t, op)) return r;
    }
    return std::nullopt;
  }

  std::optional<Operand> ParseOperand() {
    size_t p = Peek();
    Operand o;
    o.loc = r_.LocIn(node_, p);
    if (p >= s_.size()) {
      Fail(p, "condition ends early: expected a value");
      return std::nullopt;
    }
    if (s_.compare(p, 2, "{{") == 0) {
      size_t close = s_.find("}}", p + 2);
      if (close == std::string::npos) {
        Fail(p, "unclosed '{{' in condition");
        return std::nullopt;
      }
      o.ref = ParseRefBody(r_, node_, std::string_view(s_).substr(p + 2, close - p - 2), p + 2);
      if (!o.ref) return std::nullopt;
      if (o.ref->root != Ref::Root::kInputs && o.ref->root != Ref::Root::kNode) {
        Fail(p, "conditions can use inputs.NAME or NODE.OUTPUT");
        return std::nullopt;
      }
      pos_ = close + 2;
      return o;
    }
    char c = s_[p];
    if (c == '\'' || c == '"') {
      size_t end = s_.find(c, p + 1);
      if (end == std::string::npos) {
        Fail(p, "unclosed string in condition");
        return std::nullopt;
      }
      o.literal = Value::Str(s_.substr(p + 1, end - p - 1));
      o.literal_type = TypeKind::kStr;
      pos_ = end + 1;
      return o;
    }
    size_t end = p;
    while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) ||
                               std::string_view("_.:+-").find(s_[end]) != std::string_view::npos)) {
      ++end;
    }
    std::string word = s_.substr(p, end - p);
    pos_ = end;
    if (word.empty()) {
      Fail(p, "unexpected " + Quote(Rest(p)) + " in condition: expected a value");
      return std::nullopt;
    }
    if (auto b = yaml::ParseBool(word)) {
      o.literal = Value::Bool(*b);
      o.literal_type = TypeKind::kBool;
    } else if (auto i = yaml::ParseInt(word)) {
      o.literal = Value::Int(*i);
      o.literal_type = TypeKind::kInt;
    } else if (auto f = yaml::ParseFloat(word)) {
      o.literal = Value::Float(*f);
      o.literal_type = TypeKind::kFloat;
    } else if (auto d = ParseDuration(word)) {
      o.literal = Value::Duration(*d);
      o.literal_type = TypeKind::kDuration;
    } else if (auto t = ParseDatetime(word)) {
      o.literal = Value::Datetime(*t);
      o.literal_type = TypeKind::kDatetime;
    } else {
      Fail(p, "cannot read " + Quote(word) +
                  " in condition: write references as {{ NODE.OUTPUT }} and strings in quotes");
      return std::nullopt;
    }
    return o;
  }

  bool AtWord(std::string_view w) {
    size_t p = Peek();
    if (s_.compare(p, w.size(), w) != 0) return false;
    size_t after = p + w.size();
    return after >= s_.size() ||
           !(std::isalnum(static_cast<unsigned char>(s_[after])) || s_[after] == '_');
  }

  size_t Peek() {
    SkipSpace();
    return pos_;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  std::string Rest(size_t from = std::string::npos) const {
    return s_.substr(from == std::string::npos ? pos_ : from);
  }
  std::nullopt_t Fail(size_t at, const std::string& msg) {
    r_.Error(ErrorCode::kSyntaxError, r_.LocIn(node_, at), msg);
    return std::nullopt;
  }

  Reader& r_;
  const yaml::Node& node_;
  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<Condition> ParseCondition(Reader& r, const yaml::Node& node) {
  if (!node.is_scalar()) {
    r.Error(ErrorCode::kWrongShape, node,
            "expected a condition such as \"{{ inputs.n }} > 10\", got " + node.Describe());
    return std::nullopt;
  }
  return ConditionParser(r, node).Parse();
}

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

}  // namespace flyte::spec
