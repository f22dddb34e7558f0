// Binary outcomes and elastic-net selection in late fusion, through the WASM core: fitAndEvaluateFusion
// against R (tests/golden/fusion_binary.json, tests/r/fusion_binary_golden.R), `latefuse fuse --outcome`
// and `latefuse score` end to end on the binary model, `--selection elasticnet`, and the errors.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitAndEvaluateFusion, parseTable, validateModel, roundTripModel, scoreModel, InputError } from '../../web/lib/index.js';
import { latefuse, readJson, readText, expectClose } from './helpers.js';
import { checkSchema } from './schema-check.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const modalityArgs = MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]);
const golden = readJson('tests/golden/fusion_binary.json');
const schema = readJson('models/schema.json');
let dir;
const out = (name) => join(dir, name);

function cohortOf(text, file) {
  const t = parseTable(text, { file });
  const columns = {};
  for (const h of t.header) if (h !== 'id') columns[h] = t.columns.get(h).values;
  const modalities = Object.fromEntries(MODALITIES.map((m) => [m, t.header.filter((h) => h.startsWith(`${m}_`))]));
  return { t, columns, modalities, ids: t.columns.get('id').raw };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-binary-'));
});

describe('binary late fusion (web/lib, WASM) against R', () => {
  for (const name of ['glm', 'ridge']) {
    it(`${name}: coefficients, fused lp and AUC as R`, async () => {
      const g = golden.cases[name];
      const { columns, modalities, ids } = cohortOf(readText('tests/data/sim_binary.csv'), 'sim_binary.csv');
      const { y, ...features } = columns;
      const n = y.length;
      const split = Array.from({ length: n }, (_, i) => ((i + 1) % 3 === 0 ? 1 : 0));
      const r = await fitAndEvaluateFusion({
        columns: features, modalities, outcome: Array.from(y), ids, split, bootstrap: 0, permutations: 0,
        penalizer: g.penalizer, integratorPenalizer: g.penalizer, integratorInputs: 'in_sample', earlyFusion: false,
        minPatternSize: golden.min_pattern_size,
      });
      const tol = g.penalizer === 0 ? 1e-8 : 1e-6;
      expect(r.settings.outcome_type).toBe('binary');
      const late = r.models.find((m) => m.kind === 'late');
      expectClose(late.test.c, g.test_auc, 1e-12, 'AUC');
      expectClose(late.test.brier, g.test_brier, tol, 'Brier');
      expect(late.test.uno_c).toBeNull();
      expect(late.test.auc).toBeNull();
      expect(late.test.ibs).toBeNull();
      expect(late.test.cases + late.test.controls).toBe(late.test.n);
      expect(r.test_patients.ids).toEqual(g.test_rows.map((i) => ids[i]));
      r.test_patients.late_score.forEach((v, k) => expect(Math.abs(v - g.test_fused[k]), `patient ${k}`).toBeLessThanOrEqual(tol));
      g.models.forEach((mm, m) => {
        const table = r.coefficients.find((t) => t.model === MODALITIES[m]);
        expect(table.terms[0].name).toBe('(Intercept)');
        table.terms.forEach((term, j) => {
          expect(Math.abs(term.coef - mm.coef[j]), `${MODALITIES[m]} ${term.name}`).toBeLessThanOrEqual(tol);
          expectClose(term.or, Math.exp(term.coef), 1e-12, 'odds ratio');
        });
      });
      // The model file predicts R's probabilities for the test patients.
      const testColumns = Object.fromEntries(Object.entries(features).map(([k, v]) => [k, g.test_rows.map((i) => v[i])]));
      const p = await scoreModel(r.model_json, { columns: testColumns });
      expect(p.outcome_type).toBe('binary');
      p.probability.forEach((v, k) => expect(Math.abs(v - g.test_probability[k]), `probability ${k}`).toBeLessThanOrEqual(tol));
    });
  }

  it('rejects a missing or non-0/1 outcome naming the patient, and outcome with time', async () => {
    const { columns, modalities, ids } = cohortOf(readText('tests/data/sim_binary.csv'), 'sim_binary.csv');
    const { y, ...features } = columns;
    const bad = Array.from(y);
    bad[7] = null;
    await expect(fitAndEvaluateFusion({ columns: features, modalities, outcome: bad, ids })).rejects.toThrow(/patient "P008" \(row 8\) is missing/);
    bad[7] = 2;
    await expect(fitAndEvaluateFusion({ columns: features, modalities, outcome: bad, ids })).rejects.toBeInstanceOf(InputError);
    await expect(fitAndEvaluateFusion({ columns: features, modalities, outcome: Array.from(y), time: y, event: y })).rejects
      .toThrow(/either outcome .* or time and event/);
    await expect(fitAndEvaluateFusion({ columns: features, modalities, outcome: Array.from(y), selection: 'elasticnet' })).rejects
      .toThrow(/elastic-net selection needs a survival outcome/);
  });
});

