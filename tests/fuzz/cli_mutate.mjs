#!/usr/bin/env node
// Seeded mutation driver for the `latefuse` command (docs/inputs.md): mutates small CSV files, a
// model file and the flags of every file-reading command, runs each case in this process exactly
// as web/cli/latefuse.js does (parseOptions -> command.run -> errorReport), and checks the
// command's promise: exit 0, or exit 2 with ONE line of at most LINE_LIMIT characters. Exit code 1
// (an internal error) is a finding: the case is printed and the driver exits 1.
//   node tests/fuzz/cli_mutate.mjs [--seed S] [--seconds T]     (prints "cli_mutate: N cases, ...")
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../../web/cli/commands/index.js';
import { parseOptions, errorReport, LINE_LIMIT } from '../../web/cli/options.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seed = arg('seed', 1);
const seconds = arg('seconds', 30);

// mulberry32: a small seeded generator (the driver's choices only, not statistics).
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const below = (n) => Math.floor(random() * n);

const TOKENS = ['', 'NA', '-', '1,234', '0x1F', 'Inf', '-Inf', 'NaN', '1e309', '1e-320', '"', '""', 'x'.repeat(300), ' 2 ', 'TRUE',
  'false', '2', '3', '-1', '0', '1', '\u00a0', 'é', '1.5', '99999999999999999999', ' ', 'p001', 'P001', '=1+1', '\t', ';'];

const dir = mkdtempSync(join(tmpdir(), 'latefuse-mutate-'));
const file = (name) => join(dir, name);
// A mutated output flag (--out 2) writes a relative path: keep it in the scratch directory.
process.chdir(dir);

// Base files: 60 lung patients with an id; a small simulated cohort and its model.
const lungLines = readFileSync(join(root, 'tests/data/lung.csv'), 'utf8').trim().split('\n');
const lung = [`id,${lungLines[0].replace(/"/g, '')}`, ...lungLines.slice(1, 61).map((l, i) => `p${i + 1},${l}`)];
const cohort = readFileSync(join(root, 'tests/fuzz/corpus/fuzz_model_json/survival.json'), 'utf8');

function mutateCsv(lines) {
  const rows = lines.map((l) => l.split(','));
  const count = 1 + below(3);
  for (let k = 0; k < count; k++) {
    const r = below(rows.length);
    const c = below(rows[r].length);
    switch (below(9)) {
      case 0: rows.splice(1 + below(rows.length - 1), 0, [...rows[r]]); break;   // duplicate a row
      case 1: rows[r].splice(c, 1); break;                                        // a missing cell
      case 2: rows[0][c] = pick(TOKENS); break;                                   // a header name
      case 3: rows.length = Math.max(1, below(rows.length)); break;               // truncate
      default: rows[r][c] = pick(TOKENS);                                         // an awkward cell
    }
  }
  let text = rows.map((r) => r.join(',')).join(random() < 0.1 ? '\r\n' : '\n');
  if (random() < 0.05) text = `\ufeff${text}`;
  if (random() < 0.05) {
    const at = below(text.length + 1);
    text = text.slice(0, at) + String.fromCharCode(below(256)) + text.slice(at);
  }
  return text;
}

function mutateJson(text) {
  const bytes = Buffer.from(text, 'utf8');
  const n = 1 + below(4);
  for (let k = 0; k < n; k++) {
    const at = below(bytes.length);
    switch (below(3)) {
      case 0: bytes[at] = below(256); break;
      case 1: bytes[at] = pick([0x30, 0x31, 0x2d, 0x2e, 0x65, 0x22, 0x5b, 0x5d, 0x2c]); break;
      default: return bytes.subarray(0, at).toString('latin1');
    }
  }
  return bytes.toString('latin1');
}

// One case per command; `data` is the mutated CSV's path.
const CASES = {
  km: (data) => ['--data', data, '--time', 'time', '--event', 'status', '--group', 'sex', '--times', '100,300'],
  cox: (data) => ['--data', data, '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog'],
  concordance: (data) => ['--data', data, '--time', 'time', '--event', 'status', '--score', 'age'],
  evaluate: (data) => ['--data', data, '--time', 'time', '--event', 'status', '--score', 'age', '--bootstrap', '20', '--permutations', '20'],
  kendall: (data) => ['--data', data, '--columns', 'age,wt.loss,ph.karno'],
  logistic: (data) => ['--data', data, '--outcome', 'sex', '--covariates', 'age,ph.ecog'],
  fuse: (data) => ['--data', data, '--id', 'id', '--time', 'time', '--event', 'status', '--modality', 'a=age,ph.ecog',
    '--modality', 'b=wt.loss,meal.cal', '--bootstrap', '0', '--permutations', '0', '--min-pattern-size', '5',
    '--model-out', file('m.json'), '--report-out', file('r.json')],
  score: (data, model) => ['--model', model, '--data', data, '--id', 'id', '--out', file('p.csv')],
};

function mutateFlags(args) {
  const out = [...args];
  switch (below(12)) {
    case 0: out.splice(below(out.length), 1); break;
    case 1: { const i = below(out.length); out.splice(i, 0, out[i]); break; }
    case 2: out[1 + 2 * below(Math.floor(out.length / 2))] = pick(TOKENS); break;
    case 3: out.push(pick(['--bootstrap', '--seed', '--times', '--weights', '--horizons', '--non-numeric']), pick(TOKENS)); break;
    default:
  }
  return out;
}

// Score's data: the simulated cohort the corpus model was fitted on.
const { default: simulate } = await import('../../web/cli/commands/simulate.js');
await simulate.run(parseOptions(['--preset', 'hgsoc', '--n', '60', '--seed', '3', '--out', file('cohort.csv')], simulate.options, 'simulate'));

const quiet = process.stderr.write.bind(process.stderr);
const started = Date.now();
let cases = 0;
let exit0 = 0;
let exit2 = 0;
const findings = [];
while (Date.now() - started < seconds * 1000) {
  const name = pick(Object.keys(CASES));
  const command = commands.find((c) => c.name === name);
  writeFileSync(file('data.csv'), mutateCsv(lung));
  let model = file('model.json');
  if (name === 'score') {
    writeFileSync(file('data.csv'), random() < 0.5 ? readFileSync(file('cohort.csv'), 'utf8') : mutateCsv(readFileSync(file('cohort.csv'), 'utf8').trim().split('\n')));
    writeFileSync(model, random() < 0.7 ? mutateJson(cohort) : cohort);
  }
  const argv = mutateFlags(CASES[name](file('data.csv'), model));
  cases++;
  process.stderr.write = () => true;  // warnings of successful runs
  try {
    await command.run(parseOptions(argv, command.options, name));
    exit0++;
  } catch (error) {
    const { line, code } = errorReport(error, name);
    if (code !== 2 || line.includes('\n') || line.length > LINE_LIMIT) {
      findings.push({ name, argv, code, line: line.slice(0, 2000), data: readFileSync(file('data.csv'), 'utf8').slice(0, 4000) });
    } else exit2++;
  } finally {
    process.stderr.write = quiet;
  }
}
rmSync(dir, { recursive: true, force: true });
for (const f of findings.slice(0, 5)) {
  console.log(`FINDING latefuse ${f.name} ${f.argv.join(' ')}\n  exit ${f.code}: ${f.line}\n  data: ${JSON.stringify(f.data.slice(0, 500))}`);
}
console.log(`cli_mutate: ${cases} cases (seed ${seed}, ${seconds} s): ${exit0} exit 0, ${exit2} exit 2 with one line, ${findings.length} findings`);
process.exitCode = findings.length ? 1 : 0;
