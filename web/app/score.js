// The Score tab: the risk calculator. Choose a model (one shipped with LateFuse, the late-fusion
// model just fitted, or a model file), then score one patient (score-one.js) or many (score-batch.js).
// Every number comes from the WebAssembly core in the worker (worker-score.js); the page only picks
// and formats. A model file is checked by the core before use: a bad file gets the core's message
// (naming the JSON path) beside the upload control, and the previous model stays selected.
import { h, replace, $, dataTable, tableWrap, acceptFiles } from './dom.js';
import { fixed, count } from './format.js';
import { timeText } from './charts.js';
import { SHIPPED_MODELS } from './score-catalog.js';
import { PatientForm } from './score-one.js';
import { BatchScorer } from './score-batch.js';
import { modelTextOf, reportOf } from './fusion-model.js';
import { CancelledError } from '../lib/errors.js';

let instance = null;
let pendingResult = null;

/** The model just fitted (main.js calls this after every fit and after the demo). */
export function renderScoreModels(result) {
  pendingResult = result;
  if (instance) instance.setFitted(result);
  else renderFittedLine($('#score-model'), result);
}

/** Before the tab is set up: the sentence naming the model just fitted. */
function renderFittedLine(box, result) {
  if (!box) return;
  replace(box, h('p', { class: 'hint' }, fittedText(result) ?? 'No model fitted yet.'));
}

/** The sentence that names the model just fitted (or null). */
function fittedText(result) {
  if (!result) return null;
  if (result.result) {
    const late = result.result.report?.models?.find?.((m) => m.kind === 'late') ?? result.result.models?.find?.((m) => m.kind === 'late');
    const binary = (result.result.report?.settings ?? result.result.settings)?.outcome_type === 'binary';
    const metric = binary ? 'AUC' : 'C-index';
    const cohort = result.cohort;
    if (cohort) {
      return `Just fitted: late-fusion model${binary ? ' (binary outcome)' : ''} on the simulated cohort (seed ${cohort.seed}; ${cohort.modalities.map((m) => m.name).join(', ')}; ` +
        `${cohort.n} patients${late?.common?.c !== undefined ? `, ${metric} ${fixed(late.common.c, 3)} on the common test patients` : ''}).`;
    }
    const files = result.prep?.files ?? result.files ?? result.source?.files;
    return `Just fitted: late-fusion model${binary ? ' (binary outcome)' : ''}${files ? ` on ${[].concat(files).join(' + ')}` : ''}` +
      `${late?.test?.c !== undefined ? ` (${metric} ${fixed(late.test.c, 3)} on the test patients)` : ''}.`;
  }
  if (result.fit && result.prep) {
    const { fit, prep } = result;
    return `Just fitted: Cox model on ${prep.files.join(' + ')} (${fit.covariates.join(', ')}; ${fit.n} patients, C-index ${fixed(fit.concordance.c, 3)}).`;
  }
  return null;
}

