#include <cctype>
#include <filesystem>

#include "spec/cron.h"
#include "spec/keys.h"
#include "spec/load.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

std::vector<LiteralAssign> LoadAssigns(Reader& r, const yaml::Node& map, const std::string& what) {
  std::vector<LiteralAssign> out;
  if (!r.ExpectMap(map, what)) return out;
  r.CheckIds(map, "input");
  for (const auto& [k, v] : map.entries) out.push_back({k->text, r.Loc(*k), v});
  return out;
}

// Time zones are checked against the system's tz database when it is installed; where it is
// not, any well-formed name passes (the scheduler reports it when it loads the zone).
bool IsKnownTimeZone(const std::string& tz) {
  if (tz == "UTC" || tz == "Etc/UTC" || tz == "GMT") return true;
  for (char c : tz) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
          c == '+')) {
      return false;
    }
  }
  if (tz.empty() || tz[0] == '/' || tz.find("..") != std::string::npos) return false;
  std::error_code ec;
  const std::filesystem::path db = "/usr/share/zoneinfo";
  if (!std::filesystem::is_directory(db, ec)) return true;
  return std::filesystem::is_regular_file(db / tz, ec);
}

std::optional<Schedule> LoadSchedule(Reader& r, const yaml::Node& n, const std::string& where) {
  std::string what = "schedule of " + where;
  if (!n.is_map()) {
    r.Error(ErrorCode::kWrongShape, n,
            "expected {cron: \"0 2 * * *\"} or {every: 10m} for " + what + ", got " + n.Describe());
    return std::nullopt;
  }
  r.CheckKeys(n, keys::kSchedule, "in " + what);
  Schedule s;
  s.loc = r.Loc(n);
  const yaml::Node* cron = n.Get("cron");
  const yaml::Node* every = n.Get("every");
  if ((cron == nullptr) == (every == nullptr)) {
    r.Error(ErrorCode::kValueRequired, n, what + " needs exactly one of cron or every");
  }
  if (cron != nullptr) {
    if (auto text = r.Text(*cron, "cron")) {
      CronParse parsed = ParseCron(*text);
      if (parsed.ok()) {
        s.cron = parsed.spec;
      } else {
        r.Error(ErrorCode::kInvalidValue, r.LocIn(*cron, parsed.offset),
                "invalid cron " + Quote(*text) + ": " + parsed.error);
      }
    }
  } else if (every != nullptr) {
    s.every_nanos = r.Duration(*every, "every", true);
  }
  if (const yaml::Node* k = n.Get("kickoff_input")) {
    s.kickoff_input = r.Text(*k, "kickoff_input").value_or("");
    s.kickoff_loc = r.Loc(*k);
  }
  if (const yaml::Node* tz = n.Get("timezone")) {
    s.timezone = r.Text(*tz, "timezone").value_or("UTC");
    if (!IsKnownTimeZone(s.timezone)) {
      r.Error(
          ErrorCode::kInvalidValue, *tz,
          "unknown time zone " + Quote(s.timezone) + " (use an IANA name such as Europe/Paris)");
    }
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> LoadStringMap(Reader& r, const yaml::Node& n,
                                                               const std::string& what,
                                                               bool labels) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!r.ExpectMap(n, what)) return out;
  r.CheckIds(n, "key");
  for (const auto& [k, v] : n.entries) {
    std::string value = r.Text(*v, what).value_or("");
    if (labels) {
      if (!IsLabelKey(k->text)) {
        r.Error(ErrorCode::kInvalidValue, *k,
                "label key " + Quote(k->text) + " is not a valid Kubernetes label name");
      }
      if (!IsLabelValue(value)) {
        r.Error(ErrorCode::kInvalidValue, *v,
                "label value " + Quote(value) +
                    " must be at most 63 characters of [A-Za-z0-9-_.], starting and ending "
                    "with a letter or digit");
      }
    }
    out.emplace_back(k->text, std::move(value));
  }
  return out;
}

