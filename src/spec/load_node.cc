#include "spec/keys.h"
#include "spec/load.h"
#include "spec/template.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

struct KindKey {
  const char* key;
  NodeKind kind;
};
constexpr KindKey kKindKeys[] = {
    {"task", NodeKind::kTask},
    {"workflow", NodeKind::kWorkflow},
    {"launch_plan", NodeKind::kLaunchPlan},
    {"map", NodeKind::kMap},
    {"branch", NodeKind::kBranch},
    {"sleep", NodeKind::kSleep},
    {"approve", NodeKind::kApprove},
    {"signal", NodeKind::kSignal},
};

constexpr const char* kOverrideKeys[] = {"retries", "cache",         "resources",
                                         "image",   "interruptible", "kubernetes"};
constexpr const char* kMapKeys[] = {"over", "concurrency", "min_success_ratio", "min_successes"};

void LoadBranch(Reader& r, const yaml::Node& n, NodeBody& body, const std::string& node_id);

}  // namespace

const char* NodeKindName(NodeKind kind) {
  for (const KindKey& k : kKindKeys) {
    if (k.kind == kind) return k.key;
  }
  return "?";
}

std::optional<NodeKind> ParseNodeKind(std::string_view name) {
  for (const KindKey& k : kKindKeys) {
    if (name == k.key) return k.kind;
  }
  return std::nullopt;
}

