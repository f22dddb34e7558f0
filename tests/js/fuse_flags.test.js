// `latefuse fuse` engine flags (the web app's settings): each reaches report.json "settings" and the
// model file, and changes the fit as it should; a bad value exits 2 with one line.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latefuse } from './helpers.js';

let dir;
let cohort;
let base;   // the default fit: {report, model}
const out = (name) => join(dir, name);
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'].flatMap((m) => ['--modality', `${m}=${m}_*`]);

function fuse(name, flags, data = cohort) {
  const r = latefuse(['fuse', '--data', data, '--id', 'id', '--time', 'time', '--event', 'event', ...MODALITIES,
    '--bootstrap', '0', '--permutations', '0', '--seed', '4', ...flags,
    '--model-out', out(`${name}.model.json`), '--report-out', out(`${name}.report.json`)]);
  expect(r.code, r.stderr).toBe(0);
  return {
    report: JSON.parse(readFileSync(out(`${name}.report.json`), 'utf8')),
    model: JSON.parse(readFileSync(out(`${name}.model.json`), 'utf8')),
  };
}

const submodelCoefs = (f) => f.model.modalities.map((m) => m.submodel.cox.coef);
const integratorCoefs = (f) => Object.fromEntries(f.model.integrators.map((i) => [i.pattern.join('+'), i.cox.coef]));
const sumSquares = (v) => v.reduce((s, x) => s + x * x, 0);

/**
 * Refit each submodel of a fit from its documented recipe and return the largest relative
 * difference of its coefficients: the modality's training patients (not in the report's test ids,
 * with a value in at least one of its columns — presence 'any'), missing cells replaced by the model
 * file's training medians, z-scored with its centres and scales, then `latefuse cox` (checked against
 * R's coxph in cox_golden.json) with the fit's ties and ridge theta = n x penalizer (scale = FALSE).
 */
