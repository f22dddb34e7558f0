// Model files of schema_version 3: integrators' baselines recomputed on load from one shared table
// (integrator_training) instead of stored. The reference is the same model as a version 2 file, which
// stores every baseline: tests/data/hgsoc-synthetic.v2.latefuse.json is the hgsoc model as the LateFuse
// before version 3 wrote it and tests/data/hgsoc-synthetic.v3.latefuse.json the same fit as version 3
// wrote it (the shipped file of that build; later builds of the shipped model differ in last digits);
// models/data/gbsg-predictions.csv is `latefuse score` of the Rotterdam model on GBSG.
// S(t), its CI and every other output must be the same, bit for bit.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModel, loadScoringModel, parseTable, roundTripModel, InputError } from '../../web/lib/index.js';
import { latefuse, readText } from './helpers.js';
import { checkSchema } from './schema-check.js';

const schema = JSON.parse(readText('models/schema.json'));
const v3 = readText('models/hgsoc-synthetic.latefuse.json');
const v2 = readText('tests/data/hgsoc-synthetic.v2.latefuse.json');
const v3SameFit = readText('tests/data/hgsoc-synthetic.v3.latefuse.json');
let cohort;

beforeAll(() => {
  cohort = parseTable(readText('models/data/hgsoc-synthetic.csv'), { file: 'hgsoc-synthetic.csv' });
});

// NaN-safe, sign-of-zero-safe comparison of typed arrays as numbers' bits (via their text form).
const bits = (a) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

