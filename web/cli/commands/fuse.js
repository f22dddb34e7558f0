// latefuse fuse: join the data files on the patient ID, fit the late-fusion system (one Cox
// submodel per modality + one integrator per availability pattern; logistic models for a binary
// --outcome) on training patients, evaluate it and its comparators on held-out patients, and write
// the model file and the report.
import { readFileSync, writeFileSync } from 'node:fs';
import { fitAndEvaluateFusion } from '../../lib/fusion_report.js';
import { analysisReportHtml, fileFacts } from '../../lib/analysis_report.js';
import { riskGroupCurves, testCalibration } from '../../lib/risk_group_curves.js';
import { scoreTables, predictionsCsv } from '../../lib/model.js';
import { numericColumn, eventColumn, binaryColumn, checkTimes, checkHorizons, EVENT_CODING_RULE, CENSORED_CODING_RULE } from '../../lib/columns.js';
import { outcomeJoin } from '../../lib/join.js';
import { InputError, ModelError } from '../../lib/errors.js';
import { readTableFile, readFeatureInfo, DECIMAL_OPTION, eventOrCensored } from '../data.js';
import { UsageError, MAX_RESAMPLES } from '../options.js';
import { progressBar } from '../progress.js';
import { loadModule } from '../../lib/module.js';

// --modality NAME=COL,COL,... | NAME=PREFIX* (items may mix columns and prefixes)
function parseModalities(specs, available, reserved) {
  const modalities = {};
  const taken = new Map();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq).trim() : '';
    if (!name) throw new UsageError(`--modality needs NAME=COL,COL,... or NAME=PREFIX*, got "${spec}"`);
    if (Object.hasOwn(modalities, name)) throw new UsageError(`--modality "${name}" is given twice; list all its columns in one --modality`);
    const items = spec.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) throw new UsageError(`--modality ${name}= lists no columns`);
    const cols = [];
    for (const item of items) {
      let matched;
      if (item.endsWith('*')) {
        const prefix = item.slice(0, -1);
        matched = available.filter((c) => c.startsWith(prefix) && !reserved.has(c));
        if (matched.length === 0) throw new UsageError(`--modality ${name}: no column starts with "${prefix}"`);
      } else {
        if (!available.includes(item)) {
          const known = available.slice(0, 12).join(', ');
          throw new UsageError(`--modality ${name}: no column "${item}" in the --data files; the columns are: ${known}${available.length > 12 ? ', ...' : ''}`);
        }
        if (reserved.has(item)) throw new UsageError(`--modality ${name}: "${item}" is the ID, outcome or split column, not a feature`);
        matched = [item];
      }
      for (const c of matched) {
        if (taken.has(c) && taken.get(c) !== name) {
          throw new UsageError(`column "${c}" is in --modality ${taken.get(c)} and --modality ${name}; give each column to one modality`);
        }
        if (!taken.has(c)) { taken.set(c, name); cols.push(c); }
      }
    }
    modalities[name] = cols;
  }
  return modalities;
}

// An input error about a feature column, said as the user's modality.
function inModality(name, fn) {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError) error.message = `--modality ${name}: ${error.message}`;
    throw error;
  }
}

function splitLabels(join, column) {
  const t = join.owner.get(column);
  if (!t) throw new InputError(`no --data file has the split column "${column}"`, { column });
  const col = t.columns.get(column);
  const rows = join.rowOf.get(t);
  return join.ids.map((id, i) => {
    const r = rows[i];
    if (r < 0) {
      throw new InputError(`${t.file}: patient "${id}" has no row, so no train/test label in "${column}"; add the row`, { file: t.file, column });
    }
    const raw = col.raw[r];
    const v = raw === null ? '' : String(raw).trim().toLowerCase();
    if (v === '1' || v === 'test' || v === 'true') return 1;
    if (v === '0' || v === 'train' || v === 'training' || v === 'false') return 0;
    throw new InputError(`${t.file}: split column "${column}" must be test/train or 1/0 but row ${r + 1} has "${raw ?? ''}"`,
      { file: t.file, row: r + 1, column });
  });
}

