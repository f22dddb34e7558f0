// The scoring API the Score tab uses (WASM): a model loaded once (loadScoringModel), S(t) at
// caller-given times, skipping unscorable patients (also `latefuse score --skip-unscorable`), and the
// model file's external-validation section (`latefuse evaluate --attach-to`, addModelValidation,
// modelWithoutValidation), including the shipped Rotterdam model's GBSG entry.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exampleModel, validateModel, scoreModel, scoreModelFromScores, scoreTables, predictionsCsv, parseTable, loadScoringModel,
  ScoringModel, addModelValidation, modelWithoutValidation, roundTripModel, InputError,
} from '../../web/lib/index.js';
import { latefuse, readJson, readText } from './helpers.js';
import { checkSchema } from './schema-check.js';

let dir;
let example;   // {model, csv}
let table;
let summary;
const file = (name) => join(dir, name);
const TIMES = [0, 2.5, 12, 30, 47.25, 80];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-model-api-'));
  example = await exampleModel({ n: 200, seed: 5, horizons: [12, 24, 60] });
  table = parseTable(example.csv, { file: 'cohort.csv' });
  summary = await validateModel(example.model);
  writeFileSync(file('model.json'), example.model);
  writeFileSync(file('cohort.csv'), example.csv);
});

const columnsOf = (t, names) => Object.fromEntries(names.map((n) => [n, t.columns.get(n).values]));
const arrays = (p) => p.survival.map((h) => [Array.from(h.surv), Array.from(h.lower), Array.from(h.upper)]);
const withHorizons = (text, horizons) => { const d = JSON.parse(text); d.horizons = horizons; return JSON.stringify(d); };

describe('loadScoringModel', () => {
  it('scores exactly as the one-shot functions, many times, until disposed', async () => {
    const model = await loadScoringModel(example.model);
    expect(model).toBeInstanceOf(ScoringModel);
    expect(model.summary).toEqual(summary);
    expect(await validateModel(model)).toBe(model.summary);
    const ids = Array.from(table.columns.get('id').raw);
    const input = { columns: columnsOf(table, summary.columns), ids };
    const once = await scoreModel(example.model, input);
    for (let k = 0; k < 3; k++) {
      const p = model.score(input);
      expect(p).toEqual(once);
    }
    expect(await scoreModel(model, input)).toEqual(once);
    const scores = Object.fromEntries(once.modalities.map((m) => [m, once.scores[m]]));
    expect(model.scoreFromScores({ scores, ids })).toEqual(await scoreModelFromScores(example.model, { scores, ids }));
    expect(model.scoreTables([table])).toEqual(await scoreTables(example.model, [table]));
    expect(await scoreTables(model, [table])).toEqual(await scoreTables(example.model, [table]));
    // Two loaded models are independent; a disposed one says so.
    const other = await loadScoringModel(withHorizons(example.model, [6]));
    expect(other.score(input).survival.map((h) => h.time)).toEqual([6]);
    other.dispose();
    other.dispose();
    expect(other.disposed).toBe(true);
    expect(() => other.score(input)).toThrow(/this model was disposed; load the model file again/);
    expect(model.score(input).survival.map((h) => h.time)).toEqual([12, 24, 60]);
    model.dispose();
    expect(() => model.scoreFromScores({ scores, ids })).toThrow(InputError);
    // A damaged file fails to load with the JSON path, as validateModel.
    const d = JSON.parse(example.model);
    d.modalities[1].score.sd = -1;
    await expect(loadScoringModel(JSON.stringify(d))).rejects.toThrow(/modalities\[1\]\.score\.sd must be > 0/);
  });

  it('summarises the baselines for S(t) curves', () => {
    const doc = JSON.parse(example.model);
    // A submodel keeps its baseline only when its modality has no integrator of its own (then it can
    // score a patient alone); this example has one per modality, so the integrators' baselines are all.
    expect(doc.modalities.every((m) => !('baseline' in m.submodel.cox) && !('var' in m.submodel.cox))).toBe(true);
    // The integrators' baselines are recomputed on load (schema_version 3): an integrator's event
    // times are those of the training patients in integrator_training with every modality of its pattern.
    const t = doc.integrator_training;
    const column = (name) => t.scores[doc.modalities.findIndex((m) => m.name === name)];
    const eventTimes = (i) => t.time.filter((x, r) => t.event[r] === 1 && i.pattern.every((name) => column(name)[r] !== null));
    expect(doc.integrators.every((i) => !('baseline' in i.cox) && 'baseline_from' in i.cox)).toBe(true);
    const expected = [...new Set(doc.integrators.flatMap(eventTimes))].sort((a, b) => a - b);
    expect(Array.from(summary.baseline_times)).toEqual(expected);
    expect(summary.integrators.map((i) => i.last_event_time)).toEqual(doc.integrators.map((i) => Math.max(...eventTimes(i))));
    expect(summary.modalities.map((m) => m.last_event_time)).toEqual(doc.modalities.map(() => null));
    expect(summary.validation).toBeNull();
  });
});

