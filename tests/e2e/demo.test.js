// The "Run demo" button, done as a user would: it simulates the study-shaped cohort (hgsoc preset,
// seed 1), fits and evaluates late and early fusion in the browser, and shows the fusion results.
// Every number on screen is compared with `latefuse simulate` + `latefuse fuse` (and `latefuse km`
// on the page's own per-patient download) for the same data and seed; the model download is byte
// for byte the CLI's model file. Also: Cancel leaves the page usable, the lung example stays
// reachable, the view fits a 390 px screen.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launch, openApp, screenshot, cli, act, shownC, EXAMPLE_DATA, PHONE, download, expectFitsWidth, expectLabelled, screenshotEach,
  expectFusionCIndices,
} from './helpers.js';

let env;
let ref;        // the CLI's report for the demo cohort
let refModel;   // the CLI's model file text
let cohortCsv;  // the CLI's simulated cohort
const SEED = 1;

/** `latefuse simulate` + `latefuse fuse` with the demo's settings. */
function cliDemo({ seed = SEED, bootstrap = 1000, permutations = 1000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'latefuse-demo-'));
  const data = join(dir, 'cohort.csv');
  cli(['simulate', '--preset', 'hgsoc', '--seed', String(seed), '--out', data]);
  const modelOut = join(dir, 'model.json');
  const reportOut = join(dir, 'report.json');
  cli(['fuse', '--data', data, '--id', 'id', '--time', 'time', '--event', 'event',
    '--modality', 'radiomics=radiomics_*', '--modality', 'histopathology=histopathology_*', '--modality', 'genomic=genomic_*', '--modality', 'clinical=clinical_*',
    '--seed', String(seed), '--bootstrap', String(bootstrap), '--permutations', String(permutations), '--model-out', modelOut, '--report-out', reportOut]);
  return { report: JSON.parse(readFileSync(reportOut, 'utf8')), model: readFileSync(modelOut, 'utf8'), csv: readFileSync(data, 'utf8') };
}

beforeAll(async () => {
  env = await launch();
  ({ report: ref, model: refModel, csv: cohortCsv } = cliDemo());
});
afterAll(async () => { await env?.close(); });

const demoButton = (page) => page.getByRole('button', { name: 'Run demo', exact: true });
const f3 = (x) => x.toFixed(3);
const p4 = (p) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);

