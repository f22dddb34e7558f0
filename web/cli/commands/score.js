// latefuse score: score new patients with a saved late-fusion model file; write predictions.csv.
import { writeFileSync } from 'node:fs';
import { validateModel, scoreTables, predictionsCsv } from '../../lib/model.js';
import { readTableFile, readTextFile, DECIMAL_OPTION } from '../data.js';
import { UsageError } from '../options.js';

const readModelFile = (path) => readTextFile(path, 'the model');

export default {
  name: 'score',
  summary: 'score new patients with a saved late-fusion model (risk scores, risk group, S(t) with CI)',
  usage: 'latefuse score --model model.json --data F.csv [--data G.csv ...] [--id COL] [--skip-unscorable] --out predictions.csv',
  options: [
    DECIMAL_OPTION,
    { flag: 'model', arg: 'FILE', type: 'string', required: true, help: 'the model file (JSON) written by LateFuse' },
    { flag: 'data', arg: 'FILE', type: 'repeat', required: true,
      help: 'CSV/TSV with the model\'s feature columns; repeat for several files (joined on --id)' },
    { flag: 'id', arg: 'COL', type: 'string',
      help: 'patient id column [default: id; with one file and no such column, rows are numbered]' },
    { flag: 'out', arg: 'FILE', type: 'string', required: true, help: 'where to write the predictions CSV' },
    { flag: 'skip-unscorable', type: 'boolean',
      help: 'score the others when a patient has no modality or a feature cell that is not a number, and list the skipped IDs on stderr (default: such a patient is an error)' },
  ],
  details: [
    'Every column the model was trained on must be present (cells may be empty = missing); a categorical',
    'column is given raw (its text levels) and encoded by the model file\'s "encodings"; a level the model has',
    'never seen scores as the reference level, with a note naming the column and level. With several',
    'files, a patient missing from a file lacks that file\'s columns. A patient with no modality (under the model\'s',
    'presence rule), or with a feature cell that is not a number, is an error naming it; with --skip-unscorable the',
    'other patients are scored (exactly as without the skipped ones), each skipped patient keeps a row in its place',
    'with every value empty and the note "not scored: <reason>", the skipped IDs are printed on stderr and listed',
    'with the reason in the JSON summary ("unscorable"), and the exit code is 0 (2 if no patient can be scored).',
    'Each patient is scored by the integrator of their own pattern of modalities; only when the model has none',
    'for it, by the integrator of the sub-combination with the most modalities (then most training patients),',
    'said in the note.',
    'predictions.csv: id, pattern (modalities present), <modality>_score (standardised), fused_lp (higher =',
    'higher risk), hazard_ratio (exp(fused_lp): against the average training patient of the integrator used),',
    'percentile and risk_group (on the predicted risk 1 - S(t_ref) at the model\'s reference horizon t_ref,',
    'the middle horizon, against the training patients\' risks computed the same way; cut-points are training',
    'quantiles of that risk), surv_<t> with _lower/_upper (95% CI) at the model\'s horizons, integrator',
    '(modalities combined), note (why a fallback was used), risk_<t_ref> (that predicted risk) and',
    '<modality>_contribution (beta_m * (s_m - centre_m) of the integrator used; they sum to fused_lp; empty',
    'for modalities it does not use).',
    'A binary model (fitted with latefuse fuse --outcome) writes id, pattern, <modality>_score, fused_lp (the',
    'log-odds when an integrator scored the patient), risk_group, probability (P(y = 1) from whichever model',
    'scored the patient; percentile and risk_group are on it), percentile, integrator, note,',
    '<modality>_contribution (beta_m * s_m; they sum to fused_lp minus the integrator\'s intercept).',
    'With the model file\'s "features" (what training showed per raw feature): a value outside a feature\'s',
    'training range is scored and named on stderr ("warning: ... the prediction is an extrapolation"); a value',
    'other than 0/1 of a binary feature is an error (skipped with --skip-unscorable).',
    'Output: JSON summary (patients, patterns and the integrator each used, fallbacks, range_warnings, horizons, columns).',
  ],
  async run(o) {
    const text = readModelFile(o.model);
    let summary;
    try {
      summary = await validateModel(text);
    } catch (error) {
      if (error.name === 'InputError') error.message = `${o.model}: ${error.message}`;
      throw error;
    }
    const tables = o.data.map((path) => readTableFile(path, { decimal: o.decimal }));
    const started = performance.now();
    const p = await scoreTables(text, tables, { idColumn: o.id ?? 'id', idRequired: o.id !== undefined, summary, skipUnscorable: o.skipUnscorable });
    const ms = performance.now() - started;
    const csv = predictionsCsv(p);
    try {
      writeFileSync(o.out, csv);
    } catch (error) {
      throw new UsageError(`cannot write ${o.out}: ${error.code === 'ENOENT' ? 'the directory does not exist' : error.message}`);
    }
    if (p.unscorable.length) {
      const list = p.unscorable.map((u) => u.id);
      const reasons = new Set(p.unscorable.map((u) => u.reason));
      const what = `skipped ${list.length} unscorable ${list.length === 1 ? 'patient' : 'patients'}`;
      process.stderr.write(reasons.size === 1
        ? `latefuse: ${what} (${p.unscorable[0].reason}): ${list.join(', ')}\n`
        : `latefuse: ${what}:\n${p.unscorable.map((u) => `  ${u.id}: ${u.reason}\n`).join('')}`);
    }
    // Values outside the range seen in training (the model file's "features"): scored, said on stderr.
    const warnings = p.warnings ?? [];
    const SHOWN = 20;
    for (const w of warnings.slice(0, SHOWN)) process.stderr.write(`latefuse: warning: patient ${w.id}: ${w.message}\n`);
    if (warnings.length > SHOWN) process.stderr.write(`latefuse: warning: ${warnings.length - SHOWN} more values outside the training range (${warnings.length} in all)\n`);
    const patterns = new Map();
    for (let i = 0; i < p.ids.length; i++) {
      const key = p.pattern[i];
      if (!patterns.has(key)) patterns.set(key, { pattern: key, patients: 0, integrator: p.integrator[i], fallback: p.fallback[i] });
      patterns.get(key).patients++;
    }
    return {
      out: o.out,
      model: o.model,
      schema_version: summary.schema_version,
      outcome_type: summary.outcome_type,
      model_software: summary.software,
      patients: p.ids.length,
      modalities: p.modalities,
      patterns: [...patterns.values()],
      fallbacks: p.fallback.filter(Boolean).length,
      unscorable: p.unscorable.map((u) => ({ id: u.id, reason: u.reason })),
      range_warnings: warnings.length,
      horizons: p.survival.map((h) => h.time),
      reference_horizon: p.reference_horizon,
      time_unit: p.time_unit,
      risk_groups: summary.risk_groups ? summary.risk_groups.labels : null,
      columns: csv.slice(0, csv.indexOf('\n')).split(','),
      compute_ms: Math.round(ms * 1000) / 1000,
    };
  },
};
