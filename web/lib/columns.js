// Column utilities shared by the CLI, the worker and the app: pick typed columns out of a parsed
// table, drop rows with missing values in the used columns (counting them), and check coding.
// No statistics here: only data preparation with errors that name file, row and column.
import { InputError, quote } from './errors.js';

/**
 * @param {import('./table.js').Table} table
 * @param {string} name
 */
export function requireColumn(table, name, role = 'column') {
  if (!table.columns.has(name)) {
    const known = [...table.columns.keys()].slice(0, 12).join(', ');
    throw new InputError(`${table.file}: no ${role} column ${quote(name)}; the columns are: ${known}${table.columns.size > 12 ? ', ...' : ''}`,
      { file: table.file, column: name });
  }
  return table.columns.get(name);
}

/**
 * Numeric values of a column: Float64Array with NaN for missing cells. A cell that is present but
 * not a number, or an infinite value, is an error naming the file, row (data row, 1-based: the
 * first row after the header is row 1) and column. With `nonNumeric: 'missing'` stray non-numeric
 * cells of a mostly numeric column are read as missing instead, and `warnings` (an array) gets one
 * line naming them; `missingHint` says how the caller offers that (e.g. a CLI flag).
 * @param {any} table
 * @param {string} name
 * @param {string} [role]
 * @param {{nonNumeric?: 'error'|'missing', warnings?: string[], missingHint?: string}} [options]
 */
export function numericColumn(table, name, role = 'column', { nonNumeric = 'error', warnings, missingHint } = {}) {
  const col = requireColumn(table, name, role);
  const bad = col.firstNonNumericRow;
  if (col.kind !== 'number' || (col.nonNumeric > 0 && nonNumeric !== 'missing')) {
    const more = col.nonNumeric > 1 ? ` (and ${col.nonNumeric - 1} other non-numeric ${col.nonNumeric === 2 ? 'cell' : 'cells'})` : '';
    const option = col.kind === 'number' && missingHint ? `; or ${missingHint}` : '';
    throw new InputError(
      `${table.file}: ${role} ${quote(name)} must be numeric but row ${bad.row} has ${quote(bad.value)}${more}; ` +
      `fix the cell or leave it empty (missing)${option}`, { file: table.file, row: bad.row, column: name });
  }
  if (col.nonNumeric > 0 && warnings) {
    warnings.push(`${table.file}: ${role} ${quote(name)}: ${col.nonNumeric} non-numeric ${col.nonNumeric === 1 ? 'cell' : 'cells'} ` +
      `read as missing (first: row ${bad.row}, ${quote(bad.value)})`);
  }
  const v = col.values;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === Infinity || v[i] === -Infinity) {
      throw new InputError(`${table.file}: ${role} ${quote(name)} is infinite (${quote(col.raw[i])}) at row ${i + 1}; ` +
        'give a finite number or leave the cell empty (missing)', { file: table.file, row: i + 1, column: name });
    }
  }
  return v;
}

/**
 * The event-coding rule, in one place (the CLI, the page and the tests use it): 0/1 (1 = event),
 * TRUE/FALSE, or R's Surv 1/2 coding (2 = event) only when the values present are exactly {1, 2}.
 * A column whose every value is 1 is 0/1 coding (everyone had the event), as in R.
 */
export const EVENT_CODING_RULE = '1 = event, 0 = censored (TRUE/FALSE also work); R\'s 1/2 coding (2 = event) only when the values are exactly 1 and 2, so a column of all 1s means every patient had the event';

/** True when the numbers present (NaN = missing) are exactly the two values 1 and 2. */
export function isOneTwoCoding(values) {
  let ones = false;
  let twos = false;
  for (const x of values) {
    if (Number.isNaN(x)) continue;
    if (x === 1) ones = true;
    else if (x === 2) twos = true;
    else return false;
  }
  return ones && twos;
}

/** The censoring-indicator rule (`latefuse --censored`, the page's "marks censoring"): the event is 1 - censored. */
export const CENSORED_CODING_RULE = '1 = censored, 0 = event (TRUE/FALSE also work); the event is 1 - censored';

