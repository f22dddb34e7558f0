// The rules around an evaluation's statistics, from the core through the WebAssembly module,
// against R (tests/golden/evaluation_rules.json, made by tests/r/evaluation_rules_golden.R): the
// default horizons (signif of the event-time quartiles), the risk groups (R's cut at the score's
// own quantiles, with the page's labels) and the dummies of a categorical column at scoring time
// (R's model.matrix with the reference level as the base).
import { describe, it, expect } from 'vitest';
import { defaultHorizons, quantileGroups, riskGroups } from '../../web/lib/index.js';
import { applyEncoding } from '../../web/lib/model.js';
import { readJson } from './helpers.js';

const golden = readJson('tests/golden/evaluation_rules.json');
const nullToNaN = (values) => values.map((v) => (v === null ? NaN : v));

describe('default horizons', () => {
  it('has every R case', () => expect(golden.horizons.map((c) => c.name)).toHaveLength(9));
  for (const c of golden.horizons) {
    it(`${c.name}: the same times as R`, async () => {
      expect(await defaultHorizons(c.time, c.event)).toEqual(c.horizons);
    });
  }
});

describe('risk groups (R cut at quantiles)', () => {
  it('has every R case', () => expect(golden.cuts).toHaveLength(9));
  for (const c of golden.cuts) {
    it(`${c.name}: the cut-points and every patient's group as R`, async () => {
      const g = await quantileGroups(c.score, c.probs);
      expect(g.cutpoints).toEqual(c.cutpoints);
      expect(Array.from(g.codes)).toEqual(c.codes);
    });
  }
  it('labels merged tertiles by their outer labels, and one group as all patients', async () => {
    const ecog = golden.cuts.find((c) => c.name === 'lung_ecog_tertiles');
    const merged = await riskGroups(Float64Array.from(ecog.score), 'tertiles');
    expect(merged.k).toBe(2);
    expect(merged.short).toEqual(['low', 'high']);
    expect(merged.cutpoints).toEqual(ecog.cutpoints);
    const constant = await riskGroups(Float64Array.from([2, 2, 2]), 'median');
    expect(constant.labels).toEqual(['All patients']);
    const age = golden.cuts.find((c) => c.name === 'lung_age_tertiles');
    const three = await riskGroups(Float64Array.from(age.score), 'tertiles');
    expect(three.short).toEqual(['low', 'intermediate', 'high']);
    expect(Array.from(three.codes)).toEqual(age.codes);
  });
  it('refuses a score that is not a finite number', async () => {
    await expect(quantileGroups([1, NaN, 3], [0.5])).rejects.toThrow(/risk groups: the score of patient 2 is not a finite number/);
  });
});

describe('dummies of a categorical column at scoring time', () => {
  it('has every R case', () => expect(golden.encodings).toHaveLength(3));
  for (const c of golden.encodings) {
    it(`${c.name}: R's model.matrix, unseen levels as the reference`, async () => {
      const d = await applyEncoding(c.encoding, c.cells);
      expect(Object.keys(d.dummies)).toEqual(c.dummies);
      c.dummies.forEach((name, k) => expect(Array.from(d.dummies[name])).toEqual(nullToNaN(c.values[k])));
      expect(d.unseen).toEqual(c.unseen);
    });
  }
});
