// Warming the core up before a large input arrives. V8 runs a WebAssembly function first as baseline
// (Liftoff) code and compiles optimised code for it in the background once it has run for a while
// (dynamic tiering); until then a call keeps running the baseline code. A first Cox fit on a large
// input (n = 1e5, p = 20) spent ~20 ms of its time that way. Running a small fit first, before the
// input is read, lets that compilation happen on the other core while the caller reads its file:
// docs/benchmark.md has the figures (the fit's time and the whole command's).
import { fitCox } from './cox.js';
import { reserveMemory, memoryForInput } from './module.js';

/**
 * The made-up cohort's size: enough for V8 to decide to optimise the fit's loops, and (at 2,000 or
 * more) sorted with the same radix kernels as a large cohort (cpp/latefuse/ordering.cpp).
 */
export const WARM_UP_ROWS = 2000;
export const WARM_UP_COLUMNS = 20;

/** Inputs from this size on (bytes, all files together) are worth a warm-up (~15 ms) before they are read. */
const WARM_UP_MIN_BYTES = 1 << 20;

/** @type {Promise<void>|null} */
let warmed = null;

/**
 * Once per module (later calls return the first call's promise): fit a Cox model (with its
 * concordance) to a small made-up cohort and throw the fit away. The
 * cohort is arithmetic (no random step): covariate j of subject i is ((i (2j + 3) + 7j) mod 101) / 50 - 1,
 * time 1 + (37 i mod 1999), an event for 7 subjects in 10. Nearly every time is distinct, as in a
 * large cohort, so that the loops over event times run long enough to be optimised too (with 97
 * distinct times instead, the first large fit took ~4 ms longer).
 * @returns {Promise<void>}
 */
export function warmUp() {
  warmed ??= warmUpFit();
  return warmed;
}

/**
 * The core made ready for inputs of `bytes` bytes (all files together) before they are read: its
 * memory set aside (module.js), and, from WARM_UP_MIN_BYTES on and unless `warm` is false, warmed
 * up. A failed warm-up is ignored (the fit that follows reports any real problem).
 * @param {number} bytes @param {{warm?: boolean}} [options]
 */
export async function readyForInput(bytes, { warm = true } = {}) {
  await reserveMemory(memoryForInput(bytes));
  if (warm && bytes >= WARM_UP_MIN_BYTES) await warmUp().catch(() => {});
}

async function warmUpFit() {
  const n = WARM_UP_ROWS;
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = 1 + ((37 * i) % 1999);
    event[i] = i % 10 < 7 ? 1 : 0;
  }
  /** @type {Record<string, Float64Array>} */
  const covariates = {};
  for (let j = 0; j < WARM_UP_COLUMNS; j++) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i * (2 * j + 3) + 7 * j) % 101) / 50 - 1;
    covariates[`x${j + 1}`] = x;
  }
  await fitCox({ time, event, covariates });
}
