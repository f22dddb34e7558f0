// The simulator through WebAssembly and the `latefuse simulate` command. The golden CSV was written
// by the NATIVE build (build/native/latefuse_write_goldens, tests/tools/write_native_goldens.cpp): the same seed must
// give the same bytes here.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, parseTable, InputError } from '../../web/lib/index.js';
import { latefuse, readText } from './helpers.js';

// The settings of tests/golden/simulate_seed7.csv (goldenOptions() in test_simulator.cpp).
const goldenOptions = { preset: 'hgsoc', n: 60, seed: 7, cellMissing: 0.05, interaction: 0.3 };

let dir;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'latefuse-simulate-')); });

describe('simulate (WASM)', () => {
  it('reproduces the native golden CSV byte for byte', async () => {
    const r = await simulate(goldenOptions);
    expect(r.csv).toBe(readText('tests/golden/simulate_seed7.csv'));
    expect(r.n).toBe(60);
  });

  it('hgsoc: exact availability, complete cases and censoring', async () => {
    const r = await simulate({ seed: 3 });
    expect(r.n).toBe(444);
    expect(r.modalities.map((m) => [m.name, m.available])).toEqual([
      ['radiomics', 245], ['histopathology', 243], ['genomic', 296], ['clinical', 444]]);
    expect(r.complete).toBe(114);
    expect(r.censored).toBe(200);
    expect(r.patterns.reduce((s, p) => s + p.patients, 0)).toBe(444);
    // The CSV agrees: a modality is present exactly when its cells are filled.
    const table = parseTable(r.csv, { file: 'sim.csv' });
    expect(table.rowCount).toBe(444);
    const present = (prefix) => {
      const cols = table.header.filter((h) => h.startsWith(`${prefix}_`));
      let k = 0;
      for (let i = 0; i < table.rowCount; i++) if (!Number.isNaN(table.columns.get(cols[0]).values[i])) k++;
      return k;
    };
    expect(present('radiomics')).toBe(245);
    expect(present('genomic')).toBe(296);
  });

  it('same seed, same bytes; another seed, another cohort', async () => {
    const a = await simulate({ n: 50, seed: 11 });
    const b = await simulate({ n: 50, seed: 11 });
    const c = await simulate({ n: 50, seed: 12 });
    expect(a.csv).toBe(b.csv);
    expect(c.csv).not.toBe(a.csv);
  });

  it('custom availability is exact; impossible settings are InputErrors', async () => {
    const r = await simulate({ n: 200, availability: { radiomics: 120, histopathology: 90, genomic: 150, clinical: 200 }, complete: 30 });
    expect(r.modalities.map((m) => m.available)).toEqual([120, 90, 150, 200]);
    expect(r.complete).toBe(30);
    await expect(simulate({ availability: { proteomics: 10 } })).rejects.toThrow(/unknown modality 'proteomics'/);
    await expect(simulate({ correlation: 1 })).rejects.toBeInstanceOf(InputError);
    await expect(simulate({ n: 200, availability: { radiomics: 200, histopathology: 200, genomic: 200 }, complete: 0 }))
      .rejects.toThrow(/raise the number of complete patients/);
  });
});

describe('latefuse simulate', () => {
  it('latefuse simulate reproduces the native golden CSV byte for byte', () => {
    const out = join(dir, 'seed7.csv');
    const r = latefuse(['simulate', '--preset', 'hgsoc', '--n', '60', '--seed', '7', '--missing-cells', '0.05', '--interaction', '0.3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readText('tests/golden/simulate_seed7.csv'));
    expect(r.json.n).toBe(60);
    expect(r.json.seed).toBe(7);
    expect(r.json.interaction_between).toEqual(['radiomics', 'genomic']);
    expect(r.json.modalities[0]).toHaveProperty('signal_features');
  });

  it('per-modality settings and exact counts', () => {
    const out = join(dir, 'custom.csv');
    const r = latefuse(['simulate', '--n', '150', '--seed', '2', '--availability', 'radiomics=100,histopathology=80,genomic=90,clinical=150',
      '--complete', '40', '--signal', 'radiomics=1,genomic=0.2', '--features', '6', '--signal-features', '2', '--censoring', '0.3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.modalities.map((m) => m.available)).toEqual([100, 80, 90, 150]);
    expect(r.json.complete).toBe(40);
    expect(r.json.censored).toBe(45);
    expect(r.json.columns).toBe(24);
    expect(r.json.modalities[0].signal).toBe(1);
    expect(r.json.modalities[1].signal).toBe(0.8);
    const header = readFileSync(out, 'utf8').split('\n')[0].split(',');
    expect(header.slice(0, 4)).toEqual(['id', 'time', 'event', 'radiomics_01']);
  });

  for (const [label, args, pattern] of [
    ['no --out', ['simulate'], /needs --out/],
    ['an unknown modality', ['simulate', '--signal', 'proteomics=1', '--out', '/tmp/x.csv'], /unknown modality 'proteomics'/],
    ['a bad pair list', ['simulate', '--features', 'radiomics:5', '--out', '/tmp/x.csv'], /needs whole numbers/],
    ['an unknown preset', ['simulate', '--preset', 'tcga', '--out', '/tmp/x.csv'], /must be one of hgsoc/],
    ['an unwritable path', ['simulate', '--n', '20', '--out', '/nonexistent-dir/x.csv'], /cannot write/],
  ]) {
    it(`exits 2 with one line for ${label}`, () => {
      const r = latefuse(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
