// The Score tab's one-patient calculator: a form generated from the model (per modality a fieldset
// with its raw feature fields — numbers, or a select of a categorical column's levels — or a toggle
// to type that modality's standardised risk score directly; an empty modality is absent), and the
// result: fused linear predictor, hazard ratio vs the average training patient, percentile in the
// training cohort, risk group, which integrator was used and why, S(t) with its 95% CI as a curve
// and at the model's horizons. The numbers are the core's (worker-score.js `scoreOne`, the same
// path as `latefuse score` on a one-row CSV); this file validates what is typed and formats.
// The typed values are kept per model, so they survive switching tabs and models.
// A BINARY model (summary.outcome_type 'binary'; the same `scoreOne`) gives the
// predicted probability of the outcome with the fused log-odds, percentile, risk group and the
// integrator used, instead of the hazard ratio and S(t).
import { h, replace, $, dataTable, tableWrap } from './dom.js';
import { finite, fixed, count } from './format.js';
import { timeText } from './charts.js';
import { chartFigure } from './evaluation-view.js';
import { survivalCurveChart, contributionChart } from './score-charts.js';
import { modelInputs, checkNumberCell } from './score-inputs.js';
import { saveText, toCSV } from './download.js';
import { CancelledError } from '../lib/errors.js';
import { checkFeatureValue, checkTypedScore, featureHint } from '../lib/features.js';

const patternText = (p) => String(p).split('+').join(' + ');
const capital = (s) => (s ? `${s[0].toUpperCase()}${s.slice(1)}` : s);
const num = (x, digits = 3) => h('span', { 'data-value': finite(x) ? String(x) : '' }, fixed(x, digits));

/** Ordinal suffix for a rounded percentile (formatting only). */
function ordinal(n) {
  const k = Math.round(n);
  const s = (k % 100 >= 11 && k % 100 <= 13) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[k % 10] ?? 'th');
  return `${k}${s}`;
}

/**
 * The key number "Percentile in the training cohort" of a scored patient; `text` says what the
 * percentile ranks (the predicted risk by the horizon, or the predicted probability).
 * @param {{percentile: number|null}} r
 * @param {string} text
 */
function percentileStat(r, text) {
  return h('div', { class: 'stat' }, h('dt', {}, 'Percentile in the training cohort'),
    h('dd', { id: 'score-percentile', 'data-value': finite(r.percentile) ? String(r.percentile) : '' },
      finite(r.percentile) ? ordinal(r.percentile) : '—',
      h('small', {}, finite(r.percentile) ? text : 'not in the model file')));
}

/**
 * The key number "Risk group" of a scored patient (training cut-points), for every outcome family.
 * @param {{riskLabel?: string|null, riskLabels?: string[]|null}} r
 */
function riskGroupStat(r) {
  return h('div', { class: 'stat' }, h('dt', {}, 'Risk group'),
    h('dd', { id: 'score-group', 'data-value': r.riskLabel ?? '' }, r.riskLabel ? capital(r.riskLabel) : '—',
      h('small', {}, r.riskLabels ? `of ${r.riskLabels.join(' / ')} (training cut-point${r.riskLabels.length > 2 ? 's' : ''})` : 'no cut-points in the file')));
}

/**
 * The table of each modality's standardised risk score and how it was entered.
 * @param {{modalities: string[], scores: Record<string, number|null>, typed?: string[]}} r
 */
function modalityScoresTable(r) {
  const table = dataTable({
    caption: 'Standardised risk score of each modality (0 = training average)',
    columns: ['Modality', 'Entered as', 'Risk score'],
    rows: r.modalities.map((m) => [m, !finite(r.scores[m]) ? 'absent' : r.typed?.includes(m) ? 'risk score' : 'features', num(r.scores[m])]),
  });
  table.id = 'score-modality-table';
  return table;
}

/**
 * The "Download this result (CSV)" button of one scored patient.
 * @param {() => string} csv  the file's text, built when the button is pressed
 */
function patientCsvButton(csv) {
  return h('button', { type: 'button', class: 'small', onclick: () => saveText('latefuse-patient.csv', csv(), 'text/csv') }, 'Download this result (CSV)');
}

