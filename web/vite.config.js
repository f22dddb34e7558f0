// Vite build of the LateFuse web app: `npx vite build --config web/vite.config.js` writes dist/.
// - root web/app, base './': every URL in the built site is relative, so it works from any sub-path
//   (GitHub Pages serves it from /<repo>/).
// - The Web Worker (web/app/worker.js) imports web/lib, which imports the Emscripten module; Vite
//   sees `new URL('latefuse.wasm', import.meta.url)` and emits the .wasm as a hashed asset.
// - The service worker (web/app/sw.js) is emitted as dist/sw.js with the list of every file of the
//   build to precache (so the app works offline after the first visit).
// - The shipped models (models/*.latefuse.json; Rotterdam's carries its GBSG validation) are
//   copied into dist/models/ (shippedModelsPlugin) for the Score tab; the service worker precaches
//   them like every other file.
import { defineConfig } from 'vite';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';

const here = fileURLToPath(new URL('.', import.meta.url));
const appRoot = join(here, 'app');
const publicDir = join(appRoot, 'public');

function listFiles(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, base));
    else out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

/**
 * After the build is written, write dist/sw.js from web/app/sw.js with the list of every file of
 * the build to precache and a version derived from their contents (a new build = a new cache).
 */
function serviceWorkerPlugin() {
  let outDir;
  return {
    name: 'latefuse-service-worker',
    apply: 'build',
    configResolved(config) { outDir = config.build.outDir; },
    writeBundle() {
      const files = listFiles(outDir).filter((f) => f !== 'sw.js' && !f.endsWith('.map')).sort();
      const hash = createHash('sha256');
      for (const name of files) hash.update(name).update(readFileSync(join(outDir, name)));
      const version = hash.digest('hex').slice(0, 12);
      const precache = ['./', ...files.map((f) => `./${f}`)];
      const source = readFileSync(join(appRoot, 'sw.js'), 'utf8')
        .replace("'__PRECACHE__'", JSON.stringify(precache, null, 2))
        .replace('__VERSION__', version);
      writeFileSync(join(outDir, 'sw.js'), source);
    },
  };
}

/** The shipped models the Score tab offers (models/README.md), and the evaluation file of its card. */
const SHIPPED_MODEL_FILES = ['hgsoc-synthetic.latefuse.json', 'rotterdam.latefuse.json'];
const modelsDir = join(here, '..', 'models');

/** Emit models/<file> into the build (and serve it from the dev server at the same relative URL). */
function shippedModelsPlugin() {
  return {
    name: 'latefuse-shipped-models',
    generateBundle() {
      for (const name of SHIPPED_MODEL_FILES) {
        this.emitFile({ type: 'asset', fileName: `models/${name}`, source: readFileSync(join(modelsDir, name)) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = /\/models\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? '')?.[1];
        if (!name || !SHIPPED_MODEL_FILES.includes(name)) return next();
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(readFileSync(join(modelsDir, name)));
      });
    },
  };
}

export default defineConfig({
  root: appRoot,
  base: './',
  publicDir,
  plugins: [shippedModelsPlugin(), serviceWorkerPlugin()],
  worker: { format: 'es' },
  build: {
    // LATEFUSE_DIST: build elsewhere (e.g. parallel work); the tests read the same variable.
    outDir: process.env.LATEFUSE_DIST || join(here, '..', 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,       // never inline the .wasm (or anything) as a data: URL
    chunkSizeWarningLimit: 1200,
  },
  server: { fs: { allow: [join(here, '..')] } },
});
