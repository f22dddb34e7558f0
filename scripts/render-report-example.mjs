// Renders docs/report-example.png: the first page (1000 x 1300 CSS pixels) of the analysis report
// that `latefuse fuse --html-report` writes for the committed cohort tests/data/sim_survival.csv
// (the run of tests/e2e/analysis-report.test.js: seed 11, 100 bootstrap replicates and permutations),
// opened in headless Chromium with the network cut. Tests never write into the repository; this
// script is the one writer of the picture (docs/analysis-report.md).
//   node scripts/render-report-example.mjs          (needs the WASM build: bash scripts/build.sh wasm)
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'report-example.png');
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];

const dir = mkdtempSync(join(tmpdir(), 'latefuse-report-example-'));
try {
  copyFileSync(join(ROOT, 'tests', 'data', 'sim_survival.csv'), join(dir, 'sim_survival.csv'));
  execFileSync(process.execPath, [join(ROOT, 'web', 'cli', 'latefuse.js'), 'fuse', '--data', 'sim_survival.csv', '--id', 'id', '--time', 'time',
    '--event', 'event', ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '11', '--bootstrap', '100', '--permutations', '100',
    '--model-out', 'model.json', '--report-out', 'report.json', '--html-report', 'report.html'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 1300 }, offline: true });
    const page = await context.newPage();
    await page.goto(`file://${join(dir, 'report.html')}`);
    await page.screenshot({ path: OUT, clip: { x: 0, y: 0, width: 1000, height: 1300 } });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${OUT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
