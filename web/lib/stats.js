// Evaluation statistics through the WASM core: Kaplan–Meier, log-rank, Uno's C,
// time-dependent AUC, Brier score, calibration, rank correlation, p-value adjustment, logistic
// regression with DeLong AUC, and seeded resampling (bootstrap, paired bootstrap, permutation test).
// Each function states its direction convention; the formulas and their R / scikit-survival
// references are documented in the C++ headers (cpp/latefuse/*.hpp). Results are the core's objects
// with snake_case keys (listed once in cpp/bindings/stats_bindings.cpp); options are camelCase.
import { loadModule } from './module.js';
import { callCore, InputError, CancelledError } from './errors.js';

/**
 * @param {any} values an array or typed array (checked here)
 * @param {string} name
 * @returns {Float64Array}
 */
function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) return Float64Array.from(/** @type {ArrayLike<any>} */ (values), (v) => (v === null || v === undefined ? NaN : Number(v)));
  throw new InputError(`${name} must be an array of numbers`);
}

function survivalRequest(input, name = 'data') {
  if (!input || input.time === undefined || input.event === undefined) {
    throw new InputError(`${name}: give time and event arrays`);
  }
  const out = { time: toF64(input.time, 'time'), event: toF64(input.event, 'event') };
  if (input.weights) out.weights = toF64(input.weights, 'weights');
  if (input.strata) out.strata = Int32Array.from(input.strata);
  return out;
}

/** Sorted distinct labels (numbers numerically, otherwise as strings) and an Int32Array of codes. */
export function groupCodes(labels) {
  const values = Array.from(labels);
  const numeric = values.every((v) => typeof v === 'number');
  const levels = [...new Set(values)].sort(numeric ? (a, b) => a - b : (a, b) => String(a).localeCompare(String(b)));
  const index = new Map(levels.map((l, i) => [l, i]));
  return { levels, codes: Int32Array.from(values, (v) => index.get(v)) };
}

// Resampling calls: onProgress(fraction) after every chunk; returning false (or an aborted
// `signal`) cancels and the promise rejects with CancelledError.
function progressOf(input) {
  const { onProgress, signal } = input;
  if (!onProgress && !signal) return undefined;
  return (fraction) => {
    if (signal?.aborted) return false;
    if (onProgress && onProgress(fraction) === false) return false;
    return true;
  };
}

function checkCancelled(result) {
  if (result && result.cancelled) throw new CancelledError('the resampling run was cancelled');
  return result;
}

/**
 * Kaplan–Meier curves (R survfit; weighted Greenwood variance), medians with CIs (R's rule), and
 * S/CI/number at risk at `times`. S is a survival probability (higher = better).
 * @param {{time, event, weights?, group?: Array<number|string>, confType?: 'log'|'log-log'|'plain',
 *          confLevel?: number, times?: number[], curve?: boolean}} input
 * @returns {Promise<{conf_type, conf_level, groups: Array<{group, code, n, records, events, median, median_lower, median_upper,
 *   at?: {time, surv, std_err, lower, upper, n_risk}, curve?: {time, n_risk, n_event, n_censor, surv, std_err, lower, upper}}>}>}
 */
export async function kaplanMeier(input) {
  const m = await loadModule();
  /** @type {Record<string, any>} */
  const request = { ...survivalRequest(input), confType: input.confType ?? 'log', confLevel: input.confLevel ?? 0.95, curve: !!input.curve };
  let levels = ['all'];
  if (input.group) {
    const g = groupCodes(input.group);
    levels = g.levels;
    request.group = g.codes;
  }
  if (input.times) request.times = toF64(input.times, 'times');
  const out = callCore(() => m.kaplanMeier(request));
  for (const g of out.groups) g.group = levels[g.code];
  return out;
}

/**
 * Log-rank test for k groups (R survdiff), optionally stratified (`strata`) and G-rho weighted.
 * @param {{time, event, group: Array<number|string>, strata?: Array<number>, rho?: number}} input
 */
export async function logRank(input) {
  const m = await loadModule();
  const g = groupCodes(input.group ?? []);
  /** @type {Record<string, any>} */
  const request = { ...survivalRequest(input), group: g.codes, rho: input.rho ?? 0 };
  if (input.strata) request.strata = groupCodes(input.strata).codes;
  const out = callCore(() => m.logRank(request));
  out.groups = out.groups.map((c) => g.levels[c]);
  return out;
}

