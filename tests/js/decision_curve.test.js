// Decision curve analysis through the WebAssembly module and `latefuse dca`:
//  * parity with R (tests/golden/decision_curve.json, made by tests/r/decision_curve_golden.R, which
//    transcribes the net-benefit formula with survival::survfit) to 1e-10;
//  * the seeded bootstrap band equals the native one (tests/golden/decision_curve_seeded_native.json,
//    written by the GoogleTest DecisionCurve.SeededBandNativeFile): the curve exactly, the band to 1e-14;
//  * the command: survival and binary predictions files, --survival instead of --risk, and one clear
//    error (exit 2) for bad input.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decisionCurve, InputError } from '../../web/lib/index.js';
import { readJson, latefuse } from './helpers.js';

const golden = readJson('tests/golden/decision_curve.json');
const seeded = readJson('tests/golden/decision_curve_seeded_native.json');
const byName = (name) => golden.cases.find((c) => c.name === name);

function expectAbs(actual, expected, tol, label) {
  expect(actual.length, `${label} length`).toBe(expected.length);
  expected.forEach((e, i) => {
    if (e === null) expect(actual[i], `${label}[${i}] should be null`).toBeNull();
    else expect(Math.abs(actual[i] - e), `${label}[${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol);
  });
}

async function curveOf(c, extra = {}) {
  return c.outcome_type === 'binary'
    ? decisionCurve({ outcome: c.data.outcome, probability: c.data.probability, ...extra })
    : decisionCurve({ time: c.data.time, event: c.data.event, risk: c.data.risk, horizon: c.horizon, ...extra });
}

describe('decision curves in WASM vs R', () => {
  for (const c of golden.cases) {
    it(`${c.name}: net benefit, treat all and treated counts equal R's to 1e-10`, async () => {
      const out = await curveOf(c);
      expect(out.thresholds).toEqual(c.thresholds);
      expectAbs(out.net_benefit, c.net_benefit, 1e-10, 'net_benefit');
      expectAbs(out.treat_all, c.treat_all, 1e-10, 'treat_all');
      expect(out.treated).toEqual(c.treated);
    });
  }

  it('the seeded band equals the native band (survival and binary)', async () => {
    // The curve is bit-identical; the band's percentile interpolation (R's norm.inter, through qnorm)
    // may differ in the last bit between the native and the WASM libm, as for stats.test.js's bootstrap.
    for (const kind of ['survival', 'binary']) {
      const out = await curveOf(byName(seeded[kind].case), { bootstrap: seeded.bootstrap, seed: seeded.seed });
      expect(out.net_benefit, kind).toEqual(seeded[kind].curve.net_benefit);
      expect(out.bootstrap_failed, kind).toBe(seeded[kind].curve.bootstrap_failed);
      expectAbs(out.lower, seeded[kind].curve.lower, 1e-14, `${kind} lower`);
      expectAbs(out.upper, seeded[kind].curve.upper, 1e-14, `${kind} upper`);
    }
  });

  it('a horizon beyond the follow-up and a risk outside [0, 1] are InputErrors', async () => {
    const c = byName('lung_cox_365');
    const last = Math.max(...c.data.time);
    await expect(decisionCurve({ ...c.data, horizon: last + 1 })).rejects.toThrow(/beyond the largest follow-up/);
    const risk = [...c.data.risk];
    risk[2] = -0.1;
    await expect(decisionCurve({ ...c.data, risk, horizon: 365 })).rejects.toBeInstanceOf(InputError);
    await expect(decisionCurve({ ...c.data, horizon: 365, thresholds: [0.5, 1] })).rejects.toThrow(/outside \(0, 1\)/);
  });
});

