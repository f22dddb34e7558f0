// Worker side, reading: CSV/TSV files (a File/Blob or text) into web/lib tables (table.js: one
// reader, streamed with a progress event per chunk above 4 MB), and the page's summary of a table
// (column kinds, missing counts, distinct values, a preview).
// The joins are in worker-join.js, the engine's input for late fusion in worker-input.js.
import Papa from 'papaparse';
import { TableReader, parseOptions } from '../lib/table.js';
import { parseTable, categoricalLevels, InputError, CancelledError } from '../lib/index.js';

/** Files above this size are parsed by streaming, with a progress event per chunk. */
export const STREAM_THRESHOLD = 4 * 1024 * 1024;
export const PREVIEW_ROWS = 8;
const DISTINCT_CAP = 64;

function delimiterFor(name) {
  return /\.(tsv|tab)$/i.test(name) ? '\t' : undefined;
}

/** Streaming parse with PapaParse, through web/lib's one reader (table.js TableReader): same checks and messages as parseTable. */
function parseStreaming(file, name, ctx, decimal) {
  return new Promise((resolve, reject) => {
    const reader = new TableReader(name, { decimal });
    let failure = null;
    let lastReport = 0;
    Papa.parse(file, {
      ...parseOptions(delimiterFor(name)),
      chunkSize: 1024 * 1024,
      chunk(results, parser) {
        if (ctx.isCancelled()) {
          failure = new CancelledError();
          parser.abort();
          return;
        }
        try {
          reader.push(results.data, results.errors, results.meta.delimiter);
        } catch (error) {
          failure = error;
          parser.abort();
          return;
        }
        const fraction = file.size ? Math.min(1, results.meta.cursor / file.size) : null;
        const now = Date.now();
        if (now - lastReport > 100) { lastReport = now; ctx.progress(`Reading ${name}`, fraction); }
      },
      complete() {
        if (failure) return reject(failure);
        try {
          resolve(reader.finish());
        } catch (error) {
          reject(error);
        }
      },
      error(error) {
        reject(new InputError(`${name}: the file could not be read (${error?.message ?? error}); check that it is a text CSV/TSV file`, { file: name }));
      },
    });
  });
}

/**
 * Parse a File/Blob or text into a web/lib table (`decimal`: 'auto', '.' or ',', decimal.js).
 * @param {{name: string, file?: Blob, text?: string, decimal?: 'auto'|'.'|','}} source
 * @param {any} ctx  the request's context (protocol.js serve)
 */
export async function readTable({ name, file, text, decimal = 'auto' }, ctx) {
  if (typeof name !== 'string' || name === '') throw new InputError('a file needs a name');
  if (text === undefined && file && file.size > STREAM_THRESHOLD) {
    ctx.progress(`Reading ${name}`, 0);
    return parseStreaming(file, name, ctx, decimal);
  }
  ctx.progress(`Reading ${name}`, null);
  let body = text;
  if (body === undefined) {
    if (!file) throw new InputError(`${name}: nothing to read`, { file: name });
    try {
      body = await file.text();
    } catch (error) {
      throw new InputError(`${name}: the file could not be read (${error?.message ?? error}); check that it is a text CSV/TSV file`, { file: name });
    }
  }
  await ctx.checkpoint();
  ctx.progress(`Parsing ${name}`, null);
  return parseTable(body, { file: name, delimiter: delimiterFor(name), decimal });
}

/**
 * What the page needs to know about one column (for display and role detection). `fileColumn` is
 * the column over its whole file, which the fit's feature rule (columns.js featureKind) judges.
 */
export function describeColumn(name, col, rowCount, fileColumn = col) {
  const out = { name, kind: col.kind, missing: col.missing };
  const distinct = new Set();
  let saturated = false;
  if (col.kind === 'number') {
    let integer = true;
    let nonNegative = true;
    for (let i = 0; i < col.values.length; i++) {
      const v = col.values[i];
      if (Number.isNaN(v)) continue;
      if (!Number.isInteger(v)) integer = false;
      if (v < 0) nonNegative = false;
      if (!saturated) { distinct.add(v); if (distinct.size > DISTINCT_CAP) saturated = true; }
    }
    Object.assign(out, { integer, nonNegative });
    // Stray text cells in a numeric column (table.js): the page says where the first one is.
    if (col.nonNumeric) Object.assign(out, { nonNumeric: col.nonNumeric, firstNonNumericRow: col.firstNonNumericRow });
  } else {
    for (const s of col.raw) {
      if (s === null) continue;
      distinct.add(s.trim().toLowerCase());
      if (distinct.size > DISTINCT_CAP) { saturated = true; break; }
    }
    out.firstNonNumericRow = col.firstNonNumericRow;
    // Why it cannot be categories (null: it can), in the words `latefuse fuse` refuses it with.
    out.tooManyLevels = categoricalLevels(fileColumn).reason;
  }
  out.distinct = saturated ? null : distinct.size;
  out.levels = !saturated && distinct.size <= 4 ? [...distinct].map(String).sort() : null;
  // Every present value distinct and nothing missing: could be an identifier.
  if (col.missing === 0) {
    const all = new Set(col.kind === 'number' ? col.values : col.raw.map((s) => s.trim()));
    out.unique = all.size === rowCount;
  } else out.unique = false;
  return out;
}

export function previewRows(table, header, count = PREVIEW_ROWS, rowOf = (i) => i) {
  const rows = [];
  for (let i = 0; i < Math.min(count, table.rowCount); i++) {
    rows.push(header.map((name) => table.cell(name, rowOf(i))));
  }
  return rows;
}

/** Summary of a single parsed file. */
export function summarizeTable(key, table) {
  const view = tableView(table);
  return {
    key,
    name: table.file,
    rowCount: table.rowCount,
    decimalMark: table.decimalMark,
    decimalSetting: table.decimalSetting,
    header: [...table.header],
    columns: table.header.map((n) => describeColumn(n, table.columns.get(n), table.rowCount)),
    preview: previewRows(view, table.header),
  };
}

function tableView(table) {
  return {
    rowCount: table.rowCount,
    cell(name, i) { return table.columns.get(name).raw[i]; },
  };
}
