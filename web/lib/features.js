import { InputError } from './errors.js';

// The model file's "features" section (cpp/latefuse/feature_summary.hpp) put to use: a new value
// checked against what training showed, for the calculator (Score tab) and `latefuse score` alike.
// One rule, decided on the unrounded numbers:
// - a binary feature (every training value 0 or 1) takes 0 or 1 only: any other number is refused;
// - a value below the training minimum or above the training maximum is scored, with the warning
//   that it lies outside the range seen in training, so the prediction is an extrapolation;
// - a typed standardised modality score (training scores: mean 0, SD 1) further than TYPED_SCORE_LIMIT
//   from 0 is scored with a warning too.

/** |standardised score| above this is far outside the training patients' scores (mean 0, SD 1). */
export const TYPED_SCORE_LIMIT = 4;

/** A number for a message: up to 4 significant digits, no exponent for ordinary magnitudes. */
export function featureNumber(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** "18–90" (the training range), or null when the feature has none. */
export function trainingRange(feature) {
  if (!feature || feature.min === null || feature.min === undefined || feature.max === null || feature.max === undefined) return null;
  return `${featureNumber(feature.min)}–${featureNumber(feature.max)}`;
}

/**
 * Check one value of a raw feature. `feature` is an entry of validateModel(...).features.
 * @param {object} feature
 * @param {number} value a finite number (categorical features are checked by their levels elsewhere)
 * @returns {null | {level: 'refuse'|'warn', message: string}}
 */
export function checkFeatureValue(feature, value) {
  if (!feature || feature.type === 'categorical' || !Number.isFinite(value)) return null;
  if (feature.type === 'binary' && value !== 0 && value !== 1) {
    return { level: 'refuse', message: `${feature.name} is binary (0 or 1 in training); ${featureNumber(value)} is not a possible value: give 0 or 1` };
  }
  const range = trainingRange(feature);
  if (range && (value < feature.min || value > feature.max)) {
    const bound = value < feature.min ? feature.min : feature.max;
    return { level: 'warn', message: `${feature.name} = ${distinctNumber(value, bound)} is outside the range seen in training (${range}): the prediction is an extrapolation` };
  }
  return null;
}

/** `value` with enough digits that it does not print as `bound` does (90.2000001 beside a maximum of 90.2). */
function distinctNumber(value, bound) {
  const boundText = featureNumber(bound);
  let text = featureNumber(value);
  for (let digits = 5; text === boundText && digits <= 17; digits++) text = String(Number(value.toPrecision(digits)));
  return text;
}

/**
 * Check a typed standardised score of a modality.
 * @returns {null | {level: 'warn', message: string}}
 */
export function checkTypedScore(modality, score) {
  if (!Number.isFinite(score) || Math.abs(score) <= TYPED_SCORE_LIMIT) return null;
  return {
    level: 'warn',
    message: `the ${modality} score ${featureNumber(score)} is more than ${TYPED_SCORE_LIMIT} SD from the training patients' mean score (0): the prediction is an extrapolation`,
  };
}

/** A one-line hint for a field: type, unit, coding or levels, and the training range with its 1st–99th percentiles. */
export function featureHint(feature) {
  if (!feature) return '';
  const parts = [];
  if (feature.description) parts.push(feature.description);
  if (feature.unit) parts.push(feature.unit);
  if (feature.type === 'binary') parts.push('0 or 1');
  if (feature.type === 'categorical') parts.push(`one of ${feature.levels.join(', ')}`);
  const range = trainingRange(feature);
  if (range && feature.type === 'continuous') {
    parts.push(`training ${range} (1st–99th percentile ${featureNumber(feature.p01)}–${featureNumber(feature.p99)})`);
  }
  if (feature.patients === 0) parts.push('no training patient had a value');
  return parts.join(' · ');
}

/**
 * The units and descriptions of a feature-info table (a small CSV: `feature`, and optional `unit`
 * and `description` columns; `latefuse fuse --feature-info FILE`, the page's bundled examples) as
 * fitAndEvaluateFusion's `featureInfo`. Errors name the file and row.
 * @param {import('./table.js').Table} table
 * @returns {Array<{name: string, unit?: string, description?: string}>}
 */
export function featureInfoFromTable(table) {
  if (!table.columns.has('feature')) {
    throw new InputError(`${table.file}: no column "feature"; a feature-info file has the columns feature, unit, description (unit and description optional)`, { file: table.file });
  }
  const unknown = table.header.filter((h) => !['feature', 'unit', 'description'].includes(h));
  if (unknown.length) throw new InputError(`${table.file}: unknown column "${unknown[0]}"; a feature-info file has the columns feature, unit, description`, { file: table.file });
  const cell = (name, i) => (table.columns.has(name) ? (table.columns.get(name).raw[i] ?? '').trim() : '');
  return Array.from({ length: table.rowCount }, (_, i) => {
    const name = cell('feature', i);
    if (name === '') throw new InputError(`${table.file}: row ${i + 1} has no feature name; fill it in or remove the row`, { file: table.file, row: i + 1 });
    const out = { name };
    if (cell('unit', i)) out.unit = cell('unit', i);
    if (cell('description', i)) out.description = cell('description', i);
    return out;
  });
}
