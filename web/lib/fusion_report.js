// Fit a late-fusion system on training patients and evaluate it on held-out patients:
// the whole analysis runs in the WASM core (cpp/latefuse/fusion_report.hpp documents every step)
// and comes back as one plain object with snake_case keys — the document `latefuse fuse` writes as
// report.json — plus the model file text (`model_json`, cpp/latefuse/model_json.hpp).
// Direction: every score is a risk, higher = higher hazard (shorter survival); for a binary outcome,
// higher = higher odds of y = 1 (logistic submodels and integrators; c is the AUC).
import { loadModule } from './module.js';
import { callCore, InputError, CancelledError, locatedError } from './errors.js';

/**
 * @param {any} values an array or typed array (checked here)
 * @param {string} name
 * @returns {Float64Array}
 */
function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    return Float64Array.from(/** @type {ArrayLike<any>} */ (values), (v) => (v === null || v === undefined ? NaN : Number(v)));
  }
  throw new InputError(`fitAndEvaluateFusion: ${name} must be an array of numbers`);
}

// 1 / true / "test" = test; 0 / false / "train" = training.
/** @param {ArrayLike<any>} split @param {number} n */
function splitCodes(split, n) {
  if (!Array.isArray(split) && !ArrayBuffer.isView(split)) throw new InputError('fitAndEvaluateFusion: split must be an array with one train/test label per patient');
  if (split.length !== n) throw new InputError(`fitAndEvaluateFusion: split has ${split.length} labels for ${n} patients; give one per patient`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = split[i];
    const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
    if (s === 1 || s === true || s === 'test' || s === '1') out[i] = 1;
    else if (s === 0 || s === false || s === 'train' || s === 'training' || s === '0') out[i] = 0;
    else throw new InputError(`fitAndEvaluateFusion: split label of patient ${i + 1} is "${v}"; use test/train or 1/0`, { row: i + 1 });
  }
  return out;
}

const NUMBER_OPTIONS = ['testFraction', 'folds', 'repeats', 'seed', 'bootstrap', 'permutations', 'confLevel', 'tau', 'outlierZ',
  'penalizer', 'integratorPenalizer', 'minPatternSize', 'crossFitFolds', 'chunk', 'alpha', 'selectionFolds'];
const STRING_OPTIONS = ['selection', 'riskGroups', 'presence', 'scaling', 'integratorInputs', 'ties', 'timeUnit', 'lambdaRule', 'censoringColumn'];
const BOOLEAN_OPTIONS = ['referenceCompatible', 'earlyFusion', 'earlyImpute'];

const utf8 = new TextEncoder();

