// Turning compiled bindings into values once their upstream nodes have finished.
#include "engine/evaluate.h"
#include "flyte/engine.h"
#include "types/coerce.h"

namespace flyte {
namespace {

Result<Value> Source(const ExecutionState& exec, const Frame& frame, const DataRef& ref,
                     const Value* failure_error);
Result<Value> Eval(const ExecutionState& exec, const Frame& frame, const CompiledBinding& b,
                   const Value* failure_error);

}  // namespace

Result<Value> EvaluateRef(const ExecutionState& exec, const Frame& frame, const DataRef& ref,
                          const Value* failure_error) {
  return Source(exec, frame, ref, failure_error);
}

namespace {

Result<Value> Source(const ExecutionState& exec, const Frame& frame, const DataRef& ref,
                     const Value* failure_error) {
  const Value* v = nullptr;
  if (ref.node == kWorkflowInputs) {
    if (ref.var < frame.inputs.size()) v = &frame.inputs[ref.var];
  } else if (ref.node == kFailureError) {
    v = failure_error;
  } else if (ref.node < frame.nodes.size()) {
    const NodeState& n = exec.nodes[frame.nodes[ref.node]];
    if (ref.var < n.outputs.size()) v = &n.outputs[ref.var];
  }
  if (v == nullptr) return Internal("a binding refers to a value that does not exist yet");
  const Value* cur = v;
  std::string walked;
  for (const spec::PathElem& e : ref.path) {
    if (e.is_index) {
      walked += "[" + std::to_string(e.index) + "]";
      if (cur->kind() != Value::Kind::kList || e.index < 0 ||
          static_cast<size_t>(e.index) >= cur->as_list().size()) {
        return TypeMismatch("no item " + walked + " in " + DescribeValue(*cur));
      }
      cur = &cur->as_list()[static_cast<size_t>(e.index)];
    } else {
      walked += "." + e.key;
      const Value* next = cur->kind() == Value::Kind::kMap ? cur->Find(e.key) : nullptr;
      if (next == nullptr) return TypeMismatch("no field " + walked + " in " + DescribeValue(*cur));
      cur = next;
    }
  }
  return *cur;
}

Result<Value> Eval(const ExecutionState& exec, const Frame& frame, const CompiledBinding& b,
                   const Value* failure_error) {
  switch (b.kind) {
    case CompiledBinding::Kind::kLiteral:
      return b.literal;
    case CompiledBinding::Kind::kRef:
      return Source(exec, frame, b.ref, failure_error);
    case CompiledBinding::Kind::kInterp: {
      std::string text;
      for (const InterpPart& p : b.parts) {
        text += p.text;
        if (p.ref) {
          Result<Value> v = Source(exec, frame, *p.ref, failure_error);
          if (!v.ok()) return v.status();
          text += v->ToText();
        }
      }
      return Value::Str(std::move(text));
    }
    case CompiledBinding::Kind::kList: {
      Value::List items;
      for (const CompiledBinding& item : b.items) {
        Result<Value> v = EvaluateBinding(exec, frame, item, item.type, failure_error);
        if (!v.ok()) return v.status();
        items.push_back(std::move(*v));
      }
      return Value::FromList(std::move(items));
    }
    case CompiledBinding::Kind::kMap: {
      Value::Map entries;
      for (size_t i = 0; i < b.items.size(); ++i) {
        Result<Value> v = EvaluateBinding(exec, frame, b.items[i], b.items[i].type, failure_error);
        if (!v.ok()) return v.status();
        entries.emplace_back(b.keys[i], std::move(*v));
      }
      return Value::FromMap(std::move(entries));
    }
  }
  return Internal("unknown binding kind");
}

Result<Value> Operand(const ExecutionState& exec, const Frame& frame, const CompiledOperand& o) {
  if (!o.ref) return o.literal;
  return Source(exec, frame, *o.ref, nullptr);
}

// Compares two values as `kind`; -1, 0 or 1.
Result<int> Compare(const Value& a, const Value& b, TypeKind kind) {
  auto num = [](const Value& v) -> std::optional<double> {
    if (v.kind() == Value::Kind::kInt) return static_cast<double>(v.as_int());
    if (v.kind() == Value::Kind::kFloat) return v.as_float();
    return std::nullopt;
  };
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.is_null() || b.is_null()) return TypeMismatch("cannot compare a null value");
  switch (kind) {
    case TypeKind::kInt:
      if (a.kind() == Value::Kind::kInt && b.kind() == Value::Kind::kInt)
        return sign(a.as_int(), b.as_int());
      [[fallthrough]];
    case TypeKind::kFloat: {
      auto x = num(a), y = num(b);
      if (!x || !y) break;
      return sign(*x, *y);
    }
    case TypeKind::kStr:
      if (a.kind() != Value::Kind::kStr || b.kind() != Value::Kind::kStr) break;
      return sign(a.as_str(), b.as_str());
    case TypeKind::kBool:
      if (a.kind() != Value::Kind::kBool || b.kind() != Value::Kind::kBool) break;
      return sign(a.as_bool(), b.as_bool());
    case TypeKind::kDatetime:
    case TypeKind::kDuration: {
      Coerced x = CoerceValue(a, kind == TypeKind::kDatetime ? Type::Datetime() : Type::Duration());
      Coerced y = CoerceValue(b, kind == TypeKind::kDatetime ? Type::Datetime() : Type::Duration());
      if (!x.ok() || !y.ok()) break;
      return sign(x.value.as_int(), y.value.as_int());
    }
    default:
      break;
  }
  return TypeMismatch("cannot compare " + DescribeValue(a) + " with " + DescribeValue(b));
}

}  // namespace

Result<bool> EvaluateCondition(const ExecutionState& exec, const Frame& frame,
                               const CompiledCondition& c) {
  switch (c.kind) {
    case spec::Condition::Kind::kAnd:
    case spec::Condition::Kind::kOr: {
      const bool is_and = c.kind == spec::Condition::Kind::kAnd;
      for (const CompiledCondition& sub : c.operands) {
        Result<bool> r = EvaluateCondition(exec, frame, sub);
        if (!r.ok()) return r;
        if (*r != is_and) return !is_and;  // short-circuit
      }
      return is_and;
    }
    case spec::Condition::Kind::kCompare: {
      Result<Value> a = Operand(exec, frame, c.lhs);
      if (!a.ok()) return a.status();
      Result<Value> b = Operand(exec, frame, c.rhs);
      if (!b.ok()) return b.status();
      Result<int> cmp = Compare(*a, *b, c.compare_as);
      if (!cmp.ok()) return cmp.status();
      switch (c.op) {
        case spec::CompareOp::kEq:
          return *cmp == 0;
        case spec::CompareOp::kNe:
          return *cmp != 0;
        case spec::CompareOp::kLt:
          return *cmp < 0;
        case spec::CompareOp::kLe:
          return *cmp <= 0;
        case spec::CompareOp::kGt:
          return *cmp > 0;
        case spec::CompareOp::kGe:
          return *cmp >= 0;
      }
    }
  }
  return Internal("unknown condition");
}

Result<Value> EvaluateBinding(const ExecutionState& exec, const Frame& frame,
                              const CompiledBinding& binding, const Type& type,
                              const Value* failure_error) {
  Result<Value> v = Eval(exec, frame, binding, failure_error);
  if (!v.ok()) return v;
  Coerced c = CoerceValue(*v, type);
  if (!c.ok()) return TypeMismatch(c.error);
  return std::move(c.value);
}

}  // namespace flyte
