// European CSVs on the page: the simulator's cohort split into an outcome file and one file per
// modality, written as Excel writes them in most of Europe (`;` between cells, `0,3220`), uploaded
// as a user would. Each file shows the decimal mark it was read with; late fusion runs with all four
// modalities and shows the numbers `latefuse fuse` gives on the same data written with dots; choosing
// the decimal point for one file re-reads it (its numbers become text and its modality is left out).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openApp, act, upload, ROOT, cliIn, expectFusionCIndices } from './helpers.js';

let env;
let dir;
let simulated;  // latefuse simulate's summary (availability per modality)
const SEED = 4;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const FILES = ['outcome', ...MODALITIES];

/** outcome + one file per modality (rows only for patients with the modality), with dots and the European way. */
function splitCohort(csv) {
  const [head, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  for (const name of FILES) {
    const cols = name === 'outcome' ? ['id', 'time', 'event'] : ['id', ...head.filter((c) => c.startsWith(`${name}_`))];
    const idx = cols.map((c) => head.indexOf(c));
    const keep = name === 'outcome' ? rows : rows.filter((r) => idx.slice(1).some((j) => r[j] !== ''));
    const lines = [cols, ...keep.map((r) => idx.map((j) => r[j]))];
    writeFileSync(join(dir, 'dot', `${name}.csv`), lines.map((l) => l.join(',')).join('\n') + '\n');
    writeFileSync(join(dir, 'eu', `${name}.csv`), lines.map((l) => l.map((c) => c.replace('.', ',')).join(';')).join('\r\n') + '\r\n');
  }
}

beforeAll(async () => {
  env = await launch();
  dir = mkdtempSync(join(tmpdir(), 'latefuse-european-'));
  execFileSync('mkdir', ['-p', join(dir, 'dot'), join(dir, 'eu')]);
  simulated = cliIn(dir, ['simulate', '--preset', 'hgsoc', '--n', '240', '--seed', String(SEED), '--out', 'cohort.csv']);
  splitCohort(readFileSync(join(dir, 'cohort.csv'), 'utf8'));
});
afterAll(async () => { await env?.close(); });

const decimalShown = (page) => page.$$eval('#file-list .file', (lis) => lis.map((li) => ({
  name: li.querySelector('.file-name').textContent,
  mark: li.querySelector('.file-decimal')?.dataset.decimal,
  label: li.querySelector('.file-decimal select')?.selectedOptions[0]?.textContent,
})));
const modalityNames = (page) => page.$$eval('#modalities .modality[data-modality] .modality-head input', (els) => els.map((e) => e.value));

describe('semicolon / decimal-comma files', () => {
  it('are read with the decimal comma and run late fusion with every modality, as the dot files in the CLI', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, FILES.map((f) => join(dir, 'eu', `${f}.csv`)));
    const shown = await decimalShown(page);
    expect(shown.map((s) => s.name)).toEqual(FILES.map((f) => `${f}.csv`));
    for (const s of shown) {
      expect(s.mark, s.name).toBe(',');
      expect(s.label, s.name).toBe('detected: decimal comma (0,5)');
    }
    expect(await page.inputValue('#role-time')).toBe('time');
    expect(await page.isChecked('#model-fusion')).toBe(true);
    expect(await modalityNames(page)).toEqual(MODALITIES);
    expect(await page.$$eval('.modality.excluded li', (els) => els.length)).toBe(0);
    // The preview is the join the run uses: every patient of the outcome file, and how many have each modality.
    expect(await page.textContent('#fusion-preview caption')).toBe('First 8 of 240 patients as late fusion joins the files (every patient of outcome.csv; empty cells: a patient not in that file)');
    expect(await page.textContent('#fusion-preview-coverage')).toBe('Late fusion uses the 240 patients of outcome.csv; with each modality: ' +
      `${simulated.modalities.map((m) => `${m.name} ${m.available}`).join(', ')}.`);

    await page.fill('#fs-seed', String(SEED));
    await page.fill('#fs-bootstrap', '50');
    await page.fill('#fs-permutations', '50');
    await act(page, () => page.click('#btn-fuse'), 180_000);
    expect(await page.isVisible('#fusion')).toBe(true);

    cliIn(join(dir, 'dot'), ['fuse', ...FILES.flatMap((f) => ['--data', `${f}.csv`]), '--id', 'id', '--time', 'time', '--event', 'event',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', String(SEED), '--bootstrap', '50', '--permutations', '50',
      '--model-out', 'model.json', '--report-out', 'report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'dot', 'report.json'), 'utf8'));
    expect(ref.modalities).toEqual(MODALITIES);
    const rows = await expectFusionCIndices(page, ref);
    for (const m of ref.models) {
      const r = rows.find((x) => x.name === m.name);
      expect(r.common, m.name).toBe(m.common.c);
      expect(r.test, m.name).toBe(m.test.c);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('the user can override the detected mark for one file', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, FILES.map((f) => join(dir, 'eu', `${f}.csv`)));
    // A guess the user changes is no longer marked "guessed".
    const badge = (role) => page.$eval(`label[for="role-${role}"]`, (l) => l.querySelector('.guess')?.textContent ?? null);
    expect(await badge('event')).toBe('guessed');
    await page.selectOption('#role-event', 'time');
    expect(await badge('event')).toBeNull();
    expect(await badge('time')).toBe('guessed');
    await act(page, () => page.selectOption('#role-event', 'event'));
    await act(page, () => page.getByLabel('Numbers in clinical.csv', { exact: true }).selectOption('.'));
    const clinical = (await decimalShown(page)).find((s) => s.name === 'clinical.csv');
    expect(clinical).toEqual({ name: 'clinical.csv', mark: '.', label: 'decimal point (0.5)' });
    // Read with the decimal point, clinical's numbers are text: the modality is not offered.
    expect(await modalityNames(page)).toEqual(['radiomics', 'histopathology', 'genomic']);
    // Moving such a column into a modality is refused beside the modality, with the likely cause.
    if (!(await page.$eval('.modality.excluded details', (d) => d.open))) await page.locator('.modality.excluded summary').click();
    await page.getByLabel('Modality of the column clinical_01', { exact: true }).selectOption({ label: 'radiomics' });
    const problem = await page.textContent('#modalities .modality[data-modality="file:radiomics.csv"] .field-error');
    expect(problem).toMatch(/^“clinical_01” is text with \d+ different values in \d+ cells, too many to be categories \(at most 50, and at most half of the cells\); leave it out — its values look like numbers with a decimal comma \(“-?\d*,\d+”\): choose “decimal comma” beside its file\.$/);
    // The same reason as `latefuse fuse` refusing that column read with the decimal point (one rule, columns.js).
    const reason = problem.match(/is text with (.*); leave it out/)[1];
    const cli = spawnSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), 'fuse', '--data', 'dot/outcome.csv', '--data', 'eu/clinical.csv',
      '--decimal', '.', '--id', 'id', '--time', 'time', '--event', 'event', '--modality', 'clinical=clinical_01',
      '--model-out', 'm.json', '--report-out', 'r.json'], { cwd: dir, encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`feature "clinical_01" has text cells`);
    expect(cli.stderr).toContain(`with ${reason}; if it is numeric`);
    const radiomics = '#modalities .modality[data-modality="file:radiomics.csv"]';
    if (!(await page.$eval(`${radiomics} details`, (d) => d.open))) await page.locator(`${radiomics} summary`).click();
    await page.getByLabel('Modality of the column clinical_01', { exact: true }).selectOption({ label: '— leave out —' });
    expect(await page.isHidden('#modalities .modality[data-modality="file:radiomics.csv"] .field-error')).toBe(true);
    await act(page, () => page.getByLabel('Numbers in clinical.csv', { exact: true }).selectOption('auto'));
    expect((await decimalShown(page)).find((s) => s.name === 'clinical.csv').mark).toBe(',');
    expect(await modalityNames(page)).toEqual(MODALITIES);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
