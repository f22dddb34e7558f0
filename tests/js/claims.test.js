// The page's claims about intervals (web/app/claims.js) are decided on the unrounded bounds, at the
// boundaries: an upper bound of -0.0006 (printed -0.001) excludes 0; a bound of exactly 0 includes
// it; a bound too small for three decimals is printed with its sign and digit, never as 0.000.
import { describe, it, expect } from 'vitest';
import { intervalSide, boundText, differenceSentence } from '../../web/app/claims.js';

const count = (n) => String(n);
const sentence = (lower, upper, delta = -0.085) => differenceSentence({ metric: 'ΔC', other: 'early fusion', delta, lower, upper, n: 88, count });

describe('interval claims', () => {
  it('decides the side of 0 on the unrounded bounds', () => {
    expect(intervalSide(-0.165, -0.0006)).toBe('below');
    expect(intervalSide(-0.165, -1e-12)).toBe('below');
    expect(intervalSide(-0.165, 0)).toBe('includes');
    expect(intervalSide(0, 0.2)).toBe('includes');
    expect(intervalSide(1e-12, 0.2)).toBe('above');
    expect(intervalSide(NaN, 0.2)).toBeNull();
    expect(intervalSide(undefined, undefined)).toBeNull();
  });
  it('prints a bound that is not 0 with its sign', () => {
    expect(boundText(-0.0006)).toBe('-0.001');
    expect(boundText(-0.0004)).toBe('-0.0004');
    expect(boundText(0.00049)).toBe('0.0005');
    expect(boundText(0)).toBe('0.000');
    expect(boundText(-0.165)).toBe('-0.165');
  });
  it('writes one sentence per case', () => {
    expect(sentence(-0.165, -0.0006)).toBe('Late fusion minus early fusion: ΔC\u00a0=\u00a0-0.085 (95% CI -0.165 to -0.001, paired bootstrap on 88 patients): the interval excludes 0, late fusion is worse.');
    expect(sentence(-0.165, -0.0004)).toContain('(95% CI -0.165 to -0.0004, paired bootstrap on 88 patients): the interval excludes 0, late fusion is worse.');
    expect(sentence(-0.165, 0)).toContain(': the interval includes 0, so the difference may be chance.');
    expect(sentence(0.0002, 0.1, 0.05)).toContain('(95% CI 0.0002 to 0.100, paired bootstrap on 88 patients): the interval excludes 0, late fusion is better.');
    expect(sentence(undefined, undefined)).toBe('Late fusion minus early fusion: ΔC\u00a0=\u00a0-0.085.');
  });
});
