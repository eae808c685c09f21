// Small helpers to build the pages' elements from code (no HTML strings: nothing from the API is
// ever parsed as markup).

/** An element: h('td', {class: 'x'}, 'text', otherElement). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
  return element;
}

/** A labelled field: the label, the control and the place for its error. */
export function field(label, control, hint) {
  const id = control.id || `f-${(control.name || label).replace(/[^A-Za-z0-9]+/g, '-')}`;
  control.id = id;
  const error = h('p', { class: 'field-error', 'data-error-for': id, 'aria-live': 'polite' });
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    return h('div', { class: 'field' }, h('label', { for: id }, label), control, h('p', { class: 'hint', id: hintId }, hint), error);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, error);
}

/** A table with a header row; rows are arrays of cells (text or elements). */
export function table(caption, headers, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, cell)))))));
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A readings' metrics as "temperature=21.5 °C, humidity=48". */
export function metrics(readings) {
  return (readings || []).map((r) => Object.entries(r.metrics || {})
    .map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : value}`
      + (r.units && r.units[name] ? ` ${r.units[name]}` : ''))
    .join(', ')).join(' | ');
}

/** Replaces what a container shows. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** A <select> of the organization's integrations (value = id). */
export function integrationSelect(integrations, name = 'integrationId', withAll = false) {
  const options = integrations.map((i) => h('option', { value: i.id }, i.name));
  if (withAll) {
    options.unshift(h('option', { value: '' }, 'all integrations'));
  }
  return h('select', { name }, options);
}
