// Cox model and concordance through the WASM module: parity with R survival 3.5-3 (golden files
// made by tests/r/cox_golden.R, and the reference output in tests/golden/ref_lung_veteran.txt).
import { describe, it, expect } from 'vitest';
import { fitCox, concordance, coxSurvivalAt, parseTable, numericColumn, eventColumn, completeRows, InputError, ModelError } from '../../web/lib/index.js';
import { readJson, readText, expectClose } from './helpers.js';

const golden = readJson('tests/golden/cox_golden.json');

async function lung() {
  const table = parseTable(readText('tests/data/lung.csv'), { file: 'lung.csv' });
  const cols = ['time', 'age', 'sex', 'ph.ecog'].map((c) => numericColumn(table, c));
  const event = eventColumn(table, 'status');
  const rows = completeRows([...cols, event]);
  return {
    time: rows.select(cols[0]),
    event: rows.select(event),
    covariates: { age: rows.select(cols[1]), sex: rows.select(cols[2]), 'ph.ecog': rows.select(cols[3]) },
  };
}

describe('Cox through WASM: lung reference (R 4.2.2, survival 3.5-3)', () => {
  it('Efron fit, robust SE, tests, concordance and predicted survival equal R', async () => {
    const d = await lung();
    const f = await fitCox({ ...d, robust: true, predict: { x: [60, 2, 1], times: [180, 365] } });
    expect(f.n).toBe(227);
    expect(f.events).toBe(164);
    expectClose(f.coef, [0.01106676456, -0.5526123957, 0.4637284754], 1e-6, 'coef');
    expectClose(f.se, [0.009267411014, 0.1677390538, 0.1135772662], 1e-6, 'se');
    expectClose(f.robust_se, [0.00988139278, 0.164748428, 0.1241588486], 1e-6, 'robust se');
    expect(Math.abs(f.loglik_init - -744.4804558)).toBeLessThan(1e-6);
    expect(Math.abs(f.loglik - -729.2301214)).toBeLessThan(1e-6);
    expectClose(f.lr_test, 30.50066877, 1e-8, 'LR');
    expectClose(f.score_test, 30.4999227, 1e-8, 'score');
    expectClose(f.wald_test, 29.92925121, 1e-8, 'wald');
    expectClose(f.p, [0.2627308122, 0.0007957173197, 0.0001877441717], 1e-8, 'robust Wald p');
    expect(f.concordance.c).toBeCloseTo(0.637135493, 9);
    expect([f.concordance.concordant, f.concordance.discordant, f.concordance.tied_score, f.concordance.tied_time])
      .toEqual([12544, 7117, 126, 28]);
    expectClose(f.prediction.surv, [0.804994342, 0.5337438342], 1e-8, 'S(t)');
    expectClose(f.prediction.lower, [0.7463998424, 0.4417706735], 1e-7, 'lower');
    expectClose(f.prediction.upper, [0.8681886756, 0.6448650796], 1e-7, 'upper');
  });

  it('survivalTimes returns every patient\'s S(t), equal to the single-patient prediction', async () => {
    const d = await lung();
    const f = await fitCox({ ...d, survivalTimes: [180, 365] });
    expect(f.survival_at.length).toBe(227 * 2);
    const i = 10;
    const x = [d.covariates.age[i], d.covariates.sex[i], d.covariates['ph.ecog'][i]];
    const one = await fitCox({ ...d, predict: { x, times: [180, 365] } });
    expectClose([f.survival_at[2 * i], f.survival_at[2 * i + 1]], one.prediction.surv, 1e-13, 'S_i(t)');
    const again = await coxSurvivalAt(f.baseline, f.linear_predictor, [180, 365]);
    expect(Array.from(again)).toEqual(Array.from(f.survival_at));
  });

  it('lifelines penalizer 0.5 reproduces the reference study setting', async () => {
    const d = await lung();
    const f = await fitCox({ ...d, penalizer: 0.5 });
    expectClose(f.coef, [0.007920336611, -0.3095925712, 0.2664375224], 1e-6, 'exact optimum');
    expectClose(f.coef, [0.0079202912, -0.3095913817, 0.2664376819], 1e-4, 'lifelines 0.26.3 params_');
    expect(Math.abs(f.loglik - f.penalty - -735.5783613)).toBeLessThan(1e-6);
  });

  it('concordance() with --higher survival is 1 - C of the risk direction when there are no score ties', async () => {
    const d = await lung();
    const f = await fitCox(d);
    const noise = Float64Array.from(f.linear_predictor, (v, i) => v + i * 1e-9);
    const risk = await concordance({ time: d.time, event: d.event, score: noise });
    const surv = await concordance({ time: d.time, event: d.event, score: noise, higherIsRisk: false });
    expect(risk.concordant).toBe(surv.discordant);
    expect(risk.c + surv.c).toBeCloseTo(1, 12);
  });
});

