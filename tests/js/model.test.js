// Model files and scoring through WebAssembly, and the `latefuse score` command. The model is fitted
// by the core on a simulated cohort (exampleModel), written by the same fusionModelToJson that
// `latefuse fuse` uses, and checked against models/schema.json with a dependency-free checker.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exampleModel, validateModel, roundTripModel, scoreModel, scoreModelFromScores, scoreTables, predictionsCsv, parseTable,
  InputError,
} from '../../web/lib/index.js';
import { latefuse, readJson, expectClose } from './helpers.js';
import { checkSchema } from './schema-check.js';

let dir;
let example;   // {model: text, csv: cohort}
let table;     // the cohort, parsed
const file = (name) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-model-'));
  example = await exampleModel({ n: 200, seed: 5, horizons: [12, 24, 60] });
  table = parseTable(example.csv, { file: 'cohort.csv' });
  writeFileSync(file('model.json'), example.model);
  writeFileSync(file('cohort.csv'), example.csv);
});

const edit = (fn) => {
  const doc = JSON.parse(example.model);
  fn(doc);
  return JSON.stringify(doc);
};

// Columns of the cohort CSV as {name: Float64Array}.
function featureColumns(t, names) {
  return Object.fromEntries(names.map((n) => [n, t.columns.get(n).values]));
}

