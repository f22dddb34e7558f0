// Worker side, joining: one table or several joined on an ID column into one data set whose
// columns remember the file and row they came from (`Dataset`: the inner join of the one-Cox-model
// flow), and for late fusion the join anchored on the outcome file (`outcomeJoin`: web/lib join.js,
// as `latefuse fuse`), its preview and its split column. Every error names the user's own file, row
// and column, and carries `role` so the page can put it beside the control it concerns.
import { numericColumn, eventColumn, categoricalColumn, InputError } from '../lib/index.js';
import { outcomeJoin as joinOnOutcome, innerJoin } from '../lib/join.js';
import { featureKind } from '../lib/columns.js';
import { describeColumn, previewRows, PREVIEW_ROWS } from './worker-read.js';

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
      if (error instanceof InputError) Object.assign(error, { datasetColumn: name, role });
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
