// What late fusion in the worker does differently per outcome family, in one table (OUTCOMES):
// how the engine's input takes the outcome (time + event, or one 0/1 column), how a patient's outcome
// is looked up, what is drawn after the engine (Kaplan–Meier curves of the risk groups, or none),
// and how every patient is scored and the test patients calibrated (S(t) at a horizon, or the
// probability). worker-fusion.js asks the table and is written once for every family; a new family
// is one more entry here (and its panels in the page), not a copy of the flow.
// Every number comes from the core through web/lib; this module orders the calls and picks fields.
import * as lib from '../lib/index.js';
import { binaryColumn } from '../lib/index.js';
import { InputError } from '../lib/errors.js';
import { readReport } from './fusion-model.js';
import { fusionData, withRole, checkModalities, modalityColumns } from './worker-input.js';
import { outcomeJoin, splitLabels } from './worker-join.js';
import { riskGroupCurves, testCalibration } from '../lib/risk_group_curves.js';

/** Lookup of each patient's outcome in the engine's input by id (null for an unknown id). */
function outcomeLookup(input, value) {
  const byId = new Map(input.ids.map((id, k) => [id, k]));
  return (id) => (byId.has(id) ? value(byId.get(id)) : null);
}

/**
 * Every patient of `tables` scored with the model file the engine wrote (web/lib scoreTables, as
 * `latefuse score --model M --data F ... [--id COL]`): sets out.predictions (that command's CSV), or
 * out.predictionsError and out.calibrationNote (naming `what` the model predicts) and returns null.
 */
async function scoreEveryPatient(result, tables, { idColumn, idRequired }, out, what) {
  const modelText = typeof result.model_json === 'string' ? result.model_json : null;
  if (!modelText) {
    out.predictionsError = result.model_json_error ?? 'the engine wrote no model file';
    out.calibrationNote = `no model file to predict ${what} with (${out.predictionsError})`;
    return null;
  }
  try {
    const p = await lib.scoreTables(modelText, tables, { idColumn, idRequired });
    out.predictions = lib.predictionsCsv(p);
    return p;
  } catch (error) {
    out.predictionsError = error.message;
    out.calibrationNote = `the patients could not be scored with the model (${error.message})`;
    return null;
  }
}

// ---- survival: time + event -----------------------------------------------------------------

/**
 * Score every patient of `tables` with the model the engine wrote (web/lib scoreTables: the same
 * call and options as `latefuse score --model M --data F ... [--id COL]`, so predictionsCsv(p) is
 * that command's CSV), then the calibration of the TEST patients at the report's middle horizon
 * (web/lib testCalibration, the same call as `latefuse fuse --html-report`).
 * @returns {Promise<{predictions: string|null, predictionsError: string|null, calibration: object|null, calibrationNote: string|null, testSurvival: object|null}>}
 */
async function survivalScoreAndCalibrate(result, tables, { idColumn, idRequired, idOf = (id) => id, outcomeOf }) {
  const out = { predictions: null, predictionsError: null, calibration: null, calibrationNote: null, testSurvival: null };
  const p = await scoreEveryPatient(result, tables, { idColumn, idRequired }, out, 'survival');
  if (!p) return out;
  const c = await testCalibration(result, p, outcomeOf, idOf);
  return { ...out, calibration: c.calibration, calibrationNote: c.note, testSurvival: c.test_survival };
}

// ---- binary: one 0/1 column -------------------------------------------------------------------

/**
 * The engine's input for the user's files with a binary outcome, as `latefuse fuse --outcome COL`
 * builds it (web/cli/commands/fuse.js): patients = every row of the file with the outcome column (a
 * missing or non-0/1 cell is an error naming the file, row and patient, role 'outcome'); feature
 * columns per modality (text columns as text: categorical); ids; split.
 * @param {Array<{key, table}>} list
 * @param {{id?: string, outcome: string, split?: string, modalities: Record<string, string[]>}} spec
 * @returns {{input: object, join: object, summary: object, keep?: number[]}} input = {columns, modalities, outcome, ids, split?};
 *   no `keep`: the preview shows every joined row
 */
