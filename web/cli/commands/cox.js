// latefuse cox: fit a Cox proportional-hazards model to one CSV file and print JSON.
import { loadModule } from '../../lib/module.js';
import { fitCox, covariateBlock } from '../../lib/cox.js';
import { numericColumn, eventColumn, categoricalColumn, completeRows, checkTimes, featureKind } from '../../lib/columns.js';
import { encodeCategorical } from '../../lib/categorical.js';
import { ModelError } from '../../lib/errors.js';
import { readTableFile, DECIMAL_OPTION, EVENT_OPTIONS, eventOrCensored } from '../data.js';
import { UsageError } from '../options.js';

/** Harrell's pair counts as the command prints them: the core's keys without `comparable` (`latefuse concordance` prints it). */
const pairCounts = ({ comparable: _comparable, ...counts }) => counts;

export default {
  name: 'cox',
  warmUp: true, // a large input's first fit runs optimised code (latefuse.js, web/lib/warm_up.js)
  summary: 'fit a Cox proportional-hazards model (R survival coxph semantics)',
  usage: 'latefuse cox --data FILE.csv --time COL (--event COL | --censored COL) --covariates A,B,C [options]',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'time', arg: 'COL', type: 'string', required: true, help: 'follow-up time column (>= 0)' },
    ...EVENT_OPTIONS,
    { flag: 'covariates', arg: 'A,B,C', type: 'list', required: true,
      help: 'covariate columns; a text column is one-hot encoded as late fusion does (reference: its most frequent level; dummies "<column>=<level>")' },
    { flag: 'ties', arg: 'METHOD', type: 'string', default: 'efron', choices: ['efron', 'breslow'], help: 'handling of tied event times' },
    { flag: 'strata', arg: 'COL', type: 'string', help: 'stratify the baseline hazard by this column' },
    { flag: 'weights', arg: 'COL', type: 'string', help: 'case weights column (> 0)' },
    { flag: 'robust', type: 'boolean', help: 'also report robust (Lin–Wei sandwich) standard errors; HR CIs and p then use them' },
    { flag: 'ridge-theta', arg: 'X', type: 'number', help: "ridge penalty (theta/2)·Σβ², as R's ridge(theta=X)" },
    { flag: 'ridge-scale', type: 'boolean', help: "with --ridge-theta: penalise (theta/2)·Σ var(x_j)·β_j², as ridge(scale=TRUE)" },
    { flag: 'penalizer', arg: 'X', type: 'number', help: "lifelines CoxPHFitter(penalizer=X, l1_ratio=0): theta = n·X on standardised columns" },
    { flag: 'max-iter', arg: 'N', type: 'integer', default: 20, help: 'Newton–Raphson iteration limit' },
    { flag: 'eps', arg: 'X', type: 'number', default: 1e-9, help: 'convergence: |1 - loglik_old/loglik_new| <= X' },
  ],
  details: [
    'Rows with a missing value in any used column are dropped and counted in "dropped".',
    'Output: one JSON object (coef, se, hr with 95% CI, z, p, loglik, LR/score/Wald tests, concordance, fit_ms, ...).',
  ],
  async run(o) {
    eventOrCensored(o);
    if (o.penalizer !== undefined && o.ridgeTheta !== undefined) {
      throw new UsageError('give either --penalizer or --ridge-theta, not both');
    }
    if (o.ridgeScale && o.ridgeTheta === undefined) throw new UsageError('--ridge-scale needs --ridge-theta');
    if (o.maxIter < 0) throw new UsageError('--max-iter must be >= 0');
    const table = readTableFile(o.data, { decimal: o.decimal });
    const time = numericColumn(table, o.time, 'time');
    const event = eventColumn(table, o.event, { censored: o.eventCensored });
    // One rule for numeric vs categorical (columns.js featureKind, as latefuse fuse); a categorical
    // covariate takes part in the missing-row rule through its level codes (NaN = missing).
    const kinds = o.covariates.map((c) => featureKind(table, c, 'covariate').kind);
    const covs = o.covariates.map((c, j) => (kinds[j] === 'categorical'
      ? Float64Array.from(table.columns.get(c).raw, (s) => (s === null ? NaN : 0))
      : numericColumn(table, c, 'covariate')));
    const used = [time, event, ...covs];
    let weights;
    let strata;
    if (o.weights) { weights = numericColumn(table, o.weights, 'weights'); used.push(weights); }
    if (o.strata) { strata = categoricalColumn(table, o.strata, 'strata'); used.push(strata.codes); }
    const rows = completeRows(used);
    if (rows.keep.length === 0) {
      throw new UsageError(`${o.data}: no row has a value in every used column (${[o.time, o.event, ...o.covariates].join(', ')}); check the column names and missing values`);
    }
    const t = rows.select(time);
    checkTimes(table, o.time, t, rows.keep);
    const e = rows.select(event);
    if (!e.some((v) => v === 1)) {
      throw new ModelError(`${o.data}: the event column "${o.event}" has no events among the ${rows.keep.length} usable rows; a Cox model needs at least one event (1 = event)`);
    }
    // The covariates in order: a numeric column's kept rows, or a categorical column's dummies, which
    // take its place, encoded on the patients fitted (late fusion's training rows).
    /** @type {{name: string, values?: Float64Array, column?: Float64Array}[]} */
    const columns = [];
    const encodings = [];
    for (const [j, c] of o.covariates.entries()) {
      if (kinds[j] !== 'categorical') { columns.push({ name: c, column: covs[j] }); continue; }
      const raw = table.columns.get(c).raw;
      const e = await encodeCategorical(c, Array.from(rows.keep, (i) => raw[i]));
      e.dummies.forEach((d, k) => columns.push({ name: d, values: e.values[k] }));
      encodings.push({ column: c, reference: e.reference, levels: e.levels, dummies: e.dummies });
    }
    const input = {
      time: t, event: e, ties: o.ties, robust: o.robust, maxIter: o.maxIter, eps: o.eps,
    };
    if (weights) {
      input.weights = rows.select(weights);
      const bad = input.weights.findIndex((w) => !(w > 0) || !Number.isFinite(w));
      if (bad >= 0) throw new UsageError(`${o.data}: weights column "${o.weights}" must be > 0 but row ${rows.keep[bad] + 1} has ${input.weights[bad]}`);
    }
    if (strata) input.strata = rows.select(strata.codes);
    if (o.penalizer !== undefined) input.penalizer = o.penalizer;
    if (o.ridgeTheta !== undefined) { input.ridgeTheta = o.ridgeTheta; input.ridgeScale = o.ridgeScale; }
    await loadModule(); // loaded before the clock starts, as R's library() is before system.time()
    // The covariates go straight into the core's memory (no copy at the fit's call); each column is
    // filled as soon as its view is taken (a later call into the core may move that memory).
    const block = await covariateBlock(rows.keep.length, columns.map((c) => c.name));
    for (const c of columns) {
      if (c.values) block.column(c.name).set(c.values);
      else rows.selectInto(c.column, block.column(c.name));
    }
    input.covariates = block;
    const started = performance.now();
    const fit = await fitCox(input);
    const fitMs = performance.now() - started;
    const out = {
      n: fit.n,
      events: fit.events,
      dropped: rows.dropped,
      covariates: fit.covariates,
      ties: fit.ties,
      coef: fit.coef,
      se: fit.se,
    };
    if (o.robust) out.robust_se = fit.robust_se;
    Object.assign(out, {
      ...fieldsOf(fit, ['hr', 'hr_lower', 'hr_upper', 'z', 'p']),
      se_type: o.robust ? 'robust' : 'model',
      loglik: [fit.loglik_init, fit.loglik],
      lr_test: { statistic: fit.lr_test, df: fit.lr_df, p: fit.lr_p },
      score_test: { statistic: fit.score_test, df: fit.lr_df, p: fit.score_p },
      wald_test: { statistic: fit.wald_test, df: fit.lr_df, p: fit.wald_p },
    });
    if (o.robust) {
      out.robust_wald_test = { statistic: fit.robust_wald_test, df: fit.lr_df, p: fit.robust_wald_p };
      out.robust_score_test = { statistic: fit.robust_score_test, df: fit.lr_df, p: fit.robust_score_p };
    }
    if (fit.theta) out.penalty = { theta: fit.theta, value: fit.penalty, penalized_loglik: fit.loglik - fit.penalty };
    if (strata) out.strata = { column: o.strata, levels: strata.levels };
    if (encodings.length) out.categorical = encodings;
    Object.assign(out, {
      means: fit.means,
      iterations: fit.iterations,
      converged: fit.converged,
      warnings: fit.warnings,
      concordance: pairCounts(fit.concordance),
      fit_ms: Math.round(fitMs * 1000) / 1000,
    });
    return out;
  },
};

/** The fit's values under its own keys (the output's spelling too: snake_case). */
function fieldsOf(fit, keys) {
  return Object.fromEntries(keys.map((k) => [k, fit[k]]));
}
