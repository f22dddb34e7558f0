// The Fit flow's column roles: the outcome kind (late fusion: survival or binary), the follow-up
// time, the event (read flipped when it marks censoring), the binary outcome, the patient ID and the
// strata; guessed from the column names (detect.js) until the user chooses, with the problems the
// column summaries show beside each role before any fit.
// The roles themselves live on the flow (flow.roles, flow.eventCensored), read by every step.
import { h, replace } from './dom.js';
import { looksLikeCensoring } from './detect.js';
import { binaryColumnProblem } from './outcome.js';
import { OUTCOMES } from './fusion-settings.js';
import { clip } from '../lib/errors.js';
import { EVENT_CODING_RULE } from '../lib/columns.js';

/**
 * The role pickers, in page order. `outcome`: shown for that outcome kind only; `fusion`: late
 * fusion only; `cox`: one Cox model only; `optional`: may be left empty.
 */
export const ROLE_FIELDS = [
  { role: 'time', label: 'Follow-up time', help: 'Time from entry to the event or to censoring (a number ≥ 0, any unit).', optional: false, outcome: 'survival' },
  { role: 'event', label: 'Event', help: `${EVENT_CODING_RULE}.`, optional: false, outcome: 'survival' },
  // Late fusion with a binary outcome only (fusion-settings.js OUTCOMES).
  { role: 'outcome', label: 'Outcome column (0/1)', help: '1 = case (the outcome happened), 0 = control; TRUE/FALSE or yes/no also work. Every patient needs a value.', optional: false, outcome: 'binary', fusion: true },
  { role: 'id', label: 'Patient ID (optional)', help: 'Labels the per-patient scores download; never used as a predictor.', optional: true },
  { role: 'strata', label: 'Strata (optional)', help: 'A separate baseline hazard for each group (e.g. centre); no coefficient is estimated for it.', optional: true, cox: true },
];

/** @typedef {{value: string, user: boolean}} Choice  a value and whether the user chose it (else it is a guess) */

/** Every role empty and not chosen. @returns {Record<string, Choice>} */
export const emptyRoles = () => Object.fromEntries(ROLE_FIELDS.map((f) => [f.role, { value: '', user: false }]));

export class RoleStep {
  /** @param {import('./fit.js').FitFlow} flow */
  constructor(flow) {
    this.flow = flow;
    this.el = { roles: /** @type {HTMLElement} */ (document.getElementById('roles')) };
  }

  /**
   * New guesses after the data changed: each role the user has not chosen (or whose column is gone)
   * takes the guess; with several files the ID defaults to the join column.
   * @param {number} files  how many files are loaded
   */
  adoptGuesses(files) {
    const flow = this.flow;
    const header = new Set(flow.summary.header);
    for (const f of ROLE_FIELDS) {
      const r = flow.roles[f.role];
      if (r.user && (r.value === '' || header.has(r.value))) continue;
      r.value = f.role === 'strata' ? '' : (flow.guess[f.role] ?? '');
      if (f.role === 'id' && files > 1 && !r.value) r.value = flow.join.value;
      r.user = false;
      if (f.role === 'event') flow.eventCensored = Boolean(flow.guess.eventCensored);
    }
  }

