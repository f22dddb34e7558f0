// Evaluation statistics through the WebAssembly module and the `latefuse` command:
//  * parity with R (tests/golden/stats_golden.json, made by tests/r/stats_golden.R, whose metrics
//    are checked there against scikit-survival's published numbers);
//  * native-vs-WASM agreement of the seeded resampling: tests/golden/seeded_native.json is written by
//    the native build (build/native/latefuse_write_goldens, tests/tools/write_native_goldens.cpp);
//    here the same seeds run in WASM and must reproduce every replicate exactly.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kaplanMeier, logRank, unoConcordance, timeDependentAuc, brierScore, survivalCalibration, kendallTau, spearmanRho,
  rankCorrelationMatrix, adjustPValues, fitLogistic, binaryAuc, logisticCalibration, bootstrap, pairedBootstrap,
  permutationTest, randomDraws, quantileType7, defaultHorizons, InputError, ModelError, CancelledError,
} from '../../web/lib/index.js';
import { readJson, expectClose, latefuse } from './helpers.js';

const golden = readJson('tests/golden/stats_golden.json');
const seeded = readJson('tests/golden/seeded_native.json');
const byName = (section, name) => golden[section].find((c) => c.name === name);
const nn = (v) => (v === null ? NaN : v);

/** |a - b| <= tol with null/NaN matching null/NaN. */
function expectAbs(actual, expected, tol, label) {
  if (Array.isArray(expected)) {
    expect(actual.length, `${label} length`).toBe(expected.length);
    expected.forEach((e, i) => expectAbs(actual[i], e, tol, `${label}[${i}]`));
    return;
  }
  if (expected === null || Number.isNaN(expected)) {
    expect(actual === null || Number.isNaN(actual), `${label}: ${actual} should be null`).toBe(true);
    return;
  }
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

let dir;
const file = (name, text) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const csv = (cols) => {
  const names = Object.keys(cols);
  const n = cols[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => (cols[c][i] === null ? '' : cols[c][i])).join(','));
  return lines.join('\n') + '\n';
};
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'latefuse-stats-')); });

describe('Kaplan–Meier and log-rank through WASM equal R survival 3.5-3', () => {
  it('every golden KM case: medians, CIs, S and n at risk at times (1e-9)', async () => {
    for (const c of golden.km) {
      const input = { time: c.data.time, event: c.data.event, confType: c.conf_type, confLevel: c.conf_level, times: c.times };
      if (c.data.group) input.group = c.data.group;
      if (c.data.weights) input.weights = c.data.weights;
      const out = await kaplanMeier(input);
      expect(out.groups.length, c.name).toBe(c.groups.length);
      out.groups.forEach((g, k) => {
        const r = c.groups[k];
        const label = `${c.name} group ${r.group}`;
        if (c.data.group) expect(g.group).toBe(r.group);
        expectAbs(g.median, r.median, 1e-9, `${label} median`);
        expectAbs(g.median_lower, r.median_lower, 1e-9, `${label} median_lower`);
        expectAbs(g.median_upper, r.median_upper, 1e-9, `${label} median_upper`);
        if (c.times.length) {
          expectAbs(g.at.surv, r.at.surv, 1e-9, `${label} surv`);
          expectAbs(g.at.lower, r.at.lower, 1e-9, `${label} lower`);
          expectAbs(g.at.upper, r.at.upper, 1e-9, `${label} upper`);
          expectAbs(g.at.n_risk, r.at.n_risk, 1e-9, `${label} n_risk`);
          expectAbs(g.at.std_err, r.at.std_err, 1e-9, `${label} std_err`);
        }
      });
    }
  });

  it('the full step curve carries censoring counts for plots', async () => {
    const c = byName('km', 'ends_at_zero');
    const out = await kaplanMeier({ time: c.data.time, event: c.data.event, curve: true });
    const curve = out.groups[0].curve;
    expectAbs(Array.from(curve.time), c.groups[0].curve.time, 0, 'time');
    expectAbs(Array.from(curve.n_censor), c.groups[0].curve.n_censor, 0, 'n_censor');
    expectAbs(Array.from(curve.surv), c.groups[0].curve.surv, 1e-12, 'surv');
  });

  it('lung by sex: the reference notes (medians 270/426, chi-square 10.00817381)', async () => {
    const c = byName('km', 'lung_sex_log');
    const km = await kaplanMeier({ time: c.data.time, event: c.data.event, group: c.data.group, times: [180] });
    expect(km.groups.map((g) => [g.median, g.median_lower, g.median_upper])).toEqual([[270, 218, 320], [426, 348, 550]]);
    expectClose(km.groups[0].at.surv[0], 0.6491691256, 1e-9, 'S(180)');
    const ll = await kaplanMeier({ time: c.data.time, event: c.data.event, group: c.data.group.map((g) => (g === 1 ? 'male' : 'female')), confType: 'log-log' });
    expect(ll.groups.map((g) => g.group)).toEqual(['female', 'male']);  // string labels, sorted
    expect([ll.groups[1].median_lower, ll.groups[1].median_upper]).toEqual([212, 310]);
    const lr = await logRank({ time: c.data.time, event: c.data.event, group: c.data.group });
    expectClose(lr.chisq, 10.00817381, 1e-8, 'chisq');
    expect(lr.df).toBe(1);
    expectClose(lr.p, 0.001558469818, 1e-8, 'p');
  });

  it('every golden log-rank case, stratified and G-rho too (1e-8)', async () => {
    for (const c of golden.logrank) {
      const input = { time: c.data.time, event: c.data.event, group: c.data.group, rho: c.rho };
      if (c.data.strata) input.strata = c.data.strata;
      const t = await logRank(input);
      expectClose(t.chisq, c.chisq, 1e-8, `${c.name} chisq`);
      expect(t.df, c.name).toBe(c.df);
      expectClose(t.p, c.p, 1e-8, `${c.name} p`);
      expectAbs(t.expected, c.expected, 1e-9, `${c.name} expected`);
    }
  });

  it('degenerate input: one group, no events, bad times', async () => {
    await expect(logRank({ time: [1, 2, 3], event: [1, 0, 1], group: ['a', 'a', 'a'] })).rejects.toThrow(InputError);
    await expect(logRank({ time: [1, 2, 3, 4], event: [0, 0, 0, 0], group: [1, 2, 1, 2] })).rejects.toThrow(ModelError);
    const km = await kaplanMeier({ time: [3, 5, 7], event: [0, 0, 0] });
    expect(km.groups[0].median).toBeNull();
    await expect(kaplanMeier({ time: [1, -1], event: [1, 1] })).rejects.toThrow(/negative.*row 2/);
  });
});

