// One text column one-hot encoded outside late fusion (the single Cox model of the CLI and the
// page), by the core's own encoding (cpp/latefuse/categorical.hpp encodeCohort): the reference is
// the most frequent level among the patients fitted (ties: first in sorted order), the dummies are
// "<column>=<level>" for the other levels in sorted order — the names and reference late fusion gives.
import { loadModule } from './module.js';
import { callCore } from './errors.js';
import { levelCodes } from './fusion_report.js';

/**
 * @param {string} column
 * @param {(string|null)[]} cells the column's text per patient (null or '' = missing)
 * @param {ArrayLike<number>} [rows] the patients the reference level is chosen on (default: all)
 * @returns {Promise<{column: string, levels: string[], reference: string, dummies: string[], values: Float64Array[]}>}
 *   values: one column per dummy (1 = that level, 0 = another, NaN = missing)
 */
export async function encodeCategorical(column, cells, rows) {
  const m = await loadModule();
  const { levels, codes } = levelCodes(cells);
  const request = { column, levels, codes, ...(rows ? { rows: Int32Array.from(rows) } : {}) };
  return callCore(() => m.encodeCategorical(request), { column });
}
