// Late fusion against an independent R implementation of the whole pipeline
// (tests/r/fusion_independent_golden.R -> tests/golden/fusion_independent.json): `latefuse fuse` on
// the committed data files and settings of each case (in-sample integrator inputs, fixed split), then
// `latefuse score` on every patient. Every submodel's preprocessing and coefficients, every
// integrator (one per combination of modalities with enough training patients), every patient's
// standardised unimodal scores, fused score and scoring integrator, and the test C must match R.
//
// LATEFUSE_CLI=path/to/latefuse.js runs another build of the command (e.g. a worktree's) instead of
// this repository's web/cli/latefuse.js.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTable } from '../../web/lib/index.js';
import { root, path, readJson } from './helpers.js';

const golden = readJson('tests/golden/fusion_independent.json');
const cli = process.env.LATEFUSE_CLI ? resolve(process.env.LATEFUSE_CLI) : path('web/cli/latefuse.js');
const TOL = 1e-6;  // |LateFuse - R| <= TOL * max(1, |R|)

let dir;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-independent-'));
});

function run(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  expect(r.status, `latefuse ${args[0]}: ${r.stderr}`).toBe(0);
  return r;
}

function close(actual, expected, label) {
  expect(typeof actual, `${label}: ${actual}`).toBe('number');
  expect(Math.abs(actual - expected), `${label}: LateFuse ${actual}, R ${expected}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected)));
}

function closeAll(actual, expected, label) {
  expect(actual?.length, `${label} length`).toBe(expected.length);
  expected.forEach((e, i) => close(actual[i], e, `${label}[${i}]`));
}

function fuseArgs(data, s, modelOut, reportOut) {
  return [
    'fuse', ...data.files.flatMap((f) => ['--data', f]), '--id', data.id, '--time', data.time, '--event', data.event,
    '--split', data.split, ...Object.entries(data.modalities).flatMap(([m, cols]) => ['--modality', `${m}=${cols.join(',')}`]),
    '--integrator-inputs', s.integrator_inputs, ...(s.cross_fit_folds ? ['--cross-fit-folds', String(s.cross_fit_folds)] : []), '--scaling', s.scaling, '--outlier-z', String(s.outlier_z),
    '--penalizer', String(s.penalizer), '--integrator-penalizer', String(s.integrator_penalizer),
    '--min-pattern-size', String(s.min_pattern_size), '--ties', s.ties, '--early-fusion', 'none',
    '--bootstrap', '0', '--permutations', '0', '--model-out', modelOut, '--report-out', reportOut,
  ];
}

const patternName = (modalities) => modalities.join('+');
// The cases whose minimum pattern size leaves some patients without their own pattern's integrator.
const WITH_FALLBACK = new Set(['sim_no_complete_integrator', 'tiny_below', 'pbc_fallback_two', 'pbc_cross_fitted', 'pbc_minmax_single_fallback']);

// The cross-fitting fold (1-based) of each training patient from report.json, by patient id.
function reportFolds(report) {
  const cf = report.cross_fitting;
  if (!cf) return undefined;
  return new Map(cf.train_ids.map((id, i) => [String(id), cf.fold[i]]));
}

for (const [name, g] of Object.entries(golden.cases)) {
  const data = golden.data[g.data];
  describe(`${name} (${g.data}; ${g.settings.scaling}, outlier z ${g.settings.outlier_z}, min pattern ${g.settings.min_pattern_size})`, () => {
    let model;
    let report;
    let predictions;
    beforeAll(() => {
      const modelOut = join(dir, `${name}.model.json`);
      const reportOut = join(dir, `${name}.report.json`);
      const predictionsOut = join(dir, `${name}.predictions.csv`);
      run(fuseArgs(data, g.settings, modelOut, reportOut));
      run(['score', '--model', modelOut, ...data.files.flatMap((f) => ['--data', f]), '--id', data.id, '--out', predictionsOut]);
      model = JSON.parse(readFileSync(modelOut, 'utf8'));
      report = JSON.parse(readFileSync(reportOut, 'utf8'));
      predictions = parseTable(readFileSync(predictionsOut, 'utf8'), { file: predictionsOut });
    });

    it('the case exercises what it is meant to (checks of the R golden itself)', () => {
      const sizes = g.integrators.map((i) => i.patients);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(g.settings.min_pattern_size);
      for (const [combination, patients] of Object.entries(g.combination_patients)) {
        const fitted = g.integrators.some((i) => patternName(i.pattern) === combination);
        expect(fitted, combination).toBe(patients >= g.settings.min_pattern_size);
      }
      // a "boundary" case has a combination with exactly min_pattern_size training patients
      if (name.endsWith('_boundary')) expect(sizes).toContain(g.settings.min_pattern_size);
      const fallbacks = g.patients.pattern.filter((p, i) => p !== g.patients.scored_by[i]).length;
      if (WITH_FALLBACK.has(name)) expect(fallbacks).toBeGreaterThan(0);
      else expect(fallbacks).toBe(0);
      if (g.data === 'pbc') {
        const clinical = g.models.find((m) => m.name === 'clinical');
        // male, ascites, hepato, spiders are 0/1: imputed by the mode (hepato's is 1), never outliers
        expect(clinical.binary).toEqual([false, true, true, true, true, false, false]);
        expect(clinical.impute[3]).toBe(1);
        if (g.settings.outlier_z > 0) expect(clinical.outliers_replaced.filter((v, j) => clinical.binary[j])).toEqual([0, 0, 0, 0]);
      }
    });

    if (g.data === 'tiny') {
      it('tiny cohort: preprocessing and the pattern-size boundary worked out by hand (tests/data/fusion_tiny.csv)', () => {
        const [lab, clin] = model.modalities;
        const feature = (m, col) => m.features.find((f) => f.column === col);
        // a: training values 1 2 3 4 6 7 9 10 -> median 5; b: four 0s, four 1s -> the tie gives 0, not 0.5
        expect(feature(lab, 'a').impute_median).toBe(5);
        expect(feature(lab, 'b').impute_median).toBe(0);
        // after imputation a = 1 2 3 4 5 6 7 9 10 and b = 0 1 0 1 0 0 1 0 1 (z-score centres)
        close(feature(lab, 'a').center, 47 / 9, 'a centre');
        close(feature(lab, 'b').center, 4 / 9, 'b centre');
        // c: one 1 among nine -> mode 0; its 1 (z = 2.85 > 2.5) is kept: the outlier step skips 0/1 columns
        expect(feature(clin, 'c').impute_median).toBe(0);
        close(feature(clin, 'c').center, 0.1, 'c centre');
        close(feature(clin, 'c').scale, Math.sqrt(0.1), 'c scale');
        // d: 2 3 4 5 3 _ 100 4 2 5 -> median 4; mean 13.2, SD sqrt(8381.6 / 9) after imputation;
        // 100 (z = 2.84) becomes 4, so the z-score centre is 36 / 10 and the SD sqrt(10.4 / 9)
        expect(feature(clin, 'd').impute_median).toBe(4);
        close(feature(clin, 'd').outlier.mean, 13.2, 'd outlier mean');
        close(feature(clin, 'd').outlier.sd, Math.sqrt(8381.6 / 9), 'd outlier sd');
        close(feature(clin, 'd').center, 3.6, 'd centre');
        close(feature(clin, 'd').scale, Math.sqrt(10.4 / 9), 'd scale');
        // 8 training patients have lab and clin: an integrator at min pattern size 8, none at 9, where
        // the test patients with both (S01, S04) fall back to clin (10 training patients, lab has 9)
        const both = model.integrators.find((i) => patternName(i.pattern) === 'lab+clin');
        if (g.settings.min_pattern_size === 8) expect(both?.patients).toBe(8);
        else expect(both).toBeUndefined();
        const at = new Map(predictions.columns.get('id').raw.map((id, i) => [id, i]));
        for (const id of ['S01', 'S04']) {
          expect(predictions.columns.get('integrator').raw[at.get(id)]).toBe(g.settings.min_pattern_size === 8 ? 'lab+clin' : 'clin');
        }
      });
    }

    if (g.folds) {
      it('cross-fitting: report.json gives every training patient the committed (event-stratified) fold', () => {
        const folds = reportFolds(report);
        expect(folds, 'report.json has no cross-fitting fold assignment').toBeDefined();
        expect(report.cross_fitting.folds).toBe(g.settings.cross_fit_folds);
        expect(report.cross_fitting.stratified_on).toBe('event');
        expect(folds.size).toBe(g.folds.id.length);
        g.folds.id.forEach((id, k) => expect(folds.get(id), `fold of ${id}`).toBe(g.folds.fold[k]));
      });
    }

    it('split and training counts as R', () => {
      expect(report.split.train).toBe(g.split.train);
      expect(report.split.test).toBe(g.split.test);
      expect(report.split.train_events).toBe(g.split.train_events);
      expect(report.split.test_events).toBe(g.split.test_events);
    });

    it('every submodel: imputation (median / 0-1 mode), outlier step, scaling, coefficients, score standardisation', () => {
      expect(model.modalities.map((m) => m.name)).toEqual(g.models.map((m) => m.name));
      g.models.forEach((r, k) => {
        const m = model.modalities[k];
        const label = r.name;
        expect(m.features.map((f) => f.column), label).toEqual(r.columns);
        r.columns.forEach((col, j) => {
          const f = m.features[j];
          close(f.impute_median, r.impute[j], `${label} ${col} imputation value`);
          close(f.center, r.center[j], `${label} ${col} centre`);
          close(f.scale, r.scale[j], `${label} ${col} scale`);
          if (r.outlier_mean) {
            if (r.binary[j]) {
              // the outlier step is off on a 0/1 column
              expect(f.outlier == null || f.outlier.sd === 0, `${label} ${col}: outlier step on a 0/1 column`).toBe(true);
            } else {
              close(f.outlier.mean, r.outlier_mean[j], `${label} ${col} outlier mean`);
              close(f.outlier.sd, r.outlier_sd[j], `${label} ${col} outlier sd`);
              close(f.outlier.median, r.impute[j], `${label} ${col} outlier median`);
            }
          } else {
            expect(f.outlier ?? null, `${label} ${col}: no outlier step`).toBeNull();
          }
        });
        closeAll(m.submodel.cox.coef, r.coef, `${label} coefficients`);
        closeAll(m.submodel.cox.means, r.means, `${label} means`);
        expect(m.submodel.cox.n, `${label} training patients`).toBe(r.patients);
        close(m.score.mean, r.score_mean, `${label} score mean`);
        close(m.score.sd, r.score_sd, `${label} score sd`);
      });
    });

    it('one integrator for every combination with enough training patients, fitted on the intersection', () => {
      const fitted = new Map(model.integrators.map((i) => [patternName(i.pattern), i]));
      expect([...fitted.keys()].sort()).toEqual(g.integrators.map((i) => patternName(i.pattern)).sort());
      for (const r of g.integrators) {
        const i = fitted.get(patternName(r.pattern));
        const label = `integrator ${patternName(r.pattern)}`;
        expect(i.patients, `${label} patients`).toBe(r.patients);
        expect(i.cox.n, `${label} n`).toBe(r.patients);
        closeAll(i.cox.coef, r.coef, `${label} coefficients`);
        closeAll(i.cox.means, r.means, `${label} means`);
      }
    });

    it("report.json's integrators: patients, events, coefficients and the test patients each one scored", () => {
      expect(report.integrators.map((i) => patternName(i.pattern)).sort()).toEqual(g.integrators.map((i) => patternName(i.pattern)).sort());
      const testRows = g.patients.id.map((_, k) => k).filter((k) => g.patients.test[k] === 1);
      for (const r of g.integrators) {
        const name = patternName(r.pattern);
        const i = report.integrators.find((x) => patternName(x.pattern) === name);
        expect(i.patients, `${name} patients`).toBe(r.patients);
        expect(i.events, `${name} events`).toBe(r.events);
        closeAll(i.coef, r.coef, `${name} coefficients`);
        const scored = testRows.filter((k) => g.patients.scored_by[k] === name);
        expect(i.scored_test_patients, `${name}: test patients scored`).toBe(scored.length);
        expect(i.scored_test_fallback, `${name}: test patients scored as a fallback`)
          .toBe(scored.filter((k) => g.patients.pattern[k] !== name).length);
      }
    });

    it("every patient's unimodal scores, fused score and scoring integrator (latefuse score)", () => {
      const col = (c) => predictions.columns.get(c).raw;
      const at = new Map(col('id').map((id, i) => [id, i]));
      const fused = predictions.columns.get('fused_lp').values;
      expect(at.size).toBe(g.patients.id.length);
      g.patients.id.forEach((id, k) => {
        const i = at.get(id);
        expect(i, `patient ${id} scored`).toBeDefined();
        expect(col('pattern')[i], `patient ${id} pattern`).toBe(g.patients.pattern[k]);
        expect(col('integrator')[i], `patient ${id} integrator`).toBe(g.patients.scored_by[k]);
        close(fused[i], g.patients.fused[k], `patient ${id} fused score`);
        for (const [m, scores] of Object.entries(g.patients.unimodal)) {
          const v = predictions.columns.get(`${m}_score`).values[i];
          if (scores[k] === null) expect(Number.isNaN(v), `patient ${id} ${m} score absent`).toBe(true);
          else close(v, scores[k], `patient ${id} ${m} score`);
        }
      });
    });

    it("the report's test patients and test C", () => {
      const testIds = g.patients.id.filter((_, k) => g.patients.test[k] === 1);
      const testFused = g.patients.fused.filter((_, k) => g.patients.test[k] === 1);
      const byId = new Map(report.test_patients.ids.map((id, i) => [String(id), report.test_patients.late_score[i]]));
      expect(byId.size).toBe(testIds.length);
      testIds.forEach((id, k) => close(byId.get(id), testFused[k], `test patient ${id} late score`));
      const scoredBy = new Map(report.test_patients.ids.map((id, i) => [String(id), patternName(report.test_patients.scored_by[i])]));
      g.patients.id.forEach((id, k) => {
        if (g.patients.test[k] === 1) expect(scoredBy.get(id), `test patient ${id} scored by`).toBe(g.patients.scored_by[k]);
      });
      const late = report.models.find((m) => m.kind === 'late');
      expect(late.test.n).toBe(g.test_c.n);
      expect(late.test.events).toBe(g.test_c.events);
      close(late.test.c, g.test_c.c, 'test C of late fusion');
    });
  });
}