function ipcwRequest(input) {
  /** @type {Record<string, any>} */
  const request = { ...survivalRequest(input), score: toF64(input.score, 'score'), higherIsRisk: input.higherIsRisk ?? true };
  if (input.train) request.train = survivalRequest(input.train, 'train');
  if (input.tiedTol !== undefined) request.tiedTol = input.tiedTol;
  return request;
}

/**
 * Uno's IPCW C (scikit-survival concordance_index_ipcw). `score`: higher = higher risk unless
 * higherIsRisk is false; `tau`: truncation time (omit for none); `train`: data for the censoring
 * distribution (default: the same data).
 * @returns {Promise<{c: number|null, tau: number|null, concordant: number, discordant: number, tied_risk: number}>}
 */
export async function unoConcordance(input) {
  const m = await loadModule();
  const request = ipcwRequest(input);
  if (input.tau !== undefined && input.tau !== null) request.tau = input.tau;
  return callCore(() => m.unoConcordance(request));
}

/**
 * Cumulative/dynamic AUC at `times` and its mean (scikit-survival cumulative_dynamic_auc).
 * @returns {Promise<{time: number[], auc: Array<number|null>, mean_auc: number|null}>}
 */
export async function timeDependentAuc(input) {
  const m = await loadModule();
  const request = { ...ipcwRequest(input), times: toF64(input.times, 'times') };
  return callCore(() => m.timeDependentAuc(request));
}

/**
 * Brier score at each time and the integrated Brier score (scikit-survival). `survival[k]` holds
 * every subject's predicted S(times[k]); times strictly increasing. Lower = better.
 */
export async function brierScore(input) {
  const m = await loadModule();
  /** @type {Record<string, any>} */
  const request = {
    ...survivalRequest(input),
    times: toF64(input.times, 'times'),
    survival: Array.from(input.survival ?? [], (col, k) => toF64(col, `survival column ${k + 1}`)),
  };
  if (input.train) request.train = survivalRequest(input.train, 'train');
  return callCore(() => m.brierScore(request));
}

/**
 * Calibration at a horizon: predicted (mean S_i(horizon)) vs observed (Kaplan–Meier) survival by
 * groups of predicted risk (deciles by default), and the calibration slope (Cox on the linear
 * predictor; default log(-log S_i)).
 * @returns {Promise<{horizon: number, slope: number|null, slope_se: number|null, slope_lower: number|null, slope_upper: number|null,
 *   groups: Array<{n: number, events: number, risk_low: number, risk_high: number, predicted: number|null, observed: number|null,
 *   lower: number|null, upper: number|null, n_risk: number}>}>}
 */
export async function survivalCalibration(input) {
  const m = await loadModule();
  /** @type {Record<string, any>} */
  const request = { ...survivalRequest(input), predicted: toF64(input.predicted, 'predicted'), horizon: input.horizon };
  if (input.groups !== undefined) request.groups = input.groups;
  if (input.confType) request.confType = input.confType;
  if (input.confLevel !== undefined) request.confLevel = input.confLevel;
  if (input.linearPredictor) request.linearPredictor = toF64(input.linearPredictor, 'linearPredictor');
  return callCore(() => m.survivalCalibration(request));
}

/**
 * R's quantile(x, probs, type = 7) (Hyndman & Fan 1996), computed by the core.
 * @param {ArrayLike<number>} values finite numbers, at least one
 * @param {ArrayLike<number>} probs probabilities in [0, 1]
 * @returns {Promise<number[]>} one quantile per probability
 */
export async function quantileType7(values, probs) {
  const m = await loadModule();
  return callCore(() => m.quantileType7({ x: toF64(values, 'values'), probs: toF64(probs, 'probs') }));
}

/**
 * The default horizons of an evaluation (`latefuse fuse`, `latefuse evaluate` and the page's Evaluate
 * step), the core's one rule (cpp/latefuse/horizons.hpp): the quartiles (type 7) of the event times
 * rounded to 3 significant digits (R signif), kept when > 0, min(time) <= t < max(time) — AUC(t)
 * needs patients beyond t — and increasing. Empty when there is no event or no quartile inside the
 * follow-up.
 * @param {ArrayLike<number>} time
 * @param {ArrayLike<number>} event 1 = event
 * @returns {Promise<number[]>}
 */
