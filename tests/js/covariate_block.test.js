// Covariates written straight into the core's memory (web/lib/cox.js covariateBlock): the fit that
// takes a block is the fit of the same columns passed as arrays, bit for bit; a block serves one fit,
// whatever happens to it; and its errors say what went wrong.
import { describe, it, expect } from 'vitest';
import { covariateBlock, fitCox } from '../../web/lib/index.js';

// A small cohort with ties, censoring and three covariates (one of them on a wide scale).
function cohort(n) {
  let s = 7;
  const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const x = { age: new Float64Array(n), stage: new Float64Array(n), marker: new Float64Array(n) };
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x.age[i] = 40 + Math.round(u() * 400) / 10;
    x.stage[i] = Math.floor(u() * 4);
    x.marker[i] = Math.round((u() - 0.5) * 2e4) / 10;
    time[i] = 1 + Math.floor(u() * 60);
    event[i] = u() < 0.65 ? 1 : 0;
  }
  return { time, event, covariates: x };
}

async function blockOf(data) {
  const names = Object.keys(data.covariates);
  const block = await covariateBlock(data.time.length, names);
  for (const name of names) block.column(name).set(data.covariates[name]);
  return block;
}

// Every field of a fit as JSON (typed arrays as arrays), for a bit-for-bit comparison.
const json = (fit) => JSON.stringify(fit, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));

describe('covariateBlock', () => {
  it('gives the same fit, bit for bit, as the same columns passed as arrays (Efron, Breslow, robust, strata)', async () => {
    const data = cohort(400);
    const strata = Array.from({ length: 400 }, (_, i) => i % 2);
    for (const options of [{}, { ties: 'breslow' }, { robust: true }, { strata }, { survivalTimes: [10, 30] }]) {
      const fromArrays = await fitCox({ ...data, ...options });
      const fromBlock = await fitCox({ ...data, ...options, covariates: await blockOf(data) });
      expect(json(fromBlock)).toBe(json(fromArrays));
      expect(fromBlock.covariates).toEqual(['age', 'stage', 'marker']);
    }
  });

  it('serves one fit: a second fit with it, or a column after it, is refused with a message', async () => {
    const data = cohort(50);
    const block = await blockOf(data);
    await fitCox({ ...data, covariates: block });
    await expect(fitCox({ ...data, covariates: block })).rejects.toThrow(/fitted or freed already; make a new one per fit/);
    expect(() => block.column('age')).toThrow(/fitted or freed already/);
  });

  it('is dropped when the fit fails before the core takes it, and when the core refuses its rows', async () => {
    const data = cohort(50);
    const early = await blockOf(data);
    await expect(fitCox({ ...data, time: 'not numbers', covariates: early })).rejects.toThrow(/time must be an array of numbers/);
    expect(() => early.column('age')).toThrow(/fitted or freed already/);

    const short = await blockOf(cohort(49));
    await expect(fitCox({ ...data, covariates: short })).rejects.toThrow(/covariate block has 49 rows, expected 50/);
    expect(() => short.column('age')).toThrow(/fitted or freed already/);
  });

  it('names its columns: an unknown name, duplicate names and bad sizes are refused with a message', async () => {
    const block = await covariateBlock(10, ['a', 'b']);
    expect(block.column('b')).toHaveLength(10);
    expect(() => block.column('c')).toThrow('the covariate block has no column "c" (its columns: a, b)');
    block.free();
    expect(() => block.column('a')).toThrow(/fitted or freed already/);
    await expect(covariateBlock(10, ['a', 'a'])).rejects.toThrow('covariate names must be distinct');
    await expect(covariateBlock(-1, ['a'])).rejects.toThrow("a covariate block's row count must be a whole number >= 0");
    await expect(covariateBlock(2.5, ['a'])).rejects.toThrow("a covariate block's row count must be a whole number >= 0");
  });

  it('carries a bad value to the fit, which names the covariate', async () => {
    const data = cohort(60);
    const block = await blockOf(data);
    block.column('marker')[7] = NaN;
    await expect(fitCox({ ...data, covariates: block })).rejects.toThrow(/marker/);
  });
});
