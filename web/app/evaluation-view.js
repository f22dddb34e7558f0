// Rendering of an evaluation (worker-evaluate.js): plain-language summary, key numbers, the
// Kaplan–Meier risk-group chart with its number-at-risk table, the C-index chart, the AUC(t) chart,
// tables as text alternatives, downloads. Every number is a field computed by the core; this module
// only formats and lays them out. Written for reuse: late fusion renders one evaluation per model
// and passes several models to the C-index and AUC charts.
import { h, replace, dataTable, tableWrap } from './dom.js';
import { finite, fixed, pValue, count } from './format.js';
import { kaplanMeierChart, cIndexChart, aucChart, calibrationChart, riskColors, timeText } from './charts.js';
import { chartDownloads, saveText, toCSV } from './download.js';

/** "p = 0.0050" or "p < 0.0001". */
export const pPhrase = (p) => (pValue(p).startsWith('<') ? `p\u00a0${pValue(p)}` : `p\u00a0=\u00a0${pValue(p)}`);
/** A number with its full value kept in data-value (tests and copy/paste use it). */
const num = (text, value, props = {}) => h('span', { class: 'num', 'data-value': String(value), ...props }, text);
const median = (g) => (finite(g.median) ? timeText(g.median) : 'not reached');
const medianCi = (g) => `${finite(g.median_lower) ? timeText(g.median_lower) : '—'}–${finite(g.median_upper) ? timeText(g.median_upper) : 'not reached'}`;

