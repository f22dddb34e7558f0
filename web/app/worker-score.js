// The Score tab in the worker: check a model file, score one patient (raw features and/or typed
// per-modality risk scores) and score many patients from CSV files. Every number comes from the
// WebAssembly core through web/lib/model.js (loadScoringModel: a model parsed and validated once,
// then ScoringModel.scoreTables / scoreFromScores; predictionsCsv); this module only builds the
// inputs, picks the fields and keeps a small cache of loaded models. Requests carry the model text,
// so they need no other worker state (a restart after a hard Cancel loses nothing but the cache).
//
// One patient goes through the same path as `latefuse score` on a one-row CSV (a one-row table of
// the typed cells -> scoreTables), so the page shows the CLI's numbers. S(t) is drawn as a curve by
// asking the core for S(t) with its CI at every baseline event time (the `times` scoring option:
// 0, the horizons and summary.baseline_times), up to the last event time of the model used; the
// values at the model's own horizons are those of `latefuse score` (the e2e tests compare them).
// Many patients: the core skips a patient with no modality (skipUnscorable) and lists it.
// A binary model (summary.outcome_type 'binary') goes the same way and gives the probability P(y = 1)
// with the fused log-odds instead of the hazard ratio and S(t) (PATIENT_FIELDS).
import { tableFromRows, InputError } from '../lib/index.js';
import { loadScoringModel, predictionsCsv } from '../lib/model.js';
import { readTable } from './worker-read.js';
import { modelInputs } from './score-inputs.js';

/** Loaded models by text (a few: the shipped ones, the fitted one, an uploaded one). */
const cache = new Map();
const CACHE_SIZE = 4;

async function modelEntry(text, ctx) {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError('no model chosen: pick a model first');
  let entry = cache.get(text);
  if (!entry) {
    ctx?.progress('Checking the model file', null);
    const model = await loadScoringModel(text);
    entry = { text, model, summary: model.summary, curve: null };
    cache.set(text, entry);
    while (cache.size > CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      cache.get(oldest).model.dispose();
      cache.delete(oldest);
    }
  }
  return entry;
}

/**
 * The times of the S(t) curve (0, the horizons and every baseline event time, sorted; none for a
 * binary model) and, per integrator and per modality submodel, the last event time of its baseline
 * (beyond it S(t) is not estimated).
 */
function curveOf(entry) {
  if (!entry.curve) {
    const s = entry.summary;
    const survival = s.outcome_type !== 'binary';
    entry.curve = {
      times: survival ? [...new Set([0, ...s.horizons, ...s.baseline_times])].sort((a, b) => a - b) : [],
      horizons: [...s.horizons],
      lastTime: {
        integrators: s.integrators.map((i) => i.last_event_time ?? 0),
        modalities: Object.fromEntries(s.modalities.map((m) => [m.name, m.last_event_time ?? 0])),
      },
    };
  }
  return entry.curve;
}

/** Check a model file (the core names the JSON path of the first problem) and summarise it. */
export async function scoreModelInfoRequest({ model }, ctx) {
  const entry = await modelEntry(model, ctx);
  return { summary: entry.summary };
}

const first = (v) => (v && v.length ? v[0] : NaN);

/**
 * What one patient's result holds beyond the fields every outcome shares: for a survival model the
 * hazard ratio and the whole S(t) curve (up to the last event time of the model used) with its
 * values at the horizons; for a binary model the probability P(y = 1) and the log-odds behind it.
 * `times`: the scoring option the family needs (S(t) at every baseline event time, or none).
 */
const PATIENT_FIELDS = {
  survival: {
    times: (entry) => ({ times: curveOf(entry).times }),
    fields(p, entry) {
      const curve = curveOf(entry);
      const index = p.integrator_index[0];
      const lastTime = index >= 0 ? curve.lastTime.integrators[index] : curve.lastTime.modalities[p.integrator[0]];
      const points = p.survival_at_times.filter((h) => h.time <= lastTime);
      return {
        coxLp: first(p.cox_lp),
        hazardRatio: first(p.hazard_ratio),
        earlyLp: first(p.early_lp),
        timeUnit: p.time_unit,
        lastTime,
        curve: {
          time: points.map((h) => h.time),
          surv: points.map((h) => h.surv[0]),
          lower: points.map((h) => h.lower[0]),
          upper: points.map((h) => h.upper[0]),
        },
        horizons: p.survival.map((h) => ({ time: h.time, surv: h.surv[0], lower: h.lower[0], upper: h.upper[0] })),
      };
    },
  },
  binary: {
    times: () => ({}),
    // The scoring output's linear-predictor column holds the fused log-odds for a binary model.
    fields: (p) => ({ outcomeType: 'binary', logOdds: first(p.cox_lp), probability: first(p.probability) }),
  },
};

/**
 * Patient 0 of a predictions object: the fields every outcome shares, then its family's. A view
 * model read only by score-one.js (camelCase JS, like the other view models); what the user takes
 * away is the CSV it writes, whose columns are `latefuse score`'s snake_case ones.
 */
