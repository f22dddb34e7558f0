// The Score tab in the worker, BINARY models (outcome.type "binary": logistic submodels and
// integrators): one patient -> the predicted probability P(y = 1) with the fused log-odds, the
// percentile among the training patients, the risk group and the integrator used (and why). Kept
// apart from worker-score.js (survival models: S(t) curves, hazard ratios) so the two evolve
// independently. The same path as `latefuse score` on a one-row CSV: a one-row table of the typed
// cells -> web/lib scoreTables; typed per-modality risk scores -> scoreModelFromScores.
import { tableFromRows, InputError } from '../lib/index.js';
import { validateModel, scoreTables, scoreModelFromScores } from '../lib/model.js';
import { modelInputs } from './score-inputs.js';

/** Checked binary models by text (the page sends the model text with every request). */
const cache = new Map();
const CACHE_SIZE = 3;

async function binaryModel(text, ctx) {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError('no model chosen: pick a model first');
  let summary = cache.get(text);
  if (!summary) {
    ctx?.progress('Checking the model file', null);
    summary = await validateModel(text);
    cache.set(text, summary);
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
  }
  if (summary.outcomeType !== 'binary') throw new InputError('this model predicts survival, not a binary outcome: score it as a survival model');
  return summary;
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
    patternPatients: summary.training.patterns.find((x) => x.modalities.join('+') === p.pattern[0])?.patients ?? 0,
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
  const summary = await binaryModel(model, ctx);
  const inputs = modelInputs(summary);
  const header = inputs.flatMap((m) => m.fields.map((f) => f.column));
  const row = [];
  const raw = [];
  const typed = {};
  for (const m of inputs) {
    const given = patient[m.name];
    const isScore = given?.mode === 'score' && String(given.value ?? '').trim() !== '';
    if (isScore) {
      const v = Number(String(given.value).trim());
      if (!Number.isFinite(v)) throw new InputError(`${m.name}: the risk score "${given.value}" is not a number`, { column: m.name });
      typed[m.name] = [v];
    }
    let any = false;
    for (const f of m.fields) {
      const cell = !isScore && given?.mode === 'raw' ? String(given.values?.[f.column] ?? '').trim() : '';
      if (cell !== '') any = true;
      row.push(cell);
    }
    if (any) raw.push(m.name);
  }
  if (raw.length === 0 && Object.keys(typed).length === 0) {
    throw new InputError('nothing entered: fill in at least one modality (its values or its risk score)');
  }
  ctx.progress('Scoring the patient', null);
  await ctx.checkpoint();
  let fromRaw = null;
  if (raw.length) {
    try {
      fromRaw = await scoreTables(model, [tableFromRows('patient', header, [row])], { summary });
    } catch (error) {
      if (!/has no modality/.test(error.message)) throw error;
      if (Object.keys(typed).length === 0) {
        throw new InputError(`no modality is complete: this model counts a modality only when ${summary.presence === 'all' ? 'every one of its fields is' : 'at least one of its fields is'} filled in`);
      }
    }
  }
  if (Object.keys(typed).length === 0) return binaryPatient(fromRaw, summary, []);
  const scores = { ...typed };
  if (fromRaw) for (const m of raw) scores[m] = [first(fromRaw.scores[m])];
  return binaryPatient(await scoreModelFromScores(model, { scores }), summary, Object.keys(typed));
}
