// Model files: size, and loadScoringModel's time in WASM (Node) — cold (the first call in a fresh
// process, after the module is loaded) and warm (median of repeated calls in one process). The
// shipped models, and (without --quick) a model fused on a simulated n = 20,000 cohort.
//   node bench/model_load_bench.js [--quick]   (also part of `npm run bench`)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, loadScoringModel } from '../web/lib/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'web/cli/latefuse.js');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// The first loadScoringModel in a fresh Node process (module loading is timed apart).
function coldLoad(file) {
  const script = `
    const { readFileSync } = await import('node:fs');
    const lib = await import(${JSON.stringify(join(root, 'web/lib/index.js'))});
    await lib.loadModule();
    const text = readFileSync(${JSON.stringify(file)}, 'utf8');
    const t0 = performance.now();
    (await lib.loadScoringModel(text)).dispose();
    console.log(performance.now() - t0);`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

// Median wall and CPU time (user + system of this process: steadier than wall time on a shared machine).
async function warmLoad(text, repeats) {
  (await loadScoringModel(text)).dispose();
  const wall = [], cpu = [];
  for (let k = 0; k < repeats; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    (await loadScoringModel(text)).dispose();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function simulatedModel() {
  const dir = mkdtempSync(join(tmpdir(), 'latefuse-model-load-'));
  const csv = join(dir, 'cohort.csv');
  const model = join(dir, 'model.json');
  execFileSync(process.execPath, [cli, 'simulate', '--preset', 'hgsoc', '--n', '20000', '--seed', '1', '--out', csv], { stdio: 'ignore' });
  execFileSync(process.execPath, [cli, 'fuse', '--data', csv, '--id', 'id', '--time', 'time', '--event', 'event',
    '--modality', 'radiomics=radiomics_*', '--modality', 'histopathology=histopathology_*', '--modality', 'genomic=genomic_*',
    '--modality', 'clinical=clinical_*', '--bootstrap', '10', '--permutations', '10', '--model-out', model,
    '--report-out', join(dir, 'report.json')], { stdio: 'ignore' });
  return model;
}

export async function run({ quick = false } = {}) {
  await loadModule();
  const repeats = quick ? 5 : 20;
  const files = [['models/rotterdam.latefuse.json', join(root, 'models/rotterdam.latefuse.json')],
    ['models/hgsoc-synthetic.latefuse.json', join(root, 'models/hgsoc-synthetic.latefuse.json')]];
  if (!quick) files.push(['simulated hgsoc, n = 20,000 (fuse defaults, 10 / 10 resamples)', simulatedModel()]);
  const lines = ['#### Model files: size and load time (WASM in Node)', '',
    `loadScoringModel: cold = first call in a fresh process (module already loaded), wall time; warm = median of ${repeats} calls, wall and CPU time (CPU is steadier on a shared machine; say whether it was).`, '',
    '| model file | size | integrator_training | cold (ms) | warm (ms) | warm CPU (ms) |', '|---|---:|---:|---:|---:|---:|'];
  for (const [name, file] of files) {
    const text = readFileSync(file, 'utf8');
    const doc = JSON.parse(text);
    const table = doc.integrator_training ? JSON.stringify(doc.integrator_training).length : 0;
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    const warm = await warmLoad(text, repeats);
    lines.push(`| ${name} | ${kb(text.length)} | ${kb(table)} | ${coldLoad(file).toFixed(1)} | ${warm.wall.toFixed(1)} | ${warm.cpu.toFixed(1)} |`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await run({ quick: process.argv.includes('--quick') }));