function binaryFusionData(list, { id, outcome: outcomeName, split, modalities }) {
  if (!outcomeName) throw new InputError('choose the outcome column (1 = case, 0 = control)', { role: 'outcome' });
  if (!list.some((x) => x.table.columns.has(outcomeName))) {
    throw new InputError(`no file has the outcome column "${outcomeName}"; choose the outcome column`, { role: 'outcome' });
  }
  if (outcomeName === id) throw new InputError('the outcome and the patient ID must be two different columns', { role: 'outcome' });
  const join = outcomeJoin(list, { id, time: outcomeName });
  const names = checkModalities(join, modalities, [id, outcomeName, split]);
  const outcome = withRole('outcome', () => binaryColumn(join.outcome, outcomeName, id ? join.ids : undefined));
  const ids = join.ids;
  const { columns, present } = modalityColumns(join, modalities, names);
  const input = { columns, modalities, outcome, ids };
  if (split) input.split = splitLabels(join, split);
  let cases = 0;
  for (const y of outcome) cases += y;
  const summary = {
    outcomeType: 'binary',
    files: list.map((x) => x.table.file),
    outcomeFile: join.outcome.file,
    id: id || null,
    outcome: outcomeName,
    patients: ids.length,
    events: cases,
    controls: ids.length - cases,
    dropped: 0,
    perFile: join.perFile,
    modalities: names.map((name) => ({ name, columns: modalities[name].length, patients: present[name] })),
  };
  return { input, join, summary };
}

/**
 * Score every patient of `tables` with the binary model the engine wrote (web/lib scoreTables, as
 * `latefuse score`; predictionsCsv = that command's CSV: probability instead of S(t)), then the
 * calibration of the TEST patients (the report's order): per patient the predicted probability and
 * the log-odds behind it (the core's scoring), and the logistic recalibration fit glm(y ~ log-odds)
 * (web/lib fitLogistic) whose fitted probabilities draw the calibration curve. Its slope is the
 * report's calibration_slope of late fusion on the test patients (the same model and patients).
 * @returns {Promise<{predictions: string|null, predictionsError: string|null, calibration: object|null, calibrationNote: string|null, testProbability: object|null}>}
 */
async function binaryScoreAndCalibrate(result, tables, { idColumn, idRequired, idOf = (id) => id, outcomeOf }) {
  const out = { predictions: null, predictionsError: null, calibration: null, calibrationNote: null, testProbability: null };
  const p = await scoreEveryPatient(result, tables, { idColumn, idRequired }, out, 'probabilities');
  if (!p) return out;
  const index = new Map(p.ids.map((id, i) => [id, i]));
  const { ids } = readReport(result).testPatients;
  const y = [];
  const logOdds = [];
  const predicted = [];
  for (const id of ids) {
    const i = index.get(idOf(id));
    const o = outcomeOf(id);
    if (i === undefined || o === null || o === undefined) { out.calibrationNote = `test patient "${id}" was not scored`; return out; }
    // The scoring output's linear-predictor column holds the fused log-odds for a binary model.
    y.push(o); logOdds.push(p.cox_lp[i]); predicted.push(p.probability[i]);
  }
  out.testProbability = { values: predicted };
  try {
    const fit = await lib.fitLogistic({ y, covariates: { 'log-odds': logOdds } });
    out.calibration = {
      binary: true,
      n: fit.n,
      cases: fit.cases,
      controls: fit.controls,
      intercept: fit.coef[0],
      slope: fit.coef[1],
      slope_lower: null,
      points: predicted.map((x, k) => ({ predicted: x, fitted: fit.fitted[k], y: y[k] })).sort((a, b) => a.predicted - b.predicted),
    };
  } catch (error) {
    out.calibrationNote = error.message;
  }
  return out;
}

// ---- the table --------------------------------------------------------------------------------

/**
 * Per outcome family:
 *  - userData(list, roles, modalities): the engine's input and summary from the user's files;
 *  - simulatedOutcome(table, ids): the outcome fields of the engine's input from a simulated cohort;
 *  - outcomeOf(input): id -> the patient's outcome (what scoreAndCalibrate and curves read);
 *  - curves(result, outcomeOf): what is drawn of the test risk groups (null: nothing);
 *  - scoreAndCalibrate: every patient's predictions and the test patients' calibration;
 *  - extras(result, input): fields added to the run's result (the per-patient download);
 *  - stages: the progress texts (and, for the demo, where on [0, 1] fitting runs).
 */
