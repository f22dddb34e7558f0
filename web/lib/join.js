// Joining several files on a patient ID column: the one set of rules used by `latefuse fuse`,
// `latefuse score`, the page's worker and its dataset view, so every door matches patients alike.
//  * An ID is the cell's text with surrounding spaces trimmed; an empty ID, or the same ID twice in
//    one file, is an error naming the file and row.
//  * IDs are matched exactly. Two different IDs that differ only in case ("p001" in one file,
//    "P001" in another, or both in one file) are an error listing a few: a silent case-insensitive
//    match could merge two patients, a silent exact match splits one patient in two.
// Errors carry `role` ('join' | 'id' | 'time' | 'file:<name>') so the page can show each beside its control.
import { InputError, quote } from './errors.js';
import { requireColumn, featureKind, numericColumn } from './columns.js';

/** The ID text of a cell: trimmed, null when missing or blank. */
export function idText(column, i) {
  const raw = column.raw[i];
  if (raw === null || raw === undefined) return null;
  const t = String(raw).trim();
  return t === '' ? null : t;
}

/**
 * Map(id -> row index) of one table's ID column; an empty or repeated ID is an error.
 * @param {import('./table.js').Table} table
 */
export function indexIds(table, id, { role = 'id' } = {}) {
  const col = requireColumn(table, id, 'ID');
  const rows = new Map();
  for (let i = 0; i < table.rowCount; i++) {
    const key = idText(col, i);
    if (key === null) {
      throw new InputError(`${table.file}: row ${i + 1} has no patient ID in ${quote(id)}; every row needs one`,
        { file: table.file, row: i + 1, column: id, role });
    }
    if (rows.has(key)) {
      throw new InputError(`${table.file}: the patient ID ${quote(key)} appears twice (rows ${rows.get(key) + 1} and ${i + 1}); ` +
        'give each patient one row per file', { file: table.file, row: i + 1, column: id, role });
    }
    rows.set(key, i);
  }
  return rows;
}

/**
 * Stop when two different IDs (in any of the indexed tables) are equal but for case.
 * @param {Array<{table: object, rows: Map<string, number>}>} indexed
 */
export function checkIdCase(indexed, id, { role = 'id' } = {}) {
  const seen = new Map();  // lower-case id -> {key, file, row}
  const clashes = [];
  for (const { table, rows } of indexed) {
    for (const [key, row] of rows) {
      const folded = key.toLowerCase();
      const first = seen.get(folded);
      if (!first) seen.set(folded, { key, file: table.file, row });
      else if (first.key !== key && clashes.length < 3) clashes.push([first, { key, file: table.file, row }]);
    }
  }
  if (clashes.length === 0) return;
  const where = (x) => `${quote(x.key, 40)} (${x.file} row ${x.row + 1})`;
  const [[a, b]] = clashes;
  throw new InputError(`patient IDs in ${quote(id)} differ only in case: ${clashes.map(([x, y]) => `${where(x)} vs ${where(y)}`).join(', ')}; ` +
    'IDs are matched exactly (spaces around them are ignored): write each patient\'s ID the same way in every file',
  { file: b.file, row: b.row + 1, column: id, role, ids: [a.key, b.key] });
}

/**
 * Inner join on `id` (the page's dataset view of several files, for one Cox model): the patients in
 * every file, in the order of the first. No patient in every file is legitimate for late fusion
 * (outcomeJoin), so it is an error only when no ID of the first file is in any other file.
 * @returns {{matched: string[], rowOf: Int32Array[]}} rowOf[t][k] = row of patient k in tables[t]
 */
export function innerJoin(tables, id, { role = 'join' } = {}) {
  const indexes = tables.map((table) => {
    if (!table.columns.has(id)) {
      throw new InputError(`${table.file}: has no column ${quote(id)} to join on; every file needs the ID column`, { file: table.file, column: id, role });
    }
    return indexIds(table, id, { role });
  });
  checkIdCase(tables.map((table, t) => ({ table, rows: indexes[t] })), id, { role });
  const matched = [...indexes[0].keys()].filter((key) => indexes.every((m) => m.has(key)));
  if (matched.length === 0 && !indexes.some((m, t) => t > 0 && [...m.keys()].some((key) => indexes[0].has(key)))) {
    throw new InputError(`no ID in ${quote(id)} of ${tables[0].file} is in any other file; check that the files describe the same patients ` +
      `and that ${quote(id)} is the patient ID`, { column: id, role });
  }
  return { matched, rowOf: indexes.map((m) => Int32Array.from(matched, (key) => m.get(key))) };
}

