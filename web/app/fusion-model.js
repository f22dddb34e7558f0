// The late-fusion report (web/lib fitAndEvaluateFusion; the core's `latefuse-fusion-report` JSON,
// cpp/latefuse/fusion_report.hpp) read into the plain objects the page draws. Picking fields only:
// no number is computed here. Keys are snake_case, the one spelling of everything the core returns.
// Used in the worker (per-seed rows of the Learn tab) and on the page (fusion-view.js). The binary
// fields (cpp/latefuse/fusion_report.hpp "Binary outcomes") and the elastic-net selection of the
// model file are read by readBinaryReport and readModelFile at the end of this file.

import { finiteOrNull } from '../lib/numbers.js';

/** obj[key]; null for NaN (the core writes NaN as null). */
export function pick(obj, key, fallback = null) {
  if (!obj || typeof obj !== 'object') return fallback;
  const v = obj[key];
  if (v === undefined) return fallback;
  return typeof v === 'number' && Number.isNaN(v) ? null : v;
}
const list = (v) => (Array.isArray(v) ? v : ArrayBuffer.isView(v) ? Array.from(/** @type {Float64Array} */ (v)) : []);

/** The report inside whatever the engine returned ({report, model} or the report itself). */
export function reportOf(result) {
  if (!result || typeof result !== 'object') return null;
  if (result.report && typeof result.report === 'object') return result.report;
  return result;
}
/**
 * The model file the engine returned with the report, as text (the core writes it: the download is
 * byte for byte the file `latefuse fuse --model-out` writes), or null with the engine's reason.
 */
export function modelTextOf(result) {
  const m = result && typeof result === 'object' ? (result.model_json ?? result.modelJson ?? result.model ?? null) : null;
  if (typeof m === 'string') return { text: m, error: null };
  if (m && typeof m === 'object') return { text: `${JSON.stringify(m, null, 2)}\n`, error: null };
  return { text: null, error: result?.model_json_error ?? result?.modelJsonError ?? null };
}

/** The report without the model file text (what the report download holds). */
export function reportDocumentOf(result) {
  const r = reportOf(result);
  if (!r || typeof r !== 'object') return r;
  const { model_json: _m, model_json_error: _e, modelJson: _m2, modelJsonError: _e2, ...rest } = r;
  return rest;
}

function subset(s) {
  if (!s) return null;
  return {
    n: finiteOrNull(pick(s, 'n')),
    events: finiteOrNull(pick(s, 'events')),
    c: finiteOrNull(pick(s, 'c')),
    lower: finiteOrNull(pick(s, 'c_lower')),
    upper: finiteOrNull(pick(s, 'c_upper')),
    p: finiteOrNull(pick(s, 'permutation_p')),
    uno: finiteOrNull(pick(s, 'uno_c')),
    ibs: finiteOrNull(pick(s, 'ibs')),
    auc: list(pick(s, 'auc')).map((a) => ({ time: finiteOrNull(pick(a, 'time')), auc: finiteOrNull(pick(a, 'auc')) })),
    warnings: list(pick(s, 'warnings')),
  };
}

function groupSet(set) {
  if (!set) return null;
  return {
    groups: list(pick(set, 'groups')).map((g) => ({
      label: String(pick(g, 'label', '')),
      n: finiteOrNull(pick(g, 'n')),
      events: finiteOrNull(pick(g, 'events')),
      median: finiteOrNull(pick(g, 'median')),
      medianLower: finiteOrNull(pick(g, 'median_lower')),
      medianUpper: finiteOrNull(pick(g, 'median_upper')),
      survivalAt: list(pick(g, 'survival_at')).map((a) => ({ time: finiteOrNull(pick(a, 'time')), surv: finiteOrNull(pick(a, 'surv')), lower: finiteOrNull(pick(a, 'lower')), upper: finiteOrNull(pick(a, 'upper')) })),
    })),
    chisq: finiteOrNull(pick(set, 'logrank_chisq')),
    df: finiteOrNull(pick(set, 'logrank_df')),
    p: finiteOrNull(pick(set, 'logrank_p')),
    warnings: list(pick(set, 'warnings')),
  };
}

const matrix = (m) => list(m).map((row) => list(row).map(finiteOrNull));