describe('Run demo: late fusion on the study-shaped simulated cohort', () => {
  it('shows every model\'s C-index, risk groups, Kendall tau and coefficients exactly as `latefuse fuse`', async () => {
    const { context, page, problems } = await openApp(env);
    // The page opens with the late-fusion demo loaded; the demo button runs it again (same seed, same numbers).
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(await page.textContent('#fusion .meta')).toContain(`seed ${SEED}`);
    const firstLate = await page.textContent('#fusion-cindex-table tbody');
    await act(page, () => demoButton(page).click(), 180_000);
    expect(await page.textContent('#fusion-cindex-table tbody')).toBe(firstLate);
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(await page.isHidden('#results')).toBe(true);
    expect(await page.isHidden('#evaluate')).toBe(true);
    expect(await page.textContent('#fusion .meta')).toContain(`seed ${SEED}`);

    // C-index table: every model on the common test patients and on all test patients it can score.
    const rows = await expectFusionCIndices(page, ref);
    for (const m of ref.models) {
      const r = rows.find((x) => x.name === m.name);
      expect(r.common).toBe(m.common.c);
      expect(r.test).toBe(m.test.c);
      expect(r.text).toContain(`${f3(m.common.c_lower)}–${f3(m.common.c_upper)}`);
      expect(r.text).toContain(`${f3(m.test.c_lower)}–${f3(m.test.c_upper)}`);
      expect(r.text).toContain(m.test.permutation_p < 0.0001 ? '< 0.0001' : m.test.permutation_p.toFixed(4));
      expect(r.text).toContain(String(m.test.n));
    }
    // Key numbers and the summary state the same numbers.
    const late = ref.models.find((m) => m.kind === 'late');
    const early = ref.models.find((m) => m.kind === 'early');
    const best = ref.models.filter((m) => m.kind === 'unimodal').reduce((a, b) => (b.common.c > a.common.c ? b : a));
    const value = (sel) => page.$eval(sel, (el) => Number(el.dataset.value));
    expect(await value('#fusion-late-c')).toBe(late.common.c);
    expect(await value('#fusion-late-c-all')).toBe(late.test.c);
    expect(await value('#fusion-best-c')).toBe(best.common.c);
    expect(await value('#fusion-early-c')).toBe(early.common.c);
    expect(await value('#fusion-logrank-p')).toBe(ref.risk_groups.test.logrank_p);
    const summary = (await page.textContent('#fusion-summary')).replace(/\u00a0/g, ' ');
    expect(summary).toContain(`Late fusion of radiomics, histopathology, genomic and clinical: C = ${f3(late.common.c)} (${f3(late.common.c_lower)}–${f3(late.common.c_upper)}) on the ${late.common.n} test patients who have every modality`);
    expect(summary).toContain(`vs ${f3(best.common.c)} for the best single modality (${best.name}) and ${f3(early.common.c)} for early fusion`);
    expect(summary).toContain(`late fusion's C = ${f3(late.test.c)} (${f3(late.test.c_lower)}–${f3(late.test.c_upper)})`);
    for (const k of ref.comparisons) expect(summary).toContain(`ΔC = ${k.delta_c.toFixed(3)} (95% CI ${k.lower.toFixed(3)} to ${k.upper.toFixed(3)}`);
    expect(summary).toContain(`log-rank ${p4(ref.risk_groups.test.logrank_p)}`);
    // The C-index charts carry the same numbers in their text alternative, with CI whiskers and p marks.
    const commonAria = await page.$eval('#fusion-cindex-common svg', (svg) => svg.getAttribute('aria-description'));
    expect(commonAria).toContain(`C ${f3(late.common.c)}, 95% CI ${f3(late.common.c_lower)} to ${f3(late.common.c_upper)}`);
    expect(await page.$eval('#fusion-cindex-all svg', (svg) => svg.textContent)).toContain(p4(late.test.permutation_p));

    // Risk groups of the test patients: the report's groups; curves and at-risk numbers by `latefuse km`
    // on the page's own per-patient download.
    const groups = await page.$$eval('#fusion-km-table tbody tr', (trs) => trs.map((tr) => {
      const v = [...tr.querySelectorAll('[data-value]')].map((s) => s.dataset.value);
      return { label: tr.children[0].textContent, n: Number(v[0]), events: Number(v[1]), median: v[2] === '' ? null : Number(v[2]), atRisk: v.slice(3).map(Number) };
    }));
    expect(groups.map((g) => g.label)).toEqual(ref.risk_groups.test.groups.map((g) => `${g.label[0].toUpperCase()}${g.label.slice(1)} risk`));
    ref.risk_groups.test.groups.forEach((g, i) => {
      expect(groups[i].n).toBe(g.n);
      expect(groups[i].events).toBe(g.events);
      expect(groups[i].median).toBe(g.median);
    });
    const scores = await download(page, 'Per-patient scores CSV');
    const lines = readFileSync(scores.path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`id,time,event,late_fusion_score,risk_group,surv_${ref.horizons[1]}`);
    expect(lines.length - 1).toBe(ref.split.test);
    const atTimes = await page.$$eval('#fusion-km-table thead th', (ths) => ths.slice(4).map((th) => Number(th.textContent.replace(/^At risk, t = /, ''))));
    const km = cli(['km', '--data', scores.path, '--time', 'time', '--event', 'event', '--group', 'risk_group', '--times', atTimes.join(','), '--curve']);
    // (The report's log-rank p and `latefuse km`'s agree to rounding: the core sums in another order.)
    expect(Math.abs(km.logrank.p / ref.risk_groups.test.logrank_p - 1)).toBeLessThan(1e-9);
    for (const g of groups) {
      const r = km.groups.find((x) => `${x.group[0].toUpperCase()}${x.group.slice(1)} risk` === g.label);
      expect(g.atRisk).toEqual(r.at.map((a) => a.n_risk));
    }
    expect(await page.$eval('#fusion-km svg', (svg) => svg.textContent)).toContain('Number at risk');
    expect((await page.textContent('#fusion-km figcaption')).replace(/\u00a0/g, ' ')).toContain(p4(ref.risk_groups.test.logrank_p));
    // Per-patient late-fusion scores = the report's.
    const byId = Object.fromEntries(lines.slice(1).map((l) => l.split(',')).map(([id, , , s, g]) => [id, [Number(s), g]]));
    ref.test_patients.ids.forEach((id, k) => expect(byId[id][0]).toBe(ref.test_patients.late_score[k]));

    // Kendall's tau (cell heatmap with the values written in the cells, and a table).
    const kt = await page.$$eval('#fusion-kendall-table tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, Number(tr.querySelector('[data-value]').dataset.value)]));
    const mods = ref.kendall.modalities;
    const expectedTau = [];
    mods.forEach((a, i) => mods.forEach((b, j) => { if (i < j) expectedTau.push([`${a} – ${b}`, ref.kendall.tau[i][j]]); }));
    expect(kt).toEqual(expectedTau);
    const heat = await page.$eval('#fusion-kendall svg', (svg) => ({ text: svg.textContent, aria: svg.getAttribute('aria-description'), role: svg.getAttribute('role') }));
    expect(heat.role).toBe('img');
    for (const [, tau] of expectedTau) expect(heat.text).toContain(tau.toFixed(2));
    expect(heat.aria).toContain(`radiomics and histopathology: tau ${ref.kendall.tau[0][1].toFixed(2)}`);

    // Forest plots: the chosen submodel's and integrator's coefficients are the report's.
    const coefRows = (sel) => page.$$eval(`${sel} tbody tr`, (trs) => trs.map((tr) => [tr.children[0].textContent, Number(tr.querySelector('[data-value]').dataset.value)]));
    const table = (name) => ref.coefficients.find((t) => t.model === name);
    await page.selectOption('#fusion-forest-unimodal-select', { label: 'genomic' });
    expect(await coefRows('#fusion-coef-unimodal')).toEqual(table('genomic').terms.map((t) => [t.name, t.coef]));
    const full = ref.coefficients.filter((t) => t.kind === 'integrator').reduce((a, b) => (b.terms.length > a.terms.length ? b : a));
    expect(await coefRows('#fusion-coef-integrator')).toEqual(full.terms.map((t) => [t.name, t.coef]));
    expect(await page.$eval('#fusion-forest-integrator svg', (svg) => svg.getAttribute('aria-description'))).toContain('radiomics');

    // Downloads: the model file is the CLI's byte for byte; the report has the same numbers.
    const model = await download(page, 'Model JSON');
    expect(readFileSync(model.path, 'utf8')).toBe(refModel);
    // The file keeps per-patient training rows (models/README.md "Privacy"): the page says so beside the download.
    expect(JSON.parse(refModel).integrator_training.time.length).toBeGreaterThan(0);
    expect(await page.getByTestId('model-privacy').textContent()).toContain('holds each training patient\'s follow-up time, event and standardised modality scores');
    const report = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
    for (const key of ['models', 'comparisons', 'risk_groups', 'kendall', 'coefficients', 'patterns', 'split', 'test_patients', 'settings']) {
      expect(report[key], key).toEqual(ref[key]);
    }
    const data = await download(page, 'Simulated data CSV');
    expect(readFileSync(data.path, 'utf8')).toBe(cohortCsv);
    // Every chart has an SVG and a PNG download.
    for (const id of ['fusion-cindex-common', 'fusion-cindex-all', 'fusion-km', 'fusion-kendall', 'fusion-forest-unimodal', 'fusion-forest-integrator', 'fusion-auc']) {
      const buttons = await page.$$eval(`#${id} .downloads button`, (bs) => bs.map((b) => b.textContent));
      expect(buttons, id).toEqual(['Download SVG', 'Download PNG']);
    }
    const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-kendall .downloads button:first-child')]);
    expect(readFileSync(await svgDl.path(), 'utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*Kendall/);
    const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-km .downloads button:last-child')]);
    expect(readFileSync(await pngDl.path()).subarray(1, 4).toString()).toBe('PNG');

    // The Score tab names the model just fitted.
    await page.click('#tab-score');
    expect(await page.textContent('#score-model')).toMatch(/Just fitted: late-fusion model on the simulated cohort \(seed 1/);
    await page.click('#tab-fit');

    await screenshot(page, 'demo-desktop', { fullPage: true });
    await screenshotEach(page, [['demo-summary', '#fusion .summary'], ['demo-cindex-common', '#fusion-cindex-common'], ['demo-cindex-all', '#fusion-cindex-all'],
      ['demo-km', '#fusion-km'], ['demo-kendall', '#fusion-kendall'], ['demo-forest-submodel', '#fusion-forest-unimodal'], ['demo-forest-integrator', '#fusion-forest-integrator'],
      ['demo-auc', '#fusion-auc'], ['demo-key-numbers', '#fusion .key-numbers']]);

    // The lung Cox example is still one click away, and replaces the demo on screen.
    await act(page, () => page.getByRole('button', { name: 'Load lung example' }).click());
    expect(await page.isHidden('#fusion')).toBe(true);
    expect(await page.isVisible('#results')).toBe(true);
    const lung = cli(['cox', '--data', join(EXAMPLE_DATA, 'lung.csv'), '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog']);
    expect((await shownC(page)).value).toBe(lung.concordance.c);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('can be cancelled, and the page stays usable', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await demoButton(page).click();
    await page.waitForFunction(() => !document.querySelector('#progress').hidden && /fusion|Simulating/i.test(document.querySelector('#progress-stage').textContent), null, { timeout: 30_000 });
    await screenshot(page, 'demo-progress');
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.isHidden('#progress')).toBe(true);
    expect(await page.textContent('#demo-error')).toMatch(/Demo cancelled/);
    expect(await page.isHidden('#fusion')).toBe(true);
    expect(await demoButton(page).isEnabled()).toBe(true);
    // Usable afterwards: the demo runs to the end, then the lung example.
    await act(page, () => demoButton(page).click(), 180_000);
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(await page.isHidden('#demo-error')).toBe(true);
    expect(await page.$eval('#fusion-late-c', (el) => Number(el.dataset.value))).toBe(ref.models.find((m) => m.kind === 'late').common.c);
    await act(page, () => page.getByRole('button', { name: 'Load lung example' }).click());
    expect((await shownC(page)).text).toMatch(/^0\.\d{4}$/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px screen, labels its controls and captions its tables', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0', ...PHONE });
    await act(page, () => demoButton(page).click(), 180_000);
    await expectFitsWidth(page, '#fusion');
    await expectLabelled(page, ['#fusion']);
    await screenshotEach(page, [['mobile-demo-summary', '#fusion .summary'], ['mobile-demo-cindex', '#fusion-cindex-common'], ['mobile-demo-km', '#fusion-km'],
      ['mobile-demo-kendall', '#fusion-kendall'], ['mobile-demo-forest', '#fusion-forest-integrator']]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
