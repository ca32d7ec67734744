#include "cli/graph_render.h"

namespace flyte::cli {
namespace {

// "task greet", "map square", "branch (3 cases)"...
std::string Describe(const CompiledFile& file, const CompiledBody& b) {
  switch (b.kind) {
    case spec::NodeKind::kTask:
      return "task " + file.tasks[b.target].name;
    case spec::NodeKind::kMap:
      return "map " + file.tasks[b.target].name;
    case spec::NodeKind::kWorkflow:
      return "workflow " + file.workflows[b.target].name;
    case spec::NodeKind::kLaunchPlan:
      return "launch plan " + file.launch_plans[b.target].name;
    case spec::NodeKind::kBranch:
      return "branch (" + std::to_string(b.cases.size()) + " cases)";
    case spec::NodeKind::kSleep:
      return "sleep";
    case spec::NodeKind::kApprove:
      return "approve";
    case spec::NodeKind::kSignal:
      return "signal " + b.signal_name;
  }
  return "";
}

std::string Escape(const std::string& s, bool dot) {
  std::string out;
  for (char c : s) {
    if (c == '"')
      out += dot ? "\\\"" : "#quot;";
    else if (c == '\\' && dot)
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderDot(const CompiledFile& file, const CompiledWorkflow& wf) {
  std::string out = "digraph \"" + Escape(wf.name, true) + "\" {\n";
  out += "  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  for (const CompiledNode& n : wf.nodes) {
    const char* shape = "box";
    switch (n.body.kind) {
      case spec::NodeKind::kTask:
        shape = "box";
        break;
      case spec::NodeKind::kMap:
        shape = "box3d";
        break;
      case spec::NodeKind::kWorkflow:
        shape = "component";
        break;
      case spec::NodeKind::kLaunchPlan:
        shape = "folder";
        break;
      case spec::NodeKind::kBranch:
        shape = "diamond";
        break;
      case spec::NodeKind::kSleep:
        shape = "ellipse";
        break;
      case spec::NodeKind::kApprove:
      case spec::NodeKind::kSignal:
        shape = "octagon";
        break;
    }
    out += "  \"" + Escape(n.id, true) + "\" [shape=" + shape + ", label=\"" + Escape(n.id, true) +
           "\\n" + Escape(Describe(file, n.body), true) + "\"];\n";
  }
  for (uint32_t u = 0; u < wf.nodes.size(); ++u) {
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) {
      out += "  \"" + Escape(wf.nodes[u].id, true) + "\" -> \"" +
             Escape(wf.nodes[wf.succ[e]].id, true) + "\";\n";
    }
  }
  out += "}\n";
  return out;
}

std::string RenderMermaid(const CompiledFile& file, const CompiledWorkflow& wf) {
  std::string out = "flowchart LR\n";
  for (uint32_t i = 0; i < wf.nodes.size(); ++i) {
    const CompiledNode& n = wf.nodes[i];
    std::string label =
        "\"" + Escape(n.id, false) + "<br/>" + Escape(Describe(file, n.body), false) + "\"";
    std::string open = "[", close = "]";
    switch (n.body.kind) {
      case spec::NodeKind::kTask:
        break;
      case spec::NodeKind::kMap:
      case spec::NodeKind::kWorkflow:
        open = "[[";
        close = "]]";
        break;
      case spec::NodeKind::kLaunchPlan:
        open = "[/";
        close = "/]";
        break;
      case spec::NodeKind::kBranch:
        open = "{";
        close = "}";
        break;
      case spec::NodeKind::kSleep:
        open = "([";
        close = "])";
        break;
      case spec::NodeKind::kApprove:
      case spec::NodeKind::kSignal:
        open = "{{";
        close = "}}";
        break;
    }
    out += "  n" + std::to_string(i) + open + label + close + "\n";
  }
  for (uint32_t u = 0; u < wf.nodes.size(); ++u) {
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) {
      out += "  n" + std::to_string(u) + " --> n" + std::to_string(wf.succ[e]) + "\n";
    }
  }
  return out;
}

}  // namespace flyte::cli