/** The whole report as the page's view model. */
export function readReport(result) {
  const r = reportOf(result);
  if (!r) return null;
  const split = pick(r, 'split', {});
  const rg = pick(r, 'risk_groups', {});
  const kendall = pick(r, 'kendall', {});
  const patterns = pick(r, 'patterns', {});
  const patients = pick(r, 'test_patients', {});
  const readPatterns = (ps) => list(ps).map((p) => ({
    modalities: list(pick(p, 'modalities')).map(String),
    patients: finiteOrNull(pick(p, 'patients')),
    events: finiteOrNull(pick(p, 'events')),
    integrator: !!pick(p, 'integrator', false),
    scoredBy: list(pick(p, 'scored_by')).map(String),
    fallback: !!pick(p, 'fallback', false),
  }));
  return {
    format: pick(r, 'format'),
    settings: pick(r, 'settings', {}),
    modalities: list(pick(r, 'modalities')).map(String),
    split: {
      train: finiteOrNull(pick(split, 'train')), test: finiteOrNull(pick(split, 'test')),
      trainEvents: finiteOrNull(pick(split, 'train_events')), testEvents: finiteOrNull(pick(split, 'test_events')),
      commonTest: finiteOrNull(pick(split, 'common_test')), excluded: finiteOrNull(pick(split, 'excluded_no_modality')),
    },
    horizons: list(pick(r, 'horizons')).map(finiteOrNull),
    models: list(pick(r, 'models')).map((m) => ({
      name: String(pick(m, 'name', '')),
      kind: String(pick(m, 'kind', '')),
      modalities: list(pick(m, 'modalities')).map(String),
      test: subset(pick(m, 'test')),
      common: subset(pick(m, 'common')),
    })),
    comparisons: list(pick(r, 'comparisons')).map((k) => ({
      name: String(pick(k, 'name', '')), a: pick(k, 'a'), b: pick(k, 'b'), n: finiteOrNull(pick(k, 'n')),
      cA: finiteOrNull(pick(k, 'c_a')), cB: finiteOrNull(pick(k, 'c_b')), delta: finiteOrNull(pick(k, 'delta_c')), lower: finiteOrNull(pick(k, 'lower')), upper: finiteOrNull(pick(k, 'upper')),
    })),
    riskGroups: {
      method: pick(rg, 'method'),
      optimistic: !!pick(rg, 'optimistic', false),
      note: pick(rg, 'note'),
      cutpoints: list(pick(rg, 'cutpoints')).map(finiteOrNull),
      train: groupSet(pick(rg, 'train')),
      test: groupSet(pick(rg, 'test')),
    },
    kendall: {
      modalities: list(pick(kendall, 'modalities')).map(String),
      tau: matrix(pick(kendall, 'tau')),
      p: matrix(pick(kendall, 'p')),
      n: matrix(pick(kendall, 'n')),
      train: pick(kendall, 'train') ? { tau: matrix(pick(pick(kendall, 'train'), 'tau')), p: matrix(pick(pick(kendall, 'train'), 'p')), n: matrix(pick(pick(kendall, 'train'), 'n')) } : null,
      warnings: list(pick(kendall, 'warnings')),
    },
    coefficients: list(pick(r, 'coefficients')).map((t) => ({
      model: String(pick(t, 'model', '')),
      kind: String(pick(t, 'kind', '')),
      terms: list(pick(t, 'terms')).map((x) => ({
        name: String(pick(x, 'name', '')), coef: finiteOrNull(pick(x, 'coef')), se: finiteOrNull(pick(x, 'se')), hr: finiteOrNull(pick(x, 'hr')),
        lower: finiteOrNull(pick(x, 'hr_lower')), upper: finiteOrNull(pick(x, 'hr_upper')), z: finiteOrNull(pick(x, 'z')), p: finiteOrNull(pick(x, 'p')),
      })),
    })),
    patterns: { train: readPatterns(pick(patterns, 'train')), test: readPatterns(pick(patterns, 'test')) },
    testPatients: {
      ids: list(pick(patients, 'ids')).map(String),
      lateScore: list(pick(patients, 'late_score')).map(finiteOrNull),
      riskGroup: list(pick(patients, 'risk_group')).map(finiteOrNull),
    },
    crossValidation: pick(r, 'cross_validation'),
    warnings: list(pick(r, 'warnings')),
  };
}

/**
 * One Learn-tab row: the C-index of every model on the common test patients (every model on the
 * same patients) and on each model's own scorable test patients.
 */
export function learnRow(result, cohort, seed) {
  const rep = readReport(result);
  return {
    seed,
    n: cohort?.n ?? null,
    complete: cohort?.complete ?? null,
    features: cohort?.modalities ? cohort.modalities.reduce((a, m) => a + (m.features ?? 0), 0) : null,
    events: cohort?.events ?? null,
    commonTest: rep.split.commonTest,
    test: rep.split.test,
    early: rep.settings ? pick(rep.settings, 'early_fusion') : null,
    models: rep.models.map((m) => ({ name: m.name, kind: m.kind, modalities: m.modalities, common: m.common, test: m.test })),
  };
}

// ---- binary outcomes (settings.outcome_type "binary") and elastic-net selection --------------