describe(`Cox through WASM: R golden cases (${golden.R_version}, survival ${golden.survival_version})`, () => {
  for (const c of golden.cases) {
    it(c.name, async () => {
      const names = c.covariates;
      const input = {
        time: c.data.time,
        event: c.data.event,
        covariates: Object.fromEntries(names.map((n) => [n, c.data.x[n]])),
        ties: c.options.ties,
        robust: c.options.robust,
      };
      if (c.data.weights) input.weights = c.data.weights;
      if (c.data.strata) input.strata = c.data.strata;
      if (c.options.ridge) { input.ridgeTheta = c.options.ridge.theta; input.ridgeScale = c.options.ridge.scale; }
      const f = await fitCox(input);
      const r = c.r;
      expectClose(f.coef, r.coef, 1e-6, 'coef');
      expectClose(f.se, r.se, 1e-6, 'se');
      if (r.robust_se) expectClose(f.robust_se, r.robust_se, 1e-6, 'robust se');
      expect(Math.abs(f.loglik - r.loglik[1]), 'loglik').toBeLessThan(1e-6);
      expect(Math.abs(f.loglik_init - r.loglik[0]), 'null loglik').toBeLessThan(1e-6);
      expect(Math.abs(f.concordance.c - r.concordance.C), 'C').toBeLessThan(1e-12);
      expectClose(f.concordance.concordant, r.concordance.concordant, 1e-12, 'concordant', 1);
      expectClose(f.concordance.discordant, r.concordance.discordant, 1e-12, 'discordant', 1);
      for (const pr of r.predictions ?? []) {
        const s = await fitCox({ ...input, predict: { x: pr.x, times: pr.times, stratum: pr.stratum ?? 0 } });
        expectClose(s.prediction.surv, pr.surv, 1e-6, 'S(t)');
        if (!c.options.ridge) expectClose(s.prediction.se, pr.std_err, 1e-6, 'se(S)');
      }
    });
  }
});

describe('Cox through WASM: errors are typed and clear', () => {
  it('no events -> ModelError', async () => {
    await expect(fitCox({ time: [1, 2, 3], event: [0, 0, 0], covariates: { x: [1, 2, 3] } })).rejects.toBeInstanceOf(ModelError);
  });
  it('NaN covariate -> InputError naming row and column', async () => {
    const e = await fitCox({ time: [1, 2, 3], event: [1, 0, 1], covariates: { age: [1, NaN, 3] } }).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/'age'.*row 2/);
  });
  it('the module keeps working after an error', async () => {
    const d = await lung();
    await expect(fitCox({ time: [1], event: [1], covariates: { x: [1] } })).rejects.toBeInstanceOf(InputError);
    const f = await fitCox(d);
    expect(f.converged).toBe(true);
  });
});

describe('Cox through WASM: the baseline is an ordinary property of the fit', () => {
  it('reads the same every time, and goes into JSON, spreads, structured clones and can be replaced', async () => {
    const f = await fitCox(await lung());
    const b = f.baseline;
    expect(f.baseline).toBe(b); // made once, on the first read
    expect(Object.keys(f)).toContain('baseline');
    expect(b.time).toHaveLength(b.hazard.length);
    expect(b.xbar_hazard).toHaveLength(b.time.length);
    expect(b.xbar_hazard[0]).toHaveLength(3);
    expect(Array.isArray(b.hazard)).toBe(true);
    expect(JSON.parse(JSON.stringify(f)).baseline).toEqual(b);
    expect({ ...f }.baseline).toBe(b);
    expect(structuredClone({ baseline: f.baseline, n: f.n }).baseline).toEqual(b);
    expect(structuredClone(f, { transfer: [] }).baseline).toEqual(b);
    f.baseline = { time: [], hazard: [] };
    expect(f.baseline).toEqual({ time: [], hazard: [] });
  });
});
