// First calls vs later calls (figures only):
//  * cold: `latefuse cox` (n = 1e5, p = 20) and `latefuse concordance` (n = 1e6) each in a fresh Node
//    process, as a user's CLI call sees them: the command's own fit_ms / compute_ms, the process's wall
//    time and CPU time (user + system, /usr/bin/time -v), the 1-minute load average when it started;
//  * warm: the same call repeated in this process after one call (wall and this process's CPU time);
//  * R: coxph / concordance on the same file in one R session (elapsed and user + system time);
//  * n = 1e6, p = 10 Cox, warm;
//  * the same cold `latefuse cox` with V8 flags (baseline compiler off, dynamic tier-up off, a smaller
//    tier-up budget) that the CLI could set, to show what each costs or saves.
// Every figure is the median of several runs, because the 2-core machine is usually shared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fitCox, concordance, loadModule } from '../web/lib/index.js';
import { survivalData, writeCsv, hasR, runR, table, fmt } from './common.js';

const cli = fileURLToPath(new URL('../web/cli/latefuse.js', import.meta.url));
const hasTime = existsSync('/usr/bin/time');

const median = (values) => {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};
const loadList = (values) => values.map((v) => v.toFixed(1)).join(', ');
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '—');

// One fresh `node [flags] latefuse.js args` process: the command's JSON, wall, CPU, load at start.
function coldRun(args, nodeFlags = []) {
  const load = loadavg()[0];
  const node = [...nodeFlags, cli, ...args];
  const t0 = performance.now();
  const r = hasTime ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...node], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, node, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`latefuse ${args[0]} failed: ${r.stderr}`);
  const grab = (re) => { const m = (r.stderr || '').match(re); return m ? Number(m[1]) : null; };
  const user = grab(/User time \(seconds\): ([\d.]+)/), sys = grab(/System time \(seconds\): ([\d.]+)/);
  return { json: JSON.parse(r.stdout), wallMs, cpuMs: user === null ? null : (user + sys) * 1000, load };
}

function coldRuns(args, repeats, nodeFlags = []) {
  const runs = Array.from({ length: repeats }, () => coldRun(args, nodeFlags));
  const key = args[0] === 'cox' ? 'fit_ms' : 'compute_ms';
  return {
    callMs: median(runs.map((r) => r.json[key])),
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    loads: runs.map((r) => r.load),
    json: runs[0].json,
  };
}

// The call repeated in this process after a first call: median wall and CPU time of this process.
async function warmRuns(fn, repeats) {
  await fn();
  const wall = [], cpu = [], loads = [];
  let result;
  for (let k = 0; k < repeats; k++) {
    loads.push(loadavg()[0]);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), loads, result };
}

// R in one session: `repeats` timings of `expr` on the CSV as `d`; median elapsed and user + system.
function rRuns(file, setup, expr, repeats) {
  if (!hasR) return null;
  return runR(`suppressMessages(library(survival)); d <- read.csv("${file}"); ${setup}
    t <- sapply(1:${repeats}, function(k) { s <- system.time(${expr}); c(s[["elapsed"]], s[["user.self"]] + s[["sys.self"]]) }) * 1000;
    cat(sprintf('{"ms": %.3f, "cpu": %.3f}\\n', median(t[1, ]), median(t[2, ])))`);
}