describe("quantiles and default horizons through WASM equal R's quantile(type = 7)", () => {
  it('the calibration deciles of stats_golden.R (R: quantile(1 - predicted, seq(0, 1, 0.1)))', async () => {
    const c = byName('calibration', 'lung_cox_365');
    const risk = c.predicted.map((p) => 1 - p);
    const probs = Array.from({ length: 11 }, (_, k) => (k === 10 ? 1 : k * 0.1));
    const q = await quantileType7(risk, probs);
    // The JSON holds R's breaks to 15 significant digits.
    expectClose(q, c.breaks, 5e-15, 'breaks');
  });

  it('default horizons: the distinct event-time quartiles to 3 significant digits inside the follow-up', async () => {
    const c = byName('metrics', 'lung_cox');
    const t = Array.from(c.test.time);
    const e = Array.from(c.test.event);
    // R 4.2.2: signif(quantile(time[event == 1], c(.25, .5, .75)), 3) on these 227 rows = 140, 228, 388
    // (the quartiles 140.25, 227.5, 387.75), all inside the follow-up [5, 1022); more cases against R
    // in evaluation_rules.test.js.
    expect(await defaultHorizons(t, e)).toEqual([140, 228, 388]);
    expect(await defaultHorizons([1, 2, 3], [0, 0, 0])).toEqual([]);
    await expect(quantileType7([], [0.5])).rejects.toThrow(/at least one value/);
    await expect(quantileType7([1, 2], [1.5])).rejects.toThrow(/\[0, 1\]/);
  });
});

