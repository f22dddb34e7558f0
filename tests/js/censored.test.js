// A censoring indicator (censored/censor: 1 = censored) as the alternative to the event column:
// columns.js eventColumn `censored` reads the event as 1 - censored, and every survival command of
// `latefuse` takes --censored COL instead of --event COL (exclusive). The lung data with its R
// status (2 = dead) rewritten as `censored` = 1 when alive must fit exactly as R does on status.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTable, eventColumn, InputError, validateModel, roundTripModel } from '../../web/lib/index.js';
import { latefuse, readText, readJson, expectClose, withCensoredColumn } from './helpers.js';
import { checkSchema } from './schema-check.js';

const spot = readJson('tests/golden/spot_checks.json');
let dir;
let lungCensored;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-censored-'));
  lungCensored = join(dir, 'lung_censored.csv');
  writeFileSync(lungCensored, withCensoredColumn(readText('tests/data/lung.csv')));
});

describe('eventColumn with censored: true', () => {
  it('reads 0/1 and TRUE/FALSE as the event 1 - censored, missing stays missing', () => {
    const t = parseTable('a,b\n1,TRUE\n0,false\n,no\n1,\n', { file: 'c.csv' });
    expect(Array.from(eventColumn(t, 'a', { censored: true }))).toEqual([0, 1, NaN, 0]);
    expect(Array.from(eventColumn(t, 'b', { censored: true }))).toEqual([0, 1, 1, NaN]);
  });
  it('refuses R\'s 1/2 coding and other values, naming the censoring column and row', () => {
    const t = parseTable('c\n1\n2\n1\n', { file: 'c.csv' });
    expect(() => eventColumn(t, 'c', { censored: true })).toThrow(InputError);
    expect(() => eventColumn(t, 'c', { censored: true }))
      .toThrow('c.csv: censoring column "c" must be 0/1 or TRUE/FALSE (1 = censored) but row 2 has 2; recode it (1 = censored, 0 = event), or give it as the event column');
    // The same column as an event is R's 1/2 coding (2 = event).
    expect(Array.from(eventColumn(t, 'c'))).toEqual([0, 1, 0]);
  });
});

