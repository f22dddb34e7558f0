// The Score tab (the risk calculator), used as a user would: pick a shipped model, score one patient
// from raw features, from typed per-modality risk scores and with a modality left empty; score many
// patients from uploaded CSVs and from the GBSG example; upload a bad model file. Every number on
// screen is compared with `latefuse score` (node web/cli/latefuse.js score ...) run here on the same
// model and a CSV of the same values; the predictions download is the CLI's predictions.csv byte for
// byte. Also: inputs survive switching tabs, invalid input gets a message beside its field, and the
// tab fits a 390 px screen (screenshots in test-results/screenshots).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import {
  launch, openApp, screenshot, cli, ROOT, EXAMPLE_DATA, PHONE, expectFitsWidth, expectLabelled, scoreAct, scoreIdle, screenshotEach
} from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

const MODELS = join(ROOT, 'models');
const ROTTERDAM = join(MODELS, 'rotterdam.latefuse.json');
const HGSOC = join(MODELS, 'hgsoc-synthetic.latefuse.json');
const dir = mkdtempSync(join(tmpdir(), 'latefuse-score-e2e-'));
let fileNo = 0;
function file(name, text) {
  const sub = mkdtempSync(join(dir, `f${fileNo++}-`));
  const path = join(sub, name);
  writeFileSync(path, text);
  return path;
}

/** `latefuse score` on `data` files: the predictions CSV text and its rows by id. */
function cliScore(model, data, id, extra = []) {
  const out = join(mkdtempSync(join(dir, 'out-')), 'predictions.csv');
  const args = ['score', '--model', model, ...[].concat(data).flatMap((d) => ['--data', d]), '--out', out, ...extra];
  if (id) args.push('--id', id);
  const summary = cli(args);
  const text = readFileSync(out, 'utf8');
  const rows = Papa.parse(text.trimEnd(), { header: true }).data;
  return { text, rows, summary };
}

/** `latefuse score` that should fail: its one-line error message. */
function cliError(args) {
  try {
    execFileSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), ...args], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    return String(error.stderr).trim();
  }
  throw new Error('the command did not fail');
}