NodeBody LoadNodeBody(Reader& r, const yaml::Node& map, const std::string& node_id) {
  NodeBody body;
  std::string where = "node " + Quote(node_id);
  body.loc = r.Loc(map);
  const yaml::Node* kind_key = nullptr;
  const yaml::Node* kind_value = nullptr;
  for (const auto& [k, v] : map.entries) {
    for (const KindKey& kk : kKindKeys) {
      if (k->text != kk.key) continue;
      if (kind_key != nullptr) {
        r.Error(ErrorCode::kInvalidValue, *k,
                where + " sets both " + Quote(kind_key->text) + " and " + Quote(k->text) +
                    "; a node runs one thing");
        continue;
      }
      kind_key = k;
      kind_value = v;
      body.kind = kk.kind;
    }
  }
  if (kind_key == nullptr) {
    if (map.Get("fail") == nullptr) {
      r.Error(ErrorCode::kValueRequired, map,
              where +
                  " needs one of: task, workflow, launch_plan, map, branch, sleep, approve, "
                  "signal");
    }
    return body;
  }
  body.loc = r.Loc(*kind_key);
  const NodeKind kind = body.kind;
  switch (kind) {
    case NodeKind::kTask:
    case NodeKind::kWorkflow:
    case NodeKind::kLaunchPlan:
    case NodeKind::kMap:
      // An unreadable target leaves target_loc unknown: reported here, not again as unknown.
      if (auto target = r.Text(*kind_value, kind_key->text)) {
        body.target = *target;
        body.target_loc = r.Loc(*kind_value);
      }
      break;
    case NodeKind::kBranch:
      LoadBranch(r, *kind_value, body, node_id);
      break;
    case NodeKind::kSleep:
    case NodeKind::kApprove:
      body.gate_value = ParseBinding(r, *kind_value);
      break;
    case NodeKind::kSignal: {
      body.signal_name = node_id;
      if (!r.ExpectMap(*kind_value, "signal of " + where)) break;
      r.CheckKeys(*kind_value, keys::kSignal, "in signal of " + where);
      if (const yaml::Node* n = kind_value->Get("name")) {
        body.signal_name = r.Text(*n, "signal name").value_or(node_id);
        if (!IsIdentifier(body.signal_name) && !IsNodeId(body.signal_name)) {
          r.Error(ErrorCode::kInvalidValue, *n,
                  "signal name " + Quote(body.signal_name) +
                      " must be an identifier ([A-Za-z_][A-Za-z0-9_]*) or a node id "
                      "([a-z][a-z0-9_-]*)");
        }
      }
      const yaml::Node* type = kind_value->Get("type");
      if (type == nullptr) {
        r.Error(ErrorCode::kValueRequired, *kind_value,
                "signal of " + where + " needs a type, e.g. {name: lr, type: float}");
        body.signal_type = Type::Any();
      } else {
        body.signal_type = r.TypeOf(*type, "signal of " + where).value_or(Type::Any());
      }
      break;
    }
  }

  const bool runs_task = kind == NodeKind::kTask || kind == NodeKind::kMap;
  const bool is_gate =
      kind == NodeKind::kSleep || kind == NodeKind::kApprove || kind == NodeKind::kSignal;
  if (const yaml::Node* n = map.Get("inputs")) {
    if (kind == NodeKind::kBranch || is_gate) {
      r.Error(ErrorCode::kInvalidValue, *n,
              std::string("a ") + NodeKindName(kind) + " node takes no inputs" +
                  (kind == NodeKind::kBranch ? "; give each case its own" : ""));
    } else {
      body.inputs = LoadInputBindings(r, *n, where);
    }
  }
  for (const char* key : kOverrideKeys) {
    const yaml::Node* n = map.Get(key);
    if (n == nullptr) continue;
    if (!body.overrides.loc.known()) body.overrides.loc = r.Loc(*n);
    if (!runs_task) {
      r.Error(
          ErrorCode::kInvalidValue, *n,
          Quote(key) + " applies to task and map nodes, not to a " + NodeKindName(kind) + " node");
    }
  }
  if (runs_task) {
    Overrides& o = body.overrides;
    if (const yaml::Node* n = map.Get("retries")) {
      if (auto v = r.Int(*n, "retries", 0, 100)) o.retries = static_cast<int32_t>(*v);
    }
    if (const yaml::Node* n = map.Get("cache")) o.cache = LoadCache(r, *n, where);
    if (const yaml::Node* n = map.Get("resources")) o.resources = LoadResources(r, *n, where);
    if (const yaml::Node* n = map.Get("image")) o.image = r.Text(*n, "image");
    if (const yaml::Node* n = map.Get("interruptible"))
      o.interruptible = r.Bool(*n, "interruptible");
    if (const yaml::Node* n = map.Get("kubernetes");
        n != nullptr && r.ExpectMap(*n, "kubernetes")) {
      // Placement only; the Pod's other settings belong to the task.
      r.CheckKeys(*n, keys::kNodeKubernetes, "in kubernetes of " + where);
      if (const yaml::Node* v = n->Get("namespace")) o.kube_namespace = LoadNamespace(r, *v, where);
    }
  }
  if (const yaml::Node* n = map.Get("timeout")) {
    if (kind == NodeKind::kBranch) {
      r.Error(ErrorCode::kInvalidValue, *n, "a branch node takes no timeout; set it on its cases");
    } else {
      body.overrides.timeout_nanos = r.Duration(*n, "timeout", true);
    }
  }
  for (const char* key : kMapKeys) {
    const yaml::Node* n = map.Get(key);
    if (n == nullptr || kind == NodeKind::kMap) continue;
    r.Error(ErrorCode::kInvalidValue, *n,
            Quote(key) + " applies to map nodes, not to a " + NodeKindName(kind) + " node");
  }
  if (kind == NodeKind::kMap) {
    if (const yaml::Node* n = map.Get("over")) body.over = r.Names(*n, "over");
    if (const yaml::Node* n = map.Get("concurrency")) {
      if (auto v = r.Int(*n, "concurrency", 0, 1'000'000))
        body.concurrency = static_cast<uint32_t>(*v);
    }
    if (const yaml::Node* n = map.Get("min_success_ratio")) {
      body.min_success_ratio = r.Number(*n, "min_success_ratio", 0.0, 1.0);
    }
    if (const yaml::Node* n = map.Get("min_successes")) {
      if (auto v = r.Int(*n, "min_successes", 0, 100'000'000))
        body.min_successes = static_cast<uint32_t>(*v);
      if (body.min_success_ratio) {
        r.Error(ErrorCode::kInvalidValue, *n,
                where + " sets both min_successes and min_success_ratio; use one");
      }
    }
  }
  return body;
}

