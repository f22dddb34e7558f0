// latefuse km: Kaplan–Meier curves by group (R survfit), medians with CIs, S at given times, and
// the log-rank test between groups (R survdiff).
import { kaplanMeier, logRank } from '../../lib/stats.js';
import { numericColumn, eventColumn, categoricalColumn, completeRows, checkTimes } from '../../lib/columns.js';
import { readTableFile, DECIMAL_OPTION, EVENT_OPTIONS, eventOrCensored } from '../data.js';
import { UsageError } from '../options.js';

export default {
  name: 'km',
  summary: 'Kaplan–Meier survival by group, medians with CIs, and the log-rank test (R survfit/survdiff)',
  usage: 'latefuse km --data FILE.csv --time COL (--event COL | --censored COL) [--group COL] [--times t1,t2,...] [--conf-type log|log-log]',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'time', arg: 'COL', type: 'string', required: true, help: 'follow-up time column (>= 0)' },
    ...EVENT_OPTIONS,
    { flag: 'group', arg: 'COL', type: 'string', help: 'one curve per value of this column, plus the log-rank test' },
    { flag: 'times', arg: 't1,t2,...', type: 'numbers', help: 'report S, its CI and the number at risk at these times' },
    { flag: 'conf-type', arg: 'TYPE', type: 'string', default: 'log', choices: ['log', 'log-log', 'plain'], help: 'confidence interval of S (R conf.type)' },
    { flag: 'conf-level', arg: 'X', type: 'number', default: 0.95, help: 'confidence level' },
    { flag: 'strata', arg: 'COL', type: 'string', help: 'stratify the log-rank test by this column' },
    { flag: 'rho', arg: 'X', type: 'number', default: 0, help: 'G-rho weight of the test: 0 = log-rank, 1 = Peto–Peto (R survdiff rho)' },
    { flag: 'weights', arg: 'COL', type: 'string', help: 'case weights for the curves (weighted Greenwood); no log-rank test then' },
    { flag: 'curve', type: 'boolean', help: 'also print the full step curve with censoring counts (for plots)' },
  ],
  details: [
    'Medians follow R quantile.survfit: the first time S < 0.5 (midpoint when S = 0.5 on a flat stretch);',
    'a median or limit that is not reached is null. Without --group there is one group "all" and no test.',
    'At times past the last follow-up S keeps its last value and n_risk is 0 (R summary(extend = TRUE)).',
  ],
  async run(o) {
    eventOrCensored(o);
    if (!(o.confLevel > 0 && o.confLevel < 1)) throw new UsageError('--conf-level must lie strictly between 0 and 1');
    const table = readTableFile(o.data, { decimal: o.decimal });
    const time = numericColumn(table, o.time, 'time');
    const event = eventColumn(table, o.event, { censored: o.eventCensored });
    const used = [time, event];
    let group;
    let strata;
    let weights;
    if (o.group) { group = categoricalColumn(table, o.group, 'group'); used.push(group.codes); }
    if (o.strata) {
      if (!o.group) throw new UsageError('--strata stratifies the log-rank test, which needs --group');
      strata = categoricalColumn(table, o.strata, 'strata');
      used.push(strata.codes);
    }
    if (o.weights) { weights = numericColumn(table, o.weights, 'weights'); used.push(weights); }
    const rows = completeRows(used);
    if (rows.keep.length === 0) {
      throw new UsageError(`${o.data}: no row has a value in every used column; check the column names and missing values`);
    }
    const t = rows.select(time);
    checkTimes(table, o.time, t, rows.keep);
    const e = rows.select(event);
    const input = { time: t, event: e, confType: o.confType, confLevel: o.confLevel, curve: o.curve };
    if (o.times) input.times = o.times;
    if (weights) {
      input.weights = rows.select(weights);
      const bad = input.weights.findIndex((w) => !(w > 0) || !Number.isFinite(w));
      if (bad >= 0) throw new UsageError(`${o.data}: weights column "${o.weights}" must be > 0 but row ${rows.keep[bad] + 1} has ${input.weights[bad]}`);
    }
    let labels;
    if (group) {
      const codes = rows.select(group.codes);
      labels = Array.from(codes, (c) => group.levels[c]);
      input.group = labels;
    }
    const warnings = [];
    const km = await kaplanMeier(input);
    const out = {
      n: t.length,
      events: e.reduce((s, v) => s + v, 0),
      dropped: rows.dropped,
      conf_type: km.conf_type,
      conf_level: km.conf_level,
      groups: km.groups.map((g) => {
        const { n, events, median, median_lower, median_upper } = g;
        const entry = { group: o.group ? g.group : 'all', n, events, median, median_lower, median_upper };
        if (g.at) {
          entry.at = g.at.time.map((time, k) => ({
            time, surv: g.at.surv[k], lower: g.at.lower[k], upper: g.at.upper[k], n_risk: g.at.n_risk[k], std_err: g.at.std_err[k],
          }));
        }
        if (g.curve) {
          const c = g.curve;
          entry.curve = Array.from(c.time, (time, k) => ({
            time, n_risk: c.n_risk[k], n_event: c.n_event[k], n_censor: c.n_censor[k], surv: c.surv[k],
            lower: Number.isFinite(c.lower[k]) ? c.lower[k] : null, upper: Number.isFinite(c.upper[k]) ? c.upper[k] : null,
          }));
        }
        return entry;
      }),
    };
    if (group) {
      if (km.groups.length < 2) {
        out.logrank = null;
        warnings.push(`the group column "${o.group}" has only one value among the used rows; no log-rank test`);
      } else if (weights) {
        out.logrank = null;
        warnings.push('no log-rank test with case weights (R survdiff has none)');
      } else {
        const request = { time: t, event: e, group: labels, rho: o.rho };
        if (strata) request.strata = Array.from(rows.select(strata.codes));
        if (!e.some((v) => v === 1)) {
          out.logrank = null;
          warnings.push('no events: no log-rank test');
        } else {
          const lr = await logRank(request);
          out.logrank = {
            chisq: lr.chisq, df: lr.df, p: lr.p, rho: lr.rho, strata: lr.strata,
            groups: lr.groups, observed: lr.observed, expected: lr.expected,
          };
        }
      }
    }
    out.warnings = warnings;
    return out;
  },
};