function writeOut(path, text, flag) {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`cannot write ${flag} ${path}: ${error.code === 'ENOENT' ? 'the directory does not exist' : error.message}`);
  }
}

/** The analysis report (web/lib/analysis_report.js) of this run: the files' bytes are hashed as read. */
async function htmlReportOf(report, modelJson, { files, tables, roles, modalities, patients, droppedMissingOutcome, outcomeOf }) {
  const facts = [];
  for (const f of files) facts.push(await fileFacts(f, readFileSync(f)));
  const km = outcomeOf ? await riskGroupCurves(report, outcomeOf) : null;
  // The patients' predictions as `latefuse score --data F... [--id COL]` writes them (and the page
  // computes them): the modality contributions come from there. None when a patient cannot be scored.
  let predictions = null;
  let calibration = null;
  try {
    const scored = await scoreTables(modelJson, tables, { idColumn: roles.id ?? 'id', idRequired: roles.id !== undefined });
    predictions = predictionsCsv(scored);
    // Without an ID column the engine's IDs are "row N" and latefuse score's are "N" (as the page).
    if (outcomeOf) calibration = (await testCalibration(report, scored, outcomeOf, roles.id ? (id) => id : (id) => id.replace(/^row /, ''))).calibration;
  } catch (error) {
    if (!(error instanceof InputError || error instanceof ModelError)) throw error;
  }
  const study = { files: facts, roles, modalities, patients, droppedMissingOutcome };
  return analysisReportHtml({ report, model: JSON.parse(modelJson), study, km, predictions, calibration });
}

const round = (v, d = 4) => (v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d);

/**
 * The flags' checks that need no data: each mistake is one UsageError naming the flag.
 * @returns {{binary: boolean, testFraction: number}}
 */
function checkFlags(o) {
  eventOrCensored(o, { required: false });
  const binary = o.outcome !== undefined;
  if (binary && (o.time !== undefined || o.event !== undefined)) {
    throw new UsageError('give either --outcome COL (binary) or --time COL --event COL (survival), not both');
  }
  if (!binary && (o.time === undefined || o.event === undefined)) {
    throw new UsageError('"latefuse fuse" needs --time COL and --event COL (survival) or --outcome COL (binary 0/1); see latefuse fuse --help');
  }
  if (binary && o.selection === 'elasticnet') {
    throw new UsageError('elastic-net selection needs a survival outcome; use --selection screen or none');
  }
  if (binary && (o.horizons !== undefined || o.tau !== undefined || o.timeUnit !== undefined)) {
    throw new UsageError('--horizons, --tau and --time-unit apply to survival outcomes only, not to --outcome');
  }
  if (o.selection !== 'elasticnet' && (o.alpha !== undefined || o.lambdaRule !== undefined || o.selectionFolds !== undefined)) {
    throw new UsageError('--alpha, --lambda-rule and --selection-folds apply to --selection elasticnet only');
  }
  if (o.alpha !== undefined && !(o.alpha > 0 && o.alpha <= 1)) throw new UsageError('--alpha must be in (0, 1] (1 = lasso)');
  if (o.selectionFolds !== undefined && o.selectionFolds < 2) throw new UsageError('--selection-folds must be at least 2');
  if (o.split !== undefined && o.testFraction !== undefined) throw new UsageError('give either --split or --test-fraction, not both');
  const testFraction = o.testFraction ?? 0.3;
  if (!(testFraction > 0 && testFraction < 1)) throw new UsageError('--test-fraction must lie strictly between 0 and 1');
  if (o.folds !== 0 && o.folds < 2) throw new UsageError('--folds must be 0 (no cross-validation) or at least 2');
  if (o.repeats < 1) throw new UsageError('--repeats must be at least 1');
  if (o.bootstrap < 0 || o.permutations < 0) throw new UsageError('--bootstrap and --permutations must be >= 0');
  if (o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) throw new UsageError('--seed must be a whole number >= 0');
  if (o.tau !== undefined && !(o.tau > 0)) throw new UsageError('--tau must be a positive time');
  if (o.minPatternSize !== undefined && o.minPatternSize < 1) throw new UsageError('--min-pattern-size must be at least 1');
  if (o.outlierZ !== undefined && o.outlierZ < 0) throw new UsageError(`--outlier-z must be >= 0 (0 = no outlier step); got ${o.outlierZ}`);
  if (o.penalizer !== undefined && o.penalizer < 0) throw new UsageError(`--penalizer must be >= 0; got ${o.penalizer}`);
  if (o.integratorPenalizer !== undefined && o.integratorPenalizer < 0) {
    throw new UsageError(`--integrator-penalizer must be >= 0; got ${o.integratorPenalizer}`);
  }
  if (o.crossFitFolds !== undefined && o.crossFitFolds < 2) throw new UsageError(`--cross-fit-folds must be at least 2; got ${o.crossFitFolds}`);
  const inSample = o.integratorInputs === 'in-sample' || (o.integratorInputs === undefined && o.referenceCompatible);
  if (o.crossFitFolds !== undefined && inSample) {
    throw new UsageError('--cross-fit-folds applies to cross-fitted integrator inputs; drop it or give --integrator-inputs cross-fitted');
  }
  if (binary && o.ties !== undefined) throw new UsageError('--ties applies to Cox models (survival outcomes) only, not to --outcome');
  if (o.modelOut === o.reportOut) throw new UsageError('--model-out and --report-out must be different files');
  if (o.data.length > 1 && o.id === undefined) throw new UsageError('several --data files are joined on the patient ID: give --id COL');
  const files = new Set();
  for (const f of o.data) {
    if (files.has(f)) throw new UsageError(`--data ${f} is given twice`);
    files.add(f);
  }
  return { binary, testFraction };
}

