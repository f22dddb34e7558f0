#!/usr/bin/env node
// Benchmark of the evaluation statistics through web/lib (the WebAssembly core):
//   1000 bootstrap replicates of Harrell's C at n = 10,000   (target < 2 s)
//   1000 permutations of Harrell's C at n = 10,000           (target < 2 s)
//   Kendall's tau-b at n = 1,000,000                        (target < 1 s)
// and, when Rscript is available, R's boot::boot + survival::concordance on the same n = 10,000 data
// for comparison (R is run for --r-replicates replicates only, default 50, and the time per
// replicate is extrapolated to 1000, so the script stays well under a minute on a shared machine).
//
// Usage: node bench/stats_bench.js [--n 10000] [--replicates 1000] [--kendall-n 1000000]
//                                  [--r-replicates 50] [--no-r] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, permutationTest, kendallTau, loadModule } from '../web/lib/index.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg('n', 10000);
const replicates = arg('replicates', 1000);
const kendallN = arg('kendall-n', 1000000);
const rReplicates = arg('r-replicates', 50);
const withR = !process.argv.includes('--no-r');
const asJson = process.argv.includes('--json');

// Deterministic synthetic data (a small LCG; the data need not come from latefuse::Random).
let state = 12345;
const unif = () => { state = (state * 1103515245 + 12345) % 2147483648; return (state + 0.5) / 2147483648; };
function survivalData(size) {
  const time = new Float64Array(size);
  const event = new Float64Array(size);
  const score = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const x = unif() * 2 - 1;
    const t = -Math.log(unif()) * Math.exp(-0.8 * x) * 365;  // higher x = higher hazard
    const c = unif() * 900;
    time[i] = Math.round(Math.min(t, c)) + 1;  // whole days: ties, as in real data
    event[i] = t <= c ? 1 : 0;
    score[i] = Math.round(x * 1000) / 1000;
  }
  return { time, event, score };
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

await loadModule();
const d = survivalData(n);
const results = { n, replicates, kendall_n: kendallN };

const boot = await timed(() => bootstrap({ statistic: 'harrell', ...d, replicates, seed: 1 }));
results.bootstrap_harrell_ms = boot.ms;
results.harrell_c = boot.value.estimate;
results.bootstrap_ci = [boot.value.lower, boot.value.upper];
const perm = await timed(() => permutationTest({ statistic: 'harrell', ...d, permutations: replicates, seed: 1 }));
results.permutation_harrell_ms = perm.ms;
results.permutation_p = perm.value.p;

const kx = new Float64Array(kendallN);
const ky = new Float64Array(kendallN);
for (let i = 0; i < kendallN; i++) { kx[i] = Math.floor(unif() * 1000); ky[i] = kx[i] + Math.floor(unif() * 800); }
const kt = await timed(() => kendallTau(kx, ky));
results.kendall_ms = kt.ms;
results.kendall_tau = kt.value.estimate;

if (withR && rReplicates > 0 && spawnSync('Rscript', ['--version']).status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'latefuse-bench-'));
  const csv = join(dir, 'd.csv');
  const lines = ['time,event,score'];
  for (let i = 0; i < n; i++) lines.push(`${d.time[i]},${d.event[i]},${d.score[i]}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const script = `suppressPackageStartupMessages({library(survival); library(boot)})
d <- read.csv("${csv}")
f <- function(d, i) concordance(Surv(time, event) ~ score, data = d[i, ], reverse = TRUE)$concordance
t0 <- f(d, seq_len(nrow(d)))
set.seed(1)
el <- system.time(b <- boot(d, f, R = ${rReplicates}))[["elapsed"]]
cat(sprintf("%.17g %.6f\\n", t0, el))`;
  const r = spawnSync('Rscript', ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  rmSync(dir, { recursive: true, force: true });
  if (r.status === 0) {
    const [c, elapsed] = r.stdout.trim().split(/\s+/).map(Number);
    results.r_harrell_c = c;
    results.r_replicates = rReplicates;
    results.r_boot_ms = elapsed * 1000;
    results.r_boot_ms_per_1000 = (elapsed * 1000 * 1000) / rReplicates;
  } else {
    results.r_error = (r.stderr || r.error?.message || 'Rscript failed').trim().split('\n').pop();
  }
}

if (asJson) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} else {
  const f = (ms) => `${(ms / 1000).toFixed(3)} s`;
  console.log(`LateFuse evaluation-statistics benchmark (WebAssembly through web/lib, Node ${process.version})`);
  console.log(`  bootstrap of Harrell's C, n = ${n}, ${replicates} replicates: ${f(results.bootstrap_harrell_ms)}  (target < 2 s; C = ${results.harrell_c.toFixed(6)})`);
  console.log(`  permutation test of Harrell's C, n = ${n}, ${replicates} permutations: ${f(results.permutation_harrell_ms)}  (target < 2 s)`);
  console.log(`  Kendall's tau-b, n = ${kendallN}: ${f(results.kendall_ms)}  (target < 1 s; tau = ${results.kendall_tau.toFixed(6)})`);
  if (results.r_boot_ms !== undefined) {
    console.log(`  R boot + concordance, ${rReplicates} replicates: ${f(results.r_boot_ms)} -> ~${f(results.r_boot_ms_per_1000)} per 1000 (C = ${results.r_harrell_c.toFixed(6)})`);
  } else if (results.r_error) {
    console.log(`  R comparison failed: ${results.r_error}`);
  }
}
