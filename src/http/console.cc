#include "http/console.h"

namespace flyte::http {
namespace {

// Every value from the API reaches the DOM as text (textContent, createTextNode, setAttribute
// with names from this file): never through innerHTML, so names, inputs and logs cannot inject
// markup. Every route the script calls is a literal "METHOD /api/v1/..." in the API table, which
// a test checks against the server's routes.
constexpr const char* kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flyte console</title>
<style>
:root{--bg:#f5f6f8;--fg:#1d232b;--mute:#69727d;--line:#dfe3e8;--card:#fff;--acc:#5b3fd9;--ok:#1a7f37;--bad:#c62828;--run:#0969da;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;gap:10px;align-items:center;padding:8px 16px;background:#231a4e;color:#fff}
header h1{font-size:15px;margin:0 10px 0 0;letter-spacing:.3px}
header select,header input{font:inherit;padding:2px 4px}
#live{margin-left:auto;font-size:12px;opacity:.9}
#live::before{content:"\25CF ";color:#f0b429}
#live.on::before{color:#3fb950}
nav{display:flex;gap:2px;padding:8px 16px 0}
nav button{border:1px solid var(--line);border-bottom:none;background:#eceef2;padding:5px 12px;border-radius:5px 5px 0 0;cursor:pointer;font:inherit}
nav button.on{background:var(--card);font-weight:600}
main{display:grid;grid-template-columns:minmax(380px,1fr) minmax(440px,1.4fr);gap:12px;padding:0 16px 16px}
section{background:var(--card);border:1px solid var(--line);border-radius:0 6px 6px 6px;overflow:auto;height:calc(100vh - 86px)}
#detail{border-radius:6px;padding:10px 14px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);white-space:nowrap;vertical-align:top}
th{position:sticky;top:0;background:#fafbfc;font-weight:600;color:var(--mute);z-index:1}
tr.row{cursor:pointer}tr.row:hover{background:#f3f0ff}tr.sel{background:#e8e2ff}
td.wrap{white-space:pre-wrap;word-break:break-word}
.ph{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600;background:#eceef2;color:var(--mute)}
.ph.SUCCEEDED,.ph.RECOVERED,.ph.ACTIVE{background:#dafbe1;color:var(--ok)}
.ph.FAILED,.ph.FAILING,.ph.TIMED_OUT,.ph.RETRYABLE_FAILED{background:#ffebe9;color:var(--bad)}
.ph.RUNNING,.ph.DYNAMIC_RUNNING,.ph.SUCCEEDING,.ph.INITIALIZING{background:#ddf4ff;color:var(--run)}
.ph.QUEUED,.ph.WAITING_FOR_RESOURCES,.ph.ABORTING{background:#fff5c2;color:var(--warn)}
h2{font-size:15px;margin:2px 0 8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
h3{font-size:13px;margin:14px 0 4px;color:var(--mute);text-transform:uppercase;letter-spacing:.4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:var(--mute)}dd{margin:0;word-break:break-word}
pre{margin:4px 0;padding:8px;background:#0f1419;color:#e6edf3;border-radius:4px;max-height:340px;overflow:auto;white-space:pre-wrap;word-break:break-all;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
button.act{font:inherit;padding:3px 10px;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
button.act:hover:not(:disabled){border-color:var(--acc);color:var(--acc)}
button.act:disabled{opacity:.45;cursor:default}
button.link{border:none;background:none;padding:0;color:var(--acc);cursor:pointer;font:inherit;text-decoration:underline}
.bar{display:flex;gap:6px;flex-wrap:wrap;align-items:center;margin:6px 0}
.err{color:var(--bad)}.mute{color:var(--mute)}
.tog{display:inline-block;width:14px;cursor:pointer;color:var(--mute)}
#filter{margin:8px;padding:3px 6px;width:calc(100% - 16px);font:inherit;border:1px solid var(--line);border-radius:4px}
#toast{position:fixed;right:14px;bottom:14px;max-width:480px;padding:8px 12px;border-radius:5px;background:#1d232b;color:#fff;display:none;white-space:pre-wrap}
#toast.show{display:block}#toast.bad{background:var(--bad)}
#auth{position:fixed;inset:0;background:rgba(20,20,30,.45);display:none;align-items:center;justify-content:center;z-index:9}
#auth.show{display:flex}
#auth form{background:#fff;padding:18px 22px;border-radius:8px;width:420px;box-shadow:0 8px 30px rgba(0,0,0,.25)}
#auth input{width:100%;padding:6px;font:inherit;margin:8px 0}
@media (max-width:900px){main{grid-template-columns:1fr}section{height:auto;max-height:70vh}}
</style>
</head>
<body>
<header>
<h1>flyte console</h1>
<label>project <select id="project"></select></label>
<label>domain <select id="domain"></select></label>
<span id="live">connecting</span>
<button class="act" id="forget" hidden>forget token</button>
</header>
<nav id="tabs"><button data-tab="executions" class="on">Executions</button><button data-tab="launch_plans">Launch plans</button><button data-tab="workflows">Workflows</button><button data-tab="tasks">Tasks</button></nav>
<main>
<section id="list"><input id="filter" placeholder="filter by name, workflow or phase" aria-label="filter"><div id="rows"></div></section>
<section id="detail"><p class="mute">Select an execution to see its nodes, inputs, outputs and logs.</p></section>
</main>
<div id="auth" role="dialog" aria-modal="true" aria-labelledby="authtitle"><form id="authform">
<h2 id="authtitle">Token needed</h2><p id="authmsg"></p>
<input id="token" type="password" autocomplete="off" placeholder="flyte_..." aria-label="token">
<div class="bar"><button class="act">Use token</button></div>
<p class="mute">Create one with <code>flyte serve token create</code>. It is kept in this tab only (sessionStorage).</p>
</form></div>
<div id="toast" role="status"></div>
<script>
'use strict';
// Every route this page calls. Placeholders are filled with percent-encoded values.
const API = {
  projects: 'GET /api/v1/projects',
  domains: 'GET /api/v1/domains',
  executions: 'GET /api/v1/executions/{project}/{domain}',
  execution: 'GET /api/v1/executions/{project}/{domain}/{name}',
  terminate: 'DELETE /api/v1/executions/{project}/{domain}/{name}',
  create: 'POST /api/v1/executions',
  relaunch: 'POST /api/v1/executions/relaunch',
  recover: 'POST /api/v1/executions/recover',
  data: 'GET /api/v1/data/executions/{project}/{domain}/{name}',
  nodes: 'GET /api/v1/node_executions/{project}/{domain}/{name}',
  attempts: 'GET /api/v1/task_executions/{project}/{domain}/{name}/{node}',
  logs: 'GET /api/v1/logs/{project}/{domain}/{name}/{node}',
  signals: 'GET /api/v1/signals/{project}/{domain}/{name}',
  signal: 'POST /api/v1/signals',
  launch_plans: 'GET /api/v1/launch_plans/{project}/{domain}',
  plan_state: 'PUT /api/v1/launch_plans/{project}/{domain}/{name}/{version}',
  workflows: 'GET /api/v1/workflows/{project}/{domain}',
  tasks: 'GET /api/v1/tasks/{project}/{domain}',
  events: 'GET /api/v1/events',
};
const TOKEN = 'flyte.console.token';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT', 'SKIPPED', 'RECOVERED', 'RETRYABLE_FAILED'];
const $ = id => document.getElementById(id);
const S = {project: '', domain: 'development', tab: 'executions', exec: null, node: null, attempt: null,
           collapsed: new Set(), live: false, running: false, busy: false, again: false};

// Builds an element; strings become text nodes, never markup.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}
const badge = p => h('span', {class: 'ph ' + (p || '')}, p || '-');
const sleep = ms => new Promise(r => setTimeout(r, ms));
let toastTimer = 0;
function toast(text, bad) {
  const t = $('toast');
  t.textContent = text;
  t.className = 'show' + (bad ? ' bad' : '');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = ''; }, bad ? 8000 : 3000);
}

// The token prompt: one at a time; every request that met a 401 waits for it, then retries.
let asking = null;
function askToken(message) {
  if (!asking) {
    asking = new Promise(resolve => {
      $('authmsg').textContent = message;
      $('token').value = '';
      $('auth').classList.add('show');
      $('token').focus();
      $('authform').onsubmit = ev => {
        ev.preventDefault();
        const t = $('token').value.trim();
        if (!t) return;
        sessionStorage.setItem(TOKEN, t);
        $('auth').classList.remove('show');
        $('forget').hidden = false;
        asking = null;
        resolve();
      };
    });
  }
  return asking;
}

async function call(key, params, opts) {
  params = params || {};
  opts = opts || {};
  const [method, template] = API[key].split(' ');
  let path = template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k]));
  const query = new URLSearchParams(opts.query || {}).toString();
  if (query) path += '?' + query;
  for (;;) {
    const token = sessionStorage.getItem(TOKEN);
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(path, {method, headers, body, cache: 'no-store'});
    if (res.status === 401) {
      // A token given meanwhile (for a request that met a 401 first) is tried before asking.
      if (sessionStorage.getItem(TOKEN) === token) {
        await askToken(token ? 'The server refused the token; give another.' : 'This server runs with --auth token.');
      }
      continue;
    }
    if (opts.stream && res.ok) return res;
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const msg = data && data.error ? data.error.code + ': ' + data.error.message : 'HTTP ' + res.status;
      throw new Error(method + ' ' + path + ': ' + msg);
    }
    return opts.text ? text : data;
  }
}

// Times and durations.
function when(iso) {
  if (!iso) return '';
  const d = new Date(iso), now = new Date();
  const pad = n => String(n).padStart(2, '0');
  const hms = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  return d.toDateString() === now.toDateString() ? hms : d.toISOString().slice(0, 10) + ' ' + hms;
}
function human(sec) {
  if (!(sec >= 0)) return '';
  if (sec < 10) return sec.toFixed(2) + 's';
  if (sec < 60) return sec.toFixed(1) + 's';
  const m = Math.floor(sec / 60), s = Math.floor(sec % 60);
  if (m < 60) return m + 'm ' + String(s).padStart(2, '0') + 's';
  return Math.floor(m / 60) + 'h ' + String(m % 60).padStart(2, '0') + 'm';
}
// Ended: the server's duration; running: a cell the clock tick keeps current.
function took(c) {
  if (c.duration) return h('span', {}, human(parseFloat(c.duration)));
  if (c.started_at && !c.ended_at) return h('span', {'data-since': c.started_at}, human((Date.now() - Date.parse(c.started_at)) / 1000));
  return h('span', {});
}
setInterval(() => {
  for (const el of document.querySelectorAll('[data-since]')) {
    el.textContent = human((Date.now() - Date.parse(el.getAttribute('data-since'))) / 1000);
  }
}, 1000);
const json = v => JSON.stringify(v, null, 2);
const here = () => ({project: S.project, domain: S.domain});
const execKey = name => ({project: S.project, domain: S.domain, name});

function remember() {
  const parts = [S.project, S.domain];
  if (S.exec) parts.push(S.exec);
  if (S.exec && S.node) parts.push(S.node);
  history.replaceState(null, '', '#' + parts.map(encodeURIComponent).join('/'));
  localStorage.setItem('flyte.console.scope', JSON.stringify([S.project, S.domain]));
}

// The list on the left: executions, or the registered entities of one kind.
async function loadList() {
  if (!S.project) return;
  const rows = $('rows');
  const q = $('filter').value.trim().toLowerCase();
  const match = (...xs) => !q || xs.some(x => String(x || '').toLowerCase().includes(q));
  if (S.tab === 'executions') {
    const r = await call('executions', here(), {query: {limit: '200'}});
    const body = r.executions.filter(e => match(e.id.name, e.spec.workflow.name, e.spec.launch_plan && e.spec.launch_plan.name, e.closure.phase)).map(e =>
      h('tr', {class: 'row' + (e.id.name === S.exec ? ' sel' : ''), onclick: () => openExec(e.id.name)},
        h('td', {}, e.id.name), h('td', {}, badge(e.closure.phase)),
        h('td', {}, e.spec.launch_plan ? e.spec.launch_plan.name : e.spec.workflow.name),
        h('td', {class: 'mute'}, e.spec.mode), h('td', {}, when(e.closure.started_at || e.closure.created_at)),
        h('td', {}, took(e.closure))));
    rows.replaceChildren(h('table', {}, h('tr', {}, ['name', 'phase', 'workflow / launch plan', 'mode', 'started', 'duration'].map(t => h('th', {}, t))), body),
      body.length ? '' : h('p', {class: 'mute', style: 'padding:0 10px'}, 'No executions in ' + S.project + '/' + S.domain + ' yet.'));
    return;
  }
  const r = await call(S.tab, here(), {query: {limit: '1000'}});
  const byName = new Map();
  for (const e of r[S.tab]) {
    const g = byName.get(e.id.name) || {newest: e, active: null, count: 0};
    g.count++;
    if (e.state === 'ACTIVE') g.active = e;
    byName.set(e.id.name, g);
  }
  const plans = S.tab === 'launch_plans';
  const body = [...byName.values()].filter(g => match(g.newest.id.name)).map(g => {
    const e = g.active || g.newest;
    const actions = [];
    if (plans) {
      const on = e.state === 'ACTIVE';
      actions.push(h('button', {class: 'act', title: on ? 'stop its schedule' : 'start its schedule', onclick: () => setPlanState(e, !on)}, on ? 'Deactivate' : 'Activate'));
    }
    const kind = plans ? 'launch_plan' : S.tab === 'tasks' ? 'task' : 'workflow';
    actions.push(h('button', {class: 'act', onclick: () => launch(kind, e.id.name)}, 'Launch'));
    return h('tr', {}, h('td', {}, e.id.name), h('td', {class: 'mute', title: e.id.version}, e.id.version.slice(0, 16)),
      h('td', {}, g.count), plans ? h('td', {}, badge(e.state)) : '', h('td', {}, when(e.created_at)), h('td', {class: 'bar'}, actions));
  });
  const heads = ['name', plans ? 'version (active or newest)' : 'newest version', 'versions'].concat(plans ? ['state'] : [], ['registered', '']);
  rows.replaceChildren(h('table', {}, h('tr', {}, heads.map(t => h('th', {}, t))), body),
    body.length ? '' : h('p', {class: 'mute', style: 'padding:0 10px'}, 'Nothing registered here yet (flyte register FILE).'));
}

async function setPlanState(e, active) {
  try {
    await call('plan_state', {project: e.id.project, domain: e.id.domain, name: e.id.name, version: e.id.version},
               {body: {state: active ? 'ACTIVE' : 'INACTIVE'}});
    toast(e.id.name + (active ? ' activated' : ' deactivated'));
  } catch (err) { toast(err.message, true); }
  refresh();
}

async function launch(kind, name) {
  const text = prompt('Inputs of ' + name + ' as JSON (defaults apply to the ones left out):', '{}');
  if (text === null) return;
  let inputs;
  try { inputs = JSON.parse(text); } catch (err) { return toast('Not JSON: ' + err.message, true); }
  try {
    const r = await call('create', {}, {body: {project: S.project, domain: S.domain, [kind]: {name}, inputs}});
    toast('Started ' + r.id.name);
    showTab('executions');
    openExec(r.id.name);
  } catch (err) { toast(err.message, true); }
}

async function act(kind, name) {
  try {
    if (kind === 'terminate') {
      const cause = prompt('Terminate ' + name + '? Cause:', 'terminated from the console');
      if (cause === null) return;
      await call('terminate', execKey(name), {body: {cause}});
      toast('Terminating ' + name);
      refresh();
    } else {
      const r = await call(kind, {}, {body: {id: execKey(name)}});
      toast((kind === 'recover' ? 'Recovering' : 'Relaunched') + ' as ' + r.id.name);
      openExec(r.id.name);
    }
  } catch (err) { toast(err.message, true); }
}

async function sendSignal(name, signalId, value) {
  try {
    await call('signal', {}, {body: {id: {execution_id: execKey(name), signal_id: signalId}, value}});
    toast('Sent ' + signalId);
  } catch (err) { toast(err.message, true); }
  refresh();
}

function openExec(name) {
  S.exec = name;
  S.node = null;
  S.attempt = null;
  S.collapsed.clear();
  remember();
  refresh();
}
function openNode(id) {
  S.node = S.node === id ? null : id;
  S.attempt = null;
  remember();
  refresh();
}

// The node tree, depth first: each node followed by its children (parent_id), siblings in the
// server's order; a collapsed node hides its subtree.
function nodeRows(nodes) {
  const kids = new Map(), known = new Set(nodes.map(n => n.id.node_id)), out = [];
  for (const n of nodes) {
    const p = known.has(n.parent_id) ? n.parent_id : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(n);
  }
  const walk = (parent, depth) => {
    for (const n of kids.get(parent) || []) {
      row(n, depth);
      if (!S.collapsed.has(n.id.node_id)) walk(n.id.node_id, depth + 1);
    }
  };
  const row = (n, depth) => {
    const id = n.id.node_id, c = n.closure, p = n.parent_id || '';
    const short = p && (id.startsWith(p + '/') || id.startsWith(p + '[')) ? id.slice(p.length).replace(/^\//, '') : id;
    const tog = kids.has(id) ? h('span', {class: 'tog', title: kids.get(id).length + ' children', onclick: ev => {
      ev.stopPropagation();
      if (!S.collapsed.delete(id)) S.collapsed.add(id);
      refresh();
    }}, S.collapsed.has(id) ? '\u25B8' : '\u25BE') : h('span', {class: 'tog'});
    const target = n.child_execution
      ? h('button', {class: 'link', title: 'open the child execution', onclick: ev => { ev.stopPropagation(); openExec(n.child_execution); }}, n.target + ' \u2192 ' + n.child_execution)
      : n.target;
    out.push(h('tr', {class: 'row' + (id === S.node ? ' sel' : ''), onclick: () => openNode(id)},
      h('td', {style: 'padding-left:' + (8 + 16 * depth) + 'px', title: id}, tog, short),
      h('td', {class: 'mute'}, n.kind), h('td', {}, target), h('td', {}, badge(c.phase)),
      h('td', {}, c.attempts), h('td', {class: 'mute'}, (c.cache_status || '').replace('CACHE_', '').toLowerCase()),
      h('td', {}, took(c))));
    if (c.error) out.push(h('tr', {}, h('td', {}), h('td', {colspan: 6, class: 'wrap err'}, c.error.code + ': ' + c.error.message)));
  };
  walk('', 0);
  return out;
}

async function nodePanel(name, nodes) {
  const n = nodes.find(x => x.id.node_id === S.node);
  if (!n) return '';
  const c = n.closure, parts = [h('h3', {}, 'Node ' + n.id.node_id)];
  parts.push(h('dl', {}, h('dt', {}, 'kind'), h('dd', {}, n.kind + (n.target ? ' ' + n.target : '')),
    h('dt', {}, 'phase'), h('dd', {}, badge(c.phase)), h('dt', {}, 'queued'), h('dd', {}, when(c.queued_at)),
    h('dt', {}, 'started'), h('dd', {}, when(c.started_at)), h('dt', {}, 'duration'), h('dd', {}, took(c))));
  if (c.error) parts.push(h('p', {class: 'err wrap'}, c.error.code + ': ' + c.error.message));
  if (c.output_tail) parts.push(h('div', {class: 'mute'}, 'last output'), h('pre', {}, c.output_tail));
  if (c.outputs) parts.push(h('div', {class: 'mute'}, 'outputs'), h('pre', {}, json(c.outputs)));
  if (c.attempts > 0) {
    const key = Object.assign(execKey(name), {node: n.id.node_id});
    const r = await call('attempts', key);
    const list = r.task_executions;
    if (list.length) {
      if (S.attempt === null || !list.some(a => a.attempt === S.attempt)) S.attempt = list[list.length - 1].attempt;
      parts.push(h('table', {}, h('tr', {}, ['attempt', 'phase', 'exit', 'duration', 'reason'].map(t => h('th', {}, t))),
        list.map(a => h('tr', {class: 'row' + (a.attempt === S.attempt ? ' sel' : ''), title: 'show its logs', onclick: () => { S.attempt = a.attempt; refresh(); }},
          h('td', {}, a.attempt), h('td', {}, badge(a.phase)), h('td', {}, a.ended_at ? a.exit_code : ''), h('td', {}, took(a)),
          h('td', {class: 'wrap'}, a.reason)))));
      const logs = await call('logs', key, {query: {attempt: String(S.attempt)}, text: true});
      const cut = logs.length > 200000;  // a browser slows down on megabytes of text
      parts.push(h('div', {class: 'mute'}, 'logs of attempt ' + S.attempt + ' (stdout, then stderr' + (cut ? '; the last 200 kB' : '') + ')'),
        h('pre', {id: 'logs'}, (cut ? logs.slice(-200000) : logs) || '(no output)'));
    }
  }
  return parts;
}

async function loadDetail() {
  const panel = $('detail');
  if (!S.exec) return;
  const name = S.exec, key = execKey(name);
  let e;
  try { e = await call('execution', key); } catch (err) {
    panel.replaceChildren(h('p', {class: 'err'}, err.message));
    return;
  }
  const [data, nodes] = await Promise.all([call('data', key), call('nodes', key)]);
  const c = e.closure, running = !TERMINAL.includes(c.phase);
  S.running = running;
  const signals = running ? (await call('signals', key)).signals.filter(s => s.waiting) : [];
  const logsAt = $('logs') ? $('logs').scrollTop : 0;
  const parts = [
    h('h2', {}, name, badge(c.phase)),
    h('div', {class: 'bar'},
      h('button', {class: 'act', disabled: !running, onclick: () => act('terminate', name)}, 'Terminate'),
      h('button', {class: 'act', onclick: () => act('relaunch', name), title: 'a new execution with the same target and inputs'}, 'Relaunch'),
      h('button', {class: 'act', disabled: running, onclick: () => act('recover', name), title: 'a new execution that reuses the outputs of the nodes that succeeded'}, 'Recover')),
    h('dl', {},
      h('dt', {}, 'workflow'), h('dd', {}, e.spec.workflow.name + ' @ ' + e.spec.workflow.version),
      e.spec.launch_plan ? [h('dt', {}, 'launch plan'), h('dd', {}, e.spec.launch_plan.name)] : '',
      h('dt', {}, 'mode'), h('dd', {}, e.spec.mode),
      e.spec.parent ? [h('dt', {}, 'parent'), h('dd', {}, e.spec.parent)] : '',
      h('dt', {}, 'created'), h('dd', {}, when(c.created_at)),
      h('dt', {}, 'started'), h('dd', {}, when(c.started_at)),
      h('dt', {}, 'ended'), h('dd', {}, when(c.ended_at)),
      h('dt', {}, 'duration'), h('dd', {}, took(c))),
  ];
  if (c.error) parts.push(h('p', {class: 'err wrap'}, c.error.code + (c.error.node ? ' at ' + c.error.node : '') + ': ' + c.error.message));
  for (const s of signals) {
    const input = h('input', {placeholder: 'value', size: 12});
    parts.push(h('div', {class: 'bar'}, 'Gate ', h('b', {}, s.node_id), ' waits' + (s.kind === 'signal' ? ' for ' + s.id.signal_id + ':' : ' for approval:'),
      s.kind === 'approve'
        ? [h('button', {class: 'act', onclick: () => sendSignal(name, s.id.signal_id, true)}, 'Approve'),
           h('button', {class: 'act', onclick: () => sendSignal(name, s.id.signal_id, false)}, 'Reject')]
        : [input, h('button', {class: 'act', onclick: () => sendSignal(name, s.id.signal_id, input.value)}, 'Send')]));
  }
  parts.push(h('h3', {}, 'Inputs'), h('pre', {}, json(data.inputs || {})));
  if (data.outputs) parts.push(h('h3', {}, 'Outputs'), h('pre', {}, json(data.outputs)));
  parts.push(h('h3', {}, 'Nodes'), h('table', {},
    h('tr', {}, ['node', 'kind', 'target', 'phase', 'attempts', 'cache', 'duration'].map(t => h('th', {}, t))), nodeRows(nodes.node_executions)));
  parts.push(await nodePanel(name, nodes.node_executions));
  if (S.exec !== name) return;  // another execution was opened meanwhile
  // Keep an input being typed into and the scroll positions across a refresh.
  const typing = document.activeElement && document.activeElement.tagName === 'INPUT' && panel.contains(document.activeElement);
  if (typing) return;
  const top = panel.scrollTop;
  panel.replaceChildren(...parts.flat());
  panel.scrollTop = top;
  const logs = $('logs');
  if (logs) logs.scrollTop = running ? logs.scrollHeight : logsAt;
}

// One refresh at a time; calls during one ask for another after it.
async function refresh() {
  if (S.busy) { S.again = true; return; }
  S.busy = true;
  try {
    await Promise.all([loadList(), loadDetail()]);
  } catch (err) {
    toast(err.message, true);
  } finally {
    S.busy = false;
    if (S.again) { S.again = false; setTimeout(refresh, 50); }
  }
}
let pending = 0;
function soon() { clearTimeout(pending); pending = setTimeout(refresh, 250); }

// Live updates: the server-sent event stream, read with fetch so the bearer token can go along.
// While it is down, and for running logs, a 2 s poll takes over.
function setLive(on) {
  S.live = on;
  $('live').textContent = on ? 'live' : 'polling every 2 s';
  $('live').className = on ? 'on' : '';
}
async function stream() {
  for (;;) {
    try {
      const res = await call('events', {}, {stream: true});
      if (!res.body) throw new Error('no stream');
      setLive(true);
      soon();
      const reader = res.body.getReader(), dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buf += dec.decode(value, {stream: true});
        let at;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          for (const line of block.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            try {
              const ev = JSON.parse(line.slice(6)), x = ev.execution;
              if (x.project === S.project && x.domain === S.domain) soon();
            } catch (err) { /* not JSON: ignore */ }
          }
        }
      }
    } catch (err) { /* fall back to polling, then try again */ }
    setLive(false);
    await sleep(5000);
  }
}
setInterval(() => {
  if (document.hidden) return;
  const logs = $('logs');
  if (!S.live || (logs && S.running)) refresh();
}, 2000);

function showTab(tab) {
  S.tab = tab;
  for (const b of $('tabs').children) b.className = b.dataset.tab === tab ? 'on' : '';
  $('rows').replaceChildren();
  refresh();
}

async function start() {
  if (sessionStorage.getItem(TOKEN)) $('forget').hidden = false;
  $('forget').onclick = () => { sessionStorage.removeItem(TOKEN); $('forget').hidden = true; toast('Token forgotten'); };
  for (const b of $('tabs').children) b.onclick = () => showTab(b.dataset.tab);
  $('filter').oninput = soon;
  const [saved, fromHash] = [JSON.parse(localStorage.getItem('flyte.console.scope') || '[]'),
    location.hash.slice(1).split('/').filter(Boolean).map(decodeURIComponent)];
  let projects = [], domains = ['development', 'staging', 'production'];
  try {
    const [p, d] = await Promise.all([call('projects', {}, {query: {limit: '1000'}}), call('domains')]);
    projects = p.projects.map(x => x.id);
    domains = d.domains.map(x => x.id);
  } catch (err) { toast(err.message, true); }
  if (!projects.length) projects = ['flytesnacks'];
  const pick = (want, list) => list.includes(want) ? want : null;
  S.project = pick(fromHash[0], projects) || pick(saved[0], projects) || projects[0];
  S.domain = pick(fromHash[1], domains) || pick(saved[1], domains) || domains[0];
  if (fromHash[0] === S.project && fromHash[2]) { S.exec = fromHash[2]; S.node = fromHash.slice(3).join('/') || null; }
  $('project').replaceChildren(...projects.map(p => h('option', {value: p, selected: p === S.project}, p)));
  $('domain').replaceChildren(...domains.map(d => h('option', {value: d, selected: d === S.domain}, d)));
  const scope = () => {
    S.project = $('project').value;
    S.domain = $('domain').value;
    S.exec = S.node = null;
    $('detail').replaceChildren(h('p', {class: 'mute'}, 'Select an execution.'));
    remember();
    refresh();
  };
  $('project').onchange = scope;
  $('domain').onchange = scope;
  remember();
  setLive(false);
  refresh();
  stream();
}
start();
</script>
</body>
</html>
)html";

}  // namespace

const std::string& ConsoleHtml() {
  static const std::string page = kPage;
  return page;
}

}  // namespace flyte::http
