// Turning compiled bindings into values once their upstream nodes have finished.
#include "flyte/engine.h"
#include "types/coerce.h"

namespace flyte {
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

}  // namespace

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
