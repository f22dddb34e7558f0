// Late fusion on the user's own files, done as a user would: the simulator's cohort (`latefuse
// simulate --preset hgsoc --seed 3`) split into an outcome file and one file per modality (patients
// without a modality have no row in its file), uploaded through the file input; the Modalities step
// (guessed by file; one modality renamed from the keyboard, one column left out), settings, Run.
// Every number on screen is compared with `latefuse fuse` on the same files, modalities and seed; the
// model and predictions downloads are the CLI's files byte for byte (`latefuse score`), the report the
// same document but for its compute time; the calibration equals `latefuse evaluate` on the page's
// own per-patient download. Also: bad files (duplicate IDs, non-numeric time, an ID missing from the
// outcome file) show the specific message beside the right control and keep every setting; elastic
// net's settings (a bad alpha beside its control); Cancel; the Rotterdam/GBSG example
// reproduces the shipped model byte for byte; screenshots at desktop and 390 px widths.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, openApp, screenshot, act, upload, ROOT, EXAMPLE_DATA, PHONE, download, expectFitsWidth, expectLabelled, screenshotEach, cliIn,
  expectFusionCIndices, runFusion, simulatedCohortFiles,
} from './helpers.js';
import { modelWithoutValidation } from '../../web/lib/index.js';

let env;
let dir;        // the per-modality files of the simulated cohort
let files;      // {outcome, radiomics, histopathology, genomic, clinical}: paths
let header;     // the cohort's header
const SEED = 3;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];

beforeAll(async () => {
  env = await launch();
  ({ dir, files, header } = simulatedCohortFiles('latefuse-fusion-data-', ['--preset', 'hgsoc', '--seed', String(SEED)], MODALITIES));
});
afterAll(async () => { await env?.close(); });

const value = (page, sel) => page.$eval(sel, (el) => Number(el.dataset.value));
const f3 = (x) => x.toFixed(3);
const p4 = (p) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);
const modalityNames = (page) => page.$$eval('#modalities .modality[data-modality] .modality-head input', (els) => els.map((e) => e.value));

