// The model file's "features" section (cpp/latefuse/feature_summary.hpp, web/lib/features.js): what
// training showed per raw feature equals R's summary of the training rows (tests/golden/
// feature_summary.json, made by tests/r/feature_summary_golden.R: type, patients, min, max and the
// 1st/99th percentiles, quantile type 7); units and descriptions from featureInfo / --feature-info;
// the loader's checks; and the warnings and refusals when scoring, at their boundaries.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fitAndEvaluateFusion, validateModel, roundTripModel, scoreTables, parseTable, checkFeatureValue, checkTypedScore, InputError,
} from '../../web/lib/index.js';
import { latefuse, readJson, expectClose } from './helpers.js';
import { checkSchema } from './schema-check.js';

const golden = readJson('tests/golden/feature_summary.json');
const schema = readJson('models/schema.json');
const c = golden.cohort;
const COLUMNS = ['age', 'er', 'grade', 'nodes', 'ki67'];
let model;       // the model file's text
let summary;     // validateModel(model)
let dir;

const cell = (v) => (v === null ? '' : String(v));
const cohortCsv = (rows = c.id.map((_, i) => i), edit = {}) => [['id', 'time', 'event', 'test', ...COLUMNS].join(','),
  ...rows.map((i) => [c.id[i], c.time[i], c.event[i], c.test[i], ...COLUMNS.map((k) => cell(edit[c.id[i]]?.[k] ?? c[k][i]))].join(','))].join('\n') + '\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-features-'));
  const columns = Object.fromEntries(COLUMNS.map((k) => [k, k === 'grade' ? c.grade : Float64Array.from(c[k], (v) => (v === null ? NaN : v))]));
  const report = await fitAndEvaluateFusion({
    columns, modalities: golden.modalities, time: c.time, event: c.event, ids: c.id, split: c.test,
    bootstrap: 0, permutations: 0, timeUnit: 'months',
    featureInfo: [{ name: 'age', unit: 'years' }, { name: 'er', description: '1 = oestrogen receptor positive' }],
  });
  expect(report.model_json_error).toBeNull();
  model = report.model_json;
  summary = await validateModel(model);
  writeFileSync(join(dir, 'cohort.csv'), cohortCsv());
  writeFileSync(join(dir, 'model.json'), model);
});

