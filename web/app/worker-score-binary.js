// The Score tab in the worker, BINARY models (outcome.type "binary": logistic submodels and
// integrators): one patient -> the predicted probability P(y = 1) with the fused log-odds, the
// percentile among the training patients, the risk group and the integrator used (and why). Kept
// apart from worker-score.js (survival models: S(t) curves, hazard ratios) so the two evolve
// independently. The same path as `latefuse score` on a one-row CSV: a one-row table of the typed
// cells -> scoreTables; typed per-modality risk scores -> the core's scoring from scores (worker-score.js
// scorePatient, on the same cache of loaded models).
import { InputError } from '../lib/index.js';
import { modelEntry, scorePatient } from './worker-score.js';

/** A loaded binary model (the Score worker's cache of loaded models, shared with survival models). */
async function binaryModel(text, ctx) {
  const entry = await modelEntry(text, ctx);
  if (entry.summary.outcomeType !== 'binary') throw new InputError('this model predicts survival, not a binary outcome: score it as a survival model');
  return entry;
}

const first = (v) => (v && v.length ? v[0] : NaN);

/** Patient 0 of a binary predictions object. */
function binaryPatient(p, summary, typed) {
  const index = p.integratorIndex[0];
  return {
    outcomeType: 'binary',
    id: p.ids[0],
    modalities: p.modalities,
    scores: Object.fromEntries(p.modalities.map((m) => [m, first(p.scores[m])])),
    pattern: p.pattern[0],
    integrator: p.integrator[0],
    integratorIndex: index,
    integratorPatients: index >= 0 ? summary.integrators[index].patients : null,
    submodelPatients: index < 0 ? summary.modalities.find((m) => m.name === p.integrator[0])?.patients ?? null : null,
    // Training patients who have every modality of the patient's pattern (the integrators' rule).
    patternPatients: summary.training.patterns.filter((x) => p.pattern[0].split('+').every((m) => x.modalities.includes(m)))
      .reduce((a, x) => a + x.patients, 0),
    minPatternSize: summary.training.minPatternSize,
    fallback: p.fallback[0],
    note: p.note[0],
    fusedLp: first(p.fusedLp),
    logOdds: first(p.coxLp),
    probability: first(p.probability),
    percentile: first(p.percentile),
    riskGroup: p.riskGroup[0],
    riskLabel: p.riskLabel[0],
    riskLabels: summary.riskGroups?.labels ?? null,
    typed,
  };
}

/**
 * Score one patient with a binary model (payload as worker-score.js scoreOneRequest: per modality
 * the raw cells typed or a standardised risk score; a modality with nothing entered is absent).
 */
export async function scoreOneBinaryRequest({ model, patient = {} }, ctx) {
  const entry = await binaryModel(model, ctx);
  const { predictions, typed } = await scorePatient(entry, patient, ctx);
  return binaryPatient(predictions, entry.summary, typed);
}