describe('Late fusion on uploaded files', () => {
  it('joins per-modality files, lets the user edit a modality, runs, and shows `latefuse fuse`\'s numbers', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, [files.outcome, files.radiomics, files.histopathology, files.genomic, files.clinical]);
    // Guesses: the ID to join on, the outcome columns, late fusion, one modality per file.
    expect(await page.inputValue('#join-select')).toBe('id');
    expect(await page.inputValue('#role-time')).toBe('time');
    expect(await page.inputValue('#role-event')).toBe('event');
    expect(await page.isChecked('#model-fusion')).toBe(true);
    expect(await page.isVisible('#cox-setup')).toBe(false);
    expect(await modalityNames(page)).toEqual(MODALITIES);
    const coverage = await page.textContent('#fusion-coverage');
    expect(coverage).toContain('outcome.csv defines the cohort: 444 patients');
    expect(coverage).toMatch(/radiomics\.csv: 245 of them/);
    await screenshot(page, 'fusion-data-modalities', { locator: '#setup' });

    // Edit: rename histopathology from the keyboard; leave one genomic column out; a settings change.
    const nameBox = page.locator('#modalities .modality[data-modality="file:histopathology.csv"] .modality-head input');
    await nameBox.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('pathology');
    await page.keyboard.press('Tab');
    expect(await modalityNames(page)).toEqual(['radiomics', 'pathology', 'genomic', 'clinical']);
    const genomic = header.filter((c) => c.startsWith('genomic_'));
    const dropped = genomic[genomic.length - 1];
    // Long column lists start folded: open the genomic one (its summary is a keyboard-operable toggle).
    await page.locator('.modality[data-modality="file:genomic.csv"] summary').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel(`Modality of the column ${dropped}`, { exact: true }).selectOption({ label: '— leave out —' });
    expect(await page.textContent('.modality.excluded')).toContain(dropped);
    await page.fill('#fs-seed', String(SEED));
    await page.fill('#fs-bootstrap', '200');
    await page.fill('#fs-permutations', '200');
    await page.selectOption('#fs-riskGroups', 'tertiles');

    await runFusion(page);

    // The same analysis with the command line, in the files' directory.
    const modalitiesArgs = ['--modality', 'radiomics=radiomics_*', '--modality', 'pathology=histopathology_*',
      '--modality', `genomic=${genomic.filter((c) => c !== dropped).join(',')}`, '--modality', 'clinical=clinical_*'];
    cliIn(dir, ['fuse', '--data', 'outcome.csv', '--data', 'radiomics.csv', '--data', 'histopathology.csv', '--data', 'genomic.csv', '--data', 'clinical.csv',
      '--id', 'id', '--time', 'time', '--event', 'event', ...modalitiesArgs, '--seed', String(SEED), '--bootstrap', '200', '--permutations', '200',
      '--risk-groups', 'tertiles', '--model-out', 'model.json', '--report-out', 'report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const refModel = readFileSync(join(dir, 'model.json'), 'utf8');
    expect(ref.modalities).toEqual(['radiomics', 'pathology', 'genomic', 'clinical']);

    // Every model's C on the common and on all test patients, with CI and permutation p.
    const rows = await expectFusionCIndices(page, ref);
    for (const m of ref.models) {
      const r = rows.find((x) => x.name === m.name);
      expect(r.common, m.name).toBe(m.common.c);
      expect(r.test, m.name).toBe(m.test.c);
      expect(r.text).toContain(`${f3(m.test.c_lower)}–${f3(m.test.c_upper)}`);
      expect(r.text).toContain(m.test.permutation_p < 0.0001 ? '< 0.0001' : m.test.permutation_p.toFixed(4));
    }
    const late = ref.models.find((m) => m.kind === 'late');
    const early = ref.models.find((m) => m.kind === 'early');
    expect(await value(page, '#fusion-late-c')).toBe(late.common.c);
    expect(await value(page, '#fusion-late-c-all')).toBe(late.test.c);
    expect(await value(page, '#fusion-early-c')).toBe(early.common.c);
    expect(await value(page, '#fusion-logrank-p')).toBe(ref.risk_groups.test.logrank_p);
    const summary = (await page.textContent('#fusion-summary')).replace(/\u00a0/g, ' ');
    expect(summary).toContain(`Late fusion of radiomics, pathology, genomic and clinical: C = ${f3(late.common.c)} (${f3(late.common.c_lower)}–${f3(late.common.c_upper)})`);
    expect(summary).toContain(`late fusion's C = ${f3(late.test.c)}`);
    expect(summary).toContain(`log-rank ${p4(ref.risk_groups.test.logrank_p)}`);
    expect(await page.textContent('#fusion .meta')).toContain('444 patients');
    // The C-index charts carry the numbers (CI whiskers, p marks) in their text alternative.
    expect(await page.$eval('#fusion-cindex-common svg', (s) => s.getAttribute('aria-description'))).toContain(`C ${f3(late.common.c)}, 95% CI ${f3(late.common.c_lower)} to ${f3(late.common.c_upper)}`);
    // Three risk groups (tertiles) with the report's counts and medians.
    const groups = await page.$$eval('#fusion-km-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('[data-value]')].map((s) => s.dataset.value)));
    expect(groups.length).toBe(3);
    ref.risk_groups.test.groups.forEach((g, i) => {
      expect(Number(groups[i][0])).toBe(g.n);
      expect(Number(groups[i][1])).toBe(g.events);
      expect(groups[i][2] === '' ? null : Number(groups[i][2])).toBe(g.median);
    });
    expect(await page.$eval('#fusion-km svg', (s) => s.textContent)).toContain('Number at risk');
    // Kendall's tau, AUC(t) and every submodel's coefficients.
    const kt = await page.$$eval('#fusion-kendall-table tbody tr', (trs) => trs.map((tr) => Number(tr.querySelector('[data-value]').dataset.value)));
    const tau = [];
    ref.kendall.modalities.forEach((a, i) => ref.kendall.modalities.forEach((b, j) => { if (i < j) tau.push(ref.kendall.tau[i][j]); }));
    expect(kt).toEqual(tau);
    const auc = await page.$$eval('#fusion-auc-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value))));
    expect(auc[0]).toEqual(late.common.auc.map((a) => a.auc));
    for (const m of ref.modalities) {
      await page.selectOption('#fusion-forest-unimodal-select', { label: m });
      const coef = await page.$$eval('#fusion-coef-unimodal tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, Number(tr.querySelector('[data-value]').dataset.value)]));
      expect(coef).toEqual(ref.coefficients.find((t) => t.model === m).terms.map((t) => [t.name, t.coef]));
    }
    expect(await page.$$eval('#fusion-forest-integrator-select option', (os) => os.length)).toBe(ref.coefficients.filter((t) => t.kind === 'integrator').length);

    // Downloads: the model file and the predictions are the CLI's byte for byte; the report is the
    // CLI's document but for its compute time.
    const model = await download(page, 'Model JSON');
    expect(readFileSync(model.path, 'utf8')).toBe(refModel);
    const report = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
    delete report.compute_ms;
    delete ref.compute_ms;
    expect(report).toEqual(ref);
    cliIn(dir, ['score', '--model', 'model.json', '--data', 'outcome.csv', '--data', 'radiomics.csv', '--data', 'histopathology.csv', '--data', 'genomic.csv',
      '--data', 'clinical.csv', '--id', 'id', '--out', 'predictions.csv']);
    const predictions = await download(page, 'Predictions CSV (every patient)');
    expect(readFileSync(predictions.path, 'utf8')).toBe(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
    // Per-patient scores of the test patients; calibration = `latefuse evaluate` on that file.
    const scores = await download(page, 'Per-patient scores CSV');
    const lines = readFileSync(scores.path, 'utf8').trim().split('\n');
    const horizon = ref.horizons[1];
    expect(lines[0]).toBe(`id,time,event,late_fusion_score,risk_group,surv_${horizon}`);
    expect(lines.length - 1).toBe(ref.split.test);
    const byId = Object.fromEntries(lines.slice(1).map((l) => l.split(',')).map(([id, , , s]) => [id, Number(s)]));
    ref.test_patients.ids.forEach((id, k) => expect(byId[id]).toBe(ref.test_patients.late_score[k]));
    const ev = cliIn(dir, ['evaluate', '--data', scores.path, '--time', 'time', '--event', 'event', '--score', 'late_fusion_score', '--bootstrap', '0',
      '--permutations', '0', '--predicted-survival', `surv_${horizon}`, '--calibration-horizon', String(horizon), '--calibration-groups', '5']);
    const cal = await page.$$eval('#fusion-calibration-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value))));
    expect(cal).toEqual(ev.calibration.groups.map((g) => [g.n, g.events, g.predicted, g.observed]));
    expect(await value(page, '#fusion-calibration-slope [data-value]')).toBe(ev.calibration.slope);
    // Every chart: SVG and PNG.
    for (const id of ['fusion-cindex-common', 'fusion-cindex-all', 'fusion-km', 'fusion-kendall', 'fusion-auc', 'fusion-calibration', 'fusion-forest-unimodal', 'fusion-forest-integrator']) {
      expect(await page.$$eval(`#${id} .downloads button`, (bs) => bs.map((b) => b.textContent)), id).toEqual(['Download SVG', 'Download PNG']);
    }
    const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-calibration .downloads button:first-child')]);
    expect(readFileSync(await svgDl.path(), 'utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*Calibration/);
    const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('#fusion-auc .downloads button:last-child')]);
    expect(readFileSync(await pngDl.path()).subarray(1, 4).toString()).toBe('PNG');
    // Accessible: labelled controls, captioned tables, described charts.
    await expectLabelled(page, ['#setup', '#fusion'], { tables: false, charts: false });
    await expectLabelled(page, ['#fusion'], { tables: false });

    await screenshot(page, 'fusion-data-settings', { locator: '#fusion-settings' });
    await screenshot(page, 'fusion-data-desktop', { fullPage: true });
    await screenshotEach(page, [['fusion-data-summary', '#fusion .summary'], ['fusion-data-cindex', '#fusion-cindex-common'], ['fusion-data-km', '#fusion-km'],
      ['fusion-data-calibration', '#fusion-calibration'], ['fusion-data-auc', '#fusion-auc']]);
    // The single Cox model is still a choice on the same data.
    await page.check('#model-cox');
    expect(await page.isVisible('#cov-groups')).toBe(true);
    expect(await page.isHidden('#fusion')).toBe(true);
    await page.check('#model-fusion');
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('puts a bad file\'s problem beside the right control and keeps every setting; core errors; Cancel', async () => {
    const outcome = readFileSync(files.outcome, 'utf8');
    const radiomics = readFileSync(files.radiomics, 'utf8');
    const rLines = radiomics.trim().split('\n');
    const dupRadiomics = [...rLines, rLines[3]].join('\n') + '\n';           // the patient of data row 3 twice
    const oLines = outcome.trim().split('\n');
    const badOutcome = oLines.map((l, i) => (i === 5 ? l.replace(/^([^,]*),[^,]*,/, '$1,abc,') : l)).join('\n') + '\n';  // data row 5: time "abc"
    const strangerRadiomics = [...rLines, rLines[1].replace(/^[^,]*/, 'P-999')].join('\n') + '\n';
    const sub = mkdtempSync(join(dir, 'bad-'));
    const write = (name, text) => { const p = join(sub, name); writeFileSync(p, text); return p; };

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, [files.outcome, files.radiomics, files.clinical]);
    // The user's choices.
    const nameBox = page.locator('#modalities .modality[data-modality="file:clinical.csv"] .modality-head input');
    await nameBox.fill('clinical data');
    await nameBox.press('Enter');
    await nameBox.blur();
    await page.fill('#fs-bootstrap', '50');
    await page.fill('#fs-seed', '9');
    await page.selectOption('#fs-riskGroups', 'tertiles');
    await page.check('#fs-referenceCompatible');
    expect(await page.isDisabled('#fs-penalizer')).toBe(true);
    expect(await page.inputValue('#fs-penalizer')).toBe('0.5');
    const kept = async () => {
      expect(await modalityNames(page)).toEqual(['radiomics', 'clinical data']);
      expect(await page.inputValue('#fs-bootstrap')).toBe('50');
      expect(await page.inputValue('#fs-seed')).toBe('9');
      expect(await page.inputValue('#fs-riskGroups')).toBe('tertiles');
      expect(await page.isChecked('#fs-referenceCompatible')).toBe(true);
    };
    await kept();

    // A duplicate patient ID: beside the ID column to join on, naming the file, the ID and both rows.
    await upload(page, write('radiomics.csv', dupRadiomics));
    const joinError = await page.textContent('[data-error-for="join"]');
    expect(joinError).toMatch(/radiomics\.csv: the patient ID ".+" appears twice \(rows 3 and \d+\)/);
    expect(await page.getAttribute('#join-select', 'aria-invalid')).toBe('true');
    await screenshot(page, 'fusion-data-duplicate-id', { locator: '#panel-fit' });
    // The corrected file: everything the user set is back.
    await upload(page, files.radiomics);
    expect(await page.isHidden('[data-error-for="join"]')).toBe(true);
    await kept();

    // A patient in a modality file who is not in the outcome file: beside that file.
    await upload(page, write('radiomics.csv', strangerRadiomics));
    const fileError = page.locator('#file-list [data-error-for="file:radiomics.csv"]');
    await expect.poll(() => fileError.isVisible()).toBe(true);
    expect(await fileError.textContent()).toMatch(/radiomics\.csv: row \d+ has patient ID "P-999", which is not in the outcome file outcome\.csv/);
    await upload(page, files.radiomics);
    expect(await page.locator('#file-list [data-error-for="file:radiomics.csv"]').count()).toBe(0);

    // A non-numeric time: beside "Follow-up time" at once, and again when the user runs.
    await upload(page, write('outcome.csv', badOutcome));
    const timeError = page.locator('[data-error-for="time"]');
    expect(await timeError.textContent()).toMatch(/outcome\.csv.*row 5.*abc/);
    await act(page, () => page.click('#btn-fuse'));
    expect(await timeError.textContent()).toMatch(/outcome\.csv: time "time" must be numeric but row 5 has "abc"/);
    expect(await page.textContent('#fuse-error')).toContain('beside “Follow-up time”');
    await kept();
    await screenshot(page, 'fusion-data-bad-time', { locator: '#setup' });
    await upload(page, files.outcome);
    await kept();

    // A modality without columns: beside it.
    await page.click('#mod-add');
    await act(page, () => page.click('#btn-fuse'));
    const empty = page.locator('#modalities .modality.has-error .field-error');
    expect(await empty.textContent()).toContain('No columns');
    await page.getByRole('button', { name: /Remove the modality modality/ }).click();

    // Elastic net: its settings appear; a bad alpha is said beside it and nothing runs (the run itself:
    // fusion-elasticnet.test.js).
    await page.uncheck('#fs-referenceCompatible');
    await page.selectOption('#fs-selection', 'elasticnet');
    expect(await page.isVisible('#fs-alpha')).toBe(true);
    await page.fill('#fs-alpha', '0');
    await act(page, () => page.click('#btn-fuse'));
    expect(await page.textContent('[data-error-for="setting:alpha"]')).toMatch(/Give alpha above 0 and at most 1/);
    expect(await page.textContent('#fuse-error')).toContain('Some choices need your attention');
    expect(await page.inputValue('#fs-seed')).toBe('9');
    expect(await page.inputValue('#fs-alpha')).toBe('0');
    await page.selectOption('#fs-selection', 'none');
    expect(await page.isHidden('[data-field="alpha"]')).toBe(true);

    // Cancel: the page stays usable and the settings are unchanged.
    await page.fill('#fs-bootstrap', '20000');
    await page.click('#btn-fuse');
    await page.waitForFunction(() => !document.querySelector('#progress').hidden && /Fitting|Joining/.test(document.querySelector('#progress-stage').textContent), null, { timeout: 30_000 });
    await screenshot(page, 'fusion-data-progress');
    await page.click('#tab-learn');
    await page.click('#tab-fit');
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.textContent('#fuse-error')).toContain('Cancelled');
    expect(await page.inputValue('#fs-bootstrap')).toBe('20000');
    await page.fill('#fs-bootstrap', '50');
    await runFusion(page);
    expect(await page.isVisible('#fusion-cindex-table')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('loads the Rotterdam/GBSG example ready to run, and it reproduces the shipped model byte for byte', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await act(page, () => page.getByRole('button', { name: 'Load Rotterdam/GBSG example' }).click());
    expect(await page.isChecked('#model-fusion')).toBe(true);
    expect(await page.inputValue('#role-time')).toBe('rfs_time');
    expect(await page.inputValue('#role-event')).toBe('rfs_event');
    expect(await page.inputValue('#role-id')).toBe('pid');
    expect(await modalityNames(page)).toEqual(['pathology', 'receptors', 'clinical', 'treatment']);
    expect(await page.textContent('.modality.excluded')).toMatch(/year[\s\S]*rtime[\s\S]*recur[\s\S]*dtime[\s\S]*death/);
    expect(await page.inputValue('#fs-seed')).toBe('2024');
    expect(await page.inputValue('#fs-horizons')).toBe('1096,1826,3652');
    await act(page, () => page.click('#btn-fuse'), 180_000);
    const shipped = JSON.parse(readFileSync(join(ROOT, 'models', 'rotterdam.report.json'), 'utf8'));
    const late = shipped.models.find((m) => m.kind === 'late');
    expect(await value(page, '#fusion-late-c')).toBe(late.common.c);
    const model = await download(page, 'Model JSON');
    // The shipped file also carries its GBSG validation (latefuse evaluate --attach-to), added after fitting.
    expect(readFileSync(model.path, 'utf8')).toBe(await modelWithoutValidation(readFileSync(join(ROOT, 'models', 'rotterdam.latefuse.json'), 'utf8')));
    // The bundled data are models/build.sh's (prepare-rotterdam.js output).
    expect(readFileSync(join(EXAMPLE_DATA, 'rotterdam-rfs.csv'), 'utf8')).toBe(readFileSync(join(ROOT, 'models', 'data', 'rotterdam-rfs.csv'), 'utf8'));
    // Calibration at 5 years equals the shipped test-split validation's groups (same model, same patients).
    const validation = JSON.parse(readFileSync(join(ROOT, 'models', 'rotterdam.test-validation.json'), 'utf8'));
    expect(await page.textContent('#fusion-calibration figcaption')).toContain('t = 1826 days');
    const cal = await page.$$eval('#fusion-calibration-table tbody tr', (trs) => trs.map((tr) => Number(tr.querySelector('[data-value]').dataset.value)));
    expect(cal).toEqual(validation.calibration.groups.map((g) => g.n));
    await screenshot(page, 'fusion-rotterdam-desktop', { fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px screen: the Modalities step, the settings and the results', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0', ...PHONE });
    await act(page, () => page.getByRole('button', { name: 'Load Rotterdam/GBSG example' }).click());
    await expectFitsWidth(page, '#setup');
    await page.locator('#modalities').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-fusion-modalities', { locator: 'fieldset.modalities' });
    await screenshot(page, 'mobile-fusion-settings', { locator: '#fusion-settings' });
    await page.fill('#fs-bootstrap', '100');
    await page.fill('#fs-permutations', '100');
    await act(page, () => page.click('#btn-fuse'), 180_000);
    await expectFitsWidth(page, '#fusion');
    await screenshotEach(page, [['mobile-fusion-summary', '#fusion .summary'], ['mobile-fusion-cindex', '#fusion-cindex-common'], ['mobile-fusion-km', '#fusion-km'],
      ['mobile-fusion-calibration', '#fusion-calibration']]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