describe('scoring at given times', () => {
  it('gives S(t) with its CI at the times exactly as a model with those horizons, the rest unchanged', async () => {
    const model = await loadScoringModel(example.model);
    const input = { columns: columnsOf(table, summary.columns) };
    const p = model.score(input, { times: TIMES });
    const plain = model.score(input);
    expect(p.survival).toEqual(plain.survival);
    expect(Array.from(p.fused_lp)).toEqual(Array.from(plain.fused_lp));
    expect(plain.survival_at_times).toEqual([]);
    const rewritten = await scoreModel(withHorizons(example.model, TIMES), input);
    expect(p.survival_at_times.map((h) => h.time)).toEqual(TIMES);
    expect(arrays({ survival: p.survival_at_times })).toEqual(arrays(rewritten));
    expect(p.integrator.some((x) => !x.includes('+'))).toBe(true);  // patients scored by a single-modality integrator too
    // Typed scores: the same (no CI for one-modality patients, as at the horizons).
    const scores = Object.fromEntries(p.modalities.map((m) => [m, p.scores[m]]));
    const t = model.scoreFromScores({ scores }, { times: TIMES });
    const tr = await scoreModelFromScores(withHorizons(example.model, TIMES), { scores });
    expect(arrays({ survival: t.survival_at_times })).toEqual(arrays(tr));
    expect(t.note).toEqual(tr.note);
    // Tables: the same option.
    const viaTables = await scoreTables(example.model, [table], { times: TIMES });
    expect(viaTables.survival_at_times).toEqual(p.survival_at_times);
    model.dispose();
  });

  it('rejects bad times and times for a binary model', async () => {
    const input = { columns: columnsOf(table, summary.columns) };
    await expect(scoreModel(example.model, input, { times: [12, -3] })).rejects.toThrow(/^scoring: times\[1\] is -3\.0; times must be finite and >= 0$/);
    await expect(scoreModel(example.model, input, { times: [12, 'x'] })).rejects.toThrow(/times\[1\] is missing/);
    await expect(scoreModel(example.model, input, { times: 12 })).rejects.toThrow(/times must be an array/);
    const binary = await exampleModel({ n: 200, seed: 5, outcome: 'binary' });
    const bt = parseTable(binary.csv, { file: 'binary.csv' });
    const error = await scoreTables(binary.model, [bt], { times: [1] }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/times apply to survival models only; this is a binary model/);
    expect((await scoreTables(binary.model, [bt], { times: [] })).survival_at_times).toEqual([]);
  });
});

