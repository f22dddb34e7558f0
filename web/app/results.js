// The results of a Cox fit: a plain-language summary, the key numbers, the coefficient table, the
// forest plot, the model tests and the downloads. Every number is a field of the core's fit
// (web/lib fitCox, computed in WebAssembly); this module only formats and lays them out.
import { h, replace, dataTable, tableWrap } from './dom.js';
import { fixed, sig, pValue, count } from './format.js';
import { forestPlot } from './charts.js';
import { chartDownloads, saveJSON, saveText, toCSV } from './download.js';
import { evaluationDocument } from './evaluation-view.js';

const slug = (s) => String(s).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'data';

function coefficientRows(fit) {
  return fit.covariates.map((name, j) => ({
    name,
    coef: fit.coef[j],
    se: fit.se[j],
    robust_se: fit.robust_se ? fit.robust_se[j] : undefined,
    hr: fit.hr[j],
    lower: fit.hr_lower[j],
    upper: fit.hr_upper[j],
    z: fit.z[j],
    p: fit.p[j],
    redundant: fit.redundant ? !!fit.redundant[j] : false,
  }));
}

/** The model as a portable JSON document (coefficients, centring means, baseline hazard; snake_case keys as every result). */
export function modelDocument(result) {
  const { fit, prep } = result;
  return {
    format: 'latefuse-cox-model',
    format_version: 1,
    created_by: `LateFuse web app (core ${result.coreVersion})`,
    created_at: new Date().toISOString(),
    data: { files: prep.files, time: prep.time, event: prep.event, n: fit.n, events: fit.events, dropped: prep.dropped },
    settings: { ties: prep.ties, robust: prep.robust, penalizer: prep.penalizer, strata: prep.strata, strata_levels: prep.strataLevels },
    covariates: fit.covariates,
    coef: fit.coef,
    se: fit.se,
    robust_se: fit.robust_se,
    var: fit.var,
    means: fit.means,
    linear_predictor: 'sum_j coef[j] * (x[j] - means[j]); higher = higher hazard',
    baseline: fit.baseline,
  };
}

/** Everything shown in the results, as JSON (snake_case keys as every result). */
export function reportDocument(result) {
  const { fit, prep } = result;
  return {
    format: 'latefuse-cox-report',
    format_version: 1,
    created_by: `LateFuse web app (core ${result.coreVersion})`,
    created_at: new Date().toISOString(),
    data: { files: prep.files, join: prep.join, time: prep.time, event: prep.event, id: prep.id, n: fit.n, events: fit.events, dropped: prep.dropped },
    settings: { ties: prep.ties, robust: prep.robust, penalizer: prep.penalizer, strata: prep.strata },
    coefficients: coefficientRows(fit),
    tests: {
      likelihood_ratio: { statistic: fit.lr_test, df: fit.lr_df, p: fit.lr_p },
      wald: { statistic: fit.wald_test, df: fit.lr_df, p: fit.wald_p },
      score: { statistic: fit.score_test, df: fit.lr_df, p: fit.score_p },
      ...(prep.robust ? { robust_wald: { statistic: fit.robust_wald_test, df: fit.lr_df, p: fit.robust_wald_p },
        robust_score: { statistic: fit.robust_score_test, df: fit.lr_df, p: fit.robust_score_p } } : {}),
    },
    loglik: { null: fit.loglik_init, model: fit.loglik },
    concordance: fit.concordance,
    iterations: fit.iterations,
    converged: fit.converged,
    warnings: fit.warnings,
    // The Evaluate stage (bootstrap CI and permutation p of C, Uno's C, AUC(t), risk groups), once run.
    evaluation: result.evaluation ? evaluationDocument(result.evaluation) : null,
  };
}

function scoresCSV(result) {
  const { fit, prep } = result;
  const header = [prep.id ?? 'row', prep.time, prep.event, 'linear_predictor'];
  const rows = Array.from(fit.linear_predictor, (lp, k) => [
    prep.ids ? prep.ids[k] : prep.sourceRows[k], prep.timeValues[k], prep.eventValues[k], lp,
  ]);
  return toCSV(header, rows);
}

function coefficientsCSV(result) {
  const rows = coefficientRows(result.fit);
  const robust = result.prep.robust;
  const header = ['covariate', 'coef', 'se', ...(robust ? ['robust_se'] : []), 'hr', 'hr_lower_95', 'hr_upper_95', 'z', 'p'];
  return toCSV(header, rows.map((r) => [r.name, r.coef, r.se, ...(robust ? [r.robust_se] : []), r.hr, r.lower, r.upper, r.z, r.p]));
}

