// Late fusion in the worker: simulate a cohort (web/lib `simulate`), fit and evaluate late and early
// fusion on it (web/lib `fitAndEvaluateFusion`), and repeat over seeds for the Learn tab. Every
// number comes from the WebAssembly core through web/lib; this module only orders the calls,
// reports progress, honours Cancel and picks the fields the page shows (fusion-model.js).
import * as lib from '../lib/index.js';
import { InputError, CancelledError } from '../lib/errors.js';
import { learnRow, readReport } from './fusion-model.js';
import { fusionData, joinPreview } from './worker-data.js';
import { atRiskTimes } from './worker-evaluate.js';
import { binaryFusionData, binaryFusionInput, binaryScoreAndCalibrate } from './worker-binary.js';

/** FUSION SEAM: the fusion engine of web/lib, or null while this build does not have it. */
export function fusionEngine() {
  return typeof lib.fitAndEvaluateFusion === 'function' ? lib.fitAndEvaluateFusion : null;
}

/** What the core of this build can do (sent to the page with `init`). */
export function capabilities() {
  return { simulate: typeof lib.simulate === 'function', fusion: fusionEngine() !== null };
}

const PREVIEW_ROWS = 8;

/**
 * The first rows of a simulated CSV (written by the core: no quoted fields), with id, time, event and
 * the first column of each modality; an empty cell is a missing value.
 */
function preview(csv, modalities) {
  const lines = [];
  let start = 0;
  for (let k = 0; k <= PREVIEW_ROWS && start < csv.length; k++) {
    const end = csv.indexOf('\n', start);
    lines.push(csv.slice(start, end < 0 ? csv.length : end));
    start = end < 0 ? csv.length : end + 1;
  }
  const [header, ...rows] = lines.map((l) => l.split(','));
  const keep = [0, 1, 2, ...modalities.map((m) => header.findIndex((c) => c.startsWith(`${m.name}_`))).filter((j) => j >= 0)];
  return { columns: keep.map((j) => header[j]), rows: rows.map((r) => keep.map((j) => r[j] ?? '')) };
}

/** Simulate one cohort; the summary (counts by the core), the CSV and a preview of its first rows. */
export async function simulateRequest(settings, ctx) {
  ctx.progress('Simulating the cohort', null);
  await ctx.checkpoint();
  const cohort = await lib.simulate(settings);
  await ctx.checkpoint();
  const { csv, ...summary } = cohort;
  return { ...summary, csv, preview: preview(csv, cohort.modalities) };
}

/** Errors of an aborted web/lib call (AbortError) are a Cancel, like the worker's own. */
function asCancel(error) {
  return error?.name === 'AbortError' ? new CancelledError() : error;
}

function engineOrThrow() {
  const engine = fusionEngine();
  if (!engine) throw new InputError('this build of LateFuse has no late-fusion engine yet (web/lib fitAndEvaluateFusion)');
  return engine;
}

/**
 * The engine's input for a simulated cohort, built exactly as `latefuse fuse --data cohort.csv --id id
 * --time time --event event --modality <m>=<m>_* ...` builds it (same columns, order, ids and
 * options), so the page and the CLI give the same report for the same data and seed.
 */
export function fusionInput(csv, modalities, evaluation = {}) {
  const table = lib.parseTable(csv, { file: 'simulated.csv' });
  const groups = {};
  for (const m of modalities) groups[m.name] = table.header.filter((c) => c.startsWith(`${m.name}_`));
  const columns = {};
  for (const cols of Object.values(groups)) for (const c of cols) columns[c] = lib.numericColumn(table, c, 'feature');
  const input = {
    columns,
    modalities: groups,
    time: lib.numericColumn(table, 'time', 'time'),
    event: lib.eventColumn(table, 'event'),
    ids: Array.from(table.columns.get('id').raw, (v) => String(v).trim()),
    testFraction: evaluation.testFraction ?? 0.3,
    folds: 0,
    repeats: 1,
    seed: evaluation.seed ?? 1,
    bootstrap: evaluation.bootstrap ?? 1000,
    permutations: evaluation.permutations ?? 1000,
    riskGroups: evaluation.riskGroups ?? 'median',
  };
  if (evaluation.earlyImpute) input.earlyImpute = true;
  return input;
}

