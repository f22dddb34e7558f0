// The Score tab with a BINARY model (logistic late fusion, `latefuse fuse --outcome y`), used as a
// user would: upload the model file, enter one patient's values (two modalities; then a pattern the
// model has no integrator for), and compare every number on screen — predicted probability, fused
// log-odds score, percentile, risk group, the pattern and integrator used — with `latefuse score` on a
// one-row CSV of the same values; score a CSV of many patients and download `latefuse score`'s
// predictions.csv byte for byte. Then the "Binary outcome demo": its numbers equal `latefuse
// simulate --outcome binary` + `latefuse fuse --outcome y`, and the model it just fitted scores a
// patient as the CLI does with the downloaded file. Screenshots at desktop and 390 px widths.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { launch, openApp, screenshot, act, scoreAct, scoreIdle, cliIn } from './helpers.js';

let env;
let dir;
let rows;
let columns;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const modalityArgs = MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]);

let n = 0;
function file(name, text) {
  const sub = mkdtempSync(join(dir, `f${n++}-`));
  writeFileSync(join(sub, name), text);
  return join(sub, name);
}
/** `latefuse score` on one CSV: its predictions rows and text. */
function cliScore(model, data, id) {
  const out = join(mkdtempSync(join(dir, 'out-')), 'predictions.csv');
  cliIn(dir, ['score', '--model', model, '--data', data, '--out', out, ...(id ? ['--id', id] : [])]);
  const text = readFileSync(out, 'utf8');
  return { text, rows: Papa.parse(text.trimEnd(), { header: true }).data };
}
const oneRowCsv = (values) => `${columns.join(',')}\n${columns.map((c) => values[c] ?? '').join(',')}\n`;

beforeAll(async () => {
  env = await launch();
  dir = mkdtempSync(join(tmpdir(), 'latefuse-score-binary-'));
  cliIn(dir, ['simulate', '--preset', 'hgsoc', '--outcome', 'binary', '--seed', '5', '--out', 'cohort.csv']);
  cliIn(dir, ['fuse', '--data', 'cohort.csv', '--id', 'id', '--outcome', 'y', ...modalityArgs, '--seed', '5', '--bootstrap', '0', '--permutations', '0',
    '--model-out', 'model.json', '--report-out', 'report.json']);
  rows = Papa.parse(readFileSync(join(dir, 'cohort.csv'), 'utf8').trimEnd(), { header: true }).data;
  columns = Object.keys(rows[0]).filter((c) => c !== 'id' && c !== 'y');
});
afterAll(async () => { await env?.close(); });

async function fillPatient(page, values) {
  for (const [column, value] of Object.entries(values)) await page.locator(`#score-form [data-column="${column}"]`).fill(value);
}
/** Values of `row` for the given modalities only (the other fields empty = absent). */
const valuesOf = (row, modalities) => Object.fromEntries(columns.filter((c) => modalities.some((m) => c.startsWith(`${m}_`)) && row[c] !== '').map((c) => [c, row[c]]));
async function shown(page) {
  const v = (sel) => page.$eval(sel, (el) => el.dataset.value);
  return {
    probability: Number(await v('#score-probability')),
    lp: Number(await v('#score-lp')),
    percentile: Number(await v('#score-percentile')),
    group: await v('#score-group'),
    scores: await page.$$eval('#score-modality-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => {
      const x = tr.querySelector('[data-value]').dataset.value;
      return [tr.children[0].textContent, x === '' ? null : Number(x)];
    }))),
    pattern: (await page.textContent('#score-pattern')).replace(/\u00a0/g, ' '),
    headline: await page.textContent('#score-headline'),
  };
}
function expectSame(s, ref) {
  expect(s.probability).toBe(Number(ref.probability));
  expect(s.lp).toBe(Number(ref.fused_lp));
  expect(s.percentile).toBe(Number(ref.percentile));
  expect(s.group).toBe(ref.risk_group);
  for (const m of MODALITIES) expect(s.scores[m], m).toBe(ref[`${m}_score`] === '' ? null : Number(ref[`${m}_score`]));
  expect(s.pattern).toContain(`Pattern used: ${ref.integrator.split('+').join(' + ')}`);
  expect(s.headline).toContain(`Predicted probability of the outcome ${(Number(ref.probability) * 100).toFixed(1)}%`);
}

