// The evaluation of a risk score, written once for `latefuse evaluate` (web/cli/commands/evaluate.js)
// and the page's Evaluate step (web/app/worker-evaluate.js): Harrell's C with a seeded bootstrap
// interval and a permutation p-value, Uno's IPCW C (optionally with its bootstrap interval), the
// cumulative/dynamic AUC at the horizons, risk groups with Kaplan–Meier curves and the log-rank test,
// and calibration at a horizon. Every number comes from the core; this module orders the calls,
// reports progress and stops between steps when cancelled. Callers word their own hints (a flag
// on the command line, a control on the page).
import { concordance, coxSurvivalAt } from './cox.js';
import {
  bootstrap, permutationTest, unoConcordance, timeDependentAuc, kaplanMeier, logRank, survivalCalibration, defaultHorizons,
  quantileGroups,
} from './stats.js';
import { atRiskTimes } from './risk_group_curves.js';
import { CancelledError, ModelError } from './errors.js';

/** The risk-group splits: quantiles of the score, labels from the lowest risk up. */
export const RISK_SPLITS = Object.freeze({
  median: { probs: [0.5], labels: ['Low risk', 'High risk'], short: ['low', 'high'], text: 'the median' },
  tertiles: { probs: [1 / 3, 2 / 3], labels: ['Low risk', 'Intermediate risk', 'High risk'], short: ['low', 'intermediate', 'high'], text: 'the tertiles' },
});

/**
 * Risk groups: the score (higher = higher risk) cut at its own quantiles as R's cut (the core's
 * quantileGroups). Tied cut points merge groups (then the outer labels are kept). Returns codes
 * 0..k-1 (0 = lowest risk) and the k - 1 `cutpoints` (the core's key).
 * @param {ArrayLike<number>} score
 * @param {keyof RISK_SPLITS} split
 */
export async function riskGroups(score, split) {
  const spec = RISK_SPLITS[split];
  const { cutpoints, codes } = await quantileGroups(score, spec.probs);
  const k = cutpoints.length + 1;
  let labels = spec.labels;
  let short = spec.short;
  if (k < labels.length) {
    labels = k === 1 ? ['All patients'] : [labels[0], labels[labels.length - 1]];
    short = k === 1 ? ['all'] : [short[0], short[short.length - 1]];
  }
  return { codes, cutpoints, labels, short, k };
}

/** Let a queued cancel be delivered (a worker's message), then stop if the signal was aborted. */
async function checkpoint(signal) {
  if (!signal) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (signal.aborted) throw new CancelledError();
}

const plain = (a) => Array.from(a);

/**
 * A Kaplan–Meier curve of a risk group (the core's kaplanMeier curve as plain arrays).
 * @typedef {{time: number[], surv: number[], lower: number[], upper: number[], n_risk: number[], n_event: number[],
 *   n_censor: number[]}} GroupCurve
 */

/**
 * The risk groups of an evaluation: `split` and its words (`split_text`), the score's `cutpoints`, the
 * times of the number-at-risk table (`at_times`), per group (lowest risk first) its label, n, events,
 * median survival with its CI, survival and number at risk at `at_times` and the curve; the log-rank
 * test (`logrank`, null with one group); `codes` = each patient's group (0 = lowest risk).
 * @typedef {{split: keyof RISK_SPLITS, split_text: string, cutpoints: number[], at_times: number[], conf_type: string,
 *   groups: Array<{label: string, short: string, n: number, events: number, median: number|null, median_lower: number|null,
 *     median_upper: number|null, at: {time: number[], surv: number[], lower: number[], upper: number[], n_risk: number[]},
 *     curve: GroupCurve}>,
 *   logrank: {chisq: number, df: number, p: number, groups: string[], observed: number[], expected: number[]}|null,
 *   codes: Int32Array}} RiskGroupComparison
 */

/**
 * What evaluateScore returns; `calibration` is the core's survivalCalibration object (horizon,
 * groups, slope, slope_se, slope_lower, slope_upper) or null.
 * @typedef {{n: number, events: number, higher_is_risk: boolean, horizons: number[], horizons_default: boolean,
 *   harrell: {c: number, lower: number|null, upper: number|null, se: number|null, replicates: number, ci: string,
 *     conf_level: number, failed?: number},
 *   permutation: {p: number, permutations: number, extreme: number, center: number}|null,
 *   uno: {c: number, tau: number|null, lower?: number, upper?: number, replicates?: number, conf_level?: number},
 *   auc: {time: number[], auc: number[], mean_auc: number|null},
 *   risk_groups: RiskGroupComparison|null,
 *   calibration: any, warnings: string[]}} Evaluation
 */

