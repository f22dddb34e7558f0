// LateFuse model files and scoring new patients through the WASM core.
// The format is models/schema.json; the core (cpp/latefuse/model_json.hpp) validates every file it
// reads and names the JSON path of the first problem. Direction: every score and linear predictor
// is a risk (higher = higher risk = shorter survival; for a binary model, higher odds of y = 1).
// A binary model (summary.outcome_type 'binary') predicts the probability P(y = 1) instead of S(t).
// Summaries and predictions use snake_case keys (the model file's own names where it has them);
// the options below stay camelCase.
//
// Scoring options (every scoring function; both optional, the defaults are `latefuse score`'s):
//   times: extra times at which S(t) and its 95% CI are returned (`survival_at_times`, same shape as
//     `survival`), in addition to the model's horizons and without rewriting the model (e.g. every
//     baseline event time for a whole S(t) curve: summary.baseline_times). Survival models only.
//   skipUnscorable: a patient with no modality, or with a feature cell that is not a number (or not a
//   possible value of a binary feature, per the model file's "features"), is left out and listed in
//   `unscorable`
//     ([{id, index, reason}], index = position among all patients) instead of an InputError.
// Load once, score many: loadScoringModel(text) parses and validates the file once and returns a
// ScoringModel (summary, score, scoreFromScores, scoreTables, dispose); the one-shot functions
// (scoreModel(text, ...)) re-read the file on every call.
import { loadModule } from './module.js';
import { indexIds, checkIdCase } from './join.js';
import { callCore, InputError, locatedError } from './errors.js';
import { numericColumn } from './columns.js';
import { parseNumber } from './decimal.js';
import { checkFeatureValue } from './features.js';

function modelText(model) {
  if (typeof model === 'string') return model;
  if (model instanceof ScoringModel) throw new InputError('this function takes the text of the model file, not a loaded model (ScoringModel)');
  if (model && typeof model === 'object') return JSON.stringify(model);
  throw new InputError('the model must be the text of a LateFuse model file (JSON)');
}

// The model file's text as UTF-8 bytes for the core, the one way every call here hands it over:
// TextEncoder encodes natively, where embind encodes a string argument in a JS loop one character at
// a time (the core's textOf takes both). Bytes already encoded pass through (scoreTables encodes once
// for its validation and its scoring).
const utf8 = new TextEncoder();
/** @param {any} model @returns {Uint8Array} */
function modelBytes(model) {
  return model instanceof Uint8Array ? model : utf8.encode(modelText(model));
}

/**
 * @param {any} values an array or typed array (checked here)
 * @param {string} name
 * @returns {Float64Array}
 */
function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    return Float64Array.from(/** @type {ArrayLike<any>} */ (values), (v) => (v === null || v === undefined || v === '' ? NaN : Number(v)));
  }
  throw new InputError(`${name} must be an array of numbers`);
}

function toIds(ids, n) {
  if (ids === undefined || ids === null) return [];
  const out = Array.from(ids, (v) => String(v ?? ''));
  if (out.length !== n) throw new InputError(`${out.length} patient ids for ${n} patients; give one id per patient`);
  return out;
}

function summaryFromCore(summary) {
  summary.evaluation = summary.evaluation_json === null ? null : JSON.parse(summary.evaluation_json);
  summary.validation = summary.validation_json === null ? null : JSON.parse(summary.validation_json);
  delete summary.evaluation_json;
  delete summary.validation_json;
  return summary;
}

/**
 * Check a model file and summarise it (modalities, columns, integrators, horizons, training,
 * evaluation, external validation). Survival models also give `baseline_times` (every event time of
 * the integrators' and submodels' baselines, sorted) and, per integrator and modality,
 * `last_event_time` (beyond it S(t) is not estimated); null for a binary model, and for a modality
 * whose submodel keeps no baseline in the file (it has an integrator of its own, so the submodel
 * never gives anyone's S(t)).
 * Throws InputError naming the JSON path of the first problem, or "written by a newer LateFuse".
 * @param {string|object|Uint8Array} model  the model file's text (or its parsed JSON, or its UTF-8 bytes)
 */