/**
 * Event indicator (EVENT_CODING_RULE). Returns Float64Array of 0/1 with NaN for missing.
 * With `censored: true` the column is a censoring indicator (CENSORED_CODING_RULE: 0/1 or
 * TRUE/FALSE, 1 = censored) and the event returned is 1 - censored; R's 1/2 coding is refused
 * there, as it would be ambiguous which of the two is the censoring.
 */
export function eventColumn(table, name, { censored = false } = {}) {
  const role = censored ? 'censoring' : 'event';
  const col = requireColumn(table, name, role);
  const out = new Float64Array(table.rowCount);
  const wrong = (i, shown) => new InputError(censored
    ? `${table.file}: censoring column ${quote(name)} must be 0/1 or TRUE/FALSE (1 = censored) but row ${i + 1} has ${shown}; ` +
      'recode it (1 = censored, 0 = event), or give it as the event column'
    : `${table.file}: event column ${quote(name)} must be 0/1 or TRUE/FALSE (or 1/2, 2 = event) ` +
      `but row ${i + 1} has ${shown}; recode it (1 = event, 0 = censored)`, { file: table.file, row: i + 1, column: name });
  const flip = (x) => (censored ? 1 - x : x);
  if (col.kind === 'number' && col.nonNumeric) throw wrong(col.firstNonNumericRow.row - 1, quote(col.firstNonNumericRow.value));
  if (col.kind === 'number') {
    const v = col.values;
    const oneTwo = !censored && isOneTwoCoding(v);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) { out[i] = NaN; continue; }
      if (oneTwo) { out[i] = x === 2 ? 1 : 0; continue; }
      if (x !== 0 && x !== 1) throw wrong(i, x);
      out[i] = flip(x);
    }
    return out;
  }
  const raw = col.raw;
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s === null) { out[i] = NaN; continue; }
    const t = s.trim().toLowerCase();
    if (t === 'true' || t === 't' || t === 'yes' || t === '1') out[i] = flip(1);
    else if (t === 'false' || t === 'f' || t === 'no' || t === '0') out[i] = flip(0);
    else throw wrong(i, quote(s));
  }
  return out;
}

/**
 * Binary outcome column: 0/1 or TRUE/FALSE (any case; also T/F, yes/no). Every cell must have a value:
 * a missing or other cell is an error naming the file, row (1-based data row) and column.
 * Returns Float64Array of 0/1.
 */
export function binaryColumn(table, name, ids) {
  const col = requireColumn(table, name, 'outcome');
  const out = new Float64Array(table.rowCount);
  const who = (i) => (ids && ids[i] !== undefined && ids[i] !== null && !String(ids[i]).startsWith('row ') ? ` (patient ${quote(ids[i])})` : '');
  for (let i = 0; i < table.rowCount; i++) {
    const raw = col.raw[i];
    const t = raw === null ? '' : String(raw).trim().toLowerCase();
    if (t === '1' || t === 'true' || t === 't' || t === 'yes') out[i] = 1;
    else if (t === '0' || t === 'false' || t === 'f' || t === 'no') out[i] = 0;
    else {
      throw new InputError(`${table.file}: outcome column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1}${who(i)} ` +
        `${t === '' ? 'is empty' : `has ${quote(raw)}`}; recode it (1 = case, 0 = control) or remove the patient`,
      { file: table.file, row: i + 1, column: name });
    }
  }
  return out;
}

/** Integer codes for a grouping column (strata, groups); missing stays NaN. Returns {codes, levels}. */
export function categoricalColumn(table, name, role = 'group') {
  const col = requireColumn(table, name, role);
  const levels = [];
  const index = new Map();
  const codes = new Float64Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) {
    const key = col.kind === 'number' && !col.nonNumeric ? col.values[i] : col.raw[i];
    if (key === null || (typeof key === 'number' && Number.isNaN(key))) { codes[i] = NaN; continue; }
    if (!index.has(key)) { index.set(key, levels.length); levels.push(key); }
    codes[i] = index.get(key);
  }
  return { codes, levels };
}

/**
 * Keep rows where every given column is present. Returns {keep: Int32Array of row indices,
 * dropped: count, select(col) -> Float64Array, selectInto(col, out) -> out (filled)}.
 */
