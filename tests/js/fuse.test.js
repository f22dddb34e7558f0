// `latefuse fuse` end to end on a simulated cohort (and fitAndEvaluateFusion through web/lib):
// report keys, finite and consistent numbers, the join of several files, and bad inputs (exit 2).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitAndEvaluateFusion, parseTable, CancelledError, InputError, ModelError } from '../../web/lib/index.js';
import { latefuse } from './helpers.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const modalityArgs = MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]);

let dir;
let cohortPath;
let rows;     // CSV lines without the header
let header;
const file = (name, text) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const out = (name) => join(dir, name);

function fuse(args) {
  return latefuse(['fuse', ...args]);
}

function expectOneLineExit2(r, pattern) {
  expect(r.code, r.stdout).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-fuse-'));
  cohortPath = out('cohort.csv');
  const r = latefuse(['simulate', '--preset', 'hgsoc', '--seed', '3', '--out', cohortPath]);
  expect(r.code, r.stderr).toBe(0);
  const lines = readFileSync(cohortPath, 'utf8').trim().split('\n');
  header = lines[0].split(',');
  rows = lines.slice(1).map((l) => l.split(','));
});

// Columns of the cohort CSV as a new CSV (only the rows for which keepRow is true).
function project(columns, keepRow = () => true, extra = []) {
  const idx = columns.map((c) => header.indexOf(c));
  const lines = [columns.join(',')];
  rows.forEach((r, i) => { if (keepRow(r, i)) lines.push(idx.map((j) => r[j]).join(',')); });
  return lines.concat(extra).join('\n') + '\n';
}
const colsOf = (m) => header.filter((h) => h.startsWith(`${m}_`));
const hasModality = (m) => {
  const at = colsOf(m).map((c) => header.indexOf(c));
  return (r) => at.some((j) => r[j] !== '');
};

function checkSubset(s, label) {
  for (const k of ['n', 'events', 'c', 'c_lower', 'c_upper', 'permutation_p']) expect(s, `${label}.${k}`).toHaveProperty(k);
  expect(Number.isInteger(s.n)).toBe(true);
  expect(s.events).toBeLessThanOrEqual(s.n);
  // Every subset of this cohort is large enough to evaluate: no silent early exit.
  expect(s.n, `${label}.n`).toBeGreaterThanOrEqual(2);
  expect(s.events, `${label}.events`).toBeGreaterThan(0);
  for (const k of ['c', 'c_lower', 'c_upper', 'permutation_p', 'uno_c', 'ibs']) {
    expect(Number.isFinite(s[k]), `${label}.${k} = ${s[k]}`).toBe(true);
  }
  expect(s.c).toBeGreaterThan(0);
  expect(s.c).toBeLessThan(1);
  expect(s.c_lower).toBeLessThanOrEqual(s.c);
  expect(s.c_upper).toBeGreaterThanOrEqual(s.c);
  expect(s.permutation_p).toBeGreaterThan(0);
  expect(s.permutation_p).toBeLessThanOrEqual(1);
}

