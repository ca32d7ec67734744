// Pages and routing. The location's hash says what is shown, so Back, Forward, reload and a
// pasted link all work; every navigation is a hash change (a history entry), and one function
// (route) renders whatever the hash names:
//   #P/D                      executions of project P, domain D
//   #P/D/@launch_plans        launch plans (likewise @workflows, @tasks)
//   #P/D/@launch/KIND/NAME    the launch form (?from=EXEC&version=V: a relaunch)
//   #P/D/EXEC[/NODE]          an execution, its node selected (?view=timeline|nodes)
const VIEWS = ['graph', 'timeline', 'nodes'];
const listHash = tab => '#' + [S.project, S.domain].map(encodeURIComponent).join('/') + (tab && tab !== 'executions' ? '/@' + tab : '');
function execHash(name, node, view) {
  view = view || S.view;
  return '#' + [S.project, S.domain, name].concat(node ? [node] : []).map(encodeURIComponent).join('/') +
    (view && view !== 'graph' ? '?view=' + view : '');
}
function launchHash(kind, name, from, version) {
  const q = from ? '?' + new URLSearchParams({from, version}).toString() : '';
  return '#' + [S.project, S.domain, '@launch', kind, name].map(encodeURIComponent).join('/') + q;
}
function go(hash) {
  if (location.hash === hash) return;
  location.hash = hash;
  route();
}
let routed = null;
function route() {
  if (location.hash === routed) return;
  routed = location.hash;
  const [path, query] = location.hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent), q = new URLSearchParams(query || '');
  if (parts[0] && S.projects.includes(parts[0])) S.project = parts[0];
  if (parts[1] && S.domains.includes(parts[1])) S.domain = parts[1];
  $('project').value = S.project;
  $('domain').value = S.domain;
  localStorage.setItem('flyte.console.scope', JSON.stringify([S.project, S.domain]));
  const rest = parts.slice(2);
  S.exec = S.node = S.launch = null;
  S.tab = 'executions';
  if (rest[0] === '@launch' && rest.length >= 3) {
    S.launch = {kind: rest[1], name: rest[2], from: q.get('from'), version: q.get('version')};
  } else if (rest[0] && rest[0].startsWith('@')) {
    S.tab = KINDS[rest[0].slice(1).replace(/s$/, '')] ? rest[0].slice(1) : 'executions';
  } else if (rest[0]) {
    if (S.exec !== rest[0]) S.attempt = null;
    S.exec = rest[0];
    S.node = rest.slice(1).join('/') || null;
    S.view = VIEWS.includes(q.get('view')) ? q.get('view') : 'graph';
  }
  for (const b of $('tabs').children) b.className = b.dataset.tab === S.tab && !S.exec && !S.launch ? 'on' : '';
  const page = S.exec || S.launch ? 'detail' : 'list';
  document.body.setAttribute('data-page', page);
  $('list').hidden = page !== 'list';
  $('detail').hidden = page !== 'detail';
  if (S.launch) {
    const {kind, name, from, version} = S.launch;
    $('detail').replaceChildren(h('p', {class: 'mute'}, 'Loading the interface of ' + name + '\u2026'));
    launchPage(kind, name, from, version);
    return;
  }
  if (page === 'list') $('rows').replaceChildren();
  refresh();
}

function row(attrs, open, ...cells) {
  return h('tr', Object.assign({class: 'row', tabindex: 0, onclick: open,
    onkeydown: ev => { if (ev.key === 'Enter' && ev.target === ev.currentTarget) open(); }}, attrs), cells);
}