/**
 * The files joined on the ID (anchored on the outcome file), the outcome of every patient who has
 * one, and each modality's columns for those patients (numeric, or text for the core to encode).
 */
function readCohort(o, binary) {
  const tables = o.data.map((f) => readTableFile(f, { decimal: o.decimal }));
  const join = outcomeJoin(tables, binary ? { id: o.id, anchor: o.outcome, role: 'outcome' } : { id: o.id, anchor: o.time });
  if (!binary && !join.outcome.columns.has(o.event)) {
    throw new InputError(`${join.outcome.file}: no event column "${o.event}"; the event must be in the outcome file (the one with "${o.time}")`,
      { file: join.outcome.file, column: o.event });
  }
  const reserved = new Set([o.id, o.time, o.event, o.outcome, o.split].filter((c) => c !== undefined));
  const modalities = parseModalities(o.modality, join.columnNames, reserved);

  let keep;
  let time;
  let event;
  let outcome;
  let rowCount;
  if (binary) {
    outcome = binaryColumn(join.outcome, o.outcome, o.id ? join.ids : undefined);
    rowCount = outcome.length;
    keep = Array.from({ length: rowCount }, (_, i) => i);
  } else {
    const timeAll = numericColumn(join.outcome, o.time, 'time');
    const eventAll = eventColumn(join.outcome, o.event, { censored: o.eventCensored });
    rowCount = timeAll.length;
    keep = [];
    for (let i = 0; i < timeAll.length; i++) if (!Number.isNaN(timeAll[i]) && !Number.isNaN(eventAll[i])) keep.push(i);
    if (keep.length === 0) throw new InputError(`${join.outcome.file}: no row has both "${o.time}" and "${o.event}"`);
    time = Float64Array.from(keep, (i) => timeAll[i]);
    checkTimes(join.outcome, o.time, time, keep);
    event = Float64Array.from(keep, (i) => eventAll[i]);
    if (o.horizons !== undefined) checkHorizons(o.horizons, time, { file: join.outcome.file, column: o.time });
  }
  const pick = (values) => Float64Array.from(keep, (i) => values[i]);
  const ids = keep.map((i) => join.ids[i]);
  const columns = {};
  const inputWarnings = [];
  for (const [name, cols] of Object.entries(modalities)) {
    let present = 0;
    for (const c of cols) {
      // One rule for numeric vs categorical (columns.js featureKind); categorical columns are
      // passed as text and one-hot encoded by the core (training reference level).
      const feature = inModality(name, () => join.feature(c, {
        nonNumeric: o.nonNumeric, warnings: inputWarnings, missingHint: 'give --non-numeric missing to read such cells as missing',
      }));
      columns[c] = feature.kind === 'categorical' ? keep.map((i) => feature.cells[i]) : pick(feature.values);
      if (columns[c].some((v) => v !== null && !Number.isNaN(v))) present++;
    }
    if (present === 0) {
      throw new InputError(`--modality ${name}: no patient has a value in any of its ${cols.length} columns (${cols.slice(0, 5).join(', ')}` +
        `${cols.length > 5 ? ', ...' : ''}); check the column names and the --id matching, or drop the modality`);
    }
  }
  for (const w of inputWarnings) process.stderr.write(`latefuse: warning: ${w}\n`);
  return { tables, join, modalities, keep, time, event, outcome, rowCount, ids, columns };
}

