// The late-fusion results (Run demo, and late fusion on the user's files): plain-language summary, key numbers, the C-index of every model
// (each modality, each availability-pattern integrator, late fusion, early fusion) on the common test
// patients and on all test patients each model can score, Kaplan–Meier curves of the late-fusion
// risk groups (training cut-points) with the number at risk and the log-rank test, Kendall's tau
// between the unimodal scores, forest plots of the submodels and integrators, AUC(t), calibration of
// the test patients' predicted survival, and the downloads.
// Every number is a field of the engine's report (fusion-model.js) or of the core's Kaplan–Meier
// curves, predictions and calibration of the same patients (worker-fusion.js); this module only
// formats and lays them out.
// A binary outcome (settings.outcome_type "binary"; fusion-model.js readBinaryReport) shows the AUC in place of
// C (with DeLong CIs, Brier score and calibration intercept/slope per model), the risk groups as
// observed proportions with Wilson CIs and the chi-square test (no Kaplan–Meier, no AUC(t)), the
// calibration curve of the predicted probabilities, and odds ratios in the forest plots. With
// elastic-net selection, the λ chosen per modality (from the model file) is listed.
// The page is `PANELS`, one row per panel with its function for each outcome family (fusion-panels.js);
// this module builds what the panels read (fusionView), the summary sentences and the downloads.
import { h, replace } from './dom.js';
import { finite, fixed, count } from './format.js';
import { timeText } from './charts.js';
import { pPhrase } from './evaluation-view.js';
import { saveJSON, saveText, toCSV } from './download.js';
import { readReport, readBinaryReport, readModelFile, reportDocumentOf, modelTextOf } from './fusion-model.js';
import { decisionCurveBlock, analysisReportButton } from './decision-view.js';
import { differenceSentence } from './claims.js';
import {
  c3, ci, pct, words, keyNumbersPanel, binaryNotePanel, discriminationPanel, kaplanMeierPanel, proportionsPanel, kendallPanel, aucPanel,
  survivalCalibrationPanel, binaryCalibrationPanel, submodelForestPanel, integratorForestPanel, elasticNetPanel, patternsPanel,
} from './fusion-panels.js';

const KIND_ORDER = { unimodal: 0, integrator: 1, early: 2, 'late-complete-case': 3, late: 4 };

function sortedModels(rep) {
  return rep.models.map((m, i) => ({ m, i })).sort((a, b) => (KIND_ORDER[a.m.kind] ?? 9) - (KIND_ORDER[b.m.kind] ?? 9) || a.i - b.i).map((x) => x.m);
}

/** The facts the summary and the key numbers state (the same fields, the same rounding). */
export function fusionFacts(rep) {
  const late = rep.models.find((m) => m.kind === 'late') ?? null;
  const early = rep.models.find((m) => m.kind === 'early') ?? null;
  const unimodal = rep.models.filter((m) => m.kind === 'unimodal');
  const best = unimodal.filter((m) => finite(m.common?.c)).reduce((a, b) => (!a || b.common.c > a.common.c ? b : a), null);
  return { late, early, unimodal, best };
}

/**
 * The sentences every outcome family's summary opens with: late fusion's `metric` (C or AUC) on the
 * common test patients against the best single modality and early fusion, on all test patients,
 * then each comparison's difference (claims.js differenceSentence).
 * @param {any} rep  the report's view model
 * @param {'C'|'AUC'} metric
 * @returns {string[]}
 */
