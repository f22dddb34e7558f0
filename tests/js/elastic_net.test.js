// Elastic-net Cox through the WASM module (web/lib cvElasticNetCox / fitElasticNetCox): parity with
// R glmnet 4.1 (tests/golden/elastic_net.json, tests/r/elastic_net_golden.R) and bit-identity with
// the native build (latefuse_native enet-cv) on a seeded p > n data set.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cvElasticNetCox, fitElasticNetCox } from '../../web/lib/index.js';
import { readJson, path, expectClose } from './helpers.js';

const golden = readJson('tests/golden/elastic_net.json');
const goldenCase = (name) => golden.cases.find((c) => c.name === name);

function caseInput(c, extra = {}) {
  const covariates = {};
  c.x.forEach((col, j) => { covariates[c.names?.[j] ?? `x${j + 1}`] = col; });
  return {
    time: c.time, event: c.event, covariates, alpha: c.alpha, standardize: c.standardize, thresh: 1e-14, maxPasses: 1e7,
    lambdaMinRatio: c.lambda_min_ratio, ...extra,
  };
}

describe('elastic-net Cox in WASM', () => {
  it('glmnet solver reproduces glmnet\'s path (lung, lasso, standardised)', async () => {
    const c = goldenCase('lung_lasso_std');
    const fit = await fitElasticNetCox(caseInput(c, { solver: 'glmnet' }));
    expect(fit.lambda.length).toBe(c.lambda.length);
    expectClose(fit.lambda, c.lambda, 1e-12, 'lambda');
    const p = fit.p;
    c.beta.forEach((b, k) => expectClose(fit.beta.subarray(k * p, (k + 1) * p), b, 1e-9, `beta[${k}]`, 1));
    expectClose(fit.dev_ratio, c.dev_ratio, 1e-11, 'dev.ratio');
  });

  it('cross-validation matches cv.glmnet (grouped deviance, given foldid) with both solvers', async () => {
    const c = goldenCase('cv_lung_grouped');
    const foldId = c.foldid.map((f) => f - 1);
    for (const [solver, tol] of [['glmnet', 1e-10], ['newton', 1e-6]]) {
      const cv = await cvElasticNetCox(caseInput(c, { solver, foldId, grouped: c.grouped }));
      expectClose(cv.fit.lambda, c.lambda, 1e-10, `${solver} lambda`);
      expectClose(cv.cvm, c.cvm, tol, `${solver} cvm`);
      expectClose(cv.cvsd, c.cvsd, tol, `${solver} cvsd`);
      expect(cv.index_min + 1).toBe(c.index_min);
      expect(cv.index_1se + 1).toBe(c.index_1se);
      expect(Array.from(cv.coefficients)).toEqual(Array.from(cv.fit.beta.subarray(cv.index_min * cv.fit.p, (cv.index_min + 1) * cv.fit.p)));
    }
  });

  it('bad options are InputErrors that name the option', async () => {
    const c = goldenCase('lung_lasso_std');
    await expect(fitElasticNetCox(caseInput(c, { alpha: 2 }))).rejects.toMatchObject({ name: 'InputError', message: /alpha/ });
    await expect(cvElasticNetCox(caseInput(c, { rule: 'best' }))).rejects.toMatchObject({ name: 'InputError', message: /rule/ });
    await expect(fitElasticNetCox(caseInput(c, { solver: 'lbfgs' }))).rejects.toMatchObject({ name: 'InputError', message: /solver/ });
  });

  // A p > n data set where the Newton solver's Anderson-accelerated passes do real work: the same
  // folds must give the same bits natively and in WASM (fixed summation orders, fixed-polynomial exp/log).
  const native = path('build/native/latefuse_native');
  it('native and WASM cross-validation agree bit for bit (n = 60, p = 150)', async () => {
    expect(existsSync(native), `${native} is missing: run bash scripts/build.sh native`).toBe(true);
    const n = 60, p = 150;
    let s = 7;
    const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s + 0.5) / 2147483648; };
    const x = Array.from({ length: p }, () => new Float64Array(n));
    const time = new Float64Array(n), event = new Float64Array(n), fold = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < p; j++) {
        x[j][i] = Math.round((u() * 2 - 1) * 1e4) / 1e4;
        if (j < 3) lp += x[j][i];
      }
      time[i] = Math.round((-Math.log(u()) * Math.exp(-lp) + i * 1e-6) * 1e6) / 1e6;  // untied
      event[i] = u() < 0.75 ? 1 : 0;
      fold[i] = (i % 5) + 1;
    }
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-enet-'));
    const file = join(dir, 'd.csv');
    const lines = [['time', 'event', 'fold', ...x.map((_, j) => `x${j + 1}`)].join(',')];
    for (let i = 0; i < n; i++) lines.push([time[i], event[i], fold[i], ...x.map((c) => c[i])].join(','));
    writeFileSync(file, lines.join('\n') + '\n');
    const r = spawnSync(native, ['enet-cv', file, 'time', 'event', 'fold', '0.8', '60'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const nat = JSON.parse(r.stdout);
    const covariates = Object.fromEntries(x.map((c, j) => [`x${j + 1}`, c]));
    const cv = await cvElasticNetCox({ time, event, covariates, foldId: Array.from(fold, (f) => f - 1), alpha: 0.8, nLambda: 60 });
    expect(cv.fit.passes).toBe(nat.passes);
    expect(Array.from(cv.fit.lambda)).toEqual(nat.lambda);
    expect(Array.from(cv.cvm)).toEqual(nat.cvm);
    expect(Array.from(cv.coefficients)).toEqual(nat.beta_min);
    expect(cv.coefficients.some((b) => b !== 0)).toBe(true);
  });
});
