// Privacy of the Score tab (mirrors privacy.test.js for the score flow): loading the shipped models,
// scoring one patient, uploading a model file and patient files, the GBSG example and every download
// make no request outside the page's origin, and after load request only the site's own static files
// (never the user's files or anything built from their data).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, waitReady, scoreAct, download, recordingContext, expectOnlyOwnStaticRequests, ROOT } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('Score tab privacy', () => {
  it('makes no request to another origin and sends no user data while scoring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-score-privacy-'));
    const patients = join(dir, 'secret-cohort.csv');
    const rows = readFileSync(join(ROOT, 'models', 'data', 'hgsoc-synthetic.csv'), 'utf8').split('\n').slice(0, 31);
    writeFileSync(patients, rows.join('\n').replace(/^id,/, 'secret_id,').replace(/\nP0/g, '\nSECRET') + '\n');
    const modelFile = join(dir, 'private-model.latefuse.json');
    writeFileSync(modelFile, readFileSync(join(ROOT, 'models', 'hgsoc-synthetic.latefuse.json')));

    const { context, page, problems, recorder } = await recordingContext(env);
    await page.goto(`${env.server.url}?demo=0`);
    await waitReady(page);
    recorder.phase = 'session';
    await page.click('#tab-score');
    await page.waitForFunction(() => document.querySelectorAll('#score-model dl.model-facts').length === 2, null, { timeout: 60_000 });
    await page.waitForFunction(() => document.body.dataset.score === 'idle');
    await page.check('#score-model-opt-hgsoc-synthetic');
    await page.waitForSelector('#score-form fieldset');
    await page.fill('#score-form [data-column="clinical_01"]', '1.5');
    await scoreAct(page, () => page.click('#btn-score-one'));
    await page.waitForSelector('#score-curve svg');
    for (const name of [/survival of this patient as SVG/, /survival of this patient as PNG/, 'Download this result (CSV)']) await download(page, name);
    await scoreAct(page, () => page.setInputFiles('#score-model-file', modelFile));
    await scoreAct(page, () => page.setInputFiles('#score-batch-files', patients));
    await page.selectOption('#score-batch-id', 'secret_id');
    await scoreAct(page, () => page.click('#btn-score-batch'));
    await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);
    await scoreAct(page, () => page.click('#btn-score-gbsg'));
    await page.waitForSelector('#score-batch-table');
    await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);

    expect(recorder.requests.filter((r) => r.phase === 'session').length).toBeGreaterThan(0);  // the models and the GBSG file
    expectOnlyOwnStaticRequests(env, recorder, /secret|SECRET|private-model/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
