// A censoring indicator (1 = censored) on the page: with no event column it is offered as the event
// read the other way round, the control beside the event says so, and the fit equals `latefuse cox
// --censored` (and R's fit of the same patients coded by status, tests/golden/spot_checks.json);
// unticking it reads the column as the event, as the CLI does with --event. Late fusion with such a
// column writes `latefuse fuse --censored`'s model file byte for byte (its outcome records the
// censoring column), and the Score tab's card of the model just fitted says how the event was read.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, openApp, cli, tmpFile, coefficientTable, shownC, upload, chooseCovariates, fit, download, simulatedCohortFiles, scoreIdle, TEST_DATA, ROOT, runFusion,
} from './helpers.js';
import { withCensoredColumn } from '../js/helpers.js';

let env;
let file;
beforeAll(async () => {
  env = await launch();
  file = tmpFile('lung_censored.csv', withCensoredColumn(readFileSync(join(TEST_DATA, 'lung.csv'), 'utf8')));
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

describe('late fusion with a censoring indicator', () => {
  it('writes latefuse fuse --censored\'s model file (the outcome records the column) and the Score tab says how the event was read', async () => {
    const MODALITIES = ['genomic', 'clinical'];
    const { dir } = simulatedCohortFiles('latefuse-censored-fusion-', ['--preset', 'hgsoc', '--n', '200', '--seed', '5'], MODALITIES);
    // outcome.csv's event (1 = event) rewritten as censored (1 = censored).
    const [head, ...rows] = readFileSync(join(dir, 'outcome.csv'), 'utf8').trim().split('\n');
    expect(head).toBe('id,time,event');
    writeFileSync(join(dir, 'outcome.csv'), ['id,time,censored', ...rows.map((line) => {
      const [id, time, event] = line.split(',');
      return `${id},${time},${1 - Number(event)}`;
    })].join('\n') + '\n');
    const files = ['outcome', ...MODALITIES].map((name) => join(dir, `${name}.csv`));

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, files);
    expect(await page.isChecked('#model-fusion')).toBe(true);
    expect(await page.inputValue('#role-event')).toBe('censored');
    expect(await page.isChecked('#role-event-censored')).toBe(true);
    await page.fill('#fs-seed', '2');
    await page.fill('#fs-bootstrap', '20');
    await page.fill('#fs-permutations', '0');
    await runFusion(page);
    const model = readFileSync((await download(page, 'Model JSON')).path, 'utf8');
    const modelOut = join(dir, 'model.json');
    cli(['fuse', ...files.flatMap((f) => ['--data', f]), '--id', 'id', '--time', 'time', '--censored', 'censored',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '2', '--bootstrap', '20', '--permutations', '0',
      '--model-out', modelOut, '--report-out', join(dir, 'report.json')]);
    expect(model).toBe(readFileSync(modelOut, 'utf8'));
    expect(JSON.parse(model).outcome).toEqual({ type: 'survival', event_from_censoring: true, censoring_column: 'censored' });

    await page.click('#tab-score');
    await page.waitForFunction(() => document.querySelector('#score-model .model-option[data-model="fitted"] dl.model-facts'), null, { timeout: 60_000 });
    await scoreIdle(page);
    const facts = await page.$$eval('#score-model .model-option[data-model="fitted"] dl.model-facts > div',
      (divs) => Object.fromEntries(divs.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
    expect(facts.Event).toBe('read from the censoring column “censored” (1 = censored): the event is 1 − censored');
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
});
