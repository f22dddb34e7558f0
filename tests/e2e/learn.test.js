// The Learn tab ("late vs early fusion"), done as a user would: the simulator's controls start at the
// reference preset (checked against `latefuse simulate --preset hgsoc`), a simulated cohort's
// availability patterns and CSV bytes equal the CLI's for the same settings and seed, bad settings
// are reported beside the control, and — with the fusion engine in the build — the comparison's
// numbers equal `latefuse fuse` on the same simulated data and seed, its sentences state the numbers
// on screen, the interaction is explained with its cost in C, Cancel leaves the tab usable, and the
// tab fits a 390 px screen.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openApp, screenshot, cli, act, tmpFile, PHONE, download, expectFitsWidth, expectLabelled, screenshotEach } from './helpers.js';
import { pairedDifference } from '../../web/lib/index.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

/** The page enables "Run comparison" once the worker has started: a disabled button is a failure, not a skip. */
async function expectEngine(page) {
  expect(await page.evaluate(() => !document.querySelector('#btn-learn-run').disabled), 'Run comparison is enabled').toBe(true);
}

/** `latefuse simulate` + `latefuse fuse` for one seed of the Learn tab (its defaults: 200 replicates). */
function cliSeed(seed, { interaction = 0, bootstrap = 200, permutations = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'latefuse-learn-'));
  const data = join(dir, 'cohort.csv');
  cli(['simulate', '--preset', 'hgsoc', '--seed', String(seed), '--interaction', String(interaction), '--out', data]);
  const reportOut = join(dir, 'report.json');
  cli(['fuse', '--data', data, '--id', 'id', '--time', 'time', '--event', 'event',
    '--modality', 'radiomics=radiomics_*', '--modality', 'histopathology=histopathology_*', '--modality', 'genomic=genomic_*', '--modality', 'clinical=clinical_*',
    '--seed', String(seed), '--bootstrap', String(bootstrap), '--permutations', String(permutations), '--model-out', join(dir, 'model.json'), '--report-out', reportOut]);
  const report = JSON.parse(readFileSync(reportOut, 'utf8'));
  const c = (kind, name) => report.models.find((m) => m.kind === kind && (!name || m.name === name)).common;
  return { report, late: c('late'), early: c('early'), uni: Object.fromEntries(report.models.filter((m) => m.kind === 'unimodal').map((m) => [m.name, m.common.c])) };
}

const f3 = (x) => x.toFixed(3);
const text = async (page, sel) => (await page.textContent(sel)).replace(/\u00a0/g, ' ');

async function setFields(page, values) {
  for (const [key, value] of Object.entries(values)) await page.fill(`#learn-${key}`, String(value));
}

