// Late fusion in the worker: simulate a cohort (web/lib `simulate`), fit and evaluate late and early
// fusion on it or on the user's files (web/lib `fitAndEvaluateFusion`), and repeat over seeds for the
// Learn tab. Written once for every outcome family: what differs (the outcome's columns, the curves
// after the engine, scoring and calibration) comes from worker-outcomes.js OUTCOMES. Every number
// comes from the WebAssembly core through web/lib; this module only orders the calls, reports
// progress, honours Cancel and picks the fields the page shows (fusion-model.js).
import * as lib from '../lib/index.js';
import { InputError, CancelledError } from '../lib/errors.js';
import { learnRow } from './fusion-model.js';
import { outcomeFamily, simulatedInput } from './worker-outcomes.js';
import { withRole } from './worker-input.js';
import { joinPreview } from './worker-join.js';
import { checkHorizons } from '../lib/columns.js';

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

/**
 * Run the engine with progress mapped to [from, to] and Cancel through the AbortSignal.
 * @param {object} input
 * @param {object} ctx
 * @param {{stage: string, from: number, to: number,
 *          locatePatient?: (engineRow: number, column?: string) => ({file: string, row: number}|null)}} step
 *   locatePatient: maps an engine row to the user's file row, so errors name it (absent for simulated cohorts)
 */