/** Run the engine with progress mapped to [from, to] and Cancel through the AbortSignal. */
async function runEngine(engine, input, ctx, { stage, from, to }) {
  ctx.progress(stage, from);
  try {
    const report = await engine(input, {
      signal: ctx.signal,
      onProgress: (p) => {
        const f = typeof p === 'number' ? p : p?.fraction;
        ctx.progress(stage, Number.isFinite(f) ? from + (to - from) * f : null);
        return !ctx.isCancelled();
      },
    });
    await ctx.checkpoint();
    return report;
  } catch (error) {
    throw asCancel(error);
  }
}

/**
 * Simulate a cohort with `simulation`, then fit and evaluate late and early fusion on it.
 * With `evaluation.bothEarly`, early fusion is fitted twice: on complete cases (the report's
 * "early fusion") and with imputation (added as "early fusion (imputed)", from a second run of the
 * engine on the same data, split and seed).
 * @returns {{cohort: object, result: object}} the simulated cohort summary (with its CSV) and the report
 */
async function fitOne(engine, simulation, evaluation, ctx, { label = '', from = 0, to = 1 } = {}) {
  ctx.progress(`${label}Simulating the cohort`, from);
  await ctx.checkpoint();
  const cohort = await lib.simulate(simulation);
  await ctx.checkpoint();
  const { bothEarly, ...options } = evaluation;
  const input = fusionInput(cohort.csv, cohort.modalities, options);
  const mid = bothEarly ? from + (to - from) * 0.6 : to;
  const result = await runEngine(engine, input, ctx, { stage: `${label}Fitting and evaluating late and early fusion`, from, to: mid });
  if (bothEarly) {
    const imputed = await runEngine(engine, { ...input, earlyImpute: true }, ctx, { stage: `${label}Early fusion with imputation`, from: mid, to });
    const early = imputed.models?.find((m) => m.kind === 'early');
    if (early) result.models.push({ ...early, name: 'early fusion (imputed)' });
  }
  return { cohort, result };
}

/**
 * Kaplan–Meier curves (with the number at risk) and the log-rank test of the late-fusion risk groups
 * of the TEST patients: the groups are the report's (training cut-points applied to the test
 * scores); time and event are the patients' own (`outcomeOf(id)` -> {time, event}). The report itself
 * has each group's median and S at the horizons; the curves for the chart are computed here by the
 * core (`latefuse km --group`).
 */
async function testRiskGroupCurves(report, outcomeOf) {
  const rep = readReport(report);
  const { ids, riskGroup } = rep.testPatients;
  const labels = (rep.riskGroups.test?.groups ?? []).map((g) => g.label);
  if (!ids.length || !labels.length) return null;
  const keep = ids.map((id, k) => ({ o: outcomeOf(id), group: riskGroup[k] })).filter((x) => x.o && Number.isInteger(x.group) && labels[x.group] !== undefined);
  if (keep.length !== ids.length) return null;
  const time = Float64Array.from(keep, (x) => x.o.time);
  const event = Float64Array.from(keep, (x) => x.o.event);
  const group = keep.map((x) => labels[x.group]);
  let tmax = 0;
  for (const t of time) tmax = Math.max(tmax, t);
  const atTimes = atRiskTimes(tmax);
  const km = await lib.kaplanMeier({ time, event, group, times: atTimes, curve: true });
  const groups = [...km.groups].sort((a, b) => labels.indexOf(a.group) - labels.indexOf(b.group)).map((g) => ({
    label: g.group,
    n: g.n,
    events: g.events,
    median: g.median,
    medianLower: g.medianLower,
    medianUpper: g.medianUpper,
    atRisk: Array.from(g.at.nRisk),
    curve: {
      time: Array.from(g.curve.time), surv: Array.from(g.curve.surv), lower: Array.from(g.curve.lower), upper: Array.from(g.curve.upper),
      nRisk: Array.from(g.curve.nRisk), nEvent: Array.from(g.curve.nEvent), nCensor: Array.from(g.curve.nCensor),
    },
  }));
  let test = null;
  if (new Set(group).size >= 2) {
    const lr = await lib.logRank({ time, event, group });
    test = { chisq: lr.chisq, df: lr.df, p: lr.p };
  }
  return { atTimes, groups, logRank: test, ids, time: Array.from(time), event: Array.from(event) };
}

