// Ridge with more covariates than subjects in the WASM module: the rotated fit (the default for
// p > n, cpp/latefuse/ridge_rotation.hpp) equals the direct p x p fit (`rotation: false`) on several
// shapes, for Cox and logistic, as tests/cpp/test_ridge_rotation.cpp checks natively. The direct
// fit is itself checked against R in cox.test.js and stats.test.js.
import { describe, it, expect } from 'vitest';
import { fitCox, fitLogistic } from '../../web/lib/index.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectClose, latefuse } from './helpers.js';

// A fixed pseudo-random design (no seed needed: a hash of the cell's position), n x p, with a few
// true effects, tied times, optional strata and weights.
function wideData(n, p, { strata = false, weights = false } = {}) {
  const u = (i, j, k) => {
    const v = Math.sin(i * 12.9898 + j * 78.233 + k * 37.719) * 43758.5453;
    return v - Math.floor(v);
  };
  const normal = (i, j) => Math.sqrt(-2 * Math.log(1 - u(i, j, 1))) * Math.cos(2 * Math.PI * u(i, j, 2));
  const covariates = {};
  for (let j = 0; j < p; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = normal(i, j) * (1 + 0.5 * (j % 3)) + 0.2 * (j % 10);
    covariates[`x${j + 1}`] = col;
  }
  const x = (i, j) => covariates[`x${j + 1}`][i];
  const time = new Float64Array(n), event = new Float64Array(n), y = new Float64Array(n);
  const w = new Float64Array(n), s = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lp = 0.4 * x(i, 0) - 0.3 * (x(i, 1) - 0.2) + 0.1 * (x(i, 2) - 0.4);
    const t = -Math.log(1 - u(i, 0, 3)) / Math.exp(lp), c = -1.5 * Math.log(1 - u(i, 0, 4));
    time[i] = Math.ceil(Math.min(t, c) * 20) / 20;
    event[i] = t <= c ? 1 : 0;
    y[i] = u(i, 0, 5) < 1 / (1 + Math.exp(-lp)) ? 1 : 0;
    w[i] = 0.5 + u(i, 0, 6);
    s[i] = i % 2;
  }
  return { time, event, y, covariates, ...(weights ? { weights: w } : {}), ...(strata ? { strata: s } : {}) };
}

function expectSameCox(rotated, direct) {
  expect(direct.converged && rotated.converged).toBe(true);
  expect(rotated.var).toEqual([]);
  expect(rotated.baseline.xbar_hazard).toEqual([]);
  expectClose(rotated.coef, Array.from(direct.coef), 1e-8, 'coef', 1);
  expectClose(rotated.se, Array.from(direct.se), 1e-8, 'se');
  expectClose(rotated.loglik, direct.loglik, 1e-8, 'loglik');
  expectClose(rotated.score_test, direct.score_test, 1e-8, 'score test');
  expectClose(rotated.wald_test, direct.wald_test, 1e-7, 'Wald test');
  expect(rotated.lr_df).toBe(direct.lr_df);
  expect(rotated.iterations).toBe(direct.iterations);
  expectClose(rotated.concordance.c, direct.concordance.c, 1e-12, 'C');
  expectClose(rotated.baseline.hazard, direct.baseline.hazard, 1e-8, 'baseline hazard');
  expectClose(rotated.linear_predictor, Array.from(direct.linear_predictor), 1e-8, 'lp', 1);
}

describe('p > n ridge through WASM: the rotated fit equals the direct fit', () => {
  const coxShapes = [
    { n: 300, p: 600, penalty: { penalizer: 0.1 }, ties: 'efron' },
    { n: 120, p: 400, penalty: { ridgeTheta: 50 }, ties: 'efron', strata: true, weights: true },
    { n: 80, p: 250, penalty: { ridgeTheta: 5, ridgeScale: true }, ties: 'breslow', weights: true },
  ];
  for (const s of coxShapes) {
    it(`Cox n = ${s.n}, p = ${s.p}, ${JSON.stringify(s.penalty)}, ${s.ties}${s.strata ? ', strata' : ''}${s.weights ? ', weights' : ''}`, async () => {
      const { y: _y, ...d } = wideData(s.n, s.p, s);
      const rotated = await fitCox({ ...d, ...s.penalty, ties: s.ties });
      const direct = await fitCox({ ...d, ...s.penalty, ties: s.ties, rotation: false });
      expect(direct.var).toHaveLength(s.p);
      expectSameCox(rotated, direct);
    });
  }

  it('logistic n = 200, p = 500, ridge = 20, weights', async () => {
    const d = wideData(200, 500, { weights: true });
    const input = { y: d.y, covariates: d.covariates, weights: d.weights, ridge: 20 };
    const rotated = await fitLogistic(input);
    const direct = await fitLogistic({ ...input, rotation: false });
    expect(rotated.var).toEqual([]);
    expect(direct.var).toHaveLength(501);
    expect(rotated.converged && direct.converged).toBe(true);
    expectClose(rotated.coef, Array.from(direct.coef), 1e-8, 'coef', 1);
    expectClose(rotated.se, Array.from(direct.se), 1e-8, 'se');
    expectClose(rotated.fitted, Array.from(direct.fitted), 1e-10, 'fitted', 1);
    expectClose(rotated.loglik, direct.loglik, 1e-8, 'loglik');
  });
});

describe('out of memory is a clear error', () => {
  it('latefuse cox with 25,000 unpenalised covariates exits 2 naming the size and what to do', () => {
    // The p x p information would be 5 GB, beyond the module's 4 GB: a ModelError, not an internal error.
    // Short (base-36) names keep the --covariates argument under the kernel's 128 KB limit.
    const p = 25000;
    const names = Array.from({ length: p }, (_, j) => j.toString(36));
    const rows = [[1, 1], [2, 1], [3, 0], [4, 1], [5, 1], [6, 0]].map(([t, e], i) => [t, e, ...names.map((_, j) => (i * 7 + j * 3) % 11)].join(','));
    const file = join(mkdtempSync(join(tmpdir(), 'latefuse-oom-')), 'wide.csv');
    writeFileSync(file, ['time,event,' + names.join(','), ...rows].join('\n') + '\n');
    const r = latefuse(['cox', '--data', file, '--time', 'time', '--event', 'event', '--covariates', names.join(',')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^latefuse: Cox model: out of memory for 25000 covariates and 6 subjects; use fewer covariates \(feature screening, elastic-net selection, or a smaller feature set\)\n$/);
  });
});
