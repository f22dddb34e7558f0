// Shared set-up for the end-to-end tests: the built site served under /latefuse/ on loopback,
// headless Chromium through playwright-core, screenshots, and the `latefuse` CLI for reference numbers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import { startServer } from './server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = process.env.LATEFUSE_DIST || join(ROOT, 'dist');  // as web/vite.config.js
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const EXAMPLE_DATA = join(ROOT, 'web', 'app', 'public', 'data');
export const TEST_DATA = join(ROOT, 'tests', 'data');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

/** Start the static server and Chromium. Fails with a clear message when dist/ is missing. */
export async function launch() {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('dist/ is not built: run `npm run build` (or `npx vite build --config web/vite.config.js` after the WASM build) first');
  }
  const server = await startServer({ root: DIST, prefix: '/latefuse/' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    server,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await server.close().catch(() => {});
    },
  };
}

/**
 * A fresh browser context and page on the app. Collects page errors and console errors (a CSP
 * violation is a console error) in `problems`.
 */
export async function openApp(env, { query = '', viewport = { width: 1280, height: 900 }, wait = true, contextOptions = {} } = {}) {
  const context = await env.browser.newContext({ viewport, acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(env.server.url + query);
  if (wait) await waitReady(page);
  return { context, page, problems };
}

/** The app has started (core loaded; the late-fusion demo loaded, or the lung fit with ?demo=lung, or nothing with ?demo=0) and no task is running. */
export async function waitReady(page, timeout = 60_000) {
  await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', null, { timeout });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`the app failed to start: ${await page.textContent('#fit-error')}`);
  await waitIdle(page, timeout);
}

/** Wait until the Fit flow's task queue has drained. */
export async function waitIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout });
}

export async function screenshot(page, name, options = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  if (options.locator) await page.locator(options.locator).screenshot({ path });
  else await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}

/** Run the `latefuse` CLI in `cwd` (so --data names are the page's file names) and parse its JSON output. */
export function cliIn(cwd, args) {
  return JSON.parse(execFileSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 }));
}

/** Run the `latefuse` CLI and parse its JSON output. */
export const cli = (args) => cliIn(undefined, args);

