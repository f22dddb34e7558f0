// Cox proportional hazards and Harrell's concordance through the WASM core.
// Conventions: the linear predictor is (x - means)'beta; higher = higher hazard = shorter survival.
import { loadModule } from './module.js';
import { callCore, InputError } from './errors.js';

/**
 * @param {any} values an array or typed array (checked here)
 * @param {string} name
 * @returns {Float64Array}
 */
function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) return Float64Array.from(/** @type {ArrayLike<any>} */ (values));
  throw new InputError(`${name} must be an array of numbers`);
}

/**
 * Covariates written straight into the core's memory: n rows x the named columns. Give it to fitCox as
 * `covariates` and the fit takes it without copying it at the call (at n = 1e5 and 20 covariates that
 * is 16 MB of fresh memory a first fit no longer fills). `column(name)` is a Float64Array over the
 * core's memory: fill it at once, since a later call into the core may move that memory and leave the
 * array empty. A block serves one fit; `free()` drops one that is not fitted.
 */
export class CovariateBlock {
  #module;
  #id;
  /** @param {any} module @param {number} id @param {number} rows @param {string[]} names */
  constructor(module, id, rows, names) {
    this.#module = module;
    this.#id = id;
    this.rows = rows;
    this.names = names;
    this.index = new Map(names.map((n, j) => [n, j]));
  }