export async function validateModel(model) {
  if (model instanceof ScoringModel) return model.summary;
  const bytes = modelBytes(model);
  const m = await loadModule();
  return summaryFromCore(callCore(() => m.validateModel(bytes)));
}

/** Load -> save: the canonical text of a model file (byte-identical for a file LateFuse wrote). */
export async function roundTripModel(model) {
  const bytes = modelBytes(model);
  const m = await loadModule();
  return callCore(() => m.roundTripModel(bytes));
}

/**
 * Add (or replace, by cohort) an external-validation entry in the model file's `validation` section:
 * {cohort, description?, n, events, c, c_lower?, c_upper?, conf_level?, bootstrap?, permutation_p?,
 * uno_c?, uno_c_lower?, uno_c_upper?, tau?, auc?: [{time, auc}], mean_auc?, calibration?: {horizon, n,
 * slope, slope_lower, slope_upper, groups: [{n, events, predicted, observed, lower, upper}]}, seed?}
 * (models/schema.json). The entry is checked as the loader checks a file (InputError naming the field).
 * @param {string|object} model
 * @param {object} entry
 * @returns {Promise<string>} the model file's text with the entry
 */
export async function addModelValidation(model, entry) {
  const bytes = modelBytes(model);
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new InputError('cannot attach the validation: the entry must be an object');
  const m = await loadModule();
  return callCore(() => m.addModelValidation(bytes, JSON.stringify(entry)));
}

/** The model file without its `validation` section (the model as `latefuse fuse` wrote it). */
export async function modelWithoutValidation(model) {
  const bytes = modelBytes(model);
  const m = await loadModule();
  return callCore(() => m.modelWithoutValidation(bytes));
}

/**
 * @typedef {{ids: string[], modalities: string[], pattern: string[], pattern_mask: Int32Array, integrator: string[],
 *   integrator_mask: Int32Array, integrator_index: Int32Array, fallback: boolean[], note: string[],
 *   scores: Record<string, Float64Array>, fused_lp: Float64Array, cox_lp: Float64Array, hazard_ratio: Float64Array,
 *   risk: Float64Array, reference_horizon: number|null, contributions: Record<string, Float64Array>,
 *   percentile: Float64Array, risk_group: Int32Array, risk_label: (string|null)[], early_lp: Float64Array,
 *   survival: Array<{time: number, surv: Float64Array, lower: Float64Array, upper: Float64Array}>, time_unit: string|null,
 *   outcome_type: 'survival'|'binary', probability: Float64Array,
 *   survival_at_times: Array<{time: number, surv: Float64Array, lower: Float64Array, upper: Float64Array}>,
 *   rows: Int32Array, unscorable: Array<{id: string, index: number, reason: string}>,
 *   warnings?: Array<{id: string, index: number, column: string, value: number, message: string}>}} Predictions
 *   Per patient (index i): `pattern` = modalities present joined by "+"; `integrator` = the modalities
 *   actually combined (differs from the pattern on a fallback, explained in `note`); `scores[m]` = the
 *   standardised score of modality m (NaN where absent); `fused_lp` = the late-fusion linear predictor;
 *   `hazard_ratio` = exp(lp) of the Cox model behind S(t), relative to the average training patient of
 *   that integrator (its training means); `risk` = the predicted risk 1 - S(t_ref) at the model's
 *   reference horizon `reference_horizon` (binary: the probability; null horizon), the one scale of
 *   `percentile` (0..100 among the training patients' risks, each from their own pattern's
 *   integrator; NaN if the file has no table) and `risk_group` (0-based, cut-points = training
 *   quantiles of that risk; -1 without cut-points); `contributions[m]` = modality m's share
 *   beta_m * (s_m - centre_m) of `fused_lp` for the integrator used (NaN for modalities it does not
 *   use; they sum to fusedLp; binary: beta_m * s_m, summing to fusedLp minus the intercept);
 *   `survival[h]` = S(t) with 95% CI at each horizon;
 *   `survivalAtTimes[k]` = the same at the k-th requested time (options.times); `rows[i]` = the
 *   position of patient i among the patients given (differs from i when unscorable ones were skipped).
 *   Binary models: `probability` = P(y = 1) from whichever model scored the patient (the integrator's
 *   log-odds, or the one modality's submodel, intercept included; `cox_lp` holds that log-odds),
 *   `hazard_ratio` NaN and `survival` empty. Survival models: `probability` is NaN.
 */

