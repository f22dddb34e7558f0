// latefuse evaluate: how well a score predicts survival — Harrell's C with a seeded bootstrap CI and a
// permutation p-value, Uno's IPCW C, and the cumulative/dynamic time-dependent AUC with its mean.
import { evaluateScore } from '../../lib/evaluate.js';
import { numericColumn, completeRows } from '../../lib/columns.js';
import { finiteOrNull } from '../../lib/numbers.js';
import { writeFileSync } from 'node:fs';
import { addModelValidation, validateModel } from '../../lib/model.js';
import { readTextFile, eventOrCensored } from '../data.js';
import { scoreDataOptions, readScoreData } from '../score_data.js';
import { UsageError, MAX_RESAMPLES } from '../options.js';
import { progressBar } from '../progress.js';
import { loadModule } from '../../lib/module.js';

export default {
  name: 'evaluate',
  summary: "discrimination of a risk score: Harrell's C (bootstrap CI, permutation p), Uno's C, time-dependent AUC",
  usage: 'latefuse evaluate --data FILE.csv --time COL (--event COL | --censored COL) --score COL [--higher risk|survival] [--tau T] ' +
    '[--horizons t1,t2,...] [--bootstrap N] [--permutations N] [--seed S] [--predicted-survival COL --calibration-horizon T [--calibration-groups G]] ' +
    '[--attach-to model.json --cohort NAME [--cohort-description TEXT]]',
  options: [
    ...scoreDataOptions('what a higher score predicts: risk (shorter survival) or survival'),
    { flag: 'tau', arg: 'T', type: 'number', help: "truncation time of Uno's C (default: none)" },
    { flag: 'horizons', arg: 't1,t2,...', type: 'numbers', help: 'times of the AUC (default: quartiles of the event times to 3 significant digits, within the follow-up)' },
    { flag: 'bootstrap', arg: 'N', type: 'integer', default: 1000, max: MAX_RESAMPLES, help: "bootstrap replicates for the CI of Harrell's C (0 = none)" },
    { flag: 'ci', arg: 'TYPE', type: 'string', default: 'percentile', choices: ['percentile', 'bca'], help: 'bootstrap interval' },
    { flag: 'conf-level', arg: 'X', type: 'number', default: 0.95, help: 'confidence level' },
    { flag: 'permutations', arg: 'N', type: 'integer', default: 1000, max: MAX_RESAMPLES, help: 'permutations for the p-value of C (0 = none)' },
    { flag: 'seed', arg: 'S', type: 'integer', default: 1, help: 'seed of the generator (same seed = same draws everywhere)' },
    { flag: 'predicted-survival', arg: 'COL', type: 'string',
      help: 'predicted survival probability S(T) per patient (e.g. surv_1826 of latefuse score): calibration at --calibration-horizon' },
    { flag: 'calibration-horizon', arg: 'T', type: 'number', help: 'the horizon T of --predicted-survival' },
    { flag: 'calibration-groups', arg: 'G', type: 'integer', default: 10, help: 'groups of predicted risk for the calibration [default: 10]' },
    { flag: 'attach-to', arg: 'MODEL', type: 'string',
      help: "add the results to this model file's external validation (\"validation\", one entry per --cohort; the file is rewritten)" },
    { flag: 'cohort', arg: 'NAME', type: 'string', help: 'with --attach-to: the validation cohort\'s name (an entry with the same name is replaced)' },
    { flag: 'cohort-description', arg: 'TEXT', type: 'string', help: 'with --attach-to: one line describing the cohort' },
  ],
  details: [
    "harrell: R's concordance (timewt n); CI = bootstrap percentile (R boot.ci perc) or BCa (jackknife).",
    'permutation_p = (b+1)/(m+1) with b = #{|C* - 0.5| >= |C - 0.5|} over m permutations of the score.',
    "uno and auc follow scikit-survival (concordance_index_ipcw, cumulative_dynamic_auc) with the data as",
    'their own training set; horizons must lie in [min time, max time). uno also gets a bootstrap percentile CI',
    '(same replicates and seed) when --bootstrap > 0.',
    'Cost: every resample recomputes C (O(n log n)); the defaults make about 3,000 (1,000 bootstrap resamples',
    "of Harrell's and of Uno's C, 1,000 permutations). At n = 1,000,000 one C takes about 0.4 s of CPU, so the",
    'defaults take about 20 minutes there: use --bootstrap 200 --permutations 200 (or 0) for very large n. On a',
    'terminal a progress bar with the time left is shown on stderr.',
    'calibration (with --predicted-survival and --calibration-horizon): patients grouped by predicted risk',
    '1 - S(T) (quantile groups); per group mean predicted S(T) vs Kaplan-Meier S(T) with its CI; calibration',
    'slope = Cox coefficient of log(-log S_i(T)) (1 = perfect, < 1 = predictions too extreme). Rows without a',
    'predicted survival are left out of the calibration only.',
    '--attach-to model.json --cohort NAME: for a --score that is the model\'s own prediction on an external',
    'cohort (fused_lp of latefuse score, --higher risk), also write n, events, C with its CI, permutation p,',
    "Uno's C with its CI, AUC(t) and the calibration into the model file's \"validation\" list (models/schema.json).",
    'The file is checked, the entry added (or the entry of the same cohort replaced) and the file rewritten in',
    'its canonical form; the rest of the file is unchanged byte for byte. Scoring never reads this section.',
  ],
  async run(o) {
    eventOrCensored(o);
    if (o.bootstrap < 0 || o.permutations < 0) throw new UsageError('--bootstrap and --permutations must be >= 0');
    if (o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) throw new UsageError('--seed must be a whole number >= 0');
    if (!(o.confLevel > 0 && o.confLevel < 1)) throw new UsageError('--conf-level must lie strictly between 0 and 1');
    if (o.tau !== undefined && !(o.tau > 0)) throw new UsageError('--tau must be a positive time');
    let modelBefore = null;
    if (o.attachTo !== undefined) {
      if (o.cohort === undefined || o.cohort.trim() === '') throw new UsageError('--attach-to needs --cohort NAME (the validation cohort)');
      if (o.higher !== 'risk') throw new UsageError("--attach-to needs --higher risk: a model's scores are risks");
      modelBefore = readModelText(o.attachTo);
      let summary;
      try {
        summary = await validateModel(modelBefore);  // fail before the bootstrap, not after
      } catch (error) {
        if (error.name === 'InputError') error.message = `${o.attachTo}: ${error.message}`;
        throw error;
      }
      if (summary.outcome_type !== 'survival') {
        throw new UsageError(`--attach-to ${o.attachTo}: the model has a ${summary.outcome_type} outcome, but latefuse evaluate ` +
          'computes survival statistics (time, event); attach only to a survival model');
      }
    } else if (o.cohort !== undefined || o.cohortDescription !== undefined) {
      throw new UsageError('--cohort and --cohort-description go with --attach-to model.json');
    }
    if ((o.predictedSurvival === undefined) !== (o.calibrationHorizon === undefined)) {
      throw new UsageError('calibration needs both --predicted-survival COL and --calibration-horizon T');
    }
    if (o.predictedSurvival !== undefined) {
      if (!(o.calibrationHorizon > 0)) throw new UsageError('--calibration-horizon must be a positive time');
      if (o.calibrationGroups < 2) throw new UsageError('--calibration-groups must be at least 2');
    }
    const { table, rows, time: t, event: e, score: s, columns: { time, event } } = readScoreData(o);
    let calibrationInput = null;
    let calibrationRows = 0;
    if (o.predictedSurvival !== undefined) {
      // Its own rows: a patient without a predicted survival still counts for discrimination.
      const predicted = numericColumn(table, o.predictedSurvival, 'predicted survival');
      const cal = completeRows([time, event, predicted]);
      if (cal.keep.length === 0) throw new UsageError(`${o.data}: no row has time, event and "${o.predictedSurvival}" all present`);
      calibrationInput = {
        time: cal.select(time), event: cal.select(event), predicted: cal.select(predicted),
        horizon: o.calibrationHorizon, groups: o.calibrationGroups,
      };
      calibrationRows = cal.keep.length;
    }
    const started = performance.now();

    await loadModule();  // not part of the time per unit of work
    // Progress on a terminal: every resample costs about one Harrell's C.
    const bar = progressBar(2 + 2 * o.bootstrap + o.permutations + (calibrationInput ? 1 : 0));
    const ev = await evaluateScore({
      time: t, event: e, score: s, higherIsRisk: o.higher === 'risk',
      bootstrap: o.bootstrap, ci: o.ci, confLevel: o.confLevel, permutations: o.permutations, seed: o.seed,
      unoInterval: true, tau: o.tau ?? null, horizons: o.horizons, calibration: calibrationInput,
      eventLabel: `${o.data}: the event column "${o.event}"`,
    }, { onProgress: (stage, fraction, units) => { if (units > 0) bar.start(stage, units); } });
    bar.done();
    const warnings = [...ev.warnings];
    if (ev.horizons.length === 0) warnings.push('no default AUC horizon lies within the follow-up; give --horizons');
    const h = ev.harrell;
    const harrell = o.bootstrap > 0
      ? { c: h.c, lower: h.lower, upper: h.upper, se: h.se, ci: h.ci, conf_level: h.conf_level, replicates: h.replicates }
      : { c: h.c, lower: null, upper: null };
    const u = ev.uno;
    const unoCi = o.bootstrap > 0 ? { lower: u.lower, upper: u.upper, replicates: u.replicates, conf_level: u.conf_level } : { lower: null, upper: null };
    const result = {
      n: ev.n,
      events: ev.events,
      dropped: rows.dropped,
      higher: o.higher,
      harrell,
      permutation_p: ev.permutation?.p ?? null,
      permutations: o.permutations,
      uno: { c: u.c, tau: u.tau, ...unoCi },
      auc: ev.auc.time.map((time, k) => ({ time, auc: ev.auc.auc[k] })),
      mean_auc: ev.auc.mean_auc,
      calibration: ev.calibration && { column: o.predictedSurvival, n: calibrationRows, ...ev.calibration },
      seed: o.seed,
      warnings,
      compute_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
    if (modelBefore !== null) {
      const entry = validationEntry(result, o);
      let text;
      try {
        text = await addModelValidation(modelBefore, entry);
      } catch (error) {
        if (error.name === 'InputError') error.message = `${o.attachTo}: ${error.message}`;
        throw error;
      }
      try {
        writeFileSync(o.attachTo, text);
      } catch (error) {
        throw new UsageError(`cannot write --attach-to ${o.attachTo}: ${error.message}`);
      }
      result.attached_to = { model: o.attachTo, cohort: entry.cohort };
    }
    return result;
  },
};

const readModelText = (path) => readTextFile(path, '--attach-to');

/** The model file's validation entry (models/schema.json, "validation") of an evaluate result. */
function validationEntry(r, o) {
  const entry = { cohort: o.cohort.trim() };
  if (o.cohortDescription !== undefined) entry.description = o.cohortDescription;
  Object.assign(entry, {
    n: r.n,
    events: r.events,
    c: r.harrell.c,
    c_lower: finiteOrNull(r.harrell.lower),
    c_upper: finiteOrNull(r.harrell.upper),
    bootstrap: o.bootstrap,
    permutation_p: finiteOrNull(r.permutation_p),
    uno_c: finiteOrNull(r.uno.c),
    uno_c_lower: finiteOrNull(r.uno.lower),
    uno_c_upper: finiteOrNull(r.uno.upper),
    tau: r.uno.tau,
    auc: r.auc.map((a) => ({ time: a.time, auc: finiteOrNull(a.auc) })),
    mean_auc: finiteOrNull(r.mean_auc),
    calibration: r.calibration === null ? null : {
      horizon: r.calibration.horizon,
      n: r.calibration.n,
      slope: finiteOrNull(r.calibration.slope),
      slope_lower: finiteOrNull(r.calibration.slope_lower),
      slope_upper: finiteOrNull(r.calibration.slope_upper),
      groups: r.calibration.groups.map((g) => ({
        n: g.n, events: g.events, predicted: g.predicted,
        observed: finiteOrNull(g.observed), lower: finiteOrNull(g.lower), upper: finiteOrNull(g.upper),
      })),
    },
    seed: o.seed,
  });
  if (o.bootstrap > 0) entry.conf_level = o.confLevel;
  return entry;
}
