// Seeded synthetic data for the elastic-net benchmark (input only, not a statistic): n subjects,
// p standard-normal covariates (4 decimals), a few true signals, exponential event times and
// uniform censoring, times with 6 decimals and NO ties (glmnet 4.1's Fortran handles tied event
// times differently from Breslow, so the comparison with R uses untied data), and 1-based fold
// labels laid out as R's sample(rep(1:K, length = n)).
//   node bench/enet_data.js [n] [p] [seed]   writes bench/out/enet_<n>_<p>.csv and prints its path
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { outDir, prng } from './common.js';

export const SIGNALS = [0.7, -0.6, 0.5, -0.4, 0.35, -0.3];  // the first columns carry the signal

export function enetData(n, p, seed, folds = 10) {
  const u = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
  const x = Array.from({ length: p }, () => new Float64Array(n));
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    let lp = 0;
    for (let j = 0; j < p; j++) {
      const v = Math.round(normal() * 1e4) / 1e4;
      x[j][i] = v;
      if (j < SIGNALS.length) lp += SIGNALS[j] * v;
    }
    const t = -Math.log(u() + 1e-300) * Math.exp(-lp);
    const c = 3 * u();
    let ti = Math.round(Math.max(Math.min(t, c), 1e-6) * 1e6) / 1e6;
    while (seen.has(ti)) ti = Math.round((ti + 1e-6) * 1e6) / 1e6;  // no tied times
    seen.add(ti);
    time[i] = ti;
    event[i] = t <= c ? 1 : 0;
  }
  const fold = new Float64Array(n);
  for (let i = 0; i < n; i++) fold[i] = (i % folds) + 1;
  for (let i = n - 1; i > 0; i--) {  // Fisher–Yates
    const k = Math.floor(u() * (i + 1));
    [fold[i], fold[k]] = [fold[k], fold[i]];
  }
  return { time, event, fold, x };
}

export function writeEnetCsv(n, p, seed, folds = 10) {
  const d = enetData(n, p, seed, folds);
  const file = `${outDir}enet_${n}_${p}.csv`;
  const names = d.x.map((_, j) => `x${j + 1}`);
  const lines = [['time', 'event', 'fold', ...names].join(',')];
  for (let i = 0; i < n; i++) lines.push([d.time[i], d.event[i], d.fold[i], ...d.x.map((c) => c[i])].join(','));
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, data: d, names };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n = 245, p = 600, seed = 2025] = process.argv.slice(2).map(Number);
  console.log(writeEnetCsv(n, p, seed).file);
}
