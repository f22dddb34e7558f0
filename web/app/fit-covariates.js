// The Fit flow's covariates for one Cox model: every column that has no role, grouped by modality
// (detect.js modalityGroups), ticked by the guess until the user or an example chooses, with a note
// per column (categorical, text, looks like an outcome, missing values).
import { h, replace, fieldId } from './dom.js';
import { modalityGroups } from './detect.js';
import { ROLE_FIELDS } from './fit-roles.js';
import { clip } from '../lib/errors.js';

export class CovariateStep {
  /** @param {import('./fit.js').FitFlow} flow */
  constructor(flow) {
    this.flow = flow;
    /** @type {Map<string, boolean>} column -> ticked (what the user or an example chose) */
    this.choice = new Map();
    this.el = { groups: /** @type {HTMLElement} */ (document.getElementById('cov-groups')) };
    document.getElementById('cov-all').addEventListener('click', () => this.setAll(true));
    document.getElementById('cov-none').addEventListener('click', () => this.setAll(false));
  }

  /** The columns that can be covariates: no role, not the join column. */
  candidates() {
    const flow = this.flow;
    const used = new Set([flow.roles.time.value, flow.roles.event.value, flow.roles.id.value, flow.roles.strata.value].filter(Boolean));
    if (flow.summary.join) used.add(flow.summary.join.column);
    return flow.summary.columns.filter((c) => !used.has(c.name));
  }

  /** @param {string} name */
  isChecked(name) {
    if (this.choice.has(name)) return this.choice.get(name);
    return this.flow.guess.covariates.includes(name);
  }

  render() {
    const flow = this.flow;
    const candidates = this.candidates();
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const groups = modalityGroups(flow.summary, candidates.map((c) => c.name));
    const outcomeLike = flow.guess.outcomeLike;
    const blocks = groups.map((g) => h('div', { class: 'cov-group' },
      groups.length > 1 ? h('p', { class: 'cov-group-name' }, g.name) : null,
      h('ul', { class: 'cov-list' }, g.columns.map((name) => {
        const c = byName.get(name);
        const id = fieldId('cov', name);
        const errId = fieldId('cov-error', name);
        const box = h('input', { type: 'checkbox', id, checked: this.isChecked(name), 'aria-describedby': `${id}-note ${errId}` });
        box.dataset.column = name;
        box.addEventListener('change', () => {
          this.adopt();
          this.choice.set(name, box.checked);
          flow.fieldError(`cov:${name}`, null);
          this.updateCount();
        });
        let note = '';
        if (c.kind === 'text' && !c.tooManyLevels) {
          // Categorical, as late fusion reads it (web/lib columns.js): the core one-hot encodes it.
          note = 'categorical: one-hot encoded against its most frequent level';
        } else if (c.kind === 'text' || c.nonNumeric) {  // mostly text, or a numeric column with stray text cells
          note = c.firstNonNumericRow
            ? `text, not a number (${c.file ?? ''} row ${c.firstNonNumericRow.row}: “${clip(c.firstNonNumericRow.value)}”)`
            : 'text, not a number';
        } else if (outcomeLike.has(name)) note = 'looks like an outcome column';
        else if (c.missing) note = `${c.missing} missing`;
        return h('li', { class: c.kind === 'text' || c.nonNumeric ? 'cov text' : 'cov' },
          box,
          h('label', { for: id }, name),
          h('span', { class: 'cov-note', id: `${id}-note` }, note),
          h('p', { class: 'field-error', id: errId, 'data-error-for': `cov:${name}`, hidden: true }));
      }))));
    replace(this.el.groups, blocks);
    this.updateCount();
  }

  updateCount() {
    const n = this.selected().length;
    document.getElementById('cov-count').textContent = `${n} selected`;
  }

  /** The selection on screen becomes the user's own (so a reloaded file cannot change it by new guesses). */
  adopt() {
    const flow = this.flow;
    if (!flow.summary) return;
    for (const c of this.candidates()) if (!this.choice.has(c.name)) this.choice.set(c.name, this.isChecked(c.name));
    for (const f of ROLE_FIELDS) flow.roles[f.role].user = true;
  }

  /** The ticked covariates, in column order. */
  selected() {
    if (!this.flow.summary) return [];
    return this.candidates().map((c) => c.name).filter((n) => this.isChecked(n));
  }

  /** @param {boolean} on  tick every numeric column, or untick every column */
  setAll(on) {
    if (!this.flow.summary) return;
    for (const c of this.candidates()) if (!on || c.kind === 'number') this.choice.set(c.name, on);
    this.render();
  }
}
