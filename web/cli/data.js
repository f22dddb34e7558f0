// Reading input files for the CLI: file-system errors become one-line messages naming the file.
import { readFileSync, statSync } from 'node:fs';
import { parseTable } from '../lib/table.js';
import { UsageError } from './options.js';

export function readTableFile(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file; check the path`);
  }
  if (stat.isDirectory()) throw new UsageError(`cannot read ${path}: it is a directory, not a CSV file`);
  const text = readFileSync(path, 'utf8');
  return parseTable(text, { file: path, delimiter: /\.(tsv|tab)$/i.test(path) ? '\t' : undefined });
}