describe('latefuse --censored', () => {
  it('cox --censored fits lung as R does on status (2 = dead)', () => {
    const r = latefuse(['cox', '--data', lungCensored, '--time', 'time', '--censored', 'censored', '--covariates', 'age,sex,ph.ecog', '--robust']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.n).toBe(227);
    expect(r.json.events).toBe(164);
    expectClose(r.json.coef, [0.01106676456, -0.5526123957, 0.4637284754], 1e-6, 'coef');
    const R = spot.cox_lung_robust;
    for (const k of ['se', 'hr', 'z', 'p']) expectClose(r.json[k], R[k], 1e-9, k);
  });

  it('km and concordance give with --censored what they give with --event on the same patients', () => {
    const viaEvent = latefuse(['km', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--group', 'sex']);
    const viaCensored = latefuse(['km', '--data', lungCensored, '--time', 'time', '--censored', 'censored', '--group', 'sex']);
    expect(viaEvent.code, viaEvent.stderr).toBe(0);
    expect(viaCensored.code, viaCensored.stderr).toBe(0);
    expect(viaCensored.json.groups ?? viaCensored.json).toEqual(viaEvent.json.groups ?? viaEvent.json);
    const c1 = latefuse(['concordance', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--score', 'age']);
    const c2 = latefuse(['concordance', '--data', lungCensored, '--time', 'time', '--censored', 'censored', '--score', 'age']);
    expect(c2.code, c2.stderr).toBe(0);
    expect(c2.json.c).toBe(c1.json.c);
  });

  it('--event and --censored together, or neither, exit 2 with one line naming both flags', () => {
    const both = latefuse(['cox', '--data', lungCensored, '--time', 'time', '--event', 'censored', '--censored', 'censored', '--covariates', 'age']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either --event COL (1 = event) or --censored COL (1 = censored), not both');
    const neither = latefuse(['cox', '--data', lungCensored, '--time', 'time', '--covariates', 'age']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('missing --event COL (1 = event, 0 = censored); give --censored COL instead when the column marks censoring (1 = censored)');
  });

  it('is documented in --help beside --event', () => {
    for (const cmd of ['cox', 'km', 'concordance', 'evaluate', 'fuse', 'dca']) {
      const r = latefuse([cmd, '--help']);
      expect(r.stdout, cmd).toMatch(/--censored COL\s+censoring column/);
      expect(r.stdout, cmd).toContain('1 = censored, 0 = event (TRUE/FALSE also work); the event is 1 - censored');
    }
  });
});

describe('the model file records a censoring column', () => {
  const MODALITIES = ['genomic', 'clinical'];
  let withEvent;     // the model of `fuse --event event`
  let withCensored;  // the model of `fuse --censored censored` on the same patients, censored = 1 - event

  beforeAll(() => {
    const cohort = join(dir, 'cohort.csv');
    const sim = latefuse(['simulate', '--preset', 'hgsoc', '--n', '200', '--seed', '5', '--out', cohort]);
    expect(sim.code, sim.stderr).toBe(0);
    const [head, ...rows] = readFileSync(cohort, 'utf8').trim().split('\n');
    const e = head.split(',').indexOf('event');
    const flipped = join(dir, 'cohort_censored.csv');
    writeFileSync(flipped, [head.replace(',event,', ',censored,'), ...rows.map((line) => {
      const cells = line.split(',');
      cells[e] = String(1 - Number(cells[e]));
      return cells.join(',');
    })].join('\n') + '\n');
    const fuse = (data, outcome, name) => {
      const model = join(dir, `${name}.json`);
      const r = latefuse(['fuse', '--data', data, '--id', 'id', '--time', 'time', ...outcome, ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]),
        '--seed', '2', '--bootstrap', '0', '--permutations', '0', '--model-out', model, '--report-out', join(dir, `${name}.report.json`)]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(model, 'utf8');
    };
    withEvent = fuse(cohort, ['--event', 'event'], 'event-model');
    withCensored = fuse(flipped, ['--censored', 'censored'], 'censored-model');
  }, 120_000);

  it('fuse --censored writes event_from_censoring and the column; otherwise the same model as from the event column', () => {
    const a = JSON.parse(withEvent);
    const b = JSON.parse(withCensored);
    expect(a.outcome).toEqual({ type: 'survival' });
    expect(b.outcome).toEqual({ type: 'survival', event_from_censoring: true, censoring_column: 'censored' });
    expect({ ...b, outcome: a.outcome }).toEqual(a);
    const schema = JSON.parse(readText('models/schema.json'));
    expect(checkSchema(schema, a)).toEqual([]);
    expect(checkSchema(schema, b)).toEqual([]);
  });

  it('the core reads it back byte for byte and shows it in the summary (the model card)', async () => {
    expect(await roundTripModel(withCensored)).toBe(withCensored);
    expect((await validateModel(withCensored)).censoring_column).toBe('censored');
    expect((await validateModel(withEvent)).censoring_column).toBeNull();
  });

  it('one field without the other, false, or a binary outcome is refused by the schema and the core', async () => {
    const schema = JSON.parse(readText('models/schema.json'));
    const b = JSON.parse(withCensored);
    const tampered = (outcome) => ({ ...b, outcome });
    const cases = [
      [{ type: 'survival', event_from_censoring: true }, 'model file: outcome.event_from_censoring needs censoring_column: the name of the censoring column'],
      [{ type: 'survival', censoring_column: 'censored' }, 'model file: outcome.censoring_column needs event_from_censoring: true beside it'],
      [{ type: 'survival', event_from_censoring: false, censoring_column: 'censored' }, 'model file: outcome.event_from_censoring must be true (leave both fields out for an event column)'],
    ];
    for (const [outcome, message] of cases) {
      expect(checkSchema(schema, tampered(outcome)).length, JSON.stringify(outcome)).toBeGreaterThan(0);
      await expect(validateModel(tampered(outcome))).rejects.toThrow(message);
    }
    await expect(validateModel(tampered({ type: 'binary', event_from_censoring: true, censoring_column: 'censored' })))
      .rejects.toThrow(/outcome\.type is 'binary', which has no censoring column/);
  });
});
