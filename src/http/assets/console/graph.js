// The execution's DAG: the compiled graph (GET .../graph) coloured by the node executions.
// Laid out in layers, left to right: each node in the layer of its longest path from a root,
// nodes of a layer ordered by the barycentre of their neighbours (a few sweeps down and up).
const NODE_W = 160, NODE_H = 46, GAP_X = 34, GAP_Y = 14;

// The graph with each expanded subworkflow node replaced by its own nodes ("parent/child"),
// wired to the parent node's predecessors and successors.
function flatten(graph, expanded, prefix) {
  const nodes = [], edges = [], ends = new Map();
  for (const n of graph.nodes) {
    const id = prefix + n.id;
    if (n.workflow && expanded.has(id)) {
      const sub = flatten(n.workflow, expanded, id + '/');
      nodes.push(...sub.nodes);
      edges.push(...sub.edges);
      const hasIn = new Set(sub.edges.map(e => e[1])), hasOut = new Set(sub.edges.map(e => e[0]));
      ends.set(id, {in: sub.nodes.filter(x => !hasIn.has(x.id)).map(x => x.id),
                    out: sub.nodes.filter(x => !hasOut.has(x.id)).map(x => x.id)});
    } else {
      nodes.push({id, spec: n});
      ends.set(id, {in: [id], out: [id]});
    }
  }
  for (const [a, b] of graph.edges) {
    for (const x of ends.get(prefix + a).out) for (const y of ends.get(prefix + b).in) edges.push([x, y]);
  }
  return {nodes, edges};
}

function layout(nodes, edges) {
  const at = new Map(nodes.map((n, i) => [n.id, i]));
  const succ = nodes.map(() => []), pred = nodes.map(() => []);
  for (const [a, b] of edges) {
    const i = at.get(a), j = at.get(b);
    if (i === undefined || j === undefined) continue;
    succ[i].push(j);
    pred[j].push(i);
  }
  const indeg = pred.map(p => p.length), layer = nodes.map(() => 0), queue = [];
  indeg.forEach((d, i) => { if (!d) queue.push(i); });
  for (let q = 0; q < queue.length; q++) {
    for (const j of succ[queue[q]]) {
      layer[j] = Math.max(layer[j], layer[queue[q]] + 1);
      if (!--indeg[j]) queue.push(j);
    }
  }
  const layers = [];
  nodes.forEach((n, i) => (layers[layer[i]] = layers[layer[i]] || []).push(i));
  const pos = [];
  layers.forEach(l => l.forEach((i, k) => { pos[i] = k; }));
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    for (const l of down ? layers : [...layers].reverse()) {
      const key = new Map(l.map(i => {
        const near = down ? pred[i] : succ[i];
        return [i, near.length ? near.reduce((sum, j) => sum + pos[j], 0) / near.length : pos[i]];
      }));
      l.sort((x, y) => key.get(x) - key.get(y));
      l.forEach((i, k) => { pos[i] = k; });
    }
  }
  const tallest = Math.max(1, ...layers.map(l => l.length));
  const xy = nodes.map((n, i) => ({
    x: 10 + layer[i] * (NODE_W + GAP_X),
    y: 10 + (pos[i] + (tallest - layers[layer[i]].length) / 2) * (NODE_H + GAP_Y)}));
  return {xy, succ, width: 20 + layers.length * (NODE_W + GAP_X) - GAP_X, height: 20 + tallest * (NODE_H + GAP_Y) - GAP_Y};
}

// What a node shows under its name: map items, the branch case taken, the target.
function nodeNote(n, rec, kids) {
  const spec = n.spec;
  if (spec.kind === 'map' && kids.length) {
    const done = kids.filter(k => k.closure.phase === 'SUCCEEDED' || k.closure.phase === 'RECOVERED').length;
    const failed = kids.filter(k => k.closure.phase === 'FAILED' || k.closure.phase === 'TIMED_OUT').length;
    return 'map ' + spec.target + ' \u00b7 ' + done + '/' + kids.length + (failed ? ' \u00b7 ' + failed + ' failed' : '');
  }
  if (spec.kind === 'branch') {
    // The case that ran is the child not SKIPPED: "BRANCH/1" for the first case, "BRANCH/else".
    const cases = spec.cases || [], ran = kids.find(k => k.closure.phase !== 'SKIPPED');
    if (ran) {
      const tail = ran.id.node_id.slice(n.id.length + 1).split('/')[0];
      const taken = tail === 'else' ? cases[cases.length - 1] : cases[Number(tail) - 1];
      if (taken) return '\u2192 ' + taken.label;
    }
    return 'branch \u00b7 ' + cases.length + ' cases';
  }
  return spec.kind + (spec.target && spec.target !== n.id ? ' ' + spec.target : '');
}