/** Outcome lookup of a simulated cohort's CSV by patient id. */
function csvOutcomes(csv) {
  const table = lib.parseTable(csv, { file: 'simulated.csv' });
  const idColumn = table.columns.get('id');
  const timeAll = table.columns.get('time').values;
  const eventAll = table.columns.get('event').values;
  const rowOf = new Map();
  for (let i = 0; i < table.rowCount; i++) rowOf.set(String(idColumn.raw[i]), i);
  return { table, outcomeOf: (id) => (rowOf.has(id) ? { time: timeAll[rowOf.get(id)], event: eventAll[rowOf.get(id)] } : null) };
}

/** Groups of predicted risk in the calibration plot (5 as models/build.sh; fewer for small test sets). */
export const CALIBRATION_GROUPS = 5;

/**
 * Every patient of `tables` scored with the model file the engine wrote (web/lib scoreTables, as
 * `latefuse score --model M --data F ... [--id COL]`): sets out.predictions (that command's CSV), or
 * out.predictionsError and out.calibrationNote (naming `what` the model predicts) and returns null.
 */
export async function scoreEveryPatient(result, tables, { idColumn, idRequired }, out, what) {
  const modelText = typeof result.model_json === 'string' ? result.model_json : null;
  if (!modelText) {
    out.predictionsError = result.model_json_error ?? 'the engine wrote no model file';
    out.calibrationNote = `no model file to predict ${what} with (${out.predictionsError})`;
    return null;
  }
  try {
    const p = await lib.scoreTables(modelText, tables, { idColumn, idRequired });
    out.predictions = lib.predictionsCsv(p);
    return p;
  } catch (error) {
    out.predictionsError = error.message;
    out.calibrationNote = `the patients could not be scored with the model (${error.message})`;
    return null;
  }
}

/**
 * Score every patient of `tables` with the model the engine wrote (web/lib scoreTables: the same
 * call and options as `latefuse score --model M --data F ... [--id COL]`, so predictionsCsv(p) is
 * that command's CSV), then calibration of the TEST patients at the report's middle horizon: mean
 * predicted S(t) vs Kaplan–Meier S(t) by groups of predicted risk, and the calibration slope (the
 * core's survivalCalibration, as `latefuse evaluate --predicted-survival surv_<t>
 * --calibration-horizon t --calibration-groups 5` on the test patients in the report's order).
 * @returns {{predictions: string|null, predictionsError: string|null, calibration: object|null, calibrationNote: string|null}}
 */