export function completeRows(columns) {
  const n = columns.length ? columns[0].length : 0;
  const keepList = [];
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (const c of columns) if (Number.isNaN(c[i])) { ok = false; break; }
    if (ok) keepList.push(i);
  }
  const keep = Int32Array.from(keepList);
  return {
    keep,
    dropped: n - keep.length,
    select(col) {
      return this.selectInto(col, new Float64Array(keep.length));
    },
    selectInto(col, out) {
      for (let k = 0; k < keep.length; k++) out[k] = col[keep[k]];
      return out;
    },
  };
}

/** Check survival times: finite and >= 0 (rows are 1-based positions in the original file). */
export function checkTimes(table, name, values, rows) {
  for (let k = 0; k < values.length; k++) {
    const t = values[k];
    const row = rows ? rows[k] + 1 : k + 1;
    if (!Number.isFinite(t)) {
      throw new InputError(`${table.file}: time column "${name}" is not a finite number at row ${row}`,
        { file: table.file, row, column: name });
    }
    if (t < 0) {
      throw new InputError(`${table.file}: time column "${name}" is negative (${t}) at row ${row}; survival times must be >= 0`,
        { file: table.file, row, column: name });
    }
  }
}

export const MAX_LEVELS = 50;
export const MIN_CELLS_FOR_UNIQUE_RULE = 20;

/**
 * Whether a text column (a table.js column with `raw` cells, null = missing) can be categories:
 * `reason` is null when it can, else why not — featureKind refuses the column with it, and the
 * page's Modalities step shows the same words (one rule for the CLI and the page).
 * @returns {{levels: number, present: number, reason: string | null}}
 */
export function categoricalLevels(col) {
  const levels = new Set();
  let present = 0;
  for (const s of col.raw) {
    if (s === null) continue;
    present++;
    levels.add(s.trim());
  }
  const tooMany = levels.size > MAX_LEVELS || (present >= MIN_CELLS_FOR_UNIQUE_RULE && 2 * levels.size > present);
  return {
    levels: levels.size, present,
    reason: tooMany ? `${levels.size} different values in ${present} cells, too many to be categories (at most ${MAX_LEVELS}, ` +
      'and at most half of the cells)' : null,
  };
}

/**
 * The feature-column rule, in one place (latefuse fuse and the page's worker): a column whose
 * cells are mostly text (web/lib/table.js) is categorical and is one-hot encoded by the core —
 * unless it has too many levels to be categories (categoricalLevels: more than MAX_LEVELS, or more
 * than half of its non-empty cells distinct once there are MIN_CELLS_FOR_UNIQUE_RULE of them),
 * which is refused: such a column is an identifier or free text, and encoding it would make
 * hundreds of dummies. Any other column is numeric (numericColumn: stray text cells are errors
 * unless `nonNumeric: 'missing'`).
 * @returns {{kind: 'categorical', levels: number} | {kind: 'number'}}
 */
export function featureKind(table, name, role = 'feature') {
  const col = requireColumn(table, name, role);
  if (col.kind !== 'text') return { kind: 'number' };
  const { levels, reason } = categoricalLevels(col);
  if (reason) {
    const example = col.firstNonNumericRow;
    throw new InputError(`${table.file}: ${role} ${quote(name)} has text cells (row ${example.row}: ${quote(example.value)}) with ` +
      `${reason}; if it is numeric, fix its text cells; if it is an identifier or free text, leave it out of the modality`,
    { file: table.file, row: example.row, column: name });
  }
  return { kind: 'categorical', levels };
}

/**
 * Time points (AUC(t), S(t), Brier) must lie within the follow-up [shortest, longest) of the
 * patients' times: beyond it there is nobody at risk to evaluate, and a survival curve beyond its
 * last time is an extrapolation. The core applies the same interval to the test data.
 * @param {number[]} horizons
 * @param {Iterable<number>} times
 * @param {{file?: string, column?: string, flag?: string}} [where]
 */
export function checkHorizons(horizons, times, { file, column, flag = '--horizons' } = {}) {
  let tmin = Infinity;
  let tmax = -Infinity;
  for (const t of times) { if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
  for (const h of horizons) {
    if (!(h >= tmin && h < tmax)) {
      throw new InputError(`${flag} ${h} lies outside the follow-up of ${file ?? 'the data'} (${column ? `${quote(column)} ` : ''}from ${tmin} ` +
        `to ${tmax}); give times at or after the shortest and before the longest follow-up`, { file, column });
    }
  }
}