describe('latefuse simulate/fuse/score with a binary outcome', () => {
  it('simulate --outcome binary writes the committed data set byte for byte (native = WASM)', () => {
    const r = latefuse(['simulate', '--outcome', 'binary', '--n', '300', '--seed', '11', '--features', '5', '--out', out('b.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.outcome).toBe('binary');
    expect(r.json.cases + r.json.controls).toBe(300);
    expect(readFileSync(out('b.csv'), 'utf8')).toBe(readText('tests/data/sim_binary.csv'));
    latefuse(['simulate', '--n', '300', '--seed', '5', '--features', '8', '--out', out('s.csv')]);
    expect(readFileSync(out('s.csv'), 'utf8')).toBe(readText('tests/data/sim_survival.csv'));
    const bad = latefuse(['simulate', '--outcome', 'binary', '--censoring', '0.3', '--out', out('x.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--censoring applies to survival outcomes only/);
  });

  it('fuse --outcome: report, schema-valid model file, score writes probabilities', () => {
    const r = latefuse(['fuse', '--data', 'tests/data/sim_binary.csv', '--id', 'id', '--outcome', 'y', ...modalityArgs, '--folds', '3',
      '--bootstrap', '100', '--permutations', '100', '--risk-groups', 'tertiles', '--model-out', out('m.json'), '--report-out', out('r.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.outcome_type).toBe('binary');
    expect(Number.isFinite(r.json.risk_groups.test_chisq_p)).toBe(true);
    const report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
    expect(report.settings.outcome_type).toBe('binary');
    expect(report.input.outcome).toBe('y');
    expect(typeof report.survival_metrics_note).toBe('string');
    for (const m of report.models) {
      for (const k of ['c', 'c_lower', 'c_upper', 'permutation_p', 'delong_lower', 'delong_upper', 'brier', 'calibration_slope']) {
        expect(Number.isFinite(m.test[k]), `${m.name} ${k}`).toBe(true);
      }
    }
    expect(report.risk_groups.test.groups).toHaveLength(3);
    for (const g of report.risk_groups.test.groups) expect(g.proportion_lower).toBeLessThanOrEqual(g.proportion);
    expect(report.cross_validation.models.find((m) => m.kind === 'late').test.mean_c).toBeGreaterThan(0.5);

    const text = readFileSync(out('m.json'), 'utf8');
    const doc = JSON.parse(text);
    expect(doc.outcome.type).toBe('binary');
    expect(doc.horizons).toEqual([]);
    expect(checkSchema(schema, doc)).toEqual([]);

    const s = latefuse(['score', '--model', out('m.json'), '--data', 'tests/data/sim_binary.csv', '--out', out('p.csv')]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json.outcome_type).toBe('binary');
    const lines = readFileSync(out('p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`id,pattern,${MODALITIES.map((m) => `${m}_score`).join(',')},fused_lp,risk_group,probability,percentile,integrator,note,${MODALITIES.map((m) => `${m}_contribution`).join(',')}`);
    expect(lines).toHaveLength(301);
    const h = lines[0].split(',');
    for (const line of lines.slice(1)) {
      const c = line.split(',');
      const p = Number(c[h.indexOf('probability')]);
      expect(p > 0 && p < 1).toBe(true);
      // A patient scored by an integrator of its own pattern: probability = logistic(fused lp).
      if (c[h.indexOf('pattern')] === c[h.indexOf('integrator')] && c[h.indexOf('pattern')].includes('+')) {
        expectClose(p, 1 / (1 + Math.exp(-Number(c[h.indexOf('fused_lp')]))), 1e-12, 'probability');
      }
    }
  });

  it('round-trips the binary model and rejects tampered files with the JSON path', async () => {
    const text = readFileSync(out('m.json'), 'utf8');
    expect(await roundTripModel(text)).toBe(text);
    const summary = await validateModel(text);
    expect(summary.outcome_type).toBe('binary');
    const doc = JSON.parse(text);
    doc.integrators[0].logistic.var.pop();
    await expect(validateModel(doc)).rejects.toThrow(/integrators\[0\]\.logistic\.var has/);
    const doc2 = JSON.parse(text);
    doc2.outcome.type = 'ordinal';
    await expect(validateModel(doc2)).rejects.toThrow(/outcome\.type is 'ordinal'/);
  });

  it('exits 2 with one line naming file, row and column for a bad outcome cell', () => {
    const lines = readText('tests/data/sim_binary.csv').split('\n');
    const c = lines[5].split(',');
    c[1] = '';
    lines[5] = c.join(',');
    writeFileSync(out('bad.csv'), lines.join('\n'));
    const r = latefuse(['fuse', '--data', out('bad.csv'), '--id', 'id', '--outcome', 'y', ...modalityArgs, '--model-out', out('x.json'),
      '--report-out', out('y.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv: outcome column "y" must be 0\/1 or TRUE\/FALSE but row 5 \(patient "P005"\) is empty/);
    c[1] = 'maybe';
    lines[5] = c.join(',');
    writeFileSync(out('bad.csv'), lines.join('\n'));
    const r2 = latefuse(['fuse', '--data', out('bad.csv'), '--outcome', 'y', ...modalityArgs, '--model-out', out('x.json'), '--report-out', out('y.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/row 5 has "maybe"/);
    const r3 = latefuse(['fuse', '--data', 'tests/data/sim_binary.csv', '--outcome', 'y', ...modalityArgs, '--selection', 'elasticnet',
      '--model-out', out('x.json'), '--report-out', out('y.json')]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/elastic-net selection needs a survival outcome; use --selection screen or none/);
    // TRUE/FALSE is accepted like 0/1.
    const tf = readText('tests/data/sim_binary.csv').split('\n').map((l, i) => {
      if (i === 0 || l === '') return l;
      const cells = l.split(',');
      cells[1] = cells[1] === '1' ? 'TRUE' : 'FALSE';
      return cells.join(',');
    });
    writeFileSync(out('tf.csv'), tf.join('\n'));
    const r4 = latefuse(['fuse', '--data', out('tf.csv'), '--outcome', 'y', ...modalityArgs, '--bootstrap', '0', '--permutations', '0',
      '--model-out', out('tf-m.json'), '--report-out', out('tf-r.json')]);
    expect(r4.code, r4.stderr).toBe(0);
    expect(r4.json.split.train_events + r4.json.split.test_events).toBe(148);
  });
});

describe('latefuse fuse --selection elasticnet', () => {
  it('selects per modality, records the lambdas in the model file, and scores', () => {
    const r = latefuse(['fuse', '--data', 'tests/data/sim_survival.csv', '--time', 'time', '--event', 'event', ...modalityArgs,
      '--selection', 'elasticnet', '--alpha', '0.5', '--lambda-rule', '1se', '--selection-folds', '4', '--bootstrap', '50',
      '--permutations', '50', '--model-out', out('en.json'), '--report-out', out('en-r.json')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out('en-r.json'), 'utf8'));
    expect(report.settings.selection).toBe('elasticnet');
    expect(report.settings.elastic_net).toEqual({ alpha: 0.5, lambda_rule: '1se', folds: 4 });
    const doc = JSON.parse(readFileSync(out('en.json'), 'utf8'));
    expect(checkSchema(schema, doc)).toEqual([]);
    expect(doc.training.settings.elastic_net).toEqual({ alpha: 0.5, lambda_rule: '1se', folds: 4 });
    for (const m of doc.modalities) {
      expect(m.elastic_net.lambda).toBe(m.elastic_net.lambda_1se);
      expect(m.elastic_net.lambda_1se).toBeGreaterThanOrEqual(m.elastic_net.lambda_min);
      const selected = m.features.filter((f) => f.screening === 'selected' || f.screening === 'selected_by_fallback').map((f) => f.column);
      expect(selected).toEqual(m.submodel.features);
      expect(m.features.every((f) => ['selected', 'selected_by_fallback', 'elastic_net_zero'].includes(f.screening))).toBe(true);
    }
    const s = latefuse(['score', '--model', out('en.json'), '--data', 'tests/data/sim_survival.csv', '--out', out('en-p.csv')]);
    expect(s.code, s.stderr).toBe(0);
  });
});

describe('shipped survival model files after the binary/elastic-net additions', () => {
  for (const f of ['models/hgsoc-synthetic.latefuse.json', 'models/rotterdam.latefuse.json']) {
    it(`${f} stays schema-valid and round-trips byte for byte`, async () => {
      const text = readText(f);
      expect(await roundTripModel(text)).toBe(text);
      expect((await validateModel(text)).outcome_type).toBe('survival');
      expect(checkSchema(schema, JSON.parse(text))).toEqual([]);
    });
  }
});