describe('latefuse fuse', () => {
  let report;
  let single;

  it('one file: writes a model file and a report with every model, finite and consistent', () => {
    const modelOut = out('model.json');
    const reportOut = out('report.json');
    const r = fuse(['--data', cohortPath, '--id', 'id', '--time', 'time', '--event', 'event', ...modalityArgs,
      '--seed', '3', '--bootstrap', '1000', '--permutations', '1000', '--time-unit', 'months', '--model-out', modelOut, '--report-out', reportOut]);
    expect(r.code, r.stderr).toBe(0);
    single = r.json;
    console.log(`[timing] latefuse fuse, hgsoc seed 3, 1000 bootstrap + 1000 permutations per model and subset: ` +
      `${single.compute_ms} ms in the WASM call (${single.models.length} models)`);
    expect(single.patients).toBe(444);
    report = JSON.parse(readFileSync(reportOut, 'utf8'));
    for (const k of ['settings', 'split', 'horizons', 'models', 'comparisons', 'risk_groups', 'kendall', 'coefficients', 'patterns', 'input', 'warnings']) {
      expect(report, k).toHaveProperty(k);
    }
    expect(report).not.toHaveProperty('model_json');
    expect(report.split.train + report.split.test).toBe(444);
    const kinds = report.models.map((m) => m.kind);
    for (const k of ['unimodal', 'integrator', 'late', 'early']) expect(kinds).toContain(k);
    expect(report.models.filter((m) => m.kind === 'unimodal').map((m) => m.name)).toEqual(MODALITIES);
    for (const m of report.models) {
      expect(Array.isArray(m.modalities)).toBe(true);
      checkSubset(m.test, `${m.name}.test`);
      checkSubset(m.common, `${m.name}.common`);
      expect(m.test.n).toBeLessThanOrEqual(report.split.test);
      if (m.kind !== 'early') expect(m.common.n).toBe(report.split.common_test);
    }
    const late = report.models.find((m) => m.kind === 'late');
    expect(late.test.n).toBe(report.split.test);  // the system scores every test patient
    expect(late.modalities).toEqual(MODALITIES);
    // Kendall: modalities x modalities, symmetric, unit diagonal.
    expect(report.kendall.modalities).toEqual(MODALITIES);
    const tau = report.kendall.tau;
    expect(tau).toHaveLength(4);
    for (let a = 0; a < 4; a++) {
      expect(tau[a][a]).toBe(1);
      for (let b = 0; b < 4; b++) expect(tau[a][b]).toBeCloseTo(tau[b][a], 12);
    }
    // Delta C = C(a) - C(b), inside its interval.
    expect(report.comparisons.map((k) => k.name)).toEqual(['late_vs_early', 'late_vs_best_unimodal', 'late_vs_late_complete_case']);
    for (const k of report.comparisons) {
      expect(k.delta_c).toBeCloseTo(k.c_a - k.c_b, 12);
      expect(k.lower).toBeLessThanOrEqual(k.delta_c);
      expect(k.upper).toBeGreaterThanOrEqual(k.delta_c);
      expect(k.n).toBe(report.split.common_test);
    }
    // Risk groups: training cut-point, every test patient in one group.
    expect(report.risk_groups.cutpoints).toHaveLength(1);
    expect(report.risk_groups.test.groups.reduce((s, g) => s + g.n, 0)).toBe(report.split.test);
    expect(report.risk_groups.train.groups.reduce((s, g) => s + g.n, 0)).toBe(report.split.train);
    // Coefficients with hazard ratios for every submodel and integrator.
    const sub = report.coefficients.filter((t) => t.kind === 'unimodal');
    expect(sub).toHaveLength(4);
    for (const t of report.coefficients) {
      for (const term of t.terms) {
        expect(term.hr).toBeCloseTo(Math.exp(term.coef), 10);
        expect(term.hr_lower).toBeLessThanOrEqual(term.hr);
      }
    }
    // stdout summary agrees with the file.
    expect(single.models.map((m) => m.name)).toEqual(report.models.map((m) => m.name));
    expect(single.models[0].test_c).toBeCloseTo(report.models[0].test.c, 4);
    // The model file.
    const model = JSON.parse(readFileSync(modelOut, 'utf8'));
    expect(model.schema_version).toBe(3);
    expect(model.modalities.map((m) => m.name)).toEqual(MODALITIES);
    expect(model.outcome.time_unit).toBe('months');
    expect(model.horizons).toEqual(report.horizons);
    expect(model.risk_groups.cut_points).toEqual(report.risk_groups.cutpoints);
    expect(model.reference_horizon).toBe(report.horizons[1]);
    expect(report.reference_horizon).toBe(report.horizons[1]);
    // Every integrator of the model file is in the report with the same patients.
    expect(report.integrators.map((g) => [g.pattern, g.patients])).toEqual(model.integrators.map((g) => [g.pattern, g.patients]));
    expect(report.models.find((m) => m.kind === 'late-complete-case').common.n).toBe(report.split.common_test);
  });

  it('several files joined on --id give exactly the same report as one file', () => {
    const outcome = file('outcome.csv', project(['id', 'time', 'event', ...colsOf('clinical')]));
    const extra = ['radiomics', 'histopathology', 'genomic'].map((m) =>
      // each modality file lists only the patients who have it, in reverse order
      file(`${m}.csv`, (() => {
        const text = project(['id', ...colsOf(m)], hasModality(m));
        const [h, ...body] = text.trim().split('\n');
        return [h, ...body.reverse()].join('\n') + '\n';
      })()));
    const reportOut = out('report-join.json');
    const r = fuse(['--data', outcome, ...extra.flatMap((f) => ['--data', f]), '--id', 'id', '--time', 'time', '--event', 'event',
      ...modalityArgs, '--seed', '3', '--bootstrap', '1000', '--permutations', '1000', '--model-out', out('model-join.json'), '--report-out', reportOut]);
    expect(r.code, r.stderr).toBe(0);
    const joined = JSON.parse(readFileSync(reportOut, 'utf8'));
    expect(joined.models).toEqual(report.models);
    expect(joined.comparisons).toEqual(report.comparisons);
    expect(joined.kendall).toEqual(report.kendall);
    expect(joined.input.files).toHaveLength(4);
  });

  it('a split column, tertiles, cross-validation and the reference-compatible preset', () => {
    // Test = every fourth patient.
    const lines = readFileSync(cohortPath, 'utf8').trim().split('\n');
    const withSplit = [lines[0] + ',set', ...lines.slice(1).map((l, i) => `${l},${i % 4 === 0 ? 'test' : 'train'}`)].join('\n') + '\n';
    const data = file('split.csv', withSplit);
    const reportOut = out('report-split.json');
    const r = fuse(['--data', data, '--id', 'id', '--time', 'time', '--event', 'event', ...modalityArgs, '--split', 'set',
      '--risk-groups', 'tertiles', '--folds', '3', '--repeats', '2', '--reference-compatible', '--bootstrap', '100', '--permutations', '100',
      '--model-out', out('model-split.json'), '--report-out', reportOut]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(reportOut, 'utf8'));
    expect(rep.split.test).toBe(111);
    expect(rep.settings.split).toBe('column');
    expect(rep.settings.reference_compatible).toBe(true);
    expect(rep.settings.selection).toBe('screen');
    expect(rep.settings.submodel).toEqual({ penalizer: 0.5 });
    expect(rep.settings.integrator_inputs).toBe('in_sample');
    expect(rep.risk_groups.cutpoints).toHaveLength(2);
    expect(rep.risk_groups.test.groups.map((g) => g.label)).toEqual(['low', 'intermediate', 'high']);
    const cv = rep.cross_validation;
    expect(cv.folds).toBe(3);
    expect(cv.repeats).toBe(2);
    const lateCv = cv.models.find((m) => m.kind === 'late');
    expect(lateCv.test.per_repeat).toHaveLength(2);
    expect(lateCv.test.mean_c).toBeCloseTo((lateCv.test.per_repeat[0] + lateCv.test.per_repeat[1]) / 2, 12);
  });

  const bad = [
    ['a modality nobody has', () => {
      const lines = readFileSync(cohortPath, 'utf8').trim().split('\n');
      const p = file('ghost.csv', [lines[0] + ',ghost_01', ...lines.slice(1).map((l) => `${l},`)].join('\n') + '\n');
      return ['--data', p, '--id', 'id', '--time', 'time', '--event', 'event', ...modalityArgs, '--modality', 'ghost=ghost_*'];
    }, /--modality ghost: no patient has a value/],
    ['an ID missing from the outcome table', () => {
      const outcome = file('outcome2.csv', project(['id', 'time', 'event', ...colsOf('clinical')]));
      const g = file('genomic2.csv', project(['id', ...colsOf('genomic')], hasModality('genomic'), [['P999', ...colsOf('genomic').map(() => '1')].join(',')]));
      return ['--data', outcome, '--data', g, '--id', 'id', '--time', 'time', '--event', 'event',
        '--modality', 'clinical=clinical_*', '--modality', 'genomic=genomic_*'];
    }, /genomic2\.csv: row \d+ has patient ID "P999", which is not in the outcome file/],
    ['a test set with no events', () => {
      const lines = readFileSync(cohortPath, 'utf8').trim().split('\n');
      const ev = header.indexOf('event');
      let marked = 0;
      const body = lines.slice(1).map((l) => {
        const test = l.split(',')[ev] === '0' && marked < 30;
        if (test) marked++;
        return `${l},${test ? 1 : 0}`;
      });
      const p = file('noevents.csv', [lines[0] + ',is_test', ...body].join('\n') + '\n');
      return ['--data', p, '--id', 'id', '--time', 'time', '--event', 'event', ...modalityArgs, '--split', 'is_test'];
    }, /none of the 30 test patients has an event/],
    ['a duplicate ID', () => {
      const p = file('dup.csv', project(['id', 'time', 'event', ...colsOf('clinical')], () => true, [rows[5].slice(0, 3).join(',') + ',' + colsOf('clinical').map(() => '1').join(',')]));
      return ['--data', p, '--id', 'id', '--time', 'time', '--event', 'event', '--modality', 'clinical=clinical_*'];
    }, /dup\.csv: the patient ID "P006" appears twice \(rows 6 and 445\)/],
    ['a column name in two files', () => {
      const a = file('a.csv', project(['id', 'time', 'event', ...colsOf('clinical')]));
      const b = file('b.csv', project(['id', colsOf('clinical')[0]]));
      return ['--data', a, '--data', b, '--id', 'id', '--time', 'time', '--event', 'event', '--modality', 'clinical=clinical_*'];
    }, /the column "clinical_01" is in both .*a\.csv and .*b\.csv/],
    ['several files without --id', () => ['--data', cohortPath, '--data', out('outcome.csv'), '--time', 'time', '--event', 'event', ...modalityArgs],
      /give --id COL/],
    ['--outcome with --time', () => ['--data', cohortPath, '--outcome', 'event', '--time', 'time', ...modalityArgs],
      /either --outcome COL \(binary\) or --time COL --event COL \(survival\), not both/],
    ['elastic-net options without elasticnet', () => ['--data', cohortPath, '--time', 'time', '--event', 'event', ...modalityArgs,
      '--alpha', '0.5'], /--alpha, --lambda-rule and --selection-folds apply to --selection elasticnet only/],
    ['an unknown column', () => ['--data', cohortPath, '--time', 'time', '--event', 'event', '--modality', 'clinical=clinical_01,age'],
      /--modality clinical: no column "age"/],
    ['a prefix that matches nothing', () => ['--data', cohortPath, '--time', 'time', '--event', 'event', '--modality', 'x=proteomics_*'],
      /no column starts with "proteomics_"/],
    ['a column in two modalities', () => ['--data', cohortPath, '--time', 'time', '--event', 'event', '--modality', 'a=clinical_*',
      '--modality', 'b=clinical_01'], /column "clinical_01" is in --modality a and --modality b/],
    ['--split with --test-fraction', () => ['--data', cohortPath, '--time', 'time', '--event', 'event', ...modalityArgs, '--split', 'event',
      '--test-fraction', '0.2'], /either --split or --test-fraction/],
  ];
  for (const [label, args, pattern] of bad) {
    it(`exits 2 with one line for ${label}`, () => {
      const modelOut = out(`bad-model-${label.replace(/\W+/g, '_')}.json`);
      const reportOut = out(`bad-report-${label.replace(/\W+/g, '_')}.json`);
      const r = fuse([...args(), '--bootstrap', '20', '--permutations', '20', '--model-out', modelOut, '--report-out', reportOut]);
      expectOneLineExit2(r, pattern);
      expect(existsSync(modelOut)).toBe(false);
      expect(existsSync(reportOut)).toBe(false);
    });
  }

  it('--help documents the options, binary outcomes and elastic-net selection', () => {
    const r = latefuse(['fuse', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--data', '--id', '--modality', '--split', '--test-fraction', '--folds', '--seed', '--bootstrap', '--permutations',
      '--selection', '--reference-compatible', '--model-out', '--report-out', '--outcome', '--alpha', '--lambda-rule',
      '--selection-folds']) expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toMatch(/NOT SUPPORTED YET/);
    expect(r.stdout).toMatch(/Binary outcome/);
  });
});

