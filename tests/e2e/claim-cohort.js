// The cohort and `latefuse fuse` settings of claim-boundary.test.js and of the seeded search that
// chose its runs (claim-boundary-search.js): one definition, so the test drives the page to exactly
// the runs the search found.
import { join } from 'node:path';
export { splitCohortFiles } from './helpers.js';

export const CLAIM_MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
/**
 * The study-shaped cohort with all the signal in the clinical modality: late fusion adds three noise
 * modalities to it, so late fusion minus the best single modality is a little below 0 and its
 * interval's upper bound often close to 0.
 */
export const claimCohortArgs = (seed) => ['--preset', 'hgsoc', '--n', '400', '--availability', 'radiomics=330,histopathology=330,genomic=330,clinical=400', '--complete', '300', '--signal', 'radiomics=0,histopathology=0,genomic=0,clinical=1.5', '--features', 'radiomics=40,histopathology=40,genomic=40,clinical=10',
  '--seed', String(seed)];

/**
 * `latefuse fuse` flags of a run on the split files in `dir`: the page's defaults but for the seed,
 * the bootstrap replicates and no permutations (the page's Random seed, Bootstrap replicates and
 * Permutations settings).
 */
export const claimFuseArgs = (dir, seed, bootstrap) => [
  ...['outcome', ...CLAIM_MODALITIES].flatMap((name) => ['--data', join(dir, `${name}.csv`)]),
  '--id', 'id', '--time', 'time', '--event', 'event',
  ...CLAIM_MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]),
  '--seed', String(seed), '--bootstrap', String(bootstrap), '--permutations', '0',
];
