// Elastic-net selection in late fusion, on the user's files as a user would run it: the simulator's
// survival cohort (`latefuse simulate --preset hgsoc --seed 3`) as an outcome file and two modality
// files; "Feature selection: Elastic net" shows its three settings (alpha, the λ rule, the CV folds),
// each explained; the run equals `latefuse fuse --selection elasticnet --alpha A --lambda-rule R
// --selection-folds K` on the same files and seed (every C on screen, the model file byte for byte,
// the report document), and the λ chosen per modality is shown as the model file records it.
// Screenshots of the settings and the selection table at desktop and 390 px widths.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openApp, screenshot, upload, simulatedCohortFiles, download, cliIn, expectFusionCIndices, runFusion } from './helpers.js';

let env;
let dir;
const SEED = 3;
const MODALITIES = ['genomic', 'clinical'];

beforeAll(async () => {
  env = await launch();
  ({ dir } = simulatedCohortFiles('latefuse-fusion-en-', ['--preset', 'hgsoc', '--seed', String(SEED)], MODALITIES));
});
afterAll(async () => { await env?.close(); });

describe('Late fusion with elastic-net selection', () => {
  it('shows the elastic-net settings, runs as `latefuse fuse --selection elasticnet`, and shows λ per modality', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, ['outcome.csv', ...MODALITIES.map((m) => `${m}.csv`)].map((f) => join(dir, f)));
    expect(await page.isChecked('#outcome-survival')).toBe(true);
    expect(await page.inputValue('#role-time')).toBe('time');
    // The three settings appear only with elastic net, each with a one-line explanation.
    for (const k of ['alpha', 'lambdaRule', 'selectionFolds']) expect(await page.isHidden(`[data-field="${k}"]`), k).toBe(true);
    await page.selectOption('#fs-selection', 'elasticnet');
    for (const k of ['alpha', 'lambdaRule', 'selectionFolds']) {
      expect(await page.isVisible(`[data-field="${k}"]`), k).toBe(true);
      expect((await page.textContent(`#fs-${k}-help`)).length, k).toBeGreaterThan(40);
    }
    expect(await page.inputValue('#fs-alpha')).toBe('1');
    expect(await page.inputValue('#fs-lambdaRule')).toBe('min');
    expect(await page.inputValue('#fs-selectionFolds')).toBe('5');
    await page.fill('#fs-alpha', '0.5');
    await page.selectOption('#fs-lambdaRule', '1se');
    await page.fill('#fs-selectionFolds', '4');
    await page.fill('#fs-seed', String(SEED));
    await page.fill('#fs-bootstrap', '200');
    await page.fill('#fs-permutations', '200');
    await page.locator('[data-field="selection"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'fusion-elasticnet-settings', { locator: '#fusion-settings fieldset.fusion-group >> nth=0' });
    await runFusion(page);

    cliIn(dir, ['fuse', '--data', 'outcome.csv', '--data', 'genomic.csv', '--data', 'clinical.csv', '--id', 'id', '--time', 'time', '--event', 'event',
      '--modality', 'genomic=genomic_*', '--modality', 'clinical=clinical_*', '--selection', 'elasticnet', '--alpha', '0.5', '--lambda-rule', '1se',
      '--selection-folds', '4', '--seed', String(SEED), '--bootstrap', '200', '--permutations', '200', '--model-out', 'model.json', '--report-out', 'report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const refModel = readFileSync(join(dir, 'model.json'), 'utf8');
    expect(ref.settings.elastic_net).toEqual({ alpha: 0.5, lambda_rule: '1se', folds: 4 });
    await expectFusionCIndices(page, ref);
    expect(Number(await page.$eval('#fusion-late-c', (el) => el.dataset.value))).toBe(ref.models.find((m) => m.kind === 'late').common.c);
    // λ per modality, as the model file records it; the kept columns are the submodel's.
    const doc = JSON.parse(refModel);
    const shown = await page.$$eval('#fusion-elasticnet-table tbody tr', (trs) => trs.map((tr) => ({
      name: tr.children[0].textContent,
      values: [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value)),
      kept: tr.children[5].textContent,
    })));
    expect(shown.map((r) => r.name)).toEqual(MODALITIES);
    doc.modalities.forEach((m, i) => {
      expect(shown[i].values).toEqual([m.elastic_net.lambda, m.elastic_net.lambda_min, m.elastic_net.lambda_1se]);
      expect(m.elastic_net.lambda).toBe(m.elastic_net.lambda_1se);
      expect(shown[i].kept).toBe(m.submodel.features.join(', '));
    });
    expect(await page.textContent('#fusion-elasticnet-settings')).toContain('alpha 0.5, λ 1se rule, 4-fold cross-validation');
    // Downloads: the CLI's model file byte for byte; the report document but for its compute time.
    expect(readFileSync((await download(page, 'Model JSON')).path, 'utf8')).toBe(refModel);
    const report = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
    delete report.compute_ms;
    delete ref.compute_ms;
    expect(report).toEqual(ref);
    await page.locator('#fusion-elasticnet').scrollIntoViewIfNeeded();
    await screenshot(page, 'fusion-elasticnet-lambda', { locator: '#fusion-elasticnet' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);   // the charts redraw after a resize (layout only; nothing is asserted on time)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.locator('#fusion-elasticnet').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-fusion-elasticnet-lambda', { locator: '#fusion-elasticnet' });
    await page.locator('[data-field="alpha"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-fusion-elasticnet-settings', { locator: '#fusion-settings fieldset.fusion-group >> nth=0' });
    expect(problems).toEqual([]);
    await context.close();
  });
});
