// LateFuse model files and scoring new patients through the WASM core (issue 4, §5).
// The format is models/schema.json; the core (cpp/latefuse/model_json.hpp) validates every file it
// reads and names the JSON path of the first problem. Direction: every score and linear predictor
// is a risk (higher = higher risk = shorter survival; for a binary model, higher odds of y = 1).
// A binary model (summary.outcomeType 'binary') predicts the probability P(y = 1) instead of S(t).
import { loadModule } from './module.js';
import { callCore, InputError, LateFuseError } from './errors.js';
import { requireColumn, numericColumn } from './columns.js';

function modelText(model) {
  if (typeof model === 'string') return model;
  if (model && typeof model === 'object') return JSON.stringify(model);
  throw new InputError('the model must be the text of a LateFuse model file (JSON)');
}

function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    return Float64Array.from(values, (v) => (v === null || v === undefined || v === '' ? NaN : Number(v)));
  }
  throw new InputError(`${name} must be an array of numbers`);
}

function toIds(ids, n) {
  if (ids === undefined || ids === null) return [];
  const out = Array.from(ids, (v) => String(v ?? ''));
  if (out.length !== n) throw new InputError(`${out.length} patient ids for ${n} patients; give one id per patient`);
  return out;
}

/**
 * Check a model file and summarise it (modalities, columns, integrators, horizons, training).
 * Throws InputError naming the JSON path of the first problem, or "written by a newer LateFuse".
 * @param {string|object} model  the model file's text (or its parsed JSON)
 */
export async function validateModel(model) {
  const text = modelText(model);
  const m = await loadModule();
  const summary = callCore(() => m.validateModel(text));
  summary.evaluation = summary.evaluationJson === null ? null : JSON.parse(summary.evaluationJson);
  delete summary.evaluationJson;
  return summary;
}

/** Load -> save: the canonical text of a model file (byte-identical for a file LateFuse wrote). */
export async function roundTripModel(model) {
  const text = modelText(model);
  const m = await loadModule();
  return callCore(() => m.roundTripModel(text));
}

/**
 * @typedef {{ids: string[], modalities: string[], pattern: string[], patternMask: Int32Array, integrator: string[],
 *   integratorMask: Int32Array, integratorIndex: Int32Array, fallback: boolean[], note: string[],
 *   scores: Record<string, Float64Array>, fusedLp: Float64Array, coxLp: Float64Array, hazardRatio: Float64Array,
 *   percentile: Float64Array, riskGroup: Int32Array, riskLabel: (string|null)[], earlyLp: Float64Array,
 *   survival: Array<{time: number, surv: Float64Array, lower: Float64Array, upper: Float64Array}>, timeUnit: string|null,
 *   outcomeType: 'survival'|'binary', probability: Float64Array}} Predictions
 *   Per patient (index i): `pattern` = modalities present joined by "+"; `integrator` = the modalities
 *   actually combined (differs from the pattern on a fallback, explained in `note`); `scores[m]` = the
 *   standardised score of modality m (NaN where absent); `fusedLp` = the late-fusion linear predictor;
 *   `hazardRatio` = exp(lp) of the Cox model behind S(t), relative to a patient at its training means;
 *   `percentile` = 0..100 among the training patients' fused lps (NaN if the file has no table);
 *   `riskGroup` = 0-based (-1 without cut-points); `survival[h]` = S(t) with 95% CI at each horizon.
 *   Binary models: `probability` = P(y = 1) from whichever model scored the patient (the integrator's
 *   log-odds, or the one modality's submodel, intercept included; `coxLp` holds that log-odds),
 *   `hazardRatio` NaN and `survival` empty. Survival models: `probability` is NaN.
 */

/**
 * Score new patients from their raw feature columns (matched to the model's by name; extra
 * columns are ignored; every model column must be present, cells may be empty = missing).
 * @param {string|object} model
 * @param {{columns: Record<string, ArrayLike<number|null>>, ids?: ArrayLike<string>}} input
 * @returns {Promise<Predictions>}
 */
