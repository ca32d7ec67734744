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
  node_data: 'GET /api/v1/data/node_executions/{project}/{domain}/{name}/{node}',
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
  graph: 'GET /api/v1/executions/{project}/{domain}/{name}/graph',
  iface: 'GET /api/v1/interfaces/{project}/{domain}/{resource}/{name}',
  schedules: 'GET /api/v1/launch_plan_schedules/{project}/{domain}',
};
const TOKEN = 'flyte.console.token';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT', 'SKIPPED', 'RECOVERED', 'RETRYABLE_FAILED'];
const $ = id => document.getElementById(id);
// What is shown (set from the location's hash by route()) and the page's own state.
const S = {project: '', domain: 'development', projects: [], domains: [], tab: 'executions', exec: null, node: null,
           view: 'graph', launch: null, attempt: null, collapsed: new Set(), expanded: new Set(), graphs: new Map(),
           live: false, running: false, busy: false, again: false};

// Builds an element; strings become text nodes, never markup.
function h(tag, attrs, ...kids) {
  return fill(document.createElement(tag), attrs, kids);
}
// The same for SVG elements.
// The SVG namespace, from an <svg> the HTML parser made (a URL literal would read as a link).
const SVGNS = $('svgns').namespaceURI;
function s(tag, attrs, ...kids) {
  return fill(document.createElementNS(SVGNS, tag), attrs, kids);
}
function fill(el, attrs, kids) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class' && el.namespaceURI !== SVGNS) el.className = v;
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

