// The launch form, generated from the target's interface (the iface route): one
// typed field per input, required ones marked, defaults (or, for a relaunch, the execution's
// values) filled in; lists, dicts, json and unions as JSON editors checked before sending.
const KINDS = {launch_plan: 'launch_plans', workflow: 'workflows', task: 'tasks'};

// The field of one input: its element, and read() giving {value} or {error} ({} when empty).
function field(v, initial) {
  const type = v.type.replace(/^optional\[(.*)\]$/, '$1');
  const has = initial !== undefined && initial !== null;
  let el, read;
  const text = (el, parse) => () => {
    const raw = el.value.trim();
    return raw === '' ? {} : parse(raw);
  };
  if (type === 'bool') {
    el = h('select', {}, h('option', {value: ''}, '(unset)'), h('option', {value: 'true'}, 'true'), h('option', {value: 'false'}, 'false'));
    el.value = has ? String(initial) : '';
    read = () => el.value === '' ? {} : {value: el.value === 'true'};
  } else if (/^enum\[/.test(type)) {
    const symbols = type.slice(5, -1).split(',').map(x => x.trim());
    el = h('select', {}, h('option', {value: ''}, '(unset)'), symbols.map(x => h('option', {value: x}, x)));
    el.value = has ? String(initial) : '';
    read = () => el.value === '' ? {} : {value: el.value};
  } else if (type === 'int' || type === 'float') {
    el = h('input', {type: 'number', step: type === 'int' ? '1' : 'any', value: has ? initial : ''});
    read = text(el, raw => {
      const n = Number(raw);
      if (!Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) return {error: 'not ' + (type === 'int' ? 'an integer' : 'a number')};
      return {value: n};
    });
  } else if (type === 'datetime') {
    el = h('input', {type: 'datetime-local', step: '1', value: has ? String(initial).replace(/Z$/, '').slice(0, 19) : ''});
    read = text(el, raw => ({value: raw.length === 16 ? raw + ':00Z' : raw + 'Z'}));
  } else if (type === 'duration') {
    el = h('input', {value: has ? initial : '', placeholder: '1h30m, 90s, 250ms'});
    read = text(el, raw => /^-?(\d+(\.\d+)?(ns|us|ms|s|m|h|d))+$/.test(raw) ? {value: raw} : {error: 'not a duration like 1h30m or 90s'});
  } else if (type === 'str' || type === 'file' || type === 'dir') {
    el = h('input', {value: has ? initial : '', placeholder: type === 'str' ? '' : 'path or URI'});
    read = () => el.value === '' && !has ? {} : {value: el.value};
  } else {
    el = h('textarea', {rows: 3, spellcheck: 'false', placeholder: type.startsWith('list') ? '[1, 2, 3]' : '{"key": "value"}'}, has ? JSON.stringify(initial, null, 1) : '');
    // A union that takes str reads text that is not JSON as that string ("all" for union[int, str]).
    const takesStr = /^union\[/.test(type) && /\bstr\b/.test(type);
    read = text(el, raw => {
      try { return {value: JSON.parse(raw)}; } catch (err) { return takesStr ? {value: raw} : {error: 'not JSON: ' + err.message}; }
    });
  }
  el.setAttribute('name', v.name);
  el.setAttribute('id', 'in-' + v.name);
  el.setAttribute('data-type', v.type);
  if (v.required) el.setAttribute('required', '');
  return {el, read};
}

// kind: launch_plan, workflow or task; from: the execution a relaunch starts from (or null),
// whose version is launched again.
async function launchPage(kind, name, from, version) {
  const panel = $('detail');
  let iface, data = null;
  try {
    iface = await call('iface', {project: S.project, domain: S.domain, resource: KINDS[kind], name}, version ? {query: {version}} : {});
    if (from) data = await call('data', execKey(from));
  } catch (err) {
    panel.replaceChildren(h('p', {class: 'err'}, err.message));
    return;
  }
  const initial = data ? data.inputs || {} : {};
  const fields = iface.inputs.map(v => Object.assign({v}, field(v, v.name in initial ? initial[v.name] : v.default)));
  const errors = new Map(fields.map(f => [f.v.name, h('span', {class: 'err', 'data-error': f.v.name})]));
  const status = h('p', {id: 'launchstatus', role: 'status'});
  const submit = async ev => {
    ev.preventDefault();
    const inputs = {};
    let bad = 0;
    for (const f of fields) {
      const r = f.read(), err = errors.get(f.v.name);
      err.textContent = r.error || (!('value' in r) && f.v.required ? 'required' : '');
      if (err.textContent) bad++;
      else if ('value' in r) inputs[f.v.name] = r.value;
    }
    if (bad) {
      status.textContent = bad + (bad === 1 ? ' input needs' : ' inputs need') + ' a valid value.';
      status.className = 'err';
      const first = fields.find(f => errors.get(f.v.name).textContent);
      first.el.focus();
      return;
    }
    try {
      const target = {name};
      if (from || kind !== 'launch_plan') target.version = iface.id.version;
      const r = await call('create', {}, {body: {project: S.project, domain: S.domain, [kind]: target, inputs}});
      toast('Started ' + r.id.name);
      go(execHash(r.id.name));
    } catch (err) {
      status.textContent = err.message;
      status.className = 'err';
    }
  };
  const fixed = Object.entries(iface.fixed_inputs || {});
  panel.replaceChildren(h('div', {class: 'main'},
    h('h2', {}, (from ? 'Relaunch ' + from + ' as ' : 'Launch ') + kind.replace('_', ' ') + ' ' + name),
    h('p', {class: 'mute'}, 'version ' + iface.id.version + (iface.workflow ? ' \u00b7 runs workflow ' + iface.workflow : '')),
    h('form', {id: 'launchform', novalidate: true, onsubmit: submit},
      fields.length ? h('div', {class: 'fields'}, fields.map(f => h('div', {class: 'field'},
        h('label', {for: 'in-' + f.v.name}, f.v.name, f.v.required ? h('abbr', {class: 'req', title: 'required'}, ' *') : '',
          h('span', {class: 'mute'}, ' ' + f.v.type)),
        f.el, f.v.description ? h('div', {class: 'mute'}, f.v.description) : '', errors.get(f.v.name))))
        : h('p', {class: 'mute'}, 'This target takes no inputs.'),
      fixed.length ? h('p', {class: 'mute'}, 'Fixed by the launch plan: ' + fixed.map(([k, v]) => k + ' = ' + JSON.stringify(v)).join(', ')) : '',
      h('div', {class: 'bar'}, h('button', {class: 'act primary', type: 'submit'}, 'Launch'),
        h('button', {class: 'act', type: 'button', onclick: () => history.back()}, 'Cancel')),
      status)));
  const first = fields[0];
  if (first) first.el.focus();
}