export async function scoreModel(model, input) {
  const text = modelText(model);
  const names = Object.keys(input?.columns ?? {});
  if (names.length === 0) throw new InputError('scoring: give the patients\' feature columns');
  const values = names.map((n) => toF64(input.columns[n], `column ${n}`));
  const ids = toIds(input.ids, values[0].length);
  const m = await loadModule();
  return callCore(() => m.scoreModel(text, names, values, ids));
}

/**
 * Score from per-modality risk scores typed directly (standardised unimodal scores, any subset of
 * the modalities; null/NaN = the patient lacks that modality). Same outputs as scoreModel, except
 * no early-fusion score and no S(t) CI for a patient scored by one modality (it needs the features).
 * @param {string|object} model
 * @param {{scores: Record<string, ArrayLike<number|null>>, ids?: ArrayLike<string>}} input
 * @returns {Promise<Predictions>}
 */
export async function scoreModelFromScores(model, input) {
  const text = modelText(model);
  const names = Object.keys(input?.scores ?? {});
  if (names.length === 0) throw new InputError('scoring: give at least one modality\'s scores');
  const scores = Object.fromEntries(names.map((n) => [n, toF64(input.scores[n], `${n} scores`)]));
  const ids = toIds(input.ids, scores[names[0]].length);
  const m = await loadModule();
  return callCore(() => m.scoreModelFromScores(text, scores, ids));
}

/**
 * Score the patients of one or more parsed tables (web/lib/table.js). One table: ids from
 * `idColumn` when it has one, else row numbers. Several tables (e.g. one per modality): joined on
 * `idColumn`, which every table needs; a patient missing from a table lacks its columns.
 * Options (both additive; the defaults are `latefuse score`'s behaviour):
 * - `summary`: validateModel(model)'s result when the caller has it already (saves one parse).
 * - `skipUnscorable`: instead of failing on a patient with no modality (every feature cell empty),
 *   score the others and list the skipped ones in `unscorable` ([{id, index}], index = position
 *   among all patients). Presence follows the model's rule (`summary.presence`: a modality is present
 *   when any / all of its columns have a value); the core's pattern of every scored patient is
 *   checked against it. The predictions are then those of `latefuse score` on the files without
 *   the skipped patients.
 * @param {string|object} model
 * @param {import('./table.js').Table[]} tables
 * @param {{idColumn?: string, idRequired?: boolean, summary?: object, skipUnscorable?: boolean}} [options]
 */
