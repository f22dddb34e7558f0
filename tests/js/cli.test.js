// The `latefuse` command end to end: real files in, JSON out; bad input exits 2 with one line.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { latefuse, path, expectClose, readJson } from './helpers.js';

const spot = readJson('tests/golden/spot_checks.json');

let dir;
const file = (name, text) => { const p = join(dir, name); writeFileSync(p, text); return p; };

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'latefuse-cli-')); });

describe('latefuse cox', () => {
  it('fits lung as R does (event coded 1/2, missing rows dropped and counted)', () => {
    const r = latefuse(['cox', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog', '--robust']);
    expect(r.code, r.stderr).toBe(0);
    const o = r.json;
    expect(o.n).toBe(227);
    expect(o.events).toBe(164);
    expect(o.dropped).toBe(1);
    expect(o.covariates).toEqual(['age', 'sex', 'ph.ecog']);
    expectClose(o.coef, [0.01106676456, -0.5526123957, 0.4637284754], 1e-6, 'coef');
    expectClose(o.robust_se, [0.00988139278, 0.164748428, 0.1241588486], 1e-6, 'robust_se');
    expectClose(o.loglik, [-744.4804558, -729.2301214], 1e-9, 'loglik');
    expectClose(o.lr_test.statistic, 30.50066877, 1e-8, 'lr');
    expect(o.concordance.c).toBeCloseTo(0.637135493, 9);
    expect(o.converged).toBe(true);
    expect(o.fit_ms).toBeGreaterThanOrEqual(0);
    // Every other field against R (tests/r/spot_checks_golden.R): with --robust, z, p and the HR
    // interval use the robust SE, as summary.coxph does.
    const R = spot.cox_lung_robust;
    for (const k of ['se', 'hr', 'hr_lower', 'hr_upper', 'z', 'p']) expectClose(o[k], R[k], 1e-9, k);
    expect(o.iterations).toBe(R.iterations);
    for (const [ours, theirs] of [['score_test', 'score_test'], ['wald_test', 'wald_test_model'], ['robust_wald_test', 'wald_test_robust']]) {
      expectClose([o[ours].statistic, o[ours].p], [R[theirs].statistic, R[theirs].p], 1e-9, ours);
      expect(o[ours].df, `${ours}.df`).toBe(R[theirs].df);
    }
    expectClose([o.robust_score_test.statistic, o.robust_score_test.p], [R.robust_score_test.statistic, R.robust_score_test.p], 1e-9, 'robust_score_test');
    expect(o.warnings).toEqual([]);
  });

  it('Breslow, strata and weights reach the core', () => {
    const r = latefuse(['cox', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'age,ph.ecog',
      '--strata', 'sex', '--penalizer', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    expectClose(r.json.coef, [0.007392555359, 0.2679178203], 1e-6, 'strata(sex) + lifelines penalizer 0.5');
    const b = latefuse(['cox', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog', '--ties', 'breslow']);
    expectClose(b.json.coef, [0.01104113635, -0.5518895698, 0.4629470406], 1e-6, 'breslow');
  });

  it('accepts TRUE/FALSE events and NA cells', () => {
    const p = file('tf.csv', 'time,dead,x\n5,TRUE,1\n8,FALSE,2\n3,TRUE,NA\n9,true,0\n12,FALSE,3\n2,TRUE,5\n');
    const r = latefuse(['cox', '--data', p, '--time', 'time', '--event', 'dead', '--covariates', 'x']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.n).toBe(5);
    expect(r.json.dropped).toBe(1);
    expect(r.json.events).toBe(3);
  });

  const bad = [
    ['a missing file', ['--data', 'nope.csv', '--time', 't', '--event', 'e', '--covariates', 'x'], /nope\.csv.*no such file/],
    ['an unknown column', ['--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'agee'], /no covariate column "agee"/],
    ['an unknown flag', ['--data', 'tests/data/lung.csv', '--tme', 'time'], /unknown option --tme/],
    ['a missing required flag', ['--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status'], /needs --covariates/],
    ['a non-numeric flag value', ['--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'age', '--max-iter', 'lots'], /--max-iter needs a whole number/],
  ];
  for (const [label, args, pattern] of bad) {
    it(`exits 2 with one line for ${label}`, () => {
      const r = latefuse(['cox', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    });
  }

  it('exits 2 naming row and column for a non-numeric cell, a negative time, no events', () => {
    const text = file('text.csv', 'time,status,x\n1,1,2\n2,0,abc\n3,1,4\n');
    let r = latefuse(['cox', '--data', text, '--time', 'time', '--event', 'status', '--covariates', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/text\.csv.*"x".*row 2.*"abc"/);
    const neg = file('neg.csv', 'time,status,x\n1,1,2\n-2,0,3\n3,1,4\n');
    r = latefuse(['cox', '--data', neg, '--time', 'time', '--event', 'status', '--covariates', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/negative.*row 2/);
    const none = file('none.csv', 'time,status,x\n1,0,2\n2,0,3\n3,0,4\n');
    r = latefuse(['cox', '--data', none, '--time', 'time', '--event', 'status', '--covariates', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no events/);
  });

  it('--help describes every flag', () => {
    const r = latefuse(['cox', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--data', '--time', '--event', '--covariates', '--ties', '--strata', '--weights', '--robust', '--ridge-theta', '--ridge-scale', '--penalizer', '--max-iter']) {
      expect(r.stdout).toContain(flag);
    }
    const top = latefuse(['--help']);
    expect(top.stdout).toMatch(/cox/);
    expect(top.stdout).toMatch(/concordance/);
  });
});

describe('latefuse concordance', () => {
  it("equals R's counts for the Cox linear predictor on veteran", () => {
    // lp of coxph(Surv(time,status) ~ trt+karno+diagtime+age+prior, veteran) from ref_lung_veteran.txt coefficients.
    const fit = latefuse(['cox', '--data', 'tests/data/veteran.csv', '--time', 'time', '--event', 'status', '--covariates', 'trt,karno,diagtime,age,prior']);
    expect(fit.code, fit.stderr).toBe(0);
    expectClose(fit.json.coef, [0.1930531181, -0.03408448637, 0.001723026203, -0.003882847909, -0.007764094177], 1e-6, 'veteran coef');
    expect(fit.json.concordance.c).toBeCloseTo(0.7139936393, 9);
    expect([fit.json.concordance.concordant, fit.json.concordance.discordant, fit.json.concordance.tied_time]).toEqual([6286, 2518, 39]);
  });

  it('scores a column; --higher survival flips the direction', () => {
    const risk = latefuse(['concordance', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--score', 'ph.ecog']);
    const surv = latefuse(['concordance', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--score', 'ph.ecog', '--higher', 'survival']);
    expect(risk.code, risk.stderr).toBe(0);
    expect(risk.json.n).toBe(227);
    expect(risk.json.concordant).toBe(surv.json.discordant);
    expect(risk.json.c + surv.json.c).toBeCloseTo(1, 12);
    // R: concordance(Surv(time, status) ~ ph.ecog, reverse = TRUE) (tests/r/spot_checks_golden.R).
    const R = spot.concordance_ecog;
    expect(risk.json.n).toBe(R.n);
    expectClose(risk.json.c, R.c, 1e-12, 'c');
    expect([risk.json.concordant, risk.json.discordant, risk.json.tied_score, risk.json.tied_time, risk.json.tied_time_score])
      .toEqual([R.concordant, R.discordant, R.tied_x, R.tied_y, R.tied_xy]);
    expect(risk.json.comparable).toBe(R.concordant + R.discordant + R.tied_x);
    expect(risk.json.compute_ms).toBeGreaterThanOrEqual(0);
  });
});

describe('native and WASM agree', () => {
  const native = path('build/native/latefuse_native');
  it('same Cox fit and C on a 2000-row seeded data set to 1e-12', () => {
    expect(existsSync(native), `${native} is missing: run bash scripts/build.sh native`).toBe(true);
    // Deterministic synthetic data (a linear congruential sequence; not statistics, just input).
    let s = 12345;
    const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const rows = ['time,event,x1,x2,x3'];
    for (let i = 0; i < 2000; i++) {
      const x = [u() * 2 - 1, u() < 0.5 ? 0 : 1, Math.round(u() * 40 + 40)];
      const t = Math.ceil(-Math.log(u() + 1e-12) * 100 * Math.exp(-(0.5 * x[0] - 0.3 * x[1] + 0.01 * x[2])));
      rows.push(`${t},${u() < 0.7 ? 1 : 0},${x.join(',')}`);
    }
    const csv = file('agree.csv', rows.join('\n') + '\n');
    const n = spawnSync(native, ['cox', csv, 'time', 'event', 'x1,x2,x3'], { encoding: 'utf8' });
    expect(n.status, n.stderr).toBe(0);
    const nat = JSON.parse(n.stdout);
    const w = latefuse(['cox', '--data', csv, '--time', 'time', '--event', 'event', '--covariates', 'x1,x2,x3']);
    expect(w.code, w.stderr).toBe(0);
    expectClose(w.json.coef, nat.coef, 1e-12, 'coef');
    expectClose(w.json.se, nat.se, 1e-12, 'se');
    expectClose(w.json.loglik, nat.loglik, 1e-13, 'loglik');
    expect(w.json.concordance.c).toBe(nat.c);
  });
});
