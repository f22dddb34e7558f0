// The Score tab's batch scoring: one or more CSV/TSV files (joined on a patient ID column, as
// `latefuse score --data F --data G --id COL`) -> a predictions table (paged) -> the predictions
// CSV, byte for byte the file `latefuse score` writes for the same files (made by web/lib
// predictionsCsv in the worker, as `latefuse score --skip-unscorable`). Patients with no modality, or
// with a feature cell that is not a number, cannot be scored: the others are, and these are listed
// by ID with the reason and marked "not scored" in the CSV (one bad cell does not reject the batch).
// A binary model's predictions show the probability of the outcome instead of HR and S(t) (its CSV
// is `latefuse score`'s binary layout: id, pattern, scores, fused_lp, risk_group, probability, ...).
// Also the GBSG example: the bundled GBSG file prepared for the Rotterdam model, scored with it.
import { h, replace, $, dataTable, tableWrap, acceptFiles } from './dom.js';
import { finite, fixed, sig, count } from './format.js';
import { timeText } from './charts.js';
import { saveText } from './download.js';
import { CancelledError } from '../lib/errors.js';

const PAGE_SIZE = 25;
const NO_ID = '';   // "number the rows" (one file without an ID column)
const num = (x, digits = 3) => h('span', { 'data-value': finite(x) ? String(x) : '' }, fixed(x, digits));
const patternText = (p) => String(p).split('+').join(' + ');

/** Unscorable patients grouped by reason, in the order the reasons first appear. */
function unscorableGroups(list) {
  const groups = new Map();
  for (const u of list) {
    if (!groups.has(u.reason)) groups.set(u.reason, []);
    groups.get(u.reason).push(u.id);
  }
  return [...groups].map(([reason, ids]) => ({ reason, ids }));
}

export class BatchScorer {
  constructor({ tab }) {
    this.tab = tab;
    this.entry = null;
    this.files = [];        // [{name, file?, text?, header, rowCount}]
    this.result = null;     // {csv, predictions, unscorable, patterns, modelKey, summary}
    this.results = new Map(); // model key -> its last result (for the current files)
    this.page = 0;
    this.idChoice = null;
    this.el = {
      input: $('#score-batch-files'), drop: $('#score-batch-drop'), list: $('#score-batch-list'), idRow: $('#score-batch-id-row'),
      id: $('#score-batch-id'), button: $('#btn-score-batch'), error: $('#score-batch-error'), result: $('#score-batch-result'),
    };
    acceptFiles(this.el.input, this.el.drop, (files) => this.addFiles(files.map((f) => ({ name: f.name, file: f }))));
    this.el.id.addEventListener('change', () => { this.idChoice = this.el.id.value; });
    this.el.button.addEventListener('click', () => this.score());
    $('#btn-score-gbsg').addEventListener('click', () => this.gbsgExample());
  }

  setModel(entry) {
    this.entry = entry;
    // Results belong to the model that made them: each model's last result comes back with it.
    if (this.result?.modelKey !== entry.key || this.result?.summary !== entry.summary) {
      const kept = this.results.get(entry.key);
      this.result = kept && kept.summary === entry.summary ? kept : null;
      if (this.result) this.render();
      else replace(this.el.result);
    }
    this.updateButton();
  }

  showError(message) {
    this.el.error.hidden = !message;
    this.el.error.textContent = message ?? '';
    if (message) this.tab.announce(message);
  }

  updateButton() {
    this.el.button.disabled = !this.entry || this.files.length === 0;
  }

  /** Replace the patient files (a new choice replaces the old one, like `--data` on a new command). */
  async addFiles(files, { replaceAll = true } = {}) {
    this.showError(null);
    const list = replaceAll ? files : [...this.files, ...files];
    try {
      const { files: info } = await this.tab.run('scoreInspect', { files: list.map(({ name, file, text }) => ({ name, file, text })) }, 'Reading the patient files');
      this.files = list.map((f, k) => ({ ...f, header: info[k].header, rowCount: info[k].rowCount }));
      this.result = null;
      this.results.clear();
      replace(this.el.result);
    } catch (error) {
      this.showError(error instanceof CancelledError ? 'Reading the files was cancelled.' : error.message);
      return false;
    }
    this.renderFiles();
    this.updateButton();
    return true;
  }

  removeFile(k) {
    this.files.splice(k, 1);
    this.results.clear();
    this.result = null;
    replace(this.el.result);
    this.renderFiles();
    this.updateButton();
  }

