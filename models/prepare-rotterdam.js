// Data preparation for models/rotterdam.latefuse.json (no statistics): derive recurrence-free
// survival on Rotterdam and make GBSG's columns match Rotterdam's. Run from the repository root:
//   node models/prepare-rotterdam.js
// Writes models/data/rotterdam-rfs.csv and models/data/gbsg-validation.csv.
//
// Rotterdam (R survival ?rotterdam): rtime = days to relapse or last follow-up, recur = 1 relapse;
// dtime = days to death or last follow-up, death = 1 dead. Recurrence-free survival = the first of
// relapse or death (Therneau's "validation" vignette, survival package):
//   rfs_time  = rtime if recur == 1 (relapse comes first; rtime <= dtime for every such patient), else dtime
//   rfs_event = 1 if recur == 1 or death == 1, else 0
// A patient who died without a recorded relapse is an event at dtime even when rtime < dtime (43
// patients: relapse follow-up ended earlier); this is the vignette's rule.
//
// GBSG (R ?gbsg): size is the tumour size in mm; Rotterdam's size is the category "<=20", "20-50" or
// ">50" (mm). Bins are right-closed: size <= 20 -> "<=20"; 20 < size <= 50 -> "20-50"; size > 50 ->
// ">50" (R: cut(size, c(0, 20, 50, Inf))). The mm value is kept as size_mm (not a model column).
// GBSG has no chemotherapy column: chemo is added EMPTY (missing) so that the model's columns are all
// present; the treatment modality is then present by hormon alone (presence rule "any") and chemo is
// imputed with its training median. GBSG's outcome is rfstime (days) / status (1 = relapse or death).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseTable } from '../web/lib/table.js';

function read(path) {
  return parseTable(readFileSync(path, 'utf8'), { file: path });
}

function cell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) || /[<>=]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function write(path, header, rows) {
  writeFileSync(path, [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n');
}

const raw = (t, name, i) => t.columns.get(name).raw[i];
const num = (t, name, i) => t.columns.get(name).values[i];

// Rotterdam -> RFS
const rot = read('tests/data/rotterdam.csv');
const rotRows = [];
for (let i = 0; i < rot.rowCount; i++) {
  const recur = num(rot, 'recur', i);
  const death = num(rot, 'death', i);
  const rtime = num(rot, 'rtime', i);
  const dtime = num(rot, 'dtime', i);
  if (recur === 1 && rtime > dtime) throw new Error(`rotterdam row ${i + 1}: relapse after death`);
  const time = recur === 1 ? rtime : dtime;
  const event = recur === 1 || death === 1 ? 1 : 0;
  rotRows.push([...rot.header.map((h) => raw(rot, h, i)), time, event]);
}
write('models/data/rotterdam-rfs.csv', [...rot.header, 'rfs_time', 'rfs_event'], rotRows);

// GBSG -> Rotterdam's columns
const gbsg = read('tests/data/gbsg.csv');
const bin = (mm) => (Number.isNaN(mm) ? null : mm <= 20 ? '<=20' : mm <= 50 ? '20-50' : '>50');
const header = [];
for (const h of gbsg.header) header.push(h === 'size' ? 'size_mm' : h);
header.push('size', 'chemo');
const gRows = [];
for (let i = 0; i < gbsg.rowCount; i++) {
  gRows.push([...gbsg.header.map((h) => raw(gbsg, h, i)), bin(num(gbsg, 'size', i)), null]);
}
write('models/data/gbsg-validation.csv', header, gRows);
console.log(JSON.stringify({ rotterdam: rot.rowCount, rotterdam_rfs_events: rotRows.filter((r) => r.at(-1) === 1).length, gbsg: gbsg.rowCount }));