/**
 * @param {{times?: ArrayLike<number>|null, skipUnscorable?: boolean}} [options]
 * @returns {Record<string, any>} the core's scoring options
 */
function scoringOptions({ times, skipUnscorable } = {}) {
  /** @type {Record<string, any>} */
  const out = {};
  if (times !== undefined && times !== null) {
    if (!Array.isArray(times) && !ArrayBuffer.isView(times)) throw new InputError('scoring: times must be an array of numbers (times >= 0)');
    out.times = Float64Array.from(/** @type {ArrayLike<any>} */ (times), (t) => (typeof t === 'number' ? t : NaN));
  }
  if (skipUnscorable !== undefined) {
    if (typeof skipUnscorable !== 'boolean') throw new InputError('scoring: skipUnscorable must be true or false');
    out.skipUnscorable = skipUnscorable;
  }
  return out;
}

function featureInput(input) {
  const names = Object.keys(input?.columns ?? {});
  if (names.length === 0) throw new InputError('scoring: give the patients\' feature columns');
  const values = names.map((n) => toF64(input.columns[n], `column ${n}`));
  return { names, values, ids: toIds(input.ids, values[0].length) };
}

function scoresInput(input) {
  const names = Object.keys(input?.scores ?? {});
  if (names.length === 0) throw new InputError('scoring: give at least one modality\'s scores');
  const scores = Object.fromEntries(names.map((n) => [n, toF64(input.scores[n], `${n} scores`)]));
  return { scores, ids: toIds(input.ids, scores[names[0]].length) };
}

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ module, handle }) => { try { module.releaseScoringModel(handle); } catch { /* module gone */ } })
  : null;

/**
 * A model file parsed and validated once, for scoring many times (loadScoringModel). Its methods
 * are synchronous and take the same inputs and options as scoreModel / scoreModelFromScores /
 * scoreTables. Call dispose() when done (a forgotten model is freed when garbage-collected).
 */
export class ScoringModel {
  #module;
  #handle;
  constructor(module, handle, summary) {
    this.#module = module;
    this.#handle = handle;
    /** validateModel's summary of the file. */
    this.summary = summary;
    registry?.register(this, { module, handle }, this);
  }

