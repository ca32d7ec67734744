// Bindings, references and branch conditions: resolving names and checking types.
#include "compiler/workflow_compiler.h"
#include "spec/reader.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::compiler {
namespace {

std::string Shown(const spec::Ref& ref) { return "'{{ " + ref.ToString() + " }}'"; }

// The variant of `target` (itself, or one member of a union) that takes a collection.
std::optional<Type> CollectionTarget(const Type& target, bool list) {
  auto fits = [&](const Type& t) {
    return list ? t.kind() == TypeKind::kList
                : (t.kind() == TypeKind::kDict || t.kind() == TypeKind::kJson);
  };
  if (target.kind() == TypeKind::kAny || fits(target)) return target;
  if (target.kind() == TypeKind::kUnion) {
    std::optional<Type> found;
    for (const Type& v : target.variants()) {
      if (!fits(v)) continue;
      if (found) return std::nullopt;
      found = v;
    }
    return found;
  }
  return std::nullopt;
}

bool Comparable(TypeKind k) {
  return k == TypeKind::kInt || k == TypeKind::kFloat || k == TypeKind::kStr ||
         k == TypeKind::kBool || k == TypeKind::kDatetime || k == TypeKind::kDuration;
}

}  // namespace

void WorkflowCompiler::AddEdgeFrom(uint32_t node) {
  if (node < kFailureError && current_ != kNoIndex) edges_.emplace_back(node, current_);
}

std::optional<std::pair<DataRef, Type>> WorkflowCompiler::ResolveRef(const spec::Ref& ref) {
  DataRef data;
  Type type;
  switch (ref.root) {
    case spec::Ref::Root::kOutputs:
      ctx_.Error(ErrorCode::kSyntaxError, ref.loc,
                 Shown(ref) + ": outputs.NAME can only be used in a task's command, script or env");
      return std::nullopt;
    case spec::Ref::Root::kInputs: {
      data.var = out_.iface.FindInput(ref.var);
      if (data.var == kNoIndex) {
        std::vector<std::string> names;
        for (const Variable& v : out_.iface.inputs) names.push_back(v.name);
        ctx_.Error(ErrorCode::kVariableNameNotFound, ref.loc,
                   Shown(ref) + ": workflow " + Quote(spec_.name) + " has no input " +
                       Quote(ref.var) + DidYouMean(ref.var, names));
        return std::nullopt;
      }
      type = out_.iface.inputs[data.var].type;
      break;
    }
    case spec::Ref::Root::kNode: {
      if (failure_scope_) {
        ctx_.Error(ErrorCode::kInvalidValue, ref.loc,
                   Shown(ref) +
                       ": inputs of on_failure can only use workflow inputs, since "
                       "nodes may not have run when the workflow fails");
        return std::nullopt;
      }
      data.node = out_.FindNode(ref.node);
      if (data.node == kNoIndex) {
        std::vector<std::string> ids;
        for (const spec::Node& n : spec_.nodes) ids.push_back(n.id);
        if (ref.node == "input") ids.insert(ids.begin(), "inputs");
        ctx_.Error(ErrorCode::kNodeReferenceNotFound, ref.loc,
                   Shown(ref) + ": workflow " + Quote(spec_.name) + " has no node " +
                       Quote(ref.node) + DidYouMean(ref.node, ids));
        return std::nullopt;
      }
      Header& h = NodeHeader(data.node);
      const CompiledBody& b = h.body;
      bool unknown =
          h.progress == Progress::kActive ||
          (b.target == kNoIndex &&
           (b.kind == spec::NodeKind::kTask || b.kind == spec::NodeKind::kMap ||
            b.kind == spec::NodeKind::kWorkflow || b.kind == spec::NodeKind::kLaunchPlan));
      if (unknown) return std::make_pair(data, Type::Any());
      data.var = b.iface.FindOutput(ref.var);
      if (data.var == kNoIndex) {
        std::vector<std::string> names;
        for (const Variable& v : b.iface.outputs) names.push_back(v.name);
        std::string what = "node " + Quote(ref.node);
        ctx_.Error(
            ErrorCode::kVariableNameNotFound, ref.loc,
            Shown(ref) + ": " + what +
                (names.empty() ? " has no outputs"
                               : " has no output " + Quote(ref.var) + DidYouMean(ref.var, names)));
        return std::nullopt;
      }
      if (!h.outputs[data.var].problem.empty()) {
        ctx_.Error(h.outputs[data.var].problem_code, ref.loc,
                   Shown(ref) + ": " + h.outputs[data.var].problem);
        return std::nullopt;
      }
      type = b.iface.outputs[data.var].type;
      break;
    }
  }
  for (const spec::PathElem& e : ref.path) {
    switch (type.kind()) {
      case TypeKind::kAny:
      case TypeKind::kJson:
        type = Type::Any();  // json has no schema: checked when the value arrives
        continue;
      case TypeKind::kList:
        if (e.is_index) {
          type = type.elem();
          continue;
        }
        break;
      case TypeKind::kDict:
        if (!e.is_index) {
          type = type.elem();
          continue;
        }
        break;
      default:
        break;
    }
    std::string step = e.is_index ? "[" + std::to_string(e.index) + "]" : "." + e.key;
    std::string shown = type.ToString();
    const char* article =
        std::string_view("aeiou").find(shown[0]) != std::string_view::npos ? "an " : "a ";
    ctx_.Error(ErrorCode::kFieldNotFound, ref.loc,
               Shown(ref) + ": cannot read " + Quote(step) + " of " + article + shown +
                   " value (fields work on json, dict and list values)");
    return std::nullopt;
  }
  data.path = ref.path;
  return std::make_pair(std::move(data), std::move(type));
}

