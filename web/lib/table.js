// CSV/TSV text -> typed columns, with PapaParse. Used by the CLI, the web worker and the tests, so
// every door reads a file the same way. Rows are numbered from 1 for the first data row (the
// header is row 0), which is what error messages report.
import Papa from 'papaparse';
import { InputError, quote } from './errors.js';
import { resolveDecimalMark, parseNumber } from './decimal.js';

const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '.']);

/**
 * @typedef {{kind: 'number'|'text', raw: (string|null)[], values?: Float64Array, missing: number,
 *            nonNumeric?: number, firstNonNumericRow?: {row: number, value: string}}} Column
 *   kind 'text' only when most non-empty cells are not numbers (a categorical column); otherwise
 *   'number', with `nonNumeric` counting the stray non-numeric cells (NaN in `values`): reading such a
 *   column as numbers is an error naming the first one (web/lib/columns.js numericColumn).
 * @typedef {{file: string, header: string[], rowCount: number, columns: Map<string, Column>,
 *            decimalMark: '.'|',', decimalSetting: 'auto'|'.'|','}} Table
 */

/**
 * Build typed columns from a header and rows of strings. Number cells are read with the file's
 * decimal mark (decimal.js: detected unless `decimal` forces one; `delimiter` is what the file was
 * split on, which the detection needs).
 * @param {string} file
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {{decimal?: 'auto'|'.'|',', delimiter?: string}} [options]
 * @returns {Table}
 */
export function tableFromRows(file, header, rows, { decimal = 'auto', delimiter = ',' } = {}) {
  const seen = new Set();
  header.forEach((name, j) => {
    if (name.trim() === '') throw new InputError(`${file}: column ${j + 1} has an empty name in the header; give every column a name`, { file, column: j + 1 });
    if (seen.has(name)) throw new InputError(`${file}: the column name ${quote(name)} appears twice in the header; rename one of them`, { file, column: name });
    seen.add(name);
  });
  const decimalMark = resolveDecimalMark(decimal, rows, delimiter);
  const columns = new Map();
  header.forEach((name, j) => {
    const raw = new Array(rows.length);
    const values = new Float64Array(rows.length);
    let nonNumeric = 0;
    let firstNonNumericRow;
    let missing = 0;
    for (let i = 0; i < rows.length; i++) {
      const cell = rows[i][j];
      if (cell === undefined || MISSING.has(cell.trim())) { raw[i] = null; values[i] = NaN; missing++; continue; }
      raw[i] = cell;
      const v = parseNumber(cell, decimalMark);
      if (v === undefined) {
        if (nonNumeric === 0) firstNonNumericRow = { row: i + 1, value: cell };
        nonNumeric++;
        values[i] = NaN;
      } else values[i] = v;
    }
    // Categorical only when most present cells are text: one "-" or "1,234" in a numeric column is
    // a bad cell to report, not a reason to one-hot encode a hundred numbers.
    const present = rows.length - missing;
    const text = nonNumeric > 0 && 2 * nonNumeric > present;
    columns.set(name, text
      ? { kind: 'text', raw, firstNonNumericRow, missing, nonNumeric }
      : { kind: 'number', raw, values, missing, nonNumeric, ...(nonNumeric ? { firstNonNumericRow } : {}) });
  });
  return { file, header: [...header], rowCount: rows.length, columns, decimalMark, decimalSetting: decimal };
}

/** PapaParse's options for every read (whole text or streamed): delimiter guessed unless given. */
export const parseOptions = (delimiter) => ({ delimiter: delimiter ?? '', skipEmptyLines: 'greedy' });

/**
 * The one CSV/TSV reader's checks, fed by PapaParse's output all at once (parseTable) or chunk by
 * chunk (streaming large files: web/app/worker-read.js): the header (a UTF-8 BOM dropped), unclosed
 * quotes, every row with as many cells as the header, and row numbers counted from the first data
 * row (row 1 = the row after the header) whatever the chunking.
 */
export class TableReader {
  /** @param {string} file @param {{decimal?: 'auto'|'.'|','}} [options] */
  constructor(file, { decimal = 'auto' } = {}) {
    this.file = file;
    /** @type {'auto'|'.'|','} */
    this.decimal = decimal;
    this.delimiter = undefined;
    this.header = null;
    this.rows = [];
  }

  /**
   * One parsed chunk: PapaParse's `data`, `errors` (an error's `row` indexes this chunk's data) and the
   * delimiter it split on (`meta.delimiter`; the decimal-mark detection needs it).
   */
  push(data, errors = [], delimiter = undefined) {
    const file = this.file;
    if (this.delimiter === undefined && delimiter !== undefined) this.delimiter = delimiter;
    const serious = errors.find((e) => e.type === 'Quotes' || e.type === 'FieldMismatch');
    if (serious) {
      const index = serious.row ?? 0;
      const row = this.header ? this.rows.length + index + 1 : index;  // before the header is read, index 0 is the header
      throw new InputError(`${file}: row ${row} ${serious.type === 'Quotes' ? 'has an unclosed quote' : 'has the wrong number of cells'} ` +
        `(${serious.message}); fix that line so it matches the header`, { file, row });
    }
    let start = 0;
    if (!this.header) {
      if (data.length === 0) return;
      this.header = data[0].map((h, j) => (j === 0 ? h.replace(/^\ufeff/, '') : h).trim());
      start = 1;
    }
    for (let k = start; k < data.length; k++) {
      const r = data[k];
      if (r.length !== this.header.length) {
        const row = this.rows.length + 1;
        throw new InputError(`${file}: row ${row} has ${r.length} cells but the header has ${this.header.length}; ` +
          'fix that line so it matches the header', { file, row });
      }
      this.rows.push(r);
    }
  }

  /** The table, once every chunk is in. */
  finish() {
    const file = this.file;
    if (!this.header || this.header.length === 0) throw new InputError(`${file}: no header row found`, { file });
    if (this.rows.length === 0) throw new InputError(`${file}: the file has a header but no data rows`, { file });
    return tableFromRows(file, this.header, this.rows, { decimal: this.decimal, delimiter: this.delimiter ?? ',' });
  }
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
  const result = Papa.parse(body, parseOptions(delimiter));
  const reader = new TableReader(file, { decimal });
  reader.push(result.data, result.errors, result.meta.delimiter);
  return reader.finish();
}
