// web/lib evaluateScore, the evaluation pipeline of `latefuse evaluate` and the page, called as the
// JS API: its numbers against R (tests/golden/stats_golden.json, made by tests/r/stats_golden.R) and
// its result object in the one key spelling of every web/lib result (snake_case, as the CLI's JSON).
import { describe, it, expect } from 'vitest';
import { evaluateScore } from '../../web/lib/index.js';
import { readJson, expectClose } from './helpers.js';

const golden = readJson('tests/golden/stats_golden.json');
const byName = (section, name) => golden[section].find((c) => c.name === name);

/** The paths of the keys of an object that are not snake_case (lower case, digits, '_'). */
function camelKeys(doc, path = '') {
  if (ArrayBuffer.isView(doc)) return [];
  if (Array.isArray(doc)) return doc.flatMap((v, k) => camelKeys(v, `${path}[${k}]`));
  if (doc === null || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([key, v]) => [...(/^[a-z0-9_]+$/.test(key) ? [] : [`${path}.${key}`]), ...camelKeys(v, `${path}.${key}`)]);
}

describe('evaluateScore', () => {
  it("gives Uno's C, AUC(t) and the mean AUC as R, under snake_case keys", async () => {
    const c = byName('metrics', 'lung_cox');
    const ev = await evaluateScore({
      time: Float64Array.from(c.test.time), event: Float64Array.from(c.test.event), score: Float64Array.from(c.risk),
      bootstrap: 0, permutations: 0, tau: 365, horizons: c.auc_times, riskGroups: 'median',
    });
    expect(ev.n).toBe(227);
    expect(ev.higher_is_risk).toBe(true);
    expect(ev.horizons_default).toBe(false);
    expect(ev.harrell.conf_level).toBe(0.95);
    expect(ev.permutation).toBeNull();
    expectClose(ev.uno.c, c.uno.find((u) => u.tau === 365).c, 1e-9, "Uno's C");
    expect(ev.auc.time).toEqual(c.auc_times);
    expectClose(ev.auc.auc, c.auc, 1e-9, 'AUC(t)');
    expectClose(ev.auc.mean_auc, c.mean_auc, 1e-9, 'mean AUC');
    expect(camelKeys(ev)).toEqual([]);
  });

  it("splits at the score's median and gives each group's Kaplan–Meier curve and the log-rank test as R", async () => {
    // Veteran: 69 patients with treatment 1, 68 with treatment 2. Score = trt + (row index) * 1e-6:
    // distinct values, every trt-1 score below every trt-2 score, and R's median (type 7) of 137
    // scores is the 69th smallest, the largest trt-1 score, so the median split puts treatment 1 in
    // the low and treatment 2 in the high risk group: R's survfit(~ trt) and survdiff(~ trt) are the reference.
    const km = byName('km', 'veteran_trt_log');
    const lr = byName('logrank', 'veteran_trt');
    const score = Float64Array.from(km.data.group, (g, i) => g + i * 1e-6);
    const ev = await evaluateScore({
      time: Float64Array.from(km.data.time), event: Float64Array.from(km.data.event), score,
      bootstrap: 0, permutations: 0, horizons: [30, 90], riskGroups: 'median',
    });
    const rg = ev.risk_groups;
    expect(rg.split).toBe('median');
    expect(rg.split_text).toBe('the median');
    expect(rg.cutpoints).toEqual([Math.max(...score.filter((v) => v < 2))]);
    expect(rg.conf_type).toBe('log');
    expect(rg.groups.map((g) => g.label)).toEqual(['Low risk', 'High risk']);
    rg.groups.forEach((g, k) => {
      const r = km.groups[k];
      expect([g.n, g.events, g.median, g.median_lower, g.median_upper]).toEqual([r.n, r.events, r.median, r.median_lower, r.median_upper]);
      expect(g.curve.time).toEqual(r.curve.time);
      expect(g.curve.n_risk).toEqual(r.curve.n_risk);
      expect(g.curve.n_event).toEqual(r.curve.n_event);
      expect(g.curve.n_censor).toEqual(r.curve.n_censor);
      expectClose(g.curve.surv, r.curve.surv, 1e-12, `S(t), ${g.label}`);
      r.curve.lower.forEach((v, i) => {
        if (v === null) expect(Number.isFinite(g.curve.lower[i]), `lower[${i}], ${g.label}`).toBe(false);
        else expectClose(g.curve.lower[i], v, 1e-9, `lower[${i}], ${g.label}`);
      });
      expect(g.at.n_risk.length).toBe(rg.at_times.length);
    });
    expectClose(rg.logrank.chisq, lr.chisq, 1e-9, 'log-rank chi-square');
    expect(rg.logrank.df).toBe(lr.df);
    expectClose(rg.logrank.p, lr.p, 1e-9, 'log-rank p');
    expect(Array.from(rg.codes)).toEqual(km.data.group.map((g) => (g === 1 ? 0 : 1)));
    expect(camelKeys(ev)).toEqual([]);
  });
});
