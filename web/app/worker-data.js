// Worker side: reading CSV/TSV files into tables (web/lib/table.js semantics), summarising them
// for the page (column kinds, missing counts, a preview), and joining several files on an ID column
// into one dataset whose columns remember the file and row they came from, so every error names the
// user's own file, row and column.
import Papa from 'papaparse';
import { parseTable, tableFromRows, numericColumn, eventColumn, categoricalColumn, InputError, CancelledError } from '../lib/index.js';

/** Files above this size are parsed by streaming, with a progress event per chunk. */
export const STREAM_THRESHOLD = 4 * 1024 * 1024;
const PREVIEW_ROWS = 8;
const DISTINCT_CAP = 64;

function delimiterFor(name) {
  return /\.(tsv|tab)$/i.test(name) ? '\t' : undefined;
}

/** Streaming parse with PapaParse (same checks and messages as parseTable). */
function parseStreaming(file, name, ctx) {
  return new Promise((resolve, reject) => {
    let header = null;
    const rows = [];
    let failure = null;
    let lastReport = 0;
    Papa.parse(file, {
      delimiter: delimiterFor(name) ?? '',
      skipEmptyLines: 'greedy',
      chunkSize: 1024 * 1024,
      chunk(results, parser) {
        if (ctx.isCancelled()) {
          failure = new CancelledError();
          parser.abort();
          return;
        }
        const serious = results.errors.find((e) => e.type === 'Quotes' || e.type === 'FieldMismatch');
        if (serious) {
          const row = rows.length + (serious.row ?? 0) + (header ? 1 : 0);
          failure = new InputError(`${name}: row ${row} ${serious.type === 'Quotes' ? 'has an unclosed quote' : 'has the wrong number of cells'} ` +
            `(${serious.message}); fix that line so it matches the header`, { file: name, row });
          parser.abort();
          return;
        }
        let data = results.data;
        if (!header) {
          header = (data[0] ?? []).map((h, j) => (j === 0 ? h.replace(/^\ufeff/, '') : h).trim());
          data = data.slice(1);
        }
        for (const r of data) {
          if (r.length !== header.length) {
            const row = rows.length + 1;
            failure = new InputError(`${name}: row ${row} has ${r.length} cells but the header has ${header.length}; ` +
              'fix that line so it matches the header', { file: name, row });
            parser.abort();
            return;
          }
          rows.push(r);
        }
        const fraction = file.size ? Math.min(1, results.meta.cursor / file.size) : null;
        const now = Date.now();
        if (now - lastReport > 100) { lastReport = now; ctx.progress(`Reading ${name}`, fraction); }
      },
      complete() {
        if (failure) return reject(failure);
        if (!header || header.length === 0) return reject(new InputError(`${name}: no header row found`, { file: name }));
        if (rows.length === 0) return reject(new InputError(`${name}: the file has a header but no data rows`, { file: name }));
        try {
          resolve(tableFromRows(name, header, rows));
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

/** Parse a File/Blob or text into a web/lib table. */
export async function readTable({ name, file, text }, ctx) {
  if (typeof name !== 'string' || name === '') throw new InputError('a file needs a name');
  if (text === undefined && file && file.size > STREAM_THRESHOLD) {
    ctx.progress(`Reading ${name}`, 0);
    return parseStreaming(file, name, ctx);
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
  return parseTable(body, { file: name, delimiter: delimiterFor(name) });
}

/** What the page needs to know about one column (for display and role detection). */
function describeColumn(name, col, rowCount) {
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
  } else {
    for (const s of col.raw) {
      if (s === null) continue;
      distinct.add(s.trim().toLowerCase());
      if (distinct.size > DISTINCT_CAP) { saturated = true; break; }
    }
    out.firstNonNumericRow = col.firstNonNumericRow;
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

function previewRows(table, header, count = PREVIEW_ROWS, rowOf = (i) => i) {
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

/**
 * A dataset: one table, or several joined (inner join) on an ID column. Columns are addressed by
 * their dataset name; each remembers its source table, its name there and, for joins, the source
 * row of every dataset row.
 */
export class Dataset {
  constructor(tables, idColumn) {
    this.tables = tables;  // [{key, table}]
    this.idColumn = idColumn ?? null;
    this.sources = new Map();  // dataset column -> {key, table, name, rows: Int32Array|null}
    this.groups = [];          // [{name (file), columns: [dataset names]}]
    this.join = null;
    if (tables.length === 1) {
      const [{ key, table }] = tables;
      for (const name of table.header) this.sources.set(name, { key, table, name, rows: null });
      this.rowCount = table.rowCount;
      this.groups.push({ name: table.file, columns: [...table.header] });
    } else {
      this.buildJoin();
    }
    this.header = [...this.sources.keys()];
  }

  buildJoin() {
    const id = this.idColumn;
    if (!id) {
      throw new InputError('several files are loaded: choose the ID column that links their rows (the same patient ID in every file)', { role: 'join' });
    }
    const indexes = this.tables.map(({ table }) => {
      if (!table.columns.has(id)) {
        throw new InputError(`${table.file}: has no column "${id}" to join on; every file needs the ID column`, { file: table.file, column: id, role: 'join' });
      }
      const col = table.columns.get(id);
      const map = new Map();
      for (let i = 0; i < table.rowCount; i++) {
        const key = col.raw[i] === null ? null : col.raw[i].trim();
        if (key === null || key === '') {
          throw new InputError(`${table.file}: row ${i + 1} has no ID in "${id}"; every row needs an ID to be joined`, { file: table.file, row: i + 1, column: id, role: 'join' });
        }
        if (map.has(key)) {
          throw new InputError(`${table.file}: ID "${key}" appears twice in "${id}" (rows ${map.get(key) + 1} and ${i + 1}); IDs must be unique within a file`,
            { file: table.file, row: i + 1, column: id, role: 'join' });
        }
        map.set(key, i);
      }
      return map;
    });
    // Inner join in the order of the first file.
    const first = this.tables[0].table;
    const firstIds = first.columns.get(id).raw.map((s) => s.trim());
    const matched = firstIds.filter((key) => indexes.every((m) => m.has(key)));
    if (matched.length === 0) {
      throw new InputError(`no ID in "${id}" is present in every file; check that the files describe the same patients`, { column: id, role: 'join' });
    }
    const rowMaps = indexes.map((m) => Int32Array.from(matched, (key) => m.get(key)));
    // Column names: the ID once; others keep their name unless two files share it (then file.stem).
    const counts = new Map();
    for (const { table } of this.tables) for (const n of table.header) if (n !== id) counts.set(n, (counts.get(n) ?? 0) + 1);
    this.sources.set(id, { ...this.tables[0], name: id, rows: rowMaps[0] });
    this.tables.forEach(({ key, table }, t) => {
      const stem = table.file.replace(/\.[^.]+$/, '');
      const group = { name: table.file, columns: [] };
      for (const n of table.header) {
        if (n === id) continue;
        let name = counts.get(n) > 1 ? `${stem}.${n}` : n;
        while (this.sources.has(name)) name = `${name}_`;
        this.sources.set(name, { key, table, name: n, rows: rowMaps[t] });
        group.columns.push(name);
      }
      this.groups.push(group);
    });
    this.rowCount = matched.length;
    this.join = {
      column: id,
      matched: matched.length,
      perFile: this.tables.map(({ table }, t) => ({ file: table.file, rows: table.rowCount, unmatched: table.rowCount - matched.length })),
    };
  }

  source(name, role = 'column') {
    const src = this.sources.get(name);
    if (!src) {
      throw new InputError(`no ${role} column "${name}" in the loaded data; choose another column`, { column: name, datasetColumn: name, role });
    }
    return src;
  }

  /** Re-index a column of the source table to dataset rows. */
  reindex(src, values) {
    if (!src.rows) return values;
    const out = new Float64Array(src.rows.length);
    for (let k = 0; k < src.rows.length; k++) out[k] = values[src.rows[k]];
    return out;
  }

  withContext(name, role, fn) {
    const src = this.source(name, role);
    try {
      return fn(src);
    } catch (error) {
      if (error instanceof InputError) { error.datasetColumn = name; error.role = role; }
      throw error;
    }
  }

  numeric(name, role = 'covariate') {
    return this.withContext(name, role, (src) => this.reindex(src, numericColumn(src.table, src.name, role)));
  }

  event(name) {
    return this.withContext(name, 'event', (src) => this.reindex(src, eventColumn(src.table, src.name)));
  }

  categorical(name, role = 'strata') {
    return this.withContext(name, role, (src) => {
      const { codes, levels } = categoricalColumn(src.table, src.name, role);
      return { codes: this.reindex(src, codes), levels };
    });
  }

  /** The 1-based row in the source file of dataset row k (for messages). */
  sourceRow(name, k) {
    const src = this.sources.get(name);
    return (src?.rows ? src.rows[k] : k) + 1;
  }

  /** Raw text of a cell (for IDs in downloads). */
  cell(name, k) {
    const src = this.source(name);
    return src.table.columns.get(src.name).raw[src.rows ? src.rows[k] : k];
  }

  summary() {
    const columns = this.header.map((name) => {
      const src = this.sources.get(name);
      const col = src.table.columns.get(src.name);
      if (!src.rows) return { ...describeColumn(name, col, this.rowCount), file: src.table.file };
      // Joined: describe the column restricted to the matched rows.
      const raw = Array.from(src.rows, (i) => col.raw[i]);
      const restricted = col.kind === 'number'
        ? { kind: 'number', raw, values: Float64Array.from(src.rows, (i) => col.values[i]), missing: raw.filter((s) => s === null).length }
        : { kind: 'text', raw, missing: raw.filter((s) => s === null).length, firstNonNumericRow: col.firstNonNumericRow };
      return { ...describeColumn(name, restricted, this.rowCount), file: src.table.file, sourceName: src.name };
    });
    return {
      files: this.tables.map(({ table }) => table.file),
      rowCount: this.rowCount,
      header: [...this.header],
      columns,
      groups: this.groups,
      join: this.join,
      preview: previewRows({ rowCount: this.rowCount, cell: (name, k) => this.cell(name, k) }, this.header),
    };
  }
}