/** A predictions CSV without the rows of skipped patients (note "not scored: ..."). */
const withoutSkippedRows = (csv) => csv.split('\n').filter((l) => !/,"?not scored: /.test(l)).join('\n');

describe('skipping unscorable patients', () => {
  const blankRows = [0, 7, 8];
  let blanked;   // the cohort CSV with every feature cell of blankRows emptied
  let kept;      // the cohort CSV without blankRows
  beforeAll(() => {
    const lines = example.csv.trimEnd().split('\n');
    const header = lines[0].split(',');
    const feature = header.map((h) => summary.columns.includes(h));
    const body = lines.slice(1);
    blanked = [lines[0], ...body.map((l, i) => (blankRows.includes(i) ? l.split(',').map((c, j) => (feature[j] ? '' : c)).join(',') : l))].join('\n') + '\n';
    kept = [lines[0], ...body.filter((_, i) => !blankRows.includes(i))].join('\n') + '\n';
    writeFileSync(file('blanked.csv'), blanked);
    writeFileSync(file('kept.csv'), kept);
  });

  it('scores the others exactly as the file without them and lists the skipped ones', async () => {
    const t = parseTable(blanked, { file: 'blanked.csv' });
    const ids = Array.from(t.columns.get('id').raw);
    await expect(scoreTables(example.model, [t])).rejects.toThrow(new RegExp(`patient '${ids[0]}' \\(row 1\\) has no modality`));
    const p = await scoreTables(example.model, [t], { skipUnscorable: true });
    expect(p.unscorable).toEqual(blankRows.map((i) => ({ id: ids[i], index: i, reason: 'no modality: every feature cell is empty' })));
    const ref = await scoreTables(example.model, [parseTable(kept, { file: 'kept.csv' })]);
    expect(withoutSkippedRows(predictionsCsv(p))).toBe(predictionsCsv(ref));
    expect(Array.from(p.rows)).toEqual(ids.map((_, i) => i).filter((i) => !blankRows.includes(i)));
    // Typed scores.
    const s = await scoreModelFromScores(example.model, { scores: { clinical: [0.1, null, -0.4] }, ids: ['a', 'b', 'c'] }, { skipUnscorable: true });
    expect(s.ids).toEqual(['a', 'c']);
    expect(s.unscorable).toEqual([{ id: 'b', index: 1, reason: 'no modality score' }]);
    await expect(scoreModel(example.model, { columns: { radiomics_01: [NaN] } }, { skipUnscorable: 'yes' })).rejects.toThrow(/skipUnscorable must be true or false/);
  });

  it('latefuse score --skip-unscorable writes the others and names the skipped on stderr (exit 0)', () => {
    const ids = blanked.split('\n').slice(1).map((l) => l.split(',')[0]);
    const r = latefuse(['score', '--model', file('model.json'), '--data', file('blanked.csv'), '--skip-unscorable', '--out', file('skip.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`latefuse: skipped 3 unscorable patients (no modality: every feature cell is empty): ${blankRows.map((i) => ids[i]).join(', ')}\n`);
    expect(r.json.patients).toBe(197);
    expect(r.json.unscorable).toEqual(blankRows.map((i) => ({ id: ids[i], reason: 'no modality: every feature cell is empty' })));
    const ref = latefuse(['score', '--model', file('model.json'), '--data', file('kept.csv'), '--out', file('kept-pred.csv')]);
    expect(ref.code, ref.stderr).toBe(0);
    expect(ref.json.unscorable).toEqual([]);
    const written = readFileSync(file('skip.csv'), 'utf8');
    expect(withoutSkippedRows(written)).toBe(readFileSync(file('kept-pred.csv'), 'utf8'));
    // Each skipped patient keeps a row in its place: the id, every value empty, the reason in the note.
    const lines = written.trimEnd().split('\n');
    const header = lines[0].split(',');
    const skippedRow = (id, note) => header.map((h, j) => (j === 0 ? id : h === 'note' ? note : '')).join(',');
    for (const i of blankRows) expect(lines[i + 1]).toBe(skippedRow(ids[i], 'not scored: no modality: every feature cell is empty'));
    // Default unchanged: exit 2 naming the first one.
    const d = latefuse(['score', '--model', file('model.json'), '--data', file('blanked.csv'), '--out', file('x.csv')]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(new RegExp(`^latefuse: .*patient '${ids[0]}' \\(row 1\\) has no modality`));
    expect(latefuse(['score', '--help']).stdout).toMatch(/--skip-unscorable\s+score the others when a patient has no modality/);
  });
});

describe('external validation in the model file', () => {
  it('latefuse evaluate --attach-to adds the evaluation, schema-valid, byte-identical otherwise', async () => {
    // Predictions of the model on "an external cohort" (here its own cohort) with the outcome.
    const p = await scoreTables(example.model, [table]);
    const lines = ['id,time,event,fused_lp,surv_24'];
    p.ids.forEach((id, i) => {
      const row = table.columns.get('id').raw.indexOf(id);
      lines.push([id, table.columns.get('time').raw[row], table.columns.get('event').raw[row], p.fused_lp[i], p.survival[1].surv[i]].join(','));
    });
    writeFileSync(file('external.csv'), lines.join('\n') + '\n');
    writeFileSync(file('attached.json'), example.model);
    const args = ['evaluate', '--data', file('external.csv'), '--time', 'time', '--event', 'event', '--score', 'fused_lp', '--bootstrap', '200',
      '--permutations', '99', '--seed', '3', '--tau', '48', '--horizons', '12,24', '--predicted-survival', 'surv_24', '--calibration-horizon', '24',
      '--calibration-groups', '4'];
    const plain = latefuse(args);
    expect(plain.code, plain.stderr).toBe(0);
    const r = latefuse([...args, '--attach-to', file('attached.json'), '--cohort', 'Test cohort', '--cohort-description', 'the training cohort']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.attached_to).toEqual({ model: file('attached.json'), cohort: 'Test cohort' });
    const { attached_to: _a, compute_ms: _c, ...rest } = r.json;
    const { compute_ms: _d, ...plainRest } = plain.json;
    expect(rest).toEqual(plainRest);
    const text = readFileSync(file('attached.json'), 'utf8');
    const doc = JSON.parse(text);
    expect(checkSchema(readJson('models/schema.json'), doc)).toEqual([]);
    expect(await roundTripModel(text)).toBe(text);
    expect(await modelWithoutValidation(text)).toBe(example.model);
    const o = plain.json;
    expect(doc.validation).toEqual([{
      cohort: 'Test cohort', description: 'the training cohort', n: o.n, events: o.events,
      c: o.harrell.c, c_lower: o.harrell.lower, c_upper: o.harrell.upper, conf_level: 0.95, bootstrap: 200,
      permutation_p: o.permutation_p, uno_c: o.uno.c, uno_c_lower: o.uno.lower, uno_c_upper: o.uno.upper, tau: 48,
      auc: o.auc, mean_auc: o.mean_auc,
      calibration: {
        horizon: 24, n: o.calibration.n, slope: o.calibration.slope, slope_lower: o.calibration.slope_lower, slope_upper: o.calibration.slope_upper,
        groups: o.calibration.groups.map((g) => ({ n: g.n, events: g.events, predicted: g.predicted, observed: g.observed, lower: g.lower, upper: g.upper })),
      },
      seed: 3,
    }]);
    const s = await validateModel(text);
    expect(s.validation).toEqual(doc.validation);
    // Scoring ignores the section.
    expect(predictionsCsv(await scoreTables(text, [table]))).toBe(predictionsCsv(p));
    // Again for the same cohort: replaced, not added; another cohort: appended.
    expect(latefuse([...args.slice(0, -6), '--attach-to', file('attached.json'), '--cohort', 'Test cohort']).code).toBe(0);
    expect(latefuse([...args.slice(0, -6), '--attach-to', file('attached.json'), '--cohort', 'Second']).code).toBe(0);
    const twiceText = readFileSync(file('attached.json'), 'utf8');
    const twice = JSON.parse(twiceText);
    expect(twice.validation.map((v) => v.cohort)).toEqual(['Test cohort', 'Second']);
    expect(twice.validation[0].calibration).toBeNull();
    expect(twice.validation[0].description).toBeUndefined();
    expect(await modelWithoutValidation(twiceText)).toBe(example.model);
  });

  it('bad --attach-to uses exit 2 with one line; addModelValidation checks the entry', async () => {
    const base = ['evaluate', '--data', file('external.csv'), '--time', 'time', '--event', 'event', '--score', 'fused_lp', '--bootstrap', '0',
      '--permutations', '0'];
    writeFileSync(file('fresh.json'), example.model);
    const cases = [
      [[...base, '--attach-to', file('fresh.json')], /^latefuse: --attach-to needs --cohort NAME \(the validation cohort\)$/],
      [[...base, '--cohort', 'X'], /^latefuse: --cohort and --cohort-description go with --attach-to model\.json$/],
      [[...base, '--attach-to', file('fresh.json'), '--cohort', 'X', '--higher', 'survival'], /--attach-to needs --higher risk/],
      [[...base, '--attach-to', file('none.json'), '--cohort', 'X'], /cannot read --attach-to .*none\.json: no such file/],
      [[...base, '--attach-to', file('external.csv'), '--cohort', 'X'], /external\.csv: model file is not valid JSON/],
    ];
    for (const [args, message] of cases) {
      const r = latefuse(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const binary = await exampleModel({ n: 200, seed: 5, outcome: 'binary' });
    writeFileSync(file('binary.json'), binary.model);
    const b = latefuse([...base, '--attach-to', file('binary.json'), '--cohort', 'X']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/binary\.json: the model has a binary outcome, but latefuse evaluate computes survival statistics/);
    expect(readFileSync(file('binary.json'), 'utf8')).toBe(binary.model);
    expect(readFileSync(file('fresh.json'), 'utf8')).toBe(example.model);
    await expect(addModelValidation(example.model, { cohort: 'X', n: 5, events: 9, c: 0.5 }))
      .rejects.toThrow(/^cannot attach the validation: events is 9, more than the 5 patients \(n\)$/);
    await expect(addModelValidation(example.model, [])).rejects.toThrow(/the entry must be an object/);
    const help = latefuse(['evaluate', '--help']).stdout;
    expect(help).toMatch(/--attach-to MODEL/);
    expect(help).toMatch(/--cohort NAME/);
  });

  it('the shipped Rotterdam model carries its GBSG validation (build.sh), equal to rotterdam.gbsg-validation.json', async () => {
    const text = readText('models/rotterdam.latefuse.json');
    const gbsg = readJson('models/rotterdam.gbsg-validation.json');
    const s = await validateModel(text);
    expect(s.validation).toHaveLength(1);
    const v = s.validation[0];
    expect(v.cohort).toBe('GBSG');
    expect([v.n, v.events, v.c, v.c_lower, v.c_upper]).toEqual([gbsg.n, gbsg.events, gbsg.harrell.c, gbsg.harrell.lower, gbsg.harrell.upper]);
    expect([v.uno_c, v.uno_c_lower, v.uno_c_upper, v.tau]).toEqual([gbsg.uno.c, gbsg.uno.lower, gbsg.uno.upper, gbsg.uno.tau]);
    expect(v.auc).toEqual(gbsg.auc);
    expect(v.calibration.slope).toBe(gbsg.calibration.slope);
    expect(v.calibration.groups.map((g) => g.observed)).toEqual(gbsg.calibration.groups.map((g) => g.observed));
    // Without the section: the model as `latefuse fuse` wrote it (what the web app's fit reproduces).
    const fitted = await modelWithoutValidation(text);
    expect(JSON.parse(fitted).validation).toBeUndefined();
    // fitted ends with "  }\n}\n" (training); the shipped file continues "  },\n  \"validation\": [".
    expect(text.startsWith(fitted.slice(0, -3))).toBe(true);
    expect(text.slice(fitted.length - 3)).toMatch(/^,\n {2}"validation": \[/);
  });
});
