#include "cli/run_report.h"

#include <cstdio>

#include "util/strings.h"

namespace flyte::cli {
namespace {

int64_t Ms(int64_t nanos) { return nanos / 1'000'000; }

Value ErrorValue(const std::optional<ExecError>& err) {
  if (!err) return Value();
  return Value::FromMap({{"code", Value::Str(std::string(err->code.text()))},
                         {"message", Value::Str(err->message)},
                         {"node", err->node.empty() ? Value() : Value::Str(err->node)},
                         {"kind", Value::Str(err->kind == ErrorKind::kUser ? "USER" : "SYSTEM")}});
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
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
      default:
        // XML 1.0 forbids most control characters even as entities.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Seconds(int64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(nanos) / 1e9);
  return buf;
}

}  // namespace

Value RunReport(const ExecutionState& e) {
  Value::Map outputs;
  const auto& vars = e.wf().iface.outputs;
  for (size_t i = 0; i < vars.size() && i < e.outputs.size(); ++i)
    outputs.emplace_back(vars[i].name, e.outputs[i]);
  Value::List nodes;
  for (const NodeState& n : e.nodes) {
    if (!n.started) continue;
    Value::Map node = {
        {"id", Value::Str(n.id)},
        {"parent", n.parent.empty() ? Value() : Value::Str(n.parent)},
        {"phase", Value::Str(std::string(PhaseName(n.phase)))},
        {"cache_status", Value::Str(std::string(CacheStatusName(n.cache)))},
        {"attempts", Value::Int(static_cast<int64_t>(n.attempts.size()))},
        {"duration_ms",
         Value::Int(n.started_at > 0 && n.ended_at > 0 ? Ms(n.ended_at - n.started_at) : 0)},
        {"error", ErrorValue(n.error)},
    };
    // Where its last attempt ran, when not a local process ("pod NAMESPACE/NAME").
    if (!n.attempts.empty() && !n.attempts.back().where.empty()) {
      node.emplace_back("where", Value::Str(n.attempts.back().where));
    }
    nodes.push_back(Value::FromMap(std::move(node)));
  }
  return Value::FromMap({
      {"execution", Value::FromMap({{"project", Value::Str(e.key.project)},
                                    {"domain", Value::Str(e.key.domain)},
                                    {"name", Value::Str(e.key.name)}})},
      {"workflow", Value::Str(e.wf().name)},
      {"phase", Value::Str(std::string(PhaseName(e.phase)))},
      {"outputs", Value::FromMap(std::move(outputs))},
      {"error", e.phase == ExecutionPhase::kSucceeded ? Value() : ErrorValue(e.error)},
      {"duration_ms", Value::Int(e.ended_at > 0 ? Ms(e.ended_at - e.started_at) : 0)},
      {"nodes", Value::FromList(std::move(nodes))},
  });
}

std::string OutputsTable(const ExecutionState& e) {
  std::string out;
  const auto& vars = e.wf().iface.outputs;
  for (size_t i = 0; i < vars.size() && i < e.outputs.size(); ++i) {
    out += vars[i].name + ": " + Printable(e.outputs[i].ToText()) + "\n";
  }
  return out;
}

std::string JunitXml(const ExecutionState& e) {
  size_t tests = 0, failures = 0, skipped = 0;
  std::string cases;
  const std::string classname = e.key.project + "." + e.key.domain + "." + e.wf().name;
  for (const NodeState& n : e.nodes) {
    ++tests;
    int64_t dur = n.started_at > 0 && n.ended_at > 0 ? n.ended_at - n.started_at : 0;
    cases += "    <testcase classname=\"" + XmlEscape(classname) + "\" name=\"" + XmlEscape(n.id) +
             "\" time=\"" + Seconds(dur) + "\"";
    if (!n.started || n.phase == NodePhase::kSkipped || n.phase == NodePhase::kAborted) {
      ++skipped;
      std::string why = !n.started ? "not run" : std::string(PhaseName(n.phase));
      cases += ">\n      <skipped message=\"" + XmlEscape(why) + "\"/>\n    </testcase>\n";
    } else if (n.phase == NodePhase::kFailed || n.phase == NodePhase::kTimedOut) {
      ++failures;
      std::string msg = n.error ? n.error->message : std::string(PhaseName(n.phase));
      std::string type = n.error ? std::string(n.error->code.text()) : "Failed";
      cases += ">\n      <failure message=\"" + XmlEscape(msg) + "\" type=\"" + XmlEscape(type) +
               "\">" + XmlEscape(n.tail) + "</failure>\n    </testcase>\n";
    } else {
      cases += "/>\n";
    }
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites>\n  <testsuite name=\"" + XmlEscape(e.wf().name) + "\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
         Seconds(e.ended_at - e.started_at) + "\">\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace flyte::cli
