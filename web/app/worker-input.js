// Worker side, the engine's input for late fusion on the user's files, step for step as `latefuse
// fuse` (web/cli/commands/fuse.js joinTables + run) builds it, so the page and the command line give
// the same report for the same files and options: the modalities checked against the join, each
// feature column typed by web/lib's one numeric-vs-categorical rule, the outcome, the ids and the
// split. Unlike the inner join of the Cox flow, the OUTCOME file (the one with the time column)
// defines the patients; a patient missing from a modality file simply lacks that modality. Every
// error names the file, row and column and carries `role` so the page can put it beside the control
// it concerns: 'join' / 'id' (the ID column), 'time', 'event', 'split', 'modality:<name>' or
// 'file:<file name>'.
import { numericColumn, eventColumn, checkTimes, InputError } from '../lib/index.js';
import { outcomeJoin, splitLabels } from './worker-join.js';

/** Run fn; an InputError it throws without a role gets `role` (the page shows it beside that control). */
export const withRole = (role, fn) => {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError && !('role' in error && error.role)) Object.assign(error, { role });
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
 * @returns {{input: object, join: object, summary: object, keep: number[]}} input = {columns, modalities, time, event, ids, split?};
 *   keep: the joined rows kept (an outcome present)
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
  if (censored) input.censoringColumn = eventName; // recorded in the model file's outcome, as latefuse fuse --censored
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
