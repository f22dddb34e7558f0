// The "Modalities" step of late fusion: which columns form which modality. Every guess (detect.js
// guessModalities: by file, or by column prefix) is editable: rename a modality, move a column to
// another modality or leave it out (a select per column, keyboard operable), add or remove a
// modality. What the user set is kept by modality id (`file:<name>`, `prefix:<p>`, `user:<n>`) and
// column name, so it survives loading a corrected file again. Problems (a modality without columns,
// two modalities with one name, a name the CLI cannot take) are shown beside the modality.
// User strings reach the DOM as text only (dom.js h()).
import { h, replace, fieldId } from './dom.js';
import { guessModalities, defaultExclusion, tooManyLevels, looksLikeDecimalComma } from './detect.js';

export const EXCLUDED = '';
const OPEN_LIMIT = 12;

/** Problems of a modality name (the engine and `latefuse fuse --modality NAME=...` take it). */
export function nameProblem(name) {
  if (name.trim() === '') return 'Give the modality a name.';
  if (/[+=,]/.test(name)) return 'A name cannot contain “+”, “=” or “,” (they separate modalities in patterns and in the command line).';
  if (name.length > 60) return 'Keep the name under 60 characters.';
  return null;
}

export class ModalityEditor {
  /**
   * @param {HTMLElement} box
   * @param {{onChange: (message: string) => void}} options  called after every edit (results become stale), with the status message
   */
  constructor(box, { onChange }) {
    this.box = box;
    this.onChange = onChange;
    this.reset();
  }

  /** Forget every choice (new data, not a reload of the same file). */
  reset() {
    this.names = new Map();      // id -> name the user gave
    this.choice = new Map();     // column -> modality id or EXCLUDED (the user's)
    this.removed = new Set();    // guessed ids the user removed
    this.added = [];             // [{id, name}] user-made modalities, in order
    this.open = new Map();       // id -> details open (remembered across redraws)
    this.nextUser = 1;
    this.guess = [];
    this.columns = [];
    this.info = new Map();
    this.excludedWhy = new Map();
    this.presetOnly = false;
  }

  /** Set the state wholesale (an example's modalities). */
  preset(groups) {
    this.reset();
    this.presetOnly = true;
    for (const g of groups) {
      const id = `user:${this.nextUser++}`;
      this.added.push({ id, name: g.name, preset: true });
      for (const c of g.columns) this.choice.set(c, id);
    }
  }

  /**
   * New candidate columns (after the data or the roles changed).
   * @param {object} summary dataset summary
   * @param {Array<object>} columns candidate column summaries (not ID/outcome/split)
   * @param {{outcomeLike: Set<string>}} guess detect.js guessRoles
   */
  update(summary, columns, guess) {
    this.columns = columns.map((c) => c.name);
    this.info = new Map(columns.map((c) => [c.name, c]));
    this.excludedWhy = new Map(columns.map((c) => /** @type {[string, string]} */ ([c.name, defaultExclusion(c, guess)])).filter(([, why]) => why));
    const usable = this.columns.filter((c) => !this.excludedWhy.has(c));
    // An example states its modalities; columns it does not name are left out.
    this.guess = this.presetOnly ? [] : guessModalities(summary, usable);
  }

  /** Modalities on screen, in order: guessed (not removed), then the user's. */
  list() {
    const out = [];
    for (const g of this.guess) if (!this.removed.has(g.id)) out.push({ id: g.id, name: this.names.get(g.id) ?? g.name, guessed: true });
    for (const a of this.added) out.push({ id: a.id, name: this.names.get(a.id) ?? a.name, guessed: false, preset: !!a.preset });
    return out;
  }

  /** The modality id of a column (or EXCLUDED). */
  assignment(column) {
    const ids = new Set(this.list().map((m) => m.id));
    if (this.choice.has(column)) {
      const c = this.choice.get(column);
      if (c === EXCLUDED || ids.has(c)) return c;
    }
    if (this.excludedWhy.has(column)) return EXCLUDED;
    const g = this.guess.find((x) => x.columns.includes(column));
    return g && !this.removed.has(g.id) ? g.id : EXCLUDED;
  }

