// Categorical feature columns: a text column is one-hot encoded in the core with the
// most frequent training level as reference; the encoding is saved in the model file and applied by
// `latefuse score` / scoreTables to the raw column; an unseen level scores as the reference with a note.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModel, roundTripModel, scoreTables, parseTable } from '../../web/lib/index.js';
import { applyEncoding } from '../../web/lib/model.js';
import { levelCodes } from '../../web/lib/fusion_report.js';
import { latefuse, readText } from './helpers.js';
import { checkSchema } from './schema-check.js';

let dir;
let model;
let report;
const file = (name) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-cat-'));
  const r = latefuse(['fuse', '--data', 'tests/data/rotterdam.csv', '--id', 'pid', '--time', 'rtime', '--event', 'recur',
    '--modality', 'pathology=size,grade,nodes', '--modality', 'clinical=age,meno', '--seed', '3',
    '--bootstrap', '0', '--permutations', '0', '--model-out', file('model.json'), '--report-out', file('report.json')]);
  expect(r.code, r.stderr).toBe(0);
  model = readFileSync(file('model.json'), 'utf8');
  report = JSON.parse(readFileSync(file('report.json'), 'utf8'));
}, 120000);

describe('categorical columns', () => {
  it('levelCodes sorts like the core (UTF-8 bytes) and keeps missing as NaN', () => {
    const { levels, codes } = levelCodes(['<=20', '20-50', null, ' >50 ', '', '<=20']);
    expect(levels).toEqual(['20-50', '<=20', '>50']);
    expect(Array.from(codes)).toEqual([1, 0, NaN, 2, NaN, 1]);
  });

  it('saves the encoding (training reference level, dummies in the modality) and round-trips byte for byte', async () => {
    const doc = JSON.parse(model);
    expect(doc.encodings).toHaveLength(1);
    const e = doc.encodings[0];
    expect(e.column).toBe('size');
    expect(e.levels).toEqual(['20-50', '<=20', '>50']);
    // Reference = the most frequent level among the training patients.
    const table = parseTable(readText('tests/data/rotterdam.csv'), { file: 'rotterdam.csv' });
    const pid = table.columns.get('pid').raw.map(String);
    const test = new Set(report.test_patients.ids.map(String));
    const counts = new Map();
    table.columns.get('size').raw.forEach((s, i) => { if (!test.has(pid[i])) counts.set(s, (counts.get(s) ?? 0) + 1); });
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    expect(e.reference).toBe(best);
    const pathology = doc.modalities.find((m) => m.name === 'pathology');
    for (const l of e.levels.filter((x) => x !== e.reference)) expect(pathology.columns).toContain(`size=${l}`);
    expect(pathology.columns).not.toContain('size');
    expect(checkSchema(JSON.parse(readText('models/schema.json')), doc)).toEqual([]);
    expect(await roundTripModel(model)).toBe(model);
    const summary = await validateModel(model);
    expect(summary.encodings[0].dummies).toEqual(e.levels.filter((x) => x !== e.reference).map((l) => `size=${l}`));
  });

  it('rejects a damaged encoding with its JSON path', async () => {
    const doc = JSON.parse(model);
    doc.encodings[0].reference = 'huge';
    await expect(validateModel(JSON.stringify(doc))).rejects.toThrow(/encodings\[0\]\.reference 'huge' is not one of/);
    const extra = JSON.parse(model);
    extra.encodings[0].order = 'sorted';
    await expect(validateModel(JSON.stringify(extra))).rejects.toThrow(/encodings\[0\]\.order is not a field/);
  });

  it('scores the raw column; an unseen level scores as the reference level with a note', async () => {
    const e = JSON.parse(model).encodings[0];
    const other = e.levels.find((l) => l !== e.reference);
    const csv = ['pid,age,meno,size,grade,nodes', `a,60,1,${e.reference},3,2`, `b,60,1,huge,3,2`, `c,60,1,${other},3,2`, 'd,60,1,,3,2'].join('\n');
    const p = await scoreTables(model, [parseTable(csv, { file: 'new.csv' })], { idColumn: 'pid' });
    expect(p.fused_lp[1]).toBe(p.fused_lp[0]);
    expect(p.fused_lp[2]).not.toBe(p.fused_lp[0]);
    expect(Number.isFinite(p.fused_lp[3])).toBe(true);
    expect(p.note[1]).toMatch(/size "huge" is not a level the model was trained on/);
    expect(p.note[1]).toContain(`reference level "${e.reference}"`);
    expect(p.note[0]).toBe('');
    // The CLI writes the note into predictions.csv.
    writeFileSync(file('new.csv'), csv);
    const r = latefuse(['score', '--model', file('model.json'), '--data', file('new.csv'), '--id', 'pid', '--out', file('pred.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file('pred.csv'), 'utf8').trim().split('\n');
    expect(lines[2]).toMatch(/^b,.*huge/);
  });

  it('applyEncoding: 1 for the level, 0 for the reference, NaN when missing, an unseen level listed', async () => {
    const d = await applyEncoding({ column: 'g', levels: ['a', 'b', 'c'], reference: 'b' }, ['a', 'b', null, ' c ', 'z', '']);
    expect(Object.keys(d.dummies)).toEqual(['g=a', 'g=c']);
    expect(Array.from(d.dummies['g=a'])).toEqual([1, 0, NaN, 0, 0, NaN]);
    expect(Array.from(d.dummies['g=c'])).toEqual([0, 0, NaN, 1, 0, NaN]);
    expect(d.unseen).toEqual([4]);
  });

  it('latefuse evaluate reports calibration at a horizon and a CI for Uno\'s C', () => {
    const lines = ['time,event,lp,s'];
    for (let i = 0; i < 200; i++) {
      const lp = ((i * 37) % 100) / 50 - 1;
      const t = Math.round(100 * Math.exp(-lp) * (1 + ((i * 13) % 7) / 7));
      lines.push(`${t},${i % 4 === 0 ? 0 : 1},${lp},${Math.exp(-Math.exp(lp) * 0.5)}`);
    }
    writeFileSync(file('cal.csv'), lines.join('\n') + '\n');
    const r = latefuse(['evaluate', '--data', file('cal.csv'), '--time', 'time', '--event', 'event', '--score', 'lp',
      '--bootstrap', '50', '--permutations', '0', '--predicted-survival', 's', '--calibration-horizon', '100', '--calibration-groups', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.calibration.groups).toHaveLength(4);
    expect(Number.isFinite(r.json.calibration.slope)).toBe(true);
    expect(r.json.uno.lower).toBeLessThanOrEqual(r.json.uno.c);
    const bad = latefuse(['evaluate', '--data', file('cal.csv'), '--time', 'time', '--event', 'event', '--score', 'lp',
      '--predicted-survival', 's']);
    expect(bad.code).toBe(2);
  });
});
