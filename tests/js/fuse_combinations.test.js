// The fusion engine's rules in WebAssembly, each recomputed independently from the report: the
// cross-fitting folds it reports are stratified on the event; every integrator equals a ridge Cox
// (fitCox) on the standardised out-of-fold scores of ALL training patients who have its
// modalities; a combination with exactly --min-pattern-size patients has its integrator; missing
// cells score as their training median; contributions add up to the fused lp; percentiles and risk
// groups follow the predicted risk at the reference horizon.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitAndEvaluateFusion, fitCox, parseTable, scoreModel, scoreTables } from '../../web/lib/index.js';
import { simulate } from '../../web/lib/fusion.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
let table;      // the simulated cohort
let columns;    // name -> Float64Array
let modalities; // modality -> its columns
let base;       // the input of fitAndEvaluateFusion
let report;

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v) => { const m = mean(v); return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)); };

beforeAll(async () => {
  const sim = await simulate({ preset: 'hgsoc', seed: 8, n: 300 });
  table = parseTable(sim.csv, { file: 'sim.csv' });
  columns = {};
  modalities = Object.fromEntries(MODALITIES.map((m) => [m, []]));
  for (const name of table.header) {
    if (['id', 'time', 'event'].includes(name)) continue;
    columns[name] = Float64Array.from(table.columns.get(name).values);
    modalities[name.replace(/_\d+$/, '')].push(name);
  }
  base = {
    columns, modalities, ids: Array.from(table.columns.get('id').raw),
    time: table.columns.get('time').values, event: table.columns.get('event').values,
    testFraction: 0.25, seed: 5, bootstrap: 0, permutations: 0,
  };
  report = await fitAndEvaluateFusion(base);
}, 120000);

describe('cross-fitted integrators (WASM)', () => {
  it('reports a fold for every training patient, stratified on the event', () => {
    const cf = report.cross_fitting;
    expect(cf.folds).toBe(5);
    expect(cf.stratified_on).toBe('event');
    expect(cf.train_ids).toHaveLength(report.split.train);
    const row = new Map(base.ids.map((id, i) => [id, i]));
    const events = cf.train_ids.reduce((a, id) => a + base.event[row.get(id)], 0);
    for (let f = 1; f <= 5; f++) {
      const inFold = cf.train_ids.filter((_, k) => cf.fold[k] === f);
      const e = inFold.reduce((a, id) => a + base.event[row.get(id)], 0);
      expect(e).toBeGreaterThanOrEqual(Math.floor(events / 5));
      expect(e).toBeLessThanOrEqual(Math.ceil(events / 5));
    }
  });

  it('every integrator = ridge Cox on the standardised out-of-fold scores of the intersection', async () => {
    const cf = report.cross_fitting;
    const row = new Map(base.ids.map((id, i) => [id, i]));
    const train = cf.train_ids.map((id) => row.get(id));
    const has = (i, m) => modalities[m].some((c) => Number.isFinite(columns[c][i]));
    // Out-of-fold submodel scores (ridge Cox on the raw columns: the penalty is scale-free).
    const oof = Object.fromEntries(MODALITIES.map((m) => [m, new Map()]));
    for (const m of MODALITIES) {
      const raw = new Map();
      for (let f = 1; f <= 5; f++) {
        const fit = train.filter((i, k) => cf.fold[k] !== f && has(i, m));
        const out = train.filter((i, k) => cf.fold[k] === f && has(i, m));
        const cox = await fitCox({
          time: fit.map((i) => base.time[i]), event: fit.map((i) => base.event[i]),
          covariates: Object.fromEntries(modalities[m].map((c) => [c, fit.map((i) => columns[c][i])])), penalizer: 0.1,
        });
        for (const i of out) raw.set(i, modalities[m].reduce((a, c, j) => a + (columns[c][i] - cox.means[j]) * cox.coef[j], 0));
      }
      const v = [...raw.values()];
      const mu = mean(v); const s = sd(v);
      for (const [i, x] of raw) oof[m].set(i, (x - mu) / s);
    }
    expect(report.integrators.length).toBeGreaterThanOrEqual(10);
    for (const g of report.integrators) {
      const rows = train.filter((i) => g.pattern.every((m) => has(i, m)));
      expect(rows).toHaveLength(g.patients);
      const cox = await fitCox({
        time: rows.map((i) => base.time[i]), event: rows.map((i) => base.event[i]),
        covariates: Object.fromEntries(g.pattern.map((m) => [m, rows.map((i) => oof[m].get(i))])), penalizer: 0.1,
      });
      for (let j = 0; j < g.coef.length; j++) expect(Math.abs(g.coef[j] - cox.coef[j]), `${g.pattern} ${j}`).toBeLessThan(1e-7 * (1 + Math.abs(cox.coef[j])));
    }
  }, 120000);

  it('a combination with exactly --min-pattern-size training patients has its integrator', async () => {
    const complete = report.patterns.train.find((p) => p.modalities.length === 4).patients;
    const at = await fitAndEvaluateFusion({ ...base, minPatternSize: complete });
    const all = at.integrators.find((g) => g.pattern.length === 4);
    expect(all?.patients).toBe(complete);
    expect(at.patterns.test.find((p) => p.modalities.length === 4).fallback).toBe(false);
    const above = await fitAndEvaluateFusion({ ...base, minPatternSize: complete + 1 });
    expect(above.integrators.some((g) => g.pattern.length === 4)).toBe(false);
  }, 120000);
});