export class PatientForm {
  constructor({ tab }) {
    this.tab = tab;
    this.entry = null;
    this.states = new Map();   // model key -> {modality: {mode, values, score}}
    this.results = new Map();  // model key -> last result (and whether the inputs changed since)
    this.figure = null;
    this.el = { form: $('#score-form'), result: $('#score-one-result'), error: $('#score-one-error'), button: $('#btn-score-one') };
    this.el.button.addEventListener('click', () => this.score());
    $('#btn-score-clear').addEventListener('click', () => this.clear());
  }

  state() {
    const key = this.entry.key;
    if (!this.states.has(key)) this.states.set(key, {});
    const st = this.states.get(key);
    for (const m of this.inputs) st[m.name] ??= { mode: 'raw', values: {}, score: '' };
    return st;
  }

  setModel(entry) {
    if (this.entry && this.entry.key === entry.key && this.entry.summary === entry.summary) return;
    this.entry = entry;
    this.inputs = modelInputs(entry.summary);
    // What training showed per raw feature (the model file's "features"; none in older files).
    this.features = new Map((entry.summary.features ?? []).map((f) => [f.name, f]));
    this.el.error.hidden = true;
    this.renderForm();
    const last = this.results.get(entry.key);
    if (last && last.summary === entry.summary) this.renderResult(last.result, last.stale);
    else replace(this.el.result);
  }

  fieldId(m, j) { return `score-f-${m}-${j}`; }

