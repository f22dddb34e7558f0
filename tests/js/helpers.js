// Shared helpers for the Node test suites.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const path = (relative) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
export const readJson = (relative) => JSON.parse(readFileSync(path(relative), 'utf8'));
export const readText = (relative) => readFileSync(path(relative), 'utf8');

/** |actual - expected| <= rel * max(|expected|, floor), element-wise. */
export function expectClose(actual, expected, rel, label = '', floor = 1e-12) {
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    expect(actual.length, `${label} length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose(actual[i], e, rel, `${label}[${i}]`, floor));
    return;
  }
  if (expected === null) { expect(actual, label).toBeNull(); return; }
  const tol = rel * Math.max(Math.abs(expected), floor);
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/** Run the `latefuse` command; returns {code, stdout, stderr, json}. */
export function latefuse(args, options = {}) {
  const r = spawnSync(process.execPath, [path('web/cli/latefuse.js'), ...args], { encoding: 'utf8', cwd: root, ...options });
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

/**
 * lung.csv's text with `status` (R's 1 = censored, 2 = dead) replaced by `censored` (1 = censored,
 * 0 = dead): a censoring indicator for the --censored tests (here and in tests/e2e/censored.test.js).
 */
export function withCensoredColumn(text) {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head.split(',');
  const s = cols.findIndex((c) => c.replace(/"/g, '') === 'status');
  const out = [cols.map((c, j) => (j === s ? 'censored' : c)).join(',')];
  for (const line of rows) {
    const cells = line.split(',');
    cells[s] = cells[s] === '' ? '' : String(Number(cells[s]) === 1 ? 1 : 0);
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}
