// European CSVs (web/lib/decimal.js): what Excel writes in most of Europe — cells separated by `;`,
// numbers written `0,3220` — reads as the same numbers as the file written with `,` and `0.3220`;
// the detection's boundaries; `--decimal` in the CLI; and `latefuse fuse` on a semicolon/decimal-comma
// file set writes the same model file, byte for byte, as on the same data written with dots.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDecimalMark, parseNumber, parseTable } from '../../web/lib/index.js';
import { latefuse } from './helpers.js';

/** The same table as Excel writes it with a European locale: `;` between cells, `,` as decimal mark. */
function european(csv) {
  return csv.split('\n').map((line) => line.split(',').map((cell) => cell.replace('.', ',')).join(';')).join('\n');
}

describe('decimal mark detection (one rule)', () => {
  it('a semicolon file with d,d cells and no d.d cell uses the decimal comma', () => {
    expect(detectDecimalMark([['1', '0,3220'], ['2', '-1,5']], ';')).toBe(',');
    expect(detectDecimalMark([['1', '0,3220'], ['2', '-1,5']], '\t')).toBe(',');
  });
  it('one d.d cell, or a comma-separated file, or only whole numbers: the decimal point', () => {
    expect(detectDecimalMark([['1', '0,3220'], ['2', '1.5']], ';')).toBe('.');
    expect(detectDecimalMark([['1', '0,3220']], ',')).toBe('.');
    expect(detectDecimalMark([['1', '2'], ['3', 'NA']], ';')).toBe('.');
  });
  it('reads numbers in the chosen convention only', () => {
    expect(parseNumber('0,3220', ',')).toBe(0.322);
    expect(parseNumber('-1,5e3', ',')).toBe(-1500);
    expect(parseNumber('12', ',')).toBe(12);
    expect(parseNumber('1.5', ',')).toBeUndefined();
    expect(parseNumber('0,5', '.')).toBeUndefined();
    expect(parseNumber('-Inf', ',')).toBe(-Infinity);
  });
});

describe('parseTable with decimal commas', () => {
  const dots = 'id,time,event,age,stage\nA,12.5,1,63.25,II\nB,3,0,.5,I\nC,40.75,1,71,III\n';
  it('detects the comma and reads the same numbers as the file written with dots', () => {
    const a = parseTable(dots, { file: 'dots.csv' });
    const b = parseTable(european(dots), { file: 'eu.csv' });
    expect(a.decimalMark).toBe('.');
    expect(b.decimalMark).toBe(',');
    expect(b.header).toEqual(a.header);
    for (const name of a.header) {
      expect(b.columns.get(name).kind, name).toBe(a.columns.get(name).kind);
      if (a.columns.get(name).kind === 'number') expect([...b.columns.get(name).values], name).toEqual([...a.columns.get(name).values]);
    }
  });
  it('an override reads the file with the mark the user chose', () => {
    const t = parseTable(european(dots), { file: 'eu.csv', decimal: '.' });
    expect(t.decimalMark).toBe('.');
    expect(t.decimalSetting).toBe('.');
    expect(t.columns.get('time').kind).toBe('text');
    expect(t.columns.get('time').firstNonNumericRow).toEqual({ row: 1, value: '12,5' });
  });
  it('a bad setting is refused', () => {
    expect(() => parseTable(dots, { decimal: ';' })).toThrow(/unknown decimal mark ";"/);
  });
});

describe('latefuse with --decimal', () => {
  let dir;
  const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'latefuse-decimal-'));
    expect(latefuse(['simulate', '--preset', 'hgsoc', '--n', '200', '--seed', '5', '--out', join(dir, 'cohort.csv')]).code).toBe(0);
    const cohort = readFileSync(join(dir, 'cohort.csv'), 'utf8');
    writeFileSync(join(dir, 'cohort-eu.csv'), european(cohort));
  });
  const fuse = (file, out, extra = []) => latefuse(['fuse', '--data', join(dir, file), '--id', 'id', '--time', 'time', '--event', 'event',
    ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '2', '--bootstrap', '20', '--permutations', '20',
    '--model-out', join(dir, `${out}.model.json`), '--report-out', join(dir, `${out}.report.json`), ...extra]);

  it('fits the same model on the semicolon/decimal-comma file as on the file with dots (automatic and forced)', () => {
    const dot = fuse('cohort.csv', 'dot');
    expect(dot.code, dot.stderr).toBe(0);
    const eu = fuse('cohort-eu.csv', 'eu');
    expect(eu.code, eu.stderr).toBe(0);
    const forced = fuse('cohort-eu.csv', 'forced', ['--decimal', ',']);
    expect(forced.code, forced.stderr).toBe(0);
    const model = readFileSync(join(dir, 'dot.model.json'), 'utf8');
    expect(readFileSync(join(dir, 'eu.model.json'), 'utf8')).toBe(model);
    expect(readFileSync(join(dir, 'forced.model.json'), 'utf8')).toBe(model);
    const report = JSON.parse(readFileSync(join(dir, 'eu.report.json'), 'utf8'));
    expect(report.modalities).toEqual(MODALITIES);
  });
  it('--decimal . on the decimal-comma file: the time column is not numeric (exit 2, the file, row and cell)', () => {
    const r = fuse('cohort-eu.csv', 'bad', ['--decimal', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cohort-eu\.csv/);
    expect(r.stderr).toMatch(/time/);
  });
  it('an unknown --decimal value exits 2 naming the flag', () => {
    const r = fuse('cohort.csv', 'x', ['--decimal', ';']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--decimal must be one of auto, \., ,; got ";"/);
  });
});