describe('schema_version 3 model files', () => {
  it('the shipped models keep no integrator baseline but the shared table, and match the schema', () => {
    for (const name of ['hgsoc-synthetic', 'rotterdam']) {
      const doc = JSON.parse(readText(`models/${name}.latefuse.json`));
      expect(doc.schema_version).toBe(3);
      expect(checkSchema(schema, doc)).toEqual([]);
      expect(doc.integrators.length).toBe(15);
      for (const i of doc.integrators) {
        expect(i.cox.baseline).toBeUndefined();
        expect(i.cox.baseline_from.scale.length).toBe(i.pattern.length);
      }
      const t = doc.integrator_training;
      expect(t.time.length).toBe(doc.training.patients);
      expect(t.event.reduce((a, b) => a + b, 0)).toBe(doc.training.events);
      expect(t.scores.length).toBe(doc.modalities.length);
      for (let k = 1; k < t.time.length; k++) expect(t.time[k] >= t.time[k - 1]).toBe(true);
    }
    // The version 2 fixture is the same model with its baselines stored.
    const doc2 = JSON.parse(v2);
    expect(doc2.schema_version).toBe(2);
    expect(doc2.integrators.every((i) => i.cox.baseline && !i.cox.baseline_from)).toBe(true);
    expect(checkSchema(schema, doc2)).toEqual([]);
  });

  it('the version 3 fixture is the shipped hgsoc model up to the last digits', () => {
    const shipped = JSON.parse(v3), fixture = JSON.parse(v3SameFit);
    const close = (a, b) => a.forEach((x, j) => expect(Math.abs(x - b[j])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b[j]))));
    expect(shipped.integrators.length).toBe(fixture.integrators.length);
    shipped.integrators.forEach((i, k) => {
      expect(i.pattern).toEqual(fixture.integrators[k].pattern);
      close(i.cox.coef, fixture.integrators[k].cox.coef);
    });
    shipped.integrator_training.scores.forEach((s, m) => close(s.filter((x) => x !== null), fixture.integrator_training.scores[m].filter((x) => x !== null)));
  });

  it('hgsoc: S(t) and its CI at every baseline event time equal the version 2 file bit for bit', async () => {
    const m3 = await loadScoringModel(v3SameFit);
    const m2 = await loadScoringModel(v2);
    expect(m2.summary.schema_version).toBe(2);
    expect(m3.summary.schema_version).toBe(3);
    expect(m3.summary.baseline_times).toEqual(m2.summary.baseline_times);
    const times = m3.summary.baseline_times;
    expect(times.length).toBeGreaterThan(100);
    const p3 = m3.scoreTables([cohort], { idColumn: 'id', times });
    const p2 = m2.scoreTables([cohort], { idColumn: 'id', times });
    expect(p3.survival_at_times.length).toBe(times.length);
    for (const key of ['survival', 'survival_at_times']) {
      p3[key].forEach((h, k) => {
        for (const part of ['surv', 'lower', 'upper']) expect(bits(h[part])).toEqual(bits(p2[key][k][part]));
      });
    }
    expect(bits(p3.fused_lp)).toEqual(bits(p2.fused_lp));
    expect(bits(p3.percentile)).toEqual(bits(p2.percentile));
    expect(p3.survival[1].lower.every((x) => Number.isFinite(x))).toBe(true);
    // The cohort has 8 patterns; typed scores of patients with all four modalities, each knocked out
    // to every one of the 15 combinations, reach every integrator.
    const names = p3.modalities;
    const full = [...p3.fused_lp.keys()].filter((k) => names.every((n) => Number.isFinite(p3.scores[n][k]))).slice(0, 8);
    const scores = Object.fromEntries(names.map((n) => [n, []]));
    for (let mask = 1; mask < 1 << names.length; mask++) {
      for (const k of full) names.forEach((n, m) => scores[n].push((mask >> m) & 1 ? p3.scores[n][k] : NaN));
    }
    const typed = { scores: Object.fromEntries(names.map((n) => [n, Float64Array.from(scores[n])])) };
    const t3 = m3.scoreFromScores(typed, { times });
    const t2 = m2.scoreFromScores(typed, { times });
    expect(new Set(t3.integrator).size).toBe(15);
    t3.survival_at_times.forEach((h, k) => {
      for (const part of ['surv', 'lower', 'upper']) expect(bits(h[part])).toEqual(bits(t2.survival_at_times[k][part]));
    });
    expect(t3.survival_at_times[40].lower.every((x) => Number.isFinite(x))).toBe(true);
    m3.dispose();
    m2.dispose();
  });

  it('rotterdam: `latefuse score` on GBSG gives the version 2 model\'s predictions byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-lean-'));
    const out = join(dir, 'gbsg.csv');
    const r = latefuse(['score', '--model', 'models/rotterdam.latefuse.json', '--data', 'models/data/gbsg-validation.csv', '--id', 'pid', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // The committed file has the outcome joined as its last two columns (models/join-outcome.js).
    const expected = readText('models/data/gbsg-predictions.csv').trimEnd().split('\n').map((l) => l.split(',').slice(0, -2).join(','));
    const actual = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(actual.length).toBe(687);
    expect(actual).toEqual(expected);
  });

  it('round-trips byte for byte; a version 2 file is rewritten as version 3 with its baselines kept', async () => {
    expect(await roundTripModel(v3)).toBe(v3);
    const fromV2 = JSON.parse(await roundTripModel(v2));
    expect(fromV2.schema_version).toBe(3);
    expect(fromV2.integrator_training).toBeUndefined();
    expect(fromV2.integrators.map((i) => i.cox.baseline)).toEqual(JSON.parse(v2).integrators.map((i) => i.cox.baseline));
  });

  it('refuses version 1, a table that does not fit, and a baseline_from without its table, naming the field', async () => {
    const doc = JSON.parse(v3);
    await expect(validateModel(JSON.stringify({ ...doc, schema_version: 1 }))).rejects.toThrow(/schema_version 1.*Rebuild the model.*latefuse fuse/);
    const short = structuredClone(doc);
    short.integrator_training.time.pop();
    await expect(validateModel(JSON.stringify(short))).rejects.toThrow(
      /^model file: integrator_training\.time has 310 values but training\.patients is 311; /);
    const unsorted = structuredClone(doc);
    [unsorted.integrator_training.time[0], unsorted.integrator_training.time[1]] = [unsorted.integrator_training.time[1] + 1, unsorted.integrator_training.time[0]];
    await expect(validateModel(JSON.stringify(unsorted))).rejects.toThrow(/^model file: integrator_training\.time\[1\] is smaller than the time before it/);
    const lost = structuredClone(doc);
    lost.integrator_training.scores[0][lost.integrator_training.scores[0].findIndex((x) => x !== null)] = null;
    await expect(validateModel(JSON.stringify(lost))).rejects.toThrow(/^model file: integrator_training\.scores\[0\] has \d+ scores but modality radiomics has \d+ training patients/);
    const without = structuredClone(doc);
    delete without.integrator_training;
    await expect(validateModel(JSON.stringify(without))).rejects.toThrow(InputError);
    await expect(validateModel(JSON.stringify(without))).rejects.toThrow(/^model file: integrator_training is missing: the integrators with baseline_from need it/);
    const v2With = JSON.parse(v2);
    v2With.integrator_training = doc.integrator_training;
    await expect(validateModel(JSON.stringify(v2With))).rejects.toThrow(/integrator_training is a schema_version 3 field/);
  });
});
