// Building DOM nodes without innerHTML: every value from the API is inserted as text, never parsed as markup.

/**
 * h('button', { type: 'button', onclick }, 'Approve') → an element. Attributes: `class`, `on<event>` (listeners),
 * booleans (true sets, false/null/undefined omits), anything else set as an attribute. Children: nodes, strings,
 * numbers, arrays of them; null/undefined/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A definition list of [term, value] pairs (value: node or text). */
export const facts = (pairs) => h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));

/** A table with a caption; rows are arrays of cells (nodes or text). */
export function table(caption, headers, rows, empty = 'None.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, `${caption}: ${empty}`);
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((th) => h('th', { scope: 'col' }, th)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, cell ?? '—'))))),
  );
}

/** A phase as coloured text (colour is never the only signal: the word is always there). */
export const phase = (value, attrs = {}) => h('span', { class: `phase phase-${value}`, ...attrs }, value ?? '—');

export const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

export function num(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—';
  const text = Number(v).toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Moves focus to the new page's heading so keyboard and screen-reader users land on it. */
export function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    document.title = `${heading.textContent} · Airlock console`;
  }
}