/** The engine's input (web/lib fitAndEvaluateFusion) from the cohort and the flags. */
function engineRequest(o, { join, modalities, keep, time, event, outcome, ids, columns }, binary, testFraction) {
  const request = {
    columns, modalities, ids, ...(binary ? { outcome } : { time, event }),
    testFraction, folds: o.folds, repeats: o.repeats, seed: o.seed,
    bootstrap: o.bootstrap, permutations: o.permutations, riskGroups: o.riskGroups,
    referenceCompatible: o.referenceCompatible,
  };
  if (o.selection !== undefined) request.selection = o.selection;
  if (o.alpha !== undefined) request.alpha = o.alpha;
  if (o.lambdaRule !== undefined) request.lambdaRule = o.lambdaRule;
  if (o.selectionFolds !== undefined) request.selectionFolds = o.selectionFolds;
  if (o.split !== undefined) {
    const labels = splitLabels(join, o.split);
    request.split = keep.map((i) => labels[i]);
  }
  if (o.horizons !== undefined) request.horizons = o.horizons;
  if (o.tau !== undefined) request.tau = o.tau;
  if (o.minPatternSize !== undefined) request.minPatternSize = o.minPatternSize;
  if (o.presence !== undefined) request.presence = o.presence;
  if (o.scaling !== undefined) request.scaling = o.scaling;
  if (o.outlierZ !== undefined) request.outlierZ = o.outlierZ;
  if (o.penalizer !== undefined) request.penalizer = o.penalizer;
  if (o.integratorPenalizer !== undefined) request.integratorPenalizer = o.integratorPenalizer;
  if (o.integratorInputs !== undefined) request.integratorInputs = o.integratorInputs === 'in-sample' ? 'in_sample' : 'cross_fitted';
  if (o.crossFitFolds !== undefined) request.crossFitFolds = o.crossFitFolds;
  if (o.earlyFusion !== undefined) {
    request.earlyFusion = o.earlyFusion !== 'none';
    if (o.earlyFusion !== 'none') request.earlyImpute = o.earlyFusion === 'imputed';
  }
  if (o.ties !== undefined) request.ties = o.ties;
  if (o.timeUnit !== undefined) request.timeUnit = o.timeUnit;
  if (o.eventCensored) request.censoringColumn = o.event;  // recorded in the model file's outcome
  if (o.dcaHorizon !== undefined) request.decisionHorizon = o.dcaHorizon;
  if (o.featureInfo !== undefined) request.featureInfo = readFeatureInfo(o.featureInfo, o.decimal);
  return request;
}