  get disposed() { return this.#handle === null; }

  #live() {
    if (this.#handle === null) throw new InputError('scoring: this model was disposed; load the model file again');
    return this.#handle;
  }

  /** Score raw feature columns (scoreModel). @returns {Predictions} */
  score(input, options = {}) {
    const handle = this.#live();
    const { names, values, ids } = featureInput(input);
    const o = scoringOptions(options);
    return callCore(() => this.#module.scoreLoadedModel(handle, names, values, ids, o));
  }

  /** Score typed per-modality scores (scoreModelFromScores). @returns {Predictions} */
  scoreFromScores(input, options = {}) {
    const handle = this.#live();
    const { scores, ids } = scoresInput(input);
    const o = scoringOptions(options);
    return callCore(() => this.#module.scoreLoadedModelFromScores(handle, scores, ids, o));
  }

  /** Score parsed tables (scoreTables). @returns {Predictions} */
  scoreTables(tables, options = {}) {
    this.#live();
    return tablesPredictions(this.#module, this.summary, tables, options, (input, o) => this.score(input, o));
  }

  /** Free the core's copy of the model. Idempotent. */
  dispose() {
    if (this.#handle === null) return;
    registry?.unregister(this);
    const handle = this.#handle;
    this.#handle = null;
    callCore(() => this.#module.releaseScoringModel(handle));
  }
}

/**
 * Parse and validate a model file once; score with the returned ScoringModel as often as needed.
 * @param {string|object} model
 * @returns {Promise<ScoringModel>}
 */
export async function loadScoringModel(model) {
  const bytes = modelBytes(model);
  const m = await loadModule();
  const { handle, summary } = callCore(() => m.loadScoringModel(bytes));
  let loaded = false;
  try {
    const scoring = new ScoringModel(m, handle, summaryFromCore(summary));
    loaded = true;
    return scoring;
  } finally {
    // The core holds the parsed model until released: free it if the summary cannot be read.
    if (!loaded) m.releaseScoringModel(handle);
  }
}

/**
 * Score new patients from their raw feature columns (matched to the model's by name; extra
 * columns are ignored; every model column must be present, cells may be empty = missing).
 * @param {string|object|ScoringModel} model
 * @param {{columns: Record<string, ArrayLike<number|null>>, ids?: ArrayLike<string>}} input
 * @param {{times?: ArrayLike<number>, skipUnscorable?: boolean}} [options]
 * @returns {Promise<Predictions>}
 */
export async function scoreModel(model, input, options = {}) {
  if (model instanceof ScoringModel) return model.score(input, options);
  const bytes = modelBytes(model);
  const { names, values, ids } = featureInput(input);
  const o = scoringOptions(options);
  const m = await loadModule();
  return callCore(() => m.scoreModel(bytes, names, values, ids, o));
}

/**
 * Score from per-modality risk scores typed directly (standardised unimodal scores, any subset of
 * the modalities; null/NaN = the patient lacks that modality). Same outputs as scoreModel, except
 * no early-fusion score and no S(t) CI for a patient scored by one modality (it needs the features).
 * @param {string|object|ScoringModel} model
 * @param {{scores: Record<string, ArrayLike<number|null>>, ids?: ArrayLike<string>}} input
 * @param {{times?: ArrayLike<number>, skipUnscorable?: boolean}} [options]
 * @returns {Promise<Predictions>}
 */
export async function scoreModelFromScores(model, input, options = {}) {
  if (model instanceof ScoringModel) return model.scoreFromScores(input, options);
  const bytes = modelBytes(model);
  const { scores, ids } = scoresInput(input);
  const o = scoringOptions(options);
  const m = await loadModule();
  return callCore(() => m.scoreModelFromScores(bytes, scores, ids, o));
}

/**
 * Score the patients of one or more parsed tables (web/lib/table.js). One table: ids from
 * `idColumn` when it has one, else row numbers. Several tables (e.g. one per modality): joined on
 * `idColumn`, which every table needs; a patient missing from a table lacks its columns.
 * Options (all additive; the defaults are `latefuse score`'s behaviour):
 * - `summary`: validateModel(model)'s result when the caller has it already (saves one parse).
 * - `skipUnscorable`: instead of failing on a patient with no modality (under the model's presence
 *   rule), score the others and list the skipped ones in `unscorable` ([{id, index, reason}], index =
 *   position among all patients). The predictions are then those of `latefuse score` on the files
 *   without the skipped patients (`latefuse score --skip-unscorable`). A patient with a feature cell
 *   that is not a number is skipped the same way, the reason naming the file, row, column and cell
 *   (without the option, such a cell is an error naming them).
 * - `times`: extra times for S(t) with its CI (`survival_at_times`; survival models only).
 * With the model file's "features" (features.js): a value outside a feature's training range is
 * scored and listed in `warnings` (an extrapolation); a binary feature's value other than 0/1 is an
 * error naming the file, row and column (skipped with `skipUnscorable`).
 * @param {string|object|ScoringModel} model
 * @param {import('./table.js').Table[]} tables
 * @param {{idColumn?: string, idRequired?: boolean, summary?: object, skipUnscorable?: boolean, times?: ArrayLike<number>}} [options]
 * @returns {Promise<Predictions>}
 */
export async function scoreTables(model, tables, options = {}) {
  if (model instanceof ScoringModel) return model.scoreTables(tables, options);
  const bytes = modelBytes(model);
  const summary = options.summary ?? await validateModel(bytes);
  const m = await loadModule();
  return tablesPredictions(m, summary, tables, options, (input, o) => {
    const { names, values, ids } = featureInput(input);
    const request = scoringOptions(o);
    return callCore(() => m.scoreModel(bytes, names, values, ids, request));
  });
}

/**
 * The columns of the tables as the model takes them, scored by `score(input, options)`.
 * @param {any} m the WebAssembly module (the dummies of categorical columns come from the core)
 * @param {any} summary the model's summary (validateModel)
 * @param {import('./table.js').Table[]} tables
 * @param {{idColumn?: string, idRequired?: boolean, skipUnscorable?: boolean, times?: ArrayLike<number>}} options
 * @param {(input: object, options: object) => any} score
 */
function tablesPredictions(m, summary, tables, { idColumn = 'id', idRequired = false, skipUnscorable = false, times } = {}, score) {
  if (!tables.length) throw new InputError('scoring: give at least one data file');
  // Categorical columns enter the model as dummies; the data has the raw column instead.
  const encodings = summary.encodings ?? [];
  const dummyOf = new Map();  // dummy column -> encoding
  for (const e of encodings) for (const d of e.dummies) dummyOf.set(d, e);
  const rawColumns = [...summary.columns.filter((c) => !dummyOf.has(c)), ...encodings.map((e) => e.column)];
  const owner = new Map();  // model column -> table
  for (const t of tables) {
    for (const name of t.header) {
      if (!rawColumns.includes(name)) continue;
      if (owner.has(name)) {
        throw new InputError(`the model's column "${name}" is in both ${owner.get(name).file} and ${t.file}; keep it in one file`,
          { column: name });
      }
      owner.set(name, t);
    }
  }
  const lacking = rawColumns.filter((c) => !owner.has(c));
  if (lacking.length) {
    const modalityOf = (c) => {
      const e = encodings.find((x) => x.column === c);
      return summary.modalities.find((mo) => mo.columns.includes(e ? e.dummies[0] : c)).name;
    };
    const list = lacking.slice(0, 5).map((c) => `"${c}" (${modalityOf(c)})`).join(', ') +
      (lacking.length > 5 ? `, ... (${lacking.length} in all)` : '');
    throw new InputError(`${tables.map((t) => t.file).join(', ')}: no column ${list} of the model; ` +
      'give every column the model was trained on (cells may be empty when a patient lacks a value)', { column: lacking[0] });
  }
  let ids;
  const rowOf = new Map();  // table -> Int32Array (patient -> row, -1 = absent)
  if (tables.length === 1 && !(idRequired || tables[0].columns.has(idColumn))) {
    ids = Array.from({ length: tables[0].rowCount }, (_, i) => String(i + 1));
    rowOf.set(tables[0], Int32Array.from(ids, (_, i) => i));
  } else {
    // The one ID rule of web/lib/join.js: trimmed, unique per file, no two IDs equal but for case.
    const perTable = tables.map((t) => indexIds(t, idColumn, { role: 'id' }));
    checkIdCase(tables.map((t, k) => ({ table: t, rows: perTable[k] })), idColumn);
    const order = [];
    const index = new Set();
    for (const rows of perTable) for (const id of rows.keys()) if (!index.has(id)) { index.add(id); order.push(id); }
    ids = order;
    tables.forEach((t, k) => rowOf.set(t, Int32Array.from(order, (id) => perTable[k].get(id) ?? -1)));
  }
  const columns = {};
  const rejected = new Map();  // patient -> reason (skipUnscorable: a feature cell that is not a number)
  for (const name of summary.columns) {
    if (dummyOf.has(name)) continue;
    const t = owner.get(name);
    const rows = rowOf.get(t);
    const col = t.columns.get(name);
    // A text column, or a numeric one with stray text cells (table.js `nonNumeric`): skip those patients.
    if ((col.kind !== 'number' || col.nonNumeric > 0) && skipUnscorable) {
      columns[name] = Float64Array.from(rows, (r, i) => {
        if (r < 0 || col.raw[r] === null) return NaN;
        const v = parseNumber(col.raw[r], t.decimalMark ?? '.');
        if (v !== undefined) return v;
        if (!rejected.has(i)) rejected.set(i, `${t.file}: row ${r + 1}, column "${name}" has "${col.raw[r]}", not a number`);
        return NaN;
      });
      continue;
    }
    const values = numericColumn(t, name, 'feature');
    columns[name] = Float64Array.from(rows, (r) => (r < 0 ? NaN : values[r]));
  }
  // What training showed (the model file's "features"): an impossible value for the feature's type
  // is refused like an unreadable cell; a value outside the training range is scored with a warning.
  const warnings = [];
  for (const feature of summary.features ?? []) {
    const values = columns[feature.name];
    if (!values) continue;
    const t = owner.get(feature.name);
    const rows = rowOf.get(t);
    for (let i = 0; i < values.length; i++) {
      const problem = checkFeatureValue(feature, values[i]);
      if (!problem) continue;
      const where = `${t.file}: row ${rows[i] + 1}, column "${feature.name}"`;
      if (problem.level === 'refuse') {
        if (!skipUnscorable) throw new InputError(`${where}: ${problem.message}; fix the cell or leave it empty`, { file: t.file, row: rows[i] + 1, column: feature.name });
        if (!rejected.has(i)) rejected.set(i, `${where}: ${problem.message}`);
      } else {
        warnings.push({ id: ids[i], index: i, column: feature.name, value: values[i], message: problem.message });
      }
    }
  }
  const withWarnings = (p) => {
    p.warnings = warnings.filter((w) => !rejected.has(w.index));
    return p;
  };
  const notes = ids.map(() => []);
  for (const e of encodings) {
    const t = owner.get(e.column);
    const raw = t.columns.get(e.column).raw;
    const rows = rowOf.get(t);
    const cells = Array.from(rows, (r) => (r < 0 || raw[r] === null ? null : String(raw[r]).trim()));
    const { dummies, unseen } = encodeCells(m, e, cells);
    Object.assign(columns, dummies);
    for (const i of unseen) {
      notes[i].push(`${e.column} "${cells[i]}" is not a level the model was trained on (${e.levels.map((l) => `"${l}"`).join(', ')}); ` +
        `scored as the reference level "${e.reference}"`);
    }
  }
  // A core error about one patient (e.g. a value so extreme that a score overflows) names the
  // patient's row in the file holding the column; `index` maps the scored patients to `ids`.
  const located = (fn, index = (k) => k) => {
    try {
      return fn();
    } catch (error) {
      throw locatedError(error, (engineRow, column) => {
        const i = index(engineRow);
        const t = [owner.get(column), ...tables].find((x) => x && rowOf.get(x)[i] >= 0);
        return t ? { file: t.file, row: rowOf.get(t)[i] + 1 } : null;
      });
    }
  };
  if (rejected.size === 0) {
    const p = located(() => score({ columns, ids }, { skipUnscorable, times }));
    p.note = p.note.map((n, k) => [n, ...notes[p.rows[k]]].filter((x) => x).join('; '));
    return withWarnings(p);
  }
  // Score the others; the rejected patients join the unscorable list with their reason, and every
  // index keeps referring to the patients as given.
  const kept = ids.map((_, i) => i).filter((i) => !rejected.has(i));
  if (kept.length === 0) {
    const [first] = rejected.values();
    throw new InputError(`no patient can be scored: every patient has a feature cell that is not a number (first: ${first})`);
  }
  const keptColumns = {};
  for (const [name, values] of Object.entries(columns)) keptColumns[name] = Float64Array.from(kept, (i) => values[i]);
  const p = located(() => score({ columns: keptColumns, ids: kept.map((i) => ids[i]) }, { skipUnscorable, times }), (k) => kept[k]);
  p.rows = Int32Array.from(p.rows, (k) => kept[k]);
  p.unscorable = [
    ...p.unscorable.map((u) => ({ ...u, index: kept[u.index] })),
    ...[...rejected].map(([i, reason]) => ({ id: ids[i], index: i, reason })),
  ].sort((a, b) => a.index - b.index);
  p.note = p.note.map((n, k) => [n, ...notes[p.rows[k]]].filter((x) => x).join('; '));
  return withWarnings(p);
}

/**
 * One-hot dummies of a categorical column by a model file's encoding (validateModel(...).encodings[k]),
 * computed by the core (cpp/latefuse/categorical.hpp applyEncoding, the rule training used):
 * `dummies` {"<column>=<level>": Float64Array} with 1 for the patient's level; every dummy NaN
 * (missing) for a missing cell (null or ''); every dummy 0 for the reference level and for a level
 * the model has never seen (scored as the reference level), whose patients are listed in `unseen`.
 * Cells are trimmed.
 * @param {{column: string, levels: string[], reference: string}} encoding
 * @param {(string|null)[]} cells
 * @returns {Promise<{dummies: Record<string, Float64Array>, unseen: number[]}>}
 */
export async function applyEncoding(encoding, cells) {
  return encodeCells(await loadModule(), encoding, cells);
}

/** applyEncoding with the module at hand (scoring is synchronous once the module is loaded). */
function encodeCells(m, encoding, cells) {
  const text = Array.from(cells, (c) => (c === null || c === undefined ? '' : String(c).trim()));
  const levels = [...new Set(text.filter((t) => t !== ''))];
  const index = new Map(levels.map((l, k) => [l, k]));
  const codes = Float64Array.from(text, (t) => (t === '' ? NaN : index.get(t)));
  const request = { encoding: { column: encoding.column, levels: encoding.levels, reference: encoding.reference }, levels, codes };
  const out = callCore(() => m.applyEncoding(request), { column: encoding.column });
  return {
    dummies: Object.fromEntries(out.dummies.map((name, k) => [name, out.values[k]])),
    unseen: Array.from(out.unseen),
  };
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Predictions as CSV: id, pattern, <modality>_score..., fused_lp, hazard_ratio, percentile,
 * risk_group, surv_<t>, surv_<t>_lower, surv_<t>_upper (per horizon), integrator, note,
 * risk_<t_ref>, <modality>_contribution....
 * Binary models: id, pattern, <modality>_score..., fused_lp, risk_group, probability, percentile,
 * integrator, note, <modality>_contribution....
 * Empty cell = not available. "\n" line ends. Patients skipped as unscorable (skipUnscorable) have a
 * row in their place among the patients given: the id, every value empty, and the note
 * "not scored: <reason>", so the file accounts for every patient (withSkippedRows).
 * @param {Predictions} p
 */
export function predictionsCsv(p) {
  if (p.outcome_type === 'binary') {
    const header = ['id', 'pattern', ...p.modalities.map((m) => `${m}_score`), 'fused_lp', 'risk_group', 'probability', 'percentile',
      'integrator', 'note', ...p.modalities.map((m) => `${m}_contribution`)];
    const lines = [header.map(csvCell).join(',')];
    for (let i = 0; i < p.ids.length; i++) {
      lines.push([p.ids[i], p.pattern[i], ...p.modalities.map((m) => p.scores[m][i]), p.fused_lp[i], p.risk_label[i], p.probability[i],
        p.percentile[i], p.integrator[i], p.note[i], ...p.modalities.map((m) => p.contributions[m][i])].map(csvCell).join(','));
    }
    return withSkippedRows(lines, p);
  }
  const header = ['id', 'pattern', ...p.modalities.map((m) => `${m}_score`), 'fused_lp', 'hazard_ratio', 'percentile', 'risk_group'];
  for (const h of p.survival) header.push(`surv_${h.time}`, `surv_${h.time}_lower`, `surv_${h.time}_upper`);
  header.push('integrator', 'note', `risk_${p.reference_horizon}`, ...p.modalities.map((m) => `${m}_contribution`));
  const lines = [header.map(csvCell).join(',')];
  for (let i = 0; i < p.ids.length; i++) {
    const row = [p.ids[i], p.pattern[i], ...p.modalities.map((m) => p.scores[m][i]), p.fused_lp[i], p.hazard_ratio[i], p.percentile[i],
      p.risk_label[i]];
    for (const h of p.survival) row.push(h.surv[i], h.lower[i], h.upper[i]);
    row.push(p.integrator[i], p.note[i], p.risk[i], ...p.modalities.map((m) => p.contributions[m][i]));
    lines.push(row.map(csvCell).join(','));
  }
  return withSkippedRows(lines, p);
}

/**
 * The CSV text of `lines` (header, then one line per scored patient) with a row for each patient
 * skipped as unscorable, in its place among the patients given (p.rows / unscorable[].index).
 */
function withSkippedRows(lines, p) {
  const unscorable = p.unscorable ?? [];
  if (unscorable.length === 0) return lines.join('\n') + '\n';
  const header = lines[0].split(',');
  const noteAt = header.indexOf('note');
  const skipped = (u) => header.map((_, j) => (j === 0 ? u.id : j === noteAt ? `not scored: ${u.reason}` : null)).map(csvCell).join(',');
  const out = [lines[0]];
  let next = 0;
  for (let k = 0; k < lines.length - 1; k++) {
    const position = p.rows ? p.rows[k] : k;
    while (next < unscorable.length && unscorable[next].index < position) out.push(skipped(unscorable[next++]));
    out.push(lines[k + 1]);
  }
  while (next < unscorable.length) out.push(skipped(unscorable[next++]));
  return out.join('\n') + '\n';
}

/**
 * A late-fusion model fitted (all patients, default settings) on a simulated hgsoc-like cohort, for
 * demos and tests. Returns the model file's text and the cohort's CSV.
 * With outcome 'binary': a binary model on the simulator's binary cohort (no horizons).
 * @param {{n?: number, seed?: number, horizons?: number[], minPatternSize?: number, timeUnit?: string,
 *          outcome?: 'survival'|'binary'}} [options]
 * @returns {Promise<{model: string, csv: string}>}
 */
export async function exampleModel(options = {}) {
  const request = {};
  for (const key of ['n', 'seed', 'minPatternSize']) {
    if (options[key] === undefined) continue;
    if (!Number.isInteger(options[key]) || options[key] < 0) throw new InputError(`exampleModel: ${key} must be a whole number >= 0`);
    request[key] = options[key];
  }
  if (options.horizons !== undefined) request.horizons = toF64(options.horizons, 'horizons');
  if (options.timeUnit !== undefined) request.timeUnit = String(options.timeUnit);
  if (options.outcome !== undefined) {
    if (options.outcome !== 'survival' && options.outcome !== 'binary') throw new InputError('exampleModel: outcome must be survival or binary');
    request.outcome = options.outcome;
  }
  const m = await loadModule();
  return callCore(() => m.exampleModel(request));
}
