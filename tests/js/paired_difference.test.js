// The paired mean difference over repeated runs (web/lib pairedDifference, cpp/latefuse/
// paired_difference.hpp) against R's t.test(a, b, paired = TRUE) and qt (tests/golden/
// paired_difference.json, made by tests/r/paired_difference_golden.R). The Learn tab claims a
// difference over seeds only when this interval excludes 0.
import { describe, it, expect } from 'vitest';
import { pairedDifference } from '../../web/lib/index.js';
import { readJson, expectClose } from './helpers.js';

const golden = readJson('tests/golden/paired_difference.json');

describe('pairedDifference', () => {
  for (const c of golden.cases) {
    it(`${c.name}: mean, SD, interval and p as R`, async () => {
      const d = await pairedDifference({ a: c.a, b: c.b, confLevel: c.conf_level });
      expect(d.n).toBe(c.n);
      expectClose(d.mean, c.mean, 1e-12, 'mean');
      expectClose(d.sd, c.sd, 1e-12, 'sd');
      expectClose(d.lower, c.lower, 1e-10, 'lower');
      expectClose(d.upper, c.upper, 1e-10, 'upper');
      expectClose(d.p, c.p, 1e-9, 'p');
    });
  }
  it('qt(p, df) over a grid, read back from the interval half-width', async () => {
    for (const g of golden.qt.filter((x) => x.p > 0.5)) {
      const n = g.df + 1;
      const dif = Array.from({ length: n }, (_, i) => (i % 2) + i / n);   // any non-constant differences
      const mean = dif.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(dif.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const d = await pairedDifference({ a: dif, b: dif.map(() => 0), confLevel: 2 * g.p - 1 });
      expectClose((d.upper - d.mean) * Math.sqrt(n) / sd, g.q, 1e-9, `qt(${g.p}, ${g.df})`);
    }
  });
  it('pairs with a NaN are left out; one pair has no interval', async () => {
    const d = await pairedDifference({ a: [0.7, NaN, 0.6], b: [0.65, 0.6, NaN] });
    expect(d.n).toBe(1);
    expectClose(d.mean, 0.05, 1e-12);
    expect(Number.isNaN(d.lower) && Number.isNaN(d.upper) && Number.isNaN(d.p)).toBe(true);
    await expect(pairedDifference({ a: [1, 2], b: [1] })).rejects.toThrow(/paired difference: 2 and 1 values/);
  });
});