describe('model file (WASM)', () => {
  it('round-trips byte for byte and matches models/schema.json', async () => {
    expect(await roundTripModel(example.model)).toBe(example.model);
    const again = await exampleModel({ n: 200, seed: 5, horizons: [12, 24, 60] });
    expect(again.model).toBe(example.model);  // no date or other varying field
    const schema = readJson('models/schema.json');
    const doc = JSON.parse(example.model);
    expect(checkSchema(schema, doc)).toEqual([]);
    // A document with every optional part too.
    const full = edit((d) => {
      d.risk_groups = { cut_points: [0.25, 0.5], labels: ['low', 'intermediate', 'high'] };
      d.evaluation = { harrell_c: 0.7 };
    });
    expect(checkSchema(schema, JSON.parse(full))).toEqual([]);
    const canonical = await roundTripModel(full);
    expect(JSON.parse(canonical)).toEqual(JSON.parse(full));
    expect(await roundTripModel(canonical)).toBe(canonical);
    // The checker catches what the schema forbids.
    expect(checkSchema(schema, { ...doc, created: '2024-01-01' })).toContain('$.created: is not in the schema');
    expect(checkSchema(schema, { ...doc, schema_version: 1 })).toContain('$.schema_version: must be one of [2,3]');
    // Every top-level field is documented.
    for (const [key, sub] of Object.entries(schema.properties)) expect(sub.description, key).toBeTruthy();
    expect(schema.description).toMatch(/higher = higher risk/);
  });

  it('summarises a valid model', async () => {
    const s = await validateModel(example.model);
    expect(s.schema_version).toBe(3);
    expect(s.software.name).toBe('latefuse');
    expect(s.kind).toBe('late-fusion');
    expect(s.time_unit).toBe('months');
    expect(s.modalities.map((m) => m.name)).toEqual(['radiomics', 'histopathology', 'genomic', 'clinical']);
    expect(s.columns.length).toBe(s.modalities.reduce((k, m) => k + m.columns.length, 0));
    expect(s.horizons).toEqual([12, 24, 60]);
    expect(s.training.patients).toBe(200);
    expect(s.training.patterns.reduce((k, p) => k + p.patients, 0)).toBe(200);
    expect(s.integrators.length).toBeGreaterThan(0);
    expect(s.has_percentiles).toBe(true);
    expect(s.risk_groups).toBeNull();
  });

  it('rejects damaged files with an InputError naming the JSON path', async () => {
    const cases = [
      [edit((d) => { d.schema_version = 4; }), /^model file was written by a newer LateFuse \(schema_version 4 > 3\); update LateFuse$/],
      [edit((d) => { d.schema_version = 1; }), /^model file has schema_version 1, written by an earlier LateFuse .* Rebuild the model from its training data with `latefuse fuse \.\.\. --model-out`/],
      [edit((d) => { d.integrators[0].cox.coef.push(0.1); }), /integrators\[0\]\.cox\.coef has \d+ values but the pattern has \d+ modalities/],
      [edit((d) => { d.modalities[2].score.sd = null; }), /modalities\[2\]\.score\.sd must be a number, got null/],
      [example.model.replace(/"sd": [0-9.e+-]+/, '"sd": 1e999'), /not valid JSON \(number overflow parsing '1e999'\)/],
      [edit((d) => { d.integrators[0].pattern[0] = 'proteomics'; }), /integrators\[0\]\.pattern\[0\] is 'proteomics', which is not a modality of this model/],
      [edit((d) => { delete d.modalities[1].score; }), /modalities\[1\]\.score is missing/],
      [edit((d) => { d.training.patterns[0].patients += 1; }), /training\.patterns count 201 patients but training\.patients is 200/],
      ['{"schema_version": 1', /model file is not valid JSON/],
      ['[]', /not a LateFuse model/],
    ];
    for (const [text, message] of cases) {
      const error = await validateModel(text).catch((e) => e);
      expect(error, String(message)).toBeInstanceOf(InputError);
      expect(error.message).toMatch(message);
      // Damage is reported the same way when scoring.
      await expect(scoreModelFromScores(text, { scores: { clinical: [0] } })).rejects.toThrow(message);
    }
    const error = await validateModel(edit((d) => { d.modalities[0].features[0].scale = -1; })).catch((e) => e);
    expect(error.message).toMatch(/export the model again from LateFuse/);
  });

  it('scores raw features, and typed unimodal scores give the same results', async () => {
    const s = await validateModel(example.model);
    const ids = Array.from(table.columns.get('id').raw);
    const p = await scoreModel(example.model, { columns: featureColumns(table, s.columns), ids });
    expect(p.ids).toEqual(ids);
    expect(p.modalities).toEqual(s.modalities.map((m) => m.name));
    expect(p.survival.map((h) => h.time)).toEqual([12, 24, 60]);
    let fallbacks = 0;
    for (let i = 0; i < ids.length; i++) {
      expect(Number.isFinite(p.fused_lp[i])).toBe(true);
      expect(p.hazard_ratio[i]).toBeCloseTo(Math.exp(p.cox_lp[i]), 12);
      expect(p.percentile[i]).toBeGreaterThanOrEqual(0);
      expect(p.percentile[i]).toBeLessThanOrEqual(100);
      expect(p.risk_group[i]).toBe(-1);
      expect(p.pattern[i].split('+').every((m) => !Number.isNaN(p.scores[m][i]))).toBe(true);
      if (p.fallback[i]) { fallbacks++; expect(p.note[i]).toMatch(/^fallback: /); }
      for (const h of p.survival) {
        expect(h.surv[i]).toBeGreaterThan(0);
        expect(h.lower[i]).toBeLessThanOrEqual(h.surv[i]);
        expect(h.upper[i]).toBeGreaterThanOrEqual(h.surv[i]);
      }
    }
    // Training patients scored in-sample: their percentiles spread over 0..100.
    expect(Math.min(...p.percentile)).toBe(0);
    expect(Math.max(...p.percentile)).toBe(100);
    // Typed scores (null = absent) -> the same pattern, integrator, fused lp and S(t).
    const scores = Object.fromEntries(p.modalities.map((m) => [m, Array.from(p.scores[m], (v) => (Number.isNaN(v) ? null : v))]));
    const t = await scoreModelFromScores(example.model, { scores, ids });
    expect(t.pattern).toEqual(p.pattern);
    expect(t.integrator).toEqual(p.integrator);
    expect(Array.from(t.fused_lp)).toEqual(Array.from(p.fused_lp));
    expect(Array.from(t.percentile)).toEqual(Array.from(p.percentile));
    expectClose(Array.from(t.cox_lp), Array.from(p.cox_lp), 1e-12, 'cox_lp', 1);
    p.survival.forEach((h, k) => expectClose(Array.from(t.survival[k].surv), Array.from(h.surv), 1e-12, `S(${h.time})`));
    for (let i = 0; i < ids.length; i++) {
      if (p.integrator_index[i] >= 0) expect(t.survival[0].lower[i]).toBe(p.survival[0].lower[i]);
      else expect(Number.isNaN(t.survival[0].lower[i])).toBe(true);
    }
    expect(fallbacks).toBe(p.fallback.filter(Boolean).length);
    // Any subset of modalities; unknown modality and no score at all are InputErrors.
    const two = await scoreModelFromScores(example.model, { scores: { genomic: [0.5], clinical: [-0.2] } });
    expect(two.pattern).toEqual(['genomic+clinical']);
    await expect(scoreModelFromScores(example.model, { scores: { proteomics: [1] } })).rejects.toThrow(/'proteomics' is not a modality of this model/);
    await expect(scoreModelFromScores(example.model, { scores: { clinical: [null] }, ids: ['X1'] }))
      .rejects.toThrow(/patient 'X1' \(row 1\) has no modality score/);
  });

  it('joins several files by id; a patient missing from a file lacks its columns', async () => {
    const s = await validateModel(example.model);
    const ids = Array.from(table.columns.get('id').raw);
    const first = s.columns.filter((c) => /^(radiomics|histopathology)_/.test(c));
    const second = s.columns.filter((c) => !first.includes(c));
    const csv = (cols, rows) => [['id', ...cols].join(','),
      ...rows.map((i) => [ids[i], ...cols.map((c) => table.columns.get(c).raw[i] ?? '')].join(','))].join('\n') + '\n';
    const everyone = ids.map((_, i) => i);
    // b.csv (in another order) lacks every third patient who has something in a.csv.
    const hasA = everyone.map((i) => first.some((c) => !Number.isNaN(table.columns.get(c).values[i])));
    const dropped = (i) => i % 3 === 0 && hasA[i];
    const a = parseTable(csv(first, everyone), { file: 'a.csv' });
    const b = parseTable(csv(second, everyone.filter((i) => !dropped(i)).reverse()), { file: 'b.csv' });
    const joined = await scoreTables(example.model, [a, b]);
    expect(joined.ids).toEqual(ids);
    // Same as scoring the cohort with the b-columns blanked for every third patient.
    const columns = featureColumns(table, s.columns);
    for (const c of second) columns[c] = columns[c].map((v, i) => (dropped(i) ? NaN : v));
    const direct = await scoreModel(example.model, { columns, ids });
    expect(Array.from(joined.fused_lp)).toEqual(Array.from(direct.fused_lp));
    expect(joined.pattern).toEqual(direct.pattern);
    expect(joined.pattern.filter((p, i) => dropped(i) && !p.includes('clinical')).length).toBeGreaterThan(0);
    await expect(scoreTables(example.model, [a])).rejects.toThrow(/a\.csv: no column "genomic_01" \(genomic\)/);
    // A patient only in a file without model columns has no modality.
    await expect(scoreTables(example.model, [a, parseTable('id,x\nQ1,1\n', { file: 'c.csv' }), b]))
      .rejects.toThrow(/patient 'Q1' \(row 201\) has no modality/);
  });
});