/**
 * Evaluate a risk score on survival data.
 *
 * input:
 * - time, event (1 = event), score: one value per patient, complete (no missing values);
 *   higherIsRisk (default true).
 * - bootstrap (replicates, 0 = none; default 1000), ci ('percentile' | 'bca'), confLevel (0.95),
 *   permutations (1000, 0 = none), seed (1): the resamples of Harrell's C.
 * - unoInterval: also bootstrap Uno's C (same replicates and seed) when bootstrap > 0.
 * - tau: Uno's truncation time; null/undefined = none; 'last-horizon' = the largest horizon.
 * - horizons: AUC(t) times as given (the core checks them); empty/absent = the default horizons
 *   (stats.js defaultHorizons; `horizons_default` in the result says so; none may lie within the
 *   follow-up, then `horizons` is empty and the caller says how to give them).
 * - riskGroups: 'median' | 'tertiles' to cut the score and compare the groups (Kaplan–Meier at
 *   round times, log-rank), as `latefuse km --group`; absent = not computed.
 * - calibration: {time, event, predicted, horizon, groups?} (predicted S(horizon) per patient, its own
 *   rows), or {baseline} (a Cox model's baseline: S_i at the largest horizon from the score as its
 *   linear predictor); absent = not computed.
 * - eventLabel: how the "no events" error names the event column (default: "no events among the n patients").
 * options: onProgress(stage, fraction|null, units) before each step (units = resamples or 1) and
 * during resampling; signal: an AbortSignal checked between steps and resampling chunks.
 *
 * @param {{time: Float64Array, event: Float64Array, score: Float64Array, higherIsRisk?: boolean,
 *   bootstrap?: number, ci?: 'percentile'|'bca', confLevel?: number, permutations?: number, seed?: number,
 *   unoInterval?: boolean, tau?: number|null|'last-horizon', horizons?: number[]|null,
 *   riskGroups?: keyof RISK_SPLITS|null, calibration?: object|null, eventLabel?: string}} input
 * @param {{onProgress?: (stage: string, fraction: number|null, units: number) => void, signal?: AbortSignal}} [options]
 * @returns {Promise<Evaluation>} the result, under snake_case keys as every result object of web/lib
 *   (the options above stay camelCase)
 */
export async function evaluateScore(input, { onProgress = () => {}, signal } = {}) {
  const { time, event, score } = input;
  const n = time.length;
  const higherIsRisk = input.higherIsRisk ?? true;
  const replicates = input.bootstrap ?? 1000;
  const permutations = input.permutations ?? 1000;
  const seed = input.seed ?? 1;
  const confLevel = input.confLevel ?? 0.95;
  const ci = input.ci ?? 'percentile';
  let events = 0;
  for (const v of event) events += v === 1 ? 1 : 0;
  if (events === 0) {
    throw new ModelError(input.eventLabel
      ? `${input.eventLabel} has no events among the ${n} usable rows; discrimination needs events`
      : `no events among the ${n} patients: discrimination needs events`);
  }
  const base = { time, event, score, higherIsRisk };
  const warnings = [];
  const resampling = (stage) => ({
    signal,
    onProgress: (f) => { onProgress(stage, f, 0); return !signal?.aborted; },
  });

  const given = input.horizons && input.horizons.length > 0;
  const horizons = given ? input.horizons : await defaultHorizons(time, event);

  // Harrell's C first: its one computation is also the unit the resamples are timed against.
  onProgress("Harrell's C", null, 1);
  await checkpoint(signal);
  const harrell = { c: (await concordance(base)).c, lower: null, upper: null, se: null, replicates, ci, conf_level: confLevel };
  if (replicates > 0) {
    const stage = `Bootstrap of Harrell's C (${replicates.toLocaleString('en-US')} replicates)`;
    onProgress(stage, 0, replicates);
    await checkpoint(signal);
    const b = await bootstrap({ ...base, statistic: 'harrell', replicates, seed, confLevel, bca: ci === 'bca', ...resampling(stage) });
    Object.assign(harrell, {
      c: b.estimate,
      lower: ci === 'bca' ? b.bca_lower : b.lower,
      upper: ci === 'bca' ? b.bca_upper : b.upper,
      se: b.se,
      failed: b.failed,
    });
    warnings.push(...b.warnings);
  }

  let permutation = null;
  if (permutations > 0) {
    const stage = `Permutation test of Harrell's C (${permutations.toLocaleString('en-US')} permutations)`;
    onProgress(stage, 0, permutations);
    await checkpoint(signal);
    const p = await permutationTest({ ...base, statistic: 'harrell', permutations, seed, ...resampling(stage) });
    permutation = { p: p.p, permutations: p.permutations, extreme: p.extreme, center: p.center };
    warnings.push(...p.warnings);
  }

  onProgress("Uno's C and time-dependent AUC", null, 1);
  await checkpoint(signal);
  const tau = input.tau === 'last-horizon' ? (horizons.length ? horizons[horizons.length - 1] : null) : (input.tau ?? null);
  /** @type {Evaluation['uno']} */
  const uno = { c: (await unoConcordance({ ...base, tau: tau ?? undefined })).c, tau };
  if (input.unoInterval && replicates > 0) {
    const stage = `Bootstrap of Uno's C (${replicates.toLocaleString('en-US')} replicates)`;
    onProgress(stage, 0, replicates);
    await checkpoint(signal);
    const b = await bootstrap({ ...base, statistic: 'uno', ...(tau !== null ? { tau } : {}), replicates, seed, confLevel, ...resampling(stage) });
    Object.assign(uno, { lower: b.lower, upper: b.upper, replicates, conf_level: confLevel });
    warnings.push(...b.warnings);
  }
  /** @type {Evaluation['auc']} */
  let auc = { time: [], auc: [], mean_auc: null };
  if (horizons.length) {
    const a = await timeDependentAuc({ ...base, times: horizons });
    auc = { time: plain(a.time), auc: plain(a.auc), mean_auc: a.mean_auc };
  }
  await checkpoint(signal);

  const risk = input.riskGroups ? await riskGroupComparison(input, { ...base, confLevel }, warnings, onProgress, signal) : null;
  const calibration = input.calibration ? await calibrate(input, horizons, onProgress, signal) : null;
  return {
    n, events, higher_is_risk: higherIsRisk, horizons, horizons_default: !given, harrell, permutation, uno, auc, risk_groups: risk, calibration, warnings,
  };
}

