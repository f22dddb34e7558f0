// The Score tab's per-modality contribution chart: the text alternative of the chart gives, per
// modality, the same contribution as `latefuse score`'s <modality>_contribution column for the same
// patient (one-row CSV), and the words up/down follow its sign. The contributions come from the
// engine's scoring (web/lib/model.js predictions `contributions`); this test needs that engine
// change merged (branch "combos") and fails until then.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { launch, openApp, cli, ROOT } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

const ROTTERDAM = join(ROOT, 'models', 'rotterdam.latefuse.json');
const COLUMNS = ['size', 'grade', 'nodes', 'pgr', 'er', 'age', 'meno', 'hormon', 'chemo'];
const patient = { size: '20-50', grade: '3', nodes: '4', pgr: '120', er: '45', age: '55', meno: '1', hormon: '0', chemo: '1' };

describe('Score tab: contribution of each modality', () => {
  it('the chart\'s text alternative equals latefuse score\'s <modality>_contribution columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-contrib-'));
    const data = join(dir, 'patient.csv');
    writeFileSync(data, `${COLUMNS.join(',')}\n${COLUMNS.map((c) => patient[c]).join(',')}\n`);
    const out = join(dir, 'predictions.csv');
    cli(['score', '--model', ROTTERDAM, '--data', data, '--out', out]);
    const row = Papa.parse(readFileSync(out, 'utf8').trimEnd(), { header: true }).data[0];
    const modalities = Object.keys(row).filter((k) => k.endsWith('_contribution')).map((k) => k.replace(/_contribution$/, ''));
    expect(modalities).toEqual(['pathology', 'receptors', 'clinical', 'treatment']);

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-score');
    await page.waitForSelector('#score-model-opt-rotterdam', { timeout: 60_000 });
    await page.check('#score-model-opt-rotterdam');
    await page.waitForSelector('#score-form fieldset', { timeout: 60_000 });
    for (const [column, value] of Object.entries(patient)) {
      const control = page.locator(`#score-form [data-column="${column}"]`);
      if (await control.evaluate((el) => el.tagName === 'SELECT')) await control.selectOption(value);
      else await control.fill(value);
    }
    await page.click('#btn-score-one');
    await page.waitForSelector('#score-contributions svg', { timeout: 60_000 });
    const description = await page.$eval('#score-contributions svg', (svg) => svg.getAttribute('aria-description'));
    for (const m of modalities) {
      const c = Number(row[`${m}_contribution`]);
      const words = c > 0 ? 'up' : c < 0 ? 'down' : 'neither up nor down';
      expect(description).toContain(`${m} ${c.toFixed(3)} (${words})`);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
