// Data preparation for `latefuse evaluate` (no statistics): append a data file's outcome columns to
// latefuse score's predictions.csv, matching patients by id; optionally keep only the test patients
// of a latefuse fuse report. Usage (from the repository root):
//   node models/join-outcome.js PREDICTIONS.csv DATA.csv ID_COL TIME_COL EVENT_COL OUT.csv [REPORT.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseTable } from '../web/lib/table.js';

const [predictionsFile, dataFile, idCol, timeCol, eventCol, outFile, reportFile] = process.argv.slice(2);
if (!outFile) throw new Error('usage: node models/join-outcome.js PREDICTIONS.csv DATA.csv ID TIME EVENT OUT.csv [REPORT.json]');
const data = parseTable(readFileSync(dataFile, 'utf8'), { file: dataFile });
const outcome = new Map();
const ids = data.columns.get(idCol).raw;
for (let i = 0; i < data.rowCount; i++) outcome.set(String(ids[i]).trim(), [data.columns.get(timeCol).raw[i] ?? '', data.columns.get(eventCol).raw[i] ?? '']);
const keep = reportFile ? new Set(JSON.parse(readFileSync(reportFile, 'utf8')).test_patients.ids.map(String)) : null;
const lines = readFileSync(predictionsFile, 'utf8').trimEnd().split('\n');
const out = [`${lines[0]},${timeCol},${eventCol}`];
for (const line of lines.slice(1)) {
  const id = line.slice(0, line.indexOf(',')).replace(/^"|"$/g, '');
  if (keep && !keep.has(id)) continue;
  if (!outcome.has(id)) throw new Error(`${dataFile}: no patient "${id}"`);
  out.push(`${line},${outcome.get(id).join(',')}`);
}
writeFileSync(outFile, out.join('\n') + '\n');
