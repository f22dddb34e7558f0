// Column utilities shared by the CLI, the worker and the app: pick typed columns out of a parsed
// table, drop rows with missing values in the used columns (counting them), and check coding.
// No statistics here: only data preparation with errors that name file, row and column.
import { InputError } from './errors.js';

/**
 * @param {import('./table.js').Table} table
 * @param {string} name
 */
export function requireColumn(table, name, role = 'column') {
  if (!table.columns.has(name)) {
    const known = [...table.columns.keys()].slice(0, 12).join(', ');
    throw new InputError(`${table.file}: no ${role} column "${name}"; the columns are: ${known}${table.columns.size > 12 ? ', ...' : ''}`,
      { file: table.file, column: name });
  }
  return table.columns.get(name);
}

/**
 * Numeric values of a column: Float64Array with NaN for missing cells. A cell that is present but
 * not a number is an error naming the row (1-based data row, header excluded) and column.
 */
export function numericColumn(table, name, role = 'column') {
  const col = requireColumn(table, name, role);
  if (col.kind === 'number') return col.values;
  const bad = col.firstNonNumericRow;
  throw new InputError(
    `${table.file}: ${role} "${name}" must be numeric but row ${bad.row} has "${bad.value}"; ` +
    'fix the cell or leave it empty (missing)', { file: table.file, row: bad.row, column: name });
}

/**
 * Event indicator: accepts 0/1, TRUE/FALSE (any case), and — like R's Surv — 1/2 (2 = event) when
 * every value is 1 or 2. Returns Float64Array of 0/1 with NaN for missing.
 */
export function eventColumn(table, name) {
  const col = requireColumn(table, name, 'event');
  const out = new Float64Array(table.rowCount);
  if (col.kind === 'number') {
    const v = col.values;
    let oneTwo = true;
    for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]) && v[i] !== 1 && v[i] !== 2) oneTwo = false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) { out[i] = NaN; continue; }
      if (oneTwo) { out[i] = x === 2 ? 1 : 0; continue; }
      if (x !== 0 && x !== 1) {
        throw new InputError(`${table.file}: event column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1} has ${x}; ` +
          'recode it (1 = event, 0 = censored)', { file: table.file, row: i + 1, column: name });
      }
      out[i] = x;
    }
    return out;
  }
  const raw = col.raw;
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s === null) { out[i] = NaN; continue; }
    const t = s.trim().toLowerCase();
    if (t === 'true' || t === 't' || t === 'yes' || t === '1') out[i] = 1;
    else if (t === 'false' || t === 'f' || t === 'no' || t === '0') out[i] = 0;
    else {
      throw new InputError(`${table.file}: event column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1} has "${s}"; ` +
        'recode it (1 = event, 0 = censored)', { file: table.file, row: i + 1, column: name });
    }
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
  const who = (i) => (ids && ids[i] !== undefined && ids[i] !== null && !String(ids[i]).startsWith('row ') ? ` (patient "${ids[i]}")` : '');
  for (let i = 0; i < table.rowCount; i++) {
    const raw = col.raw[i];
    const t = raw === null ? '' : String(raw).trim().toLowerCase();
    if (t === '1' || t === 'true' || t === 't' || t === 'yes') out[i] = 1;
    else if (t === '0' || t === 'false' || t === 'f' || t === 'no') out[i] = 0;
    else {
      throw new InputError(`${table.file}: outcome column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1}${who(i)} ` +
        `${t === '' ? 'is empty' : `has "${raw}"`}; recode it (1 = case, 0 = control) or remove the patient`,
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
    const key = col.kind === 'number' ? col.values[i] : col.raw[i];
    if (key === null || (typeof key === 'number' && Number.isNaN(key))) { codes[i] = NaN; continue; }
    if (!index.has(key)) { index.set(key, levels.length); levels.push(key); }
    codes[i] = index.get(key);
  }
  return { codes, levels };
}

/**
 * Keep rows where every given column is present. Returns {keep: Int32Array of row indices,
 * dropped: count, select(col) -> Float64Array}.
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
      const out = new Float64Array(keep.length);
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
