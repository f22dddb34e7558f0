// The result panels of a late-fusion run, one small function each: `(view) -> DOM node or null`
// (null: nothing to show for this run, e.g. no elastic-net selection). fusion-view.js lists them per
// outcome family in `PANELS` and builds the `view` they all read (fusionView). A panel with a chart
// registers the chart's draw in `view.draws` (the page redraws every chart on resize).
// Every number is a field of the engine's report (fusion-model.js) or of the core's Kaplan–Meier
// curves, predictions and calibration of the same patients (worker-fusion.js); panels only format
// and lay them out.
import { h, replace, dataTable, tableWrap } from './dom.js';
import { finite, fixed, sig, pValue, count } from './format.js';
import { cIndexChart, kaplanMeierChart, kendallHeatmap, forestPlot, aucChart, calibrationChart, riskColors, timeText, proportionChart, binaryCalibrationChart } from './charts.js';
import { chartFigure, pPhrase } from './evaluation-view.js';

/**
 * What every panel reads (built once per run by fusion-view.js fusionView).
 * @typedef {object} FusionView
 * @property {any} run  the run (Run demo or the user's files: worker-fusion.js result + source)
 * @property {any} rep  the report's view model (fusion-model.js readReport)
 * @property {any} bin  its binary fields (fusion-model.js readBinaryReport)
 * @property {boolean} binary  a binary outcome
 * @property {'C'|'AUC'} M  the discrimination metric's name
 * @property {boolean} simulated  the Run-demo cohort (not the user's files)
 * @property {string} base  the basename of every download
 * @property {string|null} unit  the time unit, when known
 * @property {string} timeLabel  the time axis' label
 * @property {any} late  the late-fusion model of the report (or null)
 * @property {any} early  the early-fusion model (or null)
 * @property {any} best  the best single modality on the common test patients (or null)
 * @property {any[]} models  every model, in the page's order (fusion-view.js sortedModels)
 * @property {any} report  the report document (the Report JSON download)
 * @property {{text: string|null, error?: string|null}} model  the model file the engine wrote
 * @property {any} elasticNet  the elastic-net selection of the model file (fusion-model.js readModelFile), or null
 * @property {boolean} holdsTrainingData  the model file keeps per-patient training rows (fusion-model.js readModelFile)
 * @property {HTMLElement} container  the results' container (chart widths fall back to it)
 * @property {Array<() => void>} draws  the chart draws, called after the panels are in the page
 */

/** @typedef {(view: FusionView) => Node | Node[] | null} Panel */

/**
 * A number shown rounded, its full value in `data-value` (for the tests and screen readers).
 * @param {string} text
 * @param {unknown} value
 * @param {Record<string, any>} [props]
 */
export const num = (text, value, props = {}) => h('span', { class: 'num', 'data-value': String(value ?? ''), ...props }, text);
/** @param {number|null|undefined} x */
export const c3 = (x) => fixed(x, 3);
/** @param {{lower?: number|null, upper?: number|null}|null|undefined} s */
export const ci = (s) => (s && finite(s.lower) && finite(s.upper) ? `${c3(s.lower)}–${c3(s.upper)}` : '—');
/**
 * A proportion as a percentage (formatting only).
 * @param {number|null|undefined} x
 */