/** A number with its full value kept in data-value (tests and copy/paste use it). */
const num = (text, value, props = {}) => h('span', { class: 'num', 'data-value': String(value), ...props }, text);

function summaryParagraph(result, rows) {
  const { fit, prep } = result;
  const c = fit.concordance;
  const significant = rows.filter((r) => r.p < 0.05);
  const parts = [
    `The Cox model was fitted to ${count(fit.n)} patients with ${count(fit.events)} events`,
    prep.dropped ? ` (${count(prep.dropped)} of ${count(prep.rowsInFile)} rows ${prep.dropped === 1 ? 'was' : 'were'} left out for missing values)` : '',
    `. Its concordance (Harrell's C) is ${fixed(c.c, 3)}: 0.5 is chance and 1 is a perfect ranking of who has the event first. `,
  ];
  if (significant.length === 0) {
    parts.push('No covariate is associated with the hazard at the 5% level. ');
  } else {
    const phrases = significant.map((r) => `${r.name} (HR ${sig(r.hr)} per unit, 95% CI ${sig(r.lower)}–${sig(r.upper)}, p ${pValue(r.p).startsWith('<') ? pValue(r.p) : `= ${pValue(r.p)}`})`);
    parts.push(`Associated with the hazard at the 5% level: ${phrases.join('; ')}. `);
  }
  parts.push('A hazard ratio above 1 means a higher risk of the event for a higher value of the covariate.');
  return h('p', { class: 'summary', id: 'results-summary' }, parts.join(''));
}

/**
 * Render a fit into `container`.
 * @param {HTMLElement} container
 * @param {{coreVersion: string, fit: object, prep: object}} result
 */