const plural = (n, one, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
const listText = (xs) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
const patternText = (mods) => mods.join(' + ');

export class ScoreTab {
  /**
   * @param {{client: import('./protocol.js').WorkerClient, progress: object, announce: Function}} deps
   */
  constructor({ client, progress, announce }) {
    this.client = client;
    this.progress = progress;
    this.announce = announce;
    /** @type {Map<string, {key: string, kind: string, title: string, text: string|null, summary: object|null, error: string|null, loading: boolean, catalog?: object, reason?: string, fileName?: string}>} */
    this.models = new Map();
    this.selected = null;
    this.shown = false;
    this.tasks = 0;
    this.done = 0;
    for (const c of SHIPPED_MODELS) {
      this.models.set(c.key, { key: c.key, kind: 'shipped', title: c.title, text: null, summary: null, error: null, loading: false, catalog: c });
    }
    this.el = { picker: $('#score-model'), details: $('#score-model-details'), error: $('#score-model-error'), one: $('#score-one'), batch: $('#score-batch') };
    this.form = new PatientForm({ tab: this });
    this.batchScorer = new BatchScorer({ tab: this });
    instance = this;
    this.setupUpload();
    this.setFitted(pendingResult);
    document.body.dataset.scoreDone = '0';
    document.body.dataset.score = 'idle';
  }

  // ------------------------------------------------------------------ worker calls

  /** One worker request with the progress bar and Cancel; counts tasks for the page's state. */
  async run(type, payload, label) {
    this.tasks += 1;
    document.body.dataset.score = 'busy';
    const { id, promise } = this.client.request(type, payload, { onProgress: (p) => this.progress.update(p.stage, p.fraction) });
    this.progress.start(label, () => this.client.cancel(id));
    try {
      return await promise;
    } finally {
      this.progress.stop();
      this.tasks -= 1;
      this.done += 1;
      document.body.dataset.scoreDone = String(this.done);
      if (this.tasks === 0) document.body.dataset.score = 'idle';
    }
  }

  /** Track a page-side task (e.g. fetching a shipped model) in the same counters. */
  async track(fn) {
    this.tasks += 1;
    document.body.dataset.score = 'busy';
    try {
      return await fn();
    } finally {
      this.tasks -= 1;
      this.done += 1;
      document.body.dataset.scoreDone = String(this.done);
      if (this.tasks === 0) document.body.dataset.score = 'idle';
    }
  }

  // ------------------------------------------------------------------ models

  /** The tab is shown: load the shipped models' files (once) so their cards can show their facts. */
  show() {
    if (!this.shown) {
      this.shown = true;
      this.loadShipped();
    }
    this.redraw();
  }

  redraw() {
    this.form.redraw();
    this.batchScorer.redraw();
  }

  loadShipped() {
    if (!this.shippedLoading) {
      this.shippedLoading = this.track(async () => {
        for (const c of SHIPPED_MODELS) await this.loadShippedModel(c.key);
        const fitted = this.models.get('fitted');
        if (fitted?.text && !fitted.summary && !fitted.error) await this.check(fitted);
      });
    }
    return this.shippedLoading;
  }

  async loadShippedModel(key) {
    const entry = this.models.get(key);
    if (entry.summary || entry.loading) return entry;
    entry.loading = true;
    entry.error = null;
    this.renderPicker();
    try {
      const response = await fetch(entry.catalog.file);
      if (!response.ok) throw new Error(`the file ${entry.catalog.file} could not be loaded (HTTP ${response.status})`);
      entry.text = await response.text();
      entry.summary = (await this.run('scoreModelInfo', { model: entry.text }, `Checking the ${entry.title} model`)).summary;
    } catch (error) {
      entry.error = error instanceof CancelledError ? 'loading was cancelled; choose it again to retry' : error.message;
    } finally {
      entry.loading = false;
      this.renderPicker();
    }
    return entry;
  }

  /** Check a model's text in the worker (fitted models). */
  async check(entry) {
    entry.loading = true;
    this.renderPicker();
    try {
      entry.summary = (await this.run('scoreModelInfo', { model: entry.text }, 'Checking the fitted model')).summary;
      entry.error = null;
    } catch (error) {
      entry.error = error.message;
    } finally {
      entry.loading = false;
      this.renderPicker();
    }
  }

  setFitted(result) {
    this.fittedCoxText = null;
    if (result?.result) {
      const report = reportOf(result.result);
      const { text, error } = modelTextOf(report);
      const previous = this.models.get('fitted');
      const entry = {
        key: 'fitted', kind: 'fitted', title: fittedText(result), text, summary: null, loading: false,
        error: text ? null : `the engine wrote no model file${error ? ` (${error})` : ''}`,
      };
      this.models.set('fitted', entry);
      if (text && this.shown) this.track(() => this.check(entry)).then(() => { if (this.selected === 'fitted') this.select('fitted'); });
      else if (previous && this.selected === 'fitted') this.selected = null;
    } else if (result) {
      this.fittedCoxText = fittedText(result);
    }
    this.renderPicker();
  }

  /** Select a model: its facts, the patient form and the batch scorer follow. */
  async select(key) {
    let entry = this.models.get(key);
    if (!entry) return;
    if (entry.kind === 'shipped' && !entry.summary) entry = await this.track(() => this.loadShippedModel(key));
    if (entry.kind === 'fitted' && entry.text && !entry.summary && !entry.error) await this.track(() => this.check(entry));
    if (!entry.summary) { this.renderPicker(); return; }
    this.selected = key;
    this.renderPicker();
    this.renderDetails(entry);
    this.el.one.hidden = false;
    this.el.batch.hidden = false;
    this.form.setModel(entry);
    this.batchScorer.setModel(entry);
    this.announce(`Model selected: ${entry.title}`);
  }

  get model() {
    return this.selected ? this.models.get(this.selected) : null;
  }

  // ------------------------------------------------------------------ upload

  setupUpload() {
    acceptFiles(/** @type {HTMLInputElement} */ ($('#score-model-file')), $('#score-model-drop'), (files) => this.uploadModel(files[0]));
  }

  async uploadModel(file) {
    const box = this.el.error;
    box.hidden = true;
    box.textContent = '';
    $('#score-model-file').removeAttribute('aria-invalid');
    await this.track(async () => {
      try {
        const text = await file.text();
        const { summary } = await this.run('scoreModelInfo', { model: text }, `Checking ${file.name}`);
        this.models.set('uploaded', { key: 'uploaded', kind: 'uploaded', title: `Model file: ${file.name}`, text, summary, error: null, loading: false, fileName: file.name });
        await this.select('uploaded');
      } catch (error) {
        box.hidden = false;
        box.textContent = error instanceof CancelledError
          ? `Checking ${file.name} was cancelled; the previous model is still selected.`
          : `${file.name} cannot be used: ${error.message}.${this.selected ? ' The previous model is still selected.' : ''}`;
        $('#score-model-file').setAttribute('aria-invalid', 'true');
        this.announce(box.textContent);
      }
    });
  }

  // ------------------------------------------------------------------ rendering

  facts(entry) {
    const s = entry.summary;
    if (!s) return [];
    const rows = [];
    const c = entry.catalog;
    if (c) rows.push(['Data', c.data]);
    const binary = s.outcome_type === 'binary';
    const unit = s.time_unit ? ` (${s.time_unit})` : '';
    rows.push(['Trained on', `${plural(s.training.patients, 'patient')}, ${plural(s.training.events, binary ? 'case' : 'event')}${c || binary ? '' : unit}`]);
    if (binary) rows.push(['Outcome', 'binary (0/1): predicts the probability of the outcome']);
    // The training data marked censoring instead of the event (latefuse fuse --censored): code new outcomes the same way.
    if (s.censoring_column) rows.push(['Event', `read from the censoring column “${s.censoring_column}” (1 = censored): the event is 1 − ${s.censoring_column}`]);
    rows.push(['Modalities', s.modalities.map((m) => `${m.name} (${count(m.patients)})`).join(', ')]);
    const late = s.evaluation?.models?.find((m) => m.kind === 'late');
    const split = s.evaluation?.split;
    if (late && Number.isFinite(late.test_c)) {
      rows.push([binary ? 'Internal test AUC' : 'Internal test C-index', h('span', { 'data-value': String(late.test_c), class: 'fact-c' },
        `${fixed(late.test_c, 3)}${Number.isFinite(late.test_c_lower) ? ` (95% CI ${fixed(late.test_c_lower, 3)}–${fixed(late.test_c_upper, 3)})` : ''}` +
        `${split?.test ? ` on ${plural(split.test, 'test patient')}` : ''}`)]);
    } else {
      rows.push([binary ? 'Internal test AUC' : 'Internal test C-index', 'not in the file']);
    }
    // External validation: the model file's own `validation` section (latefuse evaluate --attach-to).
    const validations = Array.isArray(s.validation) ? s.validation.filter((v) => Number.isFinite(v?.c)) : [];
    for (const v of validations) {
      const ci = Number.isFinite(v.c_lower) ? ` (95% CI ${fixed(v.c_lower, 3)}–${fixed(v.c_upper, 3)})` : '';
      const slope = Number.isFinite(v.calibration?.slope) ? `; calibration slope ${fixed(v.calibration.slope, 2)}` : '';
      rows.push([`External C-index (${v.cohort})`, h('span', { 'data-value': String(v.c), class: 'fact-c' },
        `${fixed(v.c, 3)}${ci} on ${plural(v.n, 'patient')}${slope}`)]);
    }
    if (!validations.length && entry.kind === 'shipped') rows.push(['External validation', 'none']);
    if (c) rows.push(['Outcome', c.outcome]);
    if (c?.limits) rows.push(['Note', c.limits]);
    return rows;
  }

  renderPicker() {
    const box = this.el.picker;
    const option = (entry, { disabled = false, extra = null } = {}) => {
      const id = `score-model-opt-${entry.key}`;
      const factsId = `${id}-facts`;
      const selected = this.selected === entry.key;
      const input = h('input', {
        type: 'radio', name: 'score-model', id, value: entry.key, checked: selected, disabled: disabled || entry.loading,
        'aria-describedby': factsId,
        onchange: () => this.select(entry.key),
      });
      const badge = entry.catalog ? h('span', { class: `badge ${entry.catalog.badgeClass}` }, entry.catalog.badge) : null;
      let body;
      if (entry.loading) body = h('p', { class: 'hint' }, 'Loading and checking the model…');
      else if (entry.error) body = h('p', { class: 'field-error' }, entry.error);
      else if (entry.summary) body = h('dl', { class: 'model-facts' }, this.facts(entry).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
      else body = h('p', { class: 'hint' }, entry.kind === 'shipped' ? 'Select to load this model.' : '');
      return h('div', { class: `model-option${selected ? ' selected' : ''}${disabled ? ' disabled' : ''}`, 'data-model': entry.key },
        h('div', { class: 'model-head' }, input, h('label', { for: id }, h('span', { class: 'model-title' }, entry.title), badge)),
        h('div', { id: factsId, class: 'model-body' }, body, extra));
    };
    const parts = [];
    for (const c of SHIPPED_MODELS) parts.push(option(this.models.get(c.key)));
    const fitted = this.models.get('fitted');
    if (fitted) parts.push(option(fitted, { disabled: !fitted.text }));
    if (this.fittedCoxText) {
      parts.push(h('div', { class: 'model-option disabled', 'data-model': 'fitted-cox' },
        h('p', { class: 'model-title' }, this.fittedCoxText),
        h('p', { class: 'hint' }, 'A single Cox model is not a late-fusion model, so the calculator cannot use it: run the demo (or fit late fusion) in “Fit & evaluate”, or choose a model here.')));
    } else if (!fitted) {
      parts.push(h('p', { class: 'hint model-none' }, 'No late-fusion model fitted yet: run the demo in “Fit & evaluate” and it appears here.'));
    }
    const uploaded = this.models.get('uploaded');
    if (uploaded) parts.push(option(uploaded));
    // Keep the keyboard focus on the same radio across the re-render.
    const focused = box.contains(document.activeElement) ? document.activeElement.id : null;
    replace(box, parts);
    if (focused) document.getElementById(focused)?.focus();
  }

  renderDetails(entry) {
    const s = entry.summary;
    const unit = s.time_unit ?? 'time units';
    const rule = s.presence === 'all' ? 'every one of its fields is filled in' : 'at least one of its fields is filled in';
    const integrated = s.training.patterns.filter((p) => p.integrator);
    const table = dataTable({
      caption: `Availability patterns of the ${count(s.training.patients)} training patients`,
      columns: ['Modalities present', 'Training patients', 'Own integrator'],
      rows: s.training.patterns.map((p) => [patternText(p.modalities), count(p.patients),
        p.integrator ? 'yes' : (p.modalities.length === 1 ? 'one modality: its own score' : `no (fewer than ${s.training.min_pattern_size}) — fallback`)]),
    });
    const binary = s.outcome_type === 'binary';
    $('#score-model-help').textContent = binary
      ? 'This model predicts the probability of a binary outcome (1 = case); higher scores mean higher odds. Not for clinical decisions.'
      : 'Higher scores mean a higher hazard (shorter survival). Not for clinical decisions.';
    replace(this.el.details,
      h('p', { id: 'score-model-summary' },
        h('strong', {}, 'Selected: '), `${entry.title}. `,
        `Modalities: ${listText(s.modalities.map((m) => m.name))}; a modality counts as present when ${rule}. `,
        binary ? 'It predicts the probability of the outcome (y = 1) from logistic models. '
          : `Survival is predicted at ${listText(s.horizons.map((t) => timeText(t)))} ${unit}. `,
        s.risk_groups ? `Risk groups: ${listText(s.risk_groups.labels)} (cut-point${s.risk_groups.cut_points.length > 1 ? 's' : ''} on the fused score from the training patients). ` : 'No risk groups in this file. ',
        `${plural(integrated.length, 'integrator')} (one per availability pattern with at least ${s.training.min_pattern_size} training patients).`),
      h('details', { class: 'score-patterns' }, h('summary', {}, 'Availability patterns and integrators'), tableWrap(table, 'Availability patterns of the training patients')));
  }
}
