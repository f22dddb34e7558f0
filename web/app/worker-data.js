// Worker side: reading CSV/TSV files into tables (web/lib/table.js semantics), summarising them
// for the page (column kinds, missing counts, a preview), and joining several files on an ID column
// into one dataset whose columns remember the file and row they came from, so every error names the
// user's own file, row and column.
import Papa from 'papaparse';
import { TableReader, parseOptions } from '../lib/table.js';
import {
  parseTable, numericColumn, eventColumn, categoricalColumn, categoricalLevels, checkTimes, InputError, CancelledError,
} from '../lib/index.js';
import { outcomeJoin as joinOnOutcome, innerJoin } from '../lib/join.js';
import { featureKind } from '../lib/columns.js';

/** Files above this size are parsed by streaming, with a progress event per chunk. */
export const STREAM_THRESHOLD = 4 * 1024 * 1024;
const PREVIEW_ROWS = 8;
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

/** Parse a File/Blob or text into a web/lib table (`decimal`: 'auto', '.' or ',', decimal.js). */
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
function describeColumn(name, col, rowCount, fileColumn = col) {
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
    const { matched, rowOf: rowMaps } = innerJoin(this.tables.map(({ table }) => table), id, { role: 'join' });
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
      perFile: this.tables.map(({ table }) => ({ file: table.file, rows: table.rowCount, unmatched: table.rowCount - matched.length })),
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

  /** The event indicator; `censored`: the column marks censoring (1 = censored), the event is 1 - censored. */
  event(name, censored = false) {
    return this.withContext(name, 'event', (src) => this.reindex(src, eventColumn(src.table, src.name, { censored })));
  }

  /**
   * A covariate by the one numeric-vs-categorical rule (columns.js featureKind, as late fusion and
   * `latefuse cox`): {kind: 'number', values} or {kind: 'categorical', cells} (text per patient, null = missing).
   */
  feature(name, role = 'covariate') {
    return this.withContext(name, role, (src) => {
      const { kind } = featureKind(src.table, src.name, role);
      if (kind === 'number') return { kind, values: this.reindex(src, numericColumn(src.table, src.name, role)) };
      const raw = src.table.columns.get(src.name).raw;
      return { kind, cells: Array.from({ length: this.rowCount }, (_, k) => raw[src.rows ? src.rows[k] : k]) };
    });
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
      // No patient in every file: describe each column over its own file.
      if (this.rowCount === 0) return { ...describeColumn(name, col, src.table.rowCount), file: src.table.file, sourceName: src.name };
      // Joined: describe the column restricted to the matched rows.
      const raw = Array.from(src.rows, (i) => col.raw[i]);
      const restricted = col.kind === 'number'
        ? { kind: 'number', raw, values: Float64Array.from(src.rows, (i) => col.values[i]), missing: raw.filter((s) => s === null).length,
          nonNumeric: col.nonNumeric, firstNonNumericRow: col.firstNonNumericRow }
        : { kind: 'text', raw, missing: raw.filter((s) => s === null).length, firstNonNumericRow: col.firstNonNumericRow };
      return { ...describeColumn(name, restricted, this.rowCount, col), file: src.table.file, sourceName: src.name };
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

// ---------------------------------------------------------------------------------------------
// Late fusion on the user's files: the join and the engine's input, step for step as `latefuse fuse`
// (web/cli/commands/fuse.js joinTables + run) builds them, so the page and the command line give the
// same report for the same files and options. Unlike the inner join above, the OUTCOME file (the one
// with the time column) defines the patients; a patient missing from a modality file simply lacks
// that modality. Every error names the file, row and column and carries `role` so the page can put
// it beside the control it concerns: 'join' / 'id' (the ID column), 'time', 'event', 'split',
// 'modality:<name>' or 'file:<file name>'.
// ---------------------------------------------------------------------------------------------

/**
 * Join the loaded files on the ID column, anchored on the outcome file: the one join of web/lib
 * (join.js outcomeJoin, as `latefuse fuse`), after the page's own "choose a column" checks.
 * @param {Array<{key: string, table: object}>} list the files, in the page's order
 * @param {{id?: string, time: string}} roles
 */
export function outcomeJoin(list, { id, time }) {
  if (list.length > 1 && !id) {
    throw new InputError('several files are loaded: choose the ID column that links their rows (the same patient ID in every file)', { role: 'join' });
  }
  if (!time) throw new InputError('choose the follow-up time column', { role: 'time' });
  return joinOnOutcome(list.map((x) => x.table), { id, anchor: time });
}

/**
 * The first patients of the join late fusion uses (anchored on the outcome file): for the page's
 * preview, so it shows the rows the run will use, a patient missing from a file with that file's
 * cells empty. `keep` = the outcome file's rows the run keeps (default: all).
 * @returns {{header: string[], rows: (string|null)[][], patients: number}}
 */
export function joinPreview(join, columns, keep = null, count = PREVIEW_ROWS) {
  const header = [...new Set(columns.filter((name) => name && (join.owner.has(name) || join.outcome.columns.has(name))))];
  const patients = keep ? keep.length : join.ids.length;
  const rows = [];
  for (let k = 0; k < Math.min(count, patients); k++) {
    const i = keep ? keep[k] : k;
    rows.push(header.map((name) => {
      const t = join.owner.get(name) ?? join.outcome;
      const r = join.rowOf.get(t)[i];
      return r < 0 ? null : t.columns.get(name).raw[r];
    }));
  }
  return { header, rows, patients };
}

/** Train/test labels from a split column (fuse.js splitLabels): test/train or 1/0 (1 = test). */
export function splitLabels(join, column) {
  const t = join.owner.get(column);
  if (!t) throw new InputError(`no file has the split column "${column}"`, { column, role: 'split' });
  const col = t.columns.get(column);
  const rows = join.rowOf.get(t);
  return join.ids.map((id, i) => {
    const r = rows[i];
    if (r < 0) {
      throw new InputError(`${t.file}: patient "${id}" has no row, so no train/test label in "${column}"; add the row`, { file: t.file, column, role: 'split' });
    }
    const raw = col.raw[r];
    const v = raw === null ? '' : String(raw).trim().toLowerCase();
    if (v === '1' || v === 'test' || v === 'true') return 1;
    if (v === '0' || v === 'train' || v === 'training' || v === 'false') return 0;
    throw new InputError(`${t.file}: split column "${column}" must be test/train or 1/0 but row ${r + 1} has "${raw ?? ''}"`,
      { file: t.file, row: r + 1, column, role: 'split' });
  });
}

/** Run fn; an InputError it throws without a role gets `role` (the page shows it beside that control). */
export const withRole = (role, fn) => {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError && !error.role) error.role = role;
    throw error;
  }
};