/** Order of text as the core orders it (UTF-8 bytes, like std::string's <). */
export function compareLevels(a, b) {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** A column given as text (an array with at least one non-empty string cell) is categorical. */
function isTextColumn(values) {
  return Array.isArray(values) && values.some((v) => typeof v === 'string' && v.trim() !== '');
}

/**
 * Level codes of a text column: levels = its distinct trimmed texts in the core's sorted order;
 * code = index of the level, NaN for a missing cell (null, undefined, '').
 */
export function levelCodes(values) {
  const text = Array.from(values, (v) => (v === null || v === undefined ? '' : String(v).trim()));
  const levels = [...new Set(text.filter((t) => t !== ''))].sort(compareLevels);
  const index = new Map(levels.map((l, k) => [l, k]));
  return { levels, codes: Float64Array.from(text, (t) => (t === '' ? NaN : index.get(t))) };
}

/** 0/1 binary outcome: numbers 0/1 or true/false; anything else (a missing value too) is an error naming the patient. */
/** @param {any} values @param {any} [ids] */
function binaryOutcome(values, ids) {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new InputError('fitAndEvaluateFusion: outcome must be an array of 0/1 values');
  return Float64Array.from(/** @type {ArrayLike<any>} */ (values), (v, i) => {
    if (v === 1 || v === true) return 1;
    if (v === 0 || v === false) return 0;
    const who = ids ? `patient "${ids[i]}" (row ${i + 1})` : `patient ${i + 1}`;
    throw new InputError(`fitAndEvaluateFusion: the outcome of ${who} is ${v === null || v === undefined || Number.isNaN(v) ? 'missing' : `"${v}"`}; ` +
      'a binary outcome must be 0 or 1', { row: i + 1 });
  });
}

/**
 * Fit and evaluate late fusion (and its comparators) in one call.
 * Outcome: survival (`time` and `event`, ridge Cox models) or binary (`outcome`: 0/1 per patient,
 * 1 = case; ridge logistic submodels, integrators and early fusion, the penalty ridge = n * penalizer;
 * c is the AUC; the report adds cases/controls, DeLong CI, Brier score and calibration, and risk
 * groups with proportions and a chi-square test; Uno's C, AUC(t) and IBS are null). Give one or the other.
 * Selection 'elasticnet' (survival only): per modality, cross-validated elastic-net Cox with
 * `alpha` (default 1 = lasso), `lambdaRule` 'min' (default) or '1se', `selectionFolds` folds (default 5),
 * repeated inside every cross-fitting fold; the ridge Cox submodel is refitted on the selected columns.
 * A column given as an array of text (null/'' = missing) is categorical: one-hot encoded in the core
 * with the most frequent level among the training patients as reference (ties: first in sorted
 * order), dummies "<column>=<level>"; the encoding is saved in the model file ("encodings").
 * @param {{columns: Record<string, ArrayLike<number>|(string|null)[]>|Map<string, ArrayLike<number>|(string|null)[]>,
 *          modalities: Record<string, string[]>, time?: ArrayLike<number>, event?: ArrayLike<number>,
 *          outcome?: ArrayLike<0|1|boolean>, ids?: string[],
 *          split?: ArrayLike<0|1|boolean|'train'|'test'>, testFraction?: number, folds?: number, repeats?: number,
 *          seed?: number, bootstrap?: number, permutations?: number, confLevel?: number, horizons?: number[],
 *          tau?: number, riskGroups?: 'median'|'tertiles'|'optimistic', selection?: 'none'|'screen'|'elasticnet',
 *          referenceCompatible?: boolean, presence?: 'any'|'all', scaling?: 'zscore'|'minmax'|'none',
 *          outlierZ?: number, penalizer?: number, integratorPenalizer?: number, minPatternSize?: number,
 *          integratorInputs?: 'cross_fitted'|'in_sample', crossFitFolds?: number, earlyFusion?: boolean,
 *          earlyImpute?: boolean, ties?: 'efron'|'breslow', timeUnit?: string, alpha?: number,
 *          lambdaRule?: 'min'|'1se', selectionFolds?: number,
 *          featureInfo?: Array<{name: string, unit?: string, description?: string}>, censoringColumn?: string}} input
 *   featureInfo: units and descriptions written into the model file's "features" section.
 *   censoringColumn: `event` was read as 1 - this censoring column (`--censored`); the model file's
 *   outcome records it (event_from_censoring, censoring_column).
 * @param {{onProgress?: (fraction: number) => (boolean|void), signal?: AbortSignal}} [control]
 * @returns {Promise<object>} the report (settings, split, horizons, models, comparisons, risk_groups, kendall,
 *   coefficients, patterns, cross_validation, test_patients, warnings, model_json, model_json_error)
 */
/**
 * The units and descriptions for the model file's "features" section: [{name, unit?, description?}],
 * each name a column of a modality (a categorical column by its own name).
 */
function featureNotes(list, modalities) {
  if (!Array.isArray(list)) throw new InputError('fitAndEvaluateFusion: featureInfo must be a list of {name, unit?, description?}');
  const known = new Set(Object.values(modalities).flat());
  return list.map((f, i) => {
    if (!f || typeof f.name !== 'string' || f.name === '') throw new InputError(`fitAndEvaluateFusion: featureInfo[${i}] needs a name`);
    if (!known.has(f.name)) throw new InputError(`feature info: "${f.name}" is not a column of any modality; give the names of the modalities' columns`);
    const out = { name: f.name };
    for (const key of ['unit', 'description']) {
      if (f[key] === undefined || f[key] === null || f[key] === '') continue;
      if (typeof f[key] !== 'string') throw new InputError(`fitAndEvaluateFusion: featureInfo[${i}].${key} must be text`);
      out[key] = f[key];
    }
    return out;
  });
}

/**
 * @param {object} input
 * @param {{onProgress?: (fraction: number) => (boolean|void), signal?: AbortSignal,
 *          locatePatient?: (engineRow: number, column?: string) => ({file: string, row: number}|null)}} [options]
 *   locatePatient: where patient `engineRow` (an index into the input's patients) is in the user's files,
 *   for messages (web/lib/join.js outcomeJoin's locate)
 */
export async function fitAndEvaluateFusion(input, { onProgress, signal, locatePatient } = {}) {
  if (!input || typeof input !== 'object') throw new InputError('fitAndEvaluateFusion: give an input object');
  if (signal?.aborted) throw new CancelledError('the fusion evaluation was cancelled');
  const { columns, modalities } = input;
  if (!columns || typeof columns !== 'object') throw new InputError('fitAndEvaluateFusion: give columns as {name: array}');
  if (!modalities || typeof modalities !== 'object' || Array.isArray(modalities)) {
    throw new InputError('fitAndEvaluateFusion: give modalities as {name: [column, ...]}');
  }
  const get = columns instanceof Map ? (k) => columns.get(k) : (k) => (Object.hasOwn(columns, k) ? columns[k] : undefined);
  const binary = input.outcome !== undefined && input.outcome !== null;
  let time;
  let event;
  let outcome;
  let n;
  if (binary) {
    if (input.time !== undefined || input.event !== undefined) {
      throw new InputError('fitAndEvaluateFusion: give either outcome (binary 0/1) or time and event (survival), not both');
    }
    outcome = binaryOutcome(input.outcome, input.ids);
    n = outcome.length;
  } else {
    if (input.time === undefined || input.event === undefined) {
      throw new InputError('fitAndEvaluateFusion: give time and event (survival) or outcome (binary 0/1)');
    }
    time = toF64(input.time, 'time');
    event = toF64(input.event, 'event');
    n = time.length;
    if (event.length !== n) throw new InputError(`fitAndEvaluateFusion: time has ${n} values but event has ${event.length}`);
  }

  const names = Object.keys(modalities);
  if (names.length === 0) throw new InputError('fitAndEvaluateFusion: give at least one modality');
  const owner = new Map();
  /** @type {Record<string, any>} */
  const request = { ...(binary ? { outcome } : { time, event }), columns: [], columnNames: [], columnModality: [], modalities: names };
  names.forEach((name, m) => {
    const cols = modalities[name];
    if (!Array.isArray(cols) || cols.length === 0) throw new InputError(`fitAndEvaluateFusion: modality "${name}" has no columns`);
    for (const col of cols) {
      if (owner.has(col)) throw new InputError(`fitAndEvaluateFusion: column "${col}" is in both "${owner.get(col)}" and "${name}"; give each column to one modality`);
      owner.set(col, name);
      const values = get(col);
      if (values === undefined) throw new InputError(`fitAndEvaluateFusion: modality "${name}" names column "${col}", which is not in the data`);
      let v;
      if (isTextColumn(values)) {
        // Categorical: level codes here, the encoding (reference level, dummies) is fitted in the core.
        const { levels, codes } = levelCodes(values);
        (request.categorical ??= []).push({ column: request.columns.length, levels });
        v = codes;
      } else {
        v = toF64(values, `column "${col}"`);
      }
      if (v.length !== n) throw new InputError(`fitAndEvaluateFusion: column "${col}" has ${v.length} values for ${n} patients`);
      request.columns.push(v);
      request.columnNames.push(col);
      request.columnModality.push(m);
    }
  });
  request.columnModality = Int32Array.from(request.columnModality);
  if (input.ids !== undefined) {
    if (input.ids.length !== n) throw new InputError(`fitAndEvaluateFusion: ${input.ids.length} ids for ${n} patients`);
    request.ids = Array.from(input.ids, String);
  }
  if (input.split !== undefined && input.split !== null) request.split = splitCodes(input.split, n);
  for (const key of NUMBER_OPTIONS) {
    if (input[key] === undefined) continue;
    if (typeof input[key] !== 'number' || !Number.isFinite(input[key])) throw new InputError(`fitAndEvaluateFusion: ${key} must be a finite number`);
    request[key] = input[key];
  }
  for (const key of STRING_OPTIONS) {
    if (input[key] === undefined) continue;
    if (typeof input[key] !== 'string') throw new InputError(`fitAndEvaluateFusion: ${key} must be a string`);
    request[key] = input[key];
  }
  for (const key of BOOLEAN_OPTIONS) {
    if (input[key] === undefined) continue;
    if (typeof input[key] !== 'boolean') throw new InputError(`fitAndEvaluateFusion: ${key} must be true or false`);
    request[key] = input[key];
  }
  if (input.horizons !== undefined) request.horizons = toF64(input.horizons, 'horizons');
  if (input.featureInfo !== undefined) request.featureInfo = featureNotes(input.featureInfo, modalities);
  if (onProgress || signal) {
    request.onProgress = (fraction) => {
      if (signal?.aborted) return false;
      if (onProgress && onProgress(fraction) === false) return false;
      return true;
    };
  }
  const m = await loadModule();
  let out;
  try {
    out = callCore(() => m.fitAndEvaluateFusion(request));
  } catch (error) {
    throw locatePatient ? locatedError(error, locatePatient, input.ids) : error;
  }
  if (out && out.cancelled) throw new CancelledError('the fusion evaluation was cancelled');
  return out;
}
