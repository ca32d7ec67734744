#include "http/value_data.h"

#include "http/value_listing.h"

#include "flyte/compiler.h"
#include "http/client.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;

json Parsed(const std::string& text) {
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(text) : j;
}

void AddBlob(json& blobs, const std::string& label, const std::string& kind,
             const std::string& uri) {
  blobs.push_back(
      {{"variable", label}, {"kind", kind}, {"uri", uri}, {"download", DownloadPath(uri)}});
}

// Finds the file and folder values in `v`, read as `type` (nullopt: unknown, guessed).
void Walk(const json& v, const std::optional<Type>& type, const std::string& label,
          const BlobGuess& guess, json& blobs) {
  if (v.is_null()) return;
  if (!type || type->kind() == TypeKind::kAny) {
    if (v.is_string()) {
      if (std::string kind = guess(v.get<std::string>()); !kind.empty())
        AddBlob(blobs, label, kind, v);
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i)
        Walk(v[i], type, label + "[" + std::to_string(i) + "]", guess, blobs);
    } else if (v.is_object()) {
      for (const auto& [k, item] : v.items()) Walk(item, type, label + "." + k, guess, blobs);
    }
    return;
  }
  switch (type->kind()) {
    case TypeKind::kFile:
    case TypeKind::kDir:
      if (v.is_string()) AddBlob(blobs, label, type->kind() == TypeKind::kFile ? "file" : "dir", v);
      return;
    case TypeKind::kList:
      if (!v.is_array()) return;
      for (size_t i = 0; i < v.size(); ++i) {
        Walk(v[i], type->elem(), label + "[" + std::to_string(i) + "]", guess, blobs);
      }
      return;
    case TypeKind::kDict:
      if (!v.is_object()) return;
      for (const auto& [k, item] : v.items())
        Walk(item, type->elem(), label + "." + k, guess, blobs);
      return;
    case TypeKind::kUnion: {
      Type t = type->WithoutNone();
      Walk(v, t.kind() == TypeKind::kUnion ? std::nullopt : std::optional<Type>(t), label, guess,
           blobs);
      return;
    }
    default:
      return;
  }
}

json Full(const std::vector<Variable>* vars, const json& values, const char* side,
          const BlobGuess& guess, json& blobs) {
  json out = json::object();
  if (!values.is_object()) return out;
  for (const auto& [name, value] : values.items()) {
    std::optional<Type> type;
    if (vars != nullptr) {
      for (const Variable& var : *vars) {
        if (var.name == name) type = var.type;
      }
    }
    out[name] = {{"type", type ? type->ToString() : "any"}, {"value", value}};
    Walk(value, type, std::string(side) + "." + name, guess, blobs);
  }
  return out;
}

// "sq[3]" -> {"sq", true}.
std::pair<std::string_view, bool> Segment(std::string_view s) {
  if (!s.empty() && s.back() == ']') {
    if (size_t open = s.rfind('['); open != std::string_view::npos)
      return {s.substr(0, open), true};
  }
  return {s, false};
}

}  // namespace

Result<json> ValuesOf(AdminService& admin, const OnLoop& on_loop, const ExecutionKey& key,
                      const std::string& node, const BlobGuess& guess) {
  ExecutionRecord e;
  // Types come from the source it ran; without it (a remote service), values are guessed.
  std::shared_ptr<const CompiledFile> file;
  std::vector<NodeRecord> nodes;
  RETURN_IF_ERROR(on_loop([&]() -> Status {
    ASSIGN_OR_RETURN(e, admin.GetExecution(key));
    if (auto f = admin.Compiled(e.source); f.ok()) file = *f;
    if (!node.empty()) {
      ASSIGN_OR_RETURN(nodes, admin.ListNodes(key));
    }
    return Status::Ok();
  }));
  // The rest (parsing, types, guesses that stat files) runs on the caller's thread.
  const CompiledWorkflow* wf = nullptr;
  std::shared_ptr<const CompiledWorkflow> single;
  if (file != nullptr) {
    if (uint32_t w = file->FindWorkflow(e.workflow); w != kNoIndex) {
      wf = &file->workflows[w];
    } else if (uint32_t t = file->FindTask(e.workflow); t != kNoIndex) {
      single = SingleTaskWorkflow(*file, t);
      wf = single.get();
    }
  }
  if (node.empty()) {
    const Interface* iface = wf != nullptr ? &wf->iface : nullptr;
    json out = DataJson(iface ? &iface->inputs : nullptr, e.inputs_json,
                        iface ? &iface->outputs : nullptr, e.outputs_json, guess);
    out["id"] = {{"project", key.project}, {"domain", key.domain}, {"name", key.name}};
    return out;
  }
  for (const NodeRecord& n : nodes) {
    if (n.node_id != node) continue;
    std::optional<Interface> iface;
    if (wf != nullptr) iface = NodeInterface(*file, *wf, node);
    json out = DataJson(iface ? &iface->inputs : nullptr, n.inputs_json,
                        iface ? &iface->outputs : nullptr, n.outputs_json, guess);
    out["id"] = {
        {"execution_id", {{"project", key.project}, {"domain", key.domain}, {"name", key.name}}},
        {"node_id", node}};
    return out;
  }
  std::vector<std::string> ids;
  for (const NodeRecord& n : nodes) ids.push_back(n.node_id);
  return NotFound("execution " + key.name + " has no node " + Quote(node) + DidYouMean(node, ids));
}