/** The summary printed on stdout: per model C with its interval, the comparisons, the risk-group tests. */
function summaryOf(o, report, document, { keep, rowCount }, binary) {
  return {
    model_out: o.modelOut,
    report_out: o.reportOut,
    patients: keep.length,
    dropped: rowCount - keep.length,
    outcome_type: binary ? 'binary' : 'survival',
    split: report.split,
    models: report.models.map((m) => ({
      name: m.name,
      kind: m.kind,
      test_n: m.test.n,
      test_c: round(m.test.c),
      test_c_lower: round(m.test.c_lower),
      test_c_upper: round(m.test.c_upper),
      permutation_p: round(m.test.permutation_p, 6),
      common_n: m.common.n,
      common_c: round(m.common.c),
    })),
    comparisons: report.comparisons.map((k) => ({ name: k.name, a: k.a, b: k.b, n: k.n, delta_c: round(k.delta_c), lower: round(k.lower), upper: round(k.upper) })),
    risk_groups: binary
      ? { method: report.risk_groups.method, train_chisq_p: report.risk_groups.train.chisq_p, test_chisq_p: report.risk_groups.test.chisq_p }
      : { method: report.risk_groups.method, train_logrank_p: report.risk_groups.train.logrank_p, test_logrank_p: report.risk_groups.test.logrank_p },
    warnings: report.warnings,
    compute_ms: document.compute_ms,
  };
}

