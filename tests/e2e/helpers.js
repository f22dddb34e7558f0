// Shared set-up for the end-to-end tests: the built site served under /latefuse/ on loopback,
// headless Chromium through playwright-core, screenshots, and the `latefuse` CLI for reference numbers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
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

/** Run the `latefuse` CLI and parse its JSON output. */
export function cli(args) {
  const out = execFileSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}

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
 * modality (`<modality>_*` columns, only the patients with any of its cells) and `outcome.csv` (id,
 * time, event: every patient) — the shape real multi-file data arrive in.
 */
export function splitCohortFiles(dir, modalities) {
  const [head, ...rows] = readFileSync(join(dir, 'cohort.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const write = (name, cols) => {
    const idx = cols.map((c) => head.indexOf(c));
    const keep = name === 'outcome' ? rows : rows.filter((r) => idx.slice(1).some((j) => r[j] !== ''));
    writeFileSync(join(dir, `${name}.csv`), [cols.join(','), ...keep.map((r) => idx.map((j) => r[j]).join(','))].join('\n') + '\n');
  };
  write('outcome', ['id', 'time', 'event']);
  for (const m of modalities) write(m, ['id', ...head.filter((c) => c.startsWith(`${m}_`))]);
}
