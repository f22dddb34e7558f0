// The computation worker: it alone loads the WebAssembly module (through web/lib) and keeps the
// user's parsed tables, answering the typed requests of protocol.js with progress events.
// Data preparation for a fit follows `latefuse cox` (web/cli/commands/cox.js) step for step, so
// the page and the command line give identical numbers for the same file and options.
import { serve, transfer } from './protocol.js';
import { readTable, summarizeTable } from './worker-read.js';
import { Dataset } from './worker-join.js';
import { loadModule, coreVersion, fitCox, encodeCategorical, completeRows, checkTimes, InputError, ModelError } from '../lib/index.js';
import { readyForInput } from '../lib/warm_up.js';
import { evaluateRiskScore } from './worker-evaluate.js';
import { simulateRequest, fusionRequest, learnRequest, fuseDataRequest } from './worker-fusion.js';
import { scoreModelInfoRequest, scoreOneRequest, scoreInspectRequest, scoreBatchRequest } from './worker-score.js';

/** Parsed tables by key (the page's source key: the file name). */
const tables = new Map();
/** The dataset the page is working on (one table, or several joined). */
let dataset = null;

async function init(_payload, ctx) {
  ctx.progress('Loading the WebAssembly core', null);
  await loadModule();
  return { version: await coreVersion() };
}

/** Sizes of the parsed tables' files by key, for the core's memory set aside before a file is read. */
const inputSizes = new Map();

async function parse({ key, name, file, text, decimal }, ctx) {
  const bytes = file?.size ?? text?.length ?? 0;
  let others = 0;
  for (const [k, b] of inputSizes) if (k !== key) others += b;
  // The core's memory set aside and, before a large file, the core warmed up (web/lib/warm_up.js).
  await readyForInput(others + bytes);
  const table = await readTable({ name, file, text, decimal }, ctx);
  await ctx.checkpoint();
  tables.set(key, table);
  inputSizes.set(key, bytes);
  dataset = null;
  return summarizeTable(key, table);
}

function drop({ key }) {
  dataset = null;
  inputSizes.delete(key);
  return { dropped: tables.delete(key) };
}

function makeDataset({ keys, idColumn }) {
  const list = (keys ?? []).map((key) => {
    const table = tables.get(key);
    if (!table) throw new InputError(`the file "${key}" is no longer loaded; open it again`, { file: key });
    return { key, table };
  });
  if (list.length === 0) throw new InputError('no data loaded: open a CSV/TSV file or load an example');
  dataset = new Dataset(list, list.length > 1 ? idColumn : null);
  return dataset.summary();
}

function finiteNumber(x, what) {
  if (x === undefined || x === null || x === '') return undefined;
  const v = Number(x);
  if (!Number.isFinite(v) || v < 0) throw new InputError(`${what} must be a number >= 0; got "${x}"`, { role: what });
  return v;
}

