// Reading input files for the CLI: file-system errors become one-line messages naming the file.
import { readFileSync, statSync } from 'node:fs';
import { parseTable } from '../lib/table.js';
import { UsageError } from './options.js';
import { DECIMAL_MARKS } from '../lib/decimal.js';
import { featureInfoFromTable } from '../lib/features.js';

/** The --decimal option of every command that reads data files (one spec, one help text). */
export const DECIMAL_OPTION = {
  flag: 'decimal', arg: 'MARK', type: 'string', default: 'auto', choices: [...DECIMAL_MARKS],
  help: 'decimal mark of the data files\' numbers; auto = a comma when a file is not comma-separated, has d,d cells and no d.d cell',
};

export function readTableFile(path, { decimal = 'auto' } = {}) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file; check the path`);
  }
  if (stat.isDirectory()) throw new UsageError(`cannot read ${path}: it is a directory, not a CSV file`);
  const text = readFileSync(path, 'utf8');
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