function discriminationSentences(rep, metric) {
  const { late, early, best } = fusionFacts(rep);
  const parts = [];
  if (late) {
    let s = `Late fusion of ${words(rep.modalities)}: ${metric}\u00a0=\u00a0${c3(late.common?.c)} (${ci(late.common)}) on the ${count(late.common?.n)} test patients who have every modality`;
    const vs = [];
    if (best) vs.push(`${c3(best.common.c)} for the best single modality (${best.name})`);
    if (early && finite(early.common?.c)) vs.push(`${c3(early.common.c)} for ${early.name}`);
    if (vs.length) s += `, vs ${words(vs)}`;
    parts.push(`${s}.`);
    if (late.test) {
      parts.push(`On all ${count(late.test.n)} test patients, each scored with the modalities they have, late fusion's ${metric}\u00a0=\u00a0${c3(late.test.c)} (${ci(late.test)})` +
        (finite(late.test.p) ? `, permutation ${pPhrase(late.test.p)}.` : '.'));
    }
  }
  for (const k of rep.comparisons) {
    if (!finite(k.delta)) continue;
    const b = rep.models.find((m) => m.name === k.b);
    const other = b ? (b.kind === 'unimodal' ? `the best single modality (${b.name}, chosen after seeing the test results)` : b.name) : (k.b ?? 'the comparator');
    parts.push(differenceSentence({ metric: `Δ${metric}`, other, delta: k.delta, lower: k.lower, upper: k.upper, n: k.n, count }));
  }
  return parts;
}

/** How the risk groups were cut, in words ("Split at the training median of the late-fusion score, "). */
const splitPhrase = (rep) => `Split at the training ${rep.riskGroups.method === 'tertiles' ? 'tertiles' : rep.riskGroups.method === 'optimistic' ? 'cut-point search' : 'median'} of the late-fusion score, `;

/** The sentence of a simulated cohort. */
const cohortSentence = (cohort) => `The cohort is simulated (seed ${cohort.seed}): ${count(cohort.n)} patients, none real.`;

/**
 * The plain-language summary of a binary-outcome report: the AUC sentences, ΔAUC, the risk groups'
 * observed proportions with the chi-square test, and calibration — the numbers of the key numbers,
 * tables and charts, rounded the same way.
 * @param {any} rep  the report's view model (fusion-model.js readReport)
 * @param {any} bin  its binary fields (readBinaryReport)
 * @param {{cohort?: any, outcome?: string}} [options]  cohort: the simulated cohort (null: the user's files)
 */
export function binarySummary(rep, bin, { cohort, outcome = 'the outcome' } = {}) {
  const { late } = fusionFacts(rep);
  const parts = discriminationSentences(rep, 'AUC');
  const rg = bin.riskGroups.test;
  if (rg && rg.groups.length >= 2) {
    const low = rg.groups[0];
    const high = rg.groups[rg.groups.length - 1];
    parts.push(splitPhrase(rep) +
      `${pct(high.proportion)} (95% CI ${pct(high.lower)}–${pct(high.upper)}) of the ${high.label}-risk test patients had ${outcome} vs ${pct(low.proportion)} (${pct(low.lower)}–${pct(low.upper)}) of the ${low.label}-risk` +
      (finite(rg.p) ? ` (chi-square ${pPhrase(rg.p)}).` : '.'));
  }
  const lb = late ? bin.models.get(late.name)?.test : null;
  if (lb && finite(lb.calibrationSlope)) {
    parts.push(`Calibration on the test patients: intercept ${fixed(lb.calibrationIntercept, 2)} (0 = predicted risks right on average), slope ${fixed(lb.calibrationSlope, 2)} (1 = perfect; below 1 = too extreme)` +
      (finite(lb.brier) ? `, Brier score ${fixed(lb.brier, 3)}.` : '.'));
  }
  if (cohort) parts.push(cohortSentence(cohort));
  return parts.join(' ');
}

/**
 * The plain-language summary: sentences built from the report's numbers.
 * @param {any} rep  the report's view model (fusion-model.js readReport)
 * @param {{cohort?: any, unit?: string|null, calibration?: any}} [options]  cohort: the simulated cohort (null: the user's files)
 */