describe('scoring with the model file (WASM)', () => {
  it('missing cells score as the training median; contributions add up; one risk scale', async () => {
    const doc = JSON.parse(report.model_json);
    const ids = base.ids;
    const input = { ids, columns };
    const p = await scoreModel(report.model_json, input);
    // Contributions of the integrator used sum to the fused lp (every pattern).
    for (let i = 0; i < ids.length; i++) {
      const used = p.integrator[i].split('+');
      let sum = 0;
      for (const m of MODALITIES) {
        if (used.includes(m)) sum += p.contributions[m][i];
        else expect(Number.isNaN(p.contributions[m][i])).toBe(true);
      }
      expect(Math.abs(sum - p.fused_lp[i])).toBeLessThan(1e-12);
    }
    // Percentile and risk group follow the predicted risk at t_ref, which is 1 - S(t_ref).
    const h = p.survival.findIndex((s) => s.time === p.reference_horizon);
    expect(h).toBeGreaterThanOrEqual(0);
    const order = [...ids.keys()].sort((a, b) => p.risk[a] - p.risk[b]);
    for (let k = 1; k < order.length; k++) {
      expect(p.percentile[order[k]]).toBeGreaterThanOrEqual(p.percentile[order[k - 1]]);
      expect(p.risk_group[order[k]]).toBeGreaterThanOrEqual(p.risk_group[order[k - 1]]);
    }
    for (let i = 0; i < ids.length; i++) expect(Math.abs(p.risk[i] - (1 - p.survival[h].surv[i]))).toBeLessThan(1e-12);
    // A cell left empty scores as its training median typed in.
    const feature = doc.modalities[3].features[0];
    const i = ids.findIndex((_, k) => Number.isFinite(columns[feature.column][k]) && columns[feature.column][k] !== feature.impute_median);
    const one = (value) => ({ ids: [ids[i]], columns: Object.fromEntries(Object.entries(columns).map(([c, v]) => [c, [c === feature.column ? value : v[i]]])) });
    const missing = await scoreModel(report.model_json, one(NaN));
    const typed = await scoreModel(report.model_json, one(feature.impute_median));
    expect(missing.fused_lp[0]).toBe(typed.fused_lp[0]);
    const other = await scoreModel(report.model_json, one(0));
    expect(other.fused_lp[0]).not.toBe(missing.fused_lp[0]);
  }, 120000);
});

// The shipped Rotterdam model (models/build.sh) scoring GBSG with modalities knocked out at random
// (a seeded draw per patient, at least one modality kept): every patient is scored by the integrator
// of their own pattern, the percentile order is the order of the predicted risk at t_ref, and the
// risk groups do not overlap in predicted risk.
describe('shipped Rotterdam model on GBSG with random modality knock-outs (WASM)', () => {
  it('own-pattern integrators, percentile order = risk order, risk groups apart', async () => {
    const model = readFileSync('models/rotterdam.latefuse.json', 'utf8');
    const doc = JSON.parse(model);
    const lines = readFileSync('models/data/gbsg-validation.csv', 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    const owner = {};
    for (const m of doc.modalities) {
      for (const c of m.columns) owner[c.includes('=') ? c.slice(0, c.indexOf('=')) : c] = m.name;
    }
    let state = 20261207;  // a seeded xorshift32 draw: which modalities each patient keeps
    const draw = () => {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
      return state >>> 8;
    };
    const names = doc.modalities.map((m) => m.name);
    const knocked = [lines[0]];
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      let keep = draw() % 16;
      if (keep === 0) keep = 1 << (draw() % 4);
      knocked.push(cells.map((cell, j) => (owner[header[j]] && !(keep & (1 << names.indexOf(owner[header[j]]))) ? '' : cell)).join(','));
    }
    const table = parseTable(knocked.join('\n') + '\n', { file: 'gbsg-knocked-out.csv' });
    const p = await scoreTables(model, [table], { idColumn: 'pid', idRequired: true });
    expect(p.ids).toHaveLength(686);
    expect(new Set(p.pattern).size).toBeGreaterThanOrEqual(12);
    const h = p.survival.findIndex((x) => x.time === doc.reference_horizon);
    expect(h).toBe(1);
    for (let i = 0; i < p.ids.length; i++) {
      expect(p.integrator[i]).toBe(p.pattern[i]);
      expect(p.fallback[i]).toBe(false);
      expect(Math.abs(p.risk[i] - (1 - p.survival[h].surv[i]))).toBeLessThan(1e-12);
    }
    const order = [...p.ids.keys()].sort((a, b) => p.risk[a] - p.risk[b]);
    for (let k = 1; k < order.length; k++) {
      if (p.risk[order[k]] > p.risk[order[k - 1]]) expect(p.percentile[order[k]]).toBeGreaterThanOrEqual(p.percentile[order[k - 1]]);
    }
    const groups = doc.risk_groups.labels.length;
    for (let g = 1; g < groups; g++) {
      const below = order.filter((i) => p.risk_group[i] === g - 1).map((i) => p.risk[i]);
      const above = order.filter((i) => p.risk_group[i] === g).map((i) => p.risk[i]);
      expect(below.length * above.length).toBeGreaterThan(0);
      expect(Math.max(...below)).toBeLessThan(Math.min(...above));
    }
  }, 120000);
});