  /** The block's number in the core, while it is neither fitted nor freed. */
  get id() {
    if (this.#id === null) throw new InputError('this covariate block was fitted or freed already; make a new one per fit');
    return this.#id;
  }

  /** @param {string} name @returns {Float64Array} */
  column(name) {
    const j = this.index.get(name);
    if (j === undefined) throw new InputError(`the covariate block has no column "${name}" (its columns: ${this.names.join(', ')})`);
    const id = this.id;
    return callCore(() => this.#module.covariateColumn(id, j));
  }

  /** Drops the block (nothing happens in the core if a fit has taken it already). */
  free() {
    if (this.#id !== null) this.#module.freeCovariateBlock(this.#id);
    this.#id = null;
  }
}

/**
 * A covariate block of `rows` rows and one column per name (values unset until filled).
 * @param {number} rows @param {string[]} names @returns {Promise<CovariateBlock>}
 */
export async function covariateBlock(rows, names) {
  if (new Set(names).size !== names.length) throw new InputError('covariate names must be distinct');
  const m = await loadModule();
  return new CovariateBlock(m, callCore(() => m.newCovariateBlock(rows, names.length)), rows, [...names]);
}

// {time, event, weights?, covariates: {name: values} | CovariateBlock} -> the core's request (covariates
// as an array of Float64Array columns in key order, or the block's id; their names alongside), other
// options passed through.
function covariateRequest(input) {
  const block = input.covariates instanceof CovariateBlock ? input.covariates : null;
  const names = block ? block.names : Object.keys(input.covariates ?? {});
  const request = {
    ...input,
    time: toF64(input.time, 'time'),
    event: toF64(input.event, 'event'),
    covariates: block ? [] : names.map((n) => toF64(input.covariates[n], `covariate ${n}`)),
    names,
  };
  if (input.weights) request.weights = toF64(input.weights, 'weights');
  if (block) request.covariateBlock = block.id;
  return { request, names };
}

// A typed array as a plain array, and a flat row-major one as rows of plain arrays. Indexed loops:
// Array.from goes through the iterator protocol, ~25x slower here (the baseline of a fit on 1e5
// subjects has ~8,000 rows x 20 covariates).
function plainArray(values) {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function plainRows(flat, rows, cols) {
  const out = new Array(rows);
  for (let k = 0; k < rows; k++) {
    const row = new Array(cols);
    for (let j = 0; j < cols; j++) row[j] = flat[k * cols + j];
    out[k] = row;
  }
  return out;
}

/**
 * Fit a Cox model.
 * @param {{time: ArrayLike<number>, event: ArrayLike<number>, covariates: Record<string, ArrayLike<number>> | CovariateBlock,
 *          weights?: ArrayLike<number>, strata?: ArrayLike<number>, ties?: 'efron'|'breslow', robust?: boolean,
 *          ridgeTheta?: number, ridgeScale?: boolean, penalizer?: number, maxIter?: number, eps?: number,
 *          rotation?: boolean,
 *          predict?: {x: number[], times: number[], stratum?: number}, survivalTimes?: number[]}} input
 *   `covariates` may be a CovariateBlock (covariateBlock): the fit takes it, with no copy at the call.
 *   With `survivalTimes`, the result has `survival_at`: Float64Array of n x T predicted S_i(t) for the
 *   training rows (row-major), from R's survfit.coxph baseline (Efron or Breslow, as the ties).
 *   A ridge fit with more covariates than subjects runs on the exact rotated design (README
 *   "Conventions"; `rotation: false` forces the direct p x p fit): then `var` and
 *   `baseline.xbar_hazard` are [] (not kept) and predicted S(t) has no interval.
 * @returns the fit under snake_case keys (options above are camelCase): n, events, ties, coef, se, means,
 *   var, hr, hr_lower, hr_upper, z, p (robust: robust_se, robust_var, robust_wald_test/_p,
 *   robust_score_test/_p), redundant, loglik_init, loglik, penalty, theta, lr_test, lr_df, lr_p,
 *   score_test, score_p, wald_test, wald_p, iterations, converged, warnings, linear_predictor
 *   (Float64Array), concordance, baseline {time, stratum, hazard, var_hazard, xbar_hazard, n_risk, n_event},
 *   covariates, and survival_at / prediction {time, surv, se, lower, upper, cumhaz} when asked for.
 */
export async function fitCox(input) {
  const m = await loadModule();
  // A covariate block serves this fit whatever happens: afterwards it is gone (taken by the core, or
  // dropped here if an input error came first).
  const block = input.covariates instanceof CovariateBlock ? input.covariates : null;
  let names;
  let fit;
  try {
    let request;
    ({ request, names } = covariateRequest(input));
    if (input.strata) request.strata = Int32Array.from(input.strata);
    if (input.survivalTimes) request.survivalTimes = toF64(input.survivalTimes, 'survivalTimes');
    fit = callCore(() => m.fitCox(request));
  } finally {
    block?.free();
  }
  fit.covariates = names;
  // The baseline hazard as plain arrays (JSON-friendly; xbar_hazard arrives flat, row-major, K x p),
  // made when it is first read: a caller that never reads it (latefuse cox) does not wait for the
  // ~200,000 numbers of a fit on 1e5 subjects. An ordinary enumerable property to every reader
  // (JSON.stringify, spreading, structured cloning to the page all read it).
  const b = fit.baseline;
  /** @type {any} */
  let baseline;
  Object.defineProperty(fit, 'baseline', {
    enumerable: true,
    configurable: true,
    get: () => (baseline ??= {
      time: plainArray(b.time),
      stratum: plainArray(b.stratum),
      hazard: plainArray(b.hazard),
      var_hazard: plainArray(b.var_hazard),
      xbar_hazard: b.xbar_hazard.length === 0 ? [] : plainRows(b.xbar_hazard, b.time.length, names.length),
      n_risk: plainArray(b.n_risk),
      n_event: plainArray(b.n_event),
    }),
    set: (value) => { baseline = value; },
  });
  return fit;
}

/**
 * Harrell's C with R's counts. `higherIsRisk` (default true): a higher score predicts shorter survival.
 * @param {{time: ArrayLike<number>, event: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>,
 *          strata?: ArrayLike<number>, higherIsRisk?: boolean}} input
 * @returns {Promise<{c: number|null, concordant: number, discordant: number, tied_score: number, tied_time: number,
 *          tied_time_score: number, comparable: number}>} R's counts (tied_score: tied on the score only; tied_time:
 *          on the event time only; tied_time_score: on both)
 */
export async function concordance(input) {
  const m = await loadModule();
  const request = {
    time: toF64(input.time, 'time'),
    event: toF64(input.event, 'event'),
    score: toF64(input.score, 'score'),
    higherIsRisk: input.higherIsRisk ?? true,
  };
  if (input.weights) request.weights = toF64(input.weights, 'weights');
  if (input.strata) request.strata = Int32Array.from(input.strata);
  return callCore(() => m.concordance(request));
}

/**
 * Predicted survival S_i(t) = exp(-Lambda0(t) exp(lp_i)) for many patients from a fitted model's
 * baseline ({time, hazard, stratum?} as returned in fit.baseline) and centred linear predictors
 * (fit.linear_predictor for the training rows). Returns Float64Array n x T, row-major.
 */
export async function coxSurvivalAt(baseline, lp, times, strata) {
  const m = await loadModule();
  const request = {
    time: toF64(baseline.time, 'baseline time'),
    hazard: toF64(baseline.hazard, 'baseline hazard'),
    lp: toF64(lp, 'linear predictor'),
    times: toF64(times, 'times'),
  };
  if (baseline.stratum) request.stratum = Int32Array.from(baseline.stratum);
  if (strata) request.strata = Int32Array.from(strata);
  return callCore(() => m.coxSurvivalAt(request));
}

export async function coreVersion() {
  const m = await loadModule();
  return m.version();
}

function elasticNetRequest(input) {
  const { request, names } = covariateRequest(input);
  if (input.lambda) request.lambda = toF64(input.lambda, 'lambda');
  if (input.penaltyFactor) request.penaltyFactor = toF64(input.penaltyFactor, 'penaltyFactor');
  if (input.foldId) request.foldId = Int32Array.from(input.foldId);
  return { request, names };
}

/**
 * Elastic-net Cox path (glmnet's coxnet; see cpp/latefuse/elastic_net.hpp).
 * @param {{time, event, covariates: Record<string, ArrayLike<number>>, weights?, alpha?: number, standardize?: boolean,
 *          nLambda?: number, lambdaMinRatio?: number, lambda?: ArrayLike<number>, penaltyFactor?: ArrayLike<number>,
 *          thresh?: number, maxPasses?: number, solver?: 'newton'|'glmnet'}} input
 * @returns the path: lambda, beta (Float64Array p x L, column k = lambda k), dev_ratio, df, null_deviance, passes, covariates.
 */
export async function fitElasticNetCox(input) {
  const m = await loadModule();
  const { request, names } = elasticNetRequest(input);
  const fit = callCore(() => m.fitElasticNetCox(request));
  fit.covariates = names;
  return fit;
}

/**
 * K-fold cross-validated elastic-net Cox (cv.glmnet, type.measure = "deviance"): fit on the full data, folds
 * on the same lambdas. Options as fitElasticNetCox plus folds?, seed?, stratified?, foldId? (0-based),
 * grouped?, rule?: 'min'|'1se'. Returns {fit, cvm, cvsd, fold_weight, fold_id, index_min, index_1se, index_chosen, lambda_min, lambda_1se,
 * lambda_chosen, coefficients, grouped, warnings}.
 */
export async function cvElasticNetCox(input) {
  const m = await loadModule();
  const { request, names } = elasticNetRequest(input);
  const cv = callCore(() => m.cvElasticNetCox(request));
  cv.fit.covariates = names;
  return cv;
}