const tmp = mkdtempSync(join(tmpdir(), 'latefuse-e2e-'));
/** Write a file under a fresh temporary directory (its own sub-directory, so names can repeat). */
export function tmpFile(name, text) {
  const dir = mkdtempSync(join(tmp, 'f-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Numbers shown in the coefficient table: {covariate: {hr, p, coef}} from data-value attributes. */
export async function coefficientTable(page) {
  return page.$$eval('#coef-table tbody tr', (rows) => Object.fromEntries(rows.map((tr) => {
    const cells = [...tr.children];
    const value = (i) => Number(cells[i].querySelector('[data-value]')?.dataset.value);
    return [cells[0].textContent, { coef: value(1), se: value(2), hr: value(3), z: value(5), p: value(6), text: cells.map((c) => c.textContent) }];
  })));
}

export async function shownC(page) {
  return page.$eval('#c-index', (el) => ({ value: Number(el.dataset.value), text: el.textContent }));
}

/** Do something that starts a Fit-flow task, then wait until that task (and any after it) is done. */
export async function act(page, action, timeout = 60_000) {
  const before = await page.evaluate(() => Number(document.body.dataset.tasksDone ?? 0));
  await action();
  await page.waitForFunction((b) => Number(document.body.dataset.tasksDone ?? 0) > b && document.body.dataset.flow === 'idle', before, { timeout });
}

/** Press Run on the late-fusion settings and wait for the run: the results are shown and no error is. */
export async function runFusion(page, timeout = 180_000) {
  await act(page, () => page.click('#btn-fuse'), timeout);
  expect(await page.isHidden('#fuse-error'), await page.textContent('#fuse-error')).toBe(true);
  expect(await page.isVisible('#fusion')).toBe(true);
}

/** Upload files through the page's file input (as a user choosing them), then wait for the flow to settle. */
export async function upload(page, files) {
  await act(page, () => page.setInputFiles('#file-input', files));
}

/** Choose the single Cox model (data with several modalities open on late fusion). */
export async function chooseCox(page) {
  if (!(await page.isChecked('#model-cox'))) await page.check('#model-cox');
}

/** Set the covariate checkboxes to exactly `names` (choosing the single Cox model first). */
export async function chooseCovariates(page, names) {
  await chooseCox(page);
  await page.click('#cov-none');
  for (const name of names) await page.getByLabel(name, { exact: true }).check();
}

export async function fit(page) {
  await act(page, () => page.click('#btn-fit'));
}

/**
 * Split a simulated cohort CSV (written by `latefuse simulate` into `dir/cohort.csv`) into one file per
 * modality (`<modality>_*` columns, only the patients with any of its cells) and `outcome.csv` (the
 * `outcome` columns, default id, time, event; a binary cohort: id, y — every patient): the shape real
 * multi-file data arrive in. Returns the paths by name (outcome and each modality) and the cohort's header.
 */
export function splitCohortFiles(dir, modalities, { outcome = ['id', 'time', 'event'] } = {}) {
  const [head, ...rows] = readFileSync(join(dir, 'cohort.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const files = {};
  const write = (name, cols) => {
    const idx = cols.map((c) => head.indexOf(c));
    const keep = name === 'outcome' ? rows : rows.filter((r) => idx.slice(1).some((j) => r[j] !== ''));
    files[name] = join(dir, `${name}.csv`);
    writeFileSync(files[name], [cols.join(','), ...keep.map((r) => idx.map((j) => r[j]).join(','))].join('\n') + '\n');
  };
  write('outcome', outcome);
  for (const m of modalities) write(m, ['id', ...head.filter((c) => c.startsWith(`${m}_`))]);
  return { files, header: head };
}

/** `latefuse simulate ARGS` into cohort.csv of a fresh directory, split by splitCohortFiles: {dir, files, header}. */
export function simulatedCohortFiles(prefix, simulateArgs, modalities, options) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cliIn(dir, ['simulate', ...simulateArgs, '--out', 'cohort.csv']);
  return { dir, ...splitCohortFiles(dir, modalities, options) };
}

/** Click the download button named `name` (text: exact; a RegExp: matched) and return the file's path and suggested name. */
export async function download(page, name) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: typeof name === 'string' }).click()]);
  return { path: await d.path(), name: d.suggestedFilename() };
}

/** Wait until the Score tab has no task running. */
export async function scoreIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => document.body.dataset.score === 'idle', null, { timeout });
}

/** Do something that runs Score tasks, then wait until they are done. */
export async function scoreAct(page, action, timeout = 120_000) {
  const before = await page.evaluate(() => Number(document.body.dataset.scoreDone ?? 0));
  await action();
  await page.waitForFunction((b) => Number(document.body.dataset.scoreDone ?? 0) > b && document.body.dataset.score === 'idle', before, { timeout });
}

/** openApp's options for a phone: 390 x 844, touch, a 2x screen. */
export const PHONE = { viewport: { width: 390, height: 844 }, contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } };

/** Nothing under `root` (a selector) sticks out of the viewport (tables scroll in their .table-wrap), and the page does not scroll sideways. */
export async function expectFitsWidth(page, root) {
  const o = await page.evaluate((r) => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll(`${r} *`)]
      .filter((el) => el.getClientRects().length && !el.closest('.table-wrap') && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.getAttribute('class')} in ${el.closest('[id]')?.id}`).slice(0, 5),
  }), root);
  expect(o.wide).toEqual([]);
  expect(o.scrollWidth).toBeLessThanOrEqual(o.clientWidth);
}

/**
 * Every button, input and select under the `roots` selectors has a name, every table a caption, and
 * (`charts`) every chart an aria-label and an aria-description.
 */
export async function expectLabelled(page, roots, { tables = true, charts = true } = {}) {
  const within = (tags) => roots.flatMap((r) => tags.map((t) => `${r} ${t}`)).join(', ');
  const unlabelled = await page.$$eval(within(['button', 'input', 'select']), (els) => els.filter((el) =>
    !(el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join('')) || el.textContent).trim()).map((el) => el.outerHTML.slice(0, 80)));
  expect(unlabelled).toEqual([]);
  if (tables) expect(await page.$$eval(within(['table']), (ts) => ts.filter((t) => !t.querySelector('caption')?.textContent.trim()).length)).toBe(0);
  if (charts) {
    expect(await page.$$eval(within(['svg[role="img"]']), (svgs) => svgs.filter((s) => !s.getAttribute('aria-label') || !s.getAttribute('aria-description')).length)).toBe(0);
  }
}

/** Screenshot each [name, locator] pair, scrolled into view. */
export async function screenshotEach(page, shots) {
  for (const [name, locator] of shots) {
    await page.locator(locator).scrollIntoViewIfNeeded();
    await screenshot(page, name, { locator });
  }
}

/** The late-fusion C-index table: per model, C on the common and on all test patients (data-value) and the cells' text. */
export async function fusionCIndexRows(page) {
  return page.$$eval('#fusion-cindex-table tbody tr', (trs) => trs.map((tr) => {
    const get = (subset) => tr.querySelector(`[data-subset="${subset}"]`);
    return { name: get('common').dataset.model, common: Number(get('common').dataset.value), test: Number(get('test').dataset.value), text: [...tr.children].map((c) => c.textContent) };
  }));
}

/**
 * The C-index table shows exactly the models of `latefuse fuse`'s report `ref`, each with its C on the
 * common and on all test patients as the report has it (unrounded data-value); returns the rows.
 */
export async function expectFusionCIndices(page, ref) {
  const rows = await fusionCIndexRows(page);
  expect(rows.map((r) => r.name).sort()).toEqual(ref.models.map((m) => m.name).sort());
  for (const m of ref.models) expect(rows.find((r) => r.name === m.name), m.name).toMatchObject({ common: m.common.c, test: m.test.c });
  return rows;
}

/** Every file of the built site (paths relative to dist/, with /). */
export function distFiles(dir = DIST) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...distFiles(path));
    else out.push(relative(DIST, path).split(sep).join('/'));
  }
  return out;
}

/**
 * A desktop context whose every request (the Web Worker's and the service worker's too) is recorded
 * with the phase it happened in (`recorder.phase`: 'load' until the test sets it to 'session').
 */
export async function recordingContext(env) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const recorder = { phase: 'load', requests: [] };
  context.on('request', (r) => recorder.requests.push({ phase: recorder.phase, url: r.url(), method: r.method(), body: r.postData() }));
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  return { context, page, problems, recorder };
}

/**
 * The privacy rule on a recorded session: every request goes to the page's own loopback origin as a
 * body-less GET; after load only the site's own static files are asked for (no query string, no path
 * built from user data), and no URL the server saw matches `secret` (names from the user's data).
 */
export function expectOnlyOwnStaticRequests(env, recorder, secret) {
  const own = new URL(env.server.url).origin;
  const files = new Set(distFiles());
  for (const r of recorder.requests) {
    const url = new URL(r.url);
    if (url.protocol === 'blob:' || url.protocol === 'data:') continue;   // in-page objects (downloads, PNG export)
    expect(url.origin, `request to another origin: ${r.url}`).toBe(own);
    expect(['127.0.0.1', 'localhost', '[::1]']).toContain(url.hostname);
    expect(r.method, `${r.method} ${r.url}`).toBe('GET');
    expect(r.body ?? null).toBeNull();
    if (r.phase === 'session') {
      const path = url.pathname.replace(/^\/latefuse\//, '');
      expect(url.search, r.url).toBe('');
      expect(path === '' || files.has(path), `unexpected request after load: ${r.url}`).toBe(true);
    }
  }
  for (const r of env.server.requests) {
    expect(r.method).toBe('GET');
    expect(r.url).not.toMatch(secret);
  }
}