  renderFiles() {
    const { list, idRow, id } = this.el;
    list.hidden = this.files.length === 0;
    replace(list, this.files.map((f, k) => h('li', { class: 'file' },
      h('span', { class: 'file-name' }, f.name),
      h('span', { class: 'file-meta' }, `${count(f.rowCount)} rows, ${count(f.header.length)} columns`),
      h('button', { type: 'button', class: 'small ghost', 'aria-label': `Remove ${f.name}`, onclick: () => this.removeFile(k) }, 'Remove'))));
    // ID column: a column every file has; with one file, also "number the rows".
    const common = this.files.length ? this.files[0].header.filter((c) => this.files.every((f) => f.header.includes(c))) : [];
    idRow.hidden = this.files.length === 0;
    const options = [];
    if (this.files.length === 1) options.push(h('option', { value: NO_ID }, 'none — number the rows 1, 2, …'));
    for (const c of common) options.push(h('option', { value: c }, c));
    replace(id, options);
    const guess = [this.idChoice, 'id', 'pid', 'patient', 'patient_id', 'ID'].find((c) => c !== null && c !== undefined && (c === NO_ID ? this.files.length === 1 : common.includes(c)))
      ?? common.find((c) => /(^|_)id$/i.test(c)) ?? (this.files.length === 1 ? NO_ID : common[0]);
    if (guess !== undefined) id.value = guess;
    if (this.files.length > 1 && common.length === 0) this.showError('These files share no column to join them on: every file needs the same patient ID column.');
  }

  async score() {
    if (!this.entry || !this.files.length) return;
    this.showError(null);
    const idColumn = this.el.id.value;
    const entry = this.entry;
    try {
      const out = await this.tab.run('scoreBatch', {
        model: entry.text,
        files: this.files.map(({ name, file, text }) => ({ name, file, text })),
        idColumn,
        idRequired: idColumn !== NO_ID,
      }, 'Scoring the patients');
      if (this.entry !== entry) return;
      this.result = { ...out, modelKey: entry.key, modelTitle: entry.title, idColumn, summary: entry.summary };
      this.results.set(entry.key, this.result);
      this.page = 0;
      this.render();
      this.tab.announce(this.summaryText());
      this.el.result.focus();
    } catch (error) {
      this.showError(error instanceof CancelledError ? 'Scoring was cancelled.' : `The patients could not be scored: ${error.message}`);
    }
  }

  /** The GBSG example: the Rotterdam model and the bundled GBSG file prepared for it, scored. */
  async gbsgExample() {
    this.showError(null);
    await this.tab.track(async () => {
      await this.tab.select('rotterdam');
      if (this.tab.selected !== 'rotterdam') {
        this.showError('The Rotterdam model could not be loaded.');
        return;
      }
      let text;
      try {
        const response = await fetch('./data/gbsg-validation.csv');
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        text = await response.text();
      } catch (error) {
        this.showError(`The GBSG example file could not be loaded (${error.message}).`);
        return;
      }
      this.idChoice = 'pid';
      if (await this.addFiles([{ name: 'gbsg-validation.csv', text }])) {
        this.el.id.value = 'pid';
        await this.score();
      }
    });
  }

  summaryText() {
    const r = this.result;
    const p = r.predictions;
    const fallbacks = p.fallback.filter(Boolean).length;
    return `${count(p.ids.length)} patients of ${r.files.join(' + ')} scored with ${r.modelTitle}` +
      (r.unscorable.length ? `; ${count(r.unscorable.length)} could not be scored (the reasons are listed below)` : '') +
      (fallbacks ? `; ${count(fallbacks)} by a fallback integrator` : '') + '.';
  }

  render() {
    const r = this.result;
    const p = r.predictions;
    const unit = p.time_unit ?? 'time units';
    const patterns = dataTable({
      caption: 'Patients by the modalities they have, and the integrator used',
      columns: ['Modalities present', 'Patients', 'Integrator used'],
      rows: r.patterns.map((x) => [patternText(x.pattern), count(x.patients), `${patternText(x.integrator)}${x.fallback ? ' (fallback)' : ''}`]),
    });
    patterns.id = 'score-batch-patterns';
    // Patients that could not be scored (no modality, or a feature cell that is not a number): the
    // others are scored; each of these is named with its reason, and marked "not scored" in the CSV.
    const unscorable = r.unscorable.length
      ? h('div', { class: 'notice warn', id: 'score-batch-unscorable', role: 'note' },
        h('p', {}, h('strong', {}, `${count(r.unscorable.length)} ${r.unscorable.length === 1 ? 'patient' : 'patients'} could not be scored`),
          '; the others are scored. They are left out of the table, and the CSV has a row marked “not scored” for each:'),
        h('p', { class: 'id-list' }, r.unscorable.map((u) => u.id).join(', ')),
        h('ul', { class: 'unscorable-reasons' }, unscorableGroups(r.unscorable).map((g) => h('li', {},
          h('span', { class: 'reason' }, g.reason), `: ${g.ids.join(', ')}`))))
      : null;
    // Values outside the range seen in training (the model file's "features"): scored, listed here.
    const warnings = r.warnings ?? [];
    const SHOWN = 20;
    const outOfRange = warnings.length
      ? h('div', { class: 'notice warn', id: 'score-batch-warnings', role: 'note' },
        h('p', {}, h('strong', {}, `${count(warnings.length)} ${warnings.length === 1 ? 'value is' : 'values are'} outside the range seen in training`),
          ': those patients are scored, but their predictions are extrapolations.'),
        h('ul', {}, warnings.slice(0, SHOWN).map((w) => h('li', {}, `${w.id}: ${w.message}`))),
        warnings.length > SHOWN ? h('p', {}, `… and ${count(warnings.length - SHOWN)} more.`) : null)
      : null;
    this.tableBox = h('div', { id: 'score-batch-table-box' });
    replace(this.el.result,
      h('h3', { id: 'score-batch-result-h' }, 'Predictions'),
      h('p', { class: 'summary', id: 'score-batch-summary' }, this.summaryText()),
      unscorable,
      outOfRange,
      h('div', { class: 'downloads' },
        h('button', { type: 'button', class: 'primary', id: 'btn-score-download', onclick: () => saveText('predictions.csv', r.csv, 'text/csv') }, 'Download predictions CSV')),
      tableWrap(patterns, 'Patients by pattern'),
      this.tableBox,
      h('p', { class: 'hint' }, p.outcome_type === 'binary'
        ? 'Probability: the predicted probability of the outcome (y = 1) from the model that scored the patient; fused lp: the late-fusion score (higher = higher odds); percentile among the training patients. The CSV has every column.'
        : `fused lp: the late-fusion linear predictor (higher = higher hazard); HR: hazard ratio vs the average training patient; ` +
        `percentile among the training patients; S(t) at ${p.survival.map((x) => timeText(x.time)).join(', ')} ${unit} with its 95% CI. The CSV has every column.`));
    this.renderPage();
  }