function patientResult(p, entry, family, typed) {
  const s = entry.summary;
  const index = p.integrator_index[0];
  // Training patients who have every modality of the patient's pattern (the integrators' rule).
  const own = p.pattern[0].split('+');
  const patternPatients = s.training.patterns.filter((x) => own.every((m) => x.modalities.includes(m))).reduce((a, x) => a + x.patients, 0);
  return {
    id: p.ids[0],
    modalities: p.modalities,
    scores: Object.fromEntries(p.modalities.map((m) => [m, first(p.scores[m])])),
    pattern: p.pattern[0],
    integrator: p.integrator[0],
    integratorIndex: index,
    integratorPatients: index >= 0 ? s.integrators[index].patients : null,
    submodelPatients: index < 0 ? s.modalities.find((m) => m.name === p.integrator[0])?.patients ?? null : null,
    patternPatients,
    minPatternSize: s.training.min_pattern_size,
    fallback: p.fallback[0],
    note: p.note[0],
    fusedLp: first(p.fused_lp),
    // Each modality's share of the fused score (web/lib/model.js predictions `contributions`:
    // {modality: Float64Array}, = `latefuse score`'s <modality>_contribution columns), when the core gives them.
    ...(p.contributions ? { contributions: Object.fromEntries(p.modalities.map((m) => [m, first(p.contributions[m])])) } : {}),
    percentile: first(p.percentile),
    risk: first(p.risk),
    referenceHorizon: p.reference_horizon,
    contributions: Object.fromEntries(p.modalities.map((m) => [m, first(p.contributions[m])])),
    riskGroup: p.risk_group[0],
    riskLabel: p.risk_label[0],
    riskLabels: s.risk_groups?.labels ?? null,
    ...family.fields(p, entry),
    typed,
  };
}

/**
 * Score one patient, with a survival or a binary model (summary.outcome_type).
 * @param {{model: string, patient: Record<string, {mode: 'raw', values: Record<string, string>} | {mode: 'score', value: number|string}>}} payload
 *   per modality: the raw cells typed (strings, '' = empty; a category's level) or a standardised
 *   risk score typed directly; a modality with nothing entered is absent.
 */
export async function scoreOneRequest({ model, patient = {} }, ctx) {
  const entry = await modelEntry(model, ctx);
  const family = PATIENT_FIELDS[entry.summary.outcome_type === 'binary' ? 'binary' : 'survival'];
  const { predictions, typed } = await scorePatient(entry, patient, ctx, family.times(entry));
  return patientResult(predictions, entry, family, typed);
}

/**
 * One patient's predictions from a loaded model (either outcome type): the raw cells through
 * scoreTables (as `latefuse score` on a one-row CSV); with typed per-modality scores, those and the
 * standardised scores of the modalities entered as features through the core's scoring from scores.
 * @returns {Promise<{predictions: object, typed: string[]}>} typed: the modalities given as scores
 */
async function scorePatient(entry, patient, ctx, options = {}) {
  const inputs = modelInputs(entry.summary);
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
    const table = tableFromRows('patient', header, [row]);
    try {
      fromRaw = entry.model.scoreTables([table], options);
    } catch (error) {
      if (!/has no modality/.test(error.message)) throw error;
      // Only possible under the presence rule 'all' (a modality with some fields empty is absent).
      if (Object.keys(typed).length === 0) {
        throw new InputError(`no modality is complete: this model counts a modality only when ${entry.summary.presence === 'all' ? 'every one of its fields is' : 'at least one of its fields is'} filled in`);
      }
    }
  }
  if (Object.keys(typed).length === 0) return { predictions: fromRaw, typed: [] };
  const scores = { ...typed };
  if (fromRaw) for (const m of raw) scores[m] = [first(fromRaw.scores[m])];
  return { predictions: entry.model.scoreFromScores({ scores }, options), typed: Object.keys(typed) };
}

/** Headers and row counts of the patient files (for the ID column choice). */
export async function scoreInspectRequest({ files = [] }, ctx) {
  const out = [];
  for (const f of files) {
    const table = await readTable(f, ctx);
    await ctx.checkpoint();
    out.push({ name: f.name, header: table.header, rowCount: table.rowCount });
  }
  return { files: out };
}

/**
 * Score the patients of one or more files: `latefuse score --data F [--data G ...] [--id COL]`
 * (idRequired = an ID column was chosen, as --id). Patients with no modality are skipped and listed.
 * @returns {Promise<{csv: string, predictions: object, unscorable: Array<{id: string, index: number, reason: string}>, warnings: string[], patterns: object[], files: string[]}>}
 */
export async function scoreBatchRequest({ model, files = [], idColumn = 'id', idRequired = false }, ctx) {
  const entry = await modelEntry(model, ctx);
  if (!files.length) throw new InputError('no patient file: choose one or more CSV/TSV files');
  const tables = [];
  for (const f of files) {
    tables.push(await readTable(f, ctx));
    await ctx.checkpoint();
  }
  ctx.progress(`Scoring the patients of ${files.map((f) => f.name).join(', ')}`, null);
  await ctx.checkpoint();
  const p = entry.model.scoreTables(tables, { idColumn, idRequired, skipUnscorable: true });
  await ctx.checkpoint();
  const csv = predictionsCsv(p);
  const patterns = new Map();
  for (let i = 0; i < p.ids.length; i++) {
    if (!patterns.has(p.pattern[i])) patterns.set(p.pattern[i], { pattern: p.pattern[i], patients: 0, integrator: p.integrator[i], fallback: p.fallback[i] });
    patterns.get(p.pattern[i]).patients += 1;
  }
  // The columns the page shows (score-batch.js), under the core's keys; binary models show the
  // probability instead of HR and S(t).
  const keep = ['ids', 'modalities', 'pattern', 'integrator', 'fallback', 'note', 'scores', 'fused_lp', 'hazard_ratio', 'percentile',
    'risk_label', 'survival', 'time_unit', 'outcome_type', 'probability'];
  const predictions = Object.fromEntries(keep.map((k) => [k, p[k]]));
  return { csv, predictions, unscorable: p.unscorable, warnings: p.warnings ?? [], patterns: [...patterns.values()], files: files.map((f) => f.name) };
}