export async function scoreTables(model, tables, { idColumn = 'id', idRequired = false, summary: known = null, skipUnscorable = false } = {}) {
  const text = modelText(model);
  const summary = known ?? await validateModel(text);
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
    const order = [];
    const index = new Map();
    const perTable = tables.map((t) => {
      const col = requireColumn(t, idColumn, 'id');
      const seen = new Map();
      for (let i = 0; i < t.rowCount; i++) {
        const id = col.raw[i] === null ? '' : col.raw[i].trim();
        if (id === '') {
          throw new InputError(`${t.file}: row ${i + 1} has no id in "${idColumn}"; every row needs a patient id`,
            { file: t.file, row: i + 1, column: idColumn });
        }
        if (seen.has(id)) {
          throw new InputError(`${t.file}: the id "${id}" appears twice in "${idColumn}" (rows ${seen.get(id) + 1} and ${i + 1}); ids must be unique within a file`,
            { file: t.file, row: i + 1, column: idColumn });
        }
        seen.set(id, i);
        if (!index.has(id)) { index.set(id, order.length); order.push(id); }
      }
      return seen;
    });
    ids = order;
    tables.forEach((t, k) => rowOf.set(t, Int32Array.from(order, (id) => perTable[k].get(id) ?? -1)));
  }
  const columns = {};
  for (const name of summary.columns) {
    if (dummyOf.has(name)) continue;
    const t = owner.get(name);
    const values = numericColumn(t, name, 'feature');
    const rows = rowOf.get(t);
    columns[name] = Float64Array.from(rows, (r) => (r < 0 ? NaN : values[r]));
  }
  const notes = ids.map(() => []);
  for (const e of encodings) {
    const t = owner.get(e.column);
    const raw = t.columns.get(e.column).raw;
    const rows = rowOf.get(t);
    const cells = Array.from(rows, (r) => (r < 0 || raw[r] === null ? null : String(raw[r]).trim()));
    Object.assign(columns, applyEncoding(e, cells, (i, level) => {
      notes[i].push(`${e.column} "${level}" is not a level the model was trained on (${e.levels.map((l) => `"${l}"`).join(', ')}); ` +
        `scored as the reference level "${e.reference}"`);
    }));
  }
  if (!skipUnscorable) {
    const p = await scoreModel(text, { columns, ids });
    p.note = p.note.map((n, i) => [n, ...notes[i]].filter((x) => x).join('; '));
    return p;
  }
  const masks = presenceMasks(summary, columns, ids.length);
  const keep = [];
  const unscorable = [];
  masks.forEach((mask, i) => (mask === 0 ? unscorable.push({ id: ids[i], index: i }) : keep.push(i)));
  if (keep.length === 0) {
    throw new InputError(`no patient can be scored: every one of the ${ids.length} has no modality (every feature cell is empty)`);
  }
  const kept = {};
  for (const [name, values] of Object.entries(columns)) kept[name] = Float64Array.from(keep, (i) => values[i]);
  const p = await scoreModel(text, { columns: kept, ids: keep.map((i) => ids[i]) });
  keep.forEach((i, k) => {
    if (p.patternMask[k] !== masks[i]) {
      throw new LateFuseError(`internal check failed: the modalities present for ${ids[i]} differ from the core's; please report this`);
    }
  });
  p.note = p.note.map((n, k) => [n, ...notes[keep[k]]].filter((x) => x).join('; '));
  p.unscorable = unscorable;
  return p;
}

/**
 * Per patient, the bitmask of the modalities present (bit m = summary.modalities[m]) under the
 * model's presence rule: 'any' = at least one of the modality's columns has a value, 'all' = every
 * one does. `columns` are the model's columns (dummies included) as scoreModel takes them.
 * @returns {number[]}
 */
export function presenceMasks(summary, columns, n) {
  const masks = new Array(n).fill(0);
  summary.modalities.forEach((mo, m) => {
    const cols = mo.columns.map((c) => columns[c]);
    for (let i = 0; i < n; i++) {
      const have = cols.map((v) => !Number.isNaN(v[i]));
      if (summary.presence === 'all' ? have.every(Boolean) : have.some(Boolean)) masks[i] |= 1 << m;
    }
  });
  return masks;
}

/**
 * The model file with its `horizons` replaced by `times` (the model's own horizons, every event time
 * of every baseline hazard in the file, and 0), so that scoring it gives each patient's whole S(t)
 * step curve with its CI (the Score tab's curve). Only the times at which the core evaluates S(t)
 * change: every other output is the same, and S(t) at the model's own horizons is identical.
 * Also returns, per integrator and per modality submodel, the last event time of its baseline
 * (beyond it S(t) is not estimated).
 * (A `times` argument to the core's scoring would make the rewrite unnecessary.)
 * @param {string|object} model
 * @returns {{text: string, times: number[], horizons: number[], lastTime: {integrators: number[], modalities: Record<string, number>}}}
 */