  /** {id, name, columns}[] with the columns of each modality (file order). */
  groups() {
    const byId = new Map(this.list().map((m) => [m.id, { ...m, columns: [] }]));
    for (const c of this.columns) {
      const a = this.assignment(c);
      if (a !== EXCLUDED) byId.get(a)?.columns.push(c);
    }
    return [...byId.values()];
  }

  excluded() {
    return this.columns.filter((c) => this.assignment(c) === EXCLUDED);
  }

  /** Problems by modality id: {id: message}. */
  problems() {
    const out = {};
    const groups = this.groups();
    const seen = new Map();
    for (const g of groups) {
      const p = nameProblem(g.name);
      if (p) { out[g.id] = p; continue; }
      const key = g.name.trim();
      if (seen.has(key)) { out[g.id] = `Another modality is also called “${key}”; give each modality its own name.`; continue; }
      seen.set(key, g.id);
      if (g.columns.length === 0) { out[g.id] = 'No columns: move columns into this modality (with the selects) or remove it.'; continue; }
      // A text column with too many different values cannot be categories (the fit would one-hot
      // encode hundreds of levels): refused here, with the likely cause when it is one.
      const bad = g.columns.map((c) => this.info.get(c)).find((c) => c && tooManyLevels(c));
      if (bad) {
        out[g.id] = `“${bad.name}” is text with ${bad.tooManyLevels}; leave it out` +
          (looksLikeDecimalComma(bad) ? ` — its values look like numbers with a decimal comma (“${bad.firstNonNumericRow.value}”): choose “decimal comma” beside its file.` : '.');
      }
    }
    return out;
  }

  /** The engine's {name: [columns]} (checked: no problems). */
  spec() {
    return Object.fromEntries(this.groups().map((g) => [g.name.trim(), g.columns]));
  }

  /** The user made the current assignment their own (a reload cannot change it by new guesses). */
  adopt() {
    for (const c of this.columns) if (!this.choice.has(c)) this.choice.set(c, this.assignment(c));
  }

  move(column, id) {
    this.adopt();
    this.choice.set(column, id);
    this.changed(`“${column}” ${id === EXCLUDED ? 'left out' : `moved to ${this.list().find((m) => m.id === id)?.name ?? id}`}.`, fieldId('mod-col', column));
  }

  rename(id, name) {
    this.names.set(id, name);
    this.changed(null, fieldId('mod-name', id));
  }

  add() {
    this.adopt();
    const id = `user:${this.nextUser++}`;
    let k = this.added.length + this.guess.length + 1;
    const taken = new Set(this.list().map((m) => m.name));
    while (taken.has(`modality ${k}`)) k++;
    this.added.push({ id, name: `modality ${k}` });
    this.open.set(id, true);
    this.changed(`Modality “modality ${k}” added: choose its columns with the selects.`, fieldId('mod-name', id));
  }

  remove(id) {
    this.adopt();
    const name = this.list().find((m) => m.id === id)?.name ?? id;
    for (const c of this.columns) if (this.choice.get(c) === id) this.choice.set(c, EXCLUDED);
    if (this.added.some((a) => a.id === id)) this.added = this.added.filter((a) => a.id !== id);
    else this.removed.add(id);
    this.changed(`Modality “${name}” removed; its columns are left out.`, 'mod-add');
  }

  /**
   * @param {string} message
   * @param {string} [focusId]
   */
  changed(message, focusId) {
    this.render();
    if (focusId) document.getElementById(focusId)?.focus();
    this.onChange(message);
  }

  columnNote(name) {
    const c = this.info.get(name);
    if (!c) return '';
    const parts = [];
    if (c.kind === 'text') parts.push(c.levels ? `text: ${c.levels.length} categories` : `text: ${c.distinct ?? 'many'} categories`);
    else parts.push('number');
    if (c.missing) parts.push(`${c.missing} missing`);
    const why = this.excludedWhy.get(name);
    if (why && this.assignment(name) === EXCLUDED) parts.push(why);
    return parts.join(', ');
  }

