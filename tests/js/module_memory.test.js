// The core's memory set aside before an input is read (web/lib/module.js): memoryForInput's bounds,
// and reserveMemory growing the module's memory in one step without changing what a fit computes.
import { describe, it, expect } from 'vitest';
import { loadModule, reserveMemory, memoryForInput, fitCox } from '../../web/lib/index.js';

const MB = 2 ** 20;

describe('memoryForInput', () => {
  it('is 4x the input, at least 64 MB and at most 1 GB', () => {
    expect(memoryForInput(0)).toBe(64 * MB);
    expect(memoryForInput(16 * MB)).toBe(64 * MB);          // 4x is exactly the floor
    expect(memoryForInput(16 * MB + 1)).toBe(64 * MB + 4);  // just above it, 4x
    expect(memoryForInput(100 * MB)).toBe(400 * MB);
    expect(memoryForInput(256 * MB)).toBe(1024 * MB);       // 4x is exactly the cap
    expect(memoryForInput(257 * MB)).toBe(1024 * MB);
  });
});

describe('reserveMemory', () => {
  it('grows the memory to at least the size asked, once, and a fit gives the same numbers after it', async () => {
    const m = await loadModule();
    const data = {
      time: [5, 8, 8, 12, 3, 9, 14, 2, 7, 11],
      event: [1, 0, 1, 1, 0, 1, 0, 1, 1, 0],
      covariates: { x: [0.5, -1.2, 0.3, 2.1, -0.7, 1.1, -0.2, 0.9, -1.5, 0.4] },
    };
    const before = await fitCox(data);
    const target = m.HEAPU8.length + 48 * MB;
    const size = await reserveMemory(target);
    expect(size).toBeGreaterThanOrEqual(target);
    expect(m.HEAPU8.length).toBe(size);
    // Asking for less than the memory has is a no-op.
    expect(await reserveMemory(MB)).toBe(size);
    const after = await fitCox(data);
    expect(after.coef[0]).toBe(before.coef[0]);
    expect(after.loglik).toBe(before.loglik);
  });
});
