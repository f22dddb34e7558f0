// End-to-end tests of the built web app (dist/) in headless Chromium (playwright-core), served on
// 127.0.0.1 under /latefuse/. Build first: `npm run build` (or the WASM build, then
// `npx vite build --config web/vite.config.js`). Run: `npm run test:e2e`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.js'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxConcurrency: 1,
    retry: 0,
  },
});
