// Sentences that state a claim about an interval. A claim is decided on the UNROUNDED numbers (an
// interval whose upper bound is -0.0006 excludes 0, although it prints as -0.001), and a printed
// bound never reads as 0 when it is not. Pure functions: the page and the tests call the same code.
import { finite, fixed, sig } from './format.js';


/**
 * Where an interval lies relative to 0: 'above' (lower > 0), 'below' (upper < 0), 'includes'
 * (lower <= 0 <= upper), or null when a bound is missing.
 */
export function intervalSide(lower, upper) {
  if (!finite(lower) || !finite(upper)) return null;
  if (lower > 0) return 'above';
  if (upper < 0) return 'below';
  return 'includes';
}

/** A bound in a sentence: `digits` decimals, or one significant digit when that would print a non-zero value as 0. */
export function boundText(x, digits = 3) {
  if (!finite(x) || x === 0 || Math.abs(x) >= 0.5 * 10 ** -digits) return fixed(x, digits);
  return sig(x, 1);
}

/**
 * The paired difference of late fusion and another model, e.g. "Late fusion minus early fusion:
 * ΔC = -0.085 (95% CI -0.165 to -0.001, paired bootstrap on 88 patients): the interval excludes 0,
 * late fusion is worse."
 * @param {{metric: string, other: string, delta: number, lower?: number, upper?: number, n?: number, count: (n: number) => string}} d
 */
export function differenceSentence({ metric, other, delta, lower, upper, n, count }) {
  const side = intervalSide(lower, upper);
  let s = `Late fusion minus ${other}: ${metric}\u00a0=\u00a0${fixed(delta, 3)}`;
  if (side) s += ` (95% CI ${boundText(lower)} to ${boundText(upper)}, paired bootstrap on ${count(n)} patients)`;
  if (side === 'above') return `${s}: the interval excludes 0, late fusion is better.`;
  if (side === 'below') return `${s}: the interval excludes 0, late fusion is worse.`;
  if (side === 'includes') return `${s}: the interval includes 0, so the difference may be chance.`;
  return `${s}.`;
}
