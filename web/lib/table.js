// CSV/TSV text -> typed columns, with PapaParse. Used by the CLI, the web worker and the tests, so
// every door reads a file the same way. Rows are numbered from 1 for the first data row (the
// header is row 0), which is what error messages report.
import Papa from 'papaparse';
import { InputError } from './errors.js';
import { resolveDecimalMark, parseNumber } from './decimal.js';

const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '.']);

/**
 * @typedef {{kind: 'number'|'text', raw: (string|null)[], values?: Float64Array,
 *            firstNonNumericRow?: {row: number, value: string}, missing: number}} Column
 * @typedef {{file: string, header: string[], rowCount: number, columns: Map<string, Column>,
 *            decimalMark: '.'|',', decimalSetting: 'auto'|'.'|','}} Table
 */

/**
 * Build typed columns from a header and rows of strings. Number cells are read with the file's
 * decimal mark (decimal.js: detected unless `decimal` forces one; `delimiter` is what the file was
 * split on, which the detection needs).
 */
export function tableFromRows(file, header, rows, { decimal = 'auto', delimiter = ',' } = {}) {
  const seen = new Set();
  header.forEach((name, j) => {
    if (name.trim() === '') throw new InputError(`${file}: column ${j + 1} has an empty name in the header; give every column a name`, { file, column: j + 1 });
    if (seen.has(name)) throw new InputError(`${file}: the column name "${name}" appears twice in the header; rename one of them`, { file, column: name });
    seen.add(name);
  });
  const decimalMark = resolveDecimalMark(decimal, rows, delimiter);
  const columns = new Map();
  header.forEach((name, j) => {
    const raw = new Array(rows.length);
    const values = new Float64Array(rows.length);
    let numeric = true;
    let firstNonNumericRow;
    let missing = 0;
    for (let i = 0; i < rows.length; i++) {
      const cell = rows[i][j];
      if (cell === undefined || MISSING.has(cell.trim())) { raw[i] = null; values[i] = NaN; missing++; continue; }
      raw[i] = cell;
      const v = parseNumber(cell, decimalMark);
      if (v === undefined) {
        if (numeric) firstNonNumericRow = { row: i + 1, value: cell };
        numeric = false;
      } else values[i] = v;
    }
    const allMissing = missing === rows.length;
    columns.set(name, numeric || allMissing
      ? { kind: 'number', raw, values, missing }
      : { kind: 'text', raw, firstNonNumericRow, missing });
  });
  return { file, header: [...header], rowCount: rows.length, columns, decimalMark, decimalSetting: decimal };
}

/**
 * Parse CSV or TSV text. The delimiter is guessed from the first line unless given.
 * @param {string} text
 * @param {{file?: string, delimiter?: string, decimal?: 'auto'|'.'|','}} [options]
 * @returns {Table}
 */
export function parseTable(text, { file = 'data', delimiter, decimal = 'auto' } = {}) {
  if (typeof text !== 'string') throw new InputError(`${file}: expected text content`, { file });
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;  // strip a UTF-8 BOM
  if (body.trim() === '') throw new InputError(`${file}: the file is empty; it needs a header row and at least one data row`, { file });
  const result = Papa.parse(body, { delimiter: delimiter ?? '', skipEmptyLines: 'greedy' });
  const serious = result.errors.find((e) => e.type === 'Quotes' || e.type === 'FieldMismatch');
  if (serious) {
    const row = serious.row ?? 0;  // PapaParse row index counts the header as 0
    throw new InputError(`${file}: row ${row} ${serious.type === 'Quotes' ? 'has an unclosed quote' : 'has the wrong number of cells'} ` +
      `(${serious.message}); fix that line so it matches the header`, { file, row });
  }
  const [header, ...rows] = result.data;
  if (!header || header.length === 0) throw new InputError(`${file}: no header row found`, { file });
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new InputError(`${file}: row ${i + 1} has ${r.length} cells but the header has ${header.length}; ` +
        'fix that line so it matches the header', { file, row: i + 1 });
    }
  });
  if (rows.length === 0) throw new InputError(`${file}: the file has a header but no data rows`, { file });
  return tableFromRows(file, header.map((h) => h.trim()), rows, { decimal, delimiter: result.meta.delimiter });
}