/**
 * Check the user's modality groups against the joined files: at least one modality, none empty, no
 * ID/outcome/split column as a feature, every column in a loaded file and in one modality only.
 * @returns {string[]} the modality names
 */
export function checkModalities(join, modalities, reservedColumns) {
  const names = Object.keys(modalities ?? {});
  if (names.length === 0) throw new InputError('give at least one modality with columns', { role: 'modalities' });
  const reserved = new Set(reservedColumns.filter(Boolean));
  const taken = new Map();
  for (const name of names) {
    const cols = modalities[name];
    if (!cols.length) throw new InputError(`the modality "${name}" has no columns; move columns into it or remove it`, { role: `modality:${name}` });
    for (const c of cols) {
      if (reserved.has(c)) throw new InputError(`the modality "${name}" has "${c}", which is the ID, outcome or split column, not a feature`, { column: c, role: `modality:${name}` });
      if (!join.owner.has(c)) throw new InputError(`the modality "${name}" has the column "${c}", which is in no loaded file`, { column: c, role: `modality:${name}` });
      if (taken.has(c)) throw new InputError(`the column "${c}" is in both "${taken.get(c)}" and "${name}"; give each column to one modality`, { column: c, role: `modality:${name}` });
      taken.set(c, name);
    }
  }
  return names;
}

/**
 * The feature columns of every modality for the joined patients `keep` (indices into join.ids; null
 * = all): text columns as cells (categorical; null = missing), the others as numbers (NaN = missing),
 * and per modality how many patients have a value in any of its columns (none -> InputError).
 */