describe('Score tab with a binary model', () => {
  it('scores one patient and many patients from an uploaded binary model exactly as `latefuse score`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-score');
    await scoreIdle(page);
    await scoreAct(page, () => page.setInputFiles('#score-model-file', join(dir, 'model.json')));
    expect(await page.isChecked('#score-model-opt-uploaded')).toBe(true);
    const card = await page.textContent('#score-model .model-option[data-model="uploaded"]');
    expect(card).toMatch(/310 patients, 162 cases/);
    expect(card).toContain('binary (0/1): predicts the probability of the outcome');
    expect(await page.textContent('#score-model-summary')).toContain('It predicts the probability of the outcome (y = 1)');
    expect(await page.textContent('#score-model-help')).toContain('probability of a binary outcome');

    // A patient with radiomics and clinical data (the other modalities left empty).
    const p1 = rows.find((r) => r.radiomics_01 !== '' && r.clinical_01 !== '');
    const v1 = valuesOf(p1, ['radiomics', 'clinical']);
    await fillPatient(page, v1);
    await scoreAct(page, () => page.click('#btn-score-one'));
    const ref1 = cliScore(join(dir, 'model.json'), file('p1.csv', oneRowCsv(v1))).rows[0];
    expect(ref1.pattern).toBe('radiomics+clinical');
    const s1 = await shown(page);
    expectSame(s1, ref1);
    expect(await page.$('#score-hr')).toBeNull();
    expect(await page.$('#score-curve')).toBeNull();
    await page.locator('#score-one-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-binary-result', { locator: '#score-one-result' });
    await screenshot(page, 'score-binary-desktop', { fullPage: true });

    // Histopathology and genomic without clinical: a pattern never seen in training, but every
    // training patient with all three modalities has these two, so the combination has its own integrator.
    await page.click('#btn-score-clear');
    const p2 = rows.find((r) => r.histopathology_01 !== '' && r.genomic_01 !== '');
    const v2 = valuesOf(p2, ['histopathology', 'genomic']);
    await fillPatient(page, v2);
    await scoreAct(page, () => page.click('#btn-score-one'));
    const ref2 = cliScore(join(dir, 'model.json'), file('p2.csv', oneRowCsv(v2))).rows[0];
    expect(ref2.pattern).toBe('histopathology+genomic');
    const s2 = await shown(page);
    expectSame(s2, ref2);
    expect(ref2.integrator).toBe('histopathology+genomic');
    expect(s2.pattern).toContain('Pattern used: histopathology + genomic (integrator fitted on');

    // Many patients: the cohort file with its ID column -> `latefuse score --id id`'s predictions.csv.
    await scoreAct(page, () => page.setInputFiles('#score-batch-files', join(dir, 'cohort.csv')));
    expect(await page.inputValue('#score-batch-id')).toBe('id');
    await scoreAct(page, () => page.click('#btn-score-batch'));
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);
    const byCli = cliScore(join(dir, 'model.json'), join(dir, 'cohort.csv'), 'id');
    expect(readFileSync(await dl.path(), 'utf8')).toBe(byCli.text);
    const head = await page.$$eval('#score-batch-table thead th', (ths) => ths.map((t) => t.textContent));
    expect(head.slice(0, 5)).toEqual(['ID', 'Probability', 'Fused lp', 'Percentile', 'Risk group']);
    const first = await page.$eval('#score-batch-table tbody tr', (tr) => Number(tr.children[1].querySelector('[data-value]').dataset.value));
    expect(first).toBe(Number(byCli.rows[0].probability));
    await page.locator('#score-batch-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-binary-batch', { locator: '#score-batch-result' });

    // 390 px: the result fits.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);   // layout settles after the resize (nothing is asserted on time)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.locator('#score-one-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-score-binary-result', { locator: '#score-one-result' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('runs the binary outcome demo as `latefuse simulate --outcome binary` + `latefuse fuse --outcome y`, and scores with the model just fitted', async () => {
    cliIn(dir, ['simulate', '--preset', 'hgsoc', '--outcome', 'binary', '--seed', '1', '--out', 'demo.csv']);
    cliIn(dir, ['fuse', '--data', 'demo.csv', '--id', 'id', '--outcome', 'y', ...modalityArgs, '--test-fraction', '0.3', '--seed', '1', '--bootstrap', '1000',
      '--permutations', '1000', '--model-out', 'demo-model.json', '--report-out', 'demo-report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'demo-report.json'), 'utf8'));
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await act(page, () => page.getByRole('button', { name: 'Binary outcome demo', exact: true }).click(), 240_000);
    expect(await page.textContent('#fusion-h')).toContain('(binary outcome)');
    const late = ref.models.find((m) => m.kind === 'late');
    const num = (sel) => page.$eval(sel, (el) => Number(el.dataset.value));
    expect(await num('#fusion-late-c')).toBe(late.common.c);
    expect(await num('#fusion-late-c-all')).toBe(late.test.c);
    expect(await num('#fusion-chisq-p')).toBe(ref.risk_groups.test.chisq_p);
    const rowsShown = await page.$$eval('#fusion-cindex-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('[data-subset="test"]').dataset.model, Number(tr.querySelector('[data-subset="test"]').dataset.value)]));
    for (const m of ref.models) expect(rowsShown.find(([name]) => name === m.name)?.[1], m.name).toBe(m.test.c);
    expect(await page.textContent('#fusion .meta')).toMatch(/binary outcome \(seed 1\): 444 patients, \d+ cases and \d+ controls/);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Model JSON', exact: true }).click()]);
    expect(readFileSync(await dl.path(), 'utf8')).toBe(readFileSync(join(dir, 'demo-model.json'), 'utf8'));
    await screenshot(page, 'demo-binary-desktop', { fullPage: true });

    // The Score tab offers the model just fitted; one patient scores as the CLI with the downloaded file.
    await page.click('#tab-score');
    await scoreIdle(page);
    expect(await page.textContent('#score-model .model-option[data-model="fitted"]')).toMatch(/Just fitted: late-fusion model \(binary outcome\) on the simulated cohort \(seed 1;.*AUC/);
    await page.waitForFunction(() => document.querySelector('#score-model-opt-fitted') && !document.querySelector('#score-model-opt-fitted').disabled, null, { timeout: 60_000 });
    await page.check('#score-model-opt-fitted');
    await page.waitForFunction(() => document.querySelector('#score-model .model-option.selected[data-model="fitted"]') && document.querySelector('#score-form fieldset'), null, { timeout: 60_000 });
    await scoreIdle(page);
    const p = rows.find((r) => r.genomic_01 !== '' && r.clinical_01 !== '' && r.radiomics_01 === '');
    const values = valuesOf(p, ['genomic', 'clinical']);
    await fillPatient(page, values);
    await scoreAct(page, () => page.click('#btn-score-one'));
    const refRow = cliScore(join(dir, 'demo-model.json'), file('p3.csv', oneRowCsv(values))).rows[0];
    expectSame(await shown(page), refRow);
    expect(problems).toEqual([]);
    await context.close();
  });
});