async function scoreAndCalibrate(result, tables, { idColumn, idRequired, idOf = (id) => id, outcomeOf }) {
  const out = { predictions: null, predictionsError: null, calibration: null, calibrationNote: null, testSurvival: null };
  const p = await scoreEveryPatient(result, tables, { idColumn, idRequired }, out, 'survival');
  if (!p) return out;
  const rep = readReport(result);
  const horizons = rep.horizons.filter((t) => Number.isFinite(t));
  if (!horizons.length) { out.calibrationNote = 'the report has no horizon'; return out; }
  const horizon = horizons[Math.floor((horizons.length - 1) / 2)];
  const at = p.survival.find((s) => s.time === horizon);
  if (!at) { out.calibrationNote = `the model predicts no survival at t = ${horizon}`; return out; }
  const index = new Map(p.ids.map((id, i) => [id, i]));
  const { ids } = rep.testPatients;
  const time = [];
  const event = [];
  const predicted = [];
  for (const id of ids) {
    const i = index.get(idOf(id));
    const o = outcomeOf(id);
    if (i === undefined || !o) { out.calibrationNote = `test patient "${id}" was not scored`; return out; }
    if (!Number.isFinite(at.surv[i])) continue;
    time.push(o.time); event.push(o.event); predicted.push(at.surv[i]);
  }
  out.testSurvival = { horizon, values: ids.map((id) => at.surv[index.get(idOf(id))]) };
  if (predicted.length < 2 * CALIBRATION_GROUPS) { out.calibrationNote = `too few test patients with a predicted survival at t = ${horizon}`; return out; }
  try {
    const c = await lib.survivalCalibration({
      time: Float64Array.from(time), event: Float64Array.from(event), predicted: Float64Array.from(predicted), horizon, groups: CALIBRATION_GROUPS,
    });
    out.calibration = { n: predicted.length, horizon, ...c };
  } catch (error) {
    out.calibrationNote = error.message;
  }
  return out;
}

/**
 * The binary-outcome demo: a cohort simulated with `outcome: 'binary'` (`latefuse simulate --outcome
 * binary`), late fusion with logistic models, the predictions of every patient and the calibration
 * of the test patients' probabilities (no Kaplan–Meier curves: the risk groups are proportions).
 */
async function binaryDemoRequest({ simulation, evaluation = {} }, ctx) {
  const engine = engineOrThrow();
  ctx.progress('Simulating the cohort (binary outcome)', 0);
  await ctx.checkpoint();
  const cohort = await lib.simulate(simulation);
  await ctx.checkpoint();
  const { table, input } = binaryFusionInput(cohort.csv, cohort.modalities, evaluation);
  const result = await runEngine(engine, input, ctx, { stage: 'Fitting and evaluating late and early fusion (logistic models)', from: 0.02, to: 0.95 });
  ctx.progress('Predicted probabilities and calibration of the test patients', 0.97);
  const byId = new Map(input.ids.map((id, k) => [id, k]));
  const scored = await binaryScoreAndCalibrate(result, [table], {
    idColumn: 'id', idRequired: true, outcomeOf: (id) => (byId.has(id) ? input.outcome[byId.get(id)] : null),
  });
  await ctx.checkpoint();
  const { csv, ...summary } = cohort;
  return { cohort: summary, csv, result, km: null, testOutcome: testOutcomes(result, input), ...scored };
}

/** The outcome (0/1) of each test patient, in the report's order (the per-patient download). */
function testOutcomes(result, input) {
  const byId = new Map(input.ids.map((id, k) => [id, k]));
  return readReport(result).testPatients.ids.map((id) => (byId.has(id) ? input.outcome[byId.get(id)] : null));
}

/** The Run-demo request: one simulated cohort, the whole report, the test risk groups' curves. */
export async function fusionRequest({ simulation, evaluation = {} }, ctx) {
  if (simulation?.outcome === 'binary') return binaryDemoRequest({ simulation, evaluation }, ctx);
  const engine = engineOrThrow();
  const { cohort, result } = await fitOne(engine, simulation, evaluation, ctx);
  ctx.progress('Kaplan–Meier curves of the late-fusion risk groups', null);
  const { table, outcomeOf } = csvOutcomes(cohort.csv);
  const km = await testRiskGroupCurves(result, outcomeOf);
  await ctx.checkpoint();
  ctx.progress('Predicted survival and calibration of the test patients', null);
  const scored = await scoreAndCalibrate(result, [table], { idColumn: 'id', idRequired: true, outcomeOf });
  await ctx.checkpoint();
  const { csv, ...summary } = cohort;
  return { cohort: summary, csv, result, km, ...scored };
}

