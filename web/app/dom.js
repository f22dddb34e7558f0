// Tiny DOM helpers. Everything from user files (column names, cell values, file names) reaches the
// page only as text nodes or attribute values set through the DOM API: never through innerHTML.

/**
 * Create an element. `props`: class, text, and any attribute (aria-*, data-*, for, ...); keys
 * starting with "on" add event listeners; boolean true sets an empty attribute, false/null skips it.
 * Children: nodes, strings (text nodes), arrays, null/undefined/false (skipped).
 * The element's type follows the tag ('input' gives an HTMLInputElement, 'svg:line' an SVGLineElement),
 * so callers read `.value`/`.checked` without casts.
 * @template {string} K
 * @param {K} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children
 * @returns {ElementOf<K>}
 */
export function h(tag, props = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', String(value));
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key in el && typeof value !== 'string' && key !== 'list') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return /** @type {ElementOf<K>} */ (el);
}

/**
 * @template {string} K
 * @typedef {K extends `svg:${infer S}` ? (S extends keyof SVGElementTagNameMap ? SVGElementTagNameMap[S] : SVGElement)
 *   : K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement} ElementOf
 */

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

/**
 * Files chosen with a file input or dropped on its zone (the zone is marked `.over` while a file is
 * dragged over it): `onFiles` gets the non-empty list. The input is cleared so that choosing the
 * same file again reads it again.
 * @param {HTMLInputElement} input
 * @param {HTMLElement} zone
 * @param {(files: File[]) => void} onFiles
 */
export function acceptFiles(input, zone, onFiles) {
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) onFiles(files);
  });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

/**
 * An element id made from a user's name (a column, file or modality): `prefix-name` with every
 * character outside [A-Za-z0-9_-] written as `_<hex code point>`, so distinct names give distinct ids.
 * @param {string} prefix
 * @param {string} name
 */
export const fieldId = (prefix, name) => `${prefix}-${Array.from(name, (ch) => (/[A-Za-z0-9_-]/.test(ch) ? ch : `_${ch.codePointAt(0).toString(16)}`)).join('')}`;

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
