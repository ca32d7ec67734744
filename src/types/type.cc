#include <algorithm>
#include <cassert>

#include "flyte/types.h"
#include "util/strings.h"

namespace flyte {

struct Type::Compound {
  Type elem;                         // kList, kDict
  std::vector<Type> variants;        // kUnion
  std::vector<std::string> symbols;  // kEnum
};

Type::Type() : Type(TypeKind::kNone, nullptr) {}
Type::Type(TypeKind kind, std::shared_ptr<const Compound> compound)
    : kind_(kind), compound_(std::move(compound)) {}

Type Type::None() { return Type(); }
Type Type::Int() { return Type(TypeKind::kInt, nullptr); }
Type Type::Float() { return Type(TypeKind::kFloat, nullptr); }
Type Type::Str() { return Type(TypeKind::kStr, nullptr); }
Type Type::Bool() { return Type(TypeKind::kBool, nullptr); }
Type Type::Datetime() { return Type(TypeKind::kDatetime, nullptr); }
Type Type::Duration() { return Type(TypeKind::kDuration, nullptr); }
Type Type::Json() { return Type(TypeKind::kJson, nullptr); }
Type Type::File() { return Type(TypeKind::kFile, nullptr); }
Type Type::Dir() { return Type(TypeKind::kDir, nullptr); }
Type Type::Any() { return Type(TypeKind::kAny, nullptr); }

Type Type::List(Type elem) {
  auto c = std::make_shared<Compound>();
  c->elem = std::move(elem);
  return Type(TypeKind::kList, std::move(c));
}

Type Type::Dict(Type value) {
  auto c = std::make_shared<Compound>();
  c->elem = std::move(value);
  return Type(TypeKind::kDict, std::move(c));
}

Type Type::Enum(std::vector<std::string> symbols) {
  assert(!symbols.empty());
  auto c = std::make_shared<Compound>();
  c->symbols = std::move(symbols);
  return Type(TypeKind::kEnum, std::move(c));
}

Type Type::Union(std::vector<Type> variants) {
  std::vector<Type> flat;
  auto add = [&flat](const Type& t) {
    if (std::find(flat.begin(), flat.end(), t) == flat.end()) flat.push_back(t);
  };
  for (const Type& v : variants) {
    if (v.kind() == TypeKind::kUnion) {
      for (const Type& inner : v.variants()) add(inner);
    } else {
      add(v);
    }
  }
  if (flat.empty()) return None();
  if (flat.size() == 1) return flat[0];
  auto c = std::make_shared<Compound>();
  c->variants = std::move(flat);
  return Type(TypeKind::kUnion, std::move(c));
}

Type Type::Optional(Type t) { return Union({std::move(t), None()}); }

const Type& Type::elem() const {
  assert(kind_ == TypeKind::kList || kind_ == TypeKind::kDict);
  return compound_->elem;
}

const std::vector<Type>& Type::variants() const {
  assert(kind_ == TypeKind::kUnion);
  return compound_->variants;
}

const std::vector<std::string>& Type::symbols() const {
  assert(kind_ == TypeKind::kEnum);
  return compound_->symbols;
}

bool Type::IsOptional() const {
  if (kind_ == TypeKind::kNone) return true;
  if (kind_ != TypeKind::kUnion) return false;
  const auto& vs = variants();
  return std::any_of(vs.begin(), vs.end(),
                     [](const Type& v) { return v.kind() == TypeKind::kNone; });
}

Type Type::WithoutNone() const {
  if (kind_ != TypeKind::kUnion) return *this;
  std::vector<Type> rest;
  for (const Type& v : variants()) {
    if (v.kind() != TypeKind::kNone) rest.push_back(v);
  }
  return Union(std::move(rest));
}

bool Type::IsScalar() const {
  switch (kind_) {
    case TypeKind::kInt:
    case TypeKind::kFloat:
    case TypeKind::kStr:
    case TypeKind::kBool:
    case TypeKind::kDatetime:
    case TypeKind::kDuration:
    case TypeKind::kEnum:
    case TypeKind::kFile:
    case TypeKind::kDir:
      return true;
    case TypeKind::kNone:
    case TypeKind::kJson:
    case TypeKind::kList:
    case TypeKind::kDict:
    case TypeKind::kUnion:
    case TypeKind::kAny:
      return false;
  }
  return false;
}

std::string Type::ToString() const {
  switch (kind_) {
    case TypeKind::kNone:
      return "none";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kStr:
      return "str";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kDatetime:
      return "datetime";
    case TypeKind::kDuration:
      return "duration";
    case TypeKind::kJson:
      return "json";
    case TypeKind::kFile:
      return "file";
    case TypeKind::kDir:
      return "dir";
    case TypeKind::kAny:
      return "any";
    case TypeKind::kList:
      return "list[" + elem().ToString() + "]";
    case TypeKind::kDict:
      return "dict[str, " + elem().ToString() + "]";
    case TypeKind::kEnum:
      return "enum[" + Join(symbols(), ", ") + "]";
    case TypeKind::kUnion: {
      const auto& vs = variants();
      if (vs.size() == 2 && IsOptional()) {
        return "optional[" + WithoutNone().ToString() + "]";
      }
      std::vector<std::string> parts;
      for (const Type& v : vs) parts.push_back(v.ToString());
      return "union[" + Join(parts, ", ") + "]";
    }
  }
  return "?";
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.compound_ == b.compound_) return true;
  switch (a.kind_) {
    case TypeKind::kList:
    case TypeKind::kDict:
      return a.elem() == b.elem();
    case TypeKind::kEnum:
      return a.symbols() == b.symbols();
    case TypeKind::kUnion: {
      // Variants are unique, so same size and inclusion means the same set; order is only
      // spelling (union[int, str] and union[str, int] accept exactly the same values).
      const auto& av = a.variants();
      const auto& bv = b.variants();
      if (av.size() != bv.size()) return false;
      return std::all_of(av.begin(), av.end(), [&bv](const Type& v) {
        return std::find(bv.begin(), bv.end(), v) != bv.end();
      });
    }
    case TypeKind::kNone:
    case TypeKind::kInt:
    case TypeKind::kFloat:
    case TypeKind::kStr:
    case TypeKind::kBool:
    case TypeKind::kDatetime:
    case TypeKind::kDuration:
    case TypeKind::kJson:
    case TypeKind::kFile:
    case TypeKind::kDir:
    case TypeKind::kAny:
      return true;
  }
  return false;
}

}  // namespace flyte