describe('latefuse dca', () => {
  let dir;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'latefuse-dca-')); });
  const csv = (name, cols) => {
    const names = Object.keys(cols);
    const rows = cols[names[0]].map((_, i) => names.map((n) => cols[n][i]).join(','));
    const p = join(dir, name);
    writeFileSync(p, `${names.join(',')}\n${rows.join('\n')}\n`);
    return p;
  };

  it('survival: --risk and --survival give R\'s curve; --out writes the CSV', () => {
    const c = byName('gbsg_cox_1825');
    const file = csv('surv.csv', { time: c.data.time, event: c.data.event, risk: c.data.risk, surv: c.data.risk.map((r) => 1 - r) });
    const out = join(dir, 'curve.csv');
    const r = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'event', '--risk', 'risk', '--horizon', '1825', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expectAbs(r.json.net_benefit, c.net_benefit, 1e-10, 'net_benefit');
    expect(r.json.net_benefit.filter((v) => v === null).length).toBeGreaterThan(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('threshold,net_benefit,lower,upper,treat_all,treat_none,treated');
    expect(lines).toHaveLength(100);
    // S = 1 - risk written with 15 digits: the same curve up to that rounding.
    const s = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'event', '--survival', 'surv', '--horizon', '1825']);
    expect(s.code, s.stderr).toBe(0);
    expectAbs(s.json.treat_all, c.treat_all, 1e-10, 'treat_all');
  });

  it('survival: --censored reads a censoring indicator (1 = censored) as the event 1 - censored: R\'s curve of the event coding', () => {
    // R's golden (tests/r/decision_curve_golden.R) fed the flipped coding: censored = 1 - event.
    for (const name of ['lung_cox_365', 'gbsg_cox_1825']) {
      const c = byName(name);
      const file = csv(`${name}_censored.csv`, { time: c.data.time, censored: c.data.event.map((e) => 1 - e), risk: c.data.risk });
      const r = latefuse(['dca', '--data', file, '--time', 'time', '--censored', 'censored', '--risk', 'risk', '--horizon', String(c.horizon)]);
      expect(r.code, r.stderr).toBe(0);
      expectAbs(r.json.net_benefit, c.net_benefit, 1e-10, `${name} net_benefit`);
      expectAbs(r.json.treat_all, c.treat_all, 1e-10, `${name} treat_all`);
      expect(r.json.treated).toEqual(c.treated);
      // The same column given as --event is the other coding: a different curve.
      const asEvent = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'censored', '--risk', 'risk', '--horizon', String(c.horizon)]);
      expect(asEvent.code, asEvent.stderr).toBe(0);
      expect(Math.abs(asEvent.json.treat_all[0] - c.treat_all[0])).toBeGreaterThan(0.01);
    }
    const file = csv('both.csv', { time: [1, 2, 3], event: [1, 0, 1], censored: [0, 1, 0], r: [0.2, 0.5, 0.9] });
    const both = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'event', '--censored', 'censored', '--risk', 'r', '--horizon', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('latefuse: give either --event COL (1 = event) or --censored COL (1 = censored), not both');
    const twoCoded = csv('onetwo.csv', { time: [1, 2, 3], censored: [1, 2, 1], r: [0.2, 0.5, 0.9] });
    const bad = latefuse(['dca', '--data', twoCoded, '--time', 'time', '--censored', 'censored', '--risk', 'r', '--horizon', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/onetwo\.csv: censoring column "censored" must be 0\/1 or TRUE\/FALSE \(1 = censored\) but row 2 has 2/);
    const none = latefuse(['dca', '--data', file, '--time', 'time', '--risk', 'r', '--horizon', '2']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give --event COL \(1 = event\), or --censored COL/);
    expect(latefuse(['dca', '--help']).stdout).toMatch(/--censored COL/);
  });

  it('binary: --outcome and --probability give R\'s curve', () => {
    const c = byName('lung_death_1y_glm');
    const file = csv('bin.csv', { y: c.data.outcome, p: c.data.probability });
    const r = latefuse(['dca', '--data', file, '--outcome', 'y', '--probability', 'p']);
    expect(r.code, r.stderr).toBe(0);
    expectAbs(r.json.net_benefit, c.net_benefit, 1e-10, 'net_benefit');
    expect(r.json.outcome_type).toBe('binary');
  });

  it('bad input: one line naming the file, row and column, exit 2', () => {
    const file = csv('bad.csv', { time: [1, 2, 3], event: [1, 0, 1], lp: [0.2, 1.7, -0.3], r: [0.2, 0.5, 0.9] });
    const r = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'event', '--risk', 'lp', '--horizon', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv: risk column "lp" must be a probability between 0 and 1 but row 2 has 1\.7/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const h = latefuse(['dca', '--data', file, '--time', 'time', '--event', 'event', '--risk', 'r', '--horizon', '9']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/horizon 9 is beyond the largest follow-up time 3/);
    const both = latefuse(['dca', '--data', file, '--outcome', 'event', '--probability', 'lp', '--time', 'time']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
    const help = latefuse(['dca', '--help']);
    expect(help.stdout).toMatch(/--probability COL/);
  });
});
