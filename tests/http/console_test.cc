// The web console (GET /console) against a real `flyte serve`: served without a token, calling
// only routes the server registers, never writing data as markup, and, where node is installed,
// rendering a real server's executions through the same script a browser runs.
#include <uv.h>

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "http/console.h"
#include "http/server.h"
#include "http/server_fixture.h"
#include "runner/loop_bridge.h"

namespace flyte {
namespace {

using testing::Describe;
using testing::ProcessResult;
using testing::ServerFixture;

constexpr const char* kHello = R"yaml(
tasks:
  greet:
    inputs: {who: str}
    outputs: {greeting: str}
    script: |
      echo "greeting {{ inputs.who }}"
      echo "Hello, {{ inputs.who }}!" > "{{ outputs.greeting }}"
workflows:
  hello:
    inputs: {who: {type: str, default: world}}
    outputs: {greeting: "{{ greet.greeting }}"}
    nodes:
      greet: {task: greet, inputs: {who: "{{ inputs.who }}"}}
)yaml";

// Starts a server that needs a token and returns the token.
std::string StartWithToken(ServerFixture& s) {
  ProcessResult created =
      testing::Flyte(s.home(), {"serve", "token", "create", "--description", "console"});
  INFO(Describe(created));
  REQUIRE(created.exit_code == 0);
  s.Start();
  return created.out.substr(0, created.out.size() - 1);
}

std::string Script(const std::string& page) {
  const size_t open = page.find("<script>"), close = page.find("</script>");
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  return page.substr(open + 8, close - open - 8);
}

// Every "METHOD /api/v1/..." literal of the page's route table.
std::vector<std::pair<std::string, std::string>> PageRoutes(const std::string& page) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::regex literal(R"('(GET|POST|PUT|DELETE) (/api/v1/[^'?]*)')");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), literal);
       it != std::sregex_iterator(); ++it) {
    out.emplace_back((*it)[1], (*it)[2]);
  }
  return out;
}

// Whether node can run here; the tests that need it pass without checking anything otherwise.
bool HaveNode() {
  testing::Child node({"/usr/bin/env", "node", "--version"});
  ProcessResult r = node.Wait();
  if (r.exit_code != 0) WARN("node is not installed: the console's script is not run");
  return r.exit_code == 0;
}

TEST_CASE("the console page is served without a token while the API still needs one",
          "[server][console]") {
  ServerFixture s({"--auth", "token"}, /*start=*/false);
  const std::string token = StartWithToken(s);

  for (const char* path : {"/console", "/console/"}) {
    INFO(path);
    auto res = s.client->Get(path);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(res->get_header_value("Cache-Control") == "no-cache");
    CHECK(res->get_header_value("Content-Security-Policy").find("connect-src 'self'") !=
          std::string::npos);
    CHECK(res->body == http::ConsoleHtml());
  }
  const std::string& page = http::ConsoleHtml();
  CHECK(page.rfind("<!doctype html>", 0) == 0);
  for (const char* marker :
       {"<title>flyte console</title>", "id=\"project\"", "id=\"domain\"", "id=\"rows\"",
        "id=\"detail\"", "id=\"authform\"", "sessionStorage", "Authorization", "'Bearer '",
        "status === 401", "Terminate", "Relaunch", "Recover"}) {
    INFO(marker);
    CHECK(page.find(marker) != std::string::npos);
  }

  auto none = s.Get("/api/v1/projects");
  CHECK(none.status == 401);
  CHECK(none.body["error"]["code"] == "Unauthenticated");
  CHECK(s.Get("/api/v1/executions/flytesnacks/development").status == 401);
  CHECK(s.Get("/consoles").status == 401);  // only the page itself is open
  s.client->set_bearer_token_auth(token.c_str());
  CHECK(s.Get("/api/v1/projects").status == 200);
}

