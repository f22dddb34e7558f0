// latefuse logistic: logistic regression (R glm binomial; optional ridge with the intercept
// unpenalised) with odds ratios, the DeLong AUC of the fitted linear predictor and the Brier score.
import { fitLogistic } from '../../lib/stats.js';
import { numericColumn, requireColumn, completeRows } from '../../lib/columns.js';
import { InputError } from '../../lib/errors.js';
import { readTableFile, DECIMAL_OPTION } from '../data.js';
import { UsageError } from '../options.js';

// 0/1 (or TRUE/FALSE, yes/no) outcome as Float64Array with NaN for missing.
function outcomeColumn(table, name) {
  const col = requireColumn(table, name, 'outcome');
  const out = new Float64Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) {
    if (col.kind === 'number') {
      const v = col.values[i];
      if (Number.isNaN(v)) { out[i] = NaN; continue; }
      if (v !== 0 && v !== 1) {
        throw new InputError(`${table.file}: outcome column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1} has ${v}; recode it (1 = the event being predicted)`,
          { file: table.file, row: i + 1, column: name });
      }
      out[i] = v;
    } else {
      const s = col.raw[i];
      if (s === null) { out[i] = NaN; continue; }
      const t = s.trim().toLowerCase();
      if (['1', 'true', 't', 'yes'].includes(t)) out[i] = 1;
      else if (['0', 'false', 'f', 'no'].includes(t)) out[i] = 0;
      else {
        throw new InputError(`${table.file}: outcome column "${name}" must be 0/1 or TRUE/FALSE but row ${i + 1} has "${s}"`,
          { file: table.file, row: i + 1, column: name });
      }
    }
  }
  return out;
}

export default {
  name: 'logistic',
  summary: 'logistic regression (R glm binomial; optional ridge), odds ratios, DeLong AUC, Brier score',
  usage: 'latefuse logistic --data FILE.csv --outcome COL --covariates A,B,C [--ridge L] [--weights COL]',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'outcome', arg: 'COL', type: 'string', required: true, help: 'binary outcome: 0/1 or TRUE/FALSE' },
    { flag: 'covariates', arg: 'A,B,C', type: 'list', required: true, help: 'numeric covariate columns' },
    { flag: 'ridge', arg: 'L', type: 'number', default: 0, help: 'ridge penalty (L/2)·Σβ² on the covariates as given (intercept unpenalised)' },
    { flag: 'weights', arg: 'COL', type: 'string', help: 'case weights column (> 0)' },
    { flag: 'conf-level', arg: 'X', type: 'number', default: 0.95, help: 'level of the odds-ratio and AUC intervals' },
  ],
  details: [
    'coef, se, z, p, or, or_lower, or_upper start with the intercept. The AUC is the Mann–Whitney AUC of the',
    'fitted linear predictor (in-sample) with DeLong SE. Separation gives a warning, not an error.',
  ],
  async run(o) {
    if (o.ridge < 0) throw new UsageError('--ridge must be >= 0');
    if (!(o.confLevel > 0 && o.confLevel < 1)) throw new UsageError('--conf-level must lie strictly between 0 and 1');
    const table = readTableFile(o.data, { decimal: o.decimal });
    const y = outcomeColumn(table, o.outcome);
    const covs = o.covariates.map((c) => numericColumn(table, c, 'covariate'));
    const used = [y, ...covs];
    let weights;
    if (o.weights) { weights = numericColumn(table, o.weights, 'weights'); used.push(weights); }
    const rows = completeRows(used);
    if (rows.keep.length === 0) {
      throw new UsageError(`${o.data}: no row has a value in every used column (${[o.outcome, ...o.covariates].join(', ')})`);
    }
    const input = {
      y: rows.select(y),
      covariates: Object.fromEntries(o.covariates.map((c, j) => [c, rows.select(covs[j])])),
      ridge: o.ridge,
      confLevel: o.confLevel,
    };
    if (weights) {
      input.weights = rows.select(weights);
      const bad = input.weights.findIndex((w) => !(w > 0) || !Number.isFinite(w));
      if (bad >= 0) throw new UsageError(`${o.data}: weights column "${o.weights}" must be > 0 but row ${rows.keep[bad] + 1} has ${input.weights[bad]}`);
    }
    const started = performance.now();
    const fit = await fitLogistic(input);
    const ms = performance.now() - started;
    const { ridge, coef, se, z, p, or, or_lower, or_upper, loglik } = fit;
    return {
      n: fit.n,
      events: fit.cases,
      dropped: rows.dropped,
      covariates: o.covariates,
      ridge, coef, se, z, p, or, or_lower, or_upper, loglik,
      auc: fit.auc.auc,
      auc_se: fit.auc.se,
      auc_lower: fit.auc.lower,
      auc_upper: fit.auc.upper,
      brier: fit.brier,
      iterations: fit.iterations,
      converged: fit.converged,
      warnings: fit.warnings,
      compute_ms: Math.round(ms * 1000) / 1000,
    };
  },
};
