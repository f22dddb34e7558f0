// latefuse concordance: Harrell's C of an existing score column, with R's pair counts.
import { concordance } from '../../lib/cox.js';
import { numericColumn, eventColumn, categoricalColumn, completeRows, checkTimes } from '../../lib/columns.js';
import { ModelError } from '../../lib/errors.js';
import { readTableFile, DECIMAL_OPTION, EVENT_OPTIONS, eventOrCensored } from '../data.js';

export default {
  name: 'concordance',
  summary: "Harrell's concordance index of a score, O(n log n), with R's counts",
  usage: 'latefuse concordance --data FILE.csv --time COL (--event COL | --censored COL) --score COL [--higher risk|survival]',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'time', arg: 'COL', type: 'string', required: true, help: 'follow-up time column (>= 0)' },
    ...EVENT_OPTIONS,
    { flag: 'score', arg: 'COL', type: 'string', required: true, help: 'the score to evaluate' },
    { flag: 'higher', arg: 'MEANING', type: 'string', default: 'risk', choices: ['risk', 'survival'],
      help: 'what a higher score predicts: risk (shorter survival; R reverse=TRUE) or survival (lifelines)' },
    { flag: 'strata', arg: 'COL', type: 'string', help: 'form pairs within strata only' },
    { flag: 'weights', arg: 'COL', type: 'string', help: 'case weights (pair weight w_i·w_j)' },
  ],
  details: ['C = (concordant + tied_score/2) / comparable; two events at the same time are not comparable (tied_time).'],
  async run(o) {
    eventOrCensored(o);
    const table = readTableFile(o.data, { decimal: o.decimal });
    const time = numericColumn(table, o.time, 'time');
    const event = eventColumn(table, o.event, { censored: o.eventCensored });
    const score = numericColumn(table, o.score, 'score');
    const used = [time, event, score];
    let weights;
    let strata;
    if (o.weights) { weights = numericColumn(table, o.weights, 'weights'); used.push(weights); }
    if (o.strata) { strata = categoricalColumn(table, o.strata, 'strata'); used.push(strata.codes); }
    const rows = completeRows(used);
    const t = rows.select(time);
    checkTimes(table, o.time, t, rows.keep);
    const e = rows.select(event);
    if (!e.some((v) => v === 1)) throw new ModelError(`${o.data}: the event column "${o.event}" has no events; the C-index needs at least one event`);
    const input = { time: t, event: e, score: rows.select(score), higherIsRisk: o.higher === 'risk' };
    if (weights) input.weights = rows.select(weights);
    if (strata) input.strata = rows.select(strata.codes);
    const started = performance.now();
    const c = await concordance(input);
    const ms = performance.now() - started;
    return {
      n: t.length,
      dropped: rows.dropped,
      c: c.c,
      concordant: c.concordant,
      discordant: c.discordant,
      tied_score: c.tiedScore,
      tied_time: c.tiedTime,
      tied_time_score: c.tiedTimeScore,
      comparable: c.comparable,
      higher: o.higher,
      compute_ms: Math.round(ms * 1000) / 1000,
    };
  },
};