std::vector<Notification> LoadNotifications(Reader& r, const yaml::Node& n,
                                            const std::string& where) {
  std::vector<Notification> out;
  if (!r.ExpectSeq(n, "notifications of " + where)) return out;
  for (const yaml::Node* item : n.items) {
    std::string what = "a notification of " + where;
    if (!item->is_map()) {
      r.ExpectMap(*item, what);
      continue;
    }
    r.CheckKeys(*item, keys::kNotification, "in " + what);
    Notification note;
    note.loc = r.Loc(*item);
    const yaml::Node* on = item->Get("on");
    const yaml::Node* hook = item->Get("webhook");
    if (on == nullptr || hook == nullptr) {
      r.Error(ErrorCode::kValueRequired, *item, what + " needs on: [phases] and webhook: URL");
      continue;
    }
    for (const auto& [phase, loc] : r.Names(*on, "on")) {
      std::optional<ExecutionPhase> p = ParseExecutionPhase(phase);
      if (!p) {
        r.Error(ErrorCode::kInvalidValue, loc,
                "unknown phase " + Quote(phase) +
                    DidYouMean(phase, {"queued", "running", "succeeded", "failed", "aborted",
                                       "timed_out"}));
      } else {
        note.on.push_back(*p);
      }
    }
    note.webhook = r.Text(*hook, "webhook").value_or("");
    if (!StartsWith(note.webhook, "http://") && !StartsWith(note.webhook, "https://")) {
      r.Error(ErrorCode::kInvalidValue, *hook,
              "webhook must be an http:// or https:// URL, got " + Quote(note.webhook));
    }
    out.push_back(std::move(note));
  }
  return out;
}

}  // namespace

LaunchPlan LoadLaunchPlan(Reader& r, const yaml::Node& name, const yaml::Node& body) {
  LaunchPlan lp;
  lp.name = name.text;
  lp.loc = r.Loc(name);
  std::string where = "launch plan " + Quote(lp.name);
  if (!IsEntityName(lp.name)) {
    r.Error(ErrorCode::kInvalidValue, name,
            "launch plan name " + Quote(lp.name) + " must match [A-Za-z_][A-Za-z0-9_.-]*");
  }
  if (!r.ExpectMap(body, where)) return lp;
  r.CheckKeys(body, keys::kLaunchPlan, "in " + where);
  if (const yaml::Node* n = body.Get("description"))
    lp.description = r.Text(*n, "description").value_or("");
  if (const yaml::Node* n = body.Get("workflow")) {
    if (auto w = r.Text(*n, "workflow")) {
      lp.workflow = *w;
      lp.workflow_loc = r.Loc(*n);
    }
  } else {
    r.Error(ErrorCode::kValueRequired, name, where + " needs a workflow");
  }
  if (const yaml::Node* n = body.Get("fixed_inputs"))
    lp.fixed_inputs = LoadAssigns(r, *n, "fixed_inputs of " + where);
  if (const yaml::Node* n = body.Get("default_inputs"))
    lp.default_inputs = LoadAssigns(r, *n, "default_inputs of " + where);
  if (const yaml::Node* n = body.Get("schedule")) lp.schedule = LoadSchedule(r, *n, where);
  if (const yaml::Node* n = body.Get("catchup")) {
    if (auto c = r.Choice(*n, "catchup", {"none", "latest", "all"})) {
      lp.catchup = *c == "none"     ? Catchup::kNone
                   : *c == "latest" ? Catchup::kLatest
                                    : Catchup::kAll;
    }
  }
  if (const yaml::Node* n = body.Get("overlap")) {
    if (auto c = r.Choice(*n, "overlap", {"skip", "allow"})) {
      lp.overlap = *c == "skip" ? Overlap::kSkip : Overlap::kAllow;
    }
  }
  if (const yaml::Node* n = body.Get("max_parallelism")) {
    if (auto v = r.Int(*n, "max_parallelism", 0, 1'000'000))
      lp.max_parallelism = static_cast<uint32_t>(*v);
  }
  if (const yaml::Node* n = body.Get("labels"))
    lp.labels = LoadStringMap(r, *n, "labels of " + where, true);
  if (const yaml::Node* n = body.Get("annotations"))
    lp.annotations = LoadStringMap(r, *n, "annotations of " + where, false);
  if (const yaml::Node* n = body.Get("notifications"))
    lp.notifications = LoadNotifications(r, *n, where);
  return lp;
}

}  // namespace flyte::spec