function drawGraph(graph, records) {
  const byId = new Map(records.map(r => [r.id.node_id, r]));
  const kidsOf = new Map();
  for (const r of records) {
    if (!r.parent_id) continue;
    if (!kidsOf.has(r.parent_id)) kidsOf.set(r.parent_id, []);
    kidsOf.get(r.parent_id).push(r);
  }
  const {nodes, edges} = flatten(graph, S.expanded, '');
  const {xy, width, height} = layout(nodes, edges);
  const at = new Map(nodes.map((n, i) => [n.id, i]));
  const boxes = [...S.expanded].filter(id => nodes.some(n => n.id.startsWith(id + '/'))).map(id => {
    const inside = nodes.map((n, i) => n.id.startsWith(id + '/') ? xy[i] : null).filter(Boolean);
    const x0 = Math.min(...inside.map(p => p.x)) - 6, y0 = Math.min(...inside.map(p => p.y)) - 18;
    const x1 = Math.max(...inside.map(p => p.x)) + NODE_W + 6, y1 = Math.max(...inside.map(p => p.y)) + NODE_H + 6;
    return s('g', {class: 'cluster'}, s('rect', {x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 6}),
      s('text', {x: x0 + 6, y: y0 + 12, onclick: () => toggleExpand(id)}, '\u2212 ' + id));
  });
  const lines = edges.filter(([a, b]) => at.has(a) && at.has(b)).map(([a, b]) => {
    const p = xy[at.get(a)], q = xy[at.get(b)];
    const x1 = p.x + NODE_W, y1 = p.y + NODE_H / 2, x2 = q.x, y2 = q.y + NODE_H / 2, mid = (x1 + x2) / 2;
    return s('path', {class: 'edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`});
  });
  const boxesOfNodes = nodes.map((n, i) => {
    const rec = byId.get(n.id), phase = rec ? rec.closure.phase : 'NOT_STARTED';
    const {x, y} = xy[i];
    const open = () => go(execHash(S.exec, n.id));
    const label = n.id.length > 22 ? '\u2026' + n.id.slice(-21) : n.id;
    const note = nodeNote(n, rec, kidsOf.get(n.id) || []);
    const parts = [s('rect', {width: NODE_W, height: NODE_H, rx: 6}),
      s('text', {x: 10, y: 18, class: 'name'}, label),
      s('text', {x: 10, y: 35, class: 'note'}, note.length > 27 ? note.slice(0, 26) + '\u2026' : note),
      s('title', {}, n.id + ' \u00b7 ' + phase + ' \u00b7 ' + note)];
    if (n.spec.workflow) {
      parts.push(s('text', {x: NODE_W - 18, y: 18, class: 'tog', onclick: ev => { ev.stopPropagation(); toggleExpand(n.id); }}, '+'));
    }
    return s('g', {class: 'node ph-' + phase + (n.id === S.node ? ' sel' : ''), 'data-node': n.id, 'data-kind': n.spec.kind,
      transform: `translate(${x},${y})`, tabindex: 0, role: 'button', 'aria-label': n.id + ' ' + phase,
      onclick: open, onkeydown: ev => { if (ev.key === 'Enter') open(); }}, parts);
  });
  return h('div', {class: 'canvas'}, s('svg', {id: 'graph', width, height, viewBox: `0 0 ${width} ${height}`},
    boxes, lines, boxesOfNodes));
}

function toggleExpand(id) {
  if (!S.expanded.delete(id)) S.expanded.add(id);
  refresh();
}
