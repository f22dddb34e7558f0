// Late fusion with a BINARY outcome in the worker (a 0/1 column instead of time + event; logistic
// submodels and integrators, c = the AUC): the engine's input built from the user's files exactly as
// `latefuse fuse --outcome COL` builds it (web/cli/commands/fuse.js: the join anchored on the file
// with the outcome column, web/lib binaryColumn's check naming file, row and patient), and after the
// engine the predictions of every patient (`latefuse score`'s CSV) and the calibration of the test
// patients' predicted probabilities. Every number comes from the core through web/lib; this module
// orders the calls and picks fields.
import * as lib from '../lib/index.js';
import { binaryColumn } from '../lib/index.js';
import { InputError } from '../lib/errors.js';
import { outcomeJoin, splitLabels, withRole, checkModalities, modalityColumns } from './worker-data.js';
import { readReport } from './fusion-model.js';
import { scoreEveryPatient } from './worker-fusion.js';

/**
 * The engine's input for the user's files with a binary outcome: patients = every row of the file
 * with the outcome column (a missing or non-0/1 cell is an error naming the file, row and patient,
 * role 'outcome'); feature columns per modality (text columns as text: categorical); ids; split.
 * @param {Array<{key, table}>} list
 * @param {{id?: string, outcome: string, split?: string, modalities: Record<string, string[]>}} spec
 * @returns {{input: object, join: object, summary: object}} input = {columns, modalities, outcome, ids, split?}
 */
export function binaryFusionData(list, { id, outcome: outcomeName, split, modalities }) {
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
 * The engine's input for a simulated binary cohort (`latefuse simulate --outcome binary`: id, y,
 * <modality>_<k> ...), built as `latefuse fuse --data cohort.csv --id id --outcome y --modality
 * <m>=<m>_* ...` builds it, so the page and the CLI give the same report for the same seed.
 */
export function binaryFusionInput(csv, modalities, evaluation = {}) {
  const table = lib.parseTable(csv, { file: 'simulated.csv' });
  const groups = {};
  for (const m of modalities) groups[m.name] = table.header.filter((c) => c.startsWith(`${m.name}_`));
  const columns = {};
  for (const cols of Object.values(groups)) for (const c of cols) columns[c] = lib.numericColumn(table, c, 'feature');
  const ids = Array.from(table.columns.get('id').raw, (v) => String(v).trim());
  return {
    table,
    input: {
      columns, modalities: groups, outcome: binaryColumn(table, 'y', ids), ids,
      testFraction: evaluation.testFraction ?? 0.3, folds: 0, repeats: 1, seed: evaluation.seed ?? 1,
      bootstrap: evaluation.bootstrap ?? 1000, permutations: evaluation.permutations ?? 1000, riskGroups: evaluation.riskGroups ?? 'median',
    },
  };
}

/**
 * Score every patient of `tables` with the binary model the engine wrote (web/lib scoreTables, as
 * `latefuse score`; predictionsCsv = that command's CSV: probability instead of S(t)), then the
 * calibration of the TEST patients (the report's order): per patient the predicted probability and
 * the log-odds behind it (the core's scoring), and the logistic recalibration fit glm(y ~ log-odds)
 * (web/lib fitLogistic) whose fitted probabilities draw the calibration curve. Its slope is the
 * report's calibration_slope of late fusion on the test patients (the same model and patients).
 * @param {{idColumn: string, idRequired: boolean, idOf?: (id: string) => string, outcomeOf: (id: string) => (0|1|null)}} options
 * @returns {{predictions: string|null, predictionsError: string|null, calibration: object|null, calibrationNote: string|null, testProbability: object|null}}
 */
export async function binaryScoreAndCalibrate(result, tables, { idColumn, idRequired, idOf = (id) => id, outcomeOf }) {
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
    y.push(o); logOdds.push(p.coxLp[i]); predicted.push(p.probability[i]);
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
      slopeLower: null,
      points: predicted.map((x, k) => ({ predicted: x, fitted: fit.fitted[k], y: y[k] })).sort((a, b) => a.predicted - b.predicted),
    };
  } catch (error) {
    out.calibrationNote = error.message;
  }
  return out;
}
