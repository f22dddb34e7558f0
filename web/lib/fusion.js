// The late-fusion engine through the WASM core. For now: the seeded cohort simulator.
// Direction convention of everything simulated: the true linear predictor and every informative
// feature are risks (higher = shorter survival). The generative model is documented in
// cpp/latefuse/simulator.hpp.
import { loadModule } from './module.js';
import { callCore, InputError } from './errors.js';

const PER_MODALITY = ['availability', 'signal', 'features', 'signalFeatures', 'noise'];
const NUMBERS = ['n', 'seed', 'complete', 'correlation', 'interaction', 'censoring', 'medianSurvival', 'weibullShape', 'cellMissing',
  'intercept', 'missingNotAtRandom'];

/**
 * Simulate a multimodal survival cohort, or with outcome 'binary' a binary-outcome cohort
 * (y ~ Bernoulli(logistic(intercept + the same true risk)); CSV id,y,<columns>). The same options and
 * seed give the same CSV bytes in every browser, in Node and in the native build.
 * @param {{preset?: 'hgsoc', n?: number, seed?: number, availability?: Record<string, number>, complete?: number,
 *          signal?: number|Record<string, number>, features?: number|Record<string, number>,
 *          signalFeatures?: number|Record<string, number>, noise?: number|Record<string, number>,
 *          correlation?: number, interaction?: number, interactionBetween?: [string, string], censoring?: number,
 *          medianSurvival?: number, weibullShape?: number, cellMissing?: number, outcome?: 'survival'|'binary',
 *          intercept?: number, missingNotAtRandom?: number}} [options]
 *   missingNotAtRandom: 0 (default) = who has which modalities is independent of risk; s > 0 = the
 *   higher a patient's risk, the fewer modalities they tend to have (simulator.hpp).
 * @returns {Promise<{seed: number, n: number, outcome: 'survival'|'binary', events?: number, censored?: number,
 *          cases?: number, controls?: number, intercept?: number, complete: number,
 *          modalities: Array<{name, available, features, signal_features, signal, noise}>,
 *          patterns: Array<{modalities: string[], patients: number}>, columns: string[], correlation, interaction,
 *          interaction_between?: [string, string], censoring, median_survival, weibull_shape, missing_cells,
 *          missing_not_at_random, csv: string}>} the settings used, under snake_case keys (options are camelCase)
 */
export async function simulate(options = {}) {
  if (options === null || typeof options !== 'object') throw new InputError('simulate: options must be an object');
  const request = { preset: options.preset ?? 'hgsoc' };
  for (const key of NUMBERS) {
    if (options[key] === undefined) continue;
    if (typeof options[key] !== 'number') throw new InputError(`simulate: ${key} must be a number`);
    request[key] = options[key];
  }
  for (const key of PER_MODALITY) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' && (v === null || typeof v !== 'object' || Array.isArray(v))) {
      throw new InputError(`simulate: ${key} must be a number or an object {modality: number}`);
    }
    request[key] = v;
  }
  if (options.outcome !== undefined) {
    if (options.outcome !== 'survival' && options.outcome !== 'binary') throw new InputError('simulate: outcome must be survival or binary');
    request.outcome = options.outcome;
  }
  if (options.interactionBetween !== undefined) request.interactionBetween = Array.from(options.interactionBetween, String);
  const m = await loadModule();
  return callCore(() => m.simulate(request));
}
