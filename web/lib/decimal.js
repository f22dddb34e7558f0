// The decimal mark of a CSV file. Excel in most of Europe writes numbers as `0,3220` and separates
// cells with `;`, so a reader that only knows `0.3220` turns every number into text. One rule, used
// by every door (the CLI, the page's worker, the tests): a file whose cells are not separated by
// commas, with number cells written `d,d` and none written `d.d`, uses the decimal comma.

/** The settings a user can choose: detect per file, or force one mark. */
export const DECIMAL_MARKS = Object.freeze(['auto', '.', ',']);

const DOT_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const COMMA_NUMBER = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;
// A cell that can only be read as a number with a fractional part in one convention.
const DOT_FRACTION = /^[+-]?\d*\.\d+([eE][+-]?\d+)?$/;
const COMMA_FRACTION = /^[+-]?\d*,\d+([eE][+-]?\d+)?$/;

/**
 * Detect the decimal mark of a file from its cells.
 * @param {string[][]} rows data rows (no header), cells as read
 * @param {string} delimiter the cell separator the file was split on
 * @returns {'.'|','} ',' only when the delimiter is not ',', some cell is `d,d` and no cell is `d.d`
 */
export function detectDecimalMark(rows, delimiter) {
  if (delimiter === ',') return '.';
  let comma = 0;
  for (const row of rows) {
    for (const cell of row) {
      if (cell === undefined || cell === null) continue;
      const t = cell.trim();
      if (DOT_FRACTION.test(t)) return '.';
      if (COMMA_FRACTION.test(t)) comma++;
    }
  }
  return comma > 0 ? ',' : '.';
}

/**
 * Resolve a user's setting for one file.
 * @param {'auto'|'.'|','} setting
 * @returns {'.'|','}
 */
export function resolveDecimalMark(setting, rows, delimiter) {
  if (setting === undefined || setting === 'auto') return detectDecimalMark(rows, delimiter);
  if (setting === '.' || setting === ',') return setting;
  throw new TypeError(`unknown decimal mark "${setting}"; use auto, . or ,`);
}

/**
 * One number cell in the file's convention; undefined when the cell is not a number.
 * Inf/-Inf (R's spelling) and Infinity are read as infinities.
 * @param {string} cell
 * @param {'.'|','} mark
 */
export function parseNumber(cell, mark = '.') {
  const t = cell.trim();
  if (t === 'Inf' || t === '+Inf' || t === 'Infinity') return Infinity;
  if (t === '-Inf' || t === '-Infinity') return -Infinity;
  if (mark === ',') return COMMA_NUMBER.test(t) ? Number(t.replace(',', '.')) : undefined;
  return DOT_NUMBER.test(t) ? Number(t) : undefined;
}

/** Plain words for the page and the CLI: which convention a file was read with. */
export function describeDecimalMark(mark) {
  return mark === ',' ? 'decimal comma (0,5)' : 'decimal point (0.5)';
}