/** A one-row CSV of `values` ({column: text}); every other raw column of the model empty. */
function oneRowCsv(columns, values) {
  const cell = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${columns.join(',')}\n${columns.map((c) => cell(values[c] ?? '')).join(',')}\n`;
}

const hgsocRows = Papa.parse(readFileSync(join(MODELS, 'data', 'hgsoc-synthetic.csv'), 'utf8').trimEnd(), { header: true }).data;
const hgsocColumns = Object.keys(hgsocRows[0]).filter((c) => /^(radiomics|histopathology|genomic|clinical)_/.test(c));
const ROTTERDAM_COLUMNS = ['size', 'grade', 'nodes', 'pgr', 'er', 'age', 'meno', 'hormon', 'chemo'];

async function openScore(page) {
  await page.click('#tab-score');
  await page.waitForFunction(() => [...document.querySelectorAll('#score-model .model-option[data-model="rotterdam"], #score-model .model-option[data-model="hgsoc-synthetic"]')]
    .every((el) => el.querySelector('dl.model-facts')), null, { timeout: 60_000 });
  await scoreIdle(page);
}
async function pickModel(page, key) {
  await page.check(`#score-model-opt-${key}`);
  await page.waitForFunction((k) => document.querySelector(`#score-model .model-option.selected[data-model="${k}"]`) && document.querySelector('#score-form fieldset'), key, { timeout: 60_000 });
  await scoreIdle(page);
}
/** Type values into the form: {column: text}; a categorical column (select) by its level. */
async function fillPatient(page, values) {
  for (const [column, value] of Object.entries(values)) {
    const control = page.locator(`#score-form [data-column="${column}"]`);
    if (await control.evaluate((el) => el.tagName === 'SELECT')) await control.selectOption(value);
    else await control.fill(value);
  }
}
async function scoreOne(page) {
  await scoreAct(page, () => page.click('#btn-score-one'));
  await page.waitForSelector('#score-lp');
}
const value = (page, sel) => page.$eval(sel, (el) => el.dataset.value);
/** The numbers of the one-patient result: key numbers, S(t) at the horizons, per-modality scores. */
async function shownResult(page) {
  return {
    lp: Number(await value(page, '#score-lp')),
    hr: Number(await value(page, '#score-hr')),
    percentile: Number(await value(page, '#score-percentile')),
    group: await value(page, '#score-group'),
    horizons: await page.$$eval('#score-horizons-table tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent,
      ...[...tr.querySelectorAll('[data-value]')].map((s) => (s.dataset.value === '' ? null : Number(s.dataset.value)))])),
    scores: await page.$$eval('#score-modality-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => {
      const v = tr.querySelector('[data-value]').dataset.value;
      return [tr.children[0].textContent, v === '' ? null : Number(v)];
    }))),
    pattern: (await page.textContent('#score-pattern')).replace(/\u00a0/g, ' '),
  };
}
const cellNumber = (s) => (s === '' || s === undefined ? null : Number(s));
/** The shown result equals the CLI's predictions row. */
function expectSameAsCli(shown, row, modalities) {
  expect(shown.lp).toBe(Number(row.fused_lp));
  expect(shown.hr).toBe(Number(row.hazard_ratio));
  expect(shown.percentile).toBe(Number(row.percentile));
  expect(shown.group).toBe(row.risk_group);
  const horizons = Object.keys(row).filter((k) => /^surv_[^_]+$/.test(k)).map((k) => k.slice(5));
  expect(shown.horizons.map((x) => x[0])).toEqual(horizons);
  shown.horizons.forEach(([t, s, lo, up]) => {
    expect(s).toBe(cellNumber(row[`surv_${t}`]));
    expect(lo).toBe(cellNumber(row[`surv_${t}_lower`]));
    expect(up).toBe(cellNumber(row[`surv_${t}_upper`]));
  });
  for (const m of modalities) expect(shown.scores[m], m).toBe(cellNumber(row[`${m}_score`]));
}