export default {
  name: 'fuse',
  summary: 'fit late fusion (per-modality Cox or logistic + per-pattern integrators) on training patients; evaluate it on held-out patients',
  usage: 'latefuse fuse --data F.csv [--data G.csv ...] [--id COL] (--time COL (--event COL | --censored COL) | --outcome COL) ' +
    '--modality NAME=COL,COL,... | --modality NAME=PREFIX* (repeatable) [--split COL | --test-fraction F] [--folds K] [--seed S] ' +
    '[--bootstrap N] [--permutations N] [--selection none|screen|elasticnet [--alpha A] [--lambda-rule min|1se] [--selection-folds K]] ' +
    '[--reference-compatible] [--presence any|all] [--scaling zscore|minmax|none] [--outlier-z Z] [--penalizer P] ' +
    '[--integrator-penalizer P] [--integrator-inputs cross-fitted|in-sample] [--cross-fit-folds K] [--min-pattern-size M] ' +
    '[--early-fusion complete-case|imputed|none] [--ties efron|breslow] [--risk-groups median|tertiles|optimistic] ' +
    '--model-out model.json --report-out report.json',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'repeat', required: true, help: 'CSV or TSV file (repeatable: the files are joined on --id)' },
    { flag: 'id', arg: 'COL', type: 'string', help: 'patient ID column, in every file (required with several --data files)' },
    { flag: 'time', arg: 'COL', type: 'string', help: 'follow-up time column (>= 0); its file is the outcome file' },
    { flag: 'event', arg: 'COL', type: 'string', help: `event column in the outcome file (or --censored); ${EVENT_CODING_RULE}` },
    { flag: 'censored', arg: 'COL', type: 'string', help: `censoring column in the outcome file, instead of --event; ${CENSORED_CODING_RULE}` },
    { flag: 'outcome', arg: 'COL', type: 'string',
      help: 'binary outcome column (0/1 or TRUE/FALSE, 1 = case) instead of --time/--event: logistic submodels and integrators, c = AUC' },
    { flag: 'modality', arg: 'NAME=COLS', type: 'repeat', required: true,
      help: 'a modality and its columns: NAME=COL,COL,... or NAME=PREFIX* (repeatable, one per modality)' },
    { flag: 'split', arg: 'COL', type: 'string', help: 'train/test column (in any --data file): test/train or 1/0 (1 = test)' },
    { flag: 'test-fraction', arg: 'F', type: 'number', help: 'without --split: seeded random test fraction, stratified on the event [default: 0.3]' },
    { flag: 'folds', arg: 'K', type: 'integer', default: 0, help: 'also run repeated K-fold cross-validation of C (0 = none)' },
    { flag: 'repeats', arg: 'R', type: 'integer', default: 1, max: 1000, help: 'repeats of the K-fold cross-validation' },
    { flag: 'seed', arg: 'S', type: 'integer', default: 1, help: 'seed of the split, folds, cross-fitting, bootstrap and permutations' },
    { flag: 'bootstrap', arg: 'N', type: 'integer', default: 1000, max: MAX_RESAMPLES, help: "bootstrap replicates for the CIs of C and Delta C (0 = none)" },
    { flag: 'permutations', arg: 'N', type: 'integer', default: 1000, max: MAX_RESAMPLES, help: 'permutations for the p-value of C (0 = none)' },
    { flag: 'selection', arg: 'METHOD', type: 'string', choices: ['none', 'screen', 'elasticnet'],
      help: 'feature selection per modality: none, screen (IQR filter + univariate Cox/logistic, BH q < 0.05), elasticnet ' +
        '(cross-validated elastic-net Cox, survival only; ridge Cox refitted on the non-zero columns) ' +
        '[default: none; screen with --reference-compatible]' },
    { flag: 'alpha', arg: 'A', type: 'number', help: 'elasticnet: mixing parameter in (0, 1], 1 = lasso [default: 1]' },
    { flag: 'lambda-rule', arg: 'RULE', type: 'string', choices: ['min', '1se'], help: 'elasticnet: lambda_min or lambda_1se [default: min]' },
    { flag: 'selection-folds', arg: 'K', type: 'integer', help: 'elasticnet: folds of its cross-validation, seeded with --seed [default: 5]' },
    { flag: 'reference-compatible', type: 'boolean',
      help: "the reference study's settings: lifelines penalizer 0.5, in-sample integrators, min-max scaling after an |z| > 5 outlier step, screening" },
    { flag: 'risk-groups', arg: 'METHOD', type: 'string', default: 'median', choices: ['median', 'tertiles', 'optimistic'],
      help: "cut-points on the TRAINING patients' predicted risk 1 - S(t_ref) at the middle horizon (binary: probability); " +
        "optimistic = the study's p-minimising search over the 33rd-67th percentiles" },
    { flag: 'horizons', arg: 't1,t2,...', type: 'numbers', help: 'times for AUC(t) and S(t) (default: quartiles of the training event times)' },
    { flag: 'tau', arg: 'T', type: 'number', help: "truncation time of Uno's C (default: the largest horizon)" },
    { flag: 'min-pattern-size', arg: 'M', type: 'integer', help: 'fewest training patients having every modality of a combination for it to get an integrator [default: 20]' },
    { flag: 'presence', arg: 'RULE', type: 'string', choices: ['any', 'all'],
      help: 'a patient has a modality when any / all of its columns have a value [default: any]' },
    { flag: 'scaling', arg: 'METHOD', type: 'string', choices: ['zscore', 'minmax', 'none'],
      help: 'scaling of each feature (training parameters) before its submodel [default: zscore; minmax with --reference-compatible]' },
    { flag: 'outlier-z', arg: 'Z', type: 'number',
      help: 'replace a value with |z| > Z (training mean/SD) by the training median, in non-0/1 columns only; 0 = no outlier step ' +
        '[default: 0; 5 with --reference-compatible]' },
    { flag: 'penalizer', arg: 'P', type: 'number',
      help: 'ridge penalizer of the submodels and of early fusion (lifelines scale; binary: ridge = n * P) [default: 0.1; 0.5 with --reference-compatible]' },
    { flag: 'integrator-penalizer', arg: 'P', type: 'number',
      help: 'ridge penalizer of the integrators only (early fusion uses --penalizer) [default: 0.1; 0.5 with --reference-compatible]' },
    { flag: 'integrator-inputs', arg: 'KIND', type: 'string', choices: ['cross-fitted', 'in-sample'],
      help: 'unimodal scores the integrators are fitted on: out-of-fold (cross-fitted) or the submodels\' own training scores ' +
        '[default: cross-fitted; in-sample with --reference-compatible]' },
    { flag: 'cross-fit-folds', arg: 'K', type: 'integer', help: 'folds of the cross-fitting (>= 2; cross-fitted inputs only) [default: 5]' },
    { flag: 'early-fusion', arg: 'MODE', type: 'string', choices: ['complete-case', 'imputed', 'none'],
      help: 'the early-fusion comparator: fitted on patients with every modality, on every patient with absent modalities ' +
        'imputed, or not fitted [default: complete-case]' },
    { flag: 'non-numeric', arg: 'HOW', type: 'string', default: 'error', choices: ['error', 'missing'],
      help: 'a few text cells (e.g. "-", "1,234") in a mostly numeric feature column: an error naming the file, row and column, ' +
        'or read as missing with a warning naming them' },
    { flag: 'ties', arg: 'METHOD', type: 'string', choices: ['efron', 'breslow'], help: 'tie handling of every Cox model (survival only) [default: efron]' },
    { flag: 'time-unit', arg: 'UNIT', type: 'string', help: 'unit of the times (e.g. months), recorded in the model file' },
    { flag: 'feature-info', arg: 'FILE', type: 'string',
      help: 'CSV with the columns feature, unit, description: units and descriptions of the features, recorded in the model file\'s "features" section' },
    { flag: 'model-out', arg: 'FILE', type: 'string', required: true, help: 'where to write the model file (JSON)' },
    { flag: 'report-out', arg: 'FILE', type: 'string', required: true, help: 'where to write the evaluation report (JSON)' },
    { flag: 'html-report', arg: 'FILE', type: 'string',
      help: 'also write the analysis report: one self-contained HTML file (summary, data with SHA-256, methods, results, decision curves, limitations, TRIPOD+AI)' },
    { flag: 'dca-horizon', arg: 'T', type: 'number', help: 'horizon of the decision curves (survival) [default: the middle of --horizons]' },
  ],
  details: [
    'Joining: the file with the --time column is the outcome file and defines the patients; the other files add',
    'columns by --id. A patient missing from a modality file simply lacks that modality. Duplicate IDs, IDs',
    'that are not in the outcome file, IDs differing only in case, and a column name used in two files are errors',
    'naming the file and row (IDs are trimmed, then matched exactly).',
    'Patients with a missing time or event are dropped and counted. A patient has a modality when any of its',
    'columns has a value (--presence all: every one). A feature column whose non-empty cells are mostly text is',
    'categorical (more than 50 levels, or more than half of its cells distinct, is refused): one-hot encoded with the most',
    'frequent level among the training patients as reference (ties: first in sorted order), dummies named',
    '<column>=<level>; the encoding is saved in the model file, and latefuse score applies it to the raw column.',
    'Integrators: one for every combination of modalities (single modalities included) that at least',
    '--min-pattern-size training patients have in full, fitted on all of them (the intersection). At most 8',
    'modalities (255 combinations). Missing cells: training median, 0/1 columns the training mode.',
    'Models evaluated on the test patients: every unimodal submodel, every integrator (also on the test patients',
    'it scored: "scored"), the late-fusion system (each patient scored by the integrator of their own pattern;',
    'a pattern without one falls back to its sub-combination with the most modalities), and early fusion;',
    "each on the test patients it can score ('test') and on those with every modality ('common'):",
    "n, events, Harrell's C with a bootstrap percentile CI, permutation p = (b+1)/(m+1), Uno's C, AUC(t), IBS.",
    'Late fusion trained on complete cases only (late-complete-case): the whole pipeline on the training patients',
    'with every modality, evaluated the same way. Also: paired-bootstrap Delta C (late vs early, late vs the best',
    'unimodal, late vs late-complete-case, common patients), risk groups with KM on the predicted risk at the',
    "middle horizon with cut-points from training only, Kendall's tau of the unimodal scores, coefficients with hazard ratios.",
    'Direction: every score is a risk (higher = shorter survival). The reference study used negative partial',
    'hazards (higher = longer survival): only the direction differs, C is the same.',
    'Binary outcome (--outcome COL instead of --time/--event): every model is ridge logistic (penalty',
    'n * penalizer, intercept unpenalised); a missing or non-0/1 outcome is an error naming the row. c is the',
    'AUC (same bootstrap CI, permutation p and Delta C), plus DeLong CI, Brier score and calibration',
    'intercept/slope; Uno C, AUC(t) and IBS are null; risk groups report proportions (Wilson CI) and a',
    'chi-square test instead of KM and log-rank; coefficients are odds ratios. Elastic-net selection needs a',
    'survival outcome. --selection elasticnet: per modality, K-fold (seeded, event-stratified) cross-validated',
    'elastic-net Cox on its training patients; the columns non-zero at lambda_min (or lambda_1se) feed the ridge',
    'Cox submodel (none non-zero: the first column to enter the path, with a warning); repeated in every',
    'cross-fitting fold.',
    'Decision curves (report.json decision_curve): net benefit of late fusion (with a bootstrap band), early fusion and',
    'each modality vs treat-all and treat-none at thresholds 1-99% and --dca-horizon. --html-report writes the analysis',
    'report: one self-contained HTML file (docs/analysis-report.md), the same bytes as the page\'s download.',
    'Engine settings (--presence ... --ties) are the web app\'s settings; given with --reference-compatible they',
    'override its choices. Each is recorded in report.json "settings" and in the model file.',
    'Cost: the defaults fit every submodel 6 times (on all training patients and in 5 cross-fitting folds) and',
    "resample every model's C 2,000 times on each set of test patients it is evaluated on (1,000 bootstrap resamples,",
    '1,000 permutations). On a simulated cohort of 4 modalities and 70 columns they took about 18 s at n = 5,000',
    'and about 3 minutes at n = 50,000 (time grows about linearly with n): use --bootstrap 200 --permutations 200',
    '(or 0) for very large n.',
    'On a terminal a progress bar with the time left is shown on stderr (nothing when stderr is piped).',
  ],
  async run(o) {
    const { binary, testFraction } = checkFlags(o);
    const cohort = readCohort(o, binary);
    const { tables, join, modalities, keep, time, event, rowCount, ids } = cohort;
    const request = engineRequest(o, cohort, binary, testFraction);

    // Progress on a terminal: the core reports the share of its work done (fits, then resamples).
    await loadModule();  // not part of the time per unit of work
    const bar = progressBar(1);
    const started = performance.now();
    let report;
    try {
      report = await fitAndEvaluateFusion(request, {
        locatePatient: (engineRow, column) => join.locate(keep[engineRow], column),
        ...(bar.enabled ? { onProgress: (share) => bar.at(share, 'fitting and evaluating late fusion') } : {}),
      });
    } finally {
      bar.done();
    }
    const ms = performance.now() - started;
    const { model_json: modelJson, model_json_error: modelError, ...rest } = report;
    if (typeof modelJson !== 'string') {
      throw new UsageError(`cannot write --model-out ${o.modelOut}: ${modelError ?? 'this build of the core cannot write model files yet'}; nothing was written`);
    }
    const document = {
      ...rest,
      input: {
        files: o.data,
        outcome_file: join.outcome.file,
        id: o.id ?? null,
        ...(binary ? { outcome: o.outcome } : { time: o.time, ...(o.eventCensored ? { censored: o.event } : { event: o.event }) }),
        patients: keep.length,
        dropped_missing_outcome: rowCount - keep.length,
        modalities,
      },
      compute_ms: Math.round(ms * 1000) / 1000,
    };
    writeOut(o.modelOut, modelJson, '--model-out');
    writeOut(o.reportOut, JSON.stringify(document, null, 2) + '\n', '--report-out');
    if (o.htmlReport) {
      writeOut(o.htmlReport, await htmlReportOf(rest, modelJson, {
        files: o.data, tables, roles: { id: o.id, time: o.time, event: o.event, outcome: o.outcome, split: o.split }, modalities,
        patients: keep.length, droppedMissingOutcome: rowCount - keep.length,
        outcomeOf: binary ? null : (() => { const at = new Map(ids.map((id, k) => [id, k])); return (id) => (at.has(id) ? { time: time[at.get(id)], event: event[at.get(id)] } : null); })(),
      }), '--html-report');
    }
    return summaryOf(o, report, document, cohort, binary);
  },
};