Node LoadNode(Reader& r, const yaml::Node& name, const yaml::Node& value) {
  Node node;
  node.id = name.text;
  node.loc = r.Loc(name);
  std::string where = "node " + Quote(node.id);
  if (node.id == "inputs" || node.id == "outputs") {
    r.Error(ErrorCode::kInvalidValue, name,
            Quote(node.id) + " is reserved and cannot be a node id");
  } else if (!IsNodeId(node.id)) {
    r.Error(ErrorCode::kInvalidValue, name,
            "node id " + Quote(node.id) + " must match [a-z][a-z0-9_-]*");
  }
  if (!value.is_map()) {
    r.Error(ErrorCode::kWrongShape, value,
            "expected a mapping for " + where + " (e.g. {task: NAME, inputs: {...}}), got " +
                value.Describe());
    node.body.kind = NodeKind::kTask;
    return node;
  }
  r.CheckKeys(value, keys::kNode, "in " + where);
  if (const yaml::Node* n = value.Get("description"))
    node.description = r.Text(*n, "description").value_or("");
  if (const yaml::Node* n = value.Get("after")) node.after = r.Names(*n, "after");
  node.body = LoadNodeBody(r, value, node.id);
  return node;
}

namespace {

void LoadBranch(Reader& r, const yaml::Node& n, NodeBody& body, const std::string& node_id) {
  std::string where = "branch " + Quote(node_id);
  if (!n.is_seq()) {
    r.Error(ErrorCode::kWrongShape, n,
            "expected a list of cases (- if: ... / - else: ...) for " + where + ", got " +
                n.Describe());
    return;
  }
  const yaml::Node* else_node = nullptr;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const yaml::Node& item = *n.items[i];
    std::string case_name = "case " + std::to_string(i + 1) + " of " + where;
    if (!item.is_map()) {
      r.Error(ErrorCode::kWrongShape, item,
              "expected a mapping for " + case_name + ", got " + item.Describe());
      continue;
    }
    if (else_node != nullptr) {
      r.Error(ErrorCode::kUnreachableNodes, item,
              case_name + " comes after 'else' and can never run");
    }
    BranchCase c;
    c.loc = r.Loc(item);
    const yaml::Node* case_body = &item;
    if (const yaml::Node* e = item.Get("else")) {
      c.is_else = true;
      else_node = &item;
      if (item.entries.size() > 1) {
        for (const auto& [k, v] : item.entries) {
          if (k->text != "else") {
            r.Error(ErrorCode::kInvalidValue, *k,
                    "'else' takes its node as a mapping: - else: {task: NAME, inputs: {...}}");
            break;
          }
        }
      }
      if (!e->is_map()) {
        r.Error(ErrorCode::kWrongShape, *e,
                "expected {task: ..., inputs: ...} or {fail: MESSAGE} under else of " + where +
                    ", got " + e->Describe());
        continue;
      }
      r.CheckKeys(*e, keys::kElseCase, "in the else case of " + where);
      case_body = e;
    } else {
      r.CheckKeys(item, keys::kBranchCase, "in " + case_name);
      const yaml::Node* cond = item.Get("if");
      if (cond == nullptr) {
        r.Error(ErrorCode::kBranchNodeHasNoCondition, item,
                case_name + " has no 'if' condition (only the last case may be 'else')");
      } else {
        c.condition = ParseCondition(r, *cond);
      }
    }
    if (const yaml::Node* f = case_body->Get("fail")) {
      c.fail_message = r.Text(*f, "fail").value_or("");
      for (const auto& [k, v] : case_body->entries) {
        if (k->text == "fail" || k->text == "if") continue;
        bool kind = false;
        for (const KindKey& kk : kKindKeys) kind = kind || k->text == kk.key;
        r.Error(ErrorCode::kInvalidValue, *k,
                kind ? case_name + " both fails and runs a " + k->text + "; pick one"
                     : case_name + " fails, so " + Quote(k->text) + " has no effect; remove it");
      }
    } else {
      c.body = std::make_shared<NodeBody>(LoadNodeBody(r, *case_body, node_id));
    }
    body.cases.push_back(std::move(c));
  }
  if (n.items.empty()) {
    r.Error(ErrorCode::kBranchNodeHasNoCondition, n, where + " has no cases");
  } else if (else_node == nullptr) {
    r.Error(ErrorCode::kBranchNodeHasNoDefault, n,
            where + " has no 'else' case; end it with - else: {...} or - else: {fail: MESSAGE}");
  }
}

}  // namespace
}  // namespace flyte::spec