/**
 * Late fusion on the user's loaded files (the "Fit & evaluate" flow): join them on the ID anchored on
 * the outcome file, build the engine's input as `latefuse fuse` does (worker-data.js fusionData), fit
 * and evaluate, then the KM curves of the test risk groups, the predictions of every patient (as
 * `latefuse score`) and the calibration of the test patients.
 * With `checkOnly`, only the join and the checks run (no model): the page shows who is in which file
 * and a preview of that join ({summary, preview}: worker-data.js joinPreview).
 * @param {Map<string, object>} tables the worker's parsed tables by key
 * @param {{keys: string[], roles: {id?: string, time: string, event: string, split?: string},
 *          modalities: Record<string, string[]>, options?: object, checkOnly?: boolean}} payload
 *   options: the engine's evaluation options (fusion-settings.js engineOptions)
 */
export async function fuseDataRequest(tables, { keys, roles = {}, modalities = {}, options = {}, checkOnly = false }, ctx) {
  const list = (keys ?? []).map((key) => {
    const table = tables.get(key);
    if (!table) throw new InputError(`the file "${key}" is no longer loaded; open it again`, { file: key, role: `file:${key}` });
    return { key, table };
  });
  if (list.length === 0) throw new InputError('no data loaded: open CSV/TSV files or load an example');
  ctx.progress('Joining the files on the patient ID', null);
  await ctx.checkpoint();
  if (roles.outcome) return binaryFuseData(list, { roles, modalities, options, checkOnly }, ctx);
  const { input, summary, join, keep } = fusionData(list, { id: roles.id, time: roles.time, event: roles.event, split: roles.split, modalities });
  if (checkOnly) return { summary, preview: joinPreview(join, [roles.id, roles.time, roles.event, roles.split, ...Object.values(modalities).flat()], keep) };
  const engine = engineOrThrow();
  const request = { ...input, ...options };
  if (input.split) delete request.testFraction;
  const started = performance.now();
  const result = await runEngine(engine, request, ctx, { stage: 'Fitting the submodels and integrators, then evaluating on the test patients', from: 0.02, to: 0.93 });
  const computeMs = Math.round((performance.now() - started) * 1000) / 1000;
  const byId = new Map(input.ids.map((id, k) => [id, k]));
  const outcomeOf = (id) => (byId.has(id) ? { time: input.time[byId.get(id)], event: input.event[byId.get(id)] } : null);
  ctx.progress('Kaplan–Meier curves of the late-fusion risk groups', 0.94);
  const km = await testRiskGroupCurves(result, outcomeOf);
  await ctx.checkpoint();
  ctx.progress('Predicted survival and calibration of the test patients', 0.97);
  // Without an ID column (one file), `latefuse score` numbers the rows 1, 2, ...; the engine's ids are "row 1", ...
  const scored = await scoreAndCalibrate(result, list.map((x) => x.table), {
    idColumn: roles.id || 'id', idRequired: !!roles.id, outcomeOf, idOf: roles.id ? (id) => id : (id) => id.replace(/^row /, ''),
  });
  await ctx.checkpoint();
  return { result, km, summary, computeMs, ...scored };
}

