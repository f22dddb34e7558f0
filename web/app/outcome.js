// The outcome of late fusion on the user's files: which kind (survival or binary) and, for a binary
// outcome, a guess of the 0/1 column and the checks the column summaries allow before any run.
// The engine's own check (web/lib columns.js binaryColumn: every cell 0/1, TRUE/FALSE, T/F or
// yes/no) runs in the worker on "check" and on "Run"; its message names the file, row and patient,
// and fit.js shows it beside the "Outcome column" control.

const norm = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** Names that usually hold a yes/no outcome, best first. */
const BINARY_EXACT = ['y', 'outcome', 'response', 'label', 'target', 'class', 'case', 'case_control', 'status', 'event', 'died', 'death',
  'dead', 'mortality', 'recurrence', 'relapse', 'remission', 'complication', 'success', 'positive', 'diagnosis', 'disease'];
const BINARY_WORD = /(^|_)(outcome|response|label|target|status|event|died|death|dead|mortality|recur|relapse|remission|complication|positive|case|diagnos|disease|responder)/;

/** Cell texts (lower case) the engine reads as 0/1. */
export const BINARY_CODES = Object.freeze(['0', '1', 'true', 'false', 't', 'f', 'yes', 'no']);

/**
 * Could this column be a binary outcome, from its summary alone? Numbers: only 0 and 1 (R's 1/2
 * coding is an event code, not a binary outcome); text: only the codes above. Needs both values.
 */
export function binaryLike(c) {
  if (!c || !c.levels || c.levels.length !== 2) return false;
  if (c.kind === 'number') return c.levels.every((v) => v === '0' || v === '1');
  return c.levels.every((v) => BINARY_CODES.includes(v));
}

/**
 * The likely binary outcome column: a 0/1 (or TRUE/FALSE) column with no missing value, preferring
 * outcome-like names (y, outcome, response, status, died, ...). `exclude`: names not to pick (ID).
 * @returns {string|null}
 */
export function guessBinaryOutcome(summary, exclude = []) {
  const skip = new Set(exclude.filter(Boolean));
  let top = null;
  let topScore = 0;
  for (const c of summary.columns) {
    if (skip.has(c.name) || !binaryLike(c)) continue;
    const n = norm(c.name);
    const exact = BINARY_EXACT.indexOf(n);
    let score = exact >= 0 ? 100 - exact : BINARY_WORD.test(n) ? 40 : 5;
    if (c.missing) score -= 30;
    if (score > topScore) { top = c; topScore = score; }
  }
  return top && topScore > 0 ? top.name : null;
}

/**
 * A problem of the chosen binary outcome column visible in its summary (the page shows it at once);
 * the row of the first bad cell comes from the worker's check. Null when nothing is wrong here.
 */
export function binaryColumnProblem(c) {
  if (!c) return null;
  if (c.levels === null || (c.levels && c.levels.length > 2)) {
    return `“${c.name}” has ${c.distinct ?? 'many'} different values; a binary outcome holds only 0/1 (or TRUE/FALSE).`;
  }
  if (c.levels && c.levels.length === 1) return `“${c.name}” has only the value “${c.levels[0]}”; a binary outcome needs cases (1) and controls (0).`;
  return null;
}
