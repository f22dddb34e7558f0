// A text covariate in the single Cox model (`latefuse cox`): one-hot encoded by the core's
// encoding (web/lib/categorical.js), with the reference level and dummy names late fusion gives,
// and the fit equal to R's coxph on the factor releveled to that reference
// (tests/r/cox_categorical_golden.R -> tests/golden/cox_categorical.json).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latefuse, readJson, expectClose } from './helpers.js';
import { encodeCategorical } from '../../web/lib/index.js';

const R = readJson('tests/golden/cox_categorical.json').veteran_trt_celltype_karno;

describe('latefuse cox with a text covariate', () => {
  it('encodes celltype as late fusion does and fits as R', () => {
    const r = latefuse(['cox', '--data', 'tests/data/veteran.csv', '--time', 'time', '--event', 'status', '--covariates', 'trt,celltype,karno']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.covariates).toEqual(R.covariates);
    expect(r.json.categorical).toEqual([{ column: 'celltype', reference: R.reference, levels: R.levels,
      dummies: R.covariates.filter((c) => c.startsWith('celltype=')) }]);
    expectClose(r.json.coef, R.coef, 1e-6, 'coef');
    expectClose(r.json.se, R.se, 1e-6, 'se');
    expectClose(r.json.hr, R.hr, 1e-6, 'hr');
    expectClose(r.json.p, R.p, 1e-5, 'p');
    expectClose(r.json.loglik, R.loglik, 1e-9, 'loglik');
    expect(r.json.concordance.c).toBeCloseTo(R.concordance, 9);
  });

  it('a text column with too many levels is refused with the late-fusion reason, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-coxcat-'));
    const lines = ['time,status,x,name'];
    for (let i = 1; i <= 30; i++) lines.push(`${i * 10},${i % 3 === 0 ? 0 : 1},${(i * 7) % 11},patient ${i}`);
    const file = join(dir, 'names.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = latefuse(['cox', '--data', file, '--time', 'time', '--event', 'status', '--covariates', 'x,name']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('covariate "name" has text cells (row 1: "patient 1") with 30 different values in 30 cells, too many to be categories');
  });
});

describe('encodeCategorical (the core encoding late fusion uses)', () => {
  it('picks the most frequent level on the given rows, ties to the first in sorted order; missing is NaN', async () => {
    const e = await encodeCategorical('g', ['b', 'a', 'b', null, 'c', 'a'], [0, 1, 2, 3, 4, 5]);
    expect(e.levels).toEqual(['a', 'b', 'c']);
    expect(e.reference).toBe('a');   // a and b tie (2 each): the first in sorted order
    expect(e.dummies).toEqual(['g=b', 'g=c']);
    expect(Array.from(e.values[0])).toEqual([1, 0, 1, NaN, 0, 0]);
    expect(Array.from(e.values[1])).toEqual([0, 0, 0, NaN, 1, 0]);
    const onFirst = await encodeCategorical('g', ['b', 'a', 'b', null, 'c', 'a'], [0, 2, 4]);
    expect(onFirst.reference).toBe('b');
    expect(onFirst.dummies).toEqual(['g=a', 'g=c']);
  });
});