export function fusionSummary(rep, { cohort, unit = null, calibration = null } = {}) {
  const parts = discriminationSentences(rep, 'C');
  const rg = rep.riskGroups.test;
  if (rg && rg.groups.length >= 2) {
    const low = rg.groups[0];
    const high = rg.groups[rg.groups.length - 1];
    const med = (g) => (finite(g.median) ? `${timeText(g.median)}${unit ? ` ${unit}` : ''}` : 'not reached');
    parts.push(splitPhrase(rep) +
      `the ${high.label}-risk test patients' median survival is ${med(high)} vs ${med(low)} for ${low.label} risk` +
      (finite(rg.p) ? ` (log-rank ${pPhrase(rg.p)}).` : '.'));
  }
  if (calibration && finite(calibration.slope)) {
    parts.push(`At t = ${timeText(calibration.horizon)}${unit ? ` ${unit}` : ''}, the calibration slope of the predicted survival on the test patients is ${fixed(calibration.slope, 2)}` +
      (finite(calibration.slope_lower) ? ` (95% CI ${fixed(calibration.slope_lower, 2)}–${fixed(calibration.slope_upper, 2)})` : '') + ' (1 = perfect).');
  }
  if (cohort) parts.push(cohortSentence(cohort));
  return parts.join(' ');
}

/**
 * Per-patient scores (test patients, the report's order): id, time, event, late-fusion score, risk
 * group, and the predicted survival at the calibration horizon (surv_<t>, from the model file).
 */
function scoresCSV(rep, km, testSurvival) {
  const labels = (rep.riskGroups.test?.groups ?? []).map((g) => g.label);
  const { ids, lateScore, riskGroup } = rep.testPatients;
  const header = ['id', 'time', 'event', 'late_fusion_score', 'risk_group'];
  if (testSurvival) header.push(`surv_${testSurvival.horizon}`);
  const rows = ids.map((id, k) => [id, km?.time?.[k] ?? '', km?.event?.[k] ?? '', lateScore[k], labels[riskGroup[k]] ?? riskGroup[k],
    ...(testSurvival ? [testSurvival.values[k]] : [])]);
  return toCSV(header, rows);
}

/** Per-patient scores of the test patients with a binary outcome: id, y, late-fusion log-odds score, risk group, probability. */
function binaryScoresCSV(rep, run) {
  const labels = (rep.riskGroups.test?.groups ?? []).map((g) => g.label);
  const { ids, lateScore, riskGroup } = rep.testPatients;
  const probability = run.testProbability?.values;
  const header = ['id', 'y', 'late_fusion_score', 'risk_group', ...(probability ? ['probability'] : [])];
  return toCSV(header, ids.map((id, k) => [id, run.testOutcome?.[k] ?? '', lateScore[k], labels[riskGroup[k]] ?? riskGroup[k], ...(probability ? [probability[k]] : [])]));
}

const slug = (s) => String(s).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 40) || 'data';

/** The report download of a run on the user's files: the document `latefuse fuse --report-out` writes. */
export function dataReportDocument(run) {
  const s = run.summary;
  return {
    ...reportDocumentOf(run.result),
    input: {
      files: s.files, outcome_file: s.outcomeFile, id: s.id,
      ...(s.outcomeType === 'binary' ? { outcome: s.outcome } : { time: s.time, event: s.event }),
      patients: s.patients, dropped_missing_outcome: s.dropped,
      modalities: run.modalities,
    },
    compute_ms: run.computeMs,
  };
}

/**
 * The heading, what was run on which patients, the summary sentences and the engine's notes.
 * @type {import('./fusion-panels.js').Panel}
 */