  renderPage() {
    const p = this.result.predictions;
    const n = p.ids.length;
    const pages = Math.max(1, Math.ceil(n / PAGE_SIZE));
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    const from = this.page * PAGE_SIZE;
    const to = Math.min(n, from + PAGE_SIZE);
    // The answer first (fused score, HR, percentile, group, S(t); binary: the probability), then how it was made.
    const binary = p.outcome_type === 'binary';
    const columns = binary
      ? ['ID', 'Probability', 'Fused lp', 'Percentile', 'Risk group', 'Pattern', ...p.modalities.map((m) => `${m} score`), 'Integrator', 'Note']
      : ['ID', 'Fused lp', 'HR', 'Percentile', 'Risk group', ...p.survival.map((x) => `S(${timeText(x.time)}) [95% CI]`),
        'Pattern', ...p.modalities.map((m) => `${m} score`), 'Integrator', 'Note'];
    const rows = [];
    for (let i = from; i < to; i++) {
      if (binary) {
        rows.push([p.ids[i], h('span', { 'data-value': String(p.probability[i]) }, `${fixed(p.probability[i] * 100, 1)}%`), num(p.fused_lp[i]), num(p.percentile[i], 1),
          p.risk_label[i] ?? '—', patternText(p.pattern[i]), ...p.modalities.map((m) => num(p.scores[m][i])),
          patternText(p.integrator[i]), p.note[i] ? h('span', { class: 'cell-note' }, p.note[i]) : '']);
        continue;
      }
      rows.push([p.ids[i], num(p.fused_lp[i]),
        h('span', { 'data-value': String(p.hazard_ratio[i]) }, sig(p.hazard_ratio[i], 3)), num(p.percentile[i], 1), p.risk_label[i] ?? '—',
        ...p.survival.map((x) => h('span', { 'data-value': String(x.surv[i]) }, `${fixed(x.surv[i], 3)}${finite(x.lower[i]) ? ` [${fixed(x.lower[i], 3)}–${fixed(x.upper[i], 3)}]` : ''}`)),
        patternText(p.pattern[i]), ...p.modalities.map((m) => num(p.scores[m][i])),
        patternText(p.integrator[i]), p.note[i] ? h('span', { class: 'cell-note' }, p.note[i]) : '']);
    }
    const table = dataTable({ caption: `Predictions, patients ${count(from + 1)}–${count(to)} of ${count(n)}`, columns, rows, className: 'data predictions' });
    table.id = 'score-batch-table';
    const pager = pages > 1 ? h('nav', { class: 'pager', 'aria-label': 'Predictions pages' },
      h('button', { type: 'button', class: 'small', id: 'score-page-prev', disabled: this.page === 0, onclick: () => this.turn(-1) }, '‹ Previous'),
      h('span', { class: 'pager-status', 'aria-live': 'polite' }, `Page ${this.page + 1} of ${pages}`),
      h('button', { type: 'button', class: 'small', id: 'score-page-next', disabled: this.page >= pages - 1, onclick: () => this.turn(1) }, 'Next ›'))
      : null;
    replace(this.tableBox, tableWrap(table, 'Predictions table'), pager);
  }

  /** Next/previous page; the focus stays on the pager. */
  turn(step) {
    this.page += step;
    this.renderPage();
    const same = $(step > 0 ? '#score-page-next' : '#score-page-prev');
    (same && !same.disabled ? same : $(step > 0 ? '#score-page-prev' : '#score-page-next'))?.focus();
  }

  redraw() {}
}