  /** One modality (or the left-out columns) with a select per column. */
  block(m, columns, problems) {
    const list = this.list();
    const options = [...list.map((x) => [x.id, x.name.trim() || '(unnamed)']), [EXCLUDED, '— leave out —']];
    const rows = columns.map((name) => {
      const id = fieldId('mod-col', name);
      const select = h('select', { id, 'aria-label': `Modality of the column ${name}`, 'data-column': name },
        options.map(([v, text]) => h('option', { value: v }, text)));
      select.value = this.assignment(name);
      select.addEventListener('change', () => this.move(name, select.value));
      return h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'col-note' }, this.columnNote(name)), h('td', {}, select));
    });
    const table = columns.length
      ? h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': m ? `Columns of ${m.name}` : 'Columns left out' },
        h('table', { class: 'data modality-columns' },
          h('caption', { class: 'visually-hidden' }, m ? `Columns of the modality ${m.name}` : 'Columns left out of every modality'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Modality'))),
          h('tbody', {}, rows)))
      : h('p', { class: 'hint' }, m ? 'No columns yet.' : 'None.');
    const preview = columns.length ? `${columns.slice(0, 3).join(', ')}${columns.length > 3 ? `, … (${columns.length})` : ''}` : 'no columns';
    const key = m ? m.id : '__excluded';
    const details = h('details', { class: 'modality-columns-box', open: this.open.has(key) ? this.open.get(key) : columns.length <= OPEN_LIMIT },
      h('summary', {}, `${columns.length} column${columns.length === 1 ? '' : 's'}: `, h('span', { class: 'col-preview' }, preview)),
      table);
    details.addEventListener('toggle', () => this.open.set(key, details.open));
    if (!m) {
      return h('section', { class: 'modality excluded', 'aria-labelledby': 'mod-excluded-h' },
        h('h4', { id: 'mod-excluded-h' }, 'Left out'), details);
    }
    const nameId = fieldId('mod-name', m.id);
    const errId = fieldId('mod-error', m.id);
    const origin = m.id.startsWith('file:') ? `from ${m.id.slice(5)}` : m.id.startsWith('prefix:') ? `columns ${m.id.slice(7)}_…` : null;
    // Several name boxes sit on the page: each one's accessible name says which modality it names.
    const input = h('input', {
      type: 'text', id: nameId, value: m.name, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': errId, 'data-modality': m.id,
      'aria-label': `Name of the modality ${m.name.trim() ? `“${m.name.trim()}”` : '(empty)'}${origin ? `, ${origin}` : ''}`,
    });
    if (problems[m.id]) input.setAttribute('aria-invalid', 'true');
    input.addEventListener('change', () => this.rename(m.id, input.value));
    return h('section', { class: problems[m.id] ? 'modality has-error' : 'modality', 'data-modality': m.id },
      h('div', { class: 'modality-head' },
        h('label', { for: nameId }, 'Modality'),
        input,
        h('span', { class: 'count' }, m.guessed ? (origin ?? 'guessed') : m.preset ? 'example' : 'yours'),
        h('button', { type: 'button', class: 'small ghost', 'aria-label': `Remove the modality ${m.name}`, onclick: () => this.remove(m.id) }, 'Remove')),
      h('p', { class: 'field-error', id: errId, 'data-error-for': `modality:${m.name.trim()}`, hidden: !problems[m.id] }, problems[m.id] ?? ''),
      details);
  }

  render() {
    const problems = this.problems();
    const groups = this.groups();
    replace(this.box,
      groups.map((g) => this.block(g, g.columns, problems)),
      this.block(null, this.excluded(), problems),
      h('div', { class: 'cov-actions' }, h('button', { type: 'button', class: 'small', id: 'mod-add', onclick: () => this.add() }, 'Add a modality')));
    return problems;
  }

  /** Show an error from the worker beside the modality it names; false when no such modality. */
  showError(name, message) {
    const g = this.groups().find((x) => x.name.trim() === name);
    if (!g) return false;
    const el = document.getElementById(fieldId('mod-error', g.id));
    if (!el) return false;
    el.textContent = message;
    el.hidden = false;
    const input = document.getElementById(fieldId('mod-name', g.id));
    input?.setAttribute('aria-invalid', 'true');
    return input ?? true;
  }
}
