// A censoring indicator (1 = censored) on the page: with no event column it is offered as the event
// read the other way round, the control beside the event says so, and the fit equals `latefuse cox
// --censored` (and R's fit of the same patients coded by status, tests/golden/spot_checks.json);
// unticking it reads the column as the event, as the CLI does with --event.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openApp, cli, tmpFile, coefficientTable, shownC, upload, chooseCovariates, fit, TEST_DATA, ROOT } from './helpers.js';

let env;
let file;
beforeAll(async () => {
  env = await launch();
  // lung.csv with status (1 = censored, 2 = dead) rewritten as censored (1 = censored, 0 = dead).
  const [head, ...rows] = readFileSync(join(TEST_DATA, 'lung.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const s = cols.findIndex((c) => c.replace(/"/g, '') === 'status');
  const lines = [cols.map((c, j) => (j === s ? 'censored' : c)).join(',')];
  for (const line of rows) {
    const cells = line.split(',');
    cells[s] = cells[s] === '' ? '' : String(Number(cells[s]) === 1 ? 1 : 0);
    lines.push(cells.join(','));
  }
  file = tmpFile('lung_censored.csv', lines.join('\n') + '\n');
});
afterAll(async () => { await env?.close(); });

describe('a censoring indicator as the event', () => {
  it('is offered flipped, says so beside the control, and fits as latefuse cox --censored and R', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, file);
    expect(await page.inputValue('#role-event')).toBe('censored');
    expect(await page.isChecked('#role-event-censored')).toBe(true);
    expect(await page.textContent('#role-event-direction')).toBe('“censored” is read as a censoring indicator: the event is 1 − censored.');
    await chooseCovariates(page, ['age', 'sex', 'ph.ecog']);
    await fit(page);
    const reference = cli(['cox', '--data', file, '--time', 'time', '--censored', 'censored', '--covariates', 'age,sex,ph.ecog']);
    expect(reference.events).toBe(164);
    expect(Number(await page.$eval('#n-events', (el) => el.dataset.value))).toBe(reference.events);
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    const table = await coefficientTable(page);
    reference.covariates.forEach((name, j) => expect(table[name].coef).toBe(reference.coef[j]));
    // R on the original status coding (tests/r/spot_checks_golden.R): the same hazard ratios.
    const R = JSON.parse(readFileSync(join(ROOT, 'tests', 'golden', 'spot_checks.json'), 'utf8')).cox_lung_robust;
    reference.covariates.forEach((name, j) => expect(Math.abs(table[name].hr - R.hr[j])).toBeLessThan(1e-9 * R.hr[j]));

    // Unticked, the same column is the event (1 = event), as latefuse cox --event censored.
    await page.uncheck('#role-event-censored');
    expect(await page.textContent('#role-event-direction')).toBe('');
    await fit(page);
    const asEvent = cli(['cox', '--data', file, '--time', 'time', '--event', 'censored', '--covariates', 'age,sex,ph.ecog']);
    expect(Number(await page.$eval('#n-events', (el) => el.dataset.value))).toBe(asEvent.events);
    expect(asEvent.events).toBe(63);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
