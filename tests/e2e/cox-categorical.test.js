// "One Cox model" with a text covariate (veteran's celltype): offered as categorical, one-hot
// encoded by the core as late fusion does (reference = the most frequent level, dummies
// "celltype=<level>"), and the table and forest plot show the dummies with `latefuse cox`'s numbers,
// which equal R's (tests/js/cox_categorical.test.js, tests/golden/cox_categorical.json).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openApp, cli, coefficientTable, shownC, upload, chooseCovariates, fit, TEST_DATA, ROOT } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('One Cox model with a text covariate', () => {
  it('encodes celltype as late fusion does, with the CLI\'s and R\'s numbers', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, join(TEST_DATA, 'veteran.csv'));
    expect(await page.textContent('#cov-groups')).toMatch(/celltype\s*categorical: one-hot encoded against its most frequent level/);
    await chooseCovariates(page, ['trt', 'celltype', 'karno']);
    await fit(page);
    const reference = cli(['cox', '--data', join(TEST_DATA, 'veteran.csv'), '--time', 'time', '--event', 'status', '--covariates', 'trt,celltype,karno']);
    const R = JSON.parse(readFileSync(join(ROOT, 'tests', 'golden', 'cox_categorical.json'), 'utf8')).veteran_trt_celltype_karno;
    expect(reference.covariates).toEqual(R.covariates);
    const table = await coefficientTable(page);
    expect(Object.keys(table)).toEqual(R.covariates);
    reference.covariates.forEach((name, j) => {
      expect(table[name].coef).toBe(reference.coef[j]);
      expect(table[name].hr).toBe(reference.hr[j]);
      expect(Math.abs(table[name].coef - R.coef[j])).toBeLessThan(1e-6 * Math.abs(R.coef[j]));
    });
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    const description = await page.$eval('#forest-figure svg', (svg) => svg.getAttribute('aria-description'));
    for (const name of R.covariates) expect(description).toContain(name);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
