// A claim decided on the unrounded numbers, in the browser: late fusion on files the page reads
// (the simulator's cohort split into an outcome file and one file per modality, claim-cohort.js)
// with the seed and bootstrap count that the seeded search (claim-boundary-search.js) found to put
// the upper bound of late fusion minus the best single modality at -0.00055 (117 replicates) and at
// +0.00061 (110 replicates). Both print as ±0.001 at three decimals; the page must say the first
// interval excludes 0 and the second includes it. The bounds are the ones `latefuse fuse` computes
// on the same files, and the page's own report download carries them unrounded.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, openApp, upload, download, simulatedCohortFiles, ROOT, runFusion } from './helpers.js';
import { claimCohortArgs, claimFuseArgs, CLAIM_MODALITIES } from './claim-cohort.js';

const SIM_SEED = 13;
const FUSE_SEED = 4;
// Bootstrap replicates -> where the upper bound of late fusion minus the best single modality lies.
const RUNS = [
  { bootstrap: 117, upper: [-0.001, -0.0005], printed: '-0.001', claim: 'the interval excludes 0, late fusion is worse.' },
  { bootstrap: 110, upper: [0.0005, 0.001], printed: '0.001', claim: 'the interval includes 0, so the difference may be chance.' },
];

let env;
let dir;
const latefuse = (args) => execFileSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), ...args], { encoding: 'utf8' });

beforeAll(async () => {
  env = await launch();
  ({ dir } = simulatedCohortFiles('latefuse-claims-', claimCohortArgs(SIM_SEED), CLAIM_MODALITIES));
});
afterAll(async () => { await env?.close(); });

describe('a ΔC interval whose upper bound prints as ±0.001', () => {
  for (const run of RUNS) {
    it(`upper bound in (${run.upper.join(', ')}): the page says "${run.claim}"`, async () => {
      // The reference: latefuse fuse on the same files, seed and replicates.
      const reportPath = join(dir, `report-${run.bootstrap}.json`);
      latefuse(['fuse', ...claimFuseArgs(dir, FUSE_SEED, run.bootstrap), '--model-out', join(dir, `model-${run.bootstrap}.json`), '--report-out', reportPath]);
      const ref = JSON.parse(readFileSync(reportPath, 'utf8'));
      const k = ref.comparisons.find((c) => c.name === 'late_vs_best_unimodal');
      // The premise the search established: the unrounded bound is on the chosen side of 0 and rounds to ±0.001.
      expect(k.upper).toBeGreaterThan(run.upper[0]);
      expect(k.upper).toBeLessThan(run.upper[1]);
      expect(Math.abs(k.upper)).toBeGreaterThanOrEqual(0.0005);
      expect(k.upper.toFixed(3)).toBe(run.printed);
      const best = ref.models.find((m) => m.name === k.b);
      expect(best.kind).toBe('unimodal');

      const { context, page, problems } = await openApp(env, { query: '?demo=0' });
      await upload(page, ['outcome', ...CLAIM_MODALITIES].map((name) => join(dir, `${name}.csv`)));
      await page.fill('#fs-seed', String(FUSE_SEED));
      await page.fill('#fs-bootstrap', String(run.bootstrap));
      await page.fill('#fs-permutations', '0');
      await runFusion(page);

      // The page's own run has the same unrounded bound (its report download).
      const pageReport = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
      expect(pageReport.comparisons.find((c) => c.name === 'late_vs_best_unimodal')).toEqual(k);

      const summary = await page.textContent('#fusion-summary');
      const sentence = `Late fusion minus the best single modality (${best.name}, chosen after seeing the test results): ` +
        `ΔC\u00a0=\u00a0${k.delta_c.toFixed(3)} (95% CI ${k.lower.toFixed(3)} to ${run.printed}, paired bootstrap on ${k.n} patients): ${run.claim}`;
      expect(summary).toContain(sentence);
      expect(problems).toEqual([]);
      await context.close();
    }, 240_000);
  }
});
