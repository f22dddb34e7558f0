// Errors raised inside the late-fusion engine name the user's inputs: the file and row of the
// patient (not the engine's row after missing outcomes were dropped), the patient ID, the column,
// the modality and the step (docs/inputs.md, "Messages from inside fuse"). The cohort is split in
// two files: the outcome with three modalities, and the genomic columns in another order, after a
// row whose outcome is missing, so that an engine row, an outcome-file row and a genomic-file row
// all differ.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latefuse, readText } from './helpers.js';
import { parseTable } from '../../web/lib/index.js';
import { fuseDataRequest } from '../../web/app/worker-fusion.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const modalityArgs = MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]);

let dir;
let header;
let base;  // rows of tests/data/fusion_sim.csv as arrays of cells
const col = (name) => header.indexOf(name);
const genomicColumns = () => header.filter((h) => h.startsWith('genomic_'));
const hasGenomic = (r) => genomicColumns().some((c) => r[col(c)] !== '');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-messages-'));
  const lines = readText('tests/data/fusion_sim.csv').trim().split('\n');
  header = lines[0].split(',');
  base = lines.slice(1).map((l) => l.split(','));
});

/**
 * Write the two files of a variant of the cohort (edit(rows) changes cells in place; every third
 * patient is a test patient) and run `latefuse fuse` on them. Returns the run and where each
 * patient is: outcomeRow / genomicRow (data rows from 1) by ID.
 */
function run(edit, extra = []) {
  const rows = base.map((r) => [...r]);
  edit(rows);
  const others = header.filter((h) => !h.startsWith('genomic_'));
  const outcomeLines = [[...others, 'split'].join(',')];
  // A first patient without a time: dropped, so engine row k is outcome-file row k + 2.
  outcomeLines.push([...others.map((h) => (h === 'id' ? 'NO_TIME' : h === 'time' ? '' : h === 'event' ? '1' : '0')), 'train'].join(','));
  const outcomeRow = new Map();
  rows.forEach((r, i) => {
    outcomeLines.push([...others.map((h) => r[col(h)]), i % 3 === 0 ? 'test' : 'train'].join(','));
    outcomeRow.set(r[0], outcomeLines.length - 1);
  });
  const genomicLines = [['id', ...genomicColumns()].join(',')];
  const genomicRow = new Map();
  for (const r of [...rows].reverse()) {
    if (!hasGenomic(r)) continue;
    genomicLines.push([r[0], ...genomicColumns().map((c) => r[col(c)])].join(','));
    genomicRow.set(r[0], genomicLines.length - 1);
  }
  const tag = Math.random().toString(36).slice(2);
  const outcomeFile = join(dir, `outcome-${tag}.csv`);
  const genomicFile = join(dir, `genomic-${tag}.csv`);
  writeFileSync(outcomeFile, outcomeLines.join('\n') + '\n');
  writeFileSync(genomicFile, genomicLines.join('\n') + '\n');
  const r = latefuse(['fuse', '--data', outcomeFile, '--data', genomicFile, '--id', 'id', '--time', 'time', '--event', 'event',
    '--split', 'split', ...modalityArgs, '--bootstrap', '0', '--permutations', '0',
    '--model-out', join(dir, `m-${tag}.json`), '--report-out', join(dir, `r-${tag}.json`), ...extra]);
  return { ...r, outcomeFile, genomicFile, outcomeRow, genomicRow };
}

/** The page's worker on the files of a run (worker-fusion.js fuseDataRequest, as the "Fit & evaluate" flow calls it). */
async function inWorker(r) {
  const tables = new Map([r.outcomeFile, r.genomicFile].map((f) => [f, parseTable(readFileSync(f, 'utf8'), { file: f })]));
  const ctx = { progress() {}, signal: undefined, isCancelled: () => false, checkpoint: async () => {} };
  const modalities = Object.fromEntries(MODALITIES.map((m) => [m, header.filter((h) => h.startsWith(`${m}_`))]));
  try {
    await fuseDataRequest(tables, {
      keys: [r.outcomeFile, r.genomicFile], roles: { id: 'id', time: 'time', event: 'event', split: 'split' }, modalities,
      options: { bootstrap: 0, permutations: 0 },
    }, ctx);
  } catch (error) {
    return error;
  }
  return null;
}

