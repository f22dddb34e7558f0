// Rejected model files free their memory (docs/inputs.md, "model text leak"): the page validates
// uploads in a long-lived worker, so 50 rejections of a 2 MB file must leave the WASM memory where
// it was (each used to keep more than its own size: its text, copied into the module, was never
// freed on the error path; 50 rejections of a 5 MB file grew the memory by 250 MB). WASM memory never shrinks, so the test compares its size after a warm-up with its size
// after 50 more rejections.
import { describe, it, expect } from 'vitest';
import { loadModule } from '../../web/lib/module.js';
import { validateModel, loadScoringModel, roundTripModel, addModelValidation, InputError } from '../../web/lib/index.js';

const MB = 1 << 20;

async function rejections(count, text, call) {
  for (let i = 0; i < count; i++) {
    await expect(call(text)).rejects.toBeInstanceOf(InputError);
  }
}

describe('model text leak', () => {
  const text = JSON.stringify({ schema_version: 1, padding: 'x'.repeat(2 * MB) });
  // The page's two doors get 50 rejections; the CLI-only ones 20 (a leak would still be 40 MB).
  for (const [name, call, count] of [
    ['validateModel', validateModel, 50],
    ['loadScoringModel', loadScoringModel, 50],
    ['roundTripModel', roundTripModel, 20],
    ['addModelValidation', (t) => addModelValidation(t, { cohort: 'X', n: 10 }), 20],
  ]) {
    it(`${name}: WASM memory stays flat over ${count} rejections of a 2 MB file`, async () => {
      const m = await loadModule();
      await rejections(5, text, call);
      const before = m.HEAP8.buffer.byteLength;
      await rejections(count, text, call);
      const grown = m.HEAP8.buffer.byteLength - before;
      expect(grown, `grew ${grown / MB} MB`).toBeLessThanOrEqual(8 * MB);
    }, 120000);
  }
});
