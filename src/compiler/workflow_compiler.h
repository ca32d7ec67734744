// Internal to the compiler: compiles one workflow. Node headers (what a node runs and the
// outputs it offers) are resolved first, on demand, so a reference can be type-checked
// against any node regardless of the order nodes are written in; then every body is bound
// and the edges found along the way become the graph.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/context.h"

namespace flyte::compiler {

class WorkflowCompiler {
 public:
  WorkflowCompiler(Context& ctx, const spec::Workflow& spec, CompiledWorkflow& out);
  void Run();

 private:
  // A node's outputs as seen by references. For branch nodes an output may be unusable
  // (missing from a case, or typed differently): `problem` then says why.
  struct OutputInfo {
    Type type;
    std::string problem;
    ErrorCode problem_code = ErrorCode::kMismatchingTypes;
  };
  struct Header {
    Progress progress = Progress::kPending;
    CompiledBody body;                // kind, target, iface
    std::vector<OutputInfo> outputs;  // parallel to body.iface.outputs
  };

  // workflow.cc
  Header& NodeHeader(uint32_t node);
  void ResolveHeader(const spec::NodeBody& spec, CompiledBody& body, std::vector<OutputInfo>& outs,
                     const std::string& node_id);
  CompiledBody CompileBody(const spec::NodeBody& spec, const std::string& node_id, SourceLoc at);
  void BindInputs(const spec::NodeBody& spec, CompiledBody& body, const std::string& where,
                  SourceLoc at);
  void ApplyTaskSettings(const spec::NodeBody& spec, CompiledBody& body);
  void CompileMap(const spec::NodeBody& spec, CompiledBody& body, const std::string& where);
  void CompileOutputs();
  void CompileOnFailure();
  std::string Where(const std::string& node_id) const;

  // bind.cc
  // Checks `b` against `target`, recording an edge for every node it references.
  CompiledBinding Bind(const spec::Binding& b, const Type& target, const std::string& what);
  // Resolves a reference to its source and static type; nullopt after reporting an error.
  std::optional<std::pair<DataRef, Type>> ResolveRef(const spec::Ref& ref);
  std::optional<CompiledCondition> CompileCondition(const spec::Condition& c,
                                                    const std::string& where);
  std::optional<Type> OperandType(const spec::Operand& o, CompiledOperand& out);
  // The type a binding has on its own (for workflow outputs and approve gates).
  Type InferType(const spec::Binding& b);

  void AddEdgeFrom(uint32_t node);

  // graph.cc
  void BuildGraph();

  Context& ctx_;
  const spec::Workflow& spec_;
  CompiledWorkflow& out_;
  std::vector<Header> headers_;
  uint32_t current_ = kNoIndex;  // the node whose bindings are being compiled
  bool failure_scope_ = false;   // binding on_failure inputs: node references are not allowed
  std::vector<std::pair<uint32_t, uint32_t>> edges_;  // upstream, downstream
};

}  // namespace flyte::compiler