/** The binary-only fields of a report subset (the shared ones: `subset`). */
function binarySubset(s) {
  if (!s) return null;
  return {
    n: finiteOrNull(pick(s, 'n')),
    cases: finiteOrNull(pick(s, 'cases')),
    controls: finiteOrNull(pick(s, 'controls')),
    delongSe: finiteOrNull(pick(s, 'delong_se')),
    delongLower: finiteOrNull(pick(s, 'delong_lower')),
    delongUpper: finiteOrNull(pick(s, 'delong_upper')),
    brier: finiteOrNull(pick(s, 'brier')),
    calibrationIntercept: finiteOrNull(pick(s, 'calibration_intercept')),
    calibrationSlope: finiteOrNull(pick(s, 'calibration_slope')),
  };
}

/** Risk groups of a binary outcome: observed proportions with Wilson CIs and the chi-square test. */
function binaryGroupSet(set) {
  if (!set) return null;
  return {
    groups: list(pick(set, 'groups')).map((g) => ({
      label: String(pick(g, 'label', '')),
      n: finiteOrNull(pick(g, 'n')),
      cases: finiteOrNull(pick(g, 'cases')),
      proportion: finiteOrNull(pick(g, 'proportion')),
      lower: finiteOrNull(pick(g, 'proportion_lower')),
      upper: finiteOrNull(pick(g, 'proportion_upper')),
    })),
    chisq: finiteOrNull(pick(set, 'chisq')),
    df: finiteOrNull(pick(set, 'chisq_df')),
    p: finiteOrNull(pick(set, 'chisq_p')),
    test: pick(set, 'test'),
    warnings: list(pick(set, 'warnings')),
  };
}

/**
 * The binary fields of a report (null fields for a survival report; `binary` says which).
 * @returns {{binary: boolean, note: string|null, models: Map<string, {test: object, common: object}>,
 *   riskGroups: {train: object|null, test: object|null}, coefficients: Array<{model, kind, terms}>}}
 */
export function readBinaryReport(result) {
  const r = reportOf(result) ?? {};
  const settings = pick(r, 'settings', {}) ?? {};
  const binary = pick(settings, 'outcome_type') === 'binary';
  const rg = pick(r, 'risk_groups', {}) ?? {};
  return {
    binary,
    note: pick(r, 'survival_metrics_note'),
    models: new Map(list(pick(r, 'models')).map((m) => [String(pick(m, 'name', '')), { test: binarySubset(pick(m, 'test')), common: binarySubset(pick(m, 'common')) }])),
    riskGroups: binary ? { train: binaryGroupSet(pick(rg, 'train')), test: binaryGroupSet(pick(rg, 'test')) } : { train: null, test: null },
    coefficients: binary
      ? list(pick(r, 'coefficients')).map((t) => ({
        model: String(pick(t, 'model', '')),
        kind: String(pick(t, 'kind', '')),
        terms: list(pick(t, 'terms')).map((x) => ({
          name: String(pick(x, 'name', '')), coef: finiteOrNull(pick(x, 'coef')), se: finiteOrNull(pick(x, 'se')), or: finiteOrNull(pick(x, 'or')),
          lower: finiteOrNull(pick(x, 'or_lower')), upper: finiteOrNull(pick(x, 'or_upper')), z: finiteOrNull(pick(x, 'z')), p: finiteOrNull(pick(x, 'p')),
        })),
      }))
      : [],
  };
}

/**
 * What the page shows from the model file the engine wrote (cpp/latefuse/model_json.hpp), parsed once:
 * `elasticNet`, the elastic-net selection — the settings {alpha, lambdaRule, folds} and per modality
 * the chosen λ, λ min, λ 1se, whether the fallback (no column non-zero) was used, and how many of its
 * columns were selected; null when the model was not fitted with elastic-net selection (or there is
 * no model file) — and `holdsTrainingData`.
 */
export function readModelFile(result) {
  const { text } = modelTextOf(result);
  let doc = null;
  if (text) {
    try { doc = JSON.parse(text); } catch { doc = null; }
  }
  return {
    elasticNet: elasticNetOf(doc),
    // Per-patient training rows (schema 3 `integrator_training`, models/README.md "Privacy"): the page says so beside the download.
    holdsTrainingData: doc?.integrator_training != null,
  };
}

/** The elastic-net selection of a parsed model file, or null. */
function elasticNetOf(doc) {
  const settings = doc?.training?.settings?.elastic_net;
  if (!settings) return null;
  return {
    alpha: finiteOrNull(settings.alpha),
    lambdaRule: String(settings.lambda_rule ?? ''),
    folds: finiteOrNull(settings.folds),
    modalities: list(doc.modalities).map((m) => {
      const features = list(m.features);
      const selected = features.filter((f) => f.screening === 'selected' || f.screening === 'selected_by_fallback');
      return {
        name: String(m.name ?? ''),
        lambda: finiteOrNull(m.elastic_net?.lambda),
        lambdaMin: finiteOrNull(m.elastic_net?.lambda_min),
        lambda1se: finiteOrNull(m.elastic_net?.lambda_1se),
        fallback: !!m.elastic_net?.fallback,
        columns: features.length,
        selected: selected.map((f) => String(f.column)),
      };
    }),
  };
}
