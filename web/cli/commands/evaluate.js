// latefuse evaluate: how well a score predicts survival — Harrell's C with a seeded bootstrap CI and a
// permutation p-value, Uno's IPCW C, and the cumulative/dynamic time-dependent AUC with its mean.
import { concordance } from '../../lib/cox.js';
import { bootstrap, permutationTest, unoConcordance, timeDependentAuc, survivalCalibration } from '../../lib/stats.js';
import { numericColumn, eventColumn, completeRows, checkTimes } from '../../lib/columns.js';
import { ModelError } from '../../lib/errors.js';
import { readTableFile } from '../data.js';
import { UsageError } from '../options.js';

// R quantile(type = 7) of sorted values.
function quantile7(sorted, p) {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

export default {
  name: 'evaluate',
  summary: "discrimination of a risk score: Harrell's C (bootstrap CI, permutation p), Uno's C, time-dependent AUC",
  usage: 'latefuse evaluate --data FILE.csv --time COL --event COL --score COL [--higher risk|survival] [--tau T] ' +
    '[--horizons t1,t2,...] [--bootstrap N] [--permutations N] [--seed S] [--predicted-survival COL --calibration-horizon T [--calibration-groups G]]',
  options: [
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'time', arg: 'COL', type: 'string', required: true, help: 'follow-up time column (>= 0)' },
    { flag: 'event', arg: 'COL', type: 'string', required: true, help: 'event column: 1/0, TRUE/FALSE, or 2/1' },
    { flag: 'score', arg: 'COL', type: 'string', required: true, help: 'the score to evaluate' },
    { flag: 'higher', arg: 'MEANING', type: 'string', default: 'risk', choices: ['risk', 'survival'],
      help: 'what a higher score predicts: risk (shorter survival) or survival' },
    { flag: 'tau', arg: 'T', type: 'number', help: "truncation time of Uno's C (default: none)" },
    { flag: 'horizons', arg: 't1,t2,...', type: 'numbers', help: 'times of the AUC (default: quartiles of the event times)' },
    { flag: 'bootstrap', arg: 'N', type: 'integer', default: 1000, help: "bootstrap replicates for the CI of Harrell's C (0 = none)" },
    { flag: 'ci', arg: 'TYPE', type: 'string', default: 'percentile', choices: ['percentile', 'bca'], help: 'bootstrap interval' },
    { flag: 'conf-level', arg: 'X', type: 'number', default: 0.95, help: 'confidence level' },
    { flag: 'permutations', arg: 'N', type: 'integer', default: 1000, help: 'permutations for the p-value of C (0 = none)' },
    { flag: 'seed', arg: 'S', type: 'integer', default: 1, help: 'seed of the generator (same seed = same draws everywhere)' },
    { flag: 'predicted-survival', arg: 'COL', type: 'string',
      help: 'predicted survival probability S(T) per patient (e.g. surv_1826 of latefuse score): calibration at --calibration-horizon' },
    { flag: 'calibration-horizon', arg: 'T', type: 'number', help: 'the horizon T of --predicted-survival' },
    { flag: 'calibration-groups', arg: 'G', type: 'integer', default: 10, help: 'groups of predicted risk for the calibration [default: 10]' },
  ],
  details: [
    "harrell: R's concordance (timewt n); CI = bootstrap percentile (R boot.ci perc) or BCa (jackknife).",
    'permutation_p = (b+1)/(m+1) with b = #{|C* - 0.5| >= |C - 0.5|} over m permutations of the score.',
    "uno and auc follow scikit-survival (concordance_index_ipcw, cumulative_dynamic_auc) with the data as",
    'their own training set; horizons must lie in [min time, max time). uno also gets a bootstrap percentile CI',
    '(same replicates and seed) when --bootstrap > 0.',
    'calibration (with --predicted-survival and --calibration-horizon): patients grouped by predicted risk',
    '1 - S(T) (quantile groups); per group mean predicted S(T) vs Kaplan-Meier S(T) with its CI; calibration',
    'slope = Cox coefficient of log(-log S_i(T)) (1 = perfect, < 1 = predictions too extreme). Rows without a',
    'predicted survival are left out of the calibration only.',
  ],
  async run(o) {
    if (o.bootstrap < 0 || o.permutations < 0) throw new UsageError('--bootstrap and --permutations must be >= 0');
    if (o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) throw new UsageError('--seed must be a whole number >= 0');
    if (!(o.confLevel > 0 && o.confLevel < 1)) throw new UsageError('--conf-level must lie strictly between 0 and 1');
    if (o.tau !== undefined && !(o.tau > 0)) throw new UsageError('--tau must be a positive time');
    const table = readTableFile(o.data);
    const time = numericColumn(table, o.time, 'time');
    const event = eventColumn(table, o.event);
    const score = numericColumn(table, o.score, 'score');
    const rows = completeRows([time, event, score]);
    if (rows.keep.length === 0) throw new UsageError(`${o.data}: no row has time, event and score all present`);
    const t = rows.select(time);
    checkTimes(table, o.time, t, rows.keep);
    const e = rows.select(event);
    const s = rows.select(score);
    const events = e.reduce((a, v) => a + v, 0);
    if (events === 0) throw new ModelError(`${o.data}: the event column "${o.event}" has no events among the ${t.length} usable rows; discrimination needs events`);
    const higherIsRisk = o.higher === 'risk';
    const base = { time: t, event: e, score: s, higherIsRisk };
    const warnings = [];
    const started = performance.now();

    const harrell = { c: null, lower: null, upper: null };
    if (o.bootstrap > 0) {
      const b = await bootstrap({ ...base, statistic: 'harrell', replicates: o.bootstrap, seed: o.seed, confLevel: o.confLevel, bca: o.ci === 'bca' });
      Object.assign(harrell, {
        c: b.estimate,
        lower: o.ci === 'bca' ? b.bcaLower : b.lower,
        upper: o.ci === 'bca' ? b.bcaUpper : b.upper,
        se: b.se,
        ci: o.ci,
        conf_level: o.confLevel,
        replicates: o.bootstrap,
      });
      warnings.push(...b.warnings);
    } else {
      harrell.c = (await concordance(base)).c;
    }
    let permutationP = null;
    if (o.permutations > 0) {
      const p = await permutationTest({ ...base, statistic: 'harrell', permutations: o.permutations, seed: o.seed });
      permutationP = p.p;
      warnings.push(...p.warnings);
    }
    const uno = await unoConcordance({ ...base, tau: o.tau });
    const unoCi = { lower: null, upper: null };
    if (o.bootstrap > 0) {
      const b = await bootstrap({ ...base, statistic: 'uno', ...(o.tau !== undefined ? { tau: o.tau } : {}), replicates: o.bootstrap, seed: o.seed, confLevel: o.confLevel });
      Object.assign(unoCi, { lower: b.lower, upper: b.upper, replicates: o.bootstrap, conf_level: o.confLevel });
      warnings.push(...b.warnings);
    }
    let calibration = null;
    if ((o.predictedSurvival === undefined) !== (o.calibrationHorizon === undefined)) {
      throw new UsageError('calibration needs both --predicted-survival COL and --calibration-horizon T');
    }
    if (o.predictedSurvival !== undefined) {
      if (!(o.calibrationHorizon > 0)) throw new UsageError('--calibration-horizon must be a positive time');
      if (o.calibrationGroups < 2) throw new UsageError('--calibration-groups must be at least 2');
      const predicted = numericColumn(table, o.predictedSurvival, 'predicted survival');
      const cal = completeRows([time, event, predicted]);
      if (cal.keep.length === 0) throw new UsageError(`${o.data}: no row has time, event and "${o.predictedSurvival}" all present`);
      const c = await survivalCalibration({
        time: cal.select(time), event: cal.select(event), predicted: cal.select(predicted),
        horizon: o.calibrationHorizon, groups: o.calibrationGroups,
      });
      calibration = { column: o.predictedSurvival, n: cal.keep.length, ...c };
    }

    let horizons = o.horizons;
    const sorted = Float64Array.from(t).sort();
    const tmin = sorted[0];
    const tmax = sorted[sorted.length - 1];
    if (!horizons) {
      const ev = Float64Array.from(t.filter((_, i) => e[i] === 1)).sort();
      horizons = [...new Set([0.25, 0.5, 0.75].map((p) => quantile7(ev, p)))].filter((h) => h >= tmin && h < tmax);
      if (horizons.length === 0) warnings.push('no default AUC horizon lies within the follow-up; give --horizons');
    }
    let auc = [];
    let meanAuc = null;
    if (horizons.length) {
      const a = await timeDependentAuc({ ...base, times: horizons });
      auc = a.time.map((time, k) => ({ time, auc: a.auc[k] }));
      meanAuc = a.meanAuc;
    }
    return {
      n: t.length,
      events,
      dropped: rows.dropped,
      higher: o.higher,
      harrell,
      permutation_p: permutationP,
      permutations: o.permutations,
      uno: { c: uno.c, tau: o.tau ?? null, ...unoCi },
      auc,
      mean_auc: meanAuc,
      calibration,
      seed: o.seed,
      warnings,
      compute_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
  },
};
