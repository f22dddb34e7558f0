// latefuse dca: decision curve analysis of any predictions file — the net benefit of treating the
// patients whose predicted risk is at least each threshold probability, with treat-all and treat-none.
import { writeFileSync } from 'node:fs';
import { decisionCurve } from '../../lib/decision_curve.js';
import { numericColumn, eventColumn, binaryColumn, completeRows, checkTimes } from '../../lib/columns.js';
import { InputError } from '../../lib/errors.js';
import { readTableFile, EVENT_OPTIONS, eventOrCensored } from '../data.js';
import { UsageError } from '../options.js';

// A predicted probability column must lie in [0, 1]: the first bad cell named by file, row, column.
function checkProbabilities(table, column, values, keep, what) {
  values.forEach((v, k) => {
    if (!(v >= 0 && v <= 1)) {
      throw new InputError(`${table.file}: ${what} column "${column}" must be a probability between 0 and 1 but row ${keep[k] + 1} has ${v}; ` +
        'give a predicted probability (e.g. risk = 1 - S(horizon)), not a linear predictor', { file: table.file, row: keep[k] + 1, column });
    }
  });
}

/** The curve as CSV rows: threshold, net benefit, its band, treat all, treat none, patients treated. */
export function decisionCurveCsv(curve) {
  const cell = (v) => (v === null || v === undefined ? '' : String(v));
  const lines = ['threshold,net_benefit,lower,upper,treat_all,treat_none,treated'];
  curve.thresholds.forEach((t, k) => {
    lines.push([t, curve.net_benefit[k], curve.lower[k], curve.upper[k], curve.treat_all[k], 0, curve.treated[k]].map(cell).join(','));
  });
  return `${lines.join('\n')}\n`;
}

export default {
  name: 'dca',
  summary: 'decision curve analysis: net benefit of a risk prediction vs treat-all and treat-none',
  usage: 'latefuse dca --data FILE.csv --time COL (--event COL | --censored COL) (--risk COL | --survival COL) --horizon T [--bootstrap N --seed S] [--out curve.csv]\n' +
    '  latefuse dca --data FILE.csv --outcome COL --probability COL [--bootstrap N --seed S] [--out curve.csv]',
  options: [
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV predictions file with a header row (e.g. latefuse score --out)' },
    { flag: 'time', arg: 'COL', type: 'string', help: 'survival: follow-up time column (>= 0)' },
    ...EVENT_OPTIONS,
    { flag: 'risk', arg: 'COL', type: 'string', help: 'survival: predicted probability of the event by the horizon, 1 - S(T) (0-1)' },
    { flag: 'survival', arg: 'COL', type: 'string', help: 'survival: predicted S(T) at the horizon instead of --risk (e.g. surv_730 of latefuse score)' },
    { flag: 'horizon', arg: 'T', type: 'number', help: 'survival: the horizon T of the prediction, within the follow-up' },
    { flag: 'outcome', arg: 'COL', type: 'string', help: 'binary: the 0/1 outcome column' },
    { flag: 'probability', arg: 'COL', type: 'string', help: 'binary: predicted probability of the outcome (0-1)' },
    { flag: 'bootstrap', arg: 'N', type: 'integer', default: 0, help: 'bootstrap replicates for a percentile band of the net benefit (0 = none)' },
    { flag: 'seed', arg: 'S', type: 'integer', default: 1, help: 'seed of the bootstrap (same seed = same band everywhere)' },
    { flag: 'conf-level', arg: 'X', type: 'number', default: 0.95, help: 'level of the band' },
    { flag: 'out', arg: 'FILE', type: 'string', help: 'also write the curve as CSV (threshold, net_benefit, lower, upper, treat_all, treat_none, treated)' },
  ],
  details: [
    'Thresholds p_t = 0.01, 0.02, ..., 0.99; a patient is treated when the predicted risk is >= p_t.',
    'binary (Vickers & Elkin 2006): NB = TP/n - FP/n * p_t/(1 - p_t); treat all = prevalence - (1 - prevalence) * p_t/(1 - p_t).',
    'survival (Vickers, Cronin, Elkin & Gonen 2008): x = share treated, S_x = Kaplan-Meier S(T) of the treated,',
    'NB = (1 - S_x) x - S_x x p_t/(1 - p_t); treat all uses everyone; treat none = 0. Nobody treated: NB = 0.',
    'net_benefit is null where the follow-up of the treated ends before T (the Kaplan-Meier estimate is not defined).',
    'beats_defaults: the thresholds where the net benefit is above both treat-all and treat-none (unrounded).',
  ],
  async run(o) {
    eventOrCensored(o, { required: false });
    const binary = o.outcome !== undefined || o.probability !== undefined;
    const survival = ['time', 'event', 'risk', 'survival', 'horizon'].some((k) => o[k] !== undefined);
    if (binary && survival) throw new UsageError('give either --outcome/--probability (binary) or --time/--event/--risk|--survival/--horizon (survival), not both');
    if (!binary && !survival) throw new UsageError('"latefuse dca" needs --time, --event, --risk (or --survival) and --horizon, or --outcome and --probability; see latefuse dca --help');
    const table = readTableFile(o.data);
    const options = { bootstrap: o.bootstrap, seed: o.seed, confLevel: o.confLevel };
    let curve;
    let dropped;
    if (binary) {
      for (const k of ['outcome', 'probability']) if (o[k] === undefined) throw new UsageError(`binary decision curve: give --${k} COL`);
      const y = binaryColumn(table, o.outcome);
      const p = numericColumn(table, o.probability, 'probability');
      const rows = completeRows([y, p]);
      const prob = rows.select(p);
      checkProbabilities(table, o.probability, prob, rows.keep, 'probability');
      dropped = rows.dropped;
      curve = await decisionCurve({ outcomeType: 'binary', outcome: rows.select(y), probability: prob, ...options });
    } else {
      for (const k of ['time', 'horizon']) if (o[k] === undefined) throw new UsageError(`survival decision curve: give --${k}`);
      if (o.event === undefined) throw new UsageError('survival decision curve: give --event COL (1 = event), or --censored COL when the column marks censoring (1 = censored)');
      if ((o.risk === undefined) === (o.survival === undefined)) throw new UsageError('survival decision curve: give exactly one of --risk COL and --survival COL');
      const column = o.risk ?? o.survival;
      const time = numericColumn(table, o.time, 'time');
      const event = eventColumn(table, o.event, { censored: o.eventCensored });
      const pred = numericColumn(table, column, o.risk ? 'risk' : 'survival');
      const rows = completeRows([time, event, pred]);
      const t = rows.select(time);
      checkTimes(table, o.time, t, rows.keep);
      const values = rows.select(pred);
      checkProbabilities(table, column, values, rows.keep, o.risk ? 'risk' : 'survival');
      const risk = o.risk ? values : values.map((s) => 1 - s);
      dropped = rows.dropped;
      curve = await decisionCurve({ time: t, event: rows.select(event), risk, horizon: o.horizon, ...options });
    }
    if (o.out) writeFileSync(o.out, decisionCurveCsv(curve));
    return { ...curve, dropped, risk_column: o.risk ?? (o.survival ? `1 - ${o.survival}` : o.probability) };
  },
};