/**
 * Join tables on `id`, anchored on the outcome table (the first holding `anchor`, the time column or
 * a binary outcome column): its rows are the patients, in its order; a patient missing from another
 * file simply lacks that file's columns; an ID in another file that is not in the outcome file is
 * an error. One table without `id` joins on nothing (patients are its rows, named "row N").
 * Column names must be unique across files (the ID column excepted).
 * @param {import('./table.js').Table[]} tables
 * @param {{id?: string, anchor: string, role?: string}} spec role: what `anchor` is ('time' | 'outcome')
 */
export function outcomeJoin(tables, { id, anchor, role = 'time' }) {
  const idRole = tables.length > 1 ? 'join' : 'id';
  if (tables.length > 1 && !id) {
    throw new InputError('several files are joined on the patient ID: choose the ID column (the same patient ID in every file; --id COL)', { role: 'join' });
  }
  const holders = tables.filter((t) => t.columns.has(anchor));
  if (holders.length === 0) {
    throw new InputError(`no file has the ${role} column ${quote(anchor)}; the files are ${tables.map((t) => t.file).join(', ')}`, { column: anchor, role });
  }
  const outcome = holders[0];
  const owner = new Map();
  for (const t of tables) {
    for (const name of t.header) {
      if (name === id) continue;
      if (owner.has(name)) {
        throw new InputError(`the column ${quote(name)} is in both ${owner.get(name).file} and ${t.file}; rename it in one of them ` +
          '(columns are matched by name across files)', { file: t.file, column: name, role: `file:${t.file}` });
      }
      owner.set(name, t);
    }
  }
  const keyed = new Map();
  if (id) {
    for (const t of tables) keyed.set(t, indexIds(t, id, { role: idRole }));
    checkIdCase(tables.map((t) => ({ table: t, rows: keyed.get(t) })), id, { role: idRole });
  }
  const ids = id
    ? Array.from({ length: outcome.rowCount }, (_, i) => idText(outcome.columns.get(id), i))
    : Array.from({ length: outcome.rowCount }, (_, i) => `row ${i + 1}`);
  const rowOf = new Map();
  const perFile = [];
  for (const t of tables) {
    if (t === outcome) {
      rowOf.set(t, Int32Array.from({ length: outcome.rowCount }, (_, i) => i));
      perFile.push({ file: t.file, rows: t.rowCount, patients: t.rowCount, outcome: true });
      continue;
    }
    const rows = keyed.get(t);
    const outcomeRows = keyed.get(outcome);
    for (const [key, row] of rows) {
      if (!outcomeRows.has(key)) {
        throw new InputError(`${t.file}: row ${row + 1} has patient ID ${quote(key)}, which is not in the outcome file ${outcome.file}; ` +
          'remove the row or add the patient\'s outcome', { file: t.file, row: row + 1, column: id, role: `file:${t.file}` });
      }
    }
    rowOf.set(t, Int32Array.from(ids, (key) => (rows.has(key) ? rows.get(key) : -1)));
    perFile.push({ file: t.file, rows: t.rowCount, patients: rows.size, outcome: false });
  }
  const table = (name, what) => {
    const t = owner.get(name);
    if (!t) throw new InputError(`no file has the ${what} column ${quote(name)}`, { column: name });
    return t;
  };
  return {
    ids,
    outcome,
    owner,
    rowOf,
    perFile,
    columnNames: [...owner.keys()],
    /**
     * Where joined patient `index` is in the files: the row (1-based) of the file holding `column`
     * (the outcome file without one, or when the patient has no row there); for messages.
     */
    locate(index, column) {
      const t = column !== undefined && owner.has(column) ? owner.get(column) : outcome;
      const r = rowOf.get(t)[index];
      return r >= 0 ? { file: t.file, row: r + 1 } : { file: outcome.file, row: index + 1 };
    },
    /** Text cells of a column for every patient (null where missing or the patient has no row). */
    text(name) {
      const t = table(name, 'feature');
      const raw = t.columns.get(name).raw;
      return Array.from(rowOf.get(t), (r) => (r < 0 ? null : raw[r]));
    },
    /** Numeric values of a column for every patient (NaN where missing or the patient has no row). */
    numeric(name, role = 'feature', options = {}) {
      const t = table(name, role);
      const values = numericColumn(t, name, role, options);
      return Float64Array.from(rowOf.get(t), (r) => (r < 0 ? NaN : values[r]));
    },
    /**
     * A feature column by the one rule (columns.js featureKind): {kind: 'categorical', cells} or
     * {kind: 'number', values}; options as numericColumn's (nonNumeric, warnings).
     */
    feature(name, options = {}) {
      const t = table(name, 'feature');
      const { kind } = featureKind(t, name, 'feature');
      if (kind === 'categorical') return { kind, cells: this.text(name) };
      return { kind, values: this.numeric(name, 'feature', options) };
    },
  };
}
