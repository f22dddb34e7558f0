// The analysis report (docs/analysis-report.md) in a real browser:
//  * `latefuse fuse --html-report` on the committed cohort tests/data/sim_survival.csv opens in
//    Chromium with the network cut: no request leaves the file, no console error, every section, and
//    the numbers on the page (C-index table, decision-curve sentence, risk-group at-risk table) are
//    report.json's (the first page rendered to PNG, docs/report-example.png, is made by
//    scripts/render-report-example.mjs, never by a test);
//  * the page, run on the same file as a user would, downloads the same bytes: its "Analysis report
//    (HTML)" equals the CLI's file written by the command the report itself states; its decision-curve
//    panel shows report.json's numbers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openApp, act, upload, TEST_DATA, cliIn } from './helpers.js';

let env;
let dir;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];

/** The words of a POSIX command line as written by equivalentCommand (single quotes only). */
function shellWords(line) {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]));
}

beforeAll(async () => {
  env = await launch();
  dir = mkdtempSync(join(tmpdir(), 'latefuse-html-report-'));
  copyFileSync(join(TEST_DATA, 'sim_survival.csv'), join(dir, 'sim_survival.csv'));
}, 60_000);
afterAll(async () => { await env?.close(); });

describe('the HTML analysis report', () => {
  it('opens offline without a request or a console error, with every section and report.json\'s numbers', async () => {
    cliIn(dir, ['fuse', '--data', 'sim_survival.csv', '--id', 'id', '--time', 'time', '--event', 'event',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '11', '--bootstrap', '100', '--permutations', '100',
      '--model-out', 'cli-model.json', '--report-out', 'cli-report.json', '--html-report', 'cli.html']);
    const report = JSON.parse(readFileSync(join(dir, 'cli-report.json'), 'utf8'));
    const context = await env.browser.newContext({ viewport: { width: 1000, height: 1300 }, offline: true });
    const requests = [];
    await context.route('**/*', (route) => { if (!route.request().url().startsWith('file:')) requests.push(route.request().url()); return route.continue(); });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`file://${join(dir, 'cli.html')}`);
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    const sections = await page.$$eval('main > section', (ss) => ss.map((s) => [s.id, s.querySelector('h2').textContent]));
    expect(sections.map((s) => s[0])).toEqual(['summary', 'data', 'methods', 'results', 'limitations', 'tripod', 'reproduce']);
    // The C-index table: every model's C, CI and permutation p as report.json's (3 decimals).
    const rows = await page.$$eval('#fig-c-index table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(rows.length).toBe(report.models.length);
    for (const m of report.models) {
      const r = rows.find((x) => x[0] === (m.kind === 'late' ? 'late fusion' : m.kind === 'integrator' ? `integrator ${m.modalities.join(' + ')}` : m.name));
      expect(r, m.name).toBeDefined();
      expect(r[4]).toBe(m.test.c.toFixed(3));
      expect(r[5]).toBe(`${m.test.c_lower.toFixed(3)} to ${m.test.c_upper.toFixed(3)}`);
      expect(r[8]).toBe(m.common.c.toFixed(3));
    }
    expect(await page.textContent('#summary p')).toContain(report.decision_curve.summary);
    expect(await page.$eval('#fig-dca svg desc', (d) => d.textContent)).toBe(report.decision_curve.summary);
    const lateCurve = report.decision_curve.models.find((m) => m.kind === 'late' && m.subset === 'test');
    const dcaRows = await page.$$eval('#fig-dca table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(dcaRows[2]).toEqual(expect.arrayContaining(['10%', lateCurve.net_benefit[9].toFixed(4)]));
    // Each risk group's n in the at-risk table's first column = report.json's group n.
    const atRisk = await page.$$eval('#fig-km table.at-risk tbody tr', (trs) => trs.map((tr) => Number(tr.children[1].textContent)));
    expect(atRisk).toEqual(report.risk_groups.test.groups.map((g) => g.n));
    // Charts are readable in grey: no colour other than greys in the document.
    const html = readFileSync(join(dir, 'cli.html'), 'utf8');
    for (const colour of html.match(/#[0-9a-f]{6}\b|rgb\(\d+,\d+,\d+\)/gi) ?? []) {
      const [r, g, b] = colour.startsWith('#') ? [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) : colour.match(/\d+/g).map(Number);
      expect(r === g && g === b, colour).toBe(true);
    }
    await context.close();
  }, 120_000);

  it('the page\'s download equals the CLI\'s file for the same file and settings; the page shows the decision curves', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, [join(dir, 'sim_survival.csv')]);
    expect(await page.isChecked('#model-fusion')).toBe(true);
    await page.fill('#fs-seed', '5');
    await page.fill('#fs-bootstrap', '100');
    await page.fill('#fs-permutations', '100');
    await act(page, () => page.click('#btn-fuse'), 240_000);
    expect(await page.isVisible('#fusion-dca-panel')).toBe(true);
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-html-report')]);
    const pageHtml = readFileSync(await d.path(), 'utf8');
    // The command the report states, run in the file's directory, writes the same bytes.
    const command = pageHtml.match(/<pre>latefuse fuse (.*?)<\/pre>/s)[1].replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const args = shellWords(command).map((w, i, all) => (['--model-out', '--report-out', '--html-report'].includes(all[i - 1]) ? `page-${w}` : w));
    cliIn(dir, ['fuse', ...args]);
    expect(pageHtml).toBe(readFileSync(join(dir, 'page-report.html'), 'utf8'));
    // ... including what the page's worker computes besides report.json: the KM curves and the calibration.
    expect(pageHtml).toContain('id="fig-km"');
    expect(pageHtml).toContain('id="fig-calibration"');
    // The panel's numbers are report.json's.
    const report = JSON.parse(readFileSync(join(dir, 'page-report.json'), 'utf8'));
    const late = report.decision_curve.models.find((m) => m.kind === 'late' && m.subset === 'test');
    const shown = await page.$$eval('#fusion-dca-table tbody tr', (trs) => trs.map((tr) => tr.children[1].querySelector('[data-value]')?.dataset.value ?? null));
    const every = report.decision_curve.thresholds.map((t, k) => k).filter((k) => Math.round(report.decision_curve.thresholds[k] * 100) % 5 === 0 || k === 0);
    expect(shown).toEqual(every.map((k) => (late.net_benefit[k] === null ? null : String(late.net_benefit[k]))));
    if (report.decision_curve.summary) expect(await page.textContent('#fusion-dca-summary')).toBe(report.decision_curve.summary);
    // The common-patients view: the same table from report.json's "common" curves (no bootstrap band there).
    expect(await page.$eval('#fusion-dca-table', (t) => t.dataset.subset)).toBe('test');
    await page.check('#fusion-dca-subset input[value="common"]');
    const common = report.decision_curve.models.find((m) => m.kind === 'late' && m.subset === 'common');
    expect(await page.$eval('#fusion-dca-table', (t) => t.dataset.subset)).toBe('common');
    const shownCommon = await page.$$eval('#fusion-dca-table tbody tr', (trs) => trs.map((tr) => [tr.children[1].querySelector('[data-value]')?.dataset.value ?? null, tr.children[2].textContent]));
    expect(shownCommon.map((r) => r[0])).toEqual(every.map((k) => (common.net_benefit[k] === null ? null : String(common.net_benefit[k]))));
    expect(shownCommon.every((r) => r[1] === '—')).toBe(true);
    expect(await page.textContent('#fusion-dca figcaption')).toContain(`Common test patients (n = ${common.n})`);
    await page.check('#fusion-dca-subset input[value="test"]');
    expect(await page.$eval('#fusion-dca-table', (t) => t.dataset.subset)).toBe('test');
    expect(await page.$$eval('#fusion-dca .downloads button', (bs) => bs.map((b) => b.textContent))).toEqual(['Download SVG', 'Download PNG']);
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);

  it('the demo\'s report downloads too: every section, the demo\'s numbers, named after its simulated CSV', async () => {
    const { context, page, problems } = await openApp(env);
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-html-report')]);
    expect(d.suggestedFilename()).toMatch(/^latefuse-hgsoc-seed\d+-analysis-report\.html$/);
    const html = readFileSync(await d.path(), 'utf8');
    for (const id of ['summary', 'data', 'methods', 'results', 'limitations', 'tripod', 'reproduce']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain(`<th scope="row">${d.suggestedFilename().replace('-analysis-report.html', '-cohort.csv')}</th>`);
    expect(html).toContain(await page.textContent('#fusion-dca-summary'));
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