describe('IPCW metrics through WASM equal scikit-survival', () => {
  it("scikit-survival's numbers on lung (Uno's C, AUC(t), mean AUC, IBS)", async () => {
    const c = byName('metrics', 'lung_cox');
    const d = { time: c.train.time, event: c.train.event, score: c.risk };
    expectClose((await unoConcordance({ ...d, tau: 365 })).c, 0.6333164759, 1e-9, 'uno 365');
    expectClose((await unoConcordance({ ...d, tau: 730 })).c, 0.6275960919, 1e-9, 'uno 730');
    const a = await timeDependentAuc({ ...d, times: [180, 365, 540] });
    expectClose(a.auc, [0.6980798709, 0.6475252393, 0.6664829203], 1e-9, 'auc');
    expectClose(a.mean_auc, 0.6701751335, 1e-9, 'mean auc');
    const survival = c.brier_times.map((_, k) => c.survival.map((row) => row[k]));
    const b = await brierScore({ time: c.test.time, event: c.test.event, survival, times: c.brier_times });
    expectClose(b.integrated, 0.1772063775, 1e-9, 'ibs');
    // higherIsRisk = false on the negated score gives the same C
    expectClose((await unoConcordance({ ...d, score: c.risk.map((v) => -v), higherIsRisk: false, tau: 365 })).c, 0.6333164759, 1e-9, 'direction');
  });

  it('every golden metrics case, including a separate training set (1e-8)', async () => {
    for (const c of golden.metrics) {
      const base = { time: c.test.time, event: c.test.event, score: c.risk, train: c.train };
      for (const u of c.uno) expectAbs((await unoConcordance({ ...base, tau: u.tau })).c, u.c, 1e-8, `${c.name} uno ${u.tau}`);
      const a = await timeDependentAuc({ ...base, times: c.auc_times });
      expectAbs(a.auc, c.auc, 1e-8, `${c.name} auc`);
      expectAbs(a.mean_auc, c.mean_auc, 1e-8, `${c.name} mean auc`);
      const survival = c.brier_times.map((_, k) => c.survival.map((row) => row[k]));
      const b = await brierScore({ time: c.test.time, event: c.test.event, train: c.train, survival, times: c.brier_times });
      expectAbs(b.brier, c.brier, 1e-10, `${c.name} brier`);
      expectAbs(b.integrated, c.ibs, 1e-10, `${c.name} ibs`);
    }
  });

  it('a horizon beyond the last time is a clear error', async () => {
    const c = byName('metrics', 'lung_cox');
    await expect(timeDependentAuc({ time: c.test.time, event: c.test.event, score: c.risk, times: [2000] }))
      .rejects.toThrow(/within the follow-up/);
  });

  it('calibration: groups, observed KM and slope equal R', async () => {
    for (const c of golden.calibration) {
      const out = await survivalCalibration({
        time: c.data.time, event: c.data.event, predicted: c.predicted, horizon: c.horizon, groups: c.n_groups,
        confType: c.conf_type, linearPredictor: c.lp,
      });
      expect(out.groups.length, c.name).toBe(c.groups.length);
      out.groups.forEach((g, k) => {
        expect(g.n).toBe(c.groups[k].n);
        expectAbs(g.observed, c.groups[k].observed, 1e-9, `${c.name} observed`);
        expectAbs(g.predicted, c.groups[k].predicted, 1e-12, `${c.name} predicted`);
        expectAbs(g.lower, c.groups[k].lower ?? null, 1e-9, `${c.name} lower`);
      });
      expectClose(out.slope, c.slope, 1e-6, `${c.name} slope`);
      expectClose(out.slope_se, c.slope_se, 1e-6, `${c.name} slope se`);
    }
  });
});

