// Privacy and safety of the built site: no request leaves the page's own origin, no request after
// load carries user data, the CSP admits only the page's own origin, and markup in a user's file
// (column names, cell values) is shown as text and never executed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { launch, openApp, waitReady, screenshot, tmpFile, upload, chooseCovariates, fit, act, download, recordingContext, expectOnlyOwnStaticRequests,
  TEST_DATA, runFusion,
} from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('privacy', () => {
  it('makes no request to another origin and sends no user data during a full session', async () => {
    const { context, page, problems, recorder } = await recordingContext(env);
    await page.goto(env.server.url);
    await waitReady(page);
    recorder.phase = 'session';
    // A whole session: the user's own file, roles, a fit, every download, the other tabs, the examples.
    await upload(page, join(TEST_DATA, 'veteran.csv'));
    await chooseCovariates(page, ['trt', 'karno', 'age']);
    await fit(page);
    await act(page, () => page.click('#btn-evaluate'));
    for (const name of ['Model JSON', 'Report JSON', 'Per-patient scores CSV', 'Coefficients CSV', /forest.*SVG/i, /forest.*PNG/i,
      'Risk groups CSV', 'Kaplan–Meier curves CSV', /Kaplan–Meier.*SVG/, /Kaplan–Meier.*PNG/, /C-index.*PNG/, /AUC.*PNG/]) {
      await download(page, name);
    }
    await page.click('#tab-score');
    await page.click('#tab-learn');
    await page.click('#tab-fit');
    await act(page, () => page.getByRole('button', { name: 'Load Rotterdam example' }).click());
    await act(page, () => page.getByRole('button', { name: 'Run demo', exact: true }).click());
    await page.reload();
    await waitReady(page);

    expect(recorder.requests.length).toBeGreaterThan(3);
    // Nothing that names the user's data reached the server either.
    expectOnlyOwnStaticRequests(env, recorder, /veteran|karno|celltype/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('has a Content-Security-Policy that allows only the page\'s own origin, and shows the privacy note', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).not.toMatch(/https?:|\*|unsafe-inline|'unsafe-eval'/);
    expect(await page.textContent('#privacy-note')).toMatch(/never leave this browser/);
    // No external resources referenced by the page.
    const external = await page.$$eval('[src],[href]', (els) => els.map((e) => e.getAttribute('src') ?? e.getAttribute('href')).filter((u) => /^(https?:)?\/\//.test(u)));
    expect(external).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows markup in column names and cells as text and never runs it', async () => {
    const evilHeader = '<img src=x onerror="window.__xss=1">';
    const evilCell = '<script>window.__xss=2</script>';
    const evilCell2 = '<img src=y onerror="window.__xss=3">';
    const rows = [`id,time,status,"${evilHeader.replace(/"/g, '""')}",note`];
    for (let i = 1; i <= 30; i++) {
      rows.push(`${i},${10 * i + (i % 7)},${i % 3 === 0 ? 0 : 1},${(i * 37) % 11},${i === 2 ? evilCell : `"${evilCell2.replace(/"/g, '""')}"`}`);
    }
    const evilName = '<img src=z onerror=alert(1)>.csv';
    const path = tmpFile(evilName, rows.join('\n') + '\n');
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
    await upload(page, path);
    // The header and the cells are in the page as text.
    const headers = await page.$$eval('#preview thead th', (ths) => ths.map((th) => th.textContent));
    expect(headers).toContain(evilHeader);
    expect(await page.textContent('#preview tbody')).toContain(evilCell2);
    expect(await page.textContent('#file-list')).toContain(evilName);
    expect(await page.$$eval('#panel-fit img, #panel-fit script', (els) => els.length)).toBe(0);
    // Fit with the hostile column as a covariate: its name is drawn in the forest plot as text.
    await chooseCovariates(page, [evilHeader]);
    await fit(page);
    expect(await page.$eval('#coef-table tbody th', (th) => th.textContent)).toBe(evilHeader);
    // Long names are shortened on the axis; the chart's text alternative has the whole name.
    expect(await page.$eval('#forest-figure svg', (svg) => svg.textContent)).toContain(evilHeader.slice(0, 31));
    expect(await page.$eval('#forest-figure svg', (svg) => svg.getAttribute('aria-description'))).toContain(evilHeader);
    expect(await page.$$eval('#results img, #results script', (els) => els.length)).toBe(0);
    await screenshot(page, 'xss-as-text', { fullPage: true });
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    expect(requests.filter((u) => /\/(x|y|z)$/.test(new URL(u).pathname))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows markup in file and modality names as text in the Modalities step and the late-fusion results', async () => {
    const evilFile = '<img src=x onerror=alert(2)>';
    const evilName = '<script>alert(1)</script>';
    let seed = 99;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const outcome = ['id,time,event'];
    const a = ['id,a1,a2'];
    const b = ['id,b1,b2'];
    for (let i = 1; i <= 90; i++) {
      const x = r() - 0.5;
      outcome.push(`P${i},${(20 * Math.exp(-x) * (0.2 + r())).toFixed(2)},${r() < 0.7 ? 1 : 0}`);
      if (i % 3 !== 0) a.push(`P${i},${(x + r()).toFixed(3)},${r().toFixed(3)}`);
      b.push(`P${i},${(x + 2 * r()).toFixed(3)},${r().toFixed(3)}`);
    }
    const files = [tmpFile('outcome.csv', outcome.join('\n') + '\n'), tmpFile(`${evilFile}.csv`, a.join('\n') + '\n'), tmpFile('clin.csv', b.join('\n') + '\n')];
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
    await upload(page, files);
    const names = () => page.$$eval('#modalities .modality-head input', (els) => els.map((e) => e.value));
    expect(await names()).toEqual([evilFile, 'clin']);
    expect(await page.textContent('#modalities')).toContain(`${evilFile}.csv`);
    // The name from the file cannot be a modality name ("="): the message is beside it, as text.
    await act(page, () => page.click('#btn-fuse'));
    expect(await page.textContent('#modalities .modality.has-error .field-error')).toContain('cannot contain');
    const box = page.locator('#modalities .modality-head input').first();
    await box.fill(evilName);
    await box.press('Tab');
    await page.fill('#fs-bootstrap', '20');
    await page.fill('#fs-permutations', '20');
    await page.fill('#fs-minPatternSize', '5');
    await runFusion(page, 120_000);
    expect(await page.$$eval('#fusion-cindex-table tbody th', (ths) => ths.map((t) => t.textContent))).toContain(evilName);
    expect(await page.$eval('#fusion-cindex-common svg', (svg) => svg.getAttribute('aria-description'))).toContain(evilName);
    expect(await page.textContent('#fusion-summary')).toContain(evilName);
    expect(await page.$$eval('#panel-fit img, #panel-fit script, #panel-fit iframe', (els) => els.length)).toBe(0);
    await screenshot(page, 'xss-modality-names', { locator: '#fusion' });
    expect(problems).toEqual([]);
    await context.close();
  });
});
