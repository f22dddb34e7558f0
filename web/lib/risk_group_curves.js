// What is computed of the TEST patients beside report.json, once for the page's worker
// (web/app/worker-outcomes.js) and for `latefuse fuse --html-report` (web/cli/commands/fuse.js), so
// the page and the command draw the same numbers: the Kaplan–Meier curves (R survfit) and log-rank
// test (R survdiff) of the late-fusion risk groups, and the calibration of the late-fusion predicted
// survival at the middle horizon. Every number comes from the core; this module orders the calls.
import { kaplanMeier, logRank, survivalCalibration } from './stats.js';

/**
 * Times of the number-at-risk table: 0 and round steps (1, 2, 5 x 10^k) up to the longest follow-up,
 * about `count` of them (every Kaplan–Meier chart of the page and of the report).
 * @param {number} tmax the longest follow-up
 * @param {number} [count]
 * @returns {number[]}
 */
export function atRiskTimes(tmax, count = 5) {
  if (!(tmax > 0)) return [0];
  const raw = tmax / count;
  let step = 10 ** Math.floor(Math.log10(raw));
  const err = raw / step;
  if (err >= 7.5) step *= 10;
  else if (err >= 3.5) step *= 5;
  else if (err >= 1.5) step *= 2;
  const out = [];
  for (let k = 0; k * step <= tmax * (1 + 1e-12); k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/**
 * @typedef {{time: number, event: number}} SurvivalOutcome
 * @typedef {(id: string) => (SurvivalOutcome|null|undefined)} OutcomeOf
 */

/**
 * Kaplan–Meier curves (core: R survfit) and the log-rank test (R survdiff) of the late-fusion risk
 * groups of the TEST patients: the groups are report.json's (training cut-points applied to the test
 * scores), time and event the patients' own (`outcomeOf(id)`). Returns {at_times, groups: [{label, n,
 * events, median, median_lower, median_upper, at_risk, curve: {time, surv, lower, upper, n_risk,
 * n_event, n_censor}}], logrank: {chisq, df, p} | null, ids, time, event} (snake_case keys, as the
 * core's results); null for a binary outcome or when a test patient has no outcome or no group.
 * @param {any} report report.json (snake_case keys, as fitAndEvaluateFusion returns it)
 * @param {OutcomeOf} outcomeOf
 */
export async function riskGroupCurves(report, outcomeOf) {
  if (report?.settings?.outcome_type === 'binary') return null;
  /** @type {string[]} */
  const ids = (report?.test_patients?.ids ?? []).map(String);
  /** @type {Array<number|null>} */
  const codes = report?.test_patients?.risk_group ?? [];
  /** @type {string[]} */
  const labels = (report?.risk_groups?.test?.groups ?? []).map((/** @type {{label: string}} */ g) => g.label);
  if (!ids.length || !labels.length) return null;
  const time = new Float64Array(ids.length);
  const event = new Float64Array(ids.length);
  /** @type {string[]} */
  const group = [];
  for (let k = 0; k < ids.length; k++) {
    const o = outcomeOf(ids[k]);
    const code = codes[k];
    if (!o || !Number.isInteger(code) || labels[/** @type {number} */ (code)] === undefined) return null;
    time[k] = o.time;
    event[k] = o.event;
    group.push(labels[/** @type {number} */ (code)]);
  }
  let tmax = 0;
  for (const t of time) tmax = Math.max(tmax, t);
  const atTimes = atRiskTimes(tmax);
  const km = await kaplanMeier({ time, event, group, times: atTimes, curve: true });
  const groups = [...km.groups].sort((a, b) => labels.indexOf(a.group) - labels.indexOf(b.group)).map((g) => ({
    label: g.group,
    n: g.n,
    events: g.events,
    median: g.median,
    median_lower: g.median_lower,
    median_upper: g.median_upper,
    at_risk: Array.from(g.at.n_risk),
    curve: {
      time: Array.from(g.curve.time), surv: Array.from(g.curve.surv), lower: Array.from(g.curve.lower), upper: Array.from(g.curve.upper),
      n_risk: Array.from(g.curve.n_risk), n_event: Array.from(g.curve.n_event), n_censor: Array.from(g.curve.n_censor),
    },
  }));
  let test = null;
  if (new Set(group).size >= 2) {
    const lr = await logRank({ time, event, group });
    test = { chisq: lr.chisq, df: lr.df, p: lr.p };
  }
  return { at_times: atTimes, groups, logrank: test, ids, time: Array.from(time), event: Array.from(event) };
}

/** Groups of predicted risk in the calibration (5 as models/build.sh). */
export const CALIBRATION_GROUPS = 5;

/**
 * Calibration of the TEST patients' predicted survival at report.json's middle horizon: mean
 * predicted S(t) vs Kaplan–Meier S(t) in groups of predicted risk and the calibration slope (the
 * core's survivalCalibration; `latefuse evaluate --predicted-survival surv_<t> --calibration-horizon t
 * --calibration-groups 5` on the test patients in the report's order).
 * `scored`: scoreTables' result for the patients (S(t) at the model's horizons); `idOf(reportId)` its
 * ID; `outcomeOf(reportId)` -> {time, event}.
 * Returns {calibration, note, test_survival}: calibration = {n, horizon, ...survivalCalibration} or
 * null with `note` saying why; test_survival = {horizon, values} (each test patient's predicted S at
 * the horizon, report order) once every test patient was scored.
 * @param {any} report
 * @param {{ids: string[], survival: Array<{time: number, surv: ArrayLike<number>}>}|null} scored
 * @param {OutcomeOf} outcomeOf
 * @param {(id: string) => string} [idOf]
 * @returns {Promise<{calibration: object|null, note: string|null, test_survival: {horizon: number, values: number[]}|null}>}
 */
export async function testCalibration(report, scored, outcomeOf, idOf = (id) => id) {
  const out = { calibration: null, note: null, test_survival: null };
  if (!scored) return { ...out, note: 'the patients were not scored' };
  const horizons = (report?.horizons ?? []).filter((/** @type {unknown} */ t) => Number.isFinite(t));
  if (!horizons.length) return { ...out, note: 'the report has no horizon' };
  const horizon = horizons[Math.floor((horizons.length - 1) / 2)];
  const at = scored.survival.find((s) => s.time === horizon);
  if (!at) return { ...out, note: `the model predicts no survival at t = ${horizon}` };
  const index = new Map(scored.ids.map((id, i) => [id, i]));
  /** @type {string[]} */
  const ids = (report.test_patients?.ids ?? []).map(String);
  const time = [];
  const event = [];
  const predicted = [];
  /** @type {number[]} */
  const values = [];
  for (const id of ids) {
    const i = index.get(idOf(id));
    const o = outcomeOf(id);
    if (i === undefined || !o) return { ...out, note: `test patient "${id}" was not scored` };
    values.push(at.surv[i]);
    if (!Number.isFinite(at.surv[i])) continue;
    time.push(o.time); event.push(o.event); predicted.push(at.surv[i]);
  }
  const testSurvival = { horizon, values };
  if (predicted.length < 2 * CALIBRATION_GROUPS) return { ...out, test_survival: testSurvival, note: `too few test patients with a predicted survival at t = ${horizon}` };
  try {
    const c = await survivalCalibration({
      time: Float64Array.from(time), event: Float64Array.from(event), predicted: Float64Array.from(predicted), horizon, groups: CALIBRATION_GROUPS,
    });
    return { calibration: { n: predicted.length, horizon, ...c }, note: null, test_survival: testSurvival };
  } catch (error) {
    return { ...out, test_survival: testSurvival, note: /** @type {Error} */ (error).message };
  }
}
