// Late fusion in the worker: simulate a cohort (web/lib `simulate`), fit and evaluate late and early
// fusion on it (web/lib `fitAndEvaluateFusion`), and repeat over seeds for the Learn tab. Every
// number comes from the WebAssembly core through web/lib; this module only orders the calls,
// reports progress, honours Cancel and picks the fields the page shows (fusion-model.js).
import * as lib from '../lib/index.js';
import { InputError, CancelledError } from '../lib/errors.js';
import { learnRow, readReport } from './fusion-model.js';
import { atRiskTimes } from './worker-evaluate.js';

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
 * scores); time and event are the cohort's. The report itself has each group's median and S at the
 * horizons; the curves for the chart are computed here by the core (`latefuse km --group`).
 */
async function testRiskGroupCurves(report, csv) {
  const rep = readReport(report);
  const { ids, riskGroup } = rep.testPatients;
  const labels = (rep.riskGroups.test?.groups ?? []).map((g) => g.label);
  if (!ids.length || !labels.length) return null;
  const table = lib.parseTable(csv, { file: 'simulated.csv' });
  const idColumn = table.columns.get('id');
  const rowOf = new Map();
  for (let i = 0; i < table.rowCount; i++) rowOf.set(String(idColumn.raw[i]), i);
  const timeAll = table.columns.get('time').values;
  const eventAll = table.columns.get('event').values;
  const keep = ids.map((id, k) => ({ row: rowOf.get(id), group: riskGroup[k] })).filter((x) => x.row !== undefined && Number.isInteger(x.group) && labels[x.group] !== undefined);
  if (keep.length !== ids.length) return null;
  const time = Float64Array.from(keep, (x) => timeAll[x.row]);
  const event = Float64Array.from(keep, (x) => eventAll[x.row]);
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

/** The Run-demo request: one simulated cohort, the whole report, the test risk groups' curves. */
export async function fusionRequest({ simulation, evaluation = {} }, ctx) {
  const engine = engineOrThrow();
  const { cohort, result } = await fitOne(engine, simulation, evaluation, ctx);
  ctx.progress('Kaplan–Meier curves of the late-fusion risk groups', null);
  const km = await testRiskGroupCurves(result, cohort.csv);
  await ctx.checkpoint();
  const { csv, ...summary } = cohort;
  return { cohort: summary, csv, result, km };
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
  return { seeds: count, rows, reference: withReference ? reference : null };
}