async function runEngine(input, ctx, { stage, from, to, locatePatient }) {
  ctx.progress(stage, from);
  try {
    const report = await lib.fitAndEvaluateFusion(input, {
      signal: ctx.signal,
      locatePatient,
      onProgress: (p) => {
        const f = typeof p === 'number' ? p : /** @type {{fraction?: number}|null} */ (p)?.fraction;
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
 * @returns {Promise<{cohort: object, result: object, table: object, input: object}>} the simulated cohort summary (with
 *   its CSV), the report, the cohort's table and the engine's input
 */
async function fitOne(family, simulation, evaluation, ctx, { label = '', from = 0, to = 1 } = {}) {
  const stages = family.stages.demo;
  ctx.progress(`${label}${stages.simulate}`, from);
  await ctx.checkpoint();
  const cohort = await lib.simulate(simulation);
  await ctx.checkpoint();
  const { bothEarly, ...options } = evaluation;
  const { table, input } = simulatedInput(family, cohort.csv, cohort.modalities, options);
  const fitFrom = from + (to - from) * stages.fitFrom;
  const fitTo = from + (to - from) * stages.fitTo;
  const mid = bothEarly ? fitFrom + (fitTo - fitFrom) * 0.6 : fitTo;
  const result = await runEngine(input, ctx, { stage: `${label}${stages.fit}`, from: fitFrom, to: mid });
  if (bothEarly) {
    const imputed = await runEngine({ ...input, earlyImpute: true }, ctx, { stage: `${label}Early fusion with imputation`, from: mid, to: fitTo });
    const early = imputed.models?.find((m) => m.kind === 'early');
    if (early) result.models.push({ ...early, name: 'early fusion (imputed)' });
  }
  return { cohort, result, table, input };
}

/**
 * The Run-demo request: one simulated cohort (`simulation.outcome` 'binary' for a 0/1 outcome), the
 * whole report, what the family draws of the test risk groups (Kaplan–Meier curves for survival),
 * the predictions of every patient and the calibration of the test patients.
 */
export async function fusionRequest({ simulation, evaluation = {} }, ctx) {
  const family = outcomeFamily(simulation?.outcome === 'binary');
  const { cohort, result, table, input } = await fitOne(family, simulation, evaluation, ctx);
  const outcomeOf = family.outcomeOf(input);
  let km = null;
  if (family.curves) {
    ctx.progress(family.stages.curves, null);
    km = await family.curves(result, outcomeOf);
    await ctx.checkpoint();
  }
  ctx.progress(family.stages.score, family.stages.demo.scoreAt);
  const scored = await family.scoreAndCalibrate(result, [table], { idColumn: 'id', idRequired: true, outcomeOf });
  await ctx.checkpoint();
  const { csv, ...summary } = cohort;
  return { cohort: summary, csv, result, km, ...family.extras(result, input), ...scored };
}

/**
 * Late fusion on the user's loaded files (the "Fit & evaluate" flow): join them on the ID anchored on
 * the outcome file, build the engine's input as `latefuse fuse` does (worker-input.js fusionData), fit
 * and evaluate, then the KM curves of the test risk groups, the predictions of every patient (as
 * `latefuse score`) and the calibration of the test patients.
 * With `checkOnly`, only the join and the checks run (no model): the page shows who is in which file
 * and a preview of that join ({summary, preview}: worker-join.js joinPreview).
 * @param {Map<string, object>} tables the worker's parsed tables by key
 * @param {{keys: string[], roles?: {id?: string, time?: string, event?: string, censored?: boolean, outcome?: string, split?: string},
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
  const family = outcomeFamily(!!roles.outcome);
  const { input, summary, join, keep } = family.userData(list, roles, modalities);
  const roleColumns = [roles.id, roles.time, roles.event, roles.outcome, roles.split].filter(Boolean);
  if (checkOnly) return { summary, preview: joinPreview(join, [...roleColumns, ...Object.values(modalities).flat()], keep) };
  // Horizons beyond the follow-up: refused beside the setting, as by `latefuse fuse --horizons`.
  if (options.horizons?.length && input.time) {
    withRole('setting:horizons', () => checkHorizons(options.horizons, input.time, { file: summary.outcomeFile, column: roles.time, flag: 'the horizon' }));
  }
  const request = { ...input, ...options };
  if (input.split) delete request.testFraction;
  const started = performance.now();
  // An engine error about one patient names the patient's row in the user's file (as latefuse fuse;
  // binary runs keep every row).
  const locatePatient = (engineRow, column) => join.locate(keep ? keep[engineRow] : engineRow, column);
  const result = await runEngine(request, ctx, { stage: family.stages.fit, from: 0.02, to: family.stages.fitEnd, locatePatient });
  const computeMs = Math.round((performance.now() - started) * 1000) / 1000;
  const outcomeOf = family.outcomeOf(input);
  let km = null;
  if (family.curves) {
    ctx.progress(family.stages.curves, 0.94);
    km = await family.curves(result, outcomeOf);
    await ctx.checkpoint();
  }
  ctx.progress(family.stages.score, 0.97);
  // Without an ID column (one file), `latefuse score` numbers the rows 1, 2, ...; the engine's ids are "row 1", ...
  const scored = await family.scoreAndCalibrate(result, list.map((x) => x.table), {
    idColumn: roles.id || 'id', idRequired: !!roles.id, outcomeOf, idOf: roles.id ? (id) => id : (id) => id.replace(/^row /, ''),
  });
  await ctx.checkpoint();
  return { result, km, summary, computeMs, ...family.extras(result, input), ...scored };
}

/**
 * The Learn request: for each of `seeds` seeds (simulation.seed, +1, ...), simulate, fit and
 * evaluate; per seed the C-index of every model (fusion-model.js `learnRow`). With a cross-modal
 * interaction, the same cohorts are also simulated WITHOUT it (`reference`), so the page can show
 * what the interaction costs.
 */
export async function learnRequest({ simulation, seeds = 1, evaluation = {} }, ctx) {
  const family = outcomeFamily(simulation?.outcome === 'binary');
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
    const one = await fitOne(family, { ...simulation, seed }, { ...evaluation, seed }, ctx, { label, from: done / runs, to: (done + 1) / runs });
    rows.push(learnRow(one.result, one.cohort, seed));
    done += 1;
    if (withReference) {
      const ref = await fitOne(family, { ...simulation, seed, interaction: 0 }, { ...evaluation, seed }, ctx,
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