  renderForm() {
    const st = this.state();
    const unit = this.entry.summary.time_unit;
    const fieldsets = this.inputs.map((m, mi) => {
      const s = st[m.name];
      const toggleId = `score-toggle-${mi}`;
      const scoreId = `score-typed-${mi}`;
      const status = h('p', { class: 'modality-status', id: `score-status-${mi}`, 'aria-live': 'polite' });
      const fields = m.fields.map((f, j) => {
        const id = this.fieldId(mi, j);
        const errorId = `${id}-error`;
        const hint = featureHint(this.features.get(f.column));
        const described = `${errorId} ${id}-warning${hint ? ` ${id}-hint` : ''}`;
        let control;
        if (f.kind === 'category') {
          control = h('select', { id, 'data-column': f.column, 'aria-describedby': `${described} score-cat-help-${mi}` },
            h('option', { value: '' }, '— not known —'),
            f.levels.map((l) => h('option', { value: l, selected: s.values[f.column] === l }, l)));
          control.addEventListener('change', () => { s.values[f.column] = control.value; this.changed(mi); });
        } else {
          control = h('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', 'data-column': f.column, 'aria-describedby': described });
          control.value = s.values[f.column] ?? '';
          control.addEventListener('input', () => { s.values[f.column] = control.value; this.checkField(control, { quiet: true }); this.changed(mi); });
          control.addEventListener('change', () => this.checkField(control));
        }
        return h('div', { class: 'field compact' },
          h('label', { for: id }, f.column),
          control,
          hint ? h('p', { class: 'help field-hint', id: `${id}-hint` }, hint) : null,
          h('p', { class: 'field-warning', id: `${id}-warning`, hidden: true }),
          h('p', { class: 'field-error', id: errorId, hidden: true }));
      });
      const hasCategory = m.fields.some((f) => f.kind === 'category');
      const toggle = h('input', { type: 'checkbox', id: toggleId, checked: s.mode === 'score', 'aria-controls': `score-raw-${mi} score-typed-box-${mi}` });
      const typed = h('input', { id: scoreId, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', 'data-modality': m.name, 'aria-describedby': `${scoreId}-help ${scoreId}-warning ${scoreId}-error` });
      typed.value = s.score ?? '';
      typed.addEventListener('input', () => { s.score = typed.value; this.checkField(typed, { quiet: true }); this.changed(mi); });
      typed.addEventListener('change', () => this.checkField(typed));
      const rawBox = h('div', { id: `score-raw-${mi}`, class: 'grid compact-grid score-fields', hidden: s.mode === 'score' }, fields,
        hasCategory ? h('p', { class: 'help full', id: `score-cat-help-${mi}` }, 'Categories are the levels the model was trained on.') : null);
      const typedBox = h('div', { id: `score-typed-box-${mi}`, class: 'field typed-score', hidden: s.mode !== 'score' },
        h('label', { for: scoreId }, `${m.name} risk score`),
        typed,
        h('p', { class: 'help', id: `${scoreId}-help` }, `The ${m.name} submodel’s standardised risk score: 0 = the training average, +1 = one standard deviation higher risk.`),
        h('p', { class: 'field-warning', id: `${scoreId}-warning`, hidden: true }),
        h('p', { class: 'field-error', id: `${scoreId}-error`, hidden: true }));
      toggle.addEventListener('change', () => {
        s.mode = toggle.checked ? 'score' : 'raw';
        rawBox.hidden = toggle.checked;
        typedBox.hidden = !toggle.checked;
        this.changed(mi);
        (toggle.checked ? typed : /** @type {HTMLElement|null} */ (rawBox.querySelector('input, select')))?.focus();
      });
      const fs = h('fieldset', { class: 'modality', 'data-modality': m.name, 'aria-describedby': `score-status-${mi}` },
        h('legend', {}, m.name, h('span', { class: 'count' }, ` ${m.fields.length} ${m.fields.length === 1 ? 'field' : 'fields'}`)),
        h('div', { class: 'check toggle' }, toggle, h('label', { for: toggleId, 'aria-label': `Enter the ${m.name} risk score directly` }, 'Enter this modality’s risk score directly')),
        status, rawBox, typedBox);
      return fs;
    });
    replace(this.el.form,
      h('p', { class: 'help' }, `Empty fields of a modality you fill in are set to the training median; a modality left completely empty is absent.` +
        (unit ? ` Times are in ${unit}.` : '')),
      fieldsets);
    this.inputs.forEach((_, mi) => this.updateStatus(mi));
  }

  /**
   * Message beside a field whose text is not a number or not a possible value (a binary feature's
   * 2), and a warning beside a value outside the range seen in training (web/lib/features.js).
   * Returns true when the field can be scored.
   */
  checkField(control, { quiet = false } = {}) {
    const box = document.getElementById(`${control.id}-error`);
    const warning = document.getElementById(`${control.id}-warning`);
    let check = checkNumberCell(control.value);
    let warn = null;
    if (check.ok && !check.empty) {
      const value = Number(String(control.value).trim());
      const problem = control.dataset.column
        ? checkFeatureValue(this.features.get(control.dataset.column), value)
        : checkTypedScore(control.dataset.modality, value);
      if (problem?.level === 'refuse') check = { ok: false, message: `${problem.message}.` };
      else if (problem) warn = `${problem.message}.`;
    }
    if (warning) {
      warning.hidden = !warn;
      warning.textContent = warn ?? '';
    }
    // `=== true` narrows the union for the type checker (truthiness does not without strictNullChecks).
    if (check.ok === true) {
      box.hidden = true;
      box.textContent = '';
      control.removeAttribute('aria-invalid');
      return true;
    }
    if (quiet && box.hidden) return false;   // while typing, only update a message already shown
    box.hidden = false;
    box.textContent = check.message;
    control.setAttribute('aria-invalid', 'true');
    return false;
  }

  updateStatus(mi) {
    const m = this.inputs[mi];
    const s = this.state()[m.name];
    const box = document.getElementById(`score-status-${mi}`);
    if (!box) return;
    let text;
    if (s.mode === 'score') {
      text = String(s.score ?? '').trim() === '' ? 'Absent: no risk score entered.' : 'Present: risk score entered.';
    } else {
      const filled = m.fields.filter((f) => String(s.values[f.column] ?? '').trim() !== '').length;
      if (filled === 0) text = 'Absent: nothing entered.';
      else if (filled === m.fields.length) text = `Present: all ${m.fields.length} fields entered.`;
      else if (this.entry.summary.presence === 'all') text = `${filled} of ${m.fields.length} fields entered: this model counts the modality only when every field is filled in.`;
      else text = `Present: ${filled} of ${m.fields.length} fields entered; the others are set to the training median.`;
    }
    box.textContent = text;
    box.closest('fieldset')?.classList.toggle('present', text.startsWith('Present'));
  }

  changed(mi) {
    this.updateStatus(mi);
    const last = this.results.get(this.entry.key);
    if (last && !last.stale) {
      last.stale = true;
      this.markStale(true);
    }
  }

  markStale(on) {
    const note = $('#score-one-stale');
    if (note) note.hidden = !on;
    this.el.result.classList.toggle('stale', on);
  }

  clear() {
    if (!this.entry) return;
    this.states.delete(this.entry.key);
    this.results.delete(this.entry.key);
    replace(this.el.result);
    this.el.error.hidden = true;
    this.renderForm();
    this.el.form.querySelector('input, select')?.focus();
  }

  /** The patient as the worker takes it; null (with messages beside the fields) when a field is invalid. */
  collect() {
    const st = this.state();
    const bad = [];
    this.inputs.forEach((m, mi) => {
      const s = st[m.name];
      if (s.mode === 'score') {
        const control = document.getElementById(`score-typed-${mi}`);
        if (!this.checkField(control)) bad.push(control);
      } else {
        m.fields.forEach((f, j) => {
          if (f.kind !== 'number') return;
          const control = document.getElementById(this.fieldId(mi, j));
          if (!this.checkField(control)) bad.push(control);
        });
      }
    });
    if (bad.length) return { bad };
    const patient = {};
    for (const m of this.inputs) {
      const s = st[m.name];
      patient[m.name] = s.mode === 'score' ? { mode: 'score', value: String(s.score ?? '').trim() }
        : { mode: 'raw', values: Object.fromEntries(m.fields.map((f) => [f.column, String(s.values[f.column] ?? '').trim()])) };
    }
    return { patient };
  }

  async score() {
    if (!this.entry) return;
    const box = this.el.error;
    box.hidden = true;
    const { patient, bad } = this.collect();
    if (bad) {
      box.hidden = false;
      box.textContent = bad.length === 1 ? 'One field cannot be scored; see the message beside it.' : `${bad.length} fields cannot be scored; see the message beside each.`;
      bad[0].focus();
      return;
    }
    const entry = this.entry;
    try {
      const result = await this.tab.run('scoreOne', { model: entry.text, patient }, 'Scoring the patient');
      this.results.set(entry.key, { result, summary: entry.summary, stale: false });
      if (this.entry !== entry) return;
      this.renderResult(result, false);
      this.tab.announce(this.headline(result));
      this.el.result.focus({ preventScroll: false });
    } catch (error) {
      box.hidden = false;
      box.textContent = error instanceof CancelledError ? 'Scoring was cancelled.' : `The patient could not be scored: ${error.message}`;
      this.tab.announce(box.textContent);
    }
  }

  headline(r) {
    if (r.outcomeType === 'binary') {
      return `Predicted probability of the outcome ${fixed(r.probability * 100, 1)}%` +
        (finite(r.percentile) ? `, higher than ${fixed(r.percentile, 0)}% of the training patients` : '') +
        (r.riskLabel ? `; ${r.riskLabel} risk group` : '') + '.';
    }
    return `Fused risk score ${fixed(r.fusedLp, 3)}` +
      (finite(r.risk) ? `; predicted risk of the event by ${timeText(r.referenceHorizon)} ${r.timeUnit ?? 'time units'} ${fixed(r.risk * 100, 1)}%` : '') +
      (finite(r.percentile) ? `, higher than ${fixed(r.percentile, 0)}% of the training patients` : '') +
      (r.riskLabel ? `; ${r.riskLabel} risk group` : '') + '.';
  }

  /** Why this integrator: the pattern's own, a fallback (and why), or one modality's score. */
  patternExplanation(r) {
    const s = this.entry.summary;
    const parts = [];
    const usedText = patternText(r.integrator);
    if (!r.fallback && r.integratorIndex >= 0) {
      parts.push(h('p', {}, h('strong', {}, 'Pattern used: '), `${usedText} (integrator fitted on ${count(r.integratorPatients)} training patients).`));
    } else if (!r.fallback) {
      parts.push(h('p', {}, h('strong', {}, 'One modality present: '),
        `${usedText}. The fused score is its standardised risk score; ${r.outcomeType === 'binary' ? 'the probability' : 'S(t)'} comes from the ${usedText} submodel (fitted on ${count(r.submodelPatients)} training patients).`));
    } else {
      const why = r.patternPatients === 0 ? 'no training patient had all of these modalities'
        : r.patternPatients < r.minPatternSize ? `${count(r.patternPatients)} training patients had all of them, fewer than ${r.minPatternSize}`
          : `no events among its ${count(r.patternPatients)} training patients`;
      const used = r.integratorIndex >= 0
        ? `used the integrator of the sub-combination with the most modalities that has one: ${usedText} (fitted on ${count(r.integratorPatients)} training patients)`
        : `no sub-combination has an integrator, so the ${usedText} submodel alone is used (the modality whose submodel had the most training patients)`;
      parts.push(h('p', {}, h('strong', {}, 'Pattern used: '), `${usedText}. `,
        `No integrator for this patient’s pattern ${patternText(r.pattern)} (${why}); ${used}.`));
    }
    if (r.pattern !== r.integrator) parts.push(h('p', { class: 'hint' }, `Modalities present: ${patternText(r.pattern)}; combined: ${usedText}.`));
    if (r.typed?.length) parts.push(h('p', { class: 'hint' }, `Risk score typed directly for ${r.typed.join(', ')}.`));
    // The core's note, less the fallback explanation already given above.
    const extra = String(r.note ?? '').split('; ').filter((x) => x && !/^(fallback: |used the integrator of |no sub-pattern has an integrator)/.test(x));
    if (extra.length) parts.push(h('p', { class: 'hint core-note' }, `Note: ${extra.join('; ')}.`));
    if (s.risk_groups && !r.riskLabel) parts.push(h('p', { class: 'hint' }, 'No risk group.'));
    return parts;
  }

  /** The result of a binary model: probability first, then log-odds, percentile, group, how it was made. */
  renderBinaryResult(r, stale) {
    const s = this.entry.summary;
    this.figure = null;
    const keyNumbers = h('dl', { class: 'key-numbers four' },
      h('div', { class: 'stat' }, h('dt', {}, 'Predicted probability of the outcome'),
        h('dd', { id: 'score-probability', 'data-value': String(r.probability) }, finite(r.probability) ? `${fixed(r.probability * 100, 1)}%` : '—',
          h('small', {}, `P(y = 1) from the ${r.integratorIndex >= 0 ? 'integrator' : 'submodel'} that scored this patient`))),
      h('div', { class: 'stat' }, h('dt', {}, 'Fused risk score'),
        h('dd', { id: 'score-lp', 'data-value': String(r.fusedLp) }, fixed(r.fusedLp, 3),
          h('small', { id: 'score-log-odds', 'data-value': String(r.logOdds) }, r.logOdds === r.fusedLp
            ? 'the integrator’s log-odds; higher = higher odds of the outcome'
            : `the ${patternText(r.integrator)} standardised score; log-odds behind the probability ${fixed(r.logOdds, 3)}`))),
      percentileStat(r, `predicted probability higher than ${fixed(r.percentile, 1)}% of ${count(s.training.patients)} training patients`),
      riskGroupStat(r));
    const scoresTable = modalityScoresTable(r);
    const download = patientCsvButton(() => toCSV(
      ['pattern', ...r.modalities.map((m) => `${m}_score`), 'fused_lp', 'risk_group', 'probability', 'percentile', 'integrator', 'note'],
      [[r.pattern, ...r.modalities.map((m) => r.scores[m]), r.fusedLp, r.riskLabel ?? '', r.probability, r.percentile, r.integrator, r.note]]));
    replace(this.el.result,
      ...this.resultHead(r, stale, keyNumbers),
      h('div', { class: 'panel' }, tableWrap(scoresTable, 'Modality risk scores'), h('div', { class: 'downloads' }, download)),
      h('p', { class: 'hint' }, 'The probability comes from a model fitted on the training cohort; it is only as good as that cohort is like this patient. Not for clinical decisions.'));
    this.el.result.classList.toggle('stale', !!stale);
  }

  /** The top of a result, the same for every outcome family: heading, stale notice, headline, key numbers, pattern. */
  resultHead(r, stale, keyNumbers) {
    return [
      h('h3', { id: 'score-one-result-h' }, 'Result'),
      h('p', { class: 'notice warn', id: 'score-one-stale', hidden: !stale }, 'The inputs have changed since this result: press “Score this patient” to update it.'),
      h('p', { class: 'summary', id: 'score-headline' }, this.headline(r)),
      keyNumbers,
      h('div', { class: 'score-pattern', id: 'score-pattern' }, this.patternExplanation(r)),
    ];
  }

  renderResult(r, stale) {
    if (r.outcomeType === 'binary') { this.renderBinaryResult(r, stale); return; }
    const s = this.entry.summary;
    const unit = r.timeUnit ?? 'time units';
    const keyNumbers = h('dl', { class: 'key-numbers four' },
      h('div', { class: 'stat' }, h('dt', {}, 'Fused risk score (linear predictor)'),
        h('dd', { id: 'score-lp', 'data-value': String(r.fusedLp) }, fixed(r.fusedLp, 3), h('small', {}, 'higher = higher hazard'))),
      h('div', { class: 'stat' }, h('dt', {}, 'Hazard ratio vs the average training patient'),
        h('dd', { id: 'score-hr', 'data-value': String(r.hazardRatio) }, finite(r.hazardRatio) ? r.hazardRatio.toPrecision(3) : '—',
          h('small', {}, '1 = the average training patient of the integrator used (those with its modalities)'))),
      percentileStat(r, `predicted risk by ${timeText(r.referenceHorizon)} ${unit} higher than ${fixed(r.percentile, 1)}% of ` +
        `${count(s.training.patients)} training patients (each by their own pattern’s integrator)`),
      riskGroupStat(r));
    const scoresTable = modalityScoresTable(r);
    const horizonsTable = dataTable({
      caption: `Predicted survival S(t) at the model’s horizons (${unit}), with 95% confidence interval`,
      columns: [`t (${unit})`, 'S(t)', 'Lower 95%', 'Upper 95%'],
      rows: r.horizons.map((x) => [timeText(x.time), num(x.surv), num(x.lower), num(x.upper)]),
    });
    horizonsTable.id = 'score-horizons-table';
    const noCi = r.horizons.some((x) => !finite(x.lower));
    this.figure = chartFigure({
      id: 'score-curve',
      title: 'Predicted survival of this patient',
      caption: `Predicted survival S(t) of this patient (line) with its 95% confidence interval (band)${noCi ? ' where available' : ''}; ` +
        `dots mark the model’s horizons. Drawn up to the last event time of the model behind S(t) (${timeText(r.lastTime)} ${unit}).`,
      basename: 'latefuse-patient-survival',
      container: this.el.result,
      build: (width) => survivalCurveChart(r.curve, { horizons: r.horizons, width, title: 'Predicted survival of this patient', timeLabel: `Time (${unit})` }),
    });
    const download = patientCsvButton(() => toCSV(
      ['pattern', ...r.modalities.map((m) => `${m}_score`), 'fused_lp', 'hazard_ratio', 'percentile', 'risk_group',
        ...r.horizons.flatMap((x) => [`surv_${x.time}`, `surv_${x.time}_lower`, `surv_${x.time}_upper`]), 'integrator', 'note'],
      [[r.pattern, ...r.modalities.map((m) => r.scores[m]), r.fusedLp, r.hazardRatio, r.percentile, r.riskLabel ?? '',
        ...r.horizons.flatMap((x) => [x.surv, x.lower, x.upper]), r.integrator, r.note]]));
    replace(this.el.result,
      ...this.resultHead(r, stale, keyNumbers),
      h('div', { class: 'results-grid' },
        h('div', { class: 'panel' }, this.figure.figure),
        h('div', { class: 'panel' }, tableWrap(horizonsTable, 'Predicted survival at the horizons'), tableWrap(scoresTable, 'Modality risk scores'),
          h('div', { class: 'downloads' }, download))));
    const contributions = this.contributionFigure(r);
    if (contributions) this.el.result.querySelector('#score-pattern').after(contributions.figure);
    this.el.result.classList.toggle('stale', !!stale);
    this.figure.draw();
    contributions?.draw();
  }

  /**
   * Which modality pushed this patient's risk up or down: the scoring result's per-modality
   * `contributions` (they add up to the fused score), when the core provides them.
   */
  contributionFigure(r) {
    if (!r.contributions) return null;
    const rows = r.modalities.map((m) => ({ modality: m, contribution: finite(r.contributions[m]) ? r.contributions[m] : null }));
    return chartFigure({
      id: 'score-contributions',
      title: 'Contribution of each modality to the fused risk score',
      caption: `Each modality’s share of this patient’s fused risk score (${fixed(r.fusedLp, 3)}; the bars add up to it): ` +
        'to the right it raises the risk, to the left it lowers it; a modality the patient lacks has no bar.',
      basename: 'latefuse-patient-contributions',
      container: this.el.result,
      build: (width) => contributionChart(rows, { fused: r.fusedLp, width }),
    });
  }

  redraw() {
    if (this.figure && this.figure.figure.isConnected && !this.el.result.closest('[hidden]')) this.figure.draw();
  }
}