std::string DownloadPath(std::string_view uri) {
  return "/api/v1/data/download?uri=" + UrlEncode(uri);
}

json DataJson(const std::vector<Variable>* inputs, const std::string& inputs_json,
              const std::vector<Variable>* outputs, const std::string& outputs_json,
              const BlobGuess& guess) {
  json in = Parsed(inputs_json), out = Parsed(outputs_json);
  json blobs = json::array();
  json full_in = Full(inputs, in, "inputs", guess, blobs);
  json full_out = Full(outputs, out, "outputs", guess, blobs);
  return {{"inputs", in},
          {"outputs", out},
          {"full_inputs", full_in},
          {"full_outputs", full_out},
          {"blobs", blobs}};
}

std::optional<Interface> NodeInterface(const CompiledFile& file, const CompiledWorkflow& workflow,
                                       std::string_view node_id) {
  const CompiledWorkflow* wf = &workflow;
  const CompiledBody* body = nullptr;
  bool item = false;
  for (std::string_view part : Split(node_id, '/')) {
    if (body != nullptr) {
      // Inside a node: a subworkflow's node, or a branch's case ("1", "2"... or "else").
      if (body->kind == spec::NodeKind::kWorkflow && body->target != kNoIndex) {
        wf = &file.workflows[body->target];
        body = nullptr;
      } else if (body->kind == spec::NodeKind::kBranch) {
        size_t c = 0;
        int64_t n = 0;
        if (part == "else") {
          while (c < body->cases.size() && body->cases[c].condition) ++c;
        } else if (ParseInt64(part, &n) && n >= 1) {
          c = static_cast<size_t>(n - 1);
        } else {
          return std::nullopt;
        }
        if (c >= body->cases.size() || !body->cases[c].body) return std::nullopt;
        body = body->cases[c].body.get();
        continue;
      } else {
        return std::nullopt;
      }
    }
    if (wf == nullptr) return std::nullopt;
    auto [id, is_item] = Segment(part);
    uint32_t i = wf->FindNode(id);
    if (i == kNoIndex) return std::nullopt;
    body = &wf->nodes[i].body;
    item = is_item;
  }
  if (body == nullptr) return std::nullopt;
  Interface iface = body->iface;
  if (item && body->kind == spec::NodeKind::kMap) {
    // A map item takes one element of each mapped list and gives one element of each output.
    for (uint32_t m : body->mapped_inputs) {
      if (m < iface.inputs.size() && iface.inputs[m].type.kind() == TypeKind::kList) {
        iface.inputs[m].type = iface.inputs[m].type.elem();
      }
    }
    for (Variable& v : iface.outputs) {
      if (v.type.kind() == TypeKind::kList) v.type = v.type.elem();
    }
  }
  return iface;
}

}  // namespace flyte::http

namespace flyte::http {

Result<std::string> ValuesDocument(AdminService& admin, const ExecutionKey& key,
                                   const std::string& node,
                                   const std::function<std::string(std::string_view)>& guess) {
  ASSIGN_OR_RETURN(
      nlohmann::json j,
      ValuesOf(
          admin, [](const std::function<Status()>& fn) { return fn(); }, key, node, guess));
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ValueListing> ListingOf(const std::string& document, const std::string& side) {
  using json = nlohmann::json;
  json j = json::parse(document, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Internal("the values are not a JSON object");
  ValueListing out;
  const json values = j.value(side, json(nullptr));
  out.values_json = values.is_object() ? values.dump() : "{}";
  const json full = j.value("full_" + side, json::object());
  if (full.is_object()) {
    for (const auto& [name, v] : full.items()) {
      if (!v.is_object()) continue;
      out.rows.push_back({name, v.value("type", "any"), v.value("value", json(nullptr)).dump()});
    }
  }
  const json blobs = j.value("blobs", json::array());
  if (blobs.is_array()) {
    for (const json& b : blobs) {
      if (!b.is_object()) continue;
      ValueBlob blob{b.value("variable", ""), b.value("kind", "file"), b.value("uri", "")};
      if (StartsWith(blob.variable, side + ".")) out.blobs.push_back(std::move(blob));
    }
  }
  return out;
}

}  // namespace flyte::http