// The list pages: executions, or the registered entities of one kind.
async function loadList() {
  if (!S.project || S.exec || S.launch) return;
  const rows = $('rows');
  const q = $('filter').value.trim().toLowerCase();
  const match = (...xs) => !q || xs.some(x => String(x || '').toLowerCase().includes(q));
  const empty = text => h('p', {class: 'mute', style: 'padding:0 10px'}, text);
  if (S.tab === 'executions') {
    const r = await call('executions', here(), {query: {limit: '200'}});
    const body = r.executions.filter(e => match(e.id.name, e.spec.workflow.name, e.spec.launch_plan && e.spec.launch_plan.name, e.closure.phase)).map(e =>
      row({'data-exec': e.id.name}, () => go(execHash(e.id.name, null, 'graph')),
        h('td', {class: 'name'}, e.id.name), h('td', {}, badge(e.closure.phase)),
        h('td', {}, e.spec.launch_plan ? e.spec.launch_plan.name : e.spec.workflow.name),
        h('td', {class: 'mute'}, e.spec.mode), h('td', {}, when(e.closure.started_at || e.closure.created_at)),
        h('td', {}, took(e.closure))));
    rows.replaceChildren(h('table', {id: 'executions'}, h('tr', {}, ['name', 'phase', 'workflow / launch plan', 'mode', 'started', 'duration'].map(t => h('th', {}, t))), body),
      body.length ? '' : empty('No executions in ' + S.project + '/' + S.domain + ' yet.'));
    return;
  }
  if (S.tab === 'launch_plans') {
    const r = await call('schedules', here());
    const body = r.launch_plans.filter(p => match(p.id.name)).map(p => {
      const on = p.state === 'ACTIVE', sched = p.schedule;
      return h('tr', {'data-plan': p.id.name}, h('td', {class: 'name'}, p.id.name), h('td', {}, badge(p.state)),
        h('td', {}, sched ? (sched.cron ? 'cron ' + sched.cron : 'every ' + sched.every) + (sched.timezone !== 'UTC' ? ' (' + sched.timezone + ')' : '') : h('span', {class: 'mute'}, 'none')),
        h('td', {class: 'next'}, p.next_fire_at ? when(p.next_fire_at) : h('span', {class: 'mute'}, sched ? (on ? '-' : 'inactive') : '')),
        h('td', {class: 'mute', title: p.id.version}, p.id.version.slice(0, 12), ' (' + p.versions + ')'),
        h('td', {class: 'acts'},
          h('button', {class: 'act', title: on ? 'stop its schedule' : 'start its schedule', onclick: () => setPlanState(p, !on)}, on ? 'Deactivate' : 'Activate'),
          h('button', {class: 'act', onclick: () => go(launchHash('launch_plan', p.id.name))}, 'Launch')));
    });
    rows.replaceChildren(h('table', {id: 'plans'}, h('tr', {}, ['name', 'state', 'schedule', 'next fire', 'version (versions)', ''].map(t => h('th', {}, t))), body),
      body.length ? '' : empty('No launch plans here yet (flyte register FILE).'));
    return;
  }
  const r = await call(S.tab, here(), {query: {limit: '1000'}});
  const byName = new Map();
  for (const e of r[S.tab]) {
    const g = byName.get(e.id.name) || {newest: e, count: 0};
    g.count++;
    byName.set(e.id.name, g);
  }
  const kind = S.tab === 'tasks' ? 'task' : 'workflow';
  const body = [...byName.values()].filter(g => match(g.newest.id.name)).map(g => {
    const e = g.newest;
    return h('tr', {}, h('td', {class: 'name'}, e.id.name), h('td', {class: 'mute', title: e.id.version}, e.id.version.slice(0, 16)),
      h('td', {}, g.count), h('td', {}, when(e.created_at)),
      h('td', {class: 'acts'}, h('button', {class: 'act', onclick: () => go(launchHash(kind, e.id.name))}, 'Launch')));
  });
  rows.replaceChildren(h('table', {}, h('tr', {}, ['name', 'newest version', 'versions', 'registered', ''].map(t => h('th', {}, t))), body),
    body.length ? '' : empty('Nothing registered here yet (flyte register FILE).'));
}