function expectOneLine(r, code = 2) {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|at row 1\b|\(row \d+\)/);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The first training / test patient (in file order) who has the genomic modality.
const isTest = (i) => i % 3 === 0;
const genomicPatient = (test) => base.findIndex((r, i) => hasGenomic(r) && isTest(i) === test && r[col('genomic_01')] !== '');

describe('messages from inside fuse name the file row, patient, column, modality and step', () => {
  it('an extreme value that overflows a column\'s training mean and SD (the CLI and the page\'s worker)', async () => {
    const i = genomicPatient(false);
    const id = base[i][0];
    const r = run((rows) => { rows[i][col('genomic_01')] = '1.7e308'; });
    expectOneLine(r);
    expect(r.stderr).toMatch(new RegExp(`${escape(r.genomicFile)}, row ${r.genomicRow.get(id)}: fit on all training patients: ` +
      `column 'genomic_01' \\(modality 'genomic'\\): the value 1\\.7e\\+308 of patient '${id}' is too extreme to scale the column`));
    expect(r.genomicRow.get(id)).not.toBe(r.outcomeRow.get(id));
    // The page's worker says the same, and keeps where in the error's fields.
    const error = await inWorker(r);
    expect(`latefuse: ${error?.message}\n`).toBe(r.stderr);
    expect(error).toMatchObject({ name: 'InputError', file: r.genomicFile, row: r.genomicRow.get(id), patient: id, column: 'genomic_01',
      modality: 'genomic', step: 'fit on all training patients' });
  });

  it('a test patient whose value makes the submodel score overflow (scoring step)', async () => {
    const i = genomicPatient(true);
    const id = base[i][0];
    const r = run((rows) => {
      // A column with a small training SD: 1e308 standardised is no longer a finite number.
      for (const row of rows) if (row[col('genomic_02')] !== '') row[col('genomic_02')] = String(Number(row[col('genomic_02')]) / 100);
      rows[i][col('genomic_02')] = '1e308';
    });
    expectOneLine(r);
    expect(r.stderr).toMatch(new RegExp(`${escape(r.genomicFile)}, row ${r.genomicRow.get(id)}: scoring the test patients: ` +
      `the 'genomic' submodel's score of patient '${id}' is not a finite number: its value of 'genomic_02' \\(1e\\+308\\)`));
    const error = await inWorker(r);
    expect(`latefuse: ${error?.message}\n`).toBe(r.stderr);
  });

  it('a modality only one training patient has', () => {
    const keep = genomicPatient(false);
    const id = base[keep][0];
    const r = run((rows) => {
      rows.forEach((row, i) => { if (i !== keep) for (const c of genomicColumns()) row[col(c)] = ''; });
      rows[keep][col('event')] = '1';
    });
    expectOneLine(r);
    expect(r.stderr).toMatch(new RegExp(`${escape(r.outcomeFile)}, row ${r.outcomeRow.get(id)}: fit on all training patients: ` +
      `only one training patient \\(patient '${id}'\\) has modality 'genomic', and its submodel needs at least 2`));
  });

  it('a modality too rare for the cross-fitting folds', () => {
    const two = base.map((r, i) => i).filter((i) => hasGenomic(base[i]) && !isTest(i)).slice(0, 2);
    const r = run((rows) => {
      rows.forEach((row, i) => { if (!two.includes(i)) for (const c of genomicColumns()) row[col(c)] = ''; });
      for (const i of two) rows[i][col('event')] = '1';
    });
    expectOneLine(r);
    expect(r.stderr).toMatch(/^latefuse: cross-fitting fold [1-5] of 5, modality 'genomic': only [01] of its training patients are outside the fold; use fewer folds/);
  });

  it('a modality whose training patients have no event', () => {
    const three = base.map((r, i) => i).filter((i) => hasGenomic(base[i]) && !isTest(i)).slice(0, 3);
    const r = run((rows) => {
      rows.forEach((row, i) => { if (!three.includes(i)) for (const c of genomicColumns()) row[col(c)] = ''; });
      for (const i of three) rows[i][col('event')] = '0';
    });
    expectOneLine(r);
    expect(r.stderr).toMatch(/^latefuse: fit on all training patients: none of the 3 training patients with modality 'genomic' has an event/);
  });

  it('screening that can keep no feature of a modality (constant columns)', () => {
    const r = run((rows) => {
      for (const row of rows) for (const c of genomicColumns()) if (row[col(c)] !== '') row[col(c)] = '3';
    }, ['--selection', 'screen']);
    expectOneLine(r);
    expect(r.stderr).toMatch(/^latefuse: fit on all training patients: screening: no feature of modality 'genomic' can be related to survival/);
  });

  it('a patient with no modality at all is left out with a warning that names them by ID, not by an engine row', () => {
    let id;
    const r = run((rows) => {
      const row = rows.find((x) => !hasGenomic(x));
      id = row[0];
      header.forEach((h, j) => { if (MODALITIES.some((m) => h.startsWith(`${m}_`))) row[j] = ''; });
    });
    expect(r.code, r.stderr).toBe(0);
    const warnings = JSON.parse(r.stdout).warnings;
    expect(warnings).toContain(`1 patients have no modality at all (first: patient '${id}'); they are left out of training and testing`);
    expect(warnings.join('\n')).not.toMatch(/\(row \d+\)/);
  });

  it('the same cohort without the edits runs (the messages above come from the edits)', () => {
    const r = run(() => {});
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('score: an extreme value names the file, row, field and patient', () => {
  it('a value that makes the patient\'s score overflow', () => {
    const model = join(dir, 'score-model.json');
    const fit = latefuse(['fuse', '--data', 'tests/data/fusion_sim.csv', '--id', 'id', '--time', 'time', '--event', 'event', ...modalityArgs,
      '--bootstrap', '0', '--permutations', '0', '--model-out', model, '--report-out', join(dir, 'score-report.json')]);
    expect(fit.code, fit.stderr).toBe(0);
    // Three patients; the second one's clinical_01 (every patient has the clinical modality) is the most negative double.
    const lines = readText('tests/data/fusion_sim.csv').trim().split('\n').slice(0, 4).map((l) => l.split(','));
    lines[2][col('clinical_01')] = '-1.7e308';
    const data = join(dir, 'score-extreme.csv');
    writeFileSync(data, lines.map((l) => l.join(',')).join('\n') + '\n');
    const r = latefuse(['score', '--model', model, '--data', data, '--id', 'id', '--out', join(dir, 'predictions.csv')]);
    expect(r.code, r.stdout).toBe(2);
    const errors = r.stderr.trim().split('\n').filter((l) => !l.startsWith('latefuse: warning:'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^latefuse: ${escape(data)}, row 2: the (standardised 'clinical' score|'clinical' submodel's score|late-fusion score) ` +
      `of patient '${lines[2][0]}' is not a finite number: its value of 'clinical_01' \\(-1\\.7e\\+308\\) is too extreme for the model`));
  });
});

describe('a combination of modalities with one training patient (--min-pattern-size 1)', () => {
  it('gets no integrator (a model of one patient does not exist): a warning, and its patients use the fallback', () => {
    const radiomics = header.filter((h) => h.startsWith('radiomics_'));
    const hasRadiomics = (r) => radiomics.some((c) => r[col(c)] !== '');
    const train = base.map((r, i) => i).filter((i) => hasGenomic(base[i]) && !isTest(i));
    const a = train.find((i) => hasRadiomics(base[i]));
    const b = train.find((i) => !hasRadiomics(base[i]));
    const r = run((rows) => {
      rows.forEach((row, i) => { if (i !== a && i !== b && !isTest(i)) for (const c of genomicColumns()) row[col(c)] = ''; });
      rows[a][col('event')] = '1';
      rows[b][col('event')] = '1';
    }, ['--min-pattern-size', '1', '--integrator-inputs', 'in-sample', '--early-fusion', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.warnings.join('\n')).toMatch(/integrator radiomics\+genomic: only 1 training patient has these modalities; not fitted, patients use the fallback/);
  });
});