function summaryPanel({ run, rep, bin, binary, simulated, unit }) {
  const { cohort } = run;
  const cal = run.calibration;
  const warnings = rep.warnings.length ? h('div', { class: 'notice warn', role: 'note' }, h('strong', {}, 'Notes from the engine: '), rep.warnings.join(' ')) : null;
  const summary = binary
    ? binarySummary(rep, bin, { cohort: simulated ? cohort : null, outcome: simulated ? 'the outcome' : `the outcome (“${run.summary.outcome}” = 1)` })
    : fusionSummary(rep, { cohort: simulated ? cohort : null, unit, calibration: cal });
  const sp = rep.split;
  const ev = binary ? 'cases' : 'events';
  const splitText = `Training ${count(sp.train)} patients (${count(sp.trainEvents)} ${ev}), test ${count(sp.test)} (${count(sp.testEvents)} ${ev}), ${count(sp.commonTest)} of them with every modality` +
    (sp.excluded ? `; ${count(sp.excluded)} with no modality left out` : '') + '. ';
  let meta;
  if (simulated) {
    meta = `Simulated with the reference-study preset${binary ? ', binary outcome' : ''} (seed ${cohort.seed}): ${count(cohort.n)} patients, ` +
      (binary ? `${count(cohort.cases)} cases and ${count(cohort.controls)} controls; ` : `${count(cohort.events)} events; `) +
      `${cohort.modalities.map((m) => `${m.name} ${count(m.available)}`).join(', ')}; ${count(cohort.complete)} with every modality. ` +
      splitText + 'Computed in your browser by the LateFuse WebAssembly core.';
  } else {
    const d = run.summary;
    meta = `Data: ${d.files.join(' + ')}${d.files.length > 1 ? ` joined on “${d.id}”` : ''}; ` +
      (binary
        ? `binary outcome “${d.outcome}” from ${d.outcomeFile}: ${count(d.patients)} patients, ${count(d.events)} cases and ${count(d.controls)} controls; `
        : `outcome “${d.time}” / “${d.event}” from ${d.outcomeFile}: ${count(d.patients)} patients, ${count(d.events)} events${d.dropped ? ` (${count(d.dropped)} without a time or event left out)` : ''}; `) +
      `with data: ${d.modalities.map((m) => `${m.name} ${count(m.patients)}`).join(', ')}. ` + splitText +
      'Computed in your browser by the LateFuse WebAssembly core; nothing left this computer.';
  }
  return [
    h('h2', { id: 'fusion-h', tabindex: '-1' }, simulated ? `Results: late fusion on a simulated study-shaped cohort${binary ? ' (binary outcome)' : ''}` : `Results: late fusion of ${words(rep.modalities)}${binary ? ` (binary outcome “${run.summary.outcome}”)` : ''}`),
    h('p', { class: 'meta' }, meta),
    h('p', { class: 'summary', id: 'fusion-summary' }, summary),
    warnings,
  ];
}

/** Decision curves (report.json decision_curve) and their table (decision-view.js). @type {import('./fusion-panels.js').Panel} */
const decisionCurvePanel = (view) => decisionCurveBlock(view.report, { base: view.base, container: view.container, draws: view.draws });

/**
 * The downloads: model file, report, the test patients' scores, every patient's predictions (= the
 * CLI's files), the simulated cohort, and the analysis report (HTML).
 * @type {import('./fusion-panels.js').Panel}
 */
function downloadsPanel({ run, rep, binary, simulated, base, report, model, holdsTrainingData }) {
  const downloads = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download the late-fusion results' },
    model.text ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-model.json`, model.text, 'application/json') }, 'Model JSON') : null,
    h('button', { type: 'button', class: 'small', onclick: () => saveJSON(`${base}-report.json`, report) }, 'Report JSON'),
    h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-test-scores.csv`, binary ? binaryScoresCSV(rep, run) : scoresCSV(rep, run.km, run.testSurvival), 'text/csv') }, 'Per-patient scores CSV'),
    run.predictions ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-predictions.csv`, run.predictions, 'text/csv') }, 'Predictions CSV (every patient)') : null,
    simulated ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-cohort.csv`, run.csv, 'text/csv') }, 'Simulated data CSV') : null,
    analysisReportButton(run, reportDocumentOf(run.result), model.text, base));
  const modelNote = model.text ? null : h('p', { class: 'notice warn', role: 'note' }, `No model file: ${model.error ?? 'the engine did not write one'}.`);
  return [
    h('h3', {}, 'Downloads'),
    h('p', { class: 'hint' }, 'Every chart above has its own SVG and PNG download. The model file scores new patients (Score tab, or latefuse score); the report has every number on this page; the predictions are what latefuse score writes for every patient of these files.'),
    modelNote,
    holdsTrainingData ? h('p', { class: 'notice', role: 'note', 'data-testid': 'model-privacy' },
      'The model file holds each training patient\'s follow-up time, event and standardised modality scores (no ID, no raw feature, sorted by time), ' +
      'from which its survival curves are recomputed exactly (as R keeps them in a coxph object). Share it as you would share the Kaplan–Meier table of your training cohort.') : null,
    downloads,
  ];
}