TEST_CASE("the console calls only routes the server registers", "[server][console]") {
  const std::string& page = http::ConsoleHtml();
  const auto used = PageRoutes(page);
  REQUIRE(used.size() >= 15);
  // The table is the only place the script names a route.
  CHECK(testing::CountOccurrences(page, "/api/v1/") == used.size());

  testing::TempDir tmp;
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  LocalAdmin::Options options;
  options.home = tmp / "home";
  auto opened = cli::OpenLocalAdmin(&loop, options);
  REQUIRE(opened.ok());
  std::unique_ptr<LocalAdmin> admin = std::move(*opened);
  auto bridge = std::make_unique<LoopBridge>(&loop);
  auto server = std::make_unique<http::ApiServer>(*bridge, *admin, nullptr, nullptr,
                                                  http::ApiServer::Options{});

  std::set<std::string> seen;
  for (const auto& [method, templated] : used) {
    // Placeholders take values shaped like real ones; a node id may hold '/' and brackets.
    std::string path = std::regex_replace(templated, std::regex(R"(\{node\})"), "plan/sq[3]");
    path = std::regex_replace(path, std::regex(R"(\{domain\})"), "development");
    path = std::regex_replace(path, std::regex(R"(\{[a-z_]+\})"), "name-1.v2");
    INFO(method << " " << templated << " as " << path);
    CHECK(seen.insert(method + " " + templated).second);
    CHECK(path.find('{') == std::string::npos);
    bool registered = false;
    for (const http::ApiServer::Route& r : server->routes()) {
      registered =
          registered || (r.method == method && std::regex_match(path, std::regex(r.pattern)));
    }
    CHECK(registered);
  }
  // The console's own routes are registered too.
  std::set<std::string> routes;
  for (const http::ApiServer::Route& r : server->routes())
    routes.insert(r.method + " " + r.pattern);
  CHECK(routes.count("GET /console") == 1);
  CHECK(routes.count("GET /console/") == 1);

  bridge->Close();
  server.reset();
  bridge.reset();
  admin.reset();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("the console writes data into the page as text, never as markup", "[console]") {
  const std::string& page = http::ConsoleHtml();
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                           "eval(", "new Function", "javascript:", "srcdoc"}) {
    INFO(sink);
    CHECK(page.find(sink) == std::string::npos);
  }
  // Self-contained: one inline script, nothing fetched from elsewhere.
  CHECK(testing::CountOccurrences(page, "<script") == 1);
  CHECK(page.find("<script>") != std::string::npos);
  for (const char* external : {"http://", "https://", "src=", "href=", "@import", "url("}) {
    INFO(external);
    CHECK(page.find(external) == std::string::npos);
  }
  // The DOM helper turns strings into text nodes.
  CHECK(page.find("el.append(kid instanceof Node ? kid : String(kid))") != std::string::npos);
}

TEST_CASE("the console's script is valid JavaScript when node is installed", "[server][console]") {
  if (!HaveNode()) return;
  testing::TempDir tmp;
  const std::string js = tmp.Write("console.js", Script(http::ConsoleHtml()));
  ProcessResult r = testing::Child({"/usr/bin/env", "node", "--check", js}).Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
}

// A DOM just big enough for the console's script, run by node against a real server: the
// script's requests, its token prompt, the event stream and what it renders are the ones a
// browser would get. It prints one JSON document of what the page shows.
constexpr const char* kHarness = R"js('use strict';
const fs = require('fs');
const [base, pageFile, scriptFile, token] = process.argv.slice(2);
class El {
  constructor(tag) {
    Object.assign(this, {tagName: tag.toUpperCase(), kids: [], attrs: {}, className: '', hidden: false, value: '',
                         scrollTop: 0, scrollHeight: 0, dataset: {}, text: null, parent: null});
    const self = this;
    this.classList = {add(c) { self.className += ' ' + c; }, remove(c) { self.className = self.className.split(c).join(''); }};
  }
  setAttribute(k, v) { this.attrs[k] = v; if (k === 'value') this.value = v; }
  getAttribute(k) { return this.attrs[k]; }
  addEventListener(ev, f) { this['on' + ev] = f; }
  append(...kids) { for (const k of kids) { const n = typeof k === 'string' ? Object.assign(new El('#text'), {text: k}) : k; n.parent = this; this.kids.push(n); } }
  replaceChildren(...kids) { this.kids = []; this.text = null; this.append(...kids); }
  get children() { return this.kids; }
  contains(n) { for (; n; n = n.parent) if (n === this) return true; return false; }
  focus() {}
  get textContent() { return this.text !== null ? this.text : this.kids.map(c => c.textContent).join(this.tagName === 'TR' ? ' | ' : ' '); }
  set textContent(t) { this.kids = []; this.text = String(t); }
  all(pred, out) { if (pred(this)) out.push(this); for (const c of this.kids) c.all(pred, out); return out; }
}
globalThis.Node = El;
const page = fs.readFileSync(pageFile, 'utf8'), ids = {};
for (const m of page.matchAll(/<(\w+)[^>]*\bid="(\w+)"/g)) ids[m[2]] = new El(m[1]);
for (const m of page.matchAll(/data-tab="(\w+)"[^>]*>([^<]+)</g)) { const b = new El('button'); b.dataset.tab = m[1]; b.append(m[2]); ids.tabs.append(b); }
const find = pred => Object.values(ids).flatMap(n => n.all(pred, []));
globalThis.document = {hidden: false, activeElement: null, body: new El('body'), getElementById: id => ids[id] || null,
            createElement: t => new El(t), createElementNS: (ns, t) => new El(t),
            querySelectorAll: () => find(n => n.attrs['data-since'] !== undefined)};
