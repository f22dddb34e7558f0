// Settings shared by the Learn tab and the Run-demo button: the simulator's reference preset and the
// evaluation settings of each simulated cohort.

/**
 * The simulator's "hgsoc" preset (cpp/latefuse/simulator.cpp simulationPreset: the reference HGSOC
 * study's shape). Kept here so the controls can be drawn at once; the e2e tests check these values
 * against `latefuse simulate --preset hgsoc`.
 */
export const PRESET = Object.freeze({
  n: 444,
  modalities: Object.freeze([
    { name: 'radiomics', available: 245, signal: 0.8, features: 20 },
    { name: 'histopathology', available: 243, signal: 0.8, features: 20 },
    { name: 'genomic', available: 296, signal: 0.8, features: 20 },
    { name: 'clinical', available: 444, signal: 0.8, features: 10 },
  ]),
  complete: 114,
  correlation: 0.1,
  interaction: 0,
  interactionBetween: Object.freeze(['radiomics', 'genomic']),
  censoring: 0.45,
  seed: 1,
  seeds: 5,
  bootstrap: 200,
});

/** Settings of the evaluation of each simulated cohort (the engine's options). */
export const LEARN_EVALUATION = Object.freeze({ testFraction: 0.3, permutations: 200, riskGroups: 'median' });

/**
 * The Run-demo button: the reference preset with a fixed seed, evaluated on a 30% test split with
 * 1000 bootstrap replicates and 1000 permutations (the same as `latefuse fuse` with these options).
 */
export const DEMO = Object.freeze({
  simulation: Object.freeze({ preset: 'hgsoc', seed: 1 }),
  evaluation: Object.freeze({ testFraction: 0.3, seed: 1, bootstrap: 1000, permutations: 1000, riskGroups: 'median' }),
});
