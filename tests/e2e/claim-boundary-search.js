// The seeded search that chose the runs of claim-boundary.test.js: late fusion on a simulated cohort
// (`latefuse simulate`, split into an outcome file and one file per modality, as the page receives
// them) whose paired ΔC interval has its upper bound just below 0 (in (-0.001, -0.0005]: printed
// -0.001, yet the interval excludes 0) and a run whose upper bound is just above 0 (in [0.0005,
// 0.001): printed 0.001, the interval includes 0). It runs `latefuse fuse` itself (the CLI's own code, in-process)
// over simulator seeds and fuse seeds with the page's settings otherwise at their defaults: a run
// whose upper bound lies within 0.004 of 0 at 100 bootstrap replicates is rerun at every bootstrap
// count of the sweep (the percentile bounds move a little with the number of replicates). It prints
// every hit with what reproduces it. Not a test: run it by hand,
//   node tests/e2e/claim-boundary-search.js [--sim-seeds 1-10] [--fuse-seeds 1-3] [--bootstrap 105-250/5] [--verbose]
// and copy a hit into claim-boundary.test.js (RUNS).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import simulate from '../../web/cli/commands/simulate.js';
import fuse from '../../web/cli/commands/fuse.js';
import { parseOptions } from '../../web/cli/options.js';
import { splitCohortFiles, claimCohortArgs, claimFuseArgs, CLAIM_MODALITIES } from './claim-cohort.js';

// "1-10" (every whole number), "100-400/5" (every 5th), "3,7" or a mix.
const range = (text) => text.split(',').flatMap((part) => {
  const [span, step = '1'] = part.split('/');
  const [a, b] = span.split('-').map(Number);
  return b === undefined ? [a] : Array.from({ length: Math.floor((b - a) / Number(step)) + 1 }, (_, k) => a + k * Number(step));
});
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return range(i > 0 ? process.argv[i + 1] : fallback);
};
const simSeeds = arg('sim-seeds', '1-10');
const fuseSeeds = arg('fuse-seeds', '1-3');
const sweep = arg('bootstrap', '105-250/5');
const COARSE = 100;
const NEAR = 0.004;

const run = async (command, args) => command.run(parseOptions(args, command.options, command.name));
const WINDOW = 0.001;
const found = { below: null, above: null };
const started = Date.now();
let runs = 0;
for (const simSeed of simSeeds) {
  const dir = mkdtempSync(join(tmpdir(), 'latefuse-claims-'));
  await run(simulate, [...claimCohortArgs(simSeed), '--out', join(dir, 'cohort.csv')]);
  splitCohortFiles(dir, CLAIM_MODALITIES);
  for (const fuseSeed of fuseSeeds) {
    const bootstraps = [COARSE];
    for (let i = 0; i < bootstraps.length; i++) {
      const b = bootstraps[i];
      const model = join(dir, 'model.json');
      const report = join(dir, 'report.json');
      await run(fuse, [...claimFuseArgs(dir, fuseSeed, b), '--model-out', model, '--report-out', report]);
      runs++;
      const { comparisons } = JSON.parse(readFileSync(report, 'utf8'));
      if (process.argv.includes('--verbose')) console.error(`  ${simSeed}/${fuseSeed}/${b}: upper ${comparisons.map((k) => k.upper.toFixed(4)).join(' ')}`);
      if (b === COARSE && comparisons.some((k) => Math.abs(k.upper) < NEAR)) bootstraps.push(...sweep.filter((x) => x !== COARSE));
      for (const k of comparisons) {
        // A hit prints as -0.001 or 0.001 at three decimals: 0.0005 <= |upper| < 0.001.
        const printsAsOneThousandth = Math.abs(k.upper) >= WINDOW / 2 && Math.abs(k.upper) < WINDOW;
        const side = !printsAsOneThousandth ? null : k.upper < 0 ? 'below' : 'above';
        if (!side) continue;
        console.log(`${side}: sim seed ${simSeed}, fuse seed ${fuseSeed}, bootstrap ${b}: ${k.name} upper = ${k.upper} (lower ${k.lower}, n ${k.n})`);
        found[side] ??= { simSeed, fuseSeed, bootstrap: b, comparison: k.name, upper: k.upper };
      }
      if (found.below && found.above) break;
    }
    if (found.below && found.above) break;
  }
  console.error(`sim seed ${simSeed}: ${runs} runs, ${Math.round((Date.now() - started) / 1000)} s`);
  if (found.below && found.above) break;
}
console.log(JSON.stringify(found, null, 2));