async function setPlanState(e, active) {
  try {
    await call('plan_state', {project: e.id.project, domain: e.id.domain, name: e.id.name, version: e.id.version},
               {body: {state: active ? 'ACTIVE' : 'INACTIVE'}});
    toast(e.id.name + (active ? ' activated' : ' deactivated'));
  } catch (err) { toast(err.message, true); }
  refresh();
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
      go(execHash(r.id.name));
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
      ? h('button', {class: 'link', title: 'open the child execution', onclick: ev => { ev.stopPropagation(); go(execHash(n.child_execution, null, 'graph')); }}, n.target + ' \u2192 ' + n.child_execution)
      : n.target;
    out.push(h('tr', {class: 'row' + (id === S.node ? ' sel' : ''), tabindex: 0, onclick: () => go(execHash(S.exec, id === S.node ? null : id)), onkeydown: ev => { if (ev.key === 'Enter' && ev.target === ev.currentTarget) go(execHash(S.exec, id)); }},
      h('td', {style: 'padding-left:' + (8 + 16 * depth) + 'px', title: id}, tog, short),
      h('td', {class: 'mute'}, n.kind), h('td', {}, target), h('td', {}, badge(c.phase)),
      h('td', {}, c.attempts), h('td', {class: 'mute'}, (c.cache_status || '').replace('CACHE_', '').toLowerCase()),
      h('td', {}, took(c))));
    if (c.error) out.push(h('tr', {}, h('td', {}), h('td', {colspan: 6, class: 'wrap err'}, c.error.code + ': ' + c.error.message)));
  };
  walk('', 0);
  return out;
}