/** A list in words: "a", "a and b", "a, b and c". */
function words(items) {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The plain-language summary; its numbers are formatted exactly as in the key numbers, charts and tables.
 * @param {object} ev an evaluation
 * @param {{timeColumn?: string}} options
 */
export function evaluationSummary(ev, { timeColumn } = {}) {
  const { harrell, permutation, uno, auc, risk_groups: rg } = ev;
  const parts = [];
  let c = `On these ${count(ev.n)} patients (${count(ev.events)} events), the risk score has Harrell's C\u00a0=\u00a0${fixed(harrell.c, 3)}`;
  if (finite(harrell.lower) && finite(harrell.upper)) {
    c += ` (95% CI ${fixed(harrell.lower, 3)}–${fixed(harrell.upper, 3)}, ${count(harrell.replicates)} bootstrap replicates)`;
  }
  if (permutation) {
    c += `, permutation ${pPhrase(permutation.p)} (${count(permutation.permutations)} permutations)`;
    c += permutation.p < 0.05 ? ': it ranks patients better than chance (0.5).' : ': not clearly better than chance (0.5).';
  } else {
    c += '; 0.5 is chance and 1 a perfect ranking.';
  }
  parts.push(c);
  if (auc.time.length) {
    parts.push(`Uno's C up to t = ${timeText(uno.tau)} is ${fixed(uno.c, 3)}; the time-dependent AUC is ${words(auc.auc.map((a) => fixed(a, 3)))} ` +
      `at t = ${words(auc.time.map(timeText))}${finite(auc.mean_auc) && auc.time.length > 1 ? ` (mean AUC ${fixed(auc.mean_auc, 3)})` : ''}.`);
  } else {
    parts.push(`Uno's C is ${fixed(uno.c, 3)}.`);
  }
  const groups = rg.groups;
  if (groups.length >= 2) {
    const high = groups[groups.length - 1];
    const low = groups[0];
    const unit = timeColumn ? ` (time in the units of “${timeColumn}”)` : '';
    let s = `Split at ${rg.split_text} of the score, the ${high.short}-risk group's median survival is ${median(high)} vs ${median(low)} in the ${low.short}-risk group${unit}`;
    if (rg.logrank) s += `, log-rank ${pPhrase(rg.logrank.p)}`;
    parts.push(`${s}.`);
  }
  parts.push('Measured on the patients the model was fitted to, these figures are optimistic; judge a model on patients it has not seen.');
  return parts.join(' ');
}

/** Everything an evaluation shows, as JSON (the report download's "evaluation"; snake_case keys, as every result). */
export function evaluationDocument(ev) {
  const rg = ev.risk_groups;
  return {
    n: ev.n,
    events: ev.events,
    score_direction: ev.higher_is_risk ? 'higher = higher risk' : 'higher = lower risk',
    settings: ev.settings,
    harrell: ev.harrell,
    permutation: ev.permutation,
    uno: ev.uno,
    time_dependent_auc: ev.auc,
    risk_groups: {
      split: rg.split,
      cutpoints: rg.cutpoints,
      conf_type: rg.conf_type,
      logrank: rg.logrank,
      groups: rg.groups.map((g) => ({
        label: g.label, n: g.n, events: g.events, median: g.median, median_lower: g.median_lower, median_upper: g.median_upper,
        at: g.at, curve: g.curve,
      })),
    },
    calibration: ev.calibration ?? null,
    ...(ev.calibration ? {} : { calibration_note: ev.calibration_note }),
    warnings: ev.warnings,
  };
}

/** Per-patient rows: the score and its risk group (the input of `latefuse km --group risk_group`). */
export function riskGroupsCSV(ev, { ids, rowNumbers, time, event, score, idColumn, timeColumn, eventColumn, scoreColumn = 'linear_predictor' }) {
  const short = ev.risk_groups.groups.map((g) => g.short);
  const header = [idColumn ?? 'row', timeColumn, eventColumn, scoreColumn, 'risk_group'];
  const rows = Array.from(score, (s, k) => [ids ? ids[k] : rowNumbers[k], time[k], event[k], s, short[ev.risk_groups.codes[k]]]);
  return toCSV(header, rows);
}

function curvesCSV(ev) {
  const rows = [];
  for (const g of ev.risk_groups.groups) {
    const c = g.curve;
    for (let k = 0; k < c.time.length; k++) rows.push([g.short, c.time[k], c.n_risk[k], c.n_event[k], c.n_censor[k], c.surv[k], c.lower[k], c.upper[k]]);
  }
  return toCSV(['risk_group', 'time', 'n_risk', 'n_event', 'n_censor', 'surv', 'lower_95', 'upper_95'], rows);
}

/**
 * A chart figure: controls (kept across redraws), the SVG, a caption with the values in words,
 * SVG/PNG downloads. `build(width)` returns {svg, description}.
 */
export function chartFigure({ id, title, caption, build, basename, controls = null, container }) {
  const body = h('div', { class: 'chart-body' });
  const hidden = h('span', { class: 'visually-hidden' });
  const figure = h('figure', { class: 'chart', id },
    controls,
    body,
    h('figcaption', {}, caption, ' ', hidden));
  let current = null;
  figure.append(chartDownloads(() => current, basename, title));
  const draw = () => {
    const width = Math.max(280, Math.min(820, Math.floor((figure.clientWidth || container?.clientWidth || 680) - 18)));
    const { svg, description } = build(width);
    current = svg;
    replace(body, svg);
    hidden.textContent = description ? `Values: ${description}.` : '';
  };
  return { figure, draw };
}

/**
 * What every panel of an evaluation reads.
 * @typedef {{ev: any, id: (name: string) => string, modelName: string, modelKind: string, basename: string,
 *   timeColumn?: string, timeLabel: string, patientRows?: object, container: HTMLElement, draws: Array<() => void>}} EvaluationView
 */

/** Key numbers: Harrell's C with its CI, the permutation p, Uno's C, mean AUC(t), the log-rank p. @param {EvaluationView} v */
function evaluationKeyNumbers({ ev, id }) {
  const { harrell, permutation, uno, auc, risk_groups: rg } = ev;
  return h('dl', { class: 'key-numbers five' },
    h('div', { class: 'stat' }, h('dt', {}, "Harrell's C (95% CI)"),
      h('dd', {}, num(fixed(harrell.c, 3), harrell.c, { id: id('eval-c') }),
        h('small', {}, finite(harrell.lower)
          ? [num(fixed(harrell.lower, 3), harrell.lower, { id: id('eval-c-lower') }), '–', num(fixed(harrell.upper, 3), harrell.upper, { id: id('eval-c-upper') }), ` (${count(harrell.replicates)} bootstrap replicates)`]
          : 'no bootstrap interval'))),
    h('div', { class: 'stat' }, h('dt', {}, 'Permutation test of C'),
      h('dd', {}, permutation ? num(pPhrase(permutation.p), permutation.p, { id: id('eval-perm-p') }) : '—',
        h('small', {}, permutation ? `${count(permutation.permutations)} permutations, seed ${ev.settings.seed}` : 'not run (0 permutations)'))),
    h('div', { class: 'stat' }, h('dt', {}, "Uno's C"),
      h('dd', {}, num(fixed(uno.c, 3), uno.c, { id: id('eval-uno') }),
        h('small', {}, finite(uno.tau) ? `up to t = ${timeText(uno.tau)}` : 'whole follow-up'))),
    h('div', { class: 'stat' }, h('dt', {}, 'Mean AUC(t)'),
      h('dd', {}, finite(auc.mean_auc) ? num(fixed(auc.mean_auc, 3), auc.mean_auc, { id: id('eval-mean-auc') }) : '—',
        h('small', {}, auc.time.length ? `at t = ${auc.time.map(timeText).join(', ')}` : 'no horizon'))),
    h('div', { class: 'stat' }, h('dt', {}, 'Log-rank test of the risk groups'),
      h('dd', {}, rg.logrank ? num(pPhrase(rg.logrank.p), rg.logrank.p, { id: id('eval-logrank-p') }) : '—',
        h('small', {}, rg.logrank ? `χ² = ${fixed(rg.logrank.chisq, 2)} on ${rg.logrank.df} df` : 'one group only'))));
}

/** Kaplan–Meier curves of the risk groups with the number at risk, and the risk-group table. @param {EvaluationView} v */
function riskGroupPanel({ ev, id, modelName, basename, timeLabel, container, draws }) {
  const rg = ev.risk_groups;
  const colors = riskColors(rg.groups.length);
  const kmTitle = `Kaplan–Meier survival by risk group (split at ${rg.split_text} of the ${modelName} score)`;
  const ciId = id('km-ci');
  const ciBox = h('input', { type: 'checkbox', id: ciId });
  const kmControls = h('div', { class: 'check chart-controls' }, ciBox, h('label', { for: ciId }, 'Show 95% confidence bands'));
  const kmDescription = rg.groups.map((g) => `${g.label}: ${g.n} patients, ${g.events} events, median survival ${median(g)}`).join('; ') +
    (rg.logrank ? `; log-rank ${pPhrase(rg.logrank.p)}` : '');
  const km = chartFigure({
    id: id('km-figure'),
    title: kmTitle,
    basename: `${basename}-km`,
    container,
    controls: kmControls,
    caption: h('span', {},
      `Survival of the patients in each risk group (step curves; + = censored). Numbers at risk under the plot. `,
      rg.logrank ? h('strong', {}, `Log-rank χ² = ${fixed(rg.logrank.chisq, 2)} on ${rg.logrank.df} df, ${pPhrase(rg.logrank.p)}.`) : 'One risk group only: no log-rank test.'),
    build: (width) => kaplanMeierChart({
      groups: rg.groups.map((g, i) => ({ label: g.label, color: colors[i], curve: g.curve, atRisk: g.at.n_risk })),
      atTimes: rg.at_times,
      showCI: ciBox.checked,
      width,
      title: kmTitle,
      timeLabel,
      description: kmDescription,
    }),
  });
  ciBox.addEventListener('change', () => km.draw());
  draws.push(km.draw);
  const kmTable = dataTable({
    className: 'data keep-heads',
    caption: `Risk groups: patients, events, median survival (95% CI) and number at risk${rg.logrank ? ` (log-rank ${pPhrase(rg.logrank.p)})` : ''}`,
    columns: ['Risk group', 'Patients', 'Events', 'Median survival (95% CI)', ...rg.at_times.map((t) => `At risk, t = ${timeText(t)}`)],
    rows: rg.groups.map((g) => [
      g.label,
      num(count(g.n), g.n),
      num(count(g.events), g.events),
      h('span', { class: 'num', 'data-value': String(g.median ?? ''), 'data-lower': String(g.median_lower ?? ''), 'data-upper': String(g.median_upper ?? '') },
        `${median(g)} (${medianCi(g)})`),
      ...g.at.n_risk.map((v) => num(count(v), v)),
    ]),
  });
  kmTable.id = id('km-table');

  return h('div', { class: 'panel' }, h('h3', {}, 'Risk groups'), km.figure, tableWrap(kmTable, 'Risk group table'));
}

/** Harrell's C with its bootstrap CI and permutation p, and Uno's C. @param {EvaluationView} v */
function discriminationPanel({ ev, id, modelName, modelKind, basename, container, draws }) {
  const { harrell, permutation, uno } = ev;
  // One model here (the chart takes a list: late fusion passes one row per model).
  const models = [{ name: modelName, kind: modelKind, c: harrell.c, lower: harrell.lower, upper: harrell.upper, p: permutation ? permutation.p : null }];
  const cTitle = "Harrell's C-index with 95% bootstrap confidence interval";
  const cFigure = chartFigure({
    id: id('cindex-figure'),
    title: cTitle,
    basename: `${basename}-cindex`,
    container,
    caption: `Dot: Harrell's C; whisker: 95% bootstrap percentile interval (${count(harrell.replicates)} replicates); dashed line: chance (0.5). Beside each row: the permutation p-value (* and a filled dot: p < 0.05).`,
    build: (width) => cIndexChart(models, { width, title: cTitle }),
  });
  draws.push(cFigure.draw);
  const cTable = dataTable({
    className: 'data keep-heads',
    caption: 'C-index by model',
    columns: ['Model', "Harrell's C", '95% CI', 'Permutation p', "Uno's C"],
    rows: models.map((m) => [m.name, num(fixed(m.c, 3), m.c),
      finite(m.lower) ? `${fixed(m.lower, 3)}–${fixed(m.upper, 3)}` : '—',
      finite(m.p) ? num(pValue(m.p), m.p) : '—',
      num(fixed(uno.c, 3), uno.c)]),
  });
  cTable.id = id('cindex-table');

  return h('div', { class: 'panel' }, h('h3', {}, 'Discrimination'), cFigure.figure, tableWrap(cTable, 'C-index table'));
}

/** AUC(t) at the horizons, or why there is none. @param {EvaluationView} v */
function aucPanel({ ev, id, modelName, basename, timeLabel, container, draws }) {
  const { auc } = ev;
  const aucTitle = 'Time-dependent AUC (cumulative/dynamic)';
  if (auc.time.length) {
    const aFigure = chartFigure({
      id: id('auc-figure'),
      title: aucTitle,
      basename: `${basename}-auc`,
      container,
      caption: 'AUC(t): how well the score separates patients with an event by time t from those still event-free at t (0.5 = chance, 1 = perfect). Dotted line: the mean AUC.',
      build: (width) => aucChart([{ name: modelName, time: auc.time, auc: auc.auc, meanAuc: auc.mean_auc }], { width, title: aucTitle, timeLabel }),
    });
    draws.push(aFigure.draw);
    const aTable = dataTable({
      caption: `Time-dependent AUC${finite(auc.mean_auc) ? ` (mean ${fixed(auc.mean_auc, 3)})` : ''}`,
      columns: ['Time t', 'AUC(t)'],
      rows: auc.time.map((t, k) => [num(timeText(t), t), num(fixed(auc.auc[k], 3), auc.auc[k])]),
    });
    aTable.id = id('auc-table');
    return h('div', { class: 'panel' }, h('h3', {}, 'Time-dependent AUC'), aFigure.figure, tableWrap(aTable, 'Time-dependent AUC table'));
  }
  return h('div', { class: 'panel' }, h('h3', {}, 'Time-dependent AUC'), h('p', { class: 'notice', role: 'note' }, 'No horizon within the follow-up: give horizons above to get AUC(t).'));
}

/** Calibration at the last horizon: only when the core provides each patient's predicted survival. @param {EvaluationView} v */
function calibrationPanel({ ev, id, basename, container, draws }) {
  if (ev.calibration) {
    const cal = ev.calibration;
    const calTitle = `Calibration at t = ${timeText(cal.horizon)}`;
    const calFigure = chartFigure({
      id: id('calibration-figure'),
      title: calTitle,
      basename: `${basename}-calibration`,
      container,
      caption: 'Observed (Kaplan–Meier, with 95% CI) against mean predicted survival, by group of predicted risk; the dashed diagonal is perfect calibration.',
      build: (width) => calibrationChart(cal.groups, { width, title: calTitle, horizon: cal.horizon }),
    });
    draws.push(calFigure.draw);
    const slope = Number.isFinite(cal.slope)
      ? `Calibration slope ${cal.slope.toFixed(2)}` + (Number.isFinite(cal.slope_lower) ? ` (95% CI ${cal.slope_lower.toFixed(2)}–${cal.slope_upper.toFixed(2)})` : '') + '; 1 = perfect.'
      : '';
    return h('div', { class: 'panel' }, h('h3', {}, 'Calibration'), calFigure.figure,
      h('p', { class: 'hint', id: id('calibration-slope') }, slope));
  }
  return h('div', { class: 'panel' }, h('h3', {}, 'Calibration'),
    h('p', { class: 'notice', role: 'note', id: id('calibration-note') },
      `Not shown: ${ev.calibration_note ?? 'no calibration for this model'}.`));
}

/**
 * Render an evaluation into `container`: summary, key numbers, risk groups, discrimination and
 * AUC(t) side by side, calibration, downloads.
 * @param {HTMLElement} container
 * @param {any} ev the evaluation (worker-evaluate.js)
 * @param {{modelName: string, modelKind?: string, basename: string, timeColumn?: string, patientRows?: object, idPrefix?: string}} options
 *   patientRows: the per-patient columns for the risk-groups CSV (see riskGroupsCSV); idPrefix: prefix of
 *   the element ids (several evaluations on one page)
 * @returns {{redraw: () => void}}
 */
export function renderEvaluation(container, ev, { modelName, modelKind = 'Cox', basename, timeColumn, patientRows, idPrefix = '' }) {
  const id = (name) => `${idPrefix}${name}`;
  const timeLabel = timeColumn && !/^time$/i.test(timeColumn) ? `Time (${timeColumn})` : 'Time';
  /** @type {EvaluationView} */
  const v = { ev, id, modelName, modelKind, basename, timeColumn, timeLabel, patientRows, container, draws: [] };
  const warnings = ev.warnings?.length
    ? h('div', { class: 'notice warn', role: 'note' }, h('strong', {}, 'Notes: '), ev.warnings.join(' '))
    : null;
  const downloads = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download evaluation results' },
    patientRows ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${basename}-risk-groups.csv`, riskGroupsCSV(ev, patientRows), 'text/csv') }, 'Risk groups CSV') : null,
    h('button', { type: 'button', class: 'small', onclick: () => saveText(`${basename}-km-curves.csv`, curvesCSV(ev), 'text/csv') }, 'Kaplan–Meier curves CSV'));

  replace(container,
    h('p', { class: 'summary', id: id('eval-summary') }, evaluationSummary(ev, { timeColumn })),
    warnings,
    evaluationKeyNumbers(v),
    riskGroupPanel(v),
    h('div', { class: 'results-grid' }, discriminationPanel(v), aucPanel(v)),
    calibrationPanel(v),
    h('h3', {}, 'Downloads'),
    h('p', { class: 'hint' }, 'The Report JSON above includes this evaluation.'),
    downloads);
  const redraw = () => { for (const draw of v.draws) draw(); };
  redraw();
  return { redraw };
}
