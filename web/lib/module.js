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
