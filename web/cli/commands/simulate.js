// latefuse simulate: write a simulated multimodal survival (or binary-outcome) cohort (CSV) and print its summary.
import { writeFileSync } from 'node:fs';
import { simulate } from '../../lib/fusion.js';
import { UsageError } from '../options.js';

// Settings of the event times that a binary cohort does not have.
const SURVIVAL_ONLY = ['censoring', 'median_survival', 'weibull_shape'];

// "--signal 0.5" (every modality) or "--signal radiomics=0.5,genomic=0.3" -> number | {name: number}
function perModality(flag, raw, integer) {
  if (raw === undefined) return undefined;
  const parse = (text, what) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new UsageError(`--${flag} needs ${integer ? 'whole numbers' : 'numbers'}, got "${text}" for ${what}`);
    }
    return v;
  };
  if (!raw.includes('=')) return parse(raw, 'every modality');
  const out = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, value, extra] = item.split('=');
    if (!name || value === undefined || extra !== undefined) {
      throw new UsageError(`--${flag} needs modality=value pairs separated by commas (e.g. radiomics=0.5,genomic=0.3), got "${item}"`);
    }
    if (name.trim() in out) throw new UsageError(`--${flag} gives "${name.trim()}" twice`);
    out[name.trim()] = parse(value, name.trim());
  }
  return out;
}