describe('rank correlation, p.adjust and logistic through WASM equal R', () => {
  it('Kendall tau-b (1e-10) and Spearman rho with cor.test p-values', async () => {
    for (const c of golden.correlation) {
      const k = await kendallTau(c.x, c.y);
      expectAbs(k.estimate, c.kendall, 1e-10, `${c.name} tau`);
      expectClose(k.p, c.kendall_p, 1e-8, `${c.name} kendall p`);
      const s = await spearmanRho(c.x, c.y);
      expectAbs(s.estimate, c.spearman, 1e-12, `${c.name} rho`);
      expectClose(s.p, c.spearman_p, 1e-8, `${c.name} spearman p`);
    }
    const k = await kendallTau([1, 2], [3, 5]);
    expect(k.estimate).toBe(1);
    expect(k.p).toBeNull();
    expect(k.warnings.length).toBe(1);
    await expect(kendallTau([1, 1, 1], [1, 2, 3])).rejects.toThrow(ModelError);
  });

  it('the pairwise-complete matrix', async () => {
    const m = golden.correlation_matrix;
    const cols = Object.fromEntries(m.columns.map((name, j) => [name, m.data[j].map(nn)]));
    const out = await rankCorrelationMatrix(cols, 'kendall');
    out.estimate.forEach((row, a) => expectAbs(row, m.kendall.estimate[a], 1e-10, `tau row ${a}`));
    out.p.forEach((row, a) => row.forEach((p, b) => { if (a !== b) expectClose(p, m.kendall.p[a][b], 1e-8, `p ${a},${b}`); }));
    expect(out.n).toEqual(m.kendall.n);
  });

  it('p.adjust: a BH example and every golden method', async () => {
    expectClose(await adjustPValues([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]),
      [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857, 0.216, 0.216, 0.216], 1e-9, 'BH');
    for (const [name, c] of Object.entries(golden.p_adjust)) {
      for (const method of ['BH', 'BY', 'holm', 'hochberg', 'bonferroni']) {
        expectAbs(await adjustPValues(c.p.map(nn), method), c[method], 1e-15, `${name} ${method}`);
      }
    }
  });

  it('logistic: coefficients (1e-6 rel), SEs, ORs, DeLong AUC, Brier, calibration', async () => {
    for (const c of golden.logistic) {
      const fit = await fitLogistic({
        y: c.y, covariates: Object.fromEntries(c.covariates.map((n, j) => [n, c.x[j]])), ridge: c.ridge,
        ...(c.weights ? { weights: c.weights } : {}),
      });
      expectClose(fit.coef, c.coef, 1e-6, `${c.name} coef`);
      expectClose(fit.se, c.se, 1e-6, `${c.name} se`);
      expectClose(fit.or_lower, c.or_lower, 1e-6, `${c.name} or_lower`);
      expectClose(fit.loglik, c.loglik, 1e-9, `${c.name} loglik`);
      expectAbs(fit.auc.auc, c.auc, 1e-12, `${c.name} auc`);
      expectAbs(fit.auc.se, c.auc_se, 1e-9, `${c.name} auc se`);
      expectClose(fit.brier, c.brier, 1e-7, `${c.name} brier`);
      expect(fit.warnings).toEqual([]);
      const cal = await logisticCalibration({ y: c.y, lp: fit.linear_predictor });
      expectAbs(cal.slope, c.calibration_slope, 1e-6, `${c.name} calibration slope`);
    }
    const a = await binaryAuc({ y: golden.auc_ties.y, score: golden.auc_ties.score });
    expectAbs(a.se, golden.auc_ties.se, 1e-12, 'DeLong with ties');
  });

  it('separation warns instead of crashing', async () => {
    const fit = await fitLogistic({ y: [0, 0, 0, 1, 1, 1], covariates: { x: [1, 2, 3, 4, 5, 6] } });
    expect(fit.warnings.some((w) => /separate/.test(w))).toBe(true);
  });
});