describe('Learn: late vs early fusion', () => {
  it('starts at the reference preset, and a simulated cohort equals `latefuse simulate`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    // Defaults = the core's hgsoc preset.
    const preset = cli(['simulate', '--preset', 'hgsoc', '--seed', '1', '--out', tmpFile('preset.csv', '')]);
    expect(await page.inputValue('#learn-n')).toBe(String(preset.n));
    for (const m of preset.modalities) {
      expect(Number(await page.inputValue(`#learn-avail-${m.name}`))).toBeCloseTo((100 * m.available) / preset.n, 1);
      expect(Number(await page.inputValue(`#learn-signal-${m.name}`))).toBe(m.signal);
    }
    // The pipeline diagram is drawn from the settings: each submodel's patients, early fusion's complete cases.
    const diagram = await page.textContent('#learn-diagram');
    for (const m of preset.modalities) expect(diagram).toContain(`${m.name} submodel${m.available} patients`);
    expect(diagram).toContain(`${preset.modalities.reduce((a, m) => a + m.features, 0)} columns of 4 modalities`);
    expect(diagram).toContain(`only the patients with every modality: ${preset.complete}`);
    expect(Number(await page.inputValue('#learn-complete'))).toBeCloseTo((100 * preset.complete) / preset.n, 1);
    expect(Number(await page.inputValue('#learn-correlation'))).toBe(preset.correlation);
    expect(Number(await page.inputValue('#learn-interaction'))).toBe(preset.interaction);
    expect(Number(await page.inputValue('#learn-censoring'))).toBe(preset.censoring);

    // Another size, seed, signal and censoring: the page's cohort = the CLI's, byte for byte.
    await setFields(page, { n: 300, seed: 3, 'signal-genomic': 0.3, censoring: 0.5 });
    await act(page, () => page.click('#btn-learn-simulate'));
    const out = tmpFile('cli.csv', '');
    const ref = cli(['simulate', '--preset', 'hgsoc', '--n', '300', '--seed', '3', '--signal', 'radiomics=0.8,histopathology=0.8,genomic=0.3,clinical=0.8',
      '--correlation', '0.1', '--interaction', '0', '--interaction-between', 'radiomics,genomic', '--censoring', '0.5', '--out', out]);
    const shown = await page.$$eval('#learn-patterns tbody tr', (rows) => rows.map((tr) => ({
      has: [...tr.querySelectorAll('td [aria-label]')].map((s) => s.getAttribute('aria-label') === 'yes'),
      patients: Number(tr.querySelector('[data-value]').dataset.value),
    })));
    const names = ref.modalities.map((m) => m.name);
    const expected = ref.patterns.map((p) => ({ has: names.map((n) => p.modalities.includes(n)), patients: p.patients }));
    const key = (p) => `${p.has.map(Number).join('')}:${p.patients}`;
    expect(shown.map(key).sort()).toEqual(expected.map(key).sort());
    expect(await page.textContent('#learn-cohort-summary')).toBe(
      `Seed 3: 300 patients, ${ref.events} events, ${ref.censored} censored. ${ref.modalities.map((m) => `${m.name} ${m.available}`).join(', ')}; ${ref.complete} have all four.`);
    const csv = await download(page, 'Simulated data CSV');
    expect(readFileSync(csv.path, 'utf8')).toBe(readFileSync(out, 'utf8'));
    await page.locator('#learn-cohort').scrollIntoViewIfNeeded();
    await screenshot(page, 'learn-cohort', { locator: '#learn-cohort' });

    // Changed availability: the exact counts reach the core (and the CLI gives the same).
    await setFields(page, { 'avail-radiomics': 60, 'avail-histopathology': 50, 'avail-genomic': 70, 'avail-clinical': 100, complete: 30 });
    await act(page, () => page.click('#btn-learn-simulate'));
    const ref2 = cli(['simulate', '--preset', 'hgsoc', '--n', '300', '--seed', '3', '--availability', 'radiomics=180,histopathology=150,genomic=210,clinical=300',
      '--complete', '90', '--signal', 'radiomics=0.8,histopathology=0.8,genomic=0.3,clinical=0.8', '--censoring', '0.5', '--out', tmpFile('cli2.csv', '')]);
    expect(await page.textContent('#learn-cohort-summary')).toContain(`${ref2.modalities.map((m) => `${m.name} ${m.available}`).join(', ')}; 90 have all four.`);

    // The preset button restores every control.
    await page.click('#btn-learn-preset-study');
    expect(await page.inputValue('#learn-n')).toBe('444');
    expect(await page.inputValue('#learn-signal-genomic')).toBe('0.8');
    expect(await page.inputValue('#learn-avail-radiomics')).toBe(String(Math.round((1000 * 245) / 444) / 10));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reports bad settings beside the control, including the core\'s own checks', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    await page.fill('#learn-correlation', '1.5');
    await act(page, () => page.click('#btn-learn-simulate'));
    expect(await page.isVisible('#learn-correlation-error')).toBe(true);
    expect(await page.textContent('#learn-correlation-error')).toMatch(/from 0 to 0\.95/);
    expect(await page.getAttribute('#learn-correlation', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#learn-error')).toMatch(/need your attention/);
    await page.fill('#learn-correlation', '0.1');
    // Infeasible availability (every patient with every modality but few complete): the core says why.
    await setFields(page, { 'avail-radiomics': 100, 'avail-histopathology': 100, 'avail-genomic': 100, complete: 0 });
    await act(page, () => page.click('#btn-learn-simulate'));
    expect(await page.isVisible('#learn-availability-error')).toBe(true);
    expect(await page.textContent('#learn-availability-error')).toMatch(/complete/);
    await screenshot(page, 'learn-error', { locator: '#learn-card' });
    // Corrected, it works again.
    await page.click('#btn-learn-preset-study');
    await act(page, () => page.click('#btn-learn-simulate'));
    expect(await page.isHidden('#learn-availability-error')).toBe(true);
    expect(await page.textContent('#learn-cohort-summary')).toMatch(/^Seed 1: 444 patients/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('compares late fusion, early fusion and each modality over seeds, with the numbers of `latefuse fuse`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    await expectEngine(page);
    await setFields(page, { seeds: 2, seed: 1 });
    await act(page, () => page.click('#btn-learn-run'), 180_000);
    const refs = [cliSeed(1), cliSeed(2)];
    // Per seed: late and complete-case early fusion on the common test patients, the best modality.
    const perSeed = await page.$$eval('#learn-seed-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value))));
    refs.forEach((r, k) => {
      const [patients, late, early] = perSeed[k];
      expect(patients).toBe(r.late.n);
      expect(late).toBe(r.late.c);
      expect(early).toBe(r.early.c);
      expect(perSeed[k].at(-1)).toBe(Math.max(...Object.values(r.uni)));
    });
    // Summary over seeds: the mean of the per-seed values, for every model.
    const means = Object.fromEntries(await page.$$eval('#learn-summary-table tbody tr', (trs) => trs.map((tr) => {
      const el = tr.querySelector('[data-model]');
      return [el.dataset.model, Number(el.dataset.value)];
    })));
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(means['late fusion']).toBe(mean(refs.map((r) => r.late.c)));
    expect(means['early fusion']).toBe(mean(refs.map((r) => r.early.c)));
    for (const m of ['radiomics', 'histopathology', 'genomic', 'clinical']) expect(means[m]).toBe(mean(refs.map((r) => r.uni[m])));
    expect(means['early fusion (imputed)']).toBeGreaterThan(0.4);
    // The sentences state the numbers of the table and the chart.
    const explanation = await text(page, '#learn-explanation');
    expect(explanation).toContain(`late fusion reaches a mean C-index of ${f3(means['late fusion'])}, against early fusion ${f3(means['early fusion'])}, early fusion (imputed) ${f3(means['early fusion (imputed)'])}`);
    const wins = refs.filter((r) => r.late.c > r.early.c).length;
    expect(explanation).toContain(`Late fusion beats early fusion in ${wins} of 2 seeds`);
    // A difference is claimed only when the 95% CI of the mean paired difference over the seeds
    // excludes 0 (pairedDifference = R t.test(paired = TRUE), tests/js/paired_difference.test.js).
    const d = await pairedDifference({ a: refs.map((r) => r.late.c), b: refs.map((r) => r.early.c) });
    if (d.lower > 0) expect(explanation).toContain(`Late fusion is ahead of complete-case early fusion by ${f3(d.mean)} in mean C (95% CI`);
    else if (d.upper < 0) expect(explanation).toContain(`Complete-case early fusion is ahead of late fusion by ${f3(-d.mean)} in mean C (95% CI`);
    else {
      expect(explanation).toContain(`Late fusion and complete-case early fusion: ${f3(means['late fusion'])} vs ${f3(means['early fusion'])} in mean C; the seeds do not show a difference`);
      expect(explanation).not.toMatch(/ahead of/);
    }
    expect(explanation).toContain('114 of 444 in the cohort');
    const aria = await page.$eval('#learn-chart svg', (svg) => svg.getAttribute('aria-description'));
    expect(aria).toContain(`Late fusion: mean C ${f3(means['late fusion'])}`);
    expect(aria).toContain(`Early fusion: mean C ${f3(means['early fusion'])}`);
    // The per-seed CSV has every model's C.
    const csv = readFileSync((await download(page, 'C-index per seed CSV')).path, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seed,model,kind,interaction,common_n,c,c_lower,c_upper,permutation_p');
    expect(csv.find((l) => l.startsWith('1,late fusion,'))).toContain(`,${refs[0].late.c},${refs[0].late.c_lower},${refs[0].late.c_upper},${refs[0].late.permutation_p}`);
    await page.locator('#learn-results').scrollIntoViewIfNeeded();
    await screenshot(page, 'learn-results', { locator: '#learn-results' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows, in the numbers, that late fusion cannot learn a cross-modal interaction', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    await expectEngine(page);
    await setFields(page, { seeds: 1, seed: 1, interaction: 1.5 });
    await act(page, () => page.click('#btn-learn-run'), 180_000);
    const withI = cliSeed(1, { interaction: 1.5 });
    const without = cliSeed(1);
    const table = Object.fromEntries(await page.$$eval('#learn-reference-table tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent,
      [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value))])));
    expect(table['Late fusion'][0]).toBe(without.late.c);
    expect(table['Late fusion'][1]).toBe(withI.late.c);
    expect(table['Early fusion'][0]).toBe(without.early.c);
    expect(table['Early fusion'][1]).toBe(withI.early.c);
    const explanation = await text(page, '#learn-explanation');
    expect(explanation).toContain('interaction between radiomics and genomic (coefficient 1.5)');
    expect(explanation).toContain('Late fusion cannot learn it');
    expect(explanation).toContain(`late fusion's C is ${f3(without.late.c)}; with it, ${f3(withI.late.c)}`);
    expect(explanation).toContain(`${f3(without.early.c)} without, ${f3(withI.early.c)} with`);
    expect(explanation).toContain(`radiomics on its own: ${f3(without.uni.radiomics)} without, ${f3(withI.uni.radiomics)} with`);
    // One seed: no interval over seeds, so no claim about the drop, the early fusion gap or the best modality.
    expect(explanation).toContain("Late fusion's change with the interaction: one seed cannot show whether a difference is more than chance: run several seeds.");
    expect(explanation).not.toContain('cannot capture');
    expect(explanation).not.toContain('beats late fusion');
    expect(explanation).toContain('Late fusion and complete-case early fusion: ');
    // One seed: the chart has each model's CI whisker and permutation p.
    const aria = await page.$eval('#learn-chart svg', (svg) => svg.getAttribute('aria-description'));
    expect(aria).toContain(`Late fusion (late): C ${f3(withI.late.c)}, 95% CI ${f3(withI.late.c_lower)} to ${f3(withI.late.c_upper)}`);
    await page.locator('#learn-results').scrollIntoViewIfNeeded();
    await screenshot(page, 'learn-interaction', { locator: '#learn-results' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('can be cancelled, and the tab stays usable', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    await expectEngine(page);
    await setFields(page, { seeds: 50, bootstrap: 1000 });
    await page.click('#btn-learn-run');
    await page.waitForFunction(() => !document.querySelector('#progress').hidden && /Seed \d+ \(\d+ of 50\)/.test(document.querySelector('#progress-stage').textContent), null, { timeout: 60_000 });
    await screenshot(page, 'learn-progress');
    // The page responds meanwhile.
    const started = Date.now();
    await page.click('#tab-fit');
    await page.click('#tab-learn');
    expect(Date.now() - started).toBeLessThan(2_000);
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.isHidden('#progress')).toBe(true);
    expect(await page.textContent('#learn-error')).toMatch(/^Cancelled/);
    expect(await page.isEnabled('#btn-learn-run')).toBe(true);
    await setFields(page, { seeds: 1, bootstrap: 100 });
    await act(page, () => page.click('#btn-learn-run'), 120_000);
    expect(await page.isHidden('#learn-error')).toBe(true);
    expect(await page.isVisible('#learn-chart svg')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px screen and labels every control', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0', ...PHONE });
    await page.click('#tab-learn');
    await act(page, () => page.click('#btn-learn-simulate'));
    await expectEngine(page);
    await setFields(page, { seeds: 3 });
    await act(page, () => page.click('#btn-learn-run'), 180_000);
    await expectFitsWidth(page, '#panel-learn');
    await expectLabelled(page, ['#panel-learn'], { charts: false });
    const shots = [['mobile-learn-settings', '#learn-form'], ['mobile-learn-cohort', '#learn-cohort'],
      ['mobile-learn-explanation', '#learn-explanation'], ['mobile-learn-chart', '#learn-chart']];
    await screenshotEach(page, shots);
    expect(problems).toEqual([]);
    await context.close();
  });
});
