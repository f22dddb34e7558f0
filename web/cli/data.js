// Reading input files for the CLI: every file-system problem becomes one line naming the file and
// what to do (exit 2). Only regular files are read (a named pipe would block forever, /dev/zero
// never ends), and at most MAX_FILE_BYTES of them: the whole text is held in memory, and a
// JavaScript string cannot exceed ~512 MB.
import { openSync, fstatSync, readSync, closeSync, constants } from 'node:fs';
import { parseTable } from '../lib/table.js';
import { UsageError } from './options.js';
import { DECIMAL_MARKS } from '../lib/decimal.js';
import { featureInfoFromTable } from '../lib/features.js';
import { EVENT_CODING_RULE, CENSORED_CODING_RULE } from '../lib/columns.js';

/**
 * The event indicator's two options (one spec, one help text): --event COL, or --censored COL for
 * a censoring indicator, read by columns.js eventColumn as the event 1 - censored.
 */
export const EVENT_OPTIONS = [
  { flag: 'event', arg: 'COL', type: 'string', help: `event column (or --censored); ${EVENT_CODING_RULE}` },
  { flag: 'censored', arg: 'COL', type: 'string', help: `censoring column, instead of --event; ${CENSORED_CODING_RULE}` },
];

/**
 * --event or --censored, exclusive: sets o.event to the column and o.eventCensored (eventColumn's
 * `censored`), so the commands read both with `eventColumn(table, o.event, { censored: o.eventCensored })`.
 * Without `required`, neither is fine (e.g. fuse's binary outcome).
 */
export function eventOrCensored(o, { required = true } = {}) {
  if (o.event !== undefined && o.censored !== undefined) {
    throw new UsageError('give either --event COL (1 = event) or --censored COL (1 = censored), not both');
  }
  o.eventCensored = o.censored !== undefined;
  if (o.eventCensored) o.event = o.censored;
  if (required && o.event === undefined) {
    throw new UsageError('missing --event COL (1 = event, 0 = censored); give --censored COL instead when the column marks censoring (1 = censored)');
  }
}

/** The --decimal option of every command that reads data files (one spec, one help text). */
export const DECIMAL_OPTION = {
  flag: 'decimal', arg: 'MARK', type: 'string', default: 'auto', choices: [...DECIMAL_MARKS],
  help: 'decimal mark of the data files\' numbers; auto = a comma when a file is not comma-separated, has d,d cells and no d.d cell',
};

export const MAX_FILE_BYTES = 500 * 1024 * 1024;

const megabytes = (bytes) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * The text of a regular file, as UTF-8. `what` names it in messages ("the model").
 * @param {string} path
 */
export function readTextFile(path, what = '', { limit = MAX_FILE_BYTES } = {}) {
  const name = what ? `${what} ${path}` : path;
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);  // a FIFO must not block the open
  } catch (error) {
    const why = {
      ENOENT: 'no such file; check the path',
      EACCES: 'permission denied; check the file\'s permissions (e.g. chmod u+r) or copy it somewhere readable',
      EPERM: 'permission denied; check the file\'s permissions',
      EISDIR: 'it is a directory, not a file',
      ENOTDIR: 'a part of the path is not a directory; check the path',
      ELOOP: 'too many symbolic links; check the path',
      ENAMETOOLONG: 'the path is too long',
      EMFILE: 'too many open files; close some programs and try again',
    }[error.code] ?? `${error.code ?? error.message}`;
    throw new UsageError(`cannot read ${name}: ${why}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(`cannot read ${name}: it is a directory, not a file`);
    if (!stat.isFile()) {
      throw new UsageError(`cannot read ${name}: it is not a regular file (a pipe, device or socket); save the data to a file and give its path`);
    }
    if (stat.size > limit) {
      throw new UsageError(`cannot read ${name}: it is ${megabytes(stat.size)}, over the ${megabytes(limit)} limit of a file read whole; ` +
        'split it (e.g. one file per modality, joined on --id) or drop unused columns');
    }
    // Read at most limit + 1 bytes, even if the file grows while we read it.
    const chunks = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stat.size - length, 0) + 65536, limit + 1 - length));
      let got;
      try {
        got = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw new UsageError(`cannot read ${name}: ${error.code ?? error.message}`);
      }
      if (got === 0) break;
      chunks.push(got === chunk.length ? chunk : chunk.subarray(0, got));
      length += got;
      if (length > limit) throw new UsageError(`cannot read ${name}: it grew over the ${megabytes(limit)} limit while being read`);
    }
    const buffer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function readTableFile(path, { decimal = 'auto' } = {}) {
  const text = readTextFile(path);
  return parseTable(text, { file: path, delimiter: /\.(tsv|tab)$/i.test(path) ? '\t' : undefined, decimal });
}

/** A feature-info file (`latefuse fuse --feature-info FILE`): web/lib/features.js featureInfoFromTable. */
export function readFeatureInfo(path, decimal = 'auto') {
  const table = readTableFile(path, { decimal });
  try {
    return featureInfoFromTable(table);
  } catch (error) {
    throw new UsageError(`--feature-info ${error.message}`);
  }
}