describe('seeded resampling: WASM reproduces the native draws exactly', () => {
  const d = golden.bootstrap.data;
  const base = { statistic: 'harrell', time: d.time, event: d.event, score: d.score, seed: seeded.seed };

  it('the generator, the bootstrap replicates and the permutation statistics equal the native run', async () => {
    const r = await randomDraws(seeded.random.seed, 5, 227);
    expect(r.next).toEqual(seeded.random.next);
    expect(r.below).toEqual(seeded.random.below_227);
    const b = await bootstrap({ ...base, replicates: seeded.bootstrap.replicates, bca: true });
    expect(Array.from(b.replicates)).toEqual(seeded.bootstrap.values);
    expect(b.estimate).toBe(seeded.bootstrap.estimate);
    // intervals go through qnorm/pnorm (libm): equal up to the last bits
    expectClose(b.lower, seeded.bootstrap.lower, 1e-14, 'lower');
    expectClose(b.upper, seeded.bootstrap.upper, 1e-14, 'upper');
    expectClose(b.bca_lower, seeded.bootstrap.bca_lower, 1e-14, 'bca lower');
    expectClose(b.bca_upper, seeded.bootstrap.bca_upper, 1e-14, 'bca upper');
    const p = await permutationTest({ ...base, permutations: seeded.permutation.permutations });
    expect(Array.from(p.statistics)).toEqual(seeded.permutation.values);
    expect(p.p).toBe(seeded.permutation.p);
    expect(p.extreme).toBe(seeded.permutation.extreme);
  });

  it('a different seed gives different draws; a CI contains its estimate; chunking does not matter', async () => {
    const a = await bootstrap({ ...base, replicates: 100, seed: 7 });
    const b = await bootstrap({ ...base, replicates: 100, seed: 8 });
    const c = await bootstrap({ ...base, replicates: 100, seed: 7, chunk: 3 });
    expect(Array.from(a.replicates)).not.toEqual(Array.from(b.replicates));
    expect(Array.from(a.replicates)).toEqual(Array.from(c.replicates));
    expect(a.lower).toBeLessThanOrEqual(a.estimate);
    expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
  });

  it('progress is reported per chunk and returning false cancels', async () => {
    const seen = [];
    await bootstrap({ ...base, replicates: 100, chunk: 25, onProgress: (f) => { seen.push(f); } });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
    await expect(bootstrap({ ...base, replicates: 100, chunk: 10, onProgress: (f) => f < 0.3 })).rejects.toThrow(CancelledError);
    const controller = new AbortController();
    await expect(permutationTest({ ...base, permutations: 100, chunk: 10, signal: controller.signal, onProgress: () => controller.abort() }))
      .rejects.toThrow(CancelledError);
  });

  it('paired bootstrap, other statistics and the permutation p formula', async () => {
    const noisy = d.score.map((v, i) => v + (i % 5) * 0.1);
    const pr = await pairedBootstrap({ statistic: 'harrell', time: d.time, event: d.event, scoreA: d.score, scoreB: noisy, replicates: 200, seed: 3 });
    expectClose(pr.difference.estimate, pr.estimate_a - pr.estimate_b, 1e-12, 'difference');
    expect(pr.difference.lower).toBeLessThanOrEqual(pr.difference.estimate);
    expect(pr.difference.upper).toBeGreaterThanOrEqual(pr.difference.estimate);
    const uno = await bootstrap({ statistic: 'uno', time: d.time, event: d.event, score: d.score, tau: 365, replicates: 30 });
    expectClose(uno.estimate, 0.6333164759, 1e-9, 'uno estimate');
    const flat = await permutationTest({ ...base, score: d.score.map(() => 1), permutations: 19 });
    expect(flat.p).toBe(1);
    const p = await permutationTest({ ...base, permutations: 99 });
    expect(p.p).toBe((p.extreme + 1) / (p.permutations + 1));
    await expect(permutationTest({ ...base, statistic: 'auc', times: [180] })).rejects.toThrow(InputError);
  });
});