/**
 * Risk groups of the score, Kaplan–Meier per group and the log-rank test (as `latefuse km --group`).
 * @returns {Promise<RiskGroupComparison>}
 */
async function riskGroupComparison(input, { time, event, score, higherIsRisk, confLevel }, warnings, onProgress, signal) {
  onProgress('Kaplan–Meier curves of the risk groups and the log-rank test', null, 1);
  await checkpoint(signal);
  const split = input.riskGroups;
  const risk = await riskGroups(higherIsRisk ? score : score.map((s) => -s), split);
  let tmax = -Infinity;
  for (const t of time) if (t > tmax) tmax = t;
  const atTimes = atRiskTimes(tmax);
  // Groups are labelled as in the page's risk-groups CSV ("low", "high", ...), so the core gets
  // exactly the input of `latefuse km --group risk_group` on that file; listed from low to high risk.
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
      median_lower: g.median_lower,
      median_upper: g.median_upper,
      at: { time: plain(g.at.time), surv: plain(g.at.surv), lower: plain(g.at.lower), upper: plain(g.at.upper), n_risk: plain(g.at.n_risk) },
      curve: {
        time: plain(c.time), surv: plain(c.surv), lower: plain(c.lower), upper: plain(c.upper),
        n_risk: plain(c.n_risk), n_event: plain(c.n_event), n_censor: plain(c.n_censor),
      },
    };
  });
  let test = null;
  if (risk.k >= 2) {
    const lr = await logRank({ time, event, group: groupLabel });
    test = { chisq: lr.chisq, df: lr.df, p: lr.p, groups: lr.groups, observed: plain(lr.observed), expected: plain(lr.expected) };
  } else {
    warnings.push('every patient has the same risk score: one risk group only, no log-rank test');
  }
  await checkpoint(signal);
  return {
    split,
    split_text: RISK_SPLITS[split].text,
    cutpoints: risk.cutpoints,
    at_times: atTimes,
    conf_type: km.conf_type,
    groups,
    logrank: test,
    codes: risk.codes,
  };
}

/**
 * Calibration: of given predictions S(horizon) on their own rows, or of a Cox model's S_i at the
 * largest horizon (its baseline and the score as linear predictor). Null when there is no horizon.
 */
async function calibrate(input, horizons, onProgress, signal) {
  const c = input.calibration;
  if (c.baseline) {
    if (horizons.length === 0) return null;
    const horizon = horizons[horizons.length - 1];
    onProgress(`Calibration at t = ${horizon}`, null, 1);
    const predicted = await coxSurvivalAt(c.baseline, input.score, [horizon]);
    const cal = await survivalCalibration({ time: input.time, event: input.event, predicted, horizon, linearPredictor: input.score });
    await checkpoint(signal);
    return cal;
  }
  onProgress(`Calibration at t = ${c.horizon}`, null, 1);
  const cal = await survivalCalibration({ time: c.time, event: c.event, predicted: c.predicted, horizon: c.horizon, groups: c.groups });
  await checkpoint(signal);
  return cal;
}