export default {
  name: 'simulate',
  summary: 'simulate a multimodal survival or binary-outcome cohort (CSV) with known signal, availability and censoring',
  usage: 'latefuse simulate --preset hgsoc [--n N] [--seed S] [--outcome survival|binary [--intercept B]] [settings] --out cohort.csv',
  options: [
    { flag: 'preset', arg: 'NAME', type: 'string', default: 'hgsoc', choices: ['hgsoc'],
      help: 'hgsoc: 444 patients; radiomics 245, histopathology 243, genomic 296, clinical 444; 114 with all four' },
    { flag: 'out', arg: 'FILE', type: 'string', required: true,
      help: 'where to write the CSV (id,time,event,<modality>_<nn>...; binary: id,y,<modality>_<nn>...)' },
    { flag: 'outcome', arg: 'TYPE', type: 'string', default: 'survival', choices: ['survival', 'binary'],
      help: 'survival (Weibull times, censoring) or binary: y ~ Bernoulli(logistic(intercept + the same true risk))' },
    { flag: 'intercept', arg: 'B', type: 'number', help: 'binary outcome: log-odds of y = 1 at average risk [default: 0]' },
    { flag: 'n', arg: 'N', type: 'integer', max: 10000000, help: 'number of patients (the preset\'s availability pattern counts are rescaled)' },
    { flag: 'seed', arg: 'S', type: 'integer', default: 1, help: 'random seed: the same seed gives the same file, in the browser too' },
    { flag: 'availability', arg: 'M=K,...', type: 'string', help: 'patients with each modality, e.g. radiomics=200,genomic=250 (exact)' },
    { flag: 'complete', arg: 'K', type: 'integer', help: 'patients with every modality (exact)' },
    { flag: 'signal', arg: 'X|M=X,...', type: 'string', help: 'log hazard ratio per SD of each modality\'s latent risk factor' },
    { flag: 'features', arg: 'K|M=K,...', type: 'string', help: 'feature columns per modality' },
    { flag: 'signal-features', arg: 'K|M=K,...', type: 'string', help: 'informative columns per modality (the rest are noise)' },
    { flag: 'noise', arg: 'X|M=X,...', type: 'string', help: 'noise SD of an informative column (its signal part has SD 1)' },
    { flag: 'correlation', arg: 'X', type: 'number', help: 'correlation of the modalities\' latent factors, in [0, 1)' },
    { flag: 'interaction', arg: 'X', type: 'number', help: 'coefficient of a cross-modal interaction z_a * z_b in the true risk' },
    { flag: 'interaction-between', arg: 'A,B', type: 'list', help: 'the two modalities of the interaction [default: radiomics,genomic]' },
    { flag: 'censoring', arg: 'X', type: 'number', help: 'fraction of patients censored (exact), in [0, 1)' },
    { flag: 'median-survival', arg: 'X', type: 'number', help: 'median survival (months) at average risk' },
    { flag: 'weibull-shape', arg: 'X', type: 'number', help: 'Weibull shape of the event times' },
    { flag: 'missing-cells', arg: 'X', type: 'number', help: 'probability that a cell of a measured modality is missing' },
    { flag: 'missing-not-at-random', arg: 'S', type: 'number',
      help: 'modalities missing not at random: 0 = independent of risk; S > 0 (up to 10) = the higher the risk, the fewer modalities (counts unchanged)' },
  ],
  details: [
    'A modality a patient lacks has every one of its cells empty. The availability counts and the number',
    'of complete patients come out exactly; who has what is drawn with the seed.',
    'Binary outcome: the same availability, features and true risk eta; y = 1 with probability',
    '1 / (1 + exp(-(intercept + eta))); the censoring, median survival and Weibull settings do not apply.',
    'Output: JSON summary (n, events, censored (binary: cases, controls), complete, modalities with their',
    'availability, patterns, settings).',
  ],
  async run(o) {
    const request = { preset: o.preset, seed: o.seed, outcome: o.outcome };
    if (o.intercept !== undefined) {
      if (o.outcome !== 'binary') throw new UsageError('--intercept applies to --outcome binary only');
      request.intercept = o.intercept;
    }
    if (o.outcome === 'binary') {
      for (const [key, flag] of [['censoring', 'censoring'], ['medianSurvival', 'median-survival'], ['weibullShape', 'weibull-shape']]) {
        if (o[key] !== undefined) throw new UsageError(`--${flag} applies to survival outcomes only, not to --outcome binary`);
      }
    }
    if (o.n !== undefined) request.n = o.n;
    if (o.complete !== undefined) request.complete = o.complete;
    const perFlag = [
      ['availability', 'availability', true], ['signal', 'signal', false], ['features', 'features', true],
      ['signal-features', 'signalFeatures', true], ['noise', 'noise', false],
    ];
    for (const [flag, key, integer] of perFlag) {
      const v = perModality(flag, o[key], integer);
      if (v !== undefined) request[key] = v;
    }
    if (request.availability !== undefined && typeof request.availability === 'number') {
      throw new UsageError('--availability needs modality=count pairs, e.g. radiomics=200,genomic=250');
    }
    for (const key of ['correlation', 'interaction', 'censoring', 'medianSurvival', 'weibullShape']) {
      if (o[key] !== undefined) request[key] = o[key];
    }
    if (o.missingCells !== undefined) request.cellMissing = o.missingCells;
    if (o.missingNotAtRandom !== undefined) request.missingNotAtRandom = o.missingNotAtRandom;
    if (o.interactionBetween !== undefined) {
      if (o.interactionBetween.length !== 2) throw new UsageError('--interaction-between needs two modality names, e.g. radiomics,genomic');
      request.interactionBetween = o.interactionBetween;
    }
    const started = performance.now();
    const r = await simulate(request);
    const ms = performance.now() - started;
    try {
      writeFileSync(o.out, r.csv);
    } catch (error) {
      throw new UsageError(`cannot write ${o.out}: ${error.code === 'ENOENT' ? 'the directory does not exist' : error.message}`);
    }
    // The core's summary under its own keys (snake_case, as printed), in its order; the CSV is
    // written, not printed (its column count is), and a binary cohort has no censoring settings.
    const { csv, ...summary } = r;
    const out = { out: o.out, preset: o.preset };
    for (const [key, value] of Object.entries(summary)) {
      if (r.outcome === 'binary' && SURVIVAL_ONLY.includes(key)) continue;
      out[key] = key === 'columns' ? value.length : value;
    }
    Object.assign(out, { bytes: Buffer.byteLength(csv), compute_ms: Math.round(ms * 1000) / 1000 });
    return out;
  },
};