describe('latefuse km / evaluate / kendall / logistic', () => {
  it('km prints groups, medians, S at times and the log-rank test as R', () => {
    const c = byName('km', 'lung_sex_log');
    const p = file('lung_sex.csv', csv({ time: c.data.time, status: c.data.event, sex: c.data.group }));
    const r = latefuse(['km', '--data', p, '--time', 'time', '--event', 'status', '--group', 'sex', '--times', '180,365']);
    expect(r.code, r.stderr).toBe(0);
    const o = r.json;
    expect(o.groups.map((g) => [g.group, g.n, g.median, g.median_lower, g.median_upper])).toEqual([[1, 137, 270, 218, 320], [2, 90, 426, 348, 550]]);
    expectAbs(o.groups[0].at.map((a) => a.surv), c.groups[0].at.surv.slice(2, 4), 1e-9, 'surv at 180, 365');
    expectAbs(o.groups[0].at.map((a) => a.n_risk), [89, 35], 0, 'n_risk');
    expectClose(o.logrank.chisq, 10.00817381, 1e-8, 'chisq');
    const lr = byName('logrank', 'lung_sex');
    expect(o.logrank.df).toBe(lr.df);
    expectClose(o.logrank.p, lr.p, 1e-9, 'log-rank p');
    const all = latefuse(['km', '--data', p, '--time', 'time', '--event', 'status', '--conf-type', 'log-log']);
    expect(all.json.groups.map((g) => g.group)).toEqual(['all']);
    expect(all.json).not.toHaveProperty('logrank');
    const one = file('one.csv', 'time,status,g\n1,1,a\n2,0,a\n3,1,a\n');
    const r1 = latefuse(['km', '--data', one, '--time', 'time', '--event', 'status', '--group', 'g']);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.json.logrank).toBeNull();
    expect(r1.json.warnings.length).toBe(1);
  });

  it('evaluate: Harrell C with seeded bootstrap CI, permutation p, Uno C, AUC(t), mean AUC', () => {
    const c = byName('metrics', 'lung_cox');
    const p = file('lung_lp.csv', csv({ time: c.test.time, status: c.test.event, lp: c.risk }));
    const args = ['evaluate', '--data', p, '--time', 'time', '--event', 'status', '--score', 'lp', '--tau', '365',
      '--horizons', '180,365,540', '--bootstrap', '200', '--permutations', '99', '--seed', '11'];
    const r = latefuse(args);
    expect(r.code, r.stderr).toBe(0);
    const o = r.json;
    expect(o.n).toBe(227);
    expect(o.events).toBe(164);
    expectClose(o.harrell.c, 0.637135493, 1e-9, 'C');
    expect(o.harrell.lower).toBeLessThan(o.harrell.c);
    expect(o.harrell.upper).toBeGreaterThan(o.harrell.c);
    expect(o.permutation_p).toBe(0.01);
    expectClose(o.uno.c, 0.6333164759, 1e-9, 'uno');
    expect(o.uno.tau).toBe(365);
    expectClose(o.auc.map((a) => a.auc), [0.6980798709, 0.6475252393, 0.6664829203], 1e-9, 'auc');
    expectClose(o.mean_auc, 0.6701751335, 1e-9, 'mean auc');
    expect(o.seed).toBe(11);
    expect(o.compute_ms).toBeGreaterThanOrEqual(0);
    const again = latefuse(args).json;
    expect([again.harrell.lower, again.harrell.upper]).toEqual([o.harrell.lower, o.harrell.upper]);
    const bad = latefuse([...args.slice(0, 11), '--horizons', '5000']);  // --horizons once: a flag given twice is an error
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').length).toBe(1);
    expect(bad.stderr).toMatch(/within the follow-up/);
  });

  it('kendall: tau, p and n matrices over pairwise-complete rows', () => {
    const r = latefuse(['kendall', '--data', 'tests/data/lung.csv', '--columns', 'age,ph.ecog,wt.loss']);
    expect(r.code, r.stderr).toBe(0);
    const m = golden.correlation_matrix;
    expect(r.json.columns).toEqual(['age', 'ph.ecog', 'wt.loss']);
    expectAbs(r.json.tau[0][1], m.kendall.estimate[0][1], 1e-10, 'tau(age, ph.ecog)');
    expectClose(r.json.p[0][2], m.kendall.p[0][4], 1e-8, 'p(age, wt.loss)');
    expect(r.json.n[1][2]).toBe(m.kendall.n[1][4]);
    expect(r.json.p[0][0]).toBeNull();
    const bad = latefuse(['kendall', '--data', 'tests/data/lung.csv', '--columns', 'age']);
    expect(bad.code).toBe(2);
  });

  it('logistic: coefficients, odds ratios and DeLong AUC as R', () => {
    const c = byName('logistic', 'lung_death_1y');
    const p = file('lung_1y.csv', csv({ dead1y: c.y, age: c.x[0], sex: c.x[1], 'ph.ecog': c.x[2] }));
    const r = latefuse(['logistic', '--data', p, '--outcome', 'dead1y', '--covariates', 'age,sex,ph.ecog']);
    expect(r.code, r.stderr).toBe(0);
    const o = r.json;
    expect(o.covariates).toEqual(['age', 'sex', 'ph.ecog']);
    expectClose(o.coef, [0.7013113407, 0.004753749355, -0.7604506194, 0.6892498668], 1e-6, 'coef');
    expectClose(o.se, [1.285807539, 0.01821729599, 0.3330723119, 0.2341924791], 1e-6, 'se');
    expectClose(o.or_upper, c.or_upper, 1e-6, 'or_upper');
    expectClose([o.auc, o.auc_se, o.auc_lower, o.auc_upper], [0.6601923077, 0.04127960606, 0.5792857665, 0.7410988489], 1e-9, 'auc');
    for (const k of ['z', 'p', 'or', 'or_lower']) expectClose(o[k], c[k], 1e-6, k);
    expectClose(o.loglik, c.loglik, 1e-9, 'loglik');
    const ridge = latefuse(['logistic', '--data', p, '--outcome', 'dead1y', '--covariates', 'age,sex,ph.ecog', '--ridge', '5']);
    expectClose(ridge.json.coef, [0.2645190624, 0.007817282145, -0.4779081851, 0.5290139514], 1e-6, 'ridge');
    const bad = latefuse(['logistic', '--data', 'tests/data/lung.csv', '--outcome', 'status', '--covariates', 'age']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/row 1/);
  });
});