function refitSubmodels(f, data, ties) {
  const test = new Set(f.report.test_patients.ids);
  const [header, ...rows] = readFileSync(data, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
  const at = (name) => header.indexOf(name);
  return f.model.modalities.map((mo) => {
    const cols = mo.features.map((x) => at(x.column));
    const train = rows.filter((r) => !test.has(r[at('id')]) && cols.some((j) => r[j] !== ''));
    const csv = [`time,event,${mo.features.map((x) => x.column).join(',')}`, ...train.map((r) => [r[at('time')], r[at('event')],
      ...mo.features.map((x, k) => String(((r[cols[k]] === '' ? x.impute_median : Number(r[cols[k]])) - x.center) / x.scale))].join(','))];
    const file = out(`refit-${mo.name}.csv`);
    writeFileSync(file, `${csv.join('\n')}\n`);
    const theta = train.length * f.model.training.settings.submodel_ridge.penalizer;
    const c = latefuse(['cox', '--data', file, '--time', 'time', '--event', 'event', '--covariates', mo.features.map((x) => x.column).join(','),
      '--ties', ties, '--ridge-theta', String(theta)]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.json.n, `${mo.name} training patients`).toBe(mo.training.patients);
    return Math.max(...mo.submodel.cox.coef.map((b, k) => Math.abs(b - c.json.coef[k]) / Math.max(Math.abs(b), 1e-12)));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-fuse-flags-'));
  cohort = out('cohort.csv');
  // Times to 0.01 month (ties occur), 5% of cells missing (so presence 'all' differs from 'any').
  const r = latefuse(['simulate', '--preset', 'hgsoc', '--seed', '11', '--n', '300', '--features', '8', '--missing-cells', '0.05', '--out', cohort]);
  expect(r.code, r.stderr).toBe(0);
  base = fuse('base', []);
});

describe('latefuse fuse engine flags', () => {
  it('defaults are recorded in the settings', () => {
    const s = base.report.settings;
    expect([s.presence, s.scaling, s.outlier_z, s.submodel.penalizer, s.integrator.penalizer, s.integrator_inputs, s.cross_fit_folds,
      s.min_pattern_size, s.early_fusion, s.ties, s.risk_groups])
      .toEqual(['any', 'zscore', 0, 0.1, 0.1, 'cross_fitted', 5, 20, 'complete_cases', 'efron', 'median']);
    expect(base.model.training.settings.presence).toBe('any');
  });

  it('--presence all: a modality with an empty cell is absent, so the patterns change', () => {
    const f = fuse('presence', ['--presence', 'all']);
    expect(f.report.settings.presence).toBe('all');
    expect(f.model.modalities.every((m) => m.presence === 'all')).toBe(true);
    const count = (x) => Object.fromEntries(x.model.training.patterns.map((p) => [p.modalities.join('+'), p.patients]));
    expect(count(f)).not.toEqual(count(base));
    const patients = (x, m) => x.model.modalities.find((mo) => mo.name === m).training.patients;
    for (const m of ['radiomics', 'histopathology', 'genomic', 'clinical']) expect(patients(f, m)).toBeLessThan(patients(base, m));
  });

  it('--scaling minmax and --outlier-z change the preprocessing and the submodels', () => {
    const f = fuse('scaling', ['--scaling', 'minmax', '--outlier-z', '2']);
    expect(f.report.settings.scaling).toBe('minmax');
    expect(f.report.settings.outlier_z).toBe(2);
    expect(f.model.training.settings.outlier_z).toBe(2);
    expect(f.model.modalities[0].features[0].outlier).toBeDefined();
    expect(base.model.modalities[0].features[0].outlier).toBeUndefined();
    expect(f.model.modalities[0].features[0].scale).not.toBe(base.model.modalities[0].features[0].scale);
    expect(submodelCoefs(f)[0]).not.toEqual(submodelCoefs(base)[0]);
  });

  it('--penalizer shrinks the submodels; --integrator-penalizer only the integrators', () => {
    const p = fuse('penalizer', ['--penalizer', '1']);
    expect(p.report.settings.submodel.penalizer).toBe(1);
    expect(p.model.training.settings.submodel_ridge.penalizer).toBe(1);
    submodelCoefs(p).forEach((c, m) => expect(sumSquares(c)).toBeLessThan(sumSquares(submodelCoefs(base)[m])));
    // The submodels are ridge fits with theta = n x 1 on their training data.
    refitSubmodels(p, cohort, 'efron').forEach((d, m) => expect(d, p.model.modalities[m].name).toBeLessThan(1e-10));
    const i = fuse('ipenalizer', ['--integrator-penalizer', '2']);
    expect(i.report.settings.integrator.penalizer).toBe(2);
    expect(submodelCoefs(i)).toEqual(submodelCoefs(base));
    for (const [pattern, c] of Object.entries(integratorCoefs(i))) expect(sumSquares(c)).toBeLessThan(sumSquares(integratorCoefs(base)[pattern]));
  });

  it('--integrator-inputs in-sample and --cross-fit-folds change the integrators, not the submodels', () => {
    const inSample = fuse('insample', ['--integrator-inputs', 'in-sample']);
    expect(inSample.report.settings.integrator_inputs).toBe('in_sample');
    expect(inSample.report.settings.cross_fit_folds).toBeNull();
    expect(inSample.model.training.settings.cross_fit).toBe(false);
    expect(submodelCoefs(inSample)).toEqual(submodelCoefs(base));
    const folds = fuse('folds', ['--cross-fit-folds', '3']);
    expect(folds.report.settings.cross_fit_folds).toBe(3);
    expect(folds.model.training.settings.folds).toBe(3);
    expect(submodelCoefs(folds)).toEqual(submodelCoefs(base));
    for (const [pattern, c] of Object.entries(integratorCoefs(base))) {
      expect(integratorCoefs(inSample)[pattern], pattern).not.toEqual(c);
      expect(integratorCoefs(folds)[pattern], pattern).not.toEqual(c);
    }
  });

  it('--min-pattern-size gives integrators only to combinations that many training patients have in full', () => {
    const f = fuse('minpattern', ['--min-pattern-size', '90']);
    expect(f.report.settings.min_pattern_size).toBe(90);
    expect(f.model.integrators.length).toBeGreaterThan(0);
    expect(f.model.integrators.length).toBeLessThan(base.model.integrators.length);
    expect(f.model.integrators.every((i) => i.patients >= 90)).toBe(true);
    // Every combination that at least 90 training patients have in full is fitted.
    const have = (combination) => f.model.training.patterns
      .filter((p) => combination.every((m) => p.modalities.includes(m))).reduce((a, p) => a + p.patients, 0);
    for (const i of base.model.integrators) expect(f.model.integrators.some((g) => g.pattern.join() === i.pattern.join())).toBe(have(i.pattern) >= 90);
  });

  it('--early-fusion imputed | none', () => {
    const early = (x) => x.report.models.find((m) => m.kind === 'early');
    const imputed = fuse('imputed', ['--early-fusion', 'imputed']);
    expect(imputed.report.settings.early_fusion).toBe('imputed');
    expect(imputed.model.early_fusion.mode).toBe('impute');
    expect(base.model.early_fusion.mode).toBe('complete-case');
    expect(early(imputed).test.n).toBeGreaterThan(early(base).test.n);
    const none = fuse('noearly', ['--early-fusion', 'none']);
    expect(none.report.settings.early_fusion).toBe('off');
    expect(none.model.early_fusion).toBeNull();
    expect(early(none)).toBeUndefined();
  });

  it('--ties breslow fits every Cox model with Breslow ties', () => {
    // Whole months: many tied event times (Efron and Breslow differ only at ties).
    const lines = readFileSync(cohort, 'utf8').trimEnd().split('\n');
    const months = [lines[0], ...lines.slice(1).map((l) => {
      const c = l.split(',');
      c[1] = String(Math.ceil(Number(c[1])));
      return c.join(',');
    })].join('\n') + '\n';
    writeFileSync(out('months.csv'), months);
    const efron = fuse('efron', [], out('months.csv'));
    const f = fuse('breslow', ['--ties', 'breslow'], out('months.csv'));
    expect(f.report.settings.ties).toBe('breslow');
    expect(efron.report.settings.ties).toBe('efron');
    expect(f.model.modalities.every((m) => m.submodel.cox.ties === 'breslow')).toBe(true);
    expect(f.model.integrators.every((i) => i.cox.ties === 'breslow')).toBe(true);
    // Each submodel is the Breslow fit of its training data, and the Efron run the Efron fit.
    refitSubmodels(f, out('months.csv'), 'breslow').forEach((d, m) => expect(d, f.model.modalities[m].name).toBeLessThan(1e-10));
    refitSubmodels(efron, out('months.csv'), 'efron').forEach((d, m) => expect(d, efron.model.modalities[m].name).toBeLessThan(1e-10));
    submodelCoefs(f).forEach((c, m) => expect(c, f.model.modalities[m].name).not.toEqual(submodelCoefs(efron)[m]));
  });

  it('--reference-compatible with an override keeps the override', () => {
    const f = fuse('refcompat', ['--reference-compatible', '--integrator-inputs', 'cross-fitted', '--scaling', 'zscore']);
    expect(f.report.settings.reference_compatible).toBe(true);
    expect(f.report.settings.integrator_inputs).toBe('cross_fitted');
    expect(f.report.settings.scaling).toBe('zscore');
    expect(f.report.settings.outlier_z).toBe(5);
    expect(f.report.settings.submodel.penalizer).toBe(0.5);
  });

  const bad = [
    [['--presence', 'some'], /--presence must be one of any, all; got "some"/],
    [['--scaling', 'log'], /--scaling must be one of zscore, minmax, none; got "log"/],
    [['--outlier-z', '-1'], /--outlier-z must be >= 0 \(0 = no outlier step\); got -1/],
    [['--outlier-z', 'big'], /--outlier-z needs a number, got "big"/],
    [['--penalizer', '-0.1'], /--penalizer must be >= 0; got -0.1/],
    [['--integrator-penalizer', '-2'], /--integrator-penalizer must be >= 0; got -2/],
    [['--integrator-inputs', 'oof'], /--integrator-inputs must be one of cross-fitted, in-sample; got "oof"/],
    [['--cross-fit-folds', '1'], /--cross-fit-folds must be at least 2; got 1/],
    [['--cross-fit-folds', '2.5'], /--cross-fit-folds needs a whole number, got "2.5"/],
    [['--cross-fit-folds', '3', '--integrator-inputs', 'in-sample'], /--cross-fit-folds applies to cross-fitted integrator inputs/],
    [['--cross-fit-folds', '3', '--reference-compatible'], /--cross-fit-folds applies to cross-fitted integrator inputs/],
    [['--early-fusion', 'yes'], /--early-fusion must be one of complete-case, imputed, none; got "yes"/],
    [['--ties', 'exact'], /--ties must be one of efron, breslow; got "exact"/],
  ];
  for (const [flags, message] of bad) {
    it(`exits 2 with one line for ${flags.join(' ')}`, () => {
      const r = latefuse(['fuse', '--data', cohort, '--id', 'id', '--time', 'time', '--event', 'event', ...MODALITIES, ...flags,
        '--model-out', out('bad.json'), '--report-out', out('bad-report.json')]);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('--ties with a binary --outcome is an error', () => {
    const r = latefuse(['fuse', '--data', cohort, '--id', 'id', '--outcome', 'event', ...MODALITIES, '--ties', 'breslow',
      '--model-out', out('bad.json'), '--report-out', out('bad-report.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('latefuse: --ties applies to Cox models (survival outcomes) only, not to --outcome\n');
  });

  it('--help lists every engine flag', () => {
    const help = latefuse(['fuse', '--help']).stdout;
    for (const flag of ['--presence RULE', '--scaling METHOD', '--outlier-z Z', '--penalizer P', '--integrator-penalizer P',
      '--integrator-inputs KIND', '--cross-fit-folds K', '--min-pattern-size M', '--early-fusion MODE', '--risk-groups METHOD', '--ties METHOD']) {
      expect(help, flag).toContain(flag);
    }
    expect(help).toMatch(/\(cross-fitted\|in-sample\)/);
    expect(help).toMatch(/\(complete-case\|imputed\|none\)/);
  });
});