/**
 * The late-fusion results page, top to bottom: one row per panel, with the panel of each outcome
 * family (none: the family has no such panel). A list of panels is laid out side by side. Adding a
 * panel is adding a row (and its function in fusion-panels.js); adding an outcome family is adding
 * a column.
 * @type {Array<{panel: string, survival?: Panel | Panel[], binary?: Panel | Panel[]}>}
 */
export const PANELS = [
  { panel: 'summary', survival: summaryPanel, binary: summaryPanel },
  { panel: 'key numbers', survival: keyNumbersPanel, binary: keyNumbersPanel },
  { panel: 'outcome note', binary: binaryNotePanel },
  { panel: 'discrimination (C-index / AUC)', survival: discriminationPanel, binary: discriminationPanel },
  { panel: 'risk groups', survival: kaplanMeierPanel, binary: proportionsPanel },
  { panel: 'Kendall τ, AUC(t)', survival: [kendallPanel, aucPanel], binary: [kendallPanel] },
  { panel: 'calibration', survival: survivalCalibrationPanel, binary: binaryCalibrationPanel },
  { panel: 'decision curve', survival: decisionCurvePanel, binary: decisionCurvePanel },
  { panel: 'forest plots', survival: [submodelForestPanel, integratorForestPanel], binary: [submodelForestPanel, integratorForestPanel] },
  { panel: 'elastic-net selection', survival: elasticNetPanel, binary: elasticNetPanel },
  { panel: 'availability patterns', survival: patternsPanel, binary: patternsPanel },
  { panel: 'downloads', survival: downloadsPanel, binary: downloadsPanel },
];

/** @typedef {import('./fusion-panels.js').Panel} Panel */

/**
 * What the panels read: the report as view models and the run's context.
 * @param {HTMLElement} container
 * @param {any} run
 * @returns {import('./fusion-panels.js').FusionView}
 */
function fusionView(container, run) {
  const rep = readReport(run.result);
  const bin = readBinaryReport(run.result);
  const binary = bin.binary;
  const simulated = run.source?.kind !== 'data';
  const unit = simulated ? 'months' : (run.source.payloadOptions?.timeUnit ?? null);
  return {
    run, rep, bin, binary, simulated, unit, container,
    M: binary ? 'AUC' : 'C',
    base: simulated ? `latefuse-hgsoc${binary ? '-binary' : ''}-seed${run.cohort.seed}` : `latefuse-${slug(run.summary.outcomeFile)}-fusion`,
    timeLabel: unit ? `Time (${unit})` : 'Time',
    ...fusionFacts(rep),
    models: sortedModels(rep),
    model: modelTextOf(run.result),
    report: simulated ? reportDocumentOf(run.result) : dataReportDocument(run),
    ...readModelFile(run.result),
    draws: [],
  };
}

/**
 * Render the fusion results into `container`.
 * @param {HTMLElement} container
 * @param {{result: object, km: object|null, calibration?: object|null, calibrationNote?: string|null, testSurvival?: object|null,
 *          predictions?: string|null, source?: {kind: 'simulated'|'data', payloadOptions?: object}, cohort?: object, csv?: string,
 *          summary?: object, modalities?: object, computeMs?: number}} run
 *   the Run-demo result (simulated cohort) or a run on the user's files (worker-fusion.js fuseDataRequest + source)
 * @returns {{redraw: () => void, headline: string}}
 */
export function renderFusionResults(container, run) {
  const view = fusionView(container, run);
  const family = view.binary ? 'binary' : 'survival';
  const content = PANELS.map((row) => {
    const panel = row[family];
    if (!panel) return null;
    return Array.isArray(panel) ? h('div', { class: 'results-grid' }, panel.map((p) => p(view))) : panel(view);
  });
  replace(container, content);
  container.hidden = false;
  const redraw = () => { for (const d of view.draws) d(); };
  redraw();
  const { late, best, M } = view;
  const headline = late ? `Late fusion: ${M} ${c3(late.common?.c)} on ${count(late.common?.n)} common test patients${best ? `, best single modality ${c3(best.common.c)}` : ''}.` : 'Late-fusion demo done.';
  return { redraw, headline };
}
