// A wide cohort fused in the page: the simulator's cohort with 1,500 genomic features (more than
// the 444 patients, so every genomic ridge fit — the submodel, its cross-fitting folds and early
// fusion — takes the exact rotated path of cpp/latefuse/ridge_rotation.hpp) and 100 radiomics and
// histopathology features, as an outcome file and one file per modality. The run shows progress
// and can be cancelled; run again it completes and equals `latefuse fuse` on the same files and
// seed (every C on screen and the report document). The size keeps the test well under a minute.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openApp, upload, simulatedCohortFiles, cliIn, expectFusionCIndices, runFusion } from './helpers.js';

let env;
let dir;
const SEED = 5;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const FEATURES = 'genomic=1500,radiomics=100,histopathology=100,clinical=10';

beforeAll(async () => {
  env = await launch();
  ({ dir } = simulatedCohortFiles('latefuse-fusion-wide-', ['--preset', 'hgsoc', '--seed', String(SEED), '--features', FEATURES], MODALITIES));
});
afterAll(async () => { await env?.close(); });

describe('Late fusion of a wide cohort in the page', () => {
  it('fuses 1,500 genomic features for 444 patients with progress and Cancel, as `latefuse fuse`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, ['outcome.csv', ...MODALITIES.map((m) => `${m}.csv`)].map((f) => join(dir, f)));
    expect(await page.inputValue('#role-time')).toBe('time');
    await page.fill('#fs-seed', String(SEED));
    await page.fill('#fs-permutations', '50');

    // Progress, then Cancel (a long bootstrap keeps the run going): the page stays usable with the
    // settings kept.
    await page.fill('#fs-bootstrap', '20000');
    await page.click('#btn-fuse');
    await page.waitForFunction(() => !document.querySelector('#progress').hidden && /Fitting|Joining/.test(document.querySelector('#progress-stage').textContent), null, { timeout: 30_000 });
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.textContent('#fuse-error')).toContain('Cancelled');
    expect(await page.inputValue('#fs-bootstrap')).toBe('20000');
    await page.fill('#fs-bootstrap', '50');

    await runFusion(page, 110_000);
    expect(await page.isVisible('#fusion-cindex-table')).toBe(true);

    cliIn(dir, ['fuse', '--data', 'outcome.csv', ...MODALITIES.flatMap((m) => ['--data', `${m}.csv`]), '--id', 'id', '--time', 'time', '--event', 'event',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', String(SEED), '--bootstrap', '50', '--permutations', '50',
      '--model-out', 'model.json', '--report-out', 'report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    await expectFusionCIndices(page, ref);
    // The genomic submodel and early fusion are p > n ridge fits; neither keeps a covariance or a
    // baseline in the model file, since scoring never reads them (genomic has an integrator of its own,
    // early fusion is scored by its linear predictor only).
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const genomic = doc.modalities.find((m) => m.name === 'genomic');
    expect(genomic.submodel.cox.coef).toHaveLength(1500);
    expect(doc.integrators.some((i) => i.pattern.length === 1 && i.pattern[0] === 'genomic')).toBe(true);
    expect(genomic.submodel.cox).not.toHaveProperty('var');
    expect(doc.early_fusion.cox).not.toHaveProperty('baseline');
    expect(problems).toEqual([]);
    await context.close();
  });
});
