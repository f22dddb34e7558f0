// What a patient's data look like for a model (used by the Score tab's form on the page and by the
// worker that scores it): per modality, the raw input fields — a numeric column, or a categorical
// column given by its text level and one-hot encoded by the model file's `encodings` — in the
// model's column order. Reads validateModel(...)'s summary only; no statistics.

/**
 * @param {{modalities: Array<{name: string, columns: string[]}>, encodings?: Array<{column: string, levels: string[], reference: string, dummies: string[]}>}} summary
 * @returns {Array<{name: string, fields: Array<{column: string, kind: 'number'|'category', levels?: string[], reference?: string}>}>}
 */
export function modelInputs(summary) {
  const dummyOf = new Map();
  for (const e of summary.encodings ?? []) for (const d of e.dummies) dummyOf.set(d, e);
  return summary.modalities.map((mo) => {
    /** @type {Array<{column: string, kind: 'number'|'category', levels?: string[], reference?: string}>} */
    const fields = [];
    const seen = new Set();
    for (const c of mo.columns) {
      const e = dummyOf.get(c);
      if (e) {
        if (seen.has(e.column)) continue;
        seen.add(e.column);
        fields.push({ column: e.column, kind: 'category', levels: [...e.levels], reference: e.reference });
      } else {
        fields.push({ column: c, kind: 'number' });
      }
    }
    return { name: mo.name, fields };
  });
}

/** Every raw column of the model (what a patient file needs), in the order of modelInputs. */
export function rawColumns(summary) {
  return modelInputs(summary).flatMap((m) => m.fields.map((f) => f.column));
}

/**
 * A cell typed in a numeric field: the same rule as a CSV cell (web/lib/table.js): empty = missing,
 * else a plain decimal number (point as decimal separator, optional exponent).
 * @returns {{ok: true, empty: boolean} | {ok: false, message: string}}
 */
export function checkNumberCell(text) {
  const t = String(text ?? '').trim();
  if (t === '') return { ok: true, empty: true };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: true, empty: false };
  if (/^[+-]?\d+,\d+$/.test(t)) return { ok: false, message: `“${t}” is not a number: use a point as the decimal separator (e.g. ${t.replace(',', '.')})` };
  return { ok: false, message: `“${t}” is not a number: enter a number, or leave the field empty if unknown` };
}
