// Loads the LateFuse WebAssembly module once (lazy singleton) in the browser, a Web Worker or Node.
// The module is one ES6 build with ENVIRONMENT=web,worker; in Node it is given the .wasm bytes
// (`wasmBinary`) because Emscripten 3.1.6's own Node path is broken on Node >= 18 (docs/build.md).
import createLateFuseModule from '../wasm/latefuse.js';

let modulePromise = null;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' &&
  typeof importScripts === 'undefined';

export function loadModule() {
  if (!modulePromise) {
    modulePromise = (async () => {
      if (isNode) {
        const { readFile } = await import('node:fs/promises');
        const wasmBinary = await readFile(new URL('../wasm/latefuse.wasm', import.meta.url));
        return createLateFuseModule({ wasmBinary });
      }
      return createLateFuseModule();
    })();
    modulePromise.catch(() => { modulePromise = null; });
  }
  return modulePromise;
}

// The core's memory is one WebAssembly.Memory that grows as a fit needs it. V8 counts it as memory
// outside the JS heap, and growing it by tens of MB starts a full garbage collection of the JS heap.
// If that happens during a first fit, after a large table has been parsed (millions of strings),
// marking them runs beside the fit for ~100–200 ms and slows it by ~70 ms (n = 1e5, p = 20:
// docs/benchmark.md). Growing the memory in one step before the input is read moves that collection
// to a time when the heap is small. Address space only: pages cost nothing until they are used.

/** The memory to set aside before reading inputs of `inputBytes` bytes: 4x (the core's copy of the
 * values, as doubles, and a fit's work vectors), at least 64 MB, at most 1 GB. */
export function memoryForInput(inputBytes) {
  return Math.min(2 ** 30, Math.max(64 * 2 ** 20, 4 * inputBytes));
}

/** Grows the core's memory to at least `bytes` in one step (loading the core first). Best effort: if
 * the memory cannot grow that far now, nothing happens here and a later call that needs the memory
 * reports it. Returns the memory's size in bytes. */
export async function reserveMemory(bytes) {
  const m = await loadModule();
  const have = m.HEAPU8.length;
  if (have < bytes) {
    const block = m._malloc(bytes);
    if (block) m._free(block);
  }
  return m.HEAPU8.length;
}