describe('Score tab: one patient', () => {
  it('shows the shipped models\' cards, and scores a Rotterdam patient from raw features exactly as `latefuse score`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openScore(page);
    // Cards: what each model was trained on, with the C-indices from the files.
    const rot = JSON.parse(readFileSync(ROTTERDAM, 'utf8'));
    const hg = JSON.parse(readFileSync(HGSOC, 'utf8'));
    const gbsg = JSON.parse(readFileSync(join(MODELS, 'rotterdam.gbsg-validation.json'), 'utf8'));
    const rotCard = (await page.textContent('#score-model .model-option[data-model="rotterdam"]')).replace(/\u00a0/g, ' ');
    const late = (doc) => doc.evaluation.models.find((m) => m.kind === 'late');
    expect(rotCard).toContain(`${rot.training.patients.toLocaleString('en-US')} patients, ${rot.training.events.toLocaleString('en-US')} events`);
    expect(rotCard).toContain(`${late(rot).test_c.toFixed(3)} (95% CI ${late(rot).test_c_lower.toFixed(3)}–${late(rot).test_c_upper.toFixed(3)}) on 895 test patients`);
    expect(rotCard).toContain(`External C-index (GBSG)${gbsg.harrell.c.toFixed(3)} (95% CI ${gbsg.harrell.lower.toFixed(3)}–${gbsg.harrell.upper.toFixed(3)}) on 686 patients; calibration slope ${gbsg.calibration.slope.toFixed(2)}`);
    // The card reads the model file's own validation section, which equals the bundled evaluate output.
    expect(rot.validation.find((v) => v.cohort === 'GBSG').c).toBe(gbsg.harrell.c);
    expect(rotCard).toMatch(/pathology \(2,087\), receptors \(2,087\), clinical \(2,087\), treatment \(2,087\)/);
    const hgCard = await page.textContent('#score-model .model-option[data-model="hgsoc-synthetic"]');
    expect(hgCard).toContain('SYNTHETIC — for teaching');
    expect(hgCard).toContain(`${late(hg).test_c.toFixed(3)} (95% CI`);
    expect(hgCard).toMatch(/radiomics \(177\), histopathology \(166\), genomic \(213\), clinical \(311\)/);
    expect(await page.textContent('#score-model')).toMatch(/No late-fusion model fitted yet/);

    await pickModel(page, 'rotterdam');
    expect(await page.textContent('#score-model-summary')).toMatch(/Survival is predicted at 1096, 1826 and 3652 days/);
    // The form: a fieldset per modality; size is a select of the model's levels.
    expect(await page.$$eval('#score-form fieldset legend', (ls) => ls.map((l) => l.firstChild.textContent))).toEqual(['pathology', 'receptors', 'clinical', 'treatment']);
    expect(await page.$$eval('#score-form select[data-column="size"] option', (os) => os.map((o) => o.value))).toEqual(['', '20-50', '<=20', '>50']);
    const patient = { size: '20-50', grade: '3', nodes: '4', pgr: '120', er: '45', age: '55', meno: '1', hormon: '0', chemo: '1' };
    await fillPatient(page, patient);
    // Invalid input: a message beside that field, nothing else lost, no scoring.
    await page.fill('#score-form [data-column="nodes"]', 'four');
    await page.click('#btn-score-one');
    const nodesError = await page.$eval('#score-form [data-column="nodes"]', (el) => ({
      invalid: el.getAttribute('aria-invalid'), message: document.getElementById(`${el.id}-error`).textContent, shown: !document.getElementById(`${el.id}-error`).hidden,
    }));
    expect(nodesError).toEqual({ invalid: 'true', message: '“four” is not a number: enter a number, or leave the field empty if unknown', shown: true });
    expect(await page.textContent('#score-one-error')).toBe('One field cannot be scored; see the message beside it.');
    expect(await page.$('#score-lp')).toBeNull();
    expect(await page.inputValue('#score-form [data-column="grade"]')).toBe('3');
    await page.fill('#score-form [data-column="nodes"]', '4,5');
    await page.locator('#score-form [data-column="nodes"]').blur();
    expect(await page.textContent('#score-form [data-column="nodes"] ~ .field-error')).toMatch(/use a point as the decimal separator \(e\.g\. 4\.5\)/);
    await page.fill('#score-form [data-column="nodes"]', '4');
    await page.locator('#score-form [data-column="nodes"]').blur();
    expect(await page.isHidden('#score-form [data-column="nodes"] ~ .field-error')).toBe(true);
    await scoreOne(page);

    const ref = cliScore(ROTTERDAM, file('patient.csv', oneRowCsv(ROTTERDAM_COLUMNS, patient)));
    expect(ref.rows).toHaveLength(1);
    const shown = await shownResult(page);
    expectSameAsCli(shown, ref.rows[0], ['pathology', 'receptors', 'clinical', 'treatment']);
    expect(shown.pattern).toContain('Pattern used: pathology + receptors + clinical + treatment (integrator fitted on 2,087 training patients).');
    // The curve: S(t) with a CI band; its text alternative states the values at the horizons.
    const aria = await page.$eval('#score-curve svg', (svg) => svg.getAttribute('aria-description'));
    expect(aria).toContain(`S(1826) = ${Number(ref.rows[0].surv_1826).toFixed(3)} (95% CI ${Number(ref.rows[0].surv_1826_lower).toFixed(3)} to ${Number(ref.rows[0].surv_1826_upper).toFixed(3)})`);
    expect(await page.$$eval('#score-curve svg path', (ps) => ps.length)).toBeGreaterThanOrEqual(2);  // band + line
    expect(await page.textContent('#score-headline')).toContain(`Fused risk score ${Number(ref.rows[0].fused_lp).toFixed(3)}`);
    await page.locator('#score-one').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-one-desktop', { fullPage: true });
    await page.locator('#score-one-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-one-result', { locator: '#score-one-result' });

    // Inputs survive switching tabs (and a stale result says so after a change).
    await page.click('#tab-learn');
    await page.click('#tab-fit');
    await page.click('#tab-score');
    for (const [c, v] of Object.entries(patient)) expect(await page.inputValue(`#score-form [data-column="${c}"]`), c).toBe(v);
    expect(Number(await value(page, '#score-lp'))).toBe(Number(ref.rows[0].fused_lp));
    expect(await page.isHidden('#score-one-stale')).toBe(true);
    await page.fill('#score-form [data-column="age"]', '70');
    expect(await page.isVisible('#score-one-stale')).toBe(true);
    // Switching models keeps each model's inputs.
    await pickModel(page, 'hgsoc-synthetic');
    expect(await page.$$eval('#score-form fieldset legend', (ls) => ls.map((l) => l.firstChild.textContent))).toEqual(['radiomics', 'histopathology', 'genomic', 'clinical']);
    await pickModel(page, 'rotterdam');
    expect(await page.inputValue('#score-form [data-column="age"]')).toBe('70');
    expect(await page.inputValue('#score-form [data-column="nodes"]')).toBe('4');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('scores from typed per-modality risk scores, and says which integrator scored a patient with modalities left empty', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openScore(page);
    await pickModel(page, 'hgsoc-synthetic');

    // P016 has radiomics and clinical only: few training patients have exactly that pattern, but
    // every training patient with radiomics has both, so the combination has an integrator of its own.
    const p16 = hgsocRows.find((r) => r.id === 'P016');
    const present = Object.fromEntries(hgsocColumns.filter((c) => p16[c] !== '').map((c) => [c, p16[c]]));
    expect(Object.keys(present).every((c) => /^(radiomics|clinical)_/.test(c))).toBe(true);
    await fillPatient(page, present);
    expect(await page.textContent('#score-form fieldset[data-modality="genomic"] .modality-status')).toBe('Absent: nothing entered.');
    expect(await page.textContent('#score-form fieldset[data-modality="radiomics"] .modality-status')).toBe('Present: all 20 fields entered.');
    await scoreOne(page);
    const ref16 = cliScore(HGSOC, file('p16.csv', oneRowCsv(hgsocColumns, present))).rows[0];
    expect(ref16.pattern).toBe('radiomics+clinical');
    expect(ref16.integrator).toBe('radiomics+clinical');
    expect(ref16.note).toBe('');
    const shown16 = await shownResult(page);
    expectSameAsCli(shown16, ref16, ['radiomics', 'histopathology', 'genomic', 'clinical']);
    const n16 = JSON.parse(readFileSync(HGSOC, 'utf8')).integrators.find((i) => i.pattern.join('+') === 'radiomics+clinical').patients;
    expect(shown16.pattern).toContain(`Pattern used: radiomics + clinical (integrator fitted on ${n16} training patients).`);
    await page.locator('#score-pattern').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-pattern', { locator: '#score-one-result' });

    // P011 (radiomics, genomic, clinical) from its features, then from the standardised scores the
    // CLI printed for it, typed directly: the same fused score, percentile, group and S(t).
    await page.click('#btn-score-clear');
    const p11 = hgsocRows.find((r) => r.id === 'P011');
    const present11 = Object.fromEntries(hgsocColumns.filter((c) => p11[c] !== '').map((c) => [c, p11[c]]));
    const ref11 = cliScore(HGSOC, file('p11.csv', oneRowCsv(hgsocColumns, present11))).rows[0];
    expect(ref11.pattern).toBe('radiomics+genomic+clinical');
    const integrators = JSON.parse(readFileSync(HGSOC, 'utf8')).integrators;
    const n11 = integrators.find((i) => i.pattern.join('+') === 'radiomics+genomic+clinical').patients;
    for (const m of ['radiomics', 'genomic', 'clinical']) {
      await page.check(`#score-form fieldset[data-modality="${m}"] input[type="checkbox"]`);
      await page.fill(`#score-form fieldset[data-modality="${m}"] .typed-score input`, ref11[`${m}_score`]);
    }
    await scoreOne(page);
    const typed = await shownResult(page);
    expectSameAsCli(typed, ref11, ['radiomics', 'histopathology', 'genomic', 'clinical']);
    expect(typed.pattern).toContain(`Pattern used: radiomics + genomic + clinical (integrator fitted on ${n11} training patients).`);
    expect(typed.pattern).toContain('Risk score typed directly for radiomics, genomic, clinical.');
    expect(await page.$$eval('#score-modality-table tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent))).toEqual(['risk score', 'absent', 'risk score', 'risk score']);
    // Mixed: radiomics typed, genomic and clinical from their features.
    for (const m of ['genomic', 'clinical']) await page.uncheck(`#score-form fieldset[data-modality="${m}"] input[type="checkbox"]`);
    await fillPatient(page, Object.fromEntries(Object.entries(present11).filter(([c]) => !c.startsWith('radiomics_'))));
    await scoreOne(page);
    expectSameAsCli(await shownResult(page), ref11, ['radiomics', 'histopathology', 'genomic', 'clinical']);
    // A bad typed score: the message is beside it.
    await page.fill('#score-form fieldset[data-modality="radiomics"] .typed-score input', 'high');
    await page.click('#btn-score-one');
    expect(await page.textContent('#score-form fieldset[data-modality="radiomics"] .typed-score .field-error')).toMatch(/“high” is not a number/);
    // Nothing entered: a clear message.
    await page.click('#btn-score-clear');
    await scoreAct(page, () => page.click('#btn-score-one'));
    expect(await page.textContent('#score-one-error')).toMatch(/nothing entered: fill in at least one modality/);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('Score tab: many patients', () => {
  it('scores two joined CSVs: a paged table, unscorable patients listed by ID, the CLI\'s predictions.csv byte for byte', async () => {
    // Two files (one per pair of modalities) of the first 60 synthetic patients; file B lacks some of
    // them (who have A's modalities), and X01 has no value in file A and is absent from B (no modality).
    const head = hgsocRows.slice(0, 60);
    const colsA = hgsocColumns.filter((c) => /^(radiomics|histopathology)_/.test(c));
    const colsB = hgsocColumns.filter((c) => /^(genomic|clinical)_/.test(c));
    const csv = (rows, cols) => [['id', ...cols].join(','), ...rows.map((r) => [r.id, ...cols.map((c) => r[c])].join(','))].join('\n') + '\n';
    const blank = ['X01', ...colsA.map(() => '')].join(',');
    const aText = csv(head, colsA).replace('\n', `\n${blank}\n`);
    const hasA = (r) => colsA.some((c) => r[c] !== '');
    const bRows = head.filter((r, i) => !(i % 6 === 0 && hasA(r)));
    expect(head.length - bRows.length).toBeGreaterThanOrEqual(4);
    const a = file('modalities-a.csv', aText);
    const b = file('modalities-b.csv', csv(bRows, colsB));
    // The CLI refuses X01 (no modality); without that row its predictions are what the page downloads.
    expect(cliError(['score', '--model', HGSOC, '--data', a, '--data', b, '--id', 'id', '--out', join(dir, 'never.csv')])).toMatch(/patient 'X01' \(row 1\) has no modality/);
    const aRef = file('modalities-a.csv', csv(head, colsA));
    const ref = cliScore(HGSOC, [aRef, b], 'id');
    expect(ref.rows).toHaveLength(60);

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openScore(page);
    await pickModel(page, 'hgsoc-synthetic');
    await scoreAct(page, () => page.setInputFiles('#score-batch-files', [a, b]));
    expect(await page.textContent('#score-batch-list')).toMatch(/modalities-a\.csv61 rows, 41 columns/);
    expect(await page.inputValue('#score-batch-id')).toBe('id');
    await scoreAct(page, () => page.click('#btn-score-batch'));
    expect(await page.textContent('#score-batch-summary')).toMatch(/^60 patients of modalities-a\.csv \+ modalities-b\.csv scored with HGSOC-shaped synthetic cohort; 1 could not be scored \(the reasons are listed below\)/);
    expect(await page.textContent('#score-batch-unscorable .id-list')).toBe('X01');
    expect(await page.textContent('#score-batch-unscorable .unscorable-reasons')).toBe('no modality: every feature cell is empty: X01');
    // Paged table: 25 rows a page, the CLI's numbers.
    const tableRows = () => page.$$eval('#score-batch-table tbody tr', (trs) => trs.map((tr) => ({
      id: tr.children[0].textContent, values: [...tr.querySelectorAll('[data-value]')].map((s) => s.dataset.value),
    })));
    let rows = await tableRows();
    expect(rows).toHaveLength(25);
    const check = (shown) => shown.forEach((r) => {
      const cliRow = ref.rows.find((x) => x.id === r.id);
      const expected = [cliRow.fused_lp, cliRow.hazard_ratio, cliRow.percentile, ...['5.98', '15.1', '34.7'].map((t) => cliRow[`surv_${t}`]),
        ...['radiomics', 'histopathology', 'genomic', 'clinical'].map((m) => cliRow[`${m}_score`])];
      expect(r.values.map(cellNumber), r.id).toEqual(expected.map(cellNumber));
    });
    check(rows);
    await page.click('#score-page-next');
    await page.click('#score-page-next');
    rows = await tableRows();
    expect(rows.map((r) => r.id)).toEqual(ref.rows.slice(50).map((r) => r.id));
    check(rows);
    expect(await page.isDisabled('#score-page-next')).toBe(true);
    expect(await page.textContent('#score-batch-table caption')).toBe('Predictions, patients 51–60 of 60');
    const patterns = await page.$$eval('#score-batch-patterns tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    const expectedPatterns = ref.summary.patterns.map((x) => [x.pattern.split('+').join(' + '), String(x.patients), `${x.integrator.split('+').join(' + ')}${x.fallback ? ' (fallback)' : ''}`]);
    expect(patterns).toEqual(expectedPatterns);
    // The download is the CLI's file byte for byte (--skip-unscorable: X01 has a row marked "not scored";
    // the other rows are those of the files without X01).
    const skipRef = cliScore(HGSOC, [a, b], 'id', ['--skip-unscorable']);
    expect(skipRef.text.split('\n').filter((l) => !l.startsWith('X01,')).join('\n')).toBe(ref.text);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);
    expect(download.suggestedFilename()).toBe('predictions.csv');
    expect(readFileSync(await download.path(), 'utf8')).toBe(skipRef.text);
    await page.locator('#score-batch').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-batch-desktop', { locator: '#score-batch' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('one bad cell does not reject the batch: the rest are scored, the patient listed with the reason and marked in the CSV', async () => {
    const head = hgsocRows.slice(0, 30);
    const column = hgsocColumns.find((c) => c.startsWith('clinical_'));
    const csv = (rows) => [['id', ...hgsocColumns].join(','), ...rows.map((r) => [r.id, ...hgsocColumns.map((c) => r[c])].join(','))].join('\n') + '\n';
    const bad = head.map((r, i) => (i === 6 ? { ...r, [column]: 'n/a?' } : r));
    const badFile = file('cohort-bad.csv', csv(bad));
    const keptRef = cliScore(HGSOC, file('cohort-kept.csv', csv(head.filter((_, i) => i !== 6))), 'id');
    const ref = cliScore(HGSOC, badFile, 'id', ['--skip-unscorable']);
    expect(ref.text.split('\n').filter((l) => !l.startsWith(`${head[6].id},`)).join('\n')).toBe(keptRef.text);

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openScore(page);
    await pickModel(page, 'hgsoc-synthetic');
    await scoreAct(page, () => page.setInputFiles('#score-batch-files', [badFile]));
    await scoreAct(page, () => page.click('#btn-score-batch'));
    expect(await page.isHidden('#score-batch-error')).toBe(true);
    expect(await page.textContent('#score-batch-summary')).toMatch(/^29 patients of cohort-bad\.csv scored with HGSOC-shaped synthetic cohort; 1 could not be scored/);
    expect(await page.textContent('#score-batch-unscorable .unscorable-reasons'))
      .toBe(`cohort-bad.csv: row 7, column "${column}" has "n/a?", not a number: ${head[6].id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);
    const text = readFileSync(await download.path(), 'utf8');
    const marked = text.split('\n')[7];
    expect(marked.startsWith(`${head[6].id},`)).toBe(true);
    expect(marked).toContain(`not scored: cohort-bad.csv: row 7, column ""${column}"" has ""n/a?"", not a number`);
    // The CLI names the file by its path; otherwise the page's file is the CLI's.
    expect(text).toBe(ref.text.split(badFile).join('cohort-bad.csv'));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('scores the bundled GBSG cohort with the Rotterdam model exactly as `latefuse score --id pid`', async () => {
    const bundled = join(EXAMPLE_DATA, 'gbsg-validation.csv');
    expect(readFileSync(bundled, 'utf8')).toBe(readFileSync(join(MODELS, 'data', 'gbsg-validation.csv'), 'utf8'));
    const ref = cliScore(ROTTERDAM, bundled, 'pid');
    expect(ref.rows).toHaveLength(686);
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-score');
    await pickModel(page, 'hgsoc-synthetic');
    await scoreAct(page, () => page.click('#btn-score-gbsg'));
    await page.waitForSelector('#score-batch-table');
    expect(await page.isChecked('#score-model-opt-rotterdam')).toBe(true);
    expect(await page.inputValue('#score-batch-id')).toBe('pid');
    expect(await page.textContent('#score-batch-summary')).toBe('686 patients of gbsg-validation.csv scored with Rotterdam breast cancer — recurrence-free survival.');
    expect(await page.textContent('#score-batch-table caption')).toBe('Predictions, patients 1–25 of 686');
    const first = await page.$$eval('#score-batch-table tbody tr:first-child [data-value]', (s) => s.map((x) => x.dataset.value));
    expect(Number(first[0])).toBe(Number(ref.rows[0].fused_lp));
    expect(await page.textContent('#score-batch-table tbody tr:first-child td:nth-child(5)')).toBe(ref.rows[0].risk_group);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-score-download')]);
    expect(readFileSync(await download.path(), 'utf8')).toBe(ref.text);
    await page.locator('#score-batch-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-gbsg', { locator: '#score-batch-result' });
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('Score tab: model files', () => {
  it('shows the core\'s validation message for a bad model file and keeps the previous model; a good file is used', async () => {
    const doc = JSON.parse(readFileSync(HGSOC, 'utf8'));
    doc.integrators[1].cox.coef = doc.integrators[1].cox.coef.slice(1);
    const tampered = file('tampered.latefuse.json', `${JSON.stringify(doc, null, 2)}\n`);
    const message = cliError(['score', '--model', tampered, '--data', join(MODELS, 'data', 'hgsoc-synthetic.csv'), '--out', join(dir, 'never.csv')]);
    const core = message.replace(/^latefuse: /, '').replace(`${tampered}: `, '');
    expect(core).toMatch(/integrators\[1\]\.cox\.coef/);
    const notJson = file('notes.json', 'this is not JSON');

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await openScore(page);
    await pickModel(page, 'rotterdam');
    await fillPatient(page, { grade: '2', nodes: '0' });
    await scoreAct(page, () => page.setInputFiles('#score-model-file', tampered));
    const shown = await page.textContent('#score-model-error');
    expect(shown).toContain(`tampered.latefuse.json cannot be used: ${core.replace(/\.$/, '')}`);
    expect(shown).toContain('The previous model is still selected.');
    expect(await page.isChecked('#score-model-opt-rotterdam')).toBe(true);
    expect(await page.$('#score-model-opt-uploaded')).toBeNull();
    expect(await page.inputValue('#score-form [data-column="grade"]')).toBe('2');
    await page.locator('#score-model-drop').scrollIntoViewIfNeeded();
    await screenshot(page, 'score-bad-model', { locator: '#score-models-card' });
    await scoreAct(page, () => page.setInputFiles('#score-model-file', notJson));
    expect(await page.textContent('#score-model-error')).toMatch(/^notes\.json cannot be used: .*JSON/);
    // A good file (the shipped synthetic model, saved by the user) becomes the selected model.
    await scoreAct(page, () => page.setInputFiles('#score-model-file', HGSOC));
    expect(await page.isHidden('#score-model-error')).toBe(true);
    expect(await page.isChecked('#score-model-opt-uploaded')).toBe(true);
    expect(await page.textContent('#score-model-opt-uploaded + label')).toBe('Model file: hgsoc-synthetic.latefuse.json');
    expect(await page.$$eval('#score-form fieldset legend', (ls) => ls.map((l) => l.firstChild.textContent))).toEqual(['radiomics', 'histopathology', 'genomic', 'clinical']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('scores with the late-fusion model just fitted by the demo, as `latefuse score` with its downloaded model file', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.getByRole('button', { name: 'Run demo', exact: true }).click();
    await page.waitForFunction(() => !document.querySelector('#fusion').hidden && document.body.dataset.flow === 'idle', null, { timeout: 240_000 });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Model JSON', exact: true }).click()]);
    const modelPath = file('demo-model.json', readFileSync(await dl.path(), 'utf8'));
    await openScore(page);
    expect(await page.textContent('#score-model .model-option[data-model="fitted"]')).toMatch(/Just fitted: late-fusion model on the simulated cohort \(seed 1/);
    await pickModel(page, 'fitted');
    const p2 = hgsocRows.find((r) => r.id === 'P003');   // genomic + clinical
    const present = Object.fromEntries(hgsocColumns.filter((c) => p2[c] !== '').map((c) => [c, p2[c]]));
    await fillPatient(page, present);
    await scoreOne(page);
    const ref = cliScore(modelPath, file('p3.csv', oneRowCsv(hgsocColumns, present))).rows[0];
    expectSameAsCli(await shownResult(page), ref, ['radiomics', 'histopathology', 'genomic', 'clinical']);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('Score tab: layout', () => {
  it('fits a 390 px screen, labels every control and gives the curve a text alternative', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0', ...PHONE });
    await openScore(page);
    await screenshot(page, 'mobile-score-models', { fullPage: true });
    await pickModel(page, 'rotterdam');
    await fillPatient(page, { size: '>50', grade: '3', nodes: '10', pgr: '5', er: '10', age: '62', meno: '1', hormon: '1', chemo: '0' });
    await scoreOne(page);
    await scoreAct(page, () => page.click('#btn-score-gbsg'));
    await page.waitForSelector('#score-batch-table');
    await expectFitsWidth(page, '#panel-score');
    await expectLabelled(page, ['#panel-score']);
    // Keyboard: the model radios and the form are reachable and operable.
    await page.focus('#score-model-opt-rotterdam');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.querySelector('#score-model .model-option.selected[data-model="hgsoc-synthetic"]'), null, { timeout: 60_000 });
    await scoreIdle(page);
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => document.querySelector('#score-model .model-option.selected[data-model="rotterdam"]'), null, { timeout: 60_000 });
    await scoreIdle(page);
    await screenshotEach(page, [['mobile-score-form', '#score-one'], ['mobile-score-result', '#score-one-result'], ['mobile-score-batch', '#score-batch-result']]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