// A download of a file or dir value (a folder comes as NAME.tar). A plain link when the
// server needs no token; with one, the bytes are fetched with it and saved from memory.
function downloadLink(b) {
  const label = b.variable.slice(b.variable.indexOf('.') + 1);
  const file = b.uri.replace(/\/+$/, '').split('/').pop() + (b.kind === 'dir' ? '.tar' : '');
  return h('a', {href: b.download, download: file, 'data-blob': b.variable, title: b.uri, onclick: async e => {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) return;
    e.preventDefault();
    const res = await fetch(b.download, {headers: {Authorization: 'Bearer ' + token}, cache: 'no-store'});
    if (!res.ok) return;
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', {href: url, download: file});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }}, '\u2193 ' + label + (b.kind === 'dir' ? ' (folder, .tar)' : ''));
}

// Typed values ({name: {type, value}}) with download links for their files and folders.
function valueList(title, full, blobs, side) {
  const names = Object.keys(full || {});
  if (!names.length) return '';
  const links = (blobs || []).filter(b => b.variable.startsWith(side + '.'));
  return h('div', {class: 'values', 'data-side': side}, h('div', {class: 'mute'}, title),
    h('table', {}, names.map(k => h('tr', {}, h('td', {}, k), h('td', {class: 'mute'}, full[k].type),
      h('td', {class: 'wrap'}, typeof full[k].value === 'string' ? full[k].value : json(full[k].value))))),
    links.length ? h('ul', {class: 'blobs'}, links.map(b => h('li', {}, downloadLink(b)))) : '');
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
  const key = Object.assign(execKey(name), {node: n.id.node_id});
  const data = await call('node_data', key).catch(() => null);
  if (data) {
    parts.push(valueList('inputs', data.full_inputs, data.blobs, 'inputs'), valueList('outputs', data.full_outputs, data.blobs, 'outputs'));
  } else if (c.outputs) {
    parts.push(h('div', {class: 'mute'}, 'outputs'), h('pre', {}, json(c.outputs)));
  }
  if (c.attempts > 0) {
    const r = await call('attempts', key);
    const list = r.task_executions;
    if (list.length) {
      if (S.attempt === null || !list.some(a => a.attempt === S.attempt)) S.attempt = list[list.length - 1].attempt;
      parts.push(h('table', {}, h('tr', {}, ['attempt', 'phase', 'exit', 'duration', 'reason'].map(t => h('th', {}, t))),
        list.map(a => h('tr', {class: 'row' + (a.attempt === S.attempt ? ' sel' : ''), title: 'show its logs', onclick: () => { S.attempt = a.attempt; refresh(); }},
          h('td', {}, a.attempt), h('td', {}, badge(a.phase)), h('td', {}, a.ended_at ? a.exit_code : ''), h('td', {}, took(a)),
          h('td', {class: 'wrap'}, a.where ? [h('div', {class: 'mute'}, a.where), a.reason] : a.reason)))));
      const logs = await call('logs', key, {query: {attempt: String(S.attempt)}, text: true});
      const cut = logs.length > 200000;  // a browser slows down on megabytes of text
      parts.push(h('div', {class: 'mute'}, 'logs of attempt ' + S.attempt + ' (stdout, then stderr' + (cut ? '; the last 200 kB' : '') + ')'),
        h('pre', {id: 'logs'}, (cut ? logs.slice(-200000) : logs) || '(no output)'));
    }
  }
  return parts;
}

function closePanel() {
  if (S.exec && S.node) go(execHash(S.exec, null));
}

async function loadDetail() {
  const panel = $('detail');
  if (!S.exec) return;
  const name = S.exec, key = execKey(name), view = S.view;
  // All at once: the first paint waits for the slowest, not for their sum.
  const graphOf = S.graphs.get(name) || call('graph', key).then(g => g.graph, err => ({error: err.message}));
  S.graphs.set(name, graphOf);
  const rest = Promise.all([call('data', key), call('nodes', key), graphOf]);
  rest.catch(() => {});  // reported through the execution's own error, or by refresh()
  let e;
  try { e = await call('execution', key); } catch (err) {
    panel.replaceChildren(h('p', {class: 'err'}, err.message));
    S.graphs.delete(name);
    return;
  }
  const [data, nodes, graph] = await rest;
  const records = nodes.node_executions;
  const c = e.closure, running = !TERMINAL.includes(c.phase);
  S.running = running;
  const signals = running ? (await call('signals', key)).signals.filter(s => s.waiting) : [];
  const logsAt = $('logs') ? $('logs').scrollTop : 0;
  const target = e.spec.launch_plan ? ['launch_plan', e.spec.launch_plan.name] : ['workflow', e.spec.workflow.name];
  const parts = [
    h('div', {class: 'crumbs'}, h('button', {class: 'link', onclick: () => go(listHash('executions'))}, '\u2190 executions'), ' / ' + S.project + ' / ' + S.domain),
    h('h2', {}, name, badge(c.phase)),
    h('div', {class: 'bar'},
      h('button', {class: 'act', disabled: !running, onclick: () => act('terminate', name)}, 'Terminate'),
      h('button', {class: 'act', onclick: () => act('relaunch', name), title: 'a new execution with the same target and inputs'}, 'Relaunch'),
      h('button', {class: 'act', onclick: () => go(launchHash(target[0], target[1], name, e.spec.workflow.version)), title: 'the launch form, filled with these inputs'}, 'Relaunch with changes'),
      h('button', {class: 'act', disabled: running, onclick: () => act('recover', name), title: 'a new execution that reuses the outputs of the nodes that succeeded'}, 'Recover')),
    h('dl', {class: 'meta'},
      h('dt', {}, 'workflow'), h('dd', {}, e.spec.workflow.name + ' @ ' + e.spec.workflow.version),
      e.spec.launch_plan ? [h('dt', {}, 'launch plan'), h('dd', {}, e.spec.launch_plan.name)] : '',
      h('dt', {}, 'mode'), h('dd', {}, e.spec.mode),
      e.spec.parent ? [h('dt', {}, 'parent'), h('dd', {}, e.spec.parent)] : '',
      h('dt', {}, 'started'), h('dd', {}, when(c.started_at || c.created_at)),
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
  parts.push(h('div', {class: 'views', role: 'tablist'}, VIEWS.map(v =>
    h('button', {class: v === view ? 'on' : '', role: 'tab', 'aria-selected': v === view ? 'true' : 'false', 'data-view': v,
      onclick: () => go(execHash(name, S.node, v))}, v[0].toUpperCase() + v.slice(1)))));
  if (view === 'graph') {
    parts.push(graph.error ? h('p', {class: 'err'}, graph.error) : drawGraph(graph, records));
  } else if (view === 'timeline') {
    parts.push(drawTimeline(e, records, await attemptsOf(name, records)));
  } else {
    parts.push(h('table', {id: 'nodes'}, h('tr', {}, ['node', 'kind', 'target', 'phase', 'attempts', 'cache', 'duration'].map(t => h('th', {}, t))), nodeRows(records)));
  }
  const links = side => (data.blobs || []).filter(b => b.variable.startsWith(side + '.'));
  const linkList = side => links(side).length ? h('ul', {class: 'blobs'}, links(side).map(b => h('li', {}, downloadLink(b)))) : '';
  parts.push(h('div', {class: 'io'}, h('div', {}, h('h3', {}, 'Inputs'), h('pre', {}, json(data.inputs || {})), linkList('inputs')),
    data.outputs ? h('div', {}, h('h3', {}, 'Outputs'), h('pre', {}, json(data.outputs)), linkList('outputs')) : ''));
  const nodeParts = S.node ? await nodePanel(name, records) : '';
  if (S.exec !== name || S.view !== view) return;  // navigated away meanwhile
  // Keep an input being typed into and the scroll positions across a refresh.
  const typing = document.activeElement && document.activeElement.tagName === 'INPUT' && panel.contains(document.activeElement);
  if (typing) return;
  const focused = document.activeElement && document.activeElement.getAttribute && document.activeElement.getAttribute('data-node');
  const top = panel.scrollTop;
  const side = nodeParts ? h('aside', {id: 'panel', role: 'dialog', 'aria-label': 'node ' + S.node},
    h('button', {class: 'act close', title: 'close (Esc)', onclick: closePanel}, '\u00d7'), nodeParts) : '';
  panel.replaceChildren(h('div', {class: 'main'}, ...parts.flat()), side);
  panel.scrollTop = top;
  if (focused) {
    const again = [...panel.querySelectorAll('[data-node]')].find(n => n.getAttribute('data-node') === focused);
    if (again) again.focus();
  }
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


async function start() {
  if (sessionStorage.getItem(TOKEN)) $('forget').hidden = false;
  $('forget').onclick = () => { sessionStorage.removeItem(TOKEN); $('forget').hidden = true; toast('Token forgotten'); };
  for (const b of $('tabs').children) b.onclick = () => go(listHash(b.dataset.tab));
  $('filter').oninput = soon;
  const saved = JSON.parse(localStorage.getItem('flyte.console.scope') || '[]');
  let projects = [], domains = ['development', 'staging', 'production'];
  try {
    const [p, d] = await Promise.all([call('projects', {}, {query: {limit: '1000'}}), call('domains')]);
    projects = p.projects.map(x => x.id);
    domains = d.domains.map(x => x.id);
  } catch (err) { toast(err.message, true); }
  if (!projects.length) projects = ['flytesnacks'];
  S.projects = projects;
  S.domains = domains;
  S.project = projects.includes(saved[0]) ? saved[0] : projects[0];
  S.domain = domains.includes(saved[1]) ? saved[1] : domains[0];
  $('project').replaceChildren(...projects.map(p => h('option', {value: p}, p)));
  $('domain').replaceChildren(...domains.map(d => h('option', {value: d}, d)));
  const scope = () => {
    S.project = $('project').value;
    S.domain = $('domain').value;
    go(listHash(S.tab));
  };
  $('project').onchange = scope;
  $('domain').onchange = scope;
  if (typeof addEventListener === 'function') {
    addEventListener('hashchange', route);
    addEventListener('keydown', ev => {
      if (ev.key === 'Escape' && !$('auth').className.includes('show')) closePanel();
    });
  }
  if (!location.hash) history.replaceState(null, '', listHash('executions'));
  setLive(false);
  route();
  stream();
}
start();