const storage = () => { const m = new Map(); return {getItem: k => m.has(k) ? m.get(k) : null, setItem: (k, v) => m.set(k, String(v)), removeItem: k => m.delete(k)}; };
Object.assign(globalThis, {sessionStorage: storage(), localStorage: storage(), location: {hash: ''}});
globalThis.history = {replaceState: (a, b, h) => { location.hash = h; }};
const calls = [], realFetch = fetch;
globalThis.fetch = (path, opts) => { calls.push(opts.method + ' ' + path); return realFetch(base + path, opts); };
const shown = () => ({rows: ids.rows.textContent, detail: ids.detail.textContent, live: ids.live.textContent,
                      toast: ids.toast.textContent, hash: location.hash, calls});
const until = async (what, pred) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise(r => setTimeout(r, 50));
  if (!pred()) { console.log(JSON.stringify(Object.assign(shown(), {timeout: what}))); process.exit(1); }
};
const click = (text) => { const el = find(n => n.onclick && n.textContent.trim() === text)[0]; if (!el) throw new Error('no ' + text); el.onclick({stopPropagation() {}}); };
process.on('unhandledRejection', e => { console.log(JSON.stringify({error: String(e && e.stack || e)})); process.exit(2); });
(0, eval)(fs.readFileSync(scriptFile, 'utf8'));
(async () => {
  await until('the token prompt', () => ids.auth.className.includes('show'));
  ids.token.value = token;
  ids.authform.onsubmit({preventDefault() {}});
  await until('the executions', () => ids.rows.textContent.includes('hi1'));
  await until('the event stream', () => ids.live.textContent === 'live');
  ids.rows.all(n => n.tagName === 'TR' && n.textContent.includes('hi1'), [])[0].onclick();
  await until('the graph', () => ids.detail.textContent.includes('Nodes'));
  click('Nodes');
  await until('the node tree', () => ids.detail.textContent.includes('greet | task'));
  find(n => n.tagName === 'TR' && n.onclick && n.textContent.startsWith(' greet'))[0].onclick();
  await until('the logs', () => ids.detail.textContent.includes('logs of attempt 0'));
  const detail = shown();
  click('Launch plans');
  await until('the launch plans', () => ids.rows.textContent.includes('Activate'));
  console.log(JSON.stringify(Object.assign(detail, {plans: ids.rows.textContent})));
  process.exit(0);
})();
)js";

TEST_CASE("the console renders a real server's executions, nodes and logs when node is installed",
          "[server][console]") {
  if (!HaveNode()) return;
  ServerFixture s({"--auth", "token"}, /*start=*/false);
  const std::string token = StartWithToken(s);
  s.client->set_bearer_token_auth(token.c_str());
  s.Register(kHello);
  const std::string who = "<script>alert(1)</script>";
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"workflow", {{"name", "hello"}}},
            {"inputs", {{"who", who}}},
            {"name", "hi1"}});
  s.WaitFor("hi1", "SUCCEEDED");

  const std::string page = s.tmp.Write("console.html", http::ConsoleHtml());
  const std::string script = s.tmp.Write("console.js", Script(http::ConsoleHtml()));
  const std::string harness = s.tmp.Write("harness.js", kHarness);
  testing::Child node({"/usr/bin/env", "node", harness,
                       "http://127.0.0.1:" + std::to_string(s.port), page, script, token});
  ProcessResult r = node.Wait();
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  nlohmann::json shown = nlohmann::json::parse(r.out);
  const std::string rows = shown["rows"], detail = shown["detail"], plans = shown["plans"];
  CHECK(rows.find("hi1 | SUCCEEDED | hello | MANUAL") != std::string::npos);
  CHECK(shown["live"] == "live");
  CHECK(shown["hash"] == "#flytesnacks/development/hi1/greet?view=nodes");
  // Data shows as the text it is: the input, the output, the task's log line.
  CHECK(detail.find("\"who\": \"" + who + "\"") != std::string::npos);
  CHECK(detail.find("Hello, " + who + "!") != std::string::npos);
  CHECK(detail.find("greeting " + who) != std::string::npos);
  CHECK(detail.find("greet | task | greet | SUCCEEDED | 1") != std::string::npos);
  CHECK(plans.find("hello") != std::string::npos);
  std::set<std::string> calls;
  for (const auto& c : shown["calls"]) calls.insert(c.get<std::string>());
  CHECK(calls.count("GET /api/v1/events") == 1);
  CHECK(calls.count("GET /api/v1/node_executions/flytesnacks/development/hi1") == 1);
  CHECK(calls.count("GET /api/v1/logs/flytesnacks/development/hi1/greet?attempt=0") == 1);
}

}  // namespace
}  // namespace flyte