CompiledBinding WorkflowCompiler::Bind(const spec::Binding& b, const Type& target,
                                       const std::string& what) {
  CompiledBinding out;
  out.type = target;
  const bool any = target.kind() == TypeKind::kAny;
  bool literal = b.kind == spec::Binding::Kind::kLiteral ||
                 ((b.kind == spec::Binding::Kind::kList || b.kind == spec::Binding::Kind::kMap) &&
                  !b.has_refs);
  if (literal) {
    out.kind = CompiledBinding::Kind::kLiteral;
    if (b.node == nullptr) return out;
    if (any) out.type = NaturalType(*b.node);
    LiteralResult lit = ValueFromNode(*b.node, out.type);
    if (!lit.ok()) {
      ctx_.Error(lit.code, lit.at != nullptr ? spec::LocOf(*lit.at, ctx_.file.source.get()) : b.loc,
                 what + ": " + lit.error);
      return out;
    }
    out.literal = std::move(lit.value);
    return out;
  }
  switch (b.kind) {
    case spec::Binding::Kind::kLiteral:
      break;
    case spec::Binding::Kind::kRef: {
      out.kind = CompiledBinding::Kind::kRef;
      auto resolved = ResolveRef(b.ref);
      if (!resolved) return out;
      out.ref = std::move(resolved->first);
      AddEdgeFrom(out.ref.node);
      const Type& from = resolved->second;
      if (any) out.type = from;
      switch (CheckCast(from, target)) {
        case Cast::kOk:
          break;
        case Cast::kMismatch:
          ctx_.Error(ErrorCode::kMismatchingTypes, b.ref.loc,
                     what + " expects " + target.ToString() + ", but " + Shown(b.ref) + " is " +
                         from.ToString());
          break;
        case Cast::kAmbiguous:
          ctx_.Error(ErrorCode::kMismatchingTypes, b.ref.loc,
                     what + " expects " + target.ToString() + ", but " + Shown(b.ref) + " (" +
                         from.ToString() + ") matches more than one of its variants");
          break;
      }
      return out;
    }
    case spec::Binding::Kind::kInterp: {
      out.kind = CompiledBinding::Kind::kInterp;
      if (any) out.type = Type::Str();
      for (const spec::TemplatePart& p : b.interp.parts) {
        InterpPart part;
        part.text = p.text;
        if (p.ref) {
          auto resolved = ResolveRef(*p.ref);
          if (resolved) {
            part.ref = std::move(resolved->first);
            AddEdgeFrom(part.ref->node);
          }
        }
        out.parts.push_back(std::move(part));
      }
      // No parts: the template did not parse, which the loader has reported.
      if (!b.interp.parts.empty() && CheckCast(Type::Str(), target) != Cast::kOk) {
        ctx_.Error(ErrorCode::kMismatchingTypes, b.loc,
                   what + " expects " + target.ToString() +
                       ", but text with {{ }} inside it is a str (a value that is exactly one "
                       "{{ ref }} keeps its type)");
      }
      return out;
    }
    case spec::Binding::Kind::kList:
    case spec::Binding::Kind::kMap: {
      const bool list = b.kind == spec::Binding::Kind::kList;
      std::optional<Type> t = CollectionTarget(target, list);
      out.kind = list ? CompiledBinding::Kind::kList : CompiledBinding::Kind::kMap;
      if (!t) {
        ctx_.Error(
            ErrorCode::kMismatchingTypes, b.loc,
            what + " expects " + target.ToString() + ", got " + (list ? "a list" : "a mapping"));
        return out;
      }
      const bool open = t->kind() == TypeKind::kAny || t->kind() == TypeKind::kJson;
      Type elem = open ? Type::Any() : t->elem();
      if (list) {
        for (size_t i = 0; i < b.items.size(); ++i) {
          out.items.push_back(Bind(b.items[i], elem, what + ", item [" + std::to_string(i) + "]"));
        }
      } else {
        for (const auto& [key, value] : b.entries) {
          out.keys.push_back(key);
          out.items.push_back(Bind(value, elem, what + ", key " + Quote(key)));
        }
      }
      out.type = t->kind() == TypeKind::kAny ? (list ? Type::List(Type::Any()) : Type::Json()) : *t;
      return out;
    }
  }
  return out;
}

