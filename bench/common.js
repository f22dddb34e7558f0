// Shared pieces of the benchmark scripts: seeded synthetic survival data (input only, not a
// statistic), timing, and running R / the native tool on the same files in the same run.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const outDir = fileURLToPath(new URL('./out/', import.meta.url));
export const nativeTool = fileURLToPath(new URL('../build/native/latefuse_native', import.meta.url));
mkdirSync(outDir, { recursive: true });

/** A small seeded PRNG (mulberry32) for benchmark inputs. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cox data: p standard-normal-ish covariates, exponential times in whole days (so ties occur), 30% censoring. */
export function survivalData(n, p, seed) {
  const u = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
  const covariates = {};
  const cols = [];
  for (let j = 0; j < p; j++) { const c = new Float64Array(n); cols.push(c); covariates[`x${j + 1}`] = c; }
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lp = 0;
    for (let j = 0; j < p; j++) {
      const v = Math.round(normal() * 1000) / 1000;
      cols[j][i] = v;
      lp += (j % 3 === 0 ? 0.3 : j % 3 === 1 ? -0.2 : 0) * v;
    }
    time[i] = Math.max(1, Math.ceil(-Math.log(u() + 1e-300) * 1000 * Math.exp(-lp)));
    event[i] = u() < 0.7 ? 1 : 0;
  }
  return { time, event, covariates };
}

export function writeCsv(name, data, extra = {}) {
  const file = `${outDir}${name}`;
  const names = Object.keys(data.covariates);
  const extraNames = Object.keys(extra);
  const lines = [['time', 'event', ...names, ...extraNames].join(',')];
  const n = data.time.length;
  for (let i = 0; i < n; i++) {
    lines.push([data.time[i], data.event[i], ...names.map((k) => data.covariates[k][i]), ...extraNames.map((k) => extra[k][i])].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export async function timeIt(fn, repeats = 3) {
  const times = [];
  let result;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

export const hasR = (() => {
  const r = spawnSync('Rscript', ['-e', 'cat(requireNamespace("survival", quietly=TRUE))'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('TRUE');
})();

/** Run an R snippet; it must cat() one JSON object. */
export function runR(code) {
  const r = spawnSync('Rscript', ['-e', code], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`Rscript failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export function runNative(args) {
  if (!existsSync(nativeTool)) return null;
  const r = spawnSync(nativeTool, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`latefuse_native failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function table(rows) {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => String(r[j]).length)));
  return rows.map((r, i) => {
    const line = '| ' + r.map((c, j) => String(c).padEnd(widths[j])).join(' | ') + ' |';
    return i === 0 ? `${line}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : line;
  }).join('\n');
}

export const fmt = (ms) => (ms === null || ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