describe('fitAndEvaluateFusion (web/lib)', () => {
  let cohort;
  beforeAll(() => {
    const t = parseTable(readFileSync(cohortPath, 'utf8'), { file: 'cohort.csv' });
    const columns = {};
    for (const h of t.header) if (h !== 'id') columns[h] = t.columns.get(h).values;
    const modalities = Object.fromEntries(MODALITIES.map((m) => [m, t.header.filter((h) => h.startsWith(`${m}_`))]));
    cohort = { columns, modalities, time: columns.time, event: columns.event, ids: t.columns.get('id').raw };
  });

  it('reports progress, is seeded, and can be cancelled', async () => {
    const seen = [];
    const a = await fitAndEvaluateFusion({ ...cohort, seed: 5, bootstrap: 100, permutations: 100 }, { onProgress: (f) => { seen.push(f); } });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
    expect(seen.at(-1)).toBeCloseTo(1, 9);
    expect(typeof a.model_json).toBe('string');
    const b = await fitAndEvaluateFusion({ ...cohort, seed: 5, bootstrap: 100, permutations: 100 });
    expect(b.models).toEqual(a.models);
    let calls = 0;
    await expect(fitAndEvaluateFusion({ ...cohort, bootstrap: 100, permutations: 100 }, { onProgress: () => ++calls < 3 }))
      .rejects.toBeInstanceOf(CancelledError);
    const controller = new AbortController();
    controller.abort();
    await expect(fitAndEvaluateFusion(cohort, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('a split array; typed errors', async () => {
    const n = cohort.time.length;
    const split = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'test' : 'train'));
    const r = await fitAndEvaluateFusion({ ...cohort, split, bootstrap: 0, permutations: 0 });
    expect(r.split.test).toBe(Math.ceil(n / 3));
    expect(r.models.find((m) => m.kind === 'late').test.c_lower).toBeNull();  // no bootstrap: null, never NaN
    const noEvents = Array.from({ length: n }, (_, i) => (cohort.event[i] === 0 && i < 100 ? 1 : 0));
    await expect(fitAndEvaluateFusion({ ...cohort, split: noEvents, bootstrap: 0, permutations: 0 })).rejects.toBeInstanceOf(ModelError);
    await expect(fitAndEvaluateFusion({ ...cohort, modalities: { a: ['clinical_01'], b: ['clinical_01'] } })).rejects.toBeInstanceOf(InputError);
    await expect(fitAndEvaluateFusion({ ...cohort, selection: 'elasticnet', alpha: 0 })).rejects.toThrow(/alpha must be in \(0, 1\]/);
    await expect(fitAndEvaluateFusion({ ...cohort, lambdaRule: '1se' })).rejects.toThrow(/apply to selection 'elasticnet' only/);
  });
});
