// The test patients' data the analysis report (analysis_report.js) draws beside report.json, computed
// by the core exactly as the page's worker does (web/app/worker-fusion.js): the Kaplan–Meier curves
// (R survfit) and log-rank test (R survdiff) of the late-fusion risk groups, and the calibration of
// the late-fusion predicted survival at the middle horizon.
import { kaplanMeier, logRank, survivalCalibration } from './stats.js';

/**
 * Times of the number-at-risk table: 0 and round steps (1, 2, 5 x 10^k) up to the longest follow-up,
 * about `count` of them. The same rule as the page's Kaplan–Meier charts (web/app/worker-evaluate.js
 * atRiskTimes), so the page and the command draw the same table.
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
 * Kaplan–Meier curves (core: R survfit) and the log-rank test (R survdiff) of the late-fusion risk
 * groups of the TEST patients, for the report's KM chart and at-risk table: {atTimes, groups: [{label,
 * n, events, atRisk, curve: {time, surv}}], logRank: {p}} (the shape of the page's worker result).
 * `outcomeOf(id)` gives {time, event} of a test patient. Null for a binary outcome or when a test
 * patient has no outcome.
 */
export async function riskGroupCurves(report, outcomeOf) {
  if (report?.settings?.outcome_type === 'binary') return null;
  const ids = report?.test_patients?.ids ?? [];
  const codes = report?.test_patients?.risk_group ?? [];
  const labels = (report?.risk_groups?.test?.groups ?? []).map((g) => g.label);
  if (!ids.length || !labels.length) return null;
  const time = [];
  const event = [];
  const group = [];
  for (let k = 0; k < ids.length; k++) {
    const o = outcomeOf(ids[k]);
    if (!o || labels[codes[k]] === undefined) return null;
    time.push(o.time);
    event.push(o.event);
    group.push(labels[codes[k]]);
  }
  let tmax = 0;
  for (const t of time) tmax = Math.max(tmax, t);
  const atTimes = atRiskTimes(tmax);
  const km = await kaplanMeier({ time, event, group, times: atTimes, curve: true });
  const groups = labels
    .map((label) => km.groups.find((g) => g.group === label))
    .filter(Boolean)
    .map((g) => ({ label: g.group, n: g.n, events: g.events, atRisk: Array.from(g.at.nRisk), curve: { time: Array.from(g.curve.time), surv: Array.from(g.curve.surv) } }));
  const test = new Set(group).size >= 2 ? await logRank({ time, event, group }) : null;
  return { atTimes, groups, logRank: test ? { p: test.p } : null };
}

/** Groups of predicted risk in the calibration (the page's CALIBRATION_GROUPS). */
export const CALIBRATION_GROUPS = 5;

/**
 * Calibration of the TEST patients' predicted survival at the report's middle horizon: mean predicted
 * S(t) vs Kaplan–Meier S(t) in groups of predicted risk and the calibration slope (the core's
 * survivalCalibration; `latefuse evaluate --predicted-survival surv_<t> --calibration-horizon t
 * --calibration-groups 5`). `scored`: scoreTables' result for the patients (S(t) at the model's
 * horizons); `idOf(reportId)` its ID; `outcomeOf(reportId)` -> {time, event}. Null when it cannot be
 * computed (no horizon, a test patient not scored, too few patients).
 */
export async function testCalibration(report, scored, outcomeOf, idOf = (id) => id) {
  const horizons = (report?.horizons ?? []).filter((t) => Number.isFinite(t));
  if (!scored || !horizons.length) return null;
  const horizon = horizons[Math.floor((horizons.length - 1) / 2)];
  const at = scored.survival.find((s) => s.time === horizon);
  if (!at) return null;
  const index = new Map(scored.ids.map((id, i) => [id, i]));
  const time = [];
  const event = [];
  const predicted = [];
  for (const id of report.test_patients?.ids ?? []) {
    const i = index.get(idOf(id));
    const o = outcomeOf(id);
    if (i === undefined || !o) return null;
    if (!Number.isFinite(at.surv[i])) continue;
    time.push(o.time); event.push(o.event); predicted.push(at.surv[i]);
  }
  if (predicted.length < 2 * CALIBRATION_GROUPS) return null;
  const c = await survivalCalibration({
    time: Float64Array.from(time), event: Float64Array.from(event), predicted: Float64Array.from(predicted), horizon, groups: CALIBRATION_GROUPS,
  });
  return { n: predicted.length, horizon, ...c };
}