export async function defaultHorizons(time, event) {
  const m = await loadModule();
  return callCore(() => m.defaultHorizons({ time: toF64(time, 'time'), event: toF64(event, 'event') }));
}

/**
 * R's cut(score, unique(quantile(score, c(0, probs, 1), type = 7)), include.lowest = TRUE), by the
 * core (cpp/latefuse/risk_groups.hpp): `codes` 0..k-1 (0 = the lowest scores; a score equal to a
 * cut-point goes to the lower group) and the k - 1 distinct inner `cutpoints`. Tied quantiles merge
 * groups.
 * @param {ArrayLike<number>} score finite numbers, at least one
 * @param {ArrayLike<number>} probs increasing, in (0, 1)
 * @returns {Promise<{cutpoints: number[], codes: Int32Array}>}
 */
export async function quantileGroups(score, probs) {
  const m = await loadModule();
  return callCore(() => m.quantileGroups({ score: toF64(score, 'score'), probs: toF64(probs, 'probs') }));
}

/** Kendall's tau-b (Knight, O(n log n)) with R cor.test(exact = FALSE)'s p-value. Positive = increase together. */
export async function kendallTau(x, y) {
  const m = await loadModule();
  return callCore(() => m.kendall({ x: toF64(x, 'x'), y: toF64(y, 'y') }));
}

/** Spearman's rho with R cor.test(exact = FALSE)'s p-value. */
export async function spearmanRho(x, y) {
  const m = await loadModule();
  return callCore(() => m.spearman({ x: toF64(x, 'x'), y: toF64(y, 'y') }));
}

/**
 * Pairwise-complete rank-correlation matrices (NaN/null = missing).
 * @param {Record<string, ArrayLike<number>>} columns
 * @param {'kendall'|'spearman'} [method]
 */
export async function rankCorrelationMatrix(columns, method = 'kendall') {
  const m = await loadModule();
  const names = Object.keys(columns);
  const out = callCore(() => m.rankCorrelationMatrix({ columns: names.map((n) => toF64(columns[n], n)), names, method }));
  out.columns = names;
  return out;
}

/** R p.adjust: 'BH' (default), 'BY', 'holm', 'hochberg', 'bonferroni'. NaN/null stays missing (null). */
export async function adjustPValues(p, method = 'BH') {
  const m = await loadModule();
  return callCore(() => m.adjustPValues({ p: toF64(p, 'p'), method }));
}

/**
 * Logistic regression (IRLS; optional ridge leaving the intercept unpenalised; case weights), with
 * the DeLong AUC and the Brier score of its fitted probabilities. Positive coefficient = higher odds of y = 1.
 * @param {{y, covariates: Record<string, ArrayLike<number>>, weights?, ridge?, offset?, confLevel?, maxIter?, rotation?}} input
 *   With a ridge and more covariates than rows the fit is the exact rotated one (`rotation: false`:
 *   the direct fit); its `var` is then [] (not kept).
 * @returns {Promise<any>} {n, cases, controls, names, coef, se, z, p, or, or_lower, or_upper, var, loglik, deviance,
 *   penalty, ridge, iterations, converged, warnings, linear_predictor: Float64Array, fitted: Float64Array} with
 *   `covariates`, `auc` (binaryAuc) and `brier` added
 */
export async function fitLogistic(input) {
  const m = await loadModule();
  const names = Object.keys(input.covariates ?? {});
  const request = {
    y: toF64(input.y, 'y'),
    covariates: names.map((n) => toF64(input.covariates[n], `covariate ${n}`)),
    names,
    ridge: input.ridge ?? 0,
    confLevel: input.confLevel ?? 0.95,
  };
  if (input.weights) request.weights = toF64(input.weights, 'weights');
  if (input.offset) request.offset = toF64(input.offset, 'offset');
  if (input.maxIter !== undefined) request.maxIter = input.maxIter;
  if (input.rotation !== undefined) request.rotation = input.rotation;
  const fit = callCore(() => m.fitLogistic(request));
  fit.covariates = names;
  fit.auc = callCore(() => m.binaryAuc({ y: request.y, score: fit.linear_predictor, confLevel: request.confLevel }));
  fit.brier = callCore(() => m.binaryBrier({ y: request.y, prob: fit.fitted, ...(request.weights ? { weights: request.weights } : {}) }));
  return fit;
}

