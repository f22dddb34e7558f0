// Number formatting for display. Formatting only: every number shown is computed by the
// WebAssembly core; these functions round it for reading (the full value goes in data-value).

export { finite } from '../lib/numbers.js';

export function fixed(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Three significant digits, without exponent notation for ordinary magnitudes. */
export function sig(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** p-values as in most papers: 4 decimals, "< 0.0001" below that. */
export function pValue(p) {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  if (p < 0.0001) return '< 0.0001';
  return p.toFixed(4);
}

export function count(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}