  /** Draw the outcome choice and the role pickers, then the steps that depend on the roles. */
  render() {
    const flow = this.flow;
    const s = flow.summary;
    const fields = ROLE_FIELDS.map((f) => {
      const id = `role-${f.role}`;
      const select = h('select', { id, 'aria-describedby': `${id}-help ${id}-error` },
        h('option', { value: '' }, f.optional ? '(none)' : '— choose —'),
        s.header.map((n) => h('option', { value: n }, n)));
      select.value = flow.roles[f.role].value;
      const guessed = !flow.roles[f.role].user && flow.roles[f.role].value ? h('span', { class: 'guess' }, 'guessed') : null;
      select.addEventListener('change', () => {
        flow.roles[f.role] = { value: select.value, user: true };
        // A column named as a censoring indicator is read the other way round unless the user says otherwise.
        if (f.role === 'event') this.setEventCensored(looksLikeCensoring(select.value));
        guessed?.remove();  // the user's choice now, not a guess
        flow.fieldError(f.role, null);
        flow.covariates.render();
        this.check();
        flow.fusion.refresh();
        flow.fusion.markStale();
        if (flow.mode.value === 'fusion') flow.enqueue(() => flow.fusion.check());
      });
      return h('div', { class: f.cox ? 'field cox-only' : 'field', 'data-outcome': f.outcome },
        h('label', { for: id }, f.label, guessed),
        select,
        f.role === 'event' ? this.eventDirection() : null,
        h('p', { class: 'help', id: `${id}-help` }, f.help),
        h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': f.role, hidden: true }));
    });
    replace(this.el.roles, this.outcomeChoice(), fields);
  }

  /**
   * The control beside the event column: it marks censoring (1 = censored), so the event is read as
   * 1 - its value (columns.js eventColumn `censored`, as `latefuse --censored`), with a sentence
   * saying so whenever it is ticked.
   */
  eventDirection() {
    const flow = this.flow;
    const box = h('input', { type: 'checkbox', id: 'role-event-censored', checked: flow.eventCensored, 'aria-describedby': 'role-event-direction' });
    box.addEventListener('change', () => {
      this.setEventCensored(box.checked);
      flow.fusion.markStale();
      if (flow.mode.value === 'fusion') flow.enqueue(() => flow.fusion.check());
    });
    return h('div', { class: 'event-direction' },
      h('label', { class: 'check', for: 'role-event-censored' }, box, ' This column marks censoring (1 = censored, 0 = event)'),
      h('p', { class: 'hint', id: 'role-event-direction', 'aria-live': 'polite' }, this.eventDirectionText()));
  }

  eventDirectionText() {
    const name = this.flow.roles.event.value;
    return this.flow.eventCensored && name ? `“${name}” is read as a censoring indicator: the event is 1 − ${name}.` : '';
  }

  /** @param {boolean} value */
  setEventCensored(value) {
    this.flow.eventCensored = value;
    const box = /** @type {HTMLInputElement|null} */ (document.getElementById('role-event-censored'));
    if (box) box.checked = value;
    const note = document.getElementById('role-event-direction');
    if (note) note.textContent = this.eventDirectionText();
  }

  /** Problems visible from the column summaries alone, shown beside the role before any fit. */
  check() {
    const flow = this.flow;
    const col = (name) => flow.summary.columns.find((c) => c.name === name);
    const where = (c) => (c.firstNonNumericRow ? ` (${c.file ?? ''} row ${c.firstNonNumericRow.row}: “${clip(c.firstNonNumericRow.value)}”)` : '');
    const time = flow.roles.time.value && col(flow.roles.time.value);
    if (time) {
      if (time.kind === 'text' || time.nonNumeric) flow.fieldError('time', `“${time.name}” has text, not numbers${where(time)}; choose the follow-up time column or fix the file.`);
      else if (!time.nonNegative) flow.fieldError('time', `“${time.name}” has negative values; survival times must be ≥ 0.`);
    }
    const event = flow.roles.event.value && col(flow.roles.event.value);
    if (event && event.levels === null) {
      flow.fieldError('event', `“${event.name}” has many different values; the event column holds 1/0 (or TRUE/FALSE, or 2/1).`);
    }
    const outcome = flow.roles.outcome.value && col(flow.roles.outcome.value);
    const problem = binaryColumnProblem(outcome);
    if (problem) flow.fieldError('outcome', `${problem} Choose the outcome column or fix the file.`);
  }

  /** Show the column pickers of the outcome kind (late fusion: survival or binary; one Cox model: survival). */
  applyOutcome() {
    const flow = this.flow;
    const fusion = flow.mode.value === 'fusion';
    const kind = fusion ? flow.fusion.settings.outcome : 'survival';
    for (const el of this.el.roles.querySelectorAll('[data-outcome]')) /** @type {HTMLElement} */ (el).hidden = /** @type {HTMLElement} */ (el).dataset.outcome !== kind;
    const choice = document.getElementById('outcome-choice');
    if (choice) {
      choice.hidden = !fusion;
      for (const radio of choice.querySelectorAll('input')) radio.checked = radio.value === flow.fusion.settings.outcome;
      document.getElementById('outcome-help').textContent = OUTCOMES[flow.fusion.settings.outcome].help;
    }
  }

  /** The Outcome choice of late fusion (drawn from OUTCOMES). */
  outcomeChoice() {
    const flow = this.flow;
    const radios = Object.entries(OUTCOMES).map(([kind, o]) => {
      const id = `outcome-${kind}`;
      const input = h('input', { type: 'radio', name: 'outcome-kind', id, value: kind, checked: flow.fusion.settings.outcome === kind });
      input.addEventListener('change', () => {
        if (!input.checked) return;
        this.adopt();
        flow.fusion.settings.outcome = kind;
        flow.fusion.outcomeUser = true;
        this.applyOutcome();
        this.check();
        flow.fusion.refresh();
        flow.fusion.markStale();
        this.flow.announce(`Outcome: ${o.label.toLowerCase()} (${o.detail}).`);
        flow.enqueue(() => flow.fusion.check());
      });
      return h('div', { class: 'check' }, input, h('label', { for: id }, o.label, ' ', h('span', { class: 'count' }, `(${o.detail})`)));
    });
    return h('fieldset', { class: 'field wide outcome-choice', id: 'outcome-choice', 'aria-describedby': 'outcome-help' },
      h('legend', {}, 'Outcome'),
      h('div', { class: 'choice-row' }, radios),
      h('p', { class: 'help', id: 'outcome-help' }, OUTCOMES[flow.fusion.settings.outcome].help));
  }

  /** The roles on screen become the user's (a reloaded file cannot change them by new guesses). */
  adopt() {
    const flow = this.flow;
    if (!flow.summary) return;
    for (const f of ROLE_FIELDS) flow.roles[f.role].user = true;
    if (flow.join.value) flow.join.user = true;
    if (flow.mode.value) flow.mode.user = true;
    // The outcome kind on screen is the user's too: a reloaded (e.g. broken) file cannot flip it.
    flow.fusion.outcomeUser = true;
  }
}
