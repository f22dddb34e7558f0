// Tiny DOM helpers. Everything from user files (column names, cell values, file names) reaches the
// page only as text nodes or attribute values set through the DOM API: never through innerHTML.

/**
 * Create an element. `props`: class, text, and any attribute (aria-*, data-*, for, ...); keys
 * starting with "on" add event listeners; boolean true sets an empty attribute, false/null skips it.
 * Children: nodes, strings (text nodes), arrays, null/undefined/false (skipped).
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key in el && typeof value !== 'string' && key !== 'list') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** A scrollable, keyboard-focusable wrapper for a wide table (no page-level horizontal scroll). */
export function tableWrap(table, label) {
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

/** Build a data table: caption, header row, body rows (cells as text; first cell as row header). */
export function dataTable({ caption, columns, rows, rowHeader = true, className = 'data' }) {
  return h('table', { class: className },
    caption ? h('caption', { text: caption }) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((cell, j) => {
      const content = cell instanceof Node ? cell : (cell === null || cell === undefined ? '' : String(cell));
      return j === 0 && rowHeader ? h('th', { scope: 'row' }, content) : h('td', {}, content);
    })))));
}
