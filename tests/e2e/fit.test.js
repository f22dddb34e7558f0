// The "Fit & evaluate" flow, done as a user would, against the built site; the numbers the page
// shows are compared with the `latefuse` CLI on the same file and options.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, openApp, screenshot, cli, tmpFile, coefficientTable, shownC, upload, chooseCovariates, fit, act,
  EXAMPLE_DATA, TEST_DATA,
} from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

/** Deterministic small data set: patient, futime, dead, age, score, grp. */
function smallCohort(n = 40) {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['patient,futime,dead,age,score,grp'];
  for (let i = 1; i <= n; i++) {
    const age = 40 + Math.floor(rand() * 40);
    const score = Math.round(rand() * 1000) / 100;
    const grp = rand() < 0.5 ? 0 : 1;
    const futime = 30 + Math.floor(rand() * 900);
    const dead = rand() < 0.6 ? 1 : 0;
    lines.push(`P${String(i).padStart(3, '0')},${futime},${dead},${age},${score},${grp}`);
  }
  return lines.join('\n') + '\n';
}

describe('Fit & evaluate', () => {
  it('opens with ?demo=lung fitted, and its C-index and hazard ratios equal the CLI\'s', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    const reference = cli(['cox', '--data', join(EXAMPLE_DATA, 'lung.csv'), '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog']);
    const c = await shownC(page);
    expect(c.value).toBe(reference.concordance.c);
    expect(c.text).toBe(reference.concordance.c.toFixed(4));
    const table = await coefficientTable(page);
    expect(Object.keys(table)).toEqual(['age', 'sex', 'ph.ecog']);
    reference.covariates.forEach((name, j) => {
      expect(table[name].hr).toBe(reference.hr[j]);
      expect(table[name].p).toBe(reference.p[j]);
      expect(table[name].coef).toBe(reference.coef[j]);
    });
    expect(Number(await page.$eval('#n-patients', (el) => el.dataset.value))).toBe(reference.n);
    expect(Number(await page.$eval('#n-events', (el) => el.dataset.value))).toBe(reference.events);
    // The summary states the same C-index (3 decimals) as the chart/table.
    expect(await page.textContent('#results-summary')).toContain(`is ${reference.concordance.c.toFixed(3)}`);
    // The forest plot is an SVG with a text alternative naming every covariate.
    const aria = await page.$eval('#forest-figure svg', (svg) => [svg.getAttribute('aria-label'), svg.getAttribute('aria-description')]);
    expect(aria[0]).toMatch(/hazard ratio/i);
    for (const name of ['age', 'sex', 'ph.ecog']) expect(aria[1]).toContain(name);
    await screenshot(page, 'fit-demo-desktop', { fullPage: true });
    await screenshot(page, 'fit-results', { locator: '#results' });

    // Downloads: the per-patient scores CSV has one row per patient used, with the core's linear predictor.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Per-patient scores CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('row,time,status,linear_predictor');
    expect(csv.length - 1).toBe(reference.n);
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /forest.*SVG/i }).click()]);
    expect(svgDownload.suggestedFilename()).toMatch(/forest\.svg$/);
    expect(readFileSync(await svgDownload.path(), 'utf8')).toContain('<svg');
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /forest.*PNG/i }).click()]);
    const png = readFileSync(await pngDownload.path());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Model JSON' }).click()]);
    const model = JSON.parse(readFileSync(await modelDownload.path(), 'utf8'));
    expect(model.format).toBe('latefuse-cox-model');
    expect(model.coef).toEqual(reference.coef);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('uploads a CSV through the file input, maps columns, fits, and shows the CLI\'s numbers', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    await upload(page, join(TEST_DATA, 'veteran.csv'));
    await expect.poll(() => page.textContent('#file-list')).toContain('veteran.csv');
    expect(await page.textContent('#file-list')).not.toContain('lung.csv');   // the example was replaced
    // Guessed roles, editable.
    expect(await page.inputValue('#role-time')).toBe('time');
    expect(await page.inputValue('#role-event')).toBe('status');
    // The text column is offered as categorical (one-hot encoded as late fusion does).
    expect(await page.textContent('#cov-groups')).toMatch(/celltype\s*categorical: one-hot encoded against its most frequent level/);
    await chooseCovariates(page, ['trt', 'karno', 'age']);
    await page.selectOption('#set-ties', 'breslow');
    await screenshot(page, 'upload-mapped', { locator: '#setup' });
    await fit(page);
    const reference = cli(['cox', '--data', join(TEST_DATA, 'veteran.csv'), '--time', 'time', '--event', 'status',
      '--covariates', 'trt,karno,age', '--ties', 'breslow']);
    const c = await shownC(page);
    expect(c.value).toBe(reference.concordance.c);
    const table = await coefficientTable(page);
    expect(Object.keys(table)).toEqual(['trt', 'karno', 'age']);
    reference.covariates.forEach((name, j) => expect(table[name].hr).toBe(reference.hr[j]));
    expect(await page.textContent('#coef-table caption')).toContain('breslow');
    await screenshot(page, 'upload-results', { locator: '#results' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('accepts files dropped on the drop zone, and flags an unusable time column before fitting', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    const text = readFileSync(join(TEST_DATA, 'veteran.csv'), 'utf8');
    await act(page, () => page.evaluate((csv) => {
      const dt = new DataTransfer();
      dt.items.add(new File([csv], 'dropped.csv', { type: 'text/csv' }));
      document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, text));
    expect(await page.textContent('#file-list')).toMatch(/dropped\.csv\s*137 rows/);
    expect(await page.isVisible('#setup')).toBe(true);
    // Choosing a text column as the time shows the problem beside the control at once.
    await page.selectOption('#role-time', 'celltype');
    const message = await page.textContent('[data-error-for="time"]');
    expect(message).toContain('“celltype” has text');
    expect(message).toContain('row 1');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('joins two files on the patient ID and fits the same model as on the combined file', async () => {
    const lines = readFileSync(join(TEST_DATA, 'veteran.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',').map((s) => s.replace(/"/g, ''));
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (name) => header.indexOf(name);
    const clinCols = ['time', 'status', 'age', 'trt'];
    const labCols = ['karno', 'diagtime', 'prior'];
    const clin = ['id,' + clinCols.join(','), ...rows.map((r, i) => [`V${i + 1}`, ...clinCols.map((c) => r[col(c)])].join(','))];
    // The lab file: other order, patient V5 missing, an extra patient not in the clinical file.
    const labRows = rows.map((r, i) => [`V${i + 1}`, ...labCols.map((c) => r[col(c)])].join(',')).filter((_, i) => i !== 4).reverse();
    const lab = ['id,' + labCols.join(','), ...labRows, 'V999,50,3,0'];
    const combined = ['id,' + [...clinCols, ...labCols].join(','), ...rows.map((r, i) => [`V${i + 1}`, ...clinCols.map((c) => r[col(c)]), ...labCols.map((c) => r[col(c)])].join(',')).filter((_, i) => i !== 4)];
    const clinPath = tmpFile('clinical.csv', clin.join('\n') + '\n');
    const labPath = tmpFile('lab.csv', lab.join('\n') + '\n');
    const combinedPath = tmpFile('combined.csv', combined.join('\n') + '\n');

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, [clinPath, labPath]);
    expect(await page.inputValue('#join-select')).toBe('id');
    expect(await page.textContent('#preview')).toMatch(/136 patients in every file/);
    // Covariates are grouped by file (modality).
    expect(await page.$$eval('.cov-group-name', (els) => els.map((e) => e.textContent))).toEqual(['clinical.csv', 'lab.csv']);
    await chooseCovariates(page, ['age', 'trt', 'karno']);
    await fit(page);
    const reference = cli(['cox', '--data', combinedPath, '--time', 'time', '--event', 'status', '--covariates', 'age,trt,karno']);
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    const table = await coefficientTable(page);
    reference.covariates.forEach((name, j) => expect(table[name].hr).toBe(reference.hr[j]));
    expect(Number(await page.$eval('#n-patients', (el) => el.dataset.value))).toBe(136);
    await screenshot(page, 'join-two-files', { fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a bad cell beside its column with file, row and column, and keeps the user\'s choices across reloads', async () => {
    const good = smallCohort();
    const goodLines = good.trim().split('\n');
    const badLines = [...goodLines];
    badLines[3] = badLines[3].split(',').map((v, j) => (j === 3 ? 'abc' : v)).join(',');   // data row 3, column age
    const brokenLines = [...goodLines];
    brokenLines[4] += ',7';                                                                  // data row 4: one cell too many

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, tmpFile('cohort.csv', good));
    expect(await page.inputValue('#role-time')).toBe('futime');
    expect(await page.inputValue('#role-event')).toBe('dead');
    expect(await page.inputValue('#role-id')).toBe('patient');
    // The user's choices: no grp, Breslow ties, a ridge penalty of 0.
    await page.getByLabel('grp', { exact: true }).uncheck();
    await page.selectOption('#set-ties', 'breslow');
    await page.selectOption('#role-id', '');
    await fit(page);
    const reference = cli(['cox', '--data', tmpFile('cohort.csv', good), '--time', 'futime', '--event', 'dead', '--covariates', 'age,score', '--ties', 'breslow']);
    expect((await shownC(page)).value).toBe(reference.concordance.c);

    // The same file, now with a text cell in "age".
    await upload(page, tmpFile('cohort.csv', badLines.join('\n') + '\n'));
    expect(await page.$$eval('#file-list li', (li) => li.length)).toBe(1);
    expect(await page.textContent('#cov-groups')).toContain('row 3: “abc”');
    await fit(page);
    const error = page.locator('[data-error-for="cov:age"]');
    await expect.poll(() => error.isVisible()).toBe(true);
    const message = await error.textContent();
    expect(message).toContain('cohort.csv');
    expect(message).toContain('row 3');
    expect(message).toContain('"age"');
    expect(message).toContain('abc');
    expect(await page.getAttribute('#cov-age', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#fit-error')).toContain('age');
    expect(await page.textContent('#results')).toContain('these results are from the previous fit');
    // Nothing the user set was lost.
    expect(await page.getByLabel('grp', { exact: true }).isChecked()).toBe(false);
    expect(await page.getByLabel('age', { exact: true }).isChecked()).toBe(true);
    expect(await page.inputValue('#set-ties')).toBe('breslow');
    expect(await page.inputValue('#role-id')).toBe('');
    await screenshot(page, 'bad-cell-error', { locator: '#setup' });

    // A file that cannot be parsed: the error is beside the file, naming the row.
    await upload(page, tmpFile('cohort.csv', brokenLines.join('\n') + '\n'));
    const fileError = page.locator('[data-error-for="file:cohort.csv"]');
    expect(await fileError.textContent()).toMatch(/cohort\.csv: row 4 has 7 cells but the header has 6/);
    expect(await page.isHidden('#setup')).toBe(true);
    await screenshot(page, 'parse-error', { locator: '#panel-fit' });

    // The corrected file: the choices are all still there and the fit works.
    await upload(page, tmpFile('cohort.csv', good));
    expect(await page.getByLabel('grp', { exact: true }).isChecked()).toBe(false);
    expect(await page.inputValue('#set-ties')).toBe('breslow');
    expect(await page.inputValue('#role-id')).toBe('');
    await fit(page);
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    expect(await page.isHidden('#fit-error')).toBe(true);
    expect(await page.locator('#results .stale').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('loads the Rotterdam example and fits it like the CLI', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await act(page, () => page.getByRole('button', { name: 'Load Rotterdam example' }).click());
    const reference = cli(['cox', '--data', join(EXAMPLE_DATA, 'rotterdam.csv'), '--time', 'dtime', '--event', 'death',
      '--covariates', 'age,meno,grade,nodes,pgr,er,hormon,chemo']);
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    expect(await page.inputValue('#role-id')).toBe('pid');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('streams a large file with a progress bar, stays responsive, and cancels', async () => {
    const lines = ['id,time,status,x1,x2,x3,x4,x5'];
    let seed = 7;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 700_000; i++) {
      lines.push(`${i},${(r() * 1000).toFixed(1)},${r() < 0.5 ? 1 : 0},${r().toFixed(4)},${r().toFixed(4)},${r().toFixed(4)},${r().toFixed(4)},${r().toFixed(4)}`);
    }
    const big = tmpFile('big.csv', lines.join('\n') + '\n');
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.setInputFiles('#file-input', big);
    // The progress bar names the stage and shows a fraction.
    await page.waitForFunction(() => !document.querySelector('#progress').hidden &&
      /Reading big\.csv/.test(document.querySelector('#progress-stage').textContent) &&
      document.querySelector('#progress-bar').hasAttribute('value'), null, { timeout: 30_000 });
    await screenshot(page, 'progress-streaming');
    // The page responds while the worker parses: switch tabs and back.
    const started = Date.now();
    await page.click('#tab-learn');
    expect(await page.isVisible('#panel-learn')).toBe(true);
    await page.click('#tab-fit');
    expect(Date.now() - started).toBeLessThan(2_000);
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.textContent('#file-list')).not.toContain('big.csv');
    expect(await page.isHidden('#progress')).toBe(true);
    // Still usable afterwards.
    await act(page, () => page.getByRole('button', { name: 'Load lung example' }).click());
    expect((await shownC(page)).text).toMatch(/^0\.\d{4}$/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
