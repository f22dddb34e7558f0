// Awkward inputs on the page (docs/inputs.md): a numeric feature column with one stray text cell is
// no longer read as a 100-level categorical column (which hung the page); the worker refuses it
// beside its modality with the file, row and column, as `latefuse fuse` does; a horizon beyond the
// follow-up is refused beside the setting. The event column's help states the coding rule.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openApp, act, upload, cli } from './helpers.js';
import { EVENT_CODING_RULE } from '../../web/lib/columns.js';

let env;
let dir;

beforeAll(async () => {
  env = await launch();
  dir = mkdtempSync(join(tmpdir(), 'latefuse-inputs-e2e-'));
});
afterAll(async () => { await env?.close(); });

describe('the page: awkward inputs', () => {
  it('a stray "-" in a numeric feature is an error beside its modality naming file, row and column; the event help states the rule', async () => {
    const cohort = join(dir, 'cohort.csv');
    cli(['simulate', '--preset', 'hgsoc', '--seed', '3', '--n', '120', '--out', cohort]);
    const { readFileSync } = await import('node:fs');
    const [head, ...rows] = readFileSync(cohort, 'utf8').trim().split('\n').map((l) => l.split(','));
    const pick = (cols, keep = () => true) => {
      const idx = cols.map((c) => head.indexOf(c));
      return [cols.join(','), ...rows.filter(keep).map((r) => idx.map((j) => r[j]).join(','))].join('\n') + '\n';
    };
    const clinicalCols = ['id', ...head.filter((c) => c.startsWith('clinical_'))];
    const clinical = pick(clinicalCols).split('\n');
    // Data row 7 of clinical.csv: its first clinical column gets "-".
    clinical[7] = clinical[7].replace(/^([^,]*),[^,]*/, '$1,-');
    const files = [join(dir, 'outcome.csv'), join(dir, 'radiomics.csv'), join(dir, 'clinical.csv')];
    writeFileSync(files[0], pick(['id', 'time', 'event']));
    const radiomicsCols = ['id', ...head.filter((c) => c.startsWith('radiomics_'))];
    writeFileSync(files[1], pick(radiomicsCols, (r) => radiomicsCols.slice(1).some((c) => r[head.indexOf(c)] !== '')));
    writeFileSync(files[2], clinical.join('\n'));

    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, files);
    expect(await page.textContent('body')).toContain(EVENT_CODING_RULE);
    await act(page, () => page.click('#btn-fuse'));
    const error = page.locator('#modalities [data-error-for^="modality:"]:not([hidden])');
    await expect.poll(() => error.count()).toBeGreaterThan(0);
    expect(await error.first().textContent())
      .toMatch(new RegExp(`clinical\\.csv: feature "${clinicalCols[1]}" must be numeric but row 7 has "-"`));
    // Fixed file; a horizon beyond the follow-up is refused beside the setting, as `latefuse fuse --horizons`.
    writeFileSync(files[2], pick(clinicalCols));
    await upload(page, files);
    await page.fill('#fs-horizons', '12,100000');
    await act(page, () => page.click('#btn-fuse'));
    const horizonError = page.locator('[data-error-for="setting:horizons"]');
    await expect.poll(() => horizonError.isVisible()).toBe(true);
    expect(await horizonError.textContent()).toMatch(/the horizon 100000 lies outside the follow-up of outcome\.csv \("time" from /);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
