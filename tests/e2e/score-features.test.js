// The calculator knows its inputs (the model file's "features" section): the shipped Rotterdam
// model's form shows each field's training range as a hint; a value outside it is scored with a
// warning beside the field ("outside the range seen in training (a–b): the prediction is an
// extrapolation"), and the result is `latefuse score`'s for the same value; a value impossible for a
// binary feature is refused beside its field; a typed score far from the training scores warns too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { launch, openApp, ROOT, scoreAct } from './helpers.js';
import { featureNumber } from '../../web/lib/features.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

const ROTTERDAM = join(ROOT, 'models', 'rotterdam.latefuse.json');
const features = JSON.parse(readFileSync(ROTTERDAM, 'utf8')).features;
const feature = (name) => features.find((f) => f.name === name);
const COLUMNS = ['size', 'grade', 'nodes', 'pgr', 'er', 'age', 'meno', 'hormon', 'chemo'];
const dir = mkdtempSync(join(tmpdir(), 'latefuse-score-features-'));

async function openRotterdam(page) {
  await page.click('#tab-score');
  await page.waitForFunction(() => document.querySelector('#score-model .model-option[data-model="rotterdam"] dl.model-facts'), null, { timeout: 60_000 });
  await page.check('#score-model-opt-rotterdam');
  await page.waitForFunction(() => document.querySelector('#score-model .model-option.selected[data-model="rotterdam"]') && document.querySelector('#score-form fieldset'), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.body.dataset.score === 'idle');
}
const field = (column) => `#score-form [data-column="${column}"]`;
const textOf = (page, sel) => page.$eval(sel, (el) => (el.hidden ? null : el.textContent));

describe('Score tab: what training showed', () => {
  it('the model file describes every raw feature', () => {
    expect(features.map((f) => f.name).sort()).toEqual([...COLUMNS].sort());
    expect(feature('meno').type).toBe('binary');
    expect(feature('age').type).toBe('continuous');
  });

  it('hints each field, warns outside the training range, refuses an impossible value, and scores as the CLI', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openRotterdam(page);
    const age = feature('age');
    const range = `${featureNumber(age.min)}–${featureNumber(age.max)}`;
    expect(await page.textContent(`${field('age')} ~ .field-hint`)).toContain(`training ${range} (1st–99th percentile ${featureNumber(age.p01)}–${featureNumber(age.p99)})`);
    expect(await page.textContent(`${field('meno')} ~ .field-hint`)).toContain('0 or 1');
    const patient = { size: '<=20', grade: '3', nodes: '2', pgr: '40', er: '60', age: '300', meno: '2', hormon: '0', chemo: '0' };
    for (const [c, v] of Object.entries(patient)) {
      const control = page.locator(field(c));
      if (await control.evaluate((el) => el.tagName === 'SELECT')) await control.selectOption(v);
      else await control.fill(v);
      await control.blur();
    }
    expect(await textOf(page, `#${await page.getAttribute(field('age'), 'id')}-warning`))
      .toBe(`age = 300 is outside the range seen in training (${range}): the prediction is an extrapolation.`);
    expect(await page.getAttribute(field('age'), 'aria-invalid')).toBeNull();
    expect(await textOf(page, `${field('meno')} ~ .field-error`)).toBe('meno is binary (0 or 1 in training); 2 is not a possible value: give 0 or 1.');
    await page.click('#btn-score-one');
    expect(await page.textContent('#score-one-error')).toBe('One field cannot be scored; see the message beside it.');
    expect(await page.evaluate(() => document.activeElement.dataset.column)).toBe('meno');

    // Corrected: scored with the warning still beside age, and the numbers are `latefuse score`'s.
    await page.fill(field('meno'), '1');
    await page.locator(field('meno')).blur();
    await scoreAct(page, () => page.click('#btn-score-one'));
    await page.waitForSelector('#score-lp');
    const csv = join(dir, 'patient.csv');
    writeFileSync(csv, `${COLUMNS.join(',')}\n${COLUMNS.map((c) => (c === 'size' ? '"<=20"' : c === 'meno' ? '1' : patient[c])).join(',')}\n`);
    const out = join(dir, 'pred.csv');
    const run = spawnSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), 'score', '--model', ROTTERDAM, '--data', csv, '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe(`latefuse: warning: patient 1: age = 300 is outside the range seen in training (${range}): the prediction is an extrapolation\n`);
    const ref = Papa.parse(readFileSync(out, 'utf8').trimEnd(), { header: true }).data[0];
    expect(Number(await page.$eval('#score-lp', (el) => el.dataset.value))).toBe(Number(ref.fused_lp));
    expect(await textOf(page, `#${await page.getAttribute(field('age'), 'id')}-warning`)).toContain('age = 300 is outside the range seen in training');
    // A typed score far from the training scores (mean 0, SD 1) warns too.
    await page.check('#score-form fieldset[data-modality="clinical"] input[type="checkbox"]');
    const typed = page.locator('#score-form fieldset[data-modality="clinical"] .typed-score input');
    await typed.fill('1e6');
    await typed.blur();
    expect(await page.textContent('#score-form fieldset[data-modality="clinical"] .typed-score .field-warning'))
      .toBe("the clinical score 1.00e+6 is more than 4 SD from the training patients' mean score (0): the prediction is an extrapolation.");
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