describe('the features section', () => {
  it('holds R\'s summary of the training rows, per raw feature in column order', () => {
    expect(summary.features.map((f) => f.name)).toEqual(golden.features.map((f) => f.name));
    for (const g of golden.features) {
      const f = summary.features.find((x) => x.name === g.name);
      expect(f.modality, g.name).toBe(g.modality);
      expect(f.type, g.name).toBe(g.type);
      expect(f.patients, g.name).toBe(g.patients);
      if (g.type === 'categorical') {
        expect(f.levels).toEqual(g.levels);
        expect([f.min, f.max, f.p01, f.p99]).toEqual([null, null, null, null]);
      } else {
        for (const k of ['min', 'max', 'p01', 'p99']) expectClose(f[k], g[k], 1e-12, `${g.name}.${k}`);
      }
    }
    expect(summary.features.find((f) => f.name === 'age').unit).toBe('years');
    expect(summary.features.find((f) => f.name === 'er').description).toBe('1 = oestrogen receptor positive');
    expect(summary.features.find((f) => f.name === 'nodes').unit).toBeNull();
  });

  it('matches models/schema.json and round-trips byte for byte; a file without it still reads', async () => {
    const doc = JSON.parse(model);
    expect(checkSchema(schema, doc)).toEqual([]);
    expect(await roundTripModel(model)).toBe(model);
    const without = { ...doc };
    delete without.features;
    expect((await validateModel(JSON.stringify(without))).features).toEqual([]);
  });

  it('is validated on load: order, ranges, binary range, categorical levels', async () => {
    const broken = (edit) => { const d = JSON.parse(model); edit(d.features); return JSON.stringify(d); };
    await expect(validateModel(broken((f) => f.reverse()))).rejects.toThrow(/features\[0\]\.name is 'ki67' but the model's raw feature 1 is 'age'/);
    await expect(validateModel(broken((f) => { f[0].p01 = f[0].min - 1; }))).rejects.toThrow(/features\[0\] must have min <= p01 <= p99 <= max/);
    await expect(validateModel(broken((f) => { f[1].max = 2; f[1].p99 = 2; }))).rejects.toThrow(/features\[1\] is binary, so its values must lie in 0\.\.1/);
    await expect(validateModel(broken((f) => { f[2].levels = ['I', 'II']; }))).rejects.toThrow(/features\[2\]\.levels must be the levels of the encoding of 'grade'/);
    await expect(validateModel(broken((f) => { delete f[3].max; }))).rejects.toThrow(/features\[3\] needs max/);
    await expect(validateModel(broken((f) => f.pop()))).rejects.toThrow(/features has 4 values but the model has 5 raw features/);
  });

  it('refuses feature info for a column that is not a feature', async () => {
    const columns = Object.fromEntries(COLUMNS.map((k) => [k, k === 'grade' ? c.grade : Float64Array.from(c[k], (v) => (v === null ? NaN : v))]));
    await expect(fitAndEvaluateFusion({ columns, modalities: golden.modalities, time: c.time, event: c.event, split: c.test, bootstrap: 0, permutations: 0,
      featureInfo: [{ name: 'height', unit: 'cm' }] })).rejects.toThrow(/feature info: "height" is not a column of any modality/);
  });
});

describe('checking new values against the training range', () => {
  const age = () => summary.features.find((f) => f.name === 'age');
  const er = () => summary.features.find((f) => f.name === 'er');
  it('warns just outside the range, not at its ends (unrounded)', () => {
    const a = age();
    expect(checkFeatureValue(a, a.max)).toBeNull();
    expect(checkFeatureValue(a, a.min)).toBeNull();
    // Decided on the unrounded value, and printed with the digits that show it is outside.
    expect(checkFeatureValue(a, a.max + 1e-9)).toEqual({ level: 'warn', message: 'age = 90.200000001 is outside the range seen in training (36.8–90.2): the prediction is an extrapolation' });
    expect(checkFeatureValue(a, -5).message).toBe('age = -5 is outside the range seen in training (36.8–90.2): the prediction is an extrapolation');
    expect(checkFeatureValue(er(), 1)).toBeNull();
    expect(checkFeatureValue(er(), 2)).toEqual({ level: 'refuse', message: 'er is binary (0 or 1 in training); 2 is not a possible value: give 0 or 1' });
    expect(checkTypedScore('genomic', 4)).toBeNull();
    expect(checkTypedScore('genomic', -4.0001).message).toBe("the genomic score -4 is more than 4 SD from the training patients' mean score (0): the prediction is an extrapolation");
  });

  it('scoreTables lists the out-of-range values and refuses an impossible one (skipped with skipUnscorable)', async () => {
    const t = parseTable(cohortCsv([0, 1, 2], { P001: { age: 300 }, P003: { er: 2 } }), { file: 'new.csv' });
    await expect(scoreTables(model, [t], { idColumn: 'id' }))
      .rejects.toThrow('new.csv: row 3, column "er": er is binary (0 or 1 in training); 2 is not a possible value: give 0 or 1; fix the cell or leave it empty');
    const p = await scoreTables(model, [t], { idColumn: 'id', skipUnscorable: true });
    expect(p.ids).toEqual(['P001', 'P002']);
    expect(p.unscorable).toEqual([{ id: 'P003', index: 2, reason: 'new.csv: row 3, column "er": er is binary (0 or 1 in training); 2 is not a possible value: give 0 or 1' }]);
    expect(p.warnings).toEqual([{ id: 'P001', index: 0, column: 'age', value: 300, message: 'age = 300 is outside the range seen in training (36.8–90.2): the prediction is an extrapolation' }]);
  });

  it('latefuse fuse --feature-info writes units; latefuse score warns on stderr and counts the warnings', () => {
    writeFileSync(join(dir, 'info.csv'), 'feature,unit,description\nage,years,age at diagnosis\nki67,%,\n');
    writeFileSync(join(dir, 'split.csv'), cohortCsv());
    const mods = ['--modality', 'clinical=age,er,grade', '--modality', 'pathology=nodes,ki67'];
    const r = latefuse(['fuse', '--data', join(dir, 'split.csv'), '--id', 'id', '--time', 'time', '--event', 'event', '--split', 'test', ...mods,
      '--bootstrap', '0', '--permutations', '0', '--feature-info', join(dir, 'info.csv'),
      '--model-out', join(dir, 'cli-model.json'), '--report-out', join(dir, 'cli-report.json')]);
    expect(r.code, r.stderr).toBe(0);
    const features = JSON.parse(readFileSync(join(dir, 'cli-model.json'), 'utf8')).features;
    expect(features.find((f) => f.name === 'age')).toMatchObject({ unit: 'years', description: 'age at diagnosis' });
    expect(features.find((f) => f.name === 'ki67')).toMatchObject({ unit: '%' });
    expect(features.find((f) => f.name === 'ki67').description).toBeUndefined();
    const bad = latefuse(['fuse', '--data', join(dir, 'split.csv'), '--id', 'id', '--time', 'time', '--event', 'event', '--split', 'test', ...mods,
      '--feature-info', join(dir, 'cohort.csv'), '--model-out', join(dir, 'x.json'), '--report-out', join(dir, 'y.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--feature-info .*cohort\.csv: no column "feature"/);

    writeFileSync(join(dir, 'new.csv'), cohortCsv([0, 1], { P002: { age: 12 } }));
    const s = latefuse(['score', '--model', join(dir, 'cli-model.json'), '--data', join(dir, 'new.csv'), '--id', 'id', '--out', join(dir, 'pred.csv')]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toBe('latefuse: warning: patient P002: age = 12 is outside the range seen in training (36.8–90.2): the prediction is an extrapolation\n');
    expect(s.json.range_warnings).toBe(1);
  });
});

describe('the error type', () => {
  it('an impossible value is an InputError', async () => {
    const t = parseTable(cohortCsv([0], { P001: { er: 3 } }), { file: 'x.csv' });
    await expect(scoreTables(model, [t], { idColumn: 'id' })).rejects.toBeInstanceOf(InputError);
  });
});
