// `fuse` on the simulated hgsoc cohort (simulate --preset hgsoc --seed 1: 444 patients, four
// modalities), 1000 bootstrap replicates and 1000 permutations per model: the WASM time of
// fitAndEvaluateFusion (web/lib/fusion_report.js; target < 5 s) and the end-to-end time of the CLI
// (node web/cli/latefuse.js fuse ..., which includes reading the CSV, starting Node and writing the
// model and report files), each without and with the selection screen. Figures only.
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { simulate, parseTable, fitAndEvaluateFusion, loadModule } from '../web/lib/index.js';
import { outDir, timeIt, table, fmt } from './common.js';

const cli = fileURLToPath(new URL('../web/cli/latefuse.js', import.meta.url));
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];

export async function run({ quick = false } = {}) {
  const replicates = quick ? 100 : 1000;
  await loadModule();
  const sim = await simulate({ preset: 'hgsoc', seed: 1 });
  const file = `${outDir}hgsoc_seed1.csv`;
  writeFileSync(file, sim.csv);
  const t = parseTable(sim.csv, { file: 'hgsoc_seed1.csv' });
  const columns = {};
  for (const [name, col] of t.columns) if (col.kind === 'number') columns[name] = col.values;
  const modalities = Object.fromEntries(MODALITIES.map((m) => [m, t.header.filter((h) => h.startsWith(`${m}_`))]));
  const rows = [['fuse, hgsoc seed 1', 'patients', 'selection', 'bootstrap / permutations', 'WASM fitAndEvaluateFusion', 'CLI end to end']];
  for (const selection of ['none', 'screen']) {
    const input = {
      columns, modalities, time: columns.time, event: columns.event, ids: t.columns.get('id').raw,
      seed: 1, bootstrap: replicates, permutations: replicates, selection,
    };
    const wasm = await timeIt(() => fitAndEvaluateFusion(input), quick ? 1 : 3);
    const args = [cli, 'fuse', '--data', file, '--id', 'id', '--time', 'time', '--event', 'event',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '1', '--bootstrap', String(replicates),
      '--permutations', String(replicates), '--selection', selection,
      '--model-out', `${outDir}fuse_${selection}.model.json`, '--report-out', `${outDir}fuse_${selection}.report.json`];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const cliMs = performance.now() - t0;
    rows.push(['late fusion + comparators', sim.n, selection, `${replicates} / ${replicates}`, fmt(wasm.ms),
      r.status === 0 ? fmt(cliMs) : `failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop()}`]);
  }
  return `### Late fusion end to end\n\n${table(rows)}\n\nTarget: WASM fitAndEvaluateFusion under 5 s. WASM: median of ${quick ? 1 : 3} runs after the module is loaded; CLI: one run, including Node start-up, reading the CSV and writing model.json and report.json.\n`;
}
