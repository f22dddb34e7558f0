// Decision curve analysis through the WASM core (cpp/latefuse/decision_curve.hpp): the net benefit
// of treating the patients whose predicted risk is at least a threshold probability p_t, with
// treat-all (treat-none is 0). Survival outcome at a horizon t (Vickers, Cronin, Elkin & Gonen,
// BMC Med Inform Decis Mak 2008): risk = 1 - S(t | x), the Kaplan–Meier S(t) among the patients at
// or above p_t. Binary outcome (Vickers & Elkin, Med Decis Making 2006): NB = TP/n - FP/n p_t/(1 - p_t).
import { loadModule } from './module.js';
import { callCore, InputError, CancelledError } from './errors.js';

/**
 * @param {unknown} values an array or typed array of numbers (null / undefined = missing)
 * @param {string} name
 * @returns {Float64Array}
 */
function toF64(values, name) {
  if (values instanceof Float64Array) return values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    return Float64Array.from(/** @type {ArrayLike<unknown>} */ (values), (v) => (v === null || v === undefined ? NaN : Number(v)));
  }
  throw new InputError(`${name} must be an array of numbers`);
}

/**
 * The decision curve of one set of predictions.
 * @param {{time?, event?, risk?, horizon?, outcome?, probability?, outcomeType?: 'survival'|'binary',
 *          thresholds?: number[], bootstrap?: number, seed?: number, confLevel?: number,
 *          onProgress?: (fraction:number)=>boolean|void, signal?: AbortSignal}} input
 *   survival: time, event, risk (probability of the event by `horizon`, 0–1) and horizon;
 *   binary: outcome (0/1) and probability. Thresholds default to 0.01, ..., 0.99.
 * @returns {Promise<{outcome_type, horizon, n, events, thresholds, net_benefit, treat_all, treated,
 *   lower, upper, bootstrap, bootstrap_failed, beats_defaults: Array<{from, to}>, warnings}>}
 *   null where the net benefit is undefined (the follow-up of the treated ends before the horizon).
 */
export async function decisionCurve(input) {
  const m = await loadModule();
  const outcomeType = input.outcomeType ?? (input.outcome !== undefined ? 'binary' : 'survival');
  const request = { outcomeType, bootstrap: input.bootstrap ?? 0, seed: input.seed ?? 1, confLevel: input.confLevel ?? 0.95 };
  if (outcomeType === 'binary') {
    request.outcome = toF64(input.outcome, 'outcome');
    request.probability = toF64(input.probability, 'probability');
  } else {
    if (input.time === undefined || input.event === undefined) throw new InputError('decision curve: give time and event arrays');
    request.time = toF64(input.time, 'time');
    request.event = toF64(input.event, 'event');
    request.risk = toF64(input.risk, 'risk');
    request.horizon = Number(input.horizon);
  }
  if (input.thresholds) request.thresholds = toF64(input.thresholds, 'thresholds');
  if (input.onProgress || input.signal) {
    request.onProgress = (fraction) => !(input.signal?.aborted || input.onProgress?.(fraction) === false);
  }
  const out = callCore(() => m.decisionCurve(request));
  if (out && out.cancelled) throw new CancelledError('the decision-curve bootstrap was cancelled');
  return out;
}
