// Evaluation of a risk score (worker side): the payload is read and checked here (each setting
// named for its control on the page), and the evaluation itself is web/lib's evaluateScore, the
// pipeline of `latefuse evaluate` (web/cli/commands/evaluate.js), so the page and the command line
// agree for the same data, settings and seed. Shared by the Cox flow and (later) by each model of a
// late-fusion fit.
import { evaluateScore, RISK_SPLITS, InputError } from '../lib/index.js';

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
 * @param {{progress: Function, signal: AbortSignal}} ctx
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
  const split = RISK_SPLITS[payload.split] ? payload.split : 'median';
  const confLevel = payload.confLevel ?? 0.95;
  const higherIsRisk = payload.higherIsRisk ?? true;
  // Horizons typed on the page: checked here so the message points at the control.
  let horizons = null;
  if (payload.horizons && payload.horizons.length) {
    let tmin = Infinity;
    let tmax = -Infinity;
    for (const t of time) { if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
    horizons = [...new Set(payload.horizons.map(Number))].sort((a, b) => a - b);
    const bad = horizons.find((t) => !Number.isFinite(t) || t < tmin || t >= tmax);
    if (bad !== undefined) {
      throw new InputError(`the horizon ${bad} is outside the follow-up: AUC(t) needs times from ${tmin} (the shortest follow-up) up to, but not including, ${tmax} (the longest)`, { role: 'horizons' });
    }
  }

  const ev = await evaluateScore({
    time, event, score, higherIsRisk, bootstrap: replicates, permutations, seed, confLevel, horizons,
    tau: 'last-horizon', riskGroups: split, calibration: payload.baseline ? { baseline: payload.baseline } : null,
  }, { onProgress: (stage, fraction) => ctx.progress(stage, fraction), signal: ctx.signal });
  let calibrationNote = null;
  if (!payload.baseline) {
    calibrationNote = 'calibration is shown for unstratified Cox models (a stratified model has one baseline per stratum)';
  } else if (ev.horizons.length === 0) {
    calibrationNote = 'no horizon within the follow-up: give a horizon to see calibration';
  }
  const warnings = ev.horizons.length === 0 ? ['no default horizon lies within the follow-up; give horizons to get AUC(t)', ...ev.warnings] : ev.warnings;
  // snake_case keys as evaluateScore's: this object is also the report download's "evaluation".
  return {
    n,
    events: ev.events,
    higher_is_risk: higherIsRisk,
    settings: { bootstrap: replicates, permutations, seed, split, horizons: ev.horizons, horizons_default: ev.horizons_default, conf_level: confLevel },
    harrell: ev.harrell,
    permutation: ev.permutation,
    uno: ev.uno,
    auc: ev.auc,
    risk_groups: ev.risk_groups,
    calibration: ev.calibration,
    calibration_note: calibrationNote,
    warnings,
  };
}
