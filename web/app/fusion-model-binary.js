// The binary-outcome fields of the late-fusion report (cpp/latefuse/fusion_report.hpp "Binary
// outcomes"; settings.outcome_type "binary") and the elastic-net selection of a model file, read
// into plain objects for fusion-view.js — next to fusion-model.js readReport, which reads the fields
// both outcomes share. Picking fields only: no number is computed here.
import { pick, reportOf, modelTextOf } from './fusion-model.js';
import { finiteOrNull } from '../lib/numbers.js';

const list = (v) => (Array.isArray(v) ? v : ArrayBuffer.isView(v) ? Array.from(v) : []);

function subset(s) {
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

function groupSet(set) {
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
    models: new Map(list(pick(r, 'models')).map((m) => [String(pick(m, 'name', '')), { test: subset(pick(m, 'test')), common: subset(pick(m, 'common')) }])),
    riskGroups: binary ? { train: groupSet(pick(rg, 'train')), test: groupSet(pick(rg, 'test')) } : { train: null, test: null },
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
 * Elastic-net selection recorded in the model file the engine wrote (cpp/latefuse/model_json.hpp):
 * the settings {alpha, lambdaRule, folds} and per modality the chosen λ, λ min, λ 1se, whether the
 * fallback (no column non-zero) was used, and how many of its columns were selected; null when the
 * model was not fitted with elastic-net selection (or there is no model file).
 */
export function readElasticNet(result) {
  const { text } = modelTextOf(result);
  if (!text) return null;
  let doc;
  try { doc = JSON.parse(text); } catch { return null; }
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