export const OUTCOMES = {
  survival: {
    userData: (list, roles, modalities) => fusionData(list, { id: roles.id, time: roles.time, event: roles.event, censored: roles.censored === true, split: roles.split, modalities }),
    simulatedOutcome: (table) => ({ time: lib.numericColumn(table, 'time', 'time'), event: lib.eventColumn(table, 'event') }),
    outcomeOf: (input) => outcomeLookup(input, (k) => ({ time: input.time[k], event: input.event[k] })),
    curves: riskGroupCurves,
    scoreAndCalibrate: survivalScoreAndCalibrate,
    extras: () => ({}),
    stages: {
      fit: 'Fitting the submodels and integrators, then evaluating on the test patients',
      fitEnd: 0.93,
      curves: 'Kaplan–Meier curves of the late-fusion risk groups',
      score: 'Predicted survival and calibration of the test patients',
      demo: { simulate: 'Simulating the cohort', fit: 'Fitting and evaluating late and early fusion', fitFrom: 0, fitTo: 1, scoreAt: null },
    },
  },
  binary: {
    userData: (list, roles, modalities) => binaryFusionData(list, { id: roles.id, outcome: roles.outcome, split: roles.split, modalities }),
    simulatedOutcome: (table, ids) => ({ outcome: binaryColumn(table, 'y', ids) }),
    outcomeOf: (input) => outcomeLookup(input, (k) => input.outcome[k]),
    curves: null,
    scoreAndCalibrate: binaryScoreAndCalibrate,
    /** The outcome (0/1) of each test patient, in the report's order (the per-patient download). */
    extras: (result, input) => {
      const outcomeOf = outcomeLookup(input, (k) => input.outcome[k]);
      return { testOutcome: readReport(result).testPatients.ids.map(outcomeOf) };
    },
    stages: {
      fit: 'Fitting the logistic submodels and integrators, then evaluating on the test patients',
      fitEnd: 0.95,
      curves: null,
      score: 'Predicted probabilities and calibration of the test patients',
      demo: {
        simulate: 'Simulating the cohort (binary outcome)', fit: 'Fitting and evaluating late and early fusion (logistic models)',
        fitFrom: 0.02, fitTo: 0.95, scoreAt: 0.97,
      },
    },
  },
};

/** The family of a request: roles.outcome / simulation.outcome 'binary' is binary, otherwise survival. */
export const outcomeFamily = (binary) => OUTCOMES[binary ? 'binary' : 'survival'];

/**
 * The engine's input for a simulated cohort (`latefuse simulate`: id, time + event or y,
 * <modality>_<k> ...), built exactly as `latefuse fuse --data cohort.csv --id id --time time --event
 * event | --outcome y --modality <m>=<m>_* ...` builds it (same columns, order, ids and options), so
 * the page and the CLI give the same report for the same data and seed.
 * @returns {{table: object, input: object}}
 */
export function simulatedInput(family, csv, modalities, evaluation = {}) {
  const table = lib.parseTable(csv, { file: 'simulated.csv' });
  const groups = {};
  for (const m of modalities) groups[m.name] = table.header.filter((c) => c.startsWith(`${m.name}_`));
  const columns = {};
  for (const cols of Object.values(groups)) for (const c of cols) columns[c] = lib.numericColumn(table, c, 'feature');
  const ids = Array.from(table.columns.get('id').raw, (v) => String(v).trim());
  const input = {
    columns,
    modalities: groups,
    ...family.simulatedOutcome(table, ids),
    ids,
    testFraction: evaluation.testFraction ?? 0.3,
    folds: 0,
    repeats: 1,
    seed: evaluation.seed ?? 1,
    bootstrap: evaluation.bootstrap ?? 1000,
    permutations: evaluation.permutations ?? 1000,
    riskGroups: evaluation.riskGroups ?? 'median',
  };
  if (evaluation.earlyImpute) input.earlyImpute = true;
  return { table, input };
}
