// Evaluation of a risk score (worker side): every statistic is computed by the WebAssembly core
// through web/lib, in the order and with the conventions of `latefuse evaluate` and `latefuse km`
// (web/cli/commands/evaluate.js, km.js), so the page and the command line agree for the same data,
// settings and seed. Shared by the Cox flow and (later) by each model of a late-fusion fit.
//
// What happens here besides calling the core is input preparation only: the horizons (web/lib
// defaultHorizons, as the CLI), the risk-group cut points (the core's R quantile type 7 of the
// score; groups as R's cut(include.lowest = TRUE)), and the times of the number-at-risk table
// (round values across the follow-up).
import {
  concordance, bootstrap, permutationTest, unoConcordance, timeDependentAuc, kaplanMeier, logRank,
  coxSurvivalAt, survivalCalibration, quantileType7, defaultHorizons, InputError, ModelError,
} from '../lib/index.js';
import { atRiskTimes } from '../lib/risk_group_curves.js';

export const SPLITS = {
  median: { probs: [0.5], labels: ['Low risk', 'High risk'], short: ['low', 'high'], text: 'the median' },
  tertiles: { probs: [1 / 3, 2 / 3], labels: ['Low risk', 'Intermediate risk', 'High risk'], short: ['low', 'intermediate', 'high'], text: 'the tertiles' },
};

/**
 * Risk groups: cut the score (higher = higher risk) at its quantiles like R's
 * cut(score, unique(quantile(score, c(0, probs, 1))), include.lowest = TRUE). Tied cut points merge
 * groups (then the outer labels are kept). Returns codes 0..k-1 (0 = lowest risk).
 */
export async function riskGroups(score, split) {
  const spec = SPLITS[split];
  const breaks = [...new Set(await quantileType7(score, [0, ...spec.probs, 1]))];
  const k = Math.max(1, breaks.length - 1);
  const codes = new Int8Array(score.length);
  for (let i = 0; i < score.length; i++) {
    let g = 0;
    while (g < k - 1 && score[i] > breaks[g + 1]) g++;
    codes[i] = g;
  }
  let labels = spec.labels;
  let short = spec.short;
  if (k < labels.length) {
    labels = k === 1 ? ['All patients'] : [labels[0], labels[labels.length - 1]];
    short = k === 1 ? ['all'] : [short[0], short[short.length - 1]];
  }
  return { codes, breaks, labels, short, k };
}