/** Mann–Whitney AUC with DeLong SE and CI (higher score = more likely y = 1). */
export async function binaryAuc({ y, score, confLevel = 0.95 }) {
  const m = await loadModule();
  return callCore(() => m.binaryAuc({ y: toF64(y, 'y'), score: toF64(score, 'score'), confLevel }));
}

/**
 * Logistic calibration of a linear predictor: intercept (calibration-in-the-large) and slope.
 * @returns {Promise<{intercept: number|null, intercept_se: number|null, slope: number|null, slope_se: number|null}>}
 */
export async function logisticCalibration({ y, lp, weights }) {
  const m = await loadModule();
  const request = { y: toF64(y, 'y'), lp: toF64(lp, 'lp') };
  if (weights) request.weights = toF64(weights, 'weights');
  return callCore(() => m.logisticCalibration(request));
}

function resamplingRequest(input) {
  const request = { ...input };
  delete request.signal;
  for (const key of ['time', 'event', 'weights', 'score', 'scoreA', 'scoreB', 'x', 'y', 'times']) {
    if (input[key] !== undefined) request[key] = toF64(input[key], key);
  }
  if (input.strata) request.strata = Int32Array.from(input.strata);
  const progress = progressOf(input);
  if (progress) request.onProgress = progress; else delete request.onProgress;
  return request;
}

/**
 * Seeded nonparametric bootstrap of a statistic: percentile interval (R boot norm.inter) and,
 * with `bca: true`, the BCa interval (jackknife influence values).
 * statistic: 'harrell' | 'uno' | 'auc' | 'mean_auc' (survival data + score) | 'kendall' | 'spearman'
 * (x, y) | 'binary_auc' (y, score) | 'km_surv' (survival data + t).
 * Options: replicates (1000), seed (1), confLevel (0.95), chunk (50), onProgress(fraction) -> false cancels, signal.
 * @returns {Promise<any>} {estimate, replicates: Float64Array, failed, se, bias, lower, upper, bca_lower, bca_upper, z0,
 *   acceleration, conf_level, seed, warnings}
 */
export async function bootstrap(input) {
  const m = await loadModule();
  return checkCancelled(callCore(() => m.statsBootstrap(resamplingRequest(input))));
}

/**
 * Paired bootstrap of statistic(scoreA) - statistic(scoreB) on the same resamples (same patients).
 * @returns {Promise<any>} {estimate_a, estimate_b, difference: bootstrap's result}
 */
export async function pairedBootstrap(input) {
  const m = await loadModule();
  return checkCancelled(callCore(() => m.statsPairedBootstrap(resamplingRequest(input))));
}

/**
 * Permutation test: the score (or y) is permuted; b = #{|T* - center| >= |T - center|},
 * p = (b + 1)/(m + 1). center defaults to 0.5 for C-indices and AUCs, 0 for correlations.
 */
export async function permutationTest(input) {
  const m = await loadModule();
  return checkCancelled(callCore(() => m.statsPermutationTest(resamplingRequest(input))));
}

/** The first draws of the seeded generator (for native-vs-WASM agreement checks). */
export async function randomDraws(seed, count = 5, bound = 227) {
  const m = await loadModule();
  return callCore(() => m.statsRandomDraws({ seed, count, bound }));
}

/**
 * The mean of paired differences a_i - b_i (pairs with a NaN left out) with its Student t interval
 * and two-sided p, as R t.test(a, b, paired = TRUE): {n, mean, sd, lower, upper, p} (NaN where n < 2).
 * @param {{a: ArrayLike<number>, b: ArrayLike<number>, confLevel?: number}} input
 */
export async function pairedDifference({ a, b, confLevel = 0.95 }) {
  const m = await loadModule();
  return callCore(() => m.pairedDifference({ a: Float64Array.from(a), b: Float64Array.from(b), confLevel }));
}
