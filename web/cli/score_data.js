// The input of the commands that judge a risk score against survival (`concordance`, `evaluate`):
// one option table for the data file, the outcome and the score, and one reader for them, so the
// two commands take and check these flags alike.
import { numericColumn, eventColumn, completeRows, checkTimes } from '../lib/columns.js';
import { readTableFile, DECIMAL_OPTION, EVENT_OPTIONS } from './data.js';
import { UsageError } from './options.js';

/**
 * --decimal, --data, --time, --event/--censored, --score and --higher.
 * @param {string} higherHelp what --help says of --higher
 */
export function scoreDataOptions(higherHelp) {
  return [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'time', arg: 'COL', type: 'string', required: true, help: 'follow-up time column (>= 0)' },
    ...EVENT_OPTIONS,
    { flag: 'score', arg: 'COL', type: 'string', required: true, help: 'the score to evaluate' },
    { flag: 'higher', arg: 'MEANING', type: 'string', default: 'risk', choices: ['risk', 'survival'], help: higherHelp },
  ];
}

/**
 * Read the data file's time, event and score (after eventOrCensored(o)), plus the command's own
 * columns (`more(table)`, each a numeric column), keeping the rows where all are present; times
 * are checked (>= 0, finite) naming the row. `columns` keeps time and event on every row.
 * @param {any} o the parsed options
 * @param {(table: any) => Float64Array[]} [more]
 */
export function readScoreData(o, more = () => []) {
  const table = readTableFile(o.data, { decimal: o.decimal });
  const time = numericColumn(table, o.time, 'time');
  const event = eventColumn(table, o.event, { censored: o.eventCensored });
  const score = numericColumn(table, o.score, 'score');
  const extra = more(table);
  const rows = completeRows([time, event, score, ...extra]);
  if (rows.keep.length === 0) throw new UsageError(`${o.data}: no row has time, event and score all present`);
  const t = rows.select(time);
  checkTimes(table, o.time, t, rows.keep);
  return {
    table, rows, time: t, event: rows.select(event), score: rows.select(score), extra: extra.map((c) => rows.select(c)),
    columns: { time, event },  // every row, for a step with rows of its own
  };
}