/** fuseDataRequest with a binary outcome column (roles.outcome): `latefuse fuse --outcome COL`. */
async function binaryFuseData(list, { roles, modalities, options, checkOnly }, ctx) {
  const { input, summary, join } = binaryFusionData(list, { id: roles.id, outcome: roles.outcome, split: roles.split, modalities });
  if (checkOnly) return { summary, preview: joinPreview(join, [roles.id, roles.outcome, roles.split, ...Object.values(modalities).flat()]) };
  const engine = engineOrThrow();
  const request = { ...input, ...options };
  if (input.split) delete request.testFraction;
  const started = performance.now();
  const result = await runEngine(engine, request, ctx, { stage: 'Fitting the logistic submodels and integrators, then evaluating on the test patients', from: 0.02, to: 0.95 });
  const computeMs = Math.round((performance.now() - started) * 1000) / 1000;
  ctx.progress('Predicted probabilities and calibration of the test patients', 0.97);
  const byId = new Map(input.ids.map((id, k) => [id, k]));
  const scored = await binaryScoreAndCalibrate(result, list.map((x) => x.table), {
    idColumn: roles.id || 'id', idRequired: !!roles.id, idOf: roles.id ? (id) => id : (id) => id.replace(/^row /, ''),
    outcomeOf: (id) => (byId.has(id) ? input.outcome[byId.get(id)] : null),
  });
  await ctx.checkpoint();
  return { result, km: null, summary, computeMs, testOutcome: testOutcomes(result, input), ...scored };
}

/**
 * The Learn request: for each of `seeds` seeds (simulation.seed, +1, ...), simulate, fit and
 * evaluate; per seed the C-index of every model (fusion-model.js `learnRow`). With a cross-modal
 * interaction, the same cohorts are also simulated WITHOUT it (`reference`), so the page can show
 * what the interaction costs.
 */
export async function learnRequest({ simulation, seeds = 1, evaluation = {} }, ctx) {
  const engine = engineOrThrow();
  const count = Math.max(1, Math.min(50, Math.floor(Number(seeds) || 1)));
  const withReference = Number(simulation.interaction ?? 0) !== 0;
  evaluation = { bothEarly: true, ...evaluation };
  const runs = count * (withReference ? 2 : 1);
  const rows = [];
  const reference = [];
  let done = 0;
  for (let k = 0; k < count; k++) {
    const seed = Number(simulation.seed ?? 1) + k;
    const label = `Seed ${seed} (${k + 1} of ${count}): `;
    const one = await fitOne(engine, { ...simulation, seed }, { ...evaluation, seed }, ctx, { label, from: done / runs, to: (done + 1) / runs });
    rows.push(learnRow(one.result, one.cohort, seed));
    done += 1;
    if (withReference) {
      const ref = await fitOne(engine, { ...simulation, seed, interaction: 0 }, { ...evaluation, seed }, ctx,
        { label: `${label}without the interaction: `, from: done / runs, to: (done + 1) / runs });
      reference.push(learnRow(ref.result, ref.cohort, seed));
      done += 1;
    }
  }
  return { seeds: count, rows, reference: withReference ? reference : null, differences: await seedDifferences(rows, withReference ? reference : null) };
}

/**
 * The paired differences over seeds that the Learn tab's sentences may claim (web/lib
 * pairedDifference: mean with its t interval; a claim only when the interval excludes 0), on the
 * common test patients' C: late minus each early fusion, each single modality minus late, and late
 * with the interaction minus late without it.
 */
async function seedDifferences(rows, reference) {
  const cOf = (row, find) => find(row.models)?.common?.c ?? NaN;
  const late = (models) => models.find((m) => m.kind === 'late');
  const lateC = rows.map((r) => cOf(r, late));
  const names = (kind) => [...new Set(rows.flatMap((r) => r.models.filter((m) => m.kind === kind).map((m) => m.name)))];
  const byName = (name) => rows.map((r) => cOf(r, (models) => models.find((m) => m.name === name)));
  const out = { early: {}, unimodal: {}, interaction: null };
  for (const name of names('early')) out.early[name] = await lib.pairedDifference({ a: lateC, b: byName(name) });
  for (const name of names('unimodal')) out.unimodal[name] = await lib.pairedDifference({ a: byName(name), b: lateC });
  if (reference) out.interaction = await lib.pairedDifference({ a: lateC, b: reference.map((r) => cOf(r, late)) });
  return out;
}