async function fitCoxRequest(payload, ctx) {
  if (!dataset) throw new InputError('no data loaded: open a CSV/TSV file or load an example');
  const { time: timeName, event: eventName, covariates: covNames = [], id: idName, strata: strataName } = payload;
  if (!timeName) throw new InputError('choose the follow-up time column', { role: 'time' });
  if (!eventName) throw new InputError('choose the event column', { role: 'event' });
  if (timeName === eventName) throw new InputError('time and event must be two different columns', { role: 'event', datasetColumn: eventName });
  if (covNames.length === 0) throw new InputError('choose at least one covariate', { role: 'covariate' });
  for (const c of covNames) {
    if (c === timeName || c === eventName) throw new InputError(`"${c}" is the ${c === timeName ? 'time' : 'event'} column; it cannot also be a covariate`, { role: 'covariate', datasetColumn: c });
  }
  /** @type {'efron'|'breslow'} */
  const ties = payload.ties === 'breslow' ? 'breslow' : 'efron';
  const penalizer = finiteNumber(payload.penalizer, 'penalizer');

  ctx.progress('Checking the columns', null);
  await ctx.checkpoint();
  const time = dataset.numeric(timeName, 'time');
  const event = dataset.event(eventName, payload.censored === true);
  // A text covariate is categorical (the one rule, as late fusion and `latefuse cox`): its level
  // codes' missing cells take part in the complete-row rule, its dummies are made after it.
  const features = covNames.map((c) => dataset.feature(c, 'covariate'));
  const covs = features.map((f) => (f.kind === 'number' ? f.values : Float64Array.from(f.cells, (s) => (s === null ? NaN : 0))));
  const used = [time, event, ...covs];
  let strata;
  if (strataName) { strata = dataset.categorical(strataName, 'strata'); used.push(strata.codes); }
  const rows = completeRows(used);
  if (dataset.rowCount === 0) {
    throw new InputError('no patient is in every loaded file; one Cox model needs every file\'s columns for each patient (late fusion does not)', { role: 'join' });
  }
  if (rows.keep.length === 0) {
    throw new InputError(`no row has a value in every used column (${[timeName, eventName, ...covNames].join(', ')}); check the columns and missing values`, { role: 'covariate' });
  }
  const t = rows.select(time);
  const src = dataset.sources.get(timeName);
  try {
    checkTimes(src.table, src.name, t, src.rows ? Int32Array.from(rows.keep, (k) => src.rows[k]) : rows.keep);
  } catch (error) {
    error.datasetColumn = timeName; error.role = 'time';
    throw error;
  }
  const e = rows.select(event);
  if (!e.some((v) => v === 1)) {
    throw new ModelError(`the event column "${eventName}" has no events among the ${rows.keep.length} usable rows; a Cox model needs at least one event (1 = event)`,
      { datasetColumn: eventName, role: 'event' });
  }
  /** @type {Record<string, Float64Array>} */
  const covariates = {};
  const categorical = [];
  for (const [j, c] of covNames.entries()) {
    const f = features[j];
    if (f.kind === 'number') { covariates[c] = rows.select(f.values); continue; }
    // One-hot dummies "<column>=<level>" by the core's encoding on the patients fitted (late fusion's reference rule).
    const e = await encodeCategorical(c, Array.from(rows.keep, (k) => f.cells[k]));
    e.dummies.forEach((d, k) => { covariates[d] = e.values[k]; });
    categorical.push({ column: c, reference: e.reference, levels: e.levels, dummies: e.dummies });
  }
  const input = { time: t, event: e, covariates, ties, robust: !!payload.robust };
  if (strata) input.strata = rows.select(strata.codes);
  if (penalizer !== undefined && penalizer > 0) input.penalizer = penalizer;

  ctx.progress(`Fitting the Cox model (${rows.keep.length} patients, ${covNames.length} covariates)`, null);
  await ctx.checkpoint();
  const started = performance.now();
  const fit = await fitCox(input);
  const fitMs = performance.now() - started;
  await ctx.checkpoint();

  ctx.progress('Preparing the results', null);
  const sourceRows = Int32Array.from(rows.keep, (k) => dataset.sourceRow(timeName, k));
  const ids = idName ? Array.from(rows.keep, (k) => dataset.cell(idName, k)) : null;
  const version = await coreVersion();
  const out = {
    coreVersion: version,
    fitMs,
    fit,
    prep: {
      files: dataset.tables.map(({ table }) => table.file),
      join: dataset.join,
      time: timeName,
      event: eventName,
      covariates: covNames,
      categorical,
      id: idName || null,
      strata: strataName || null,
      strataLevels: strata ? strata.levels.map(String) : null,
      ties,
      robust: !!payload.robust,
      penalizer: input.penalizer ?? 0,
      rowsInFile: dataset.rowCount,
      dropped: rows.dropped,
      sourceRows,
      ids,
      timeValues: t,
      eventValues: e,
    },
  };
  const buffers = [sourceRows.buffer, t.buffer, e.buffer];
  // Transfer only a buffer the array owns whole (never a view on the WebAssembly memory).
  const lp = fit.linear_predictor;
  if (lp instanceof Float64Array) {
    if (lp.byteOffset !== 0 || lp.buffer.byteLength !== lp.byteLength) fit.linear_predictor = lp.slice();
    buffers.push(fit.linear_predictor.buffer);
  }
  return transfer(out, buffers);
}

/** Evaluate a risk score (the fit's linear predictor): the request carries its own data, so it
 *  needs no worker state and survives a restart after a hard Cancel. */
async function evaluateRequest(payload, ctx) {
  const out = await evaluateRiskScore(payload, ctx);
  return transfer(out, [out.risk_groups.codes.buffer]);
}

/** Every request the worker answers: the one list of request types (protocol.js RequestType). */
export const handlers = Object.freeze({
  init, parse, drop, dataset: makeDataset, fitCox: fitCoxRequest, evaluate: evaluateRequest,
  simulate: simulateRequest, fusion: fusionRequest, learn: learnRequest,
  scoreModelInfo: scoreModelInfoRequest, scoreOne: scoreOneRequest, scoreInspect: scoreInspectRequest, scoreBatch: scoreBatchRequest,
  fuseData: (payload, ctx) => fuseDataRequest(tables, payload, ctx),
});

serve(handlers);
