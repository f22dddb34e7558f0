// latefuse concordance: Harrell's C of an existing score column, with R's pair counts.
import { loadModule } from '../../lib/module.js';
import { concordance } from '../../lib/cox.js';
import { numericColumn, categoricalColumn } from '../../lib/columns.js';
import { ModelError } from '../../lib/errors.js';
import { eventOrCensored } from '../data.js';
import { scoreDataOptions, readScoreData } from '../score_data.js';

export default {
  name: 'concordance',
  warmUp: true, // a large input's first fit runs optimised code (latefuse.js, web/lib/warm_up.js)
  summary: "Harrell's concordance index of a score, O(n log n), with R's counts",
  usage: 'latefuse concordance --data FILE.csv --time COL (--event COL | --censored COL) --score COL [--higher risk|survival]',
  options: [
    ...scoreDataOptions('what a higher score predicts: risk (shorter survival; R reverse=TRUE) or survival (lifelines)'),
    { flag: 'strata', arg: 'COL', type: 'string', help: 'form pairs within strata only' },
    { flag: 'weights', arg: 'COL', type: 'string', help: 'case weights (pair weight w_i·w_j)' },
  ],
  details: ['C = (concordant + tied_score/2) / comparable; two events at the same time are not comparable (tied_time).'],
  async run(o) {
    eventOrCensored(o);
    let strata;
    const { rows, time: t, event: e, score, extra } = readScoreData(o, (table) => {
      const more = [];
      if (o.weights) more.push(numericColumn(table, o.weights, 'weights'));
      if (o.strata) { strata = categoricalColumn(table, o.strata, 'strata'); more.push(strata.codes); }
      return more;
    });
    if (!e.some((v) => v === 1)) throw new ModelError(`${o.data}: the event column "${o.event}" has no events; the C-index needs at least one event`);
    const input = { time: t, event: e, score, higherIsRisk: o.higher === 'risk' };
    if (o.weights) input.weights = extra[0];
    if (strata) input.strata = extra[extra.length - 1];
    await loadModule(); // loaded before the clock starts, as R's library() is before system.time()
    const started = performance.now();
    const c = await concordance(input);
    const ms = performance.now() - started;
    return {
      n: t.length,
      dropped: rows.dropped,
      ...c,
      higher: o.higher,
      compute_ms: Math.round(ms * 1000) / 1000,
    };
  },
};