export function modalityColumns(join, modalities, names, keep = null) {
  const rows = keep ?? join.ids.map((_, i) => i);
  const columns = {};
  const present = {};
  for (const name of names) {
    const cols = modalities[name];
    const has = new Uint8Array(rows.length);
    let any = 0;
    for (const c of cols) {
      // One rule for numeric vs categorical (web/lib columns.js featureKind, as `latefuse fuse`):
      // categorical columns are passed as text cells; too many levels is refused beside the modality.
      const feature = withRole(`modality:${name}`, () => join.feature(c));
      if (feature.kind === 'categorical') {
        columns[c] = rows.map((i) => feature.cells[i]);
        columns[c].forEach((v, k) => { if (v !== null) has[k] = 1; });
      } else {
        columns[c] = Float64Array.from(rows, (i) => feature.values[i]);
        columns[c].forEach((v, k) => { if (!Number.isNaN(v)) has[k] = 1; });
      }
    }
    for (const v of has) any += v;
    if (any === 0) {
      throw new InputError(`the modality "${name}": no patient has a value in any of its ${cols.length} columns (${cols.slice(0, 5).join(', ')}` +
        `${cols.length > 5 ? ', ...' : ''}); check the columns and the ID matching, or remove the modality`, { role: `modality:${name}` });
    }
    present[name] = any;
  }
  return { columns, present };
}

/**
 * The engine's input for the user's files (fuse.js run): patients = rows of the outcome file with a
 * time and an event; feature columns per modality (text columns are passed as text: categorical,
 * one-hot encoded by the core); the ids; an optional split column.
 * @param {Array<{key, table}>} list
 * @param {{id?: string, time: string, event: string, censored?: boolean, split?: string, modalities: Record<string, string[]>}} spec
 *   censored: `event` is a censoring indicator (1 = censored; columns.js eventColumn)
 * @returns {{input: object, join: object, summary: object}} input = {columns, modalities, time, event, ids, split?, censoringColumn?}
 */
export function fusionData(list, { id, time: timeName, event: eventName, censored = false, split, modalities }) {
  const join = outcomeJoin(list, { id, time: timeName });
  if (!eventName) throw new InputError('choose the event column', { role: 'event' });
  if (eventName === timeName) throw new InputError('time and event must be two different columns', { role: 'event' });
  if (!join.outcome.columns.has(eventName)) {
    throw new InputError(`${join.outcome.file}: no event column "${eventName}"; the event must be in the outcome file (the one with "${timeName}")`,
      { file: join.outcome.file, column: eventName, role: 'event' });
  }
  const names = checkModalities(join, modalities, [id, timeName, eventName, split]);
  const timeAll = withRole('time', () => numericColumn(join.outcome, timeName, 'time'));
  const eventAll = withRole('event', () => eventColumn(join.outcome, eventName, { censored }));
  const keep = [];
  for (let i = 0; i < timeAll.length; i++) if (!Number.isNaN(timeAll[i]) && !Number.isNaN(eventAll[i])) keep.push(i);
  if (keep.length === 0) throw new InputError(`${join.outcome.file}: no row has both "${timeName}" and "${eventName}"`, { role: 'time' });
  const pick = (values) => Float64Array.from(keep, (i) => values[i]);
  const time = pick(timeAll);
  withRole('time', () => checkTimes(join.outcome, timeName, time, keep));
  const event = pick(eventAll);
  const ids = keep.map((i) => join.ids[i]);
  const { columns, present } = modalityColumns(join, modalities, names, keep);
  const input = { columns, modalities, time, event, ids };
  if (censored) input.censoringColumn = eventName;  // recorded in the model file's outcome, as latefuse fuse --censored
  if (split) {
    const labels = splitLabels(join, split);
    input.split = keep.map((i) => labels[i]);
  }
  let events = 0;
  for (const e of event) events += e;
  const summary = {
    files: list.map((x) => x.table.file),
    outcomeFile: join.outcome.file,
    id: id || null,
    time: timeName,
    event: eventName,
    patients: keep.length,
    events,
    dropped: timeAll.length - keep.length,
    perFile: join.perFile,
    modalities: names.map((name) => ({ name, columns: modalities[name].length, patients: present[name] })),
  };
  return { input, join, summary, keep };
}