describe('latefuse score', () => {
  it('writes predictions.csv that matches the API', async () => {
    const out = file('predictions.csv');
    const r = latefuse(['score', '--model', file('model.json'), '--data', file('cohort.csv'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.patients).toBe(200);
    expect(r.json.horizons).toEqual([12, 24, 60]);
    expect(r.json.patterns.reduce((k, p) => k + p.patients, 0)).toBe(200);
    const pred = parseTable(readFileSync(out, 'utf8'), { file: 'predictions.csv' });
    expect(pred.header).toEqual(['id', 'pattern', 'radiomics_score', 'histopathology_score', 'genomic_score', 'clinical_score',
      'fused_lp', 'hazard_ratio', 'percentile', 'risk_group',
      'surv_12', 'surv_12_lower', 'surv_12_upper', 'surv_24', 'surv_24_lower', 'surv_24_upper', 'surv_60', 'surv_60_lower', 'surv_60_upper',
      'integrator', 'note', 'risk_24', 'radiomics_contribution', 'histopathology_contribution', 'genomic_contribution', 'clinical_contribution']);
    expect(r.json.columns).toEqual(pred.header);
    expect(r.json.reference_horizon).toBe(24);
    const s = await validateModel(example.model);
    const ids = Array.from(table.columns.get('id').raw);
    const p = await scoreModel(example.model, { columns: featureColumns(table, s.columns), ids });
    expect(pred.columns.get('id').raw).toEqual(ids);
    expect(Array.from(pred.columns.get('fused_lp').values)).toEqual(Array.from(p.fused_lp));
    expect(Array.from(pred.columns.get('surv_24').values)).toEqual(Array.from(p.survival[1].surv));
    expect(pred.columns.get('pattern').raw).toEqual(p.pattern);
    expect(readFileSync(out, 'utf8')).toBe(predictionsCsv(p));
    // With cut-points in the file: the risk group column is filled.
    writeFileSync(file('grouped.json'), edit((d) => { d.risk_groups = { cut_points: [0.5], labels: ['low', 'high'] }; }));
    const g = latefuse(['score', '--model', file('grouped.json'), '--data', file('cohort.csv'), '--out', file('grouped.csv')]);
    expect(g.code).toBe(0);
    const groups = parseTable(readFileSync(file('grouped.csv'), 'utf8'), { file: 'grouped.csv' });
    // ... on the predicted risk at the reference horizon (24), not on the fused lp.
    const risk = groups.columns.get('risk_24').values;
    groups.columns.get('risk_group').raw.forEach((label, i) => expect(label).toBe(risk[i] > 0.5 ? 'high' : 'low'));
    expect(new Set(groups.columns.get('risk_group').raw).size).toBe(2);
  });

  it('exits 2 with one line for each kind of bad input', () => {
    writeFileSync(file('newer.json'), edit((d) => { d.schema_version = 4; }));
    writeFileSync(file('broken.json'), edit((d) => { d.integrators[0].cox.means.pop(); }));
    writeFileSync(file('lacking.csv'), example.csv.replace('radiomics_03', 'radiomics_3'));
    const lines = example.csv.trimEnd().split('\n');
    const nothing = lines[1].split(',').map((v, j) => (j < 3 ? v : '')).join(',');
    writeFileSync(file('nothing.csv'), `${lines[0]}\n${nothing}\n${lines[2]}\n`);
    const run = (...args) => latefuse(['score', ...args, '--out', file('x.csv')]);
    const cases = [
      [run('--model', file('absent.json'), '--data', file('cohort.csv')), /cannot read the model .*absent\.json: no such file/],
      [run('--model', file('newer.json'), '--data', file('cohort.csv')), /newer\.json: model file was written by a newer LateFuse \(schema_version 4 > 3\); update LateFuse/],
      [run('--model', file('broken.json'), '--data', file('cohort.csv')), /broken\.json: model file: integrators\[0\]\.cox\.means has \d+ values? but the pattern has \d+ modalities/],
      [run('--model', file('cohort.csv'), '--data', file('cohort.csv')), /model file is not valid JSON/],
      [run('--model', file('model.json'), '--data', file('lacking.csv')), /lacking\.csv: no column "radiomics_03" \(radiomics\) of the model/],
      [run('--model', file('model.json'), '--data', file('nothing.csv')), /patient 'P001' \(row 1\) has no modality/],
      [run('--model', file('model.json'), '--data', file('cohort.csv'), '--id', 'patient'), /no ID column "patient"/],
    ];
    for (const [r, message] of cases) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith('latefuse: ')).toBe(true);
    }
  });
});
