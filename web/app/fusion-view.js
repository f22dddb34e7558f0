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
import { h, replace, dataTable, tableWrap } from './dom.js';
import { fixed, sig, pValue, count } from './format.js';
import { cIndexChart, kaplanMeierChart, kendallHeatmap, forestPlot, aucChart, calibrationChart, riskColors, timeText, proportionChart, binaryCalibrationChart } from './charts.js';
import { chartFigure, pPhrase } from './evaluation-view.js';
import { saveJSON, saveText, toCSV } from './download.js';
import { readReport, readBinaryReport, readElasticNet, reportDocumentOf, modelTextOf } from './fusion-model.js';
import { decisionCurveBlock, analysisReportButton } from './decision-view.js';
import { differenceSentence } from './claims.js';

const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const num = (text, value, props = {}) => h('span', { class: 'num', 'data-value': String(value ?? ''), ...props }, text);
const c3 = (x) => fixed(x, 3);
const ci = (s) => (s && finite(s.lower) && finite(s.upper) ? `${c3(s.lower)}–${c3(s.upper)}` : '—');
/** A proportion as a percentage (formatting only). */
const pct = (x, digits = 0) => (finite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

/** A list in words: "a", "a and b", "a, b and c". */
const words = (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

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

const KIND_TEXT = { unimodal: 'single modality', integrator: 'combination integrator', late: 'late fusion', early: 'early fusion',
  'late-complete-case': 'late fusion trained on complete cases only' };
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
 * The plain-language summary of a binary-outcome report: the AUC sentences, ΔAUC, the risk groups'
 * observed proportions with the chi-square test, and calibration — the numbers of the key numbers,
 * tables and charts, rounded the same way.
 */
export function binarySummary(rep, bin, { cohort, outcome = 'the outcome' } = {}) {
  const { late, early, best } = fusionFacts(rep);
  const parts = [];
  if (late) {
    let s = `Late fusion of ${words(rep.modalities)}: AUC\u00a0=\u00a0${c3(late.common?.c)} (${ci(late.common)}) on the ${count(late.common?.n)} test patients who have every modality`;
    const vs = [];
    if (best) vs.push(`${c3(best.common.c)} for the best single modality (${best.name})`);
    if (early && finite(early.common?.c)) vs.push(`${c3(early.common.c)} for ${early.name}`);
    if (vs.length) s += `, vs ${words(vs)}`;
    parts.push(`${s}.`);
    if (late.test) {
      parts.push(`On all ${count(late.test.n)} test patients, each scored with the modalities they have, late fusion's AUC\u00a0=\u00a0${c3(late.test.c)} (${ci(late.test)})` +
        (finite(late.test.p) ? `, permutation ${pPhrase(late.test.p)}.` : '.'));
    }
  }
  for (const k of rep.comparisons) {
    if (!finite(k.delta)) continue;
    const b = rep.models.find((m) => m.name === k.b);
    const other = b ? (b.kind === 'unimodal' ? `the best single modality (${b.name}, chosen after seeing the test results)` : b.name) : (k.b ?? 'the comparator');
    parts.push(differenceSentence({ metric: 'ΔAUC', other, delta: k.delta, lower: k.lower, upper: k.upper, n: k.n, count }));
  }
  const rg = bin.riskGroups.test;
  if (rg && rg.groups.length >= 2) {
    const low = rg.groups[0];
    const high = rg.groups[rg.groups.length - 1];
    parts.push(`Split at the training ${rep.riskGroups.method === 'tertiles' ? 'tertiles' : rep.riskGroups.method === 'optimistic' ? 'cut-point search' : 'median'} of the late-fusion score, ` +
      `${pct(high.proportion)} (95% CI ${pct(high.lower)}–${pct(high.upper)}) of the ${high.label}-risk test patients had ${outcome} vs ${pct(low.proportion)} (${pct(low.lower)}–${pct(low.upper)}) of the ${low.label}-risk` +
      (finite(rg.p) ? ` (chi-square ${pPhrase(rg.p)}).` : '.'));
  }
  const lb = late ? bin.models.get(late.name)?.test : null;
  if (lb && finite(lb.calibrationSlope)) {
    parts.push(`Calibration on the test patients: intercept ${fixed(lb.calibrationIntercept, 2)} (0 = predicted risks right on average), slope ${fixed(lb.calibrationSlope, 2)} (1 = perfect; below 1 = too extreme)` +
      (finite(lb.brier) ? `, Brier score ${fixed(lb.brier, 3)}.` : '.'));
  }
  if (cohort) parts.push(`The cohort is simulated (seed ${cohort.seed}): ${count(cohort.n)} patients, none real.`);
  return parts.join(' ');
}

/** The plain-language summary: sentences built from the report's numbers. */
export function fusionSummary(rep, { cohort, unit = null, calibration = null } = {}) {
  const { late, early, best } = fusionFacts(rep);
  const parts = [];
  if (late) {
    const mods = words(rep.modalities);
    let s = `Late fusion of ${mods}: C\u00a0=\u00a0${c3(late.common?.c)} (${ci(late.common)}) on the ${count(late.common?.n)} test patients who have every modality`;
    const vs = [];
    if (best) vs.push(`${c3(best.common.c)} for the best single modality (${best.name})`);
    if (early && finite(early.common?.c)) vs.push(`${c3(early.common.c)} for ${early.name}`);
    if (vs.length) s += `, vs ${words(vs)}`;
    s += '.';
    parts.push(s);
    if (late.test) {
      parts.push(`On all ${count(late.test.n)} test patients, each scored with the modalities they have, late fusion's C\u00a0=\u00a0${c3(late.test.c)} (${ci(late.test)})` +
        (finite(late.test.p) ? `, permutation ${pPhrase(late.test.p)}.` : '.'));
    }
  }
  for (const k of rep.comparisons) {
    if (!finite(k.delta)) continue;
    const b = rep.models.find((m) => m.name === k.b);
    const other = b ? (b.kind === 'unimodal' ? `the best single modality (${b.name}, chosen after seeing the test results)` : b.name) : (k.b ?? 'the comparator');
    parts.push(differenceSentence({ metric: 'ΔC', other, delta: k.delta, lower: k.lower, upper: k.upper, n: k.n, count }));
  }
  const rg = rep.riskGroups.test;
  if (rg && rg.groups.length >= 2) {
    const low = rg.groups[0];
    const high = rg.groups[rg.groups.length - 1];
    const med = (g) => (finite(g.median) ? `${timeText(g.median)}${unit ? ` ${unit}` : ''}` : 'not reached');
    parts.push(`Split at the training ${rep.riskGroups.method === 'tertiles' ? 'tertiles' : rep.riskGroups.method === 'optimistic' ? 'cut-point search' : 'median'} of the late-fusion score, ` +
      `the ${high.label}-risk test patients' median survival is ${med(high)} vs ${med(low)} for ${low.label} risk` +
      (finite(rg.p) ? ` (log-rank ${pPhrase(rg.p)}).` : '.'));
  }
  if (calibration && finite(calibration.slope)) {
    parts.push(`At t = ${timeText(calibration.horizon)}${unit ? ` ${unit}` : ''}, the calibration slope of the predicted survival on the test patients is ${fixed(calibration.slope, 2)}` +
      (finite(calibration.slopeLower) ? ` (95% CI ${fixed(calibration.slopeLower, 2)}–${fixed(calibration.slopeUpper, 2)})` : '') + ' (1 = perfect).');
  }
  if (cohort) parts.push(`The cohort is simulated (seed ${cohort.seed}): ${count(cohort.n)} patients, none real.`);
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
 * Render the fusion results into `container`.
 * @param {HTMLElement} container
 * @param {{result: object, km: object|null, calibration?: object|null, calibrationNote?: string|null, testSurvival?: object|null,
 *          predictions?: string|null, source?: {kind: 'simulated'|'data', payloadOptions?: object}, cohort?: object, csv?: string,
 *          summary?: object, modalities?: object, computeMs?: number}} run
 *   the Run-demo result (simulated cohort) or a run on the user's files (worker-fusion.js fuseDataRequest + source)
 * @returns {{redraw: () => void, headline: string}}
 */
export function renderFusionResults(container, run) {
  const rep = readReport(run.result);
  const bin = readBinaryReport(run.result);
  const binary = bin.binary;
  const M = binary ? 'AUC' : 'C';
  const { cohort, km } = run;
  const simulated = run.source?.kind !== 'data';
  const draws = [];
  const base = simulated ? `latefuse-hgsoc${binary ? '-binary' : ''}-seed${cohort.seed}` : `latefuse-${slug(run.summary.outcomeFile)}-fusion`;
  const unit = simulated ? 'months' : (run.source.payloadOptions?.timeUnit ?? null);
  const timeLabel = unit ? `Time (${unit})` : 'Time';
  const { late, early, best } = fusionFacts(rep);
  const models = sortedModels(rep);

  // Key numbers.
  const stat = (title, value, raw, id, small) => h('div', { class: 'stat' }, h('dt', {}, title),
    h('dd', {}, num(value, raw, { id }), h('small', {}, small)));
  const keyNumbers = h('dl', { class: 'key-numbers five' },
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

  // (a) C-index charts: common test patients and all test patients.
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
  draws.push(commonFigure.draw, allFigure.draw);
  const bRow = (m) => bin.models.get(m.name)?.test ?? {};
  const cTable = binary ? dataTable({
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
  }) : dataTable({
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
  cTable.id = 'fusion-cindex-table';

  // (b) Kaplan–Meier of the late-fusion risk groups (test patients, training cut-points).
  let kmBlock = null;
  const rgTest = rep.riskGroups.test;
  if (km && km.groups.length) {
    const colors = riskColors(km.groups.length);
    const kmTitle = 'Kaplan–Meier survival of the test patients by late-fusion risk group (training cut-point)';
    const ciId = 'fusion-km-ci';
    const ciBox = h('input', { type: 'checkbox', id: ciId });
    const p = finite(rgTest?.p) ? rgTest.p : km.logRank?.p;
    const chisq = finite(rgTest?.chisq) ? rgTest.chisq : km.logRank?.chisq;
    const df = rgTest?.df ?? km.logRank?.df;
    const groupLabel = (g) => `${g.label.charAt(0).toUpperCase()}${g.label.slice(1)} risk`;
    const description = km.groups.map((g) => `${groupLabel(g)}: ${g.n} patients, ${g.events} events, median survival ${finite(g.median) ? timeText(g.median) : 'not reached'}`).join('; ') +
      (finite(p) ? `; log-rank ${pPhrase(p)}` : '');
    const kmFigure = chartFigure({
      id: 'fusion-km', title: kmTitle, basename: `${base}-km`, container,
      controls: h('div', { class: 'check chart-controls' }, ciBox, h('label', { for: ciId }, 'Show 95% confidence bands')),
      caption: h('span', {}, `Test patients split at the cut-point${rep.riskGroups.cutpoints.length > 1 ? 's' : ''} of the late-fusion score chosen on the training patients (${rep.riskGroups.cutpoints.map((c) => sig(c, 4)).join(', ')}). Numbers at risk under the plot; + = censored. `,
        finite(p) ? h('strong', {}, `Log-rank χ² = ${fixed(chisq, 2)} on ${df} df, ${pPhrase(p)}.`) : ''),
      build: (width) => kaplanMeierChart({
        groups: km.groups.map((g, i) => ({ label: groupLabel(g), color: colors[i], curve: g.curve, atRisk: g.atRisk })),
        atTimes: km.atTimes, showCI: ciBox.checked, width, title: kmTitle, timeLabel, description,
      }),
    });
    ciBox.addEventListener('change', () => kmFigure.draw());
    draws.push(kmFigure.draw);
    const kmTable = dataTable({
      className: 'data keep-heads',
      caption: `Late-fusion risk groups of the test patients${finite(p) ? ` (log-rank ${pPhrase(p)})` : ''}`,
      columns: ['Risk group', 'Patients', 'Events', 'Median survival (95% CI)', ...km.atTimes.map((t) => `At risk, t = ${timeText(t)}`)],
      rows: km.groups.map((g) => [
        groupLabel(g), num(count(g.n), g.n), num(count(g.events), g.events),
        h('span', { class: 'num', 'data-value': String(g.median ?? '') }, `${finite(g.median) ? timeText(g.median) : 'not reached'} (${finite(g.medianLower) ? timeText(g.medianLower) : '—'}–${finite(g.medianUpper) ? timeText(g.medianUpper) : 'not reached'})`),
        ...g.atRisk.map((v) => num(count(v), v)),
      ]),
    });
    kmTable.id = 'fusion-km-table';
    kmBlock = h('div', { class: 'panel' }, h('h3', {}, 'Risk groups'), kmFigure.figure, tableWrap(kmTable, 'Risk group table'),
      rep.riskGroups.note ? h('p', { class: 'hint' }, `Cut-points: ${rep.riskGroups.note}.`) : null);
  }

  // (b') Binary outcome: the risk groups' observed proportions of cases (Wilson CIs) and the chi-square test.
  const brg = bin.riskGroups.test;
  if (binary && brg && brg.groups.length) {
    const groupLabel = (g) => `${g.label.charAt(0).toUpperCase()}${g.label.slice(1)} risk`;
    const pTitle = 'Observed proportion of cases in the test patients by late-fusion risk group (training cut-point)';
    const pFigure = chartFigure({
      id: 'fusion-proportions', title: pTitle, basename: `${base}-risk-groups`, container,
      caption: h('span', {}, `Test patients split at the cut-point${rep.riskGroups.cutpoints.length > 1 ? 's' : ''} of the late-fusion score chosen on the training patients (${rep.riskGroups.cutpoints.map((c) => sig(c, 4)).join(', ')}). Dot: the share of cases (y = 1) in the group; whisker: 95% Wilson interval. `,
        finite(brg.p) ? h('strong', {}, `Chi-square χ² = ${fixed(brg.chisq, 2)} on ${brg.df} df, ${pPhrase(brg.p)}.`) : ''),
      build: (width) => proportionChart(brg.groups.map((g) => ({ ...g, label: groupLabel(g) })), { width, title: pTitle }),
    });
    draws.push(pFigure.draw);
    const pTable = dataTable({
      className: 'data keep-heads',
      caption: `Late-fusion risk groups of the test patients${finite(brg.p) ? ` (chi-square test of equal proportions, ${pPhrase(brg.p)})` : ''}`,
      columns: ['Risk group', 'Patients', 'Cases', 'Observed proportion', '95% CI (Wilson)'],
      rows: brg.groups.map((g) => [groupLabel(g), num(count(g.n), g.n), num(count(g.cases), g.cases), num(pct(g.proportion, 1), g.proportion),
        h('span', { class: 'num', 'data-lower': String(g.lower ?? ''), 'data-upper': String(g.upper ?? '') }, `${pct(g.lower, 1)}–${pct(g.upper, 1)}`)]),
    });
    pTable.id = 'fusion-proportions-table';
    kmBlock = h('div', { class: 'panel' }, h('h3', {}, 'Risk groups'), pFigure.figure, tableWrap(pTable, 'Risk group table'),
      rep.riskGroups.note ? h('p', { class: 'hint' }, `Cut-points: ${rep.riskGroups.note}.`) : null);
  }

  // (c) Kendall's tau between the unimodal scores (test patients).
  let kendallBlock = null;
  const kd = rep.kendall;
  if (kd.modalities.length >= 2 && kd.tau.length) {
    const kTitle = "Kendall's tau between the unimodal risk scores (test patients)";
    const kFigure = chartFigure({
      id: 'fusion-kendall', title: kTitle, basename: `${base}-kendall`, container,
      caption: 'Rank agreement of each pair of modalities’ risk scores on the test patients who have both (1 = the same ordering, 0 = unrelated). Low values mean the modalities carry different information, which is when fusing them can help.',
      build: (width) => kendallHeatmap({ names: kd.modalities, tau: kd.tau, p: kd.p, n: kd.n }, { width, title: kTitle }),
    });
    draws.push(kFigure.draw);
    const pairs = [];
    kd.modalities.forEach((a, i) => kd.modalities.forEach((b, j) => { if (i < j) pairs.push([a, b, i, j]); }));
    const kTable = dataTable({
      className: 'data keep-heads',
      caption: "Kendall's tau-b of each pair of unimodal scores (test patients with both)",
      columns: ['Pair', 'tau', 'p', 'Patients'],
      rows: pairs.map(([a, b, i, j]) => [`${a} – ${b}`, num(fixed(kd.tau[i]?.[j], 3), kd.tau[i]?.[j]), finite(kd.p[i]?.[j]) ? num(pValue(kd.p[i][j]), kd.p[i][j]) : '—', num(count(kd.n[i]?.[j]), kd.n[i]?.[j])]),
    });
    kTable.id = 'fusion-kendall-table';
    kendallBlock = h('div', { class: 'panel' }, h('h3', {}, 'Do the modalities agree?'), kFigure.figure, tableWrap(kTable, "Kendall's tau table"));
  }

  // (d) Forest plots: a submodel and an integrator (chosen with a select), early fusion's in the table.
  const coefficientTables = binary
    ? bin.coefficients.map((t) => ({ ...t, terms: t.terms.map((x) => ({ ...x, hr: x.or })) }))
    : rep.coefficients;
  const ratioWords = binary ? 'odds ratios' : 'hazard ratios';
  const forestBlock = (kind, heading, help) => {
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
    draws.push(figure.draw, drawTable);
    return h('div', { class: 'panel' }, h('h3', {}, heading), figure.figure, tableBox);
  };
  const forestSub = forestBlock('unimodal', `Submodels: one ridge ${binary ? 'logistic' : 'Cox'} model per modality`,
    `${binary ? 'Odds' : 'Hazard'} ratio per SD of each feature in the chosen modality’s submodel (ridge-penalised, so shrunk toward 1); orange dot: p < 0.05.${binary ? ' The intercept (baseline odds) is in the table only.' : ''}${simulated ? ' Simulated features: a few carry the signal, the rest are noise.' : ''}`);
  const forestInt = forestBlock('integrator', 'Integrators: combining the modality scores',
    `${binary ? 'Odds' : 'Hazard'} ratio per SD of each modality’s standardised risk score in the integrator of one availability pattern: how much each modality adds beyond the others for patients with that pattern.`);

  // (d') Elastic-net selection: the λ chosen per modality (from the model file the engine wrote).
  let selectionBlock = null;
  const en = readElasticNet(run.result);
  if (en) {
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
    selectionBlock = h('div', { class: 'panel', id: 'fusion-elasticnet' }, h('h3', {}, 'Feature selection: elastic net'),
      h('p', { class: 'hint', id: 'fusion-elasticnet-settings' }, `Per modality, a cross-validated elastic-net Cox model on the training patients picks the columns (alpha ${sig(en.alpha, 3)}, λ ${en.lambdaRule === '1se' ? '1se' : 'min'} rule, ${en.folds}-fold cross-validation); the ridge submodel is then refitted on them. λ is the strength of the penalty the cross-validation chose (larger = fewer columns). Cross-fitting repeats the selection inside every fold.`),
      tableWrap(enTable, 'Elastic-net selection table'));
  }

  // (e) AUC(t) of late fusion, early fusion and the best single modality (common test patients).
  let aucBlock = null;
  const aucModels = [late, early, best].filter((m) => m?.common?.auc?.length);
  if (aucModels.length) {
    const aTitle = 'Time-dependent AUC on the common test patients';
    const aFigure = chartFigure({
      id: 'fusion-auc', title: aTitle, basename: `${base}-auc`, container,
      caption: 'AUC(t): how well each score separates the patients with an event by time t from those still event-free (0.5 = chance).',
      build: (width) => aucChart(aucModels.map((m) => ({ name: modelLabel(m), time: m.common.auc.map((a) => a.time), auc: m.common.auc.map((a) => a.auc) })), { width, title: aTitle, timeLabel }),
    });
    draws.push(aFigure.draw);
    const times = aucModels[0].common.auc.map((a) => a.time);
    const aTable = dataTable({
      className: 'data',
      caption: 'AUC(t) on the common test patients',
      columns: ['Model', ...times.map((t) => `t = ${timeText(t)}`)],
      rows: aucModels.map((m) => [modelLabel(m), ...m.common.auc.map((a) => num(fixed(a.auc, 3), a.auc))]),
    });
    aTable.id = 'fusion-auc-table';
    aucBlock = h('div', { class: 'panel' }, h('h3', {}, 'Time-dependent AUC'), aFigure.figure, tableWrap(aTable, 'AUC table'));
  }

  // (f) Availability patterns in training and test.
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

  // (g) Calibration of the test patients' predicted survival (model file -> S(t); core calibration).
  let calibrationBlock = null;
  const cal = run.calibration;
  if (cal && cal.binary) {
    const lb = late ? bin.models.get(late.name)?.test : null;
    const calTitle = 'Calibration of the late-fusion predicted probabilities (test patients)';
    const calFigure = chartFigure({
      id: 'fusion-calibration', title: calTitle, basename: `${base}-calibration`, container,
      caption: `Line: the observed probability of the outcome as a function of the predicted probability (a logistic regression of the ${count(cal.n)} test patients’ outcomes on the model’s log-odds); dashed diagonal: perfect calibration. Ticks: each patient’s predicted probability, cases at the top, controls at the bottom.`,
      build: (width) => binaryCalibrationChart(cal.points, { width, title: calTitle, intercept: lb?.calibrationIntercept, slope: lb?.calibrationSlope }),
    });
    draws.push(calFigure.draw);
    const calText = lb && finite(lb.calibrationSlope)
      ? h('p', { class: 'hint', id: 'fusion-calibration-slope' }, 'Calibration intercept ', num(fixed(lb.calibrationIntercept, 2), lb.calibrationIntercept, { 'data-metric': 'intercept' }),
        ' (0 = the predicted risks are right on average; above 0 = too low), slope ', num(fixed(lb.calibrationSlope, 2), lb.calibrationSlope, { 'data-metric': 'slope' }),
        ' (1 = perfect; below 1 = predictions too extreme, above 1 = too modest), Brier score ', num(fixed(lb.brier, 3), lb.brier, { 'data-metric': 'brier' }),
        ` (mean squared error of the probabilities; lower is better), on ${count(late.test.n)} test patients.`)
      : null;
    calibrationBlock = h('div', { class: 'panel' }, h('h3', {}, 'Calibration'), calFigure.figure, calText);
  } else if (cal) {
    const at = `${timeText(cal.horizon)}${unit ? ` ${unit}` : ''}`;
    const calTitle = `Calibration of the late-fusion model at t = ${at} (test patients)`;
    const calFigure = chartFigure({
      id: 'fusion-calibration', title: calTitle, basename: `${base}-calibration`, container,
      caption: `Observed (Kaplan–Meier, with 95% CI) against mean predicted survival at t = ${at}, in ${cal.groups.length} groups of predicted risk of the ${count(cal.n)} test patients; the dashed diagonal is perfect calibration.`,
      build: (width) => calibrationChart(cal.groups, { width, title: calTitle, horizon: cal.horizon }),
    });
    draws.push(calFigure.draw);
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
        finite(cal.slopeLower) ? ` (95% CI ${fixed(cal.slopeLower, 2)}–${fixed(cal.slopeUpper, 2)})` : '', '; 1 = perfect, below 1 = predictions too extreme.')
      : null;
    calibrationBlock = h('div', { class: 'panel' }, h('h3', {}, 'Calibration'), calFigure.figure, slope, tableWrap(calTable, 'Calibration table'));
  } else if (run.calibrationNote) {
    calibrationBlock = h('div', { class: 'panel' }, h('h3', {}, 'Calibration'),
      h('p', { class: 'notice', role: 'note', id: 'fusion-calibration-note' }, `Not shown: ${run.calibrationNote}.`));
  }

  const model = modelTextOf(run.result);
  const report = simulated ? reportDocumentOf(run.result) : dataReportDocument(run);
  // (h) Decision curves (report.json decision_curve) and the analysis report (decision-view.js).
  const dcaBlock = decisionCurveBlock(report, { base, container, draws });
  const downloads = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download the late-fusion results' },
    model.text ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-model.json`, model.text, 'application/json') }, 'Model JSON') : null,
    h('button', { type: 'button', class: 'small', onclick: () => saveJSON(`${base}-report.json`, report) }, 'Report JSON'),
    h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-test-scores.csv`, binary ? binaryScoresCSV(rep, run) : scoresCSV(rep, km, run.testSurvival), 'text/csv') }, 'Per-patient scores CSV'),
    run.predictions ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-predictions.csv`, run.predictions, 'text/csv') }, 'Predictions CSV (every patient)') : null,
    simulated ? h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-cohort.csv`, run.csv, 'text/csv') }, 'Simulated data CSV') : null,
    analysisReportButton(run, reportDocumentOf(run.result), model.text, base));

  const modelNote = model.text ? null : h('p', { class: 'notice warn', role: 'note' }, `No model file: ${model.error ?? 'the engine did not write one'}.`);
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
  replace(container,
    h('h2', { id: 'fusion-h', tabindex: '-1' }, simulated ? `Results: late fusion on a simulated study-shaped cohort${binary ? ' (binary outcome)' : ''}` : `Results: late fusion of ${words(rep.modalities)}${binary ? ` (binary outcome “${run.summary.outcome}”)` : ''}`),
    h('p', { class: 'meta' }, meta),
    h('p', { class: 'summary', id: 'fusion-summary' }, summary),
    warnings,
    keyNumbers,
    binary && bin.note ? h('p', { class: 'hint', id: 'fusion-binary-note' }, `Binary outcome: logistic submodels and integrators; ${M} is the area under the ROC curve. Time-dependent measures (Uno’s C, AUC(t), integrated Brier score) and Kaplan–Meier curves do not apply.`) : null,
    h('div', { class: 'panel' }, h('h3', {}, 'Discrimination on the test patients'), commonFigure.figure, allFigure.figure, tableWrap(cTable, binary ? 'AUC table' : 'C-index table')),
    kmBlock,
    h('div', { class: 'results-grid' }, kendallBlock, aucBlock),
    calibrationBlock,
    dcaBlock,
    h('div', { class: 'results-grid' }, forestSub, forestInt),
    selectionBlock,
    h('div', { class: 'panel' }, h('h3', {}, 'Who has which modality'), h('div', { class: 'results-grid' }, patternTable(rep.patterns.train, 'train'), patternTable(rep.patterns.test, 'test'))),
    h('h3', {}, 'Downloads'),
    h('p', { class: 'hint' }, 'Every chart above has its own SVG and PNG download. The model file scores new patients (Score tab, or latefuse score); the report has every number on this page; the predictions are what latefuse score writes for every patient of these files.'),
    modelNote,
    downloads);
  container.hidden = false;
  const redraw = () => { for (const d of draws) d(); };
  redraw();
  const headline = late ? `Late fusion: ${M} ${c3(late.common?.c)} on ${count(late.common?.n)} common test patients${best ? `, best single modality ${c3(best.common.c)}` : ''}.` : 'Late-fusion demo done.';
  return { redraw, headline };
}
