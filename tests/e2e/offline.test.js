// Offline use and sub-path hosting: the site is served from /latefuse/ (like GitHub Pages); after
// the first visit the service worker has every file, so with the network cut (and the server gone)
// a reload still shows the fitted demo, and a new file can still be loaded and fitted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { launch, openApp, waitReady, screenshot, shownC, upload, chooseCovariates, fit, cli, TEST_DATA } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('offline and sub-path', () => {
  it('serves every URL relative to /latefuse/', async () => {
    const { context, problems } = await openApp(env, { query: '?demo=lung' });
    const paths = env.server.requests.map((r) => new URL(r.url, 'http://x').pathname);
    expect(paths.length).toBeGreaterThan(3);
    for (const p of paths) expect(p.startsWith('/latefuse/'), p).toBe(true);
    expect(env.server.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works offline after the first visit (service worker)', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    // Wait until the service worker is active and controls the page (its install cached the files).
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
    const reference = (await shownC(page)).value;

    await context.setOffline(true);
    await env.server.close();            // and the server is really gone
    await page.reload();
    await waitReady(page);
    expect((await shownC(page)).value).toBe(reference);
    // A file from the user's disk can still be loaded and fitted.
    await upload(page, join(TEST_DATA, 'veteran.csv'));
    await chooseCovariates(page, ['karno', 'age']);
    await fit(page);
    const expected = cli(['cox', '--data', join(TEST_DATA, 'veteran.csv'), '--time', 'time', '--event', 'status', '--covariates', 'karno,age']);
    expect((await shownC(page)).value).toBe(expected.concordance.c);
    await page.locator('#results').scrollIntoViewIfNeeded();
    await screenshot(page, 'offline-fit', { fullPage: false });
    // The default start page (the late-fusion demo, computed in the worker) also opens offline.
    await page.goto(env.server.url);
    await waitReady(page, 120_000);
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(Number(await page.$eval('#fusion-late-c', (el) => el.dataset.value))).toBeGreaterThan(0.5);
    expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p))).toEqual([]);
    await context.close();
  });
});
