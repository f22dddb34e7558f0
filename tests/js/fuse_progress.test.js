// `latefuse fuse` shows a progress bar on stderr when stderr is a terminal and nothing when it is
// piped; the outputs are the same bytes either way. The terminal is a pseudo-terminal from
// util-linux `script` (the test fails when it is missing: it is a prerequisite, not optional).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latefuse, path, root } from './helpers.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'].flatMap((m) => ['--modality', `${m}=${m}_*`]);
const fuseArgs = (dir, tag) => ['fuse', '--data', 'tests/data/fusion_sim.csv', '--id', 'id', '--time', 'time', '--event', 'event',
  ...MODALITIES, '--bootstrap', '200', '--permutations', '200', '--seed', '3',
  '--model-out', join(dir, `${tag}-model.json`), '--report-out', join(dir, `${tag}-report.json`)];
const shellQuote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
// compute_ms is the only field that may differ between two runs.
const withoutTiming = (text) => text.split('\n').filter((l) => !l.includes('"compute_ms"')).join('\n');

describe('fuse progress', () => {
  it('draws a bar with the time left on a terminal, nothing on a pipe, and writes the same outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latefuse-progress-'));
    try {
      const piped = latefuse(fuseArgs(dir, 'piped'));
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stderr).toBe('');

      // stdout goes to a file, stderr stays on the pseudo-terminal that `script` records.
      const command = [process.execPath, path('web/cli/latefuse.js'), ...fuseArgs(dir, 'tty')].map(shellQuote).join(' ') +
        ` > ${shellQuote(join(dir, 'tty-stdout.json'))}`;
      const typescript = join(dir, 'typescript');
      const r = spawnSync('script', ['-qfec', command, typescript], { cwd: root, encoding: 'utf8' });
      expect(r.error, 'util-linux `script` is needed for this test').toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      const terminal = readFileSync(typescript, 'utf8');
      // eslint-disable-next-line no-control-regex -- the terminal codes the bar writes
      expect(terminal).toMatch(/\r\x1b\[K\[[#-]{24}\] \d+% fitting and evaluating late fusion/);
      expect(terminal).toMatch(/about \d+s left/);
      // The bar is cleared at the end: nothing of it follows the last erase-line.
      expect(terminal.slice(terminal.lastIndexOf('\x1b[K') + 3)).not.toMatch(/^\[[#-]/);
      expect(terminal).not.toMatch(/"models"/);  // stdout was not on the terminal

      expect(readFileSync(join(dir, 'tty-model.json'), 'utf8')).toBe(readFileSync(join(dir, 'piped-model.json'), 'utf8'));
      expect(withoutTiming(readFileSync(join(dir, 'tty-report.json'), 'utf8')))
        .toBe(withoutTiming(readFileSync(join(dir, 'piped-report.json'), 'utf8')));
      expect(withoutTiming(readFileSync(join(dir, 'tty-stdout.json'), 'utf8')).replaceAll('tty-', 'piped-'))
        .toBe(withoutTiming(piped.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('--help states the cost of the defaults at large n and the bar', () => {
    const r = latefuse(['fuse', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Cost:[\s\S]*about 3 minutes at\s+n = 50,000/);
    expect(r.stdout).toMatch(/progress bar/);
  });
});