export function survivalCurveModel(model) {
  const doc = typeof model === 'string' ? JSON.parse(model) : structuredClone(model);
  const times = new Set([0, ...(doc.horizons ?? [])]);
  const last = (cox) => {
    let max = 0;
    for (const t of cox?.baseline?.time ?? []) { times.add(t); if (t > max) max = t; }
    return max;
  };
  const lastTime = {
    integrators: (doc.integrators ?? []).map((i) => last(i.cox)),
    modalities: Object.fromEntries((doc.modalities ?? []).map((m) => [m.name, last(m.submodel?.cox)])),
  };
  const horizons = [...(doc.horizons ?? [])];
  doc.horizons = [...times].sort((a, b) => a - b);
  return { text: JSON.stringify(doc), times: doc.horizons, horizons, lastTime };
}

/**
 * One-hot dummies of a categorical column by a model file's encoding (validateModel(...).encodings[k]):
 * {"<column>=<level>": Float64Array} with 1 for the patient's level; every dummy NaN (missing) for a
 * missing cell (null or ''); every dummy 0 for the reference level and for a level the model has
 * never seen (scored as the reference level), which also calls onUnseen(patientIndex, level).
 * @param {{column: string, levels: string[], reference: string, dummies: string[]}} encoding
 * @param {(string|null)[]} cells
 * @param {(i: number, level: string) => void} [onUnseen]
 */
export function applyEncoding(encoding, cells, onUnseen = () => {}) {
  const out = {};
  const n = cells.length;
  const byLevel = new Map();
  for (const level of encoding.levels) {
    if (level === encoding.reference) continue;
    const name = `${encoding.column}=${level}`;
    out[name] = new Float64Array(n);
    byLevel.set(level, out[name]);
  }
  for (let i = 0; i < n; i++) {
    const cell = cells[i] === null || cells[i] === undefined ? '' : String(cells[i]).trim();
    if (cell === '') {
      for (const d of byLevel.values()) d[i] = NaN;
    } else if (byLevel.has(cell)) {
      byLevel.get(cell)[i] = 1;
    } else if (cell !== encoding.reference) {
      onUnseen(i, cell);
    }
  }
  return out;
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Predictions as CSV: id, pattern, <modality>_score..., fused_lp, hazard_ratio, percentile,
 * risk_group, surv_<t>, surv_<t>_lower, surv_<t>_upper (per horizon), integrator, note.
 * Binary models: id, pattern, <modality>_score..., fused_lp, risk_group, probability, percentile,
 * integrator, note.
 * Empty cell = not available. "\n" line ends.
 * @param {Predictions} p
 */
export function predictionsCsv(p) {
  if (p.outcomeType === 'binary') {
    const header = ['id', 'pattern', ...p.modalities.map((m) => `${m}_score`), 'fused_lp', 'risk_group', 'probability', 'percentile',
      'integrator', 'note'];
    const lines = [header.map(csvCell).join(',')];
    for (let i = 0; i < p.ids.length; i++) {
      lines.push([p.ids[i], p.pattern[i], ...p.modalities.map((m) => p.scores[m][i]), p.fusedLp[i], p.riskLabel[i], p.probability[i],
        p.percentile[i], p.integrator[i], p.note[i]].map(csvCell).join(','));
    }
    return lines.join('\n') + '\n';
  }
  const header = ['id', 'pattern', ...p.modalities.map((m) => `${m}_score`), 'fused_lp', 'hazard_ratio', 'percentile', 'risk_group'];
  for (const h of p.survival) header.push(`surv_${h.time}`, `surv_${h.time}_lower`, `surv_${h.time}_upper`);
  header.push('integrator', 'note');
  const lines = [header.map(csvCell).join(',')];
  for (let i = 0; i < p.ids.length; i++) {
    const row = [p.ids[i], p.pattern[i], ...p.modalities.map((m) => p.scores[m][i]), p.fusedLp[i], p.hazardRatio[i], p.percentile[i],
      p.riskLabel[i]];
    for (const h of p.survival) row.push(h.surv[i], h.lower[i], h.upper[i]);
    row.push(p.integrator[i], p.note[i]);
    lines.push(row.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
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
