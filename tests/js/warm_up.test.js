// The warm-up fit (web/lib/warm_up.js) that `latefuse cox` and `latefuse concordance` run before
// reading an input of 1 MB or more: it changes no number of the fit that follows.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitCox, concordance } from '../../web/lib/index.js';
import { warmUp } from '../../web/lib/warm_up.js';
import { latefuse } from './helpers.js';

const json = (fit) => JSON.stringify(fit, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));

describe('warmUp', () => {
  it('leaves the next fit as it was, bit for bit', async () => {
    // A small cohort with tied times and a stratified, weighted, robust fit: every part of the fit.
    const n = 300;
    const input = {
      time: Array.from({ length: n }, (_, i) => 1 + ((i * 13) % 41)),
      event: Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 0)),
      weights: Array.from({ length: n }, (_, i) => 1 + (i % 4) / 2),
      strata: Array.from({ length: n }, (_, i) => i % 2),
      covariates: { a: Array.from({ length: n }, (_, i) => Math.sin(i)), b: Array.from({ length: n }, (_, i) => (i % 7) - 3) },
      robust: true,
    };
    const before = json(await fitCox(input));
    await warmUp();
    expect(json(await fitCox(input))).toBe(before);
  });

  it('runs before a 1 MB input in the commands, whose results are the in-process ones on the same numbers', async () => {
    const n = 12000;
    const p = 10;
    let s = 11;
    const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
    const cols = Array.from({ length: p }, () => new Float64Array(n));
    const time = new Float64Array(n);
    const event = new Float64Array(n);
    const lines = [['time', 'event', ...cols.map((_, j) => `x${j + 1}`)].join(',')];
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < p; j++) {
        cols[j][i] = Number((u() * 4 - 2).toFixed(5));
        lp += (j % 2 ? 0.2 : -0.1) * cols[j][i];
      }
      time[i] = Math.ceil(-Math.log(u() + 1e-12) * 300 * Math.exp(-lp));
      event[i] = u() < 0.7 ? 1 : 0;
      lines.push([time[i], event[i], ...cols.map((c) => c[i])].join(','));
    }
    const file = join(mkdtempSync(join(tmpdir(), 'latefuse-warm-')), 'cohort.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    expect(statSync(file).size).toBeGreaterThanOrEqual(1 << 20); // the size from which the command warms up
    const names = cols.map((_, j) => `x${j + 1}`);
    const r = latefuse(['cox', '--data', file, '--time', 'time', '--event', 'event', '--covariates', names.join(',')]);
    expect(r.code, r.stderr).toBe(0);
    const fit = await fitCox({ time, event, covariates: Object.fromEntries(names.map((k, j) => [k, cols[j]])) });
    expect(r.json.n).toBe(n);
    expect(r.json.coef).toEqual(Array.from(fit.coef));
    expect(r.json.se).toEqual(Array.from(fit.se));
    expect(r.json.loglik).toEqual([fit.loglik_init, fit.loglik]);
    expect(r.json.concordance.c).toBe(fit.concordance.c);
    expect(r.json.iterations).toBe(fit.iterations);

    // latefuse concordance warms up too: its counts are those of the in-process call.
    const c = latefuse(['concordance', '--data', file, '--time', 'time', '--event', 'event', '--score', 'x3']);
    expect(c.code, c.stderr).toBe(0);
    const ref = await concordance({ time, event, score: cols[2] });
    expect(ref.comparable).toBeGreaterThan(1e7); // ~12,000 patients: tens of millions of pairs
    for (const k of ['c', 'concordant', 'discordant', 'tied_score', 'tied_time', 'tied_time_score', 'comparable']) expect(c.json[k], k).toBe(ref[k]);
  });
});