function wholeNumber(value, { name, role, min, max }) {
  const v = Number(value);
  if (value === '' || value === null || value === undefined || !Number.isInteger(v) || v < min || v > max) {
    throw new InputError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}; got "${value ?? ''}"`, { role });
  }
  return v;
}

/**
 * Evaluate a risk score.
 * @param {{time: Float64Array, event: Float64Array, score: Float64Array, higherIsRisk?: boolean,
 *          bootstrap?: number, permutations?: number, seed?: number, split?: 'median'|'tertiles',
 *          horizons?: number[]|null, confLevel?: number, baseline?: object}} payload
 * @param {{progress: Function, checkpoint: Function, isCancelled: Function}} ctx
 */
export async function evaluateRiskScore(payload, ctx) {
  const time = Float64Array.from(payload.time ?? []);
  const event = Float64Array.from(payload.event ?? []);
  const score = Float64Array.from(payload.score ?? []);
  const n = time.length;
  if (n === 0 || event.length !== n || score.length !== n) throw new InputError('nothing to evaluate: fit a model first');
  const replicates = wholeNumber(payload.bootstrap ?? 1000, { name: 'Bootstrap replicates', role: 'bootstrap', min: 0, max: 1_000_000 });
  const permutations = wholeNumber(payload.permutations ?? 1000, { name: 'Permutations', role: 'permutations', min: 0, max: 1_000_000 });
  const seed = wholeNumber(payload.seed ?? 1, { name: 'The seed', role: 'seed', min: 0, max: Number.MAX_SAFE_INTEGER });
  const split = SPLITS[payload.split] ? payload.split : 'median';
  const confLevel = payload.confLevel ?? 0.95;
  const higherIsRisk = payload.higherIsRisk ?? true;
  const events = event.reduce((a, v) => a + (v === 1 ? 1 : 0), 0);
  if (events === 0) throw new ModelError(`no events among the ${n} patients: discrimination needs events`);
  const base = { time, event, score, higherIsRisk };
  const warnings = [];

  let tmin = Infinity;
  let tmax = -Infinity;
  for (const t of time) { if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
  let horizons;
  let horizonsDefault = false;
  if (payload.horizons && payload.horizons.length) {
    horizons = [...new Set(payload.horizons.map(Number))].sort((a, b) => a - b);
    const bad = horizons.find((t) => !Number.isFinite(t) || t < tmin || t >= tmax);
    if (bad !== undefined) {
      throw new InputError(`the horizon ${bad} is outside the follow-up: AUC(t) needs times from ${tmin} (the shortest follow-up) up to, but not including, ${tmax} (the longest)`, { role: 'horizons' });
    }
  } else {
    horizons = await defaultHorizons(time, event);
    horizonsDefault = true;
    if (horizons.length === 0) warnings.push('no default horizon lies within the follow-up; give horizons to get AUC(t)');
  }

  // 1. Harrell's C with its bootstrap interval (as `latefuse evaluate`).
  const harrell = { c: null, lower: null, upper: null, se: null, replicates, ci: 'percentile', confLevel };
  if (replicates > 0) {
    const stage = `Bootstrap of Harrell's C (${replicates.toLocaleString('en-US')} replicates)`;
    ctx.progress(stage, 0);
    await ctx.checkpoint();
    const b = await bootstrap({
      ...base, statistic: 'harrell', replicates, seed, confLevel,
      onProgress: (f) => { ctx.progress(stage, f); return !ctx.isCancelled(); },
    });
    Object.assign(harrell, { c: b.estimate, lower: b.lower, upper: b.upper, se: b.se, failed: b.failed });
    warnings.push(...b.warnings);
  } else {
    ctx.progress("Harrell's C", null);
    await ctx.checkpoint();
    harrell.c = (await concordance(base)).c;
  }
  await ctx.checkpoint();

  // 2. Permutation p-value of C.
  let permutation = null;
  if (permutations > 0) {
    const stage = `Permutation test of Harrell's C (${permutations.toLocaleString('en-US')} permutations)`;
    ctx.progress(stage, 0);
    const p = await permutationTest({
      ...base, statistic: 'harrell', permutations, seed,
      onProgress: (f) => { ctx.progress(stage, f); return !ctx.isCancelled(); },
    });
    permutation = { p: p.p, permutations: p.permutations, extreme: p.extreme, center: p.center };
    warnings.push(...p.warnings);
  }
  await ctx.checkpoint();

  // 3. Uno's C up to the last horizon, and AUC(t) at the horizons.
  ctx.progress("Uno's C and time-dependent AUC", null);
  await ctx.checkpoint();
  const tau = horizons.length ? horizons[horizons.length - 1] : null;
  const u = await unoConcordance({ ...base, tau: tau ?? undefined });
  const uno = { c: u.c, tau };
  let auc = { time: [], auc: [], meanAuc: null };
  if (horizons.length) {
    const a = await timeDependentAuc({ ...base, times: horizons });
    auc = { time: Array.from(a.time), auc: Array.from(a.auc), meanAuc: a.meanAuc };
  }
  await ctx.checkpoint();

  // 4. Risk groups of the score, Kaplan–Meier per group, log-rank test (as `latefuse km --group`).
  ctx.progress('Kaplan–Meier curves of the risk groups and the log-rank test', null);
  await ctx.checkpoint();
  const risk = await riskGroups(higherIsRisk ? score : score.map((s) => -s), split);
  const atTimes = atRiskTimes(tmax);
  // Groups are labelled as in the risk-groups CSV download ("low", "high", ...), so the core gets
  // exactly the input of `latefuse km --group risk_group` on that file; shown from low to high risk.
  const groupLabel = Array.from(risk.codes, (c) => risk.short[c]);
  const km = await kaplanMeier({ time, event, group: groupLabel, times: atTimes, curve: true, confLevel });
  const kmGroups = [...km.groups].sort((a, b) => risk.short.indexOf(a.group) - risk.short.indexOf(b.group));
  const groups = kmGroups.map((g) => {
    const k = risk.short.indexOf(g.group);
    const c = g.curve;
    return {
      label: risk.labels[k],
      short: risk.short[k],
      n: g.n,
      events: g.events,
      median: g.median,
      medianLower: g.medianLower,
      medianUpper: g.medianUpper,
      at: { time: Array.from(g.at.time), surv: Array.from(g.at.surv), lower: Array.from(g.at.lower), upper: Array.from(g.at.upper), nRisk: Array.from(g.at.nRisk) },
      curve: {
        time: Array.from(c.time), surv: Array.from(c.surv), lower: Array.from(c.lower), upper: Array.from(c.upper),
        nRisk: Array.from(c.nRisk), nEvent: Array.from(c.nEvent), nCensor: Array.from(c.nCensor),
      },
    };
  });
  let test = null;
  if (risk.k >= 2) {
    const lr = await logRank({ time, event, group: groupLabel });
    test = { chisq: lr.chisq, df: lr.df, p: lr.p, groups: lr.groups, observed: Array.from(lr.observed), expected: Array.from(lr.expected) };
  } else {
    warnings.push('every patient has the same risk score: one risk group only, no log-rank test');
  }
  await ctx.checkpoint();

  // Calibration at the last horizon: each patient's predicted S_i(t) from the model's baseline
  // hazard (computed by the core), against Kaplan–Meier survival by decile of predicted risk.
  let calibration = null;
  let calibrationNote = null;
  if (!payload.baseline) {
    calibrationNote = 'calibration is shown for unstratified Cox models (a stratified model has one baseline per stratum)';
  } else if (horizons.length === 0) {
    calibrationNote = 'no horizon within the follow-up: give a horizon to see calibration';
  } else {
    const horizon = horizons[horizons.length - 1];
    ctx.progress(`Calibration at t = ${horizon}`, null);
    const predicted = await coxSurvivalAt(payload.baseline, score, [horizon]);
    const cal = await survivalCalibration({ time, event, predicted, horizon, linearPredictor: score });
    calibration = {
      horizon: cal.horizon,
      groups: cal.groups.map((g) => ({ ...g })),
      slope: cal.slope, slopeSe: cal.slopeSe, slopeLower: cal.slopeLower, slopeUpper: cal.slopeUpper,
    };
    await ctx.checkpoint();
  }
  return {
    n,
    events,
    higherIsRisk,
    settings: { bootstrap: replicates, permutations, seed, split, horizons, horizonsDefault, confLevel },
    harrell,
    permutation,
    uno,
    auc,
    riskGroups: {
      split,
      splitText: SPLITS[split].text,
      cutPoints: risk.breaks.slice(1, -1),
      atTimes,
      confType: km.confType,
      groups,
      logRank: test,
      codes: risk.codes,
    },
    calibration,
    calibrationNote,
    warnings,
  };
}
