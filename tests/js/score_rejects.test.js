// Batch scoring with a bad cell (web/lib scoreTables with skipUnscorable, `latefuse score
// --skip-unscorable`): a patient whose feature cell is not a number is skipped with a reason naming
// the file, row, column and cell; every other patient is scored exactly as in the file without that
// patient; the predictions CSV keeps a marked row for it. Without the option the cell is an error.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleModel, validateModel, scoreTables, predictionsCsv, parseTable } from '../../web/lib/index.js';
import { latefuse } from './helpers.js';

let dir;
let example;
let bad;        // the cohort with one bad cell in patient 4 and one in patient 9 (0-based rows 3 and 8)
let kept;       // the cohort without those two patients
let ids;
let column;     // the feature column with the bad cells
const BAD = [3, 8];
const file = (name) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-score-rejects-'));
  example = await exampleModel({ n: 120, seed: 7, horizons: [12, 24] });
  const summary = await validateModel(example.model);
  const lines = example.csv.trimEnd().split('\n');
  const header = lines[0].split(',');
  const body = lines.slice(1).map((l) => l.split(','));
  ids = body.map((r) => r[0]);
  // A clinical column (every patient has it, so the cell is never simply absent).
  column = summary.columns.find((c) => c.startsWith('clinical_'));
  const j = header.indexOf(column);
  const cells = ['abc', '"1,5"'];
  bad = [lines[0], ...body.map((r, i) => (BAD.includes(i) ? r.map((c, k) => (k === j ? cells[BAD.indexOf(i)] : c)) : r).join(','))].join('\n') + '\n';
  kept = [lines[0], ...body.filter((_, i) => !BAD.includes(i)).map((r) => r.join(','))].join('\n') + '\n';
  writeFileSync(file('model.json'), example.model);
  writeFileSync(file('bad.csv'), bad);
  writeFileSync(file('kept.csv'), kept);
});

describe('a feature cell that is not a number', () => {
  it('is an error naming file, row, column and cell without skipUnscorable', async () => {
    await expect(scoreTables(example.model, [parseTable(bad, { file: 'bad.csv' })]))
      .rejects.toThrow(`bad.csv: feature "${column}" must be numeric but row 4 has "abc"`);
  });

  it('with skipUnscorable: the others are scored as without those patients, who are listed with the reason', async () => {
    const p = await scoreTables(example.model, [parseTable(bad, { file: 'bad.csv' })], { skipUnscorable: true });
    expect(p.unscorable).toEqual([
      { id: ids[3], index: 3, reason: `bad.csv: row 4, column "${column}" has "abc", not a number` },
      { id: ids[8], index: 8, reason: `bad.csv: row 9, column "${column}" has "1,5", not a number` },
    ]);
    expect(Array.from(p.rows)).toEqual(ids.map((_, i) => i).filter((i) => !BAD.includes(i)));
    const ref = await scoreTables(example.model, [parseTable(kept, { file: 'kept.csv' })]);
    expect(p.ids).toEqual(ref.ids);
    expect(Array.from(p.fused_lp)).toEqual(Array.from(ref.fused_lp));
    const csv = predictionsCsv(p).trimEnd().split('\n');
    const refCsv = predictionsCsv(ref).trimEnd().split('\n');
    expect(csv.filter((l) => !/,"?not scored: /.test(l))).toEqual(refCsv);
    const header = refCsv[0].split(',');
    const note = `"not scored: bad.csv: row 4, column ""${column}"" has ""abc"", not a number"`;
    expect(csv[4]).toBe(header.map((h, j) => (j === 0 ? ids[3] : h === 'note' ? note : '')).join(','));
  });

  it('latefuse score --skip-unscorable writes every patient, the skipped marked, and names each on stderr', () => {
    const r = latefuse(['score', '--model', file('model.json'), '--data', file('bad.csv'), '--id', 'id', '--skip-unscorable', '--out', file('pred.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`latefuse: skipped 2 unscorable patients:\n  ${ids[3]}: ${file('bad.csv')}: row 4, column "${column}" has "abc", not a number\n` +
      `  ${ids[8]}: ${file('bad.csv')}: row 9, column "${column}" has "1,5", not a number\n`);
    expect(r.json.patients).toBe(ids.length - 2);
    const ref = latefuse(['score', '--model', file('model.json'), '--data', file('kept.csv'), '--id', 'id', '--out', file('kept-pred.csv')]);
    expect(ref.code, ref.stderr).toBe(0);
    const written = readFileSync(file('pred.csv'), 'utf8').split('\n').filter((l) => !/,"?not scored: /.test(l)).join('\n');
    expect(written).toBe(readFileSync(file('kept-pred.csv'), 'utf8'));
    const d = latefuse(['score', '--model', file('model.json'), '--data', file('bad.csv'), '--out', file('x.csv')]);
    expect(d.code).toBe(2);
  });
});