export const pct = (x, digits = 0) => (finite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

/**
 * A list in words: "a", "a and b", "a, b and c".
 * @param {string[]} items
 */
export const words = (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** Display name of a model of the report. */
export function modelLabel(m) {
  if (m.kind === 'integrator') return `pattern ${m.modalities.join(' + ')}`;
  if (m.kind === 'late') return 'Late fusion';
  if (m.kind === 'late-complete-case') return 'Late fusion, complete-case training';
  if (m.kind === 'early') return m.name.charAt(0).toUpperCase() + m.name.slice(1);
  return m.name;
}

/** A short label for the charts (the full name is in the tables and the text alternative). */
export function chartLabel(m, all) {
  if (m.kind !== 'integrator') return modelLabel(m);
  if (all && m.modalities.length === all.length) return 'all modalities';
  return m.modalities.map((x) => x.slice(0, 4)).join('+');
}

/** @type {Record<string, string>} */
export const KIND_TEXT = { unimodal: 'single modality', integrator: 'combination integrator', late: 'late fusion', early: 'early fusion',
  'late-complete-case': 'late fusion trained on complete cases only' };

/** "High risk" from a group label "high". */
const groupLabel = (g) => `${g.label.charAt(0).toUpperCase()}${g.label.slice(1)} risk`;

/** The first sentence of a risk-group caption: how the test patients were split. */
const cutpointText = (view) => `Test patients split at the cut-point${view.rep.riskGroups.cutpoints.length > 1 ? 's' : ''} of the late-fusion score chosen on the training patients (${view.rep.riskGroups.cutpoints.map((c) => sig(c, 4)).join(', ')}).`;

/** A panel: a heading, then its content. */
const panel = (heading, ...content) => h('div', { class: 'panel' }, h('h3', {}, heading), ...content);

/**
 * Key numbers: late fusion on the common and on all test patients, the best single modality, early
 * fusion, and the risk groups' test (log-rank, or chi-square for a binary outcome).
 * @type {Panel}
 */
export function keyNumbersPanel({ rep, bin, binary, late, early, best }) {
  const stat = (title, value, raw, id, small) => h('div', { class: 'stat' }, h('dt', {}, title),
    h('dd', {}, num(value, raw, { id }), h('small', {}, small)));
  return h('dl', { class: 'key-numbers five' },
    late ? stat(`Late fusion${binary ? ' AUC' : ''}, common test patients`, c3(late.common?.c), late.common?.c, 'fusion-late-c', `95% CI ${ci(late.common)}; ${count(late.common?.n)} patients`) : null,
    late ? stat(`Late fusion${binary ? ' AUC' : ''}, all test patients`, c3(late.test?.c), late.test?.c, 'fusion-late-c-all', `95% CI ${ci(late.test)}; ${count(late.test?.n)} patients`) : null,
    best ? stat('Best single modality', c3(best.common.c), best.common.c, 'fusion-best-c', `${best.name}, common test patients`) : null,
    early ? stat(early.name.charAt(0).toUpperCase() + early.name.slice(1), c3(early.common?.c), early.common?.c, 'fusion-early-c', `common test patients; 95% CI ${ci(early.common)}`) : null,
    binary && finite(bin.riskGroups.test?.p)
      ? stat('Chi-square, test risk groups', pPhrase(bin.riskGroups.test.p), bin.riskGroups.test.p, 'fusion-chisq-p', `χ² = ${fixed(bin.riskGroups.test.chisq, 2)} on ${bin.riskGroups.test.df} df`)
      : null,
    !binary && rep.riskGroups.test && finite(rep.riskGroups.test.p)
      ? stat('Log-rank, test risk groups', pPhrase(rep.riskGroups.test.p), rep.riskGroups.test.p, 'fusion-logrank-p', `χ² = ${fixed(rep.riskGroups.test.chisq, 2)} on ${rep.riskGroups.test.df} df`)
      : null);
}

/** The binary outcome's note: which measures apply. @type {Panel} */
export function binaryNotePanel({ bin, M }) {
  return bin.note ? h('p', { class: 'hint', id: 'fusion-binary-note' }, `Binary outcome: logistic submodels and integrators; ${M} is the area under the ROC curve. Time-dependent measures (Uno’s C, AUC(t), integrated Brier score) and Kaplan–Meier curves do not apply.`) : null;
}

/**
 * Discrimination: the C-index (or AUC) chart of every model on the common test patients and on all
 * test patients each model can score, and the table (`discriminationTable` of the family).
 * @type {Panel}
 */
export function discriminationPanel(view) {
  const { rep, binary, M, base, container, models } = view;
  const cRows = (key) => models.map((m) => ({ name: chartLabel(m, rep.modalities) + (key === 'test' ? ` (n = ${m.test?.n ?? '—'})` : ''), kind: KIND_TEXT[m.kind] ?? m.kind, c: m[key]?.c, lower: m[key]?.lower, upper: m[key]?.upper, p: m[key]?.p }));
  const cCaption = `Rows such as radi+geno+clin are the integrators of availability patterns (the first letters of each modality). Dot: ${binary ? 'AUC (the probability that a case is scored above a control)' : "Harrell's C"}; whisker: 95% bootstrap percentile interval; beside each row: the permutation p-value (* and a filled dot: p < 0.05). Dashed line: chance (0.5).`;
  const cAxis = binary ? 'AUC →' : "Harrell's C-index →";
  const commonTitle = `${binary ? 'AUC' : 'C-index'} of every model on the ${rep.split.commonTest ?? ''} test patients who have every modality`;
  const commonFigure = chartFigure({
    id: 'fusion-cindex-common', title: commonTitle, basename: `${base}-cindex-common`, container,
    caption: `The same patients for every model, so the values are comparable. ${cCaption}`,
    build: (width) => cIndexChart(cRows('common'), { width, title: commonTitle, label: cAxis, metric: M }),
  });
  const allTitle = `${binary ? 'AUC' : 'C-index'} of every model on all the test patients it can score`;
  const allFigure = chartFigure({
    id: 'fusion-cindex-all', title: allTitle, basename: `${base}-cindex-all`, container,
    caption: `Each model on the test patients who have its modalities (n beside the name; late fusion scores every patient by their own pattern). ${cCaption}`,
    build: (width) => cIndexChart(cRows('test'), { width, title: allTitle, label: cAxis, metric: M }),
  });
  view.draws.push(commonFigure.draw, allFigure.draw);
  const cTable = binary ? aucTable(view) : cIndexTable(view);
  cTable.id = 'fusion-cindex-table';
  return panel('Discrimination on the test patients', commonFigure.figure, allFigure.figure, tableWrap(cTable, binary ? 'AUC table' : 'C-index table'));
}

/** Survival: Harrell's C of every model on both sets of test patients, and Uno's C. */
function cIndexTable({ models }) {
  return dataTable({
    className: 'data wrap-heads',
    caption: "Harrell's C by model: common test patients and all test patients each model can score",
    columns: ['Model', 'Kind', 'C (common)', '95% CI', 'p', 'C (all)', '95% CI', 'p', 'Patients (all)', "Uno's C (all)"],
    rows: models.map((m) => [
      modelLabel(m), KIND_TEXT[m.kind] ?? m.kind,
      num(c3(m.common?.c), m.common?.c, { 'data-model': m.name, 'data-subset': 'common' }), ci(m.common), finite(m.common?.p) ? num(pValue(m.common.p), m.common.p) : '—',
      num(c3(m.test?.c), m.test?.c, { 'data-model': m.name, 'data-subset': 'test' }), ci(m.test), finite(m.test?.p) ? num(pValue(m.test.p), m.test.p) : '—',
      num(count(m.test?.n), m.test?.n), num(c3(m.test?.uno), m.test?.uno),
    ]),
  });
}

/** Binary: the AUC of every model (bootstrap and DeLong CIs), the Brier score and calibration. */
function aucTable({ models, bin }) {
  const bRow = (m) => bin.models.get(m.name)?.test ?? {};
  return dataTable({
    className: 'data wrap-heads',
    caption: 'AUC by model: common test patients and all test patients each model can score; Brier score and calibration on all',
    columns: ['Model', 'Kind', 'AUC (common)', '95% CI', 'p', 'AUC (all)', '95% CI (bootstrap)', '95% CI (DeLong)', 'p', 'Patients (cases)', 'Brier', 'Calibration intercept', 'Calibration slope'],
    rows: models.map((m) => [
      modelLabel(m), KIND_TEXT[m.kind] ?? m.kind,
      num(c3(m.common?.c), m.common?.c, { 'data-model': m.name, 'data-subset': 'common' }), ci(m.common), finite(m.common?.p) ? num(pValue(m.common.p), m.common.p) : '—',
      num(c3(m.test?.c), m.test?.c, { 'data-model': m.name, 'data-subset': 'test' }), ci(m.test),
      finite(bRow(m).delongLower) ? `${c3(bRow(m).delongLower)}–${c3(bRow(m).delongUpper)}` : '—',
      finite(m.test?.p) ? num(pValue(m.test.p), m.test.p) : '—',
      h('span', {}, num(count(m.test?.n), m.test?.n), ` (${count(bRow(m).cases)})`),
      num(fixed(bRow(m).brier, 3), bRow(m).brier, { 'data-metric': 'brier' }),
      num(fixed(bRow(m).calibrationIntercept, 2), bRow(m).calibrationIntercept, { 'data-metric': 'calibration-intercept' }),
      num(fixed(bRow(m).calibrationSlope, 2), bRow(m).calibrationSlope, { 'data-metric': 'calibration-slope' }),
    ]),
  });
}

/** The cut-point note under a risk-group panel. */
const cutpointNote = (rep) => (rep.riskGroups.note ? h('p', { class: 'hint' }, `Cut-points: ${rep.riskGroups.note}.`) : null);

/**
 * Survival: Kaplan–Meier curves of the late-fusion risk groups (test patients, training
 * cut-points) with the number at risk and the log-rank test, and the risk-group table.
 * @type {Panel}
 */
export function kaplanMeierPanel(view) {
  const { run: { km }, rep, base, container, timeLabel } = view;
  if (!km || !km.groups.length) return null;
  const rgTest = rep.riskGroups.test;
  const colors = riskColors(km.groups.length);
  const kmTitle = 'Kaplan–Meier survival of the test patients by late-fusion risk group (training cut-point)';
  const ciId = 'fusion-km-ci';
  const ciBox = h('input', { type: 'checkbox', id: ciId });
  const p = finite(rgTest?.p) ? rgTest.p : km.logrank?.p;
  const chisq = finite(rgTest?.chisq) ? rgTest.chisq : km.logrank?.chisq;
  const df = rgTest?.df ?? km.logrank?.df;
  const description = km.groups.map((g) => `${groupLabel(g)}: ${g.n} patients, ${g.events} events, median survival ${finite(g.median) ? timeText(g.median) : 'not reached'}`).join('; ') +
    (finite(p) ? `; log-rank ${pPhrase(p)}` : '');
  const kmFigure = chartFigure({
    id: 'fusion-km', title: kmTitle, basename: `${base}-km`, container,
    controls: h('div', { class: 'check chart-controls' }, ciBox, h('label', { for: ciId }, 'Show 95% confidence bands')),
    caption: h('span', {}, `${cutpointText(view)} Numbers at risk under the plot; + = censored. `,
      finite(p) ? h('strong', {}, `Log-rank χ² = ${fixed(chisq, 2)} on ${df} df, ${pPhrase(p)}.`) : ''),
    build: (width) => kaplanMeierChart({
      groups: km.groups.map((g, i) => ({ label: groupLabel(g), color: colors[i], curve: g.curve, atRisk: g.at_risk })),
      atTimes: km.at_times, showCI: ciBox.checked, width, title: kmTitle, timeLabel, description,
    }),
  });
  ciBox.addEventListener('change', () => kmFigure.draw());
  view.draws.push(kmFigure.draw);
  const kmTable = dataTable({
    className: 'data keep-heads',
    caption: `Late-fusion risk groups of the test patients${finite(p) ? ` (log-rank ${pPhrase(p)})` : ''}`,
    columns: ['Risk group', 'Patients', 'Events', 'Median survival (95% CI)', ...km.at_times.map((t) => `At risk, t = ${timeText(t)}`)],
    rows: km.groups.map((g) => [
      groupLabel(g), num(count(g.n), g.n), num(count(g.events), g.events),
      h('span', { class: 'num', 'data-value': String(g.median ?? '') }, `${finite(g.median) ? timeText(g.median) : 'not reached'} (${finite(g.median_lower) ? timeText(g.median_lower) : '—'}–${finite(g.median_upper) ? timeText(g.median_upper) : 'not reached'})`),
      ...g.at_risk.map((v) => num(count(v), v)),
    ]),
  });
  kmTable.id = 'fusion-km-table';
  return panel('Risk groups', kmFigure.figure, tableWrap(kmTable, 'Risk group table'), cutpointNote(rep));
}

/**
 * Binary: the risk groups' observed proportions of cases (Wilson CIs) and the chi-square test.
 * @type {Panel}
 */
export function proportionsPanel(view) {
  const { bin, rep, base, container } = view;
  const brg = bin.riskGroups.test;
  if (!brg || !brg.groups.length) return null;
  const pTitle = 'Observed proportion of cases in the test patients by late-fusion risk group (training cut-point)';
  const pFigure = chartFigure({
    id: 'fusion-proportions', title: pTitle, basename: `${base}-risk-groups`, container,
    caption: h('span', {}, `${cutpointText(view)} Dot: the share of cases (y = 1) in the group; whisker: 95% Wilson interval. `,
      finite(brg.p) ? h('strong', {}, `Chi-square χ² = ${fixed(brg.chisq, 2)} on ${brg.df} df, ${pPhrase(brg.p)}.`) : ''),
    build: (width) => proportionChart(brg.groups.map((g) => ({ ...g, label: groupLabel(g) })), { width, title: pTitle }),
  });
  view.draws.push(pFigure.draw);
  const pTable = dataTable({
    className: 'data keep-heads',
    caption: `Late-fusion risk groups of the test patients${finite(brg.p) ? ` (chi-square test of equal proportions, ${pPhrase(brg.p)})` : ''}`,
    columns: ['Risk group', 'Patients', 'Cases', 'Observed proportion', '95% CI (Wilson)'],
    rows: brg.groups.map((g) => [groupLabel(g), num(count(g.n), g.n), num(count(g.cases), g.cases), num(pct(g.proportion, 1), g.proportion),
      h('span', { class: 'num', 'data-lower': String(g.lower ?? ''), 'data-upper': String(g.upper ?? '') }, `${pct(g.lower, 1)}–${pct(g.upper, 1)}`)]),
  });
  pTable.id = 'fusion-proportions-table';
  return panel('Risk groups', pFigure.figure, tableWrap(pTable, 'Risk group table'), cutpointNote(rep));
}

/** Kendall's tau between the unimodal scores (test patients). @type {Panel} */
export function kendallPanel(view) {
  const { rep: { kendall: kd }, base, container } = view;
  if (kd.modalities.length < 2 || !kd.tau.length) return null;
  const kTitle = "Kendall's tau between the unimodal risk scores (test patients)";
  const kFigure = chartFigure({
    id: 'fusion-kendall', title: kTitle, basename: `${base}-kendall`, container,
    caption: 'Rank agreement of each pair of modalities’ risk scores on the test patients who have both (1 = the same ordering, 0 = unrelated). Low values mean the modalities carry different information, which is when fusing them can help.',
    build: (width) => kendallHeatmap({ names: kd.modalities, tau: kd.tau, p: kd.p, n: kd.n }, { width, title: kTitle }),
  });
  view.draws.push(kFigure.draw);
  const pairs = [];
  kd.modalities.forEach((a, i) => kd.modalities.forEach((b, j) => { if (i < j) pairs.push([a, b, i, j]); }));
  const kTable = dataTable({
    className: 'data keep-heads',
    caption: "Kendall's tau-b of each pair of unimodal scores (test patients with both)",
    columns: ['Pair', 'tau', 'p', 'Patients'],
    rows: pairs.map(([a, b, i, j]) => [`${a} – ${b}`, num(fixed(kd.tau[i]?.[j], 3), kd.tau[i]?.[j]), finite(kd.p[i]?.[j]) ? num(pValue(kd.p[i][j]), kd.p[i][j]) : '—', num(count(kd.n[i]?.[j]), kd.n[i]?.[j])]),
  });
  kTable.id = 'fusion-kendall-table';
  return panel('Do the modalities agree?', kFigure.figure, tableWrap(kTable, "Kendall's tau table"));
}

/** Survival: AUC(t) of late fusion, early fusion and the best single modality (common test patients). @type {Panel} */
export function aucPanel(view) {
  const { late, early, best, base, container, timeLabel } = view;
  const aucModels = [late, early, best].filter((m) => m?.common?.auc?.length);
  if (!aucModels.length) return null;
  const aTitle = 'Time-dependent AUC on the common test patients';
  const aFigure = chartFigure({
    id: 'fusion-auc', title: aTitle, basename: `${base}-auc`, container,
    caption: 'AUC(t): how well each score separates the patients with an event by time t from those still event-free (0.5 = chance).',
    build: (width) => aucChart(aucModels.map((m) => ({ name: modelLabel(m), time: m.common.auc.map((a) => a.time), auc: m.common.auc.map((a) => a.auc) })), { width, title: aTitle, timeLabel }),
  });
  view.draws.push(aFigure.draw);
  const times = aucModels[0].common.auc.map((a) => a.time);
  const aTable = dataTable({
    className: 'data',
    caption: 'AUC(t) on the common test patients',
    columns: ['Model', ...times.map((t) => `t = ${timeText(t)}`)],
    rows: aucModels.map((m) => [modelLabel(m), ...m.common.auc.map((a) => num(fixed(a.auc, 3), a.auc))]),
  });
  aTable.id = 'fusion-auc-table';
  return panel('Time-dependent AUC', aFigure.figure, tableWrap(aTable, 'AUC table'));
}

/** Why calibration is not shown (the worker's note), or nothing. */
const calibrationNote = ({ run }) => (run.calibrationNote
  ? panel('Calibration', h('p', { class: 'notice', role: 'note', id: 'fusion-calibration-note' }, `Not shown: ${run.calibrationNote}.`))
  : null);

/**
 * Survival: observed (Kaplan–Meier) against mean predicted survival of the test patients at the
 * calibration horizon, by group of predicted risk (model file -> S(t); the core's calibration).
 * @type {Panel}
 */
export function survivalCalibrationPanel(view) {
  const { run: { calibration: cal }, unit, base, container } = view;
  if (!cal) return calibrationNote(view);
  const at = `${timeText(cal.horizon)}${unit ? ` ${unit}` : ''}`;
  const calTitle = `Calibration of the late-fusion model at t = ${at} (test patients)`;
  const calFigure = chartFigure({
    id: 'fusion-calibration', title: calTitle, basename: `${base}-calibration`, container,
    caption: `Observed (Kaplan–Meier, with 95% CI) against mean predicted survival at t = ${at}, in ${cal.groups.length} groups of predicted risk of the ${count(cal.n)} test patients; the dashed diagonal is perfect calibration.`,
    build: (width) => calibrationChart(cal.groups, { width, title: calTitle, horizon: cal.horizon }),
  });
  view.draws.push(calFigure.draw);
  const calTable = dataTable({
    className: 'data',
    caption: `Calibration at t = ${at}: predicted vs observed survival by group of predicted risk`,
    columns: ['Group', 'Patients', 'Events', 'Predicted S(t)', 'Observed S(t)', '95% CI'],
    rows: cal.groups.map((g, i) => [`${i + 1}`, num(count(g.n), g.n), num(count(g.events), g.events), num(fixed(g.predicted, 3), g.predicted),
      num(fixed(g.observed, 3), g.observed), `${fixed(g.lower, 3)}–${fixed(g.upper, 3)}`]),
  });
  calTable.id = 'fusion-calibration-table';
  const slope = finite(cal.slope)
    ? h('p', { class: 'hint', id: 'fusion-calibration-slope' }, 'Calibration slope ', num(fixed(cal.slope, 2), cal.slope),
      finite(cal.slope_lower) ? ` (95% CI ${fixed(cal.slope_lower, 2)}–${fixed(cal.slope_upper, 2)})` : '', '; 1 = perfect, below 1 = predictions too extreme.')
    : null;
  return panel('Calibration', calFigure.figure, slope, tableWrap(calTable, 'Calibration table'));
}

/**
 * Binary: the calibration curve of the late-fusion predicted probabilities (the core's logistic
 * recalibration), with the calibration intercept, slope and Brier score.
 * @type {Panel}
 */
export function binaryCalibrationPanel(view) {
  const { run: { calibration: cal }, late, bin, base, container } = view;
  if (!cal) return calibrationNote(view);
  const lb = late ? bin.models.get(late.name)?.test : null;
  const calTitle = 'Calibration of the late-fusion predicted probabilities (test patients)';
  const calFigure = chartFigure({
    id: 'fusion-calibration', title: calTitle, basename: `${base}-calibration`, container,
    caption: `Line: the observed probability of the outcome as a function of the predicted probability (a logistic regression of the ${count(cal.n)} test patients’ outcomes on the model’s log-odds); dashed diagonal: perfect calibration. Ticks: each patient’s predicted probability, cases at the top, controls at the bottom.`,
    build: (width) => binaryCalibrationChart(cal.points, { width, title: calTitle, intercept: lb?.calibrationIntercept, slope: lb?.calibrationSlope }),
  });
  view.draws.push(calFigure.draw);
  const calText = lb && finite(lb.calibrationSlope)
    ? h('p', { class: 'hint', id: 'fusion-calibration-slope' }, 'Calibration intercept ', num(fixed(lb.calibrationIntercept, 2), lb.calibrationIntercept, { 'data-metric': 'intercept' }),
      ' (0 = the predicted risks are right on average; above 0 = too low), slope ', num(fixed(lb.calibrationSlope, 2), lb.calibrationSlope, { 'data-metric': 'slope' }),
      ' (1 = perfect; below 1 = predictions too extreme, above 1 = too modest), Brier score ', num(fixed(lb.brier, 3), lb.brier, { 'data-metric': 'brier' }),
      ` (mean squared error of the probabilities; lower is better), on ${count(late.test.n)} test patients.`)
    : null;
  return panel('Calibration', calFigure.figure, calText);
}

/**
 * A forest plot and coefficient table of one submodel or integrator, chosen with a select.
 * `kind`: 'unimodal' (the submodels) or 'integrator'. Hazard ratios, or odds ratios for a binary outcome.
 */
function forestPanel(view, kind, heading, help) {
  const { rep, bin, binary, base, container } = view;
  const coefficientTables = binary
    ? bin.coefficients.map((t) => ({ ...t, terms: t.terms.map((x) => ({ ...x, hr: x.or })) }))
    : rep.coefficients;
  const ratioWords = binary ? 'odds ratios' : 'hazard ratios';
  const tables = coefficientTables.filter((t) => (kind === 'integrator' ? t.kind === 'integrator' : t.kind === 'unimodal' || t.kind === 'submodel'));
  if (!tables.length) return null;
  const selectId = `fusion-forest-${kind}-select`;
  const optionText = (t) => {
    const parts = t.model.replace(/^integrator /, '').split('+');
    const text = parts.join(' + ');
    return kind === 'integrator' && parts.length === rep.modalities.length ? `all modalities (${text})` : text;
  };
  const select = h('select', { id: selectId }, tables.map((t, i) => h('option', { value: String(i) }, optionText(t))));
  // Default: the integrator with the most modalities (the complete pattern), the first submodel.
  if (kind === 'integrator') {
    let bestI = 0;
    tables.forEach((t, i) => { if (t.terms.length > tables[bestI].terms.length) bestI = i; });
    select.value = String(bestI);
  }
  const titleOf = () => `${kind === 'integrator' ? 'Integrator of the pattern' : 'Submodel of'} ${optionText(tables[Number(select.value)])}: ${ratioWords} with 95% CIs`;
  const figure = chartFigure({
    id: `fusion-forest-${kind}`, title: titleOf(), basename: `${base}-forest-${kind}`, container,
    controls: h('div', { class: 'field chart-controls' }, h('label', { for: selectId }, kind === 'integrator' ? 'Integrator (availability pattern)' : 'Submodel (modality)'), select),
    caption: help,
    build: (width) => {
      const t = tables[Number(select.value)];
      // The intercept (baseline odds, binary models) is in the table, not on the ratio axis.
      const terms = t.terms.filter((x) => x.name !== '(Intercept)');
      return forestPlot(terms.map((x) => ({ name: x.name, hr: x.hr, lower: x.lower, upper: x.upper, p: x.p })),
        binary ? { width, title: titleOf(), ratio: 'OR', axisLabel: 'Odds ratio (log scale) →' } : { width, title: titleOf() });
    },
  });
  const tableBox = h('div', {});
  const drawTable = () => {
    const t = tables[Number(select.value)];
    const table = dataTable({
      className: 'data',
      caption: `${kind === 'integrator' ? 'Integrator of the pattern' : 'Submodel of'} ${optionText(t)}: coefficients`,
      columns: ['Term', 'coef', binary ? 'OR' : 'HR', '95% CI', 'p'],
      rows: t.terms.map((x) => [x.name, num(fixed(x.coef, 4), x.coef), num(sig(x.hr, 4), x.hr), `${sig(x.lower, 3)}–${sig(x.upper, 3)}`, num(pValue(x.p), x.p)]),
    });
    table.id = `fusion-coef-${kind}`;
    replace(tableBox, tableWrap(table, `${optionText(t)} coefficients`));
  };
  select.addEventListener('change', () => { figure.draw(); drawTable(); });
  view.draws.push(figure.draw, drawTable);
  return panel(heading, figure.figure, tableBox);
}

/** Forest plot of a submodel: one ridge Cox (or logistic) model per modality. @type {Panel} */
export function submodelForestPanel(view) {
  const { binary, simulated } = view;
  return forestPanel(view, 'unimodal', `Submodels: one ridge ${binary ? 'logistic' : 'Cox'} model per modality`,
    `${binary ? 'Odds' : 'Hazard'} ratio per SD of each feature in the chosen modality’s submodel (ridge-penalised, so shrunk toward 1); orange dot: p < 0.05.${binary ? ' The intercept (baseline odds) is in the table only.' : ''}${simulated ? ' Simulated features: a few carry the signal, the rest are noise.' : ''}`);
}

/** Forest plot of an integrator: how the modality scores are combined per availability pattern. @type {Panel} */
export function integratorForestPanel(view) {
  return forestPanel(view, 'integrator', 'Integrators: combining the modality scores',
    `${view.binary ? 'Odds' : 'Hazard'} ratio per SD of each modality’s standardised risk score in the integrator of one availability pattern: how much each modality adds beyond the others for patients with that pattern.`);
}

/** Elastic-net selection: the λ chosen per modality (from the model file the engine wrote). @type {Panel} */
export function elasticNetPanel({ elasticNet: en }) {
  if (!en) return null;
  const enTable = dataTable({
    className: 'data wrap-heads',
    caption: 'Elastic-net selection per modality: the penalty λ chosen and the columns kept',
    columns: ['Modality', 'λ chosen', 'λ min', 'λ 1se', 'Columns kept', 'Kept columns'],
    rows: en.modalities.map((m) => [m.name, num(sig(m.lambda, 4), m.lambda, { 'data-modality': m.name, 'data-lambda': 'chosen' }),
      num(sig(m.lambdaMin, 4), m.lambdaMin), num(sig(m.lambda1se, 4), m.lambda1se),
      `${count(m.selected.length)} of ${count(m.columns)}${m.fallback ? ' (fallback: none was non-zero, the first to enter the path is kept)' : ''}`,
      h('span', { class: 'cell-note' }, m.selected.join(', ') || '—')]),
  });
  enTable.id = 'fusion-elasticnet-table';
  return h('div', { class: 'panel', id: 'fusion-elasticnet' }, h('h3', {}, 'Feature selection: elastic net'),
    h('p', { class: 'hint', id: 'fusion-elasticnet-settings' }, `Per modality, a cross-validated elastic-net Cox model on the training patients picks the columns (alpha ${sig(en.alpha, 3)}, λ ${en.lambdaRule === '1se' ? '1se' : 'min'} rule, ${en.folds}-fold cross-validation); the ridge submodel is then refitted on them. λ is the strength of the penalty the cross-validation chose (larger = fewer columns). Cross-fitting repeats the selection inside every fold.`),
    tableWrap(enTable, 'Elastic-net selection table'));
}

/** Availability patterns in training and test: who has which modality, and how each was scored. @type {Panel} */
export function patternsPanel({ rep, binary }) {
  const patternTable = (ps, which) => {
    const t = dataTable({
      className: 'data wrap-heads',
      caption: which === 'train' ? 'Training patients by availability pattern (an integrator is fitted for patterns with enough patients)' : 'Test patients by availability pattern and how they were scored',
      columns: which === 'train' ? ['Pattern', 'Patients', binary ? 'Cases' : 'Events', 'Integrator'] : ['Pattern', 'Patients', binary ? 'Cases' : 'Events', 'Scored by'],
      rows: ps.map((p) => [p.modalities.join(' + ') || 'none', num(count(p.patients), p.patients), num(count(p.events), p.events),
        which === 'train' ? (p.integrator ? 'fitted' : p.modalities.length > 1 ? 'too few patients' : 'single modality') : `${p.scoredBy.join(' + ')}${p.fallback ? ' (fallback)' : ''}`]),
    });
    t.id = `fusion-patterns-${which}`;
    return tableWrap(t, `${which} patterns`);
  };
  return panel('Who has which modality', h('div', { class: 'results-grid' }, patternTable(rep.patterns.train, 'train'), patternTable(rep.patterns.test, 'test')));
}