std::optional<Type> WorkflowCompiler::OperandType(const spec::Operand& o, CompiledOperand& out) {
  if (!o.ref) {
    out.literal = o.literal;
    switch (o.literal_type) {
      case TypeKind::kInt:
        return Type::Int();
      case TypeKind::kFloat:
        return Type::Float();
      case TypeKind::kStr:
        return Type::Str();
      case TypeKind::kBool:
        return Type::Bool();
      case TypeKind::kDatetime:
        return Type::Datetime();
      case TypeKind::kDuration:
        return Type::Duration();
      default:
        return Type::Any();
    }
  }
  auto resolved = ResolveRef(*o.ref);
  if (!resolved) return std::nullopt;
  out.ref = std::move(resolved->first);
  AddEdgeFrom(out.ref->node);
  return resolved->second;
}

std::optional<CompiledCondition> WorkflowCompiler::CompileCondition(const spec::Condition& c,
                                                                    const std::string& where) {
  CompiledCondition out;
  out.kind = c.kind;
  out.op = c.op;
  if (c.kind != spec::Condition::Kind::kCompare) {
    bool ok = true;
    for (const spec::Condition& operand : c.operands) {
      std::optional<CompiledCondition> sub = CompileCondition(operand, where);
      ok = ok && sub.has_value();
      if (sub) out.operands.push_back(std::move(*sub));
    }
    if (!ok) return std::nullopt;
    return out;
  }
  std::optional<Type> lt = OperandType(c.lhs, out.lhs);
  std::optional<Type> rt = OperandType(c.rhs, out.rhs);
  if (!lt || !rt) return std::nullopt;
  auto kind_of = [](const Type& t) {
    return t.kind() == TypeKind::kEnum ? TypeKind::kStr : t.kind();
  };
  // The parser reads a bare operand as `== true`, with both sides at the same place.
  const bool bare =
      !c.rhs.ref && c.rhs.loc.line == c.lhs.loc.line && c.rhs.loc.col == c.lhs.loc.col;
  if (bare && lt->kind() != TypeKind::kBool && lt->kind() != TypeKind::kAny) {
    ctx_.Error(ErrorCode::kMismatchingTypes, c.loc,
               "condition of " + where +
                   ": a condition without a comparison must be a bool, but it is " +
                   lt->ToString() + "; compare it, e.g. {{ ... }} > 0");
    return std::nullopt;
  }
  TypeKind l = kind_of(*lt), r = kind_of(*rt);
  if (l == TypeKind::kAny) l = r;
  if (r == TypeKind::kAny) r = l;
  for (const auto& [t, k] : {std::pair<const Type*, TypeKind>{&*lt, l}, {&*rt, r}}) {
    if (k != TypeKind::kAny && !Comparable(k)) {
      ctx_.Error(ErrorCode::kMismatchingTypes, c.loc,
                 "condition of " + where + ": " + t->ToString() +
                     " values cannot be compared (int, float, str, bool, datetime and duration "
                     "can)");
      return std::nullopt;
    }
  }
  if (l == r) {
    out.compare_as = l == TypeKind::kAny ? TypeKind::kStr : l;
  } else if ((l == TypeKind::kInt && r == TypeKind::kFloat) ||
             (l == TypeKind::kFloat && r == TypeKind::kInt)) {
    out.compare_as = TypeKind::kFloat;
  } else {
    ctx_.Error(
        ErrorCode::kMismatchingTypes, c.loc,
        "condition of " + where + ": cannot compare " + lt->ToString() + " with " + rt->ToString());
    return std::nullopt;
  }
  if (out.compare_as == TypeKind::kBool && c.op != spec::CompareOp::kEq &&
      c.op != spec::CompareOp::kNe) {
    ctx_.Error(ErrorCode::kMismatchingTypes, c.loc,
               "condition of " + where + ": bools can only be compared with == or !=, not " +
                   spec::CompareOpText(c.op));
    return std::nullopt;
  }
  return out;
}

Type WorkflowCompiler::InferType(const spec::Binding& b) {
  switch (b.kind) {
    case spec::Binding::Kind::kRef: {
      auto resolved = ResolveRef(b.ref);
      return resolved ? resolved->second : Type::Any();
    }
    case spec::Binding::Kind::kInterp:
      return Type::Str();
    case spec::Binding::Kind::kLiteral:
      return b.node != nullptr ? NaturalType(*b.node) : Type::Any();
    case spec::Binding::Kind::kList: {
      if (!b.has_refs) return NaturalType(*b.node);
      std::optional<Type> common;
      for (const spec::Binding& item : b.items) {
        Type t = InferType(item);
        if (common && *common != t) return Type::List(Type::Any());
        common = t;
      }
      return Type::List(common.value_or(Type::None()));
    }
    case spec::Binding::Kind::kMap:
      return Type::Json();
  }
  return Type::Any();
}

}  // namespace flyte::compiler