export function renderCoxResults(container, result) {
  const { fit, prep } = result;
  const rows = coefficientRows(fit);
  const c = fit.concordance;
  const base = slug(prep.files.join('-'));

  const keyNumbers = h('dl', { class: 'key-numbers' },
    h('div', { class: 'stat' }, h('dt', {}, 'C-index (Harrell)'),
      h('dd', {}, num(fixed(c.c, 4), c.c, { id: 'c-index' }), h('small', {}, `${count(c.concordant)} concordant, ${count(c.discordant)} discordant pairs`))),
    h('div', { class: 'stat' }, h('dt', {}, 'Patients / events'),
      h('dd', {}, num(count(fit.n), fit.n, { id: 'n-patients' }), ' / ', num(count(fit.events), fit.events, { id: 'n-events' }),
        h('small', {}, prep.dropped ? `${count(prep.dropped)} ${prep.dropped === 1 ? 'row' : 'rows'} dropped (missing values)` : 'no rows dropped'))),
    h('div', { class: 'stat' }, h('dt', {}, 'Likelihood-ratio test'),
      h('dd', {}, num(`p ${pValue(fit.lr_p).startsWith('<') ? pValue(fit.lr_p) : `= ${pValue(fit.lr_p)}`}`, fit.lr_p, { id: 'lr-p' }),
        h('small', {}, `χ² = ${fixed(fit.lr_test, 2)} on ${fit.lr_df} df`))));

  const robust = prep.robust;
  const coefTable = dataTable({
    caption: `Cox model coefficients (${prep.ties} ties${robust ? ', robust standard errors' : ''}${prep.penalizer ? `, ridge penalizer ${prep.penalizer}` : ''}${prep.strata ? `, stratified by ${prep.strata}` : ''})`,
    columns: ['Covariate', 'coef', robust ? 'robust SE' : 'SE', 'HR', '95% CI', 'z', 'p'],
    rows: rows.map((r) => [
      r.name,
      num(fixed(r.coef, 4), r.coef),
      num(fixed(robust ? r.robust_se : r.se, 4), robust ? r.robust_se : r.se),
      num(sig(r.hr, 4), r.hr),
      h('span', { class: 'num' }, `${sig(r.lower, 3)}–${sig(r.upper, 3)}`),
      num(fixed(r.z, 2), r.z),
      num(pValue(r.p), r.p),
    ]),
  });
  coefTable.id = 'coef-table';

  const testsTable = dataTable({
    caption: 'Global tests (all coefficients = 0)',
    columns: ['Test', 'Statistic', 'df', 'p'],
    rows: [
      ['Likelihood ratio', fit.lr_test, fit.lr_df, fit.lr_p],
      ['Wald', fit.wald_test, fit.lr_df, fit.wald_p],
      ['Score (log-rank)', fit.score_test, fit.lr_df, fit.score_p],
      ...(robust ? [['Robust Wald', fit.robust_wald_test, fit.lr_df, fit.robust_wald_p], ['Robust score', fit.robust_score_test, fit.lr_df, fit.robust_score_p]] : []),
    ].map(([name, stat, df, p]) => [name, num(fixed(stat, 3), stat), String(df), num(pValue(p), p)]),
  });
  testsTable.id = 'tests-table';

  const fitTable = dataTable({
    caption: 'Fit details',
    columns: ['Quantity', 'Value'],
    rows: [
      ['Log-likelihood (null model)', num(fixed(fit.loglik_init, 3), fit.loglik_init)],
      ['Log-likelihood (fitted model)', num(fixed(fit.loglik, 3), fit.loglik)],
      ['Newton–Raphson iterations', `${fit.iterations}${fit.converged ? ' (converged)' : ' (did not converge)'}`],
      ['Pairs: concordant / discordant / tied on risk / tied on time', `${count(c.concordant)} / ${count(c.discordant)} / ${count(c.tied_score)} / ${count(c.tied_time)}`],
    ],
  });

  const figure = h('figure', { class: 'chart', id: 'forest-figure' });
  const chartTitle = 'Forest plot: hazard ratios with 95% confidence intervals';
  let current = null;
  const draw = () => {
    const width = Math.max(280, Math.min(820, Math.floor((figure.clientWidth || container.clientWidth || 680) - 18)));
    const { svg, omitted, description } = forestPlot(rows, { width, title: chartTitle });
    current = svg;
    replace(figure,
      h('div', { class: 'chart-body' }, svg),
      h('figcaption', {},
        h('span', {}, 'Hazard ratio per unit increase of each covariate (dot; orange when p < 0.05) with its 95% confidence interval (line). The dashed line is HR = 1 (no association). '),
        h('span', { class: 'visually-hidden' }, `Values: ${description}.`),
        omitted.length ? h('span', {}, ` Not drawn (no finite hazard ratio): ${omitted.join(', ')}.`) : null),
      chartDownloads(() => current, `${base}-forest`, chartTitle));
  };

  const warnings = (fit.warnings ?? []).length
    ? h('div', { class: 'notice warn', role: 'note' }, h('strong', {}, 'Warnings from the model: '), fit.warnings.join(' '))
    : null;

  const downloads = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download results' },
    h('button', { type: 'button', class: 'small', onclick: () => saveJSON(`${base}-cox-model.json`, modelDocument(result)) }, 'Model JSON'),
    h('button', { type: 'button', class: 'small', onclick: () => saveJSON(`${base}-cox-report.json`, reportDocument(result)) }, 'Report JSON'),
    h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-scores.csv`, scoresCSV(result), 'text/csv') }, 'Per-patient scores CSV'),
    h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-coefficients.csv`, coefficientsCSV(result), 'text/csv') }, 'Coefficients CSV'));

  replace(container,
    h('h2', { id: 'results-h', tabindex: '-1' }, 'Results: Cox proportional-hazards model'),
    h('p', { class: 'meta' }, `Data: ${prep.files.join(' + ')} · time “${prep.time}”, event “${prep.event}” · computed in your browser by the LateFuse WebAssembly core ${result.coreVersion}`),
    summaryParagraph(result, rows),
    warnings,
    keyNumbers,
    h('div', { class: 'panel' }, tableWrap(coefTable, 'Coefficient table'),
      h('div', { class: 'downloads' }, h('button', { type: 'button', class: 'small', onclick: () => saveText(`${base}-coefficients.csv`, coefficientsCSV(result), 'text/csv'), 'aria-label': 'Download the coefficient table as CSV' }, 'Download CSV'))),
    h('div', { class: 'panel' }, figure),
    h('div', { class: 'results-grid' },
      h('div', { class: 'panel' }, tableWrap(testsTable, 'Global tests')),
      h('div', { class: 'panel' }, tableWrap(fitTable, 'Fit details'))),
    h('h3', {}, 'Downloads'),
    downloads);
  container.hidden = false;
  draw();
  return { redraw: draw };
}
