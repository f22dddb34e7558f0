// Real omics widths and cohort sizes (figures only):
//  * ridge Cox with p > n: the rotated fit (default) vs the direct p x p fit (`rotation: false`),
//    WASM, warm, with the largest coefficient difference;
//  * the 20,000-gene cohort (simulate --preset hgsoc --features genomic=20000,radiomics=500,
//    histopathology=500,clinical=10): `latefuse fuse` with the default ridge submodels and with
//    elastic-net selection, 200 bootstrap replicates and 200 permutations, wall time, CPU time and
//    peak RSS of the whole Node process (/usr/bin/time -v), and R's cv.glmnet (Cox, lasso, 10 folds)
//    on the genomic block of the patients that have it, in the same run;
//  * n = 20,000 patients (simulate --preset hgsoc --n 20000): fuse time, peak RSS, model file size;
//  (cold vs warm Cox and Harrell's C: bench/cold_bench.js)
//  * loadScoringModel of the shipped Rotterdam model, first call in a fresh process vs warm.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitCox, loadScoringModel } from '../web/lib/index.js';
import { outDir, survivalData, timeIt, hasR, runR, table, fmt } from './common.js';

const cli = fileURLToPath(new URL('../web/cli/latefuse.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const hasTime = existsSync('/usr/bin/time');

// Run the CLI in a fresh Node process; with /usr/bin/time -v also its CPU time and peak RSS.
function runCli(args) {
  const cmd = hasTime ? '/usr/bin/time' : process.execPath;
  const full = hasTime ? ['-v', process.execPath, cli, ...args] : [cli, ...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, full, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  const grab = (re) => { const m = (r.stderr || '').match(re); return m ? Number(m[1]) : null; };
  const user = grab(/User time \(seconds\): ([\d.]+)/), sys = grab(/System time \(seconds\): ([\d.]+)/);
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  return {
    ok: r.status === 0, status: r.status, wallMs, json,
    cpuMs: user === null ? null : (user + sys) * 1000,
    peakMb: grab(/Maximum resident set size \(kbytes\): (\d+)/) === null ? null : grab(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    error: r.status === 0 ? '' : (r.stderr || '').split('\n').find((l) => l.startsWith('latefuse:')) ?? `exit ${r.status}`,
  };
}

const mb = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(0)} MB`);

async function rotationRows(quick) {
  const rows = [['ridge Cox, p > n', 'n', 'p', 'rotated (default)', 'direct p x p', 'max |Δcoef|']];
  for (const [n, p] of quick ? [[300, 1000]] : [[300, 1000], [300, 2000], [444, 20000]]) {
    const data = survivalData(n, p, 11 + p);
    const rotated = await timeIt(() => fitCox({ ...data, penalizer: 0.1 }), 3);
    // The direct fit grows as p^3 (27 s at p = 1000 on the shared machine): run it up to p = 1000.
    const direct = p <= 1000 ? await timeIt(() => fitCox({ ...data, penalizer: 0.1, rotation: false }), 1) : null;
    const diff = direct ? Math.max(...rotated.result.coef.map((c, j) => Math.abs(c - direct.result.coef[j]))) : null;
    rows.push(['lifelines penalizer 0.1', n, p, fmt(rotated.ms), direct ? fmt(direct.ms) : 'not run (p³)', diff === null ? '—' : diff.toExponential(1)]);
  }
  return rows;
}

function wideCohortRows(quick) {
  const rows = [['20,000-gene cohort (444 patients)', 'bootstrap / permutations', 'wall', 'CPU', 'peak RSS', 'result']];
  const file = `${outDir}hgsoc_wide20k.csv`;
  const sim = runCli(['simulate', '--preset', 'hgsoc', '--features', 'genomic=20000,radiomics=500,histopathology=500,clinical=10', '--out', file]);
  if (!sim.ok) return [...rows, ['simulate', '—', '—', '—', '—', sim.error]];
  const replicates = quick ? 50 : 200;
  for (const selection of ['none', 'elasticnet']) {
    const r = runCli(['fuse', '--data', file, '--id', 'id', '--time', 'time', '--event', 'event',
      ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--bootstrap', String(replicates), '--permutations', String(replicates),
      '--selection', selection, '--model-out', `${outDir}wide_${selection}.model.json`, '--report-out', `${outDir}wide_${selection}.report.json`]);
    const late = r.json?.models?.find((m) => m.kind === 'late');
    rows.push([`fuse, ${selection === 'none' ? 'default ridge submodels' : 'elastic-net selection'}`, `${replicates} / ${replicates}`,
      fmt(r.wallMs), fmt(r.cpuMs), mb(r.peakMb), r.ok ? `late C ${late?.test_c ?? '—'}, model ${(statSync(`${outDir}wide_${selection}.model.json`).size / 1e6).toFixed(1)} MB` : r.error]);
  }
  if (hasR && !quick) {
    const r = runR(`suppressMessages({library(glmnet); library(survival)}); d <- read.csv("${file}");
      g <- grep("^genomic_", names(d)); keep <- rowSums(!is.na(d[, g])) > 0; x <- as.matrix(d[keep, g]);
      x[is.na(x)] <- 0; set.seed(1);
      t <- system.time(f <- cv.glmnet(x, Surv(d$time[keep], d$event[keep]), family = "cox", nfolds = 10))[["elapsed"]] * 1000;
      cat(sprintf('{"ms": %.3f, "n": %d, "p": %d}\\n', t, nrow(x), ncol(x)))`);
    rows.push([`R cv.glmnet (Cox lasso, 10 folds) on the genomic block (${r.n} x ${r.p})`, '—', fmt(r.ms), '—', '—', 'R alone']);
  }
  return rows;
}

function largeCohortRows(quick) {
  const n = quick ? 5000 : 20000;
  const file = `${outDir}hgsoc_n${n}.csv`;
  const rows = [['large cohort', 'patients', 'bootstrap / permutations', 'wall', 'CPU', 'peak RSS', 'model file']];
  const sim = runCli(['simulate', '--preset', 'hgsoc', '--n', String(n), '--out', file]);
  if (!sim.ok) return [...rows, ['simulate', n, '—', '—', '—', '—', sim.error]];
  const model = `${outDir}hgsoc_n${n}.model.json`;
  const r = runCli(['fuse', '--data', file, '--id', 'id', '--time', 'time', '--event', 'event',
    ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--bootstrap', '200', '--permutations', '200',
    '--model-out', model, '--report-out', `${outDir}hgsoc_n${n}.report.json`]);
  rows.push(['fuse, defaults', n, '200 / 200', fmt(r.wallMs), fmt(r.cpuMs), mb(r.peakMb), r.ok ? `${(statSync(model).size / 1e6).toFixed(1)} MB` : r.error]);
  return rows;
}

async function loadRows() {
  const rows = [['loadScoringModel', 'file size', 'cold (first call in a fresh process)', 'warm (median of 5)']];
  const file = fileURLToPath(new URL('../models/rotterdam.latefuse.json', import.meta.url));
  const script = `import { readFileSync } from 'node:fs'; import { loadModule, loadScoringModel } from '${fileURLToPath(new URL('../web/lib/index.js', import.meta.url))}';
    const text = readFileSync('${file}', 'utf8'); await loadModule(); const t0 = performance.now(); (await loadScoringModel(text)).dispose();
    console.log(JSON.stringify({ ms: performance.now() - t0 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const cold = r.status === 0 ? JSON.parse(r.stdout).ms : null;
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(file, 'utf8');
  const warm = await timeIt(async () => (await loadScoringModel(text)).dispose(), 5);
  rows.push(['models/rotterdam.latefuse.json', `${(text.length / 1e6).toFixed(2)} MB`, fmt(cold), fmt(warm.ms)]);
  return rows;
}

export async function run({ quick = false } = {}) {
  const parts = [
    ['Ridge Cox with more covariates than patients (WASM, warm; direct: one run)', await rotationRows(quick)],
    ['The 20,000-gene cohort, end to end (CLI, fresh process each)', wideCohortRows(quick)],
    ['A large cohort, end to end (CLI)', largeCohortRows(quick)],
    ['Model load time', await loadRows()],
  ];
  return parts.map(([title, rows]) => `### ${title}\n\n${table(rows)}\n`).join('\n') +
    `\nCold = the first call in a fresh Node process (what a CLI call sees); warm = the same call again in that process. CPU and peak RSS from /usr/bin/time -v${hasTime ? '' : ' (not found: —)'}.\n`;
}
