// The timeline: a Gantt chart of the execution, one row per node that started, one bar per
// attempt (retries side by side on their node's row), bars of running attempts growing live.
// Nodes that run no task (branches, subworkflows, gates) get one thin bar for their span.
const attemptCache = new Map();  // "exec/node" -> {attempts, phase, list}; ended nodes only

async function attemptsOf(name, records) {
  const out = new Map(), todo = records.filter(r => r.closure.attempts > 0);
  const one = async r => {
    const key = name + '/' + r.id.node_id, hit = attemptCache.get(key);
    if (hit && hit.attempts === r.closure.attempts && hit.phase === r.closure.phase) return out.set(r.id.node_id, hit.list);
    const got = await call('attempts', Object.assign(execKey(name), {node: r.id.node_id}));
    if (TERMINAL.includes(r.closure.phase)) attemptCache.set(key, {attempts: r.closure.attempts, phase: r.closure.phase, list: got.task_executions});
    out.set(r.id.node_id, got.task_executions);
  };
  for (let i = 0; i < todo.length; i += 8) await Promise.all(todo.slice(i, i + 8).map(one));
  return out;
}

function drawTimeline(e, records, attempts) {
  const t = iso => iso ? Date.parse(iso) : null;
  const rows = records.filter(r => r.closure.started_at).sort((a, b) => t(a.closure.started_at) - t(b.closure.started_at));
  const start = t(e.closure.started_at) || Math.min(...rows.map(r => t(r.closure.started_at)));
  const end = t(e.closure.ended_at) || Date.now();
  const span = Math.max(end - start, 1), LABEL = 190, W = 760, ROW = 20;
  const x = ms => LABEL + ((ms - start) / span) * W;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => s('g', {class: 'tick'},
    s('line', {x1: LABEL + f * W, x2: LABEL + f * W, y1: 14, y2: 18 + rows.length * ROW}),
    s('text', {x: LABEL + f * W, y: 10}, human((f * span) / 1000))));
  const bars = rows.map((r, k) => {
    const y = 18 + k * ROW, list = attempts.get(r.id.node_id) || [];
    const open = () => go(execHash(S.exec, r.id.node_id));
    const label = s('text', {x: 4, y: y + 13, class: 'label'}, r.id.node_id.length > 28 ? '\u2026' + r.id.node_id.slice(-27) : r.id.node_id);
    const spans = list.length ? list.filter(a => a.started_at).map(a => {
      const a0 = t(a.started_at), a1 = t(a.ended_at) || end;
      return s('rect', {class: 'bar attempt ph-' + a.phase, 'data-node': r.id.node_id, 'data-attempt': a.attempt,
        x: x(a0), y: y + 2, width: Math.max(x(a1) - x(a0), 2), height: ROW - 5, rx: 2},
        s('title', {}, r.id.node_id + ' attempt ' + a.attempt + ' \u00b7 ' + a.phase + ' \u00b7 ' + human((a1 - a0) / 1000)));
    }) : [s('rect', {class: 'bar span ph-' + r.closure.phase, x: x(t(r.closure.started_at)), y: y + 7,
      width: Math.max(x(t(r.closure.ended_at) || end) - x(t(r.closure.started_at)), 2), height: 5},
      s('title', {}, r.id.node_id + ' \u00b7 ' + r.closure.phase))];
    return s('g', {class: 'trow', tabindex: 0, role: 'button', onclick: open, onkeydown: ev => { if (ev.key === 'Enter') open(); }}, label, spans);
  });
  const height = 24 + rows.length * ROW;
  return h('div', {class: 'canvas'}, s('svg', {id: 'timeline', width: LABEL + W + 30, height, viewBox: `0 0 ${LABEL + W + 30} ${height}`}, ticks, bars),
    rows.length ? '' : h('p', {class: 'mute'}, 'Nothing has started yet.'));
}