export async function run({ quick = false } = {}) {
  const repeats = quick ? 2 : 5;
  const n = quick ? 1e4 : 1e5;
  const data = survivalData(n, 20, 42 + n);
  const file = writeCsv(`cox_${n}_20.csv`, data);
  const names = Object.keys(data.covariates);
  const coxArgs = ['cox', '--data', file, '--time', 'time', '--event', 'event', '--covariates', names.join(',')];
  const cold = coldRuns(coxArgs, repeats);
  await loadModule();
  const warm = await warmRuns(() => fitCox(data), repeats);
  const r = rRuns(file, '', 'coxph(Surv(time, event) ~ ., data = d, ties = "efron")', quick ? 1 : 3);

  const m = quick ? 1e5 : 1e6;
  const c = survivalData(m, 1, 7);
  const cfile = writeCsv(`concordance_${m}.csv`, { time: c.time, event: c.event, covariates: { score: c.covariates.x1 } });
  const coldC = coldRuns(['concordance', '--data', cfile, '--time', 'time', '--event', 'event', '--score', 'score'], repeats);
  const input = { time: c.time, event: c.event, score: c.covariates.x1 };
  const warmC = await warmRuns(() => concordance(input), repeats);
  const rc = rRuns(cfile, '', 'concordance(Surv(time, event) ~ score, data = d, reverse = TRUE)', quick ? 1 : 3);

  const big = quick ? 1e5 : 1e6;
  const bigData = survivalData(big, 10, 42 + big);
  const warmBig = await warmRuns(() => fitCox(bigData), quick ? 1 : 3);

  const main = [['call', 'n', 'cold: call (fit_ms / compute_ms)', 'cold: process wall / CPU', 'warm: wall / CPU',
    'R: elapsed / CPU', 'R / cold call', 'R / warm', 'load average (cold; warm)']];
  main.push(['Efron Cox, p = 20', n, fmt(cold.callMs), `${fmt(cold.wallMs)} / ${fmt(cold.cpuMs)}`, `${fmt(warm.wallMs)} / ${fmt(warm.cpuMs)}`,
    r ? `${fmt(r.ms)} / ${fmt(r.cpu)}` : '—', ratio(r?.ms, cold.callMs), ratio(r?.ms, warm.wallMs), `${loadList(cold.loads)}; ${loadList(warm.loads)}`]);
  main.push(["Harrell's C", m, fmt(coldC.callMs), `${fmt(coldC.wallMs)} / ${fmt(coldC.cpuMs)}`, `${fmt(warmC.wallMs)} / ${fmt(warmC.cpuMs)}`,
    rc ? `${fmt(rc.ms)} / ${fmt(rc.cpu)}` : '—', ratio(rc?.ms, coldC.callMs), ratio(rc?.ms, warmC.wallMs), `${loadList(coldC.loads)}; ${loadList(warmC.loads)}`]);
  main.push(['Efron Cox, p = 10 (warm only)', big, '—', '—', `${fmt(warmBig.wallMs)} / ${fmt(warmBig.cpuMs)}`, '—', '—', '—', `—; ${loadList(warmBig.loads)}`]);

  // V8 flags the CLI could set before the module is compiled (cold `latefuse cox`, same file).
  const flags = [['node flags for a cold `latefuse cox`', 'fit_ms', 'process wall', 'process CPU', 'iterations', 'load average']];
  for (const f of [[], ['--no-liftoff'], ['--no-liftoff', '--no-wasm-lazy-compilation'], ['--no-wasm-dynamic-tiering'], ['--wasm-tiering-budget=100000']]) {
    const x = f.length ? coldRuns(coxArgs, quick ? 1 : 3, f) : cold;
    flags.push([f.length ? f.join(' ') : '(none: the CLI as shipped)', fmt(x.callMs), fmt(x.wallMs), fmt(x.cpuMs), x.json.iterations, loadList(x.loads)]);
  }
  return `### First calls (cold) vs later calls (warm), WASM in Node\n\n${table(main)}\n\n` +
    `Cold: a fresh \`latefuse\` process per run (the command's own fit_ms / compute_ms, which start after the CSV is read; process wall and CPU from /usr/bin/time -v${hasTime ? '' : ' (not found: —)'}). ` +
    `Warm: the same call again in one process after a first call. Median of ${repeats} runs (R: ${quick ? 1 : 3}, in one R session). ` +
    `Iterations: Cox ${cold.json.iterations} (R's rule). The ratios use wall times; on a loaded machine compare the CPU columns.\n\n` +
    `### V8 flags for the CLI (cold \`latefuse cox\`, n = ${n}, p = 20; median of ${quick ? 1 : 3})\n\n${table(flags)}\n`;
}
