// Input classes (docs/inputs.md): every awkward input gets the right answer (checked against R,
// tests/golden/inputs.json from tests/r/inputs_golden.R) or exit 2 with one clear line naming the
// file, row, column or flag. One `describe` per class; docs/inputs.md names the test of each.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, chmodSync, closeSync, openSync, ftruncateSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { parseTable, TableReader, parseOptions } from '../../web/lib/table.js';
import { isOneTwoCoding, eventColumn, featureKind, MAX_LEVELS } from '../../web/lib/columns.js';
import { outcomeJoin, innerJoin } from '../../web/lib/join.js';
import { clip, InputError } from '../../web/lib/errors.js';
import { errorReport, LINE_LIMIT } from '../../web/cli/options.js';
import { MAX_FILE_BYTES } from '../../web/cli/data.js';
import { latefuse, readJson, readText, expectClose, path as repoPath, root } from './helpers.js';

let dir;
const file = (name) => join(dir, name);
const golden = readJson('tests/golden/inputs.json');

/** lung.csv with a function applied to each data row's cells (header kept). */
function lungWith(name, edit) {
  const [header, ...rows] = readText('tests/data/lung.csv').trim().split('\n');
  const columns = header.split(',').map((h) => h.replace(/"/g, ''));
  const records = rows.map((line, i) => {
    const cells = line.split(',');
    const named = Object.fromEntries(columns.map((c, j) => [c, cells[j]]));
    edit(named, i);
    return named;
  });
  const all = [...columns, ...Object.keys(records[0]).filter((c) => !columns.includes(c))];
  writeFileSync(file(name), [all.join(','), ...records.map((r) => all.map((c) => r[c] ?? '').join(','))].join('\n') + '\n');
  return file(name);
}

/** Exit 2 with exactly one line on stderr, matching every pattern. */
function expectOneLine(r, ...patterns) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith('latefuse: ')).toBe(true);
  for (const p of patterns) expect(lines[0]).toMatch(p);
  return lines[0];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-inputs-'));
});

describe('event coding: 1/2 only when the values are exactly {1, 2}', () => {
  it('the rule itself', () => {
    expect(isOneTwoCoding([1, 2, 2, NaN])).toBe(true);
    expect(isOneTwoCoding([1, 1, 1])).toBe(false);
    expect(isOneTwoCoding([2, 2])).toBe(false);
    expect(isOneTwoCoding([0, 1, 2])).toBe(false);
    const t = parseTable('time,status\n1,1\n2,1\n3,\n', { file: 'x.csv' });
    expect(Array.from(eventColumn(t, 'status'))).toEqual([1, 1, NaN]);
    const t2 = parseTable('time,status\n1,1\n2,2\n', { file: 'x.csv' });
    expect(Array.from(eventColumn(t2, 'status'))).toEqual([0, 1]);
  });

  it('an all-1 event column is every patient an event (km and cox equal R)', () => {
    const path = lungWith('all1.csv', (r) => { r.status = '1'; });
    const km = latefuse(['km', '--data', path, '--time', 'time', '--event', 'status', '--times', '180,365']);
    expect(km.code, km.stderr).toBe(0);
    const g = golden.all_events.km;
    const group = km.json.groups[0];
    expect([group.n, group.events, group.median, group.median_lower, group.median_upper])
      .toEqual([g.n, g.events, g.median, g.median_lower, g.median_upper]);
    expectClose(group.at.map((a) => a.surv), g.surv, 1e-12, 'S(t)');
    const cox = latefuse(['cox', '--data', path, '--time', 'time', '--event', 'status', '--covariates', 'age,sex']);
    expect(cox.code, cox.stderr).toBe(0);
    expect(cox.json.events).toBe(golden.all_events.cox_age_sex.events);
    expectClose(cox.json.coef, golden.all_events.cox_age_sex.coef, 1e-12, 'coef');
    expectClose(cox.json.se, golden.all_events.cox_age_sex.se, 1e-12, 'se');
    expectClose(cox.json.loglik, golden.all_events.cox_age_sex.loglik, 1e-13, 'loglik');
  });

  it('lung\'s own 1/2 coding still reads 2 = event; 0/1/2 is an error naming the row', () => {
    const km = latefuse(['km', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status']);
    expect(km.json.events).toBe(165);
    const path = lungWith('012.csv', (r, i) => { if (i === 4) r.status = '0'; });
    expectOneLine(latefuse(['km', '--data', path, '--time', 'time', '--event', 'status']), /012\.csv/, /event column "status"/, /row 1 has 2/);
  });

  it('--help states the rule', () => {
    for (const command of ['fuse', 'km', 'cox']) {
      const r = latefuse([command, '--help']);
      expect(r.stdout, command).toMatch(/exactly 1 and 2/);
    }
  });
});

describe('flags: a single-value flag twice, a column listed twice, resampling counts bounded', () => {
  it('--event twice is refused', () => {
    expectOneLine(latefuse(['km', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--event', 'sex']),
      /--event is given twice \("status" and "sex"\)/);
  });
  it('--data twice for a one-file command is refused', () => {
    expectOneLine(latefuse(['cox', '--data', 'tests/data/lung.csv', '--data', 'tests/data/veteran.csv', '--time', 'time',
      '--event', 'status', '--covariates', 'age']), /--data is given twice/);
  });
  it('--covariates age,age,sex is refused (no coefficient under the wrong name)', () => {
    expectOneLine(latefuse(['cox', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--covariates', 'age,age,sex']),
      /--covariates lists "age" twice/);
  });
  it('--bootstrap and --permutations above the bound are refused before any work', () => {
    for (const flag of ['--bootstrap', '--permutations']) {
      expectOneLine(latefuse(['evaluate', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--score', 'age',
        flag, '1000000000']), new RegExp(`${flag} must be at most 100000; got 1000000000`));
    }
  });
});

describe('numeric vs categorical feature columns', () => {
  it('a few non-numeric cells keep a column numeric; reading it is an error naming file, row and column', () => {
    const t = parseTable('a,b\n1,x\n2,y\n-,z\n4,\n', { file: 'f.csv' });
    expect(t.columns.get('a').kind).toBe('number');
    expect(t.columns.get('a').nonNumeric).toBe(1);
    expect(t.columns.get('b').kind).toBe('text');
  });

  it('fuse: one "1,234" cell in a numeric feature is an error, or missing with a warning under --non-numeric missing', () => {
    const path = lungWith('badcell.csv', (r, i) => { r.id = `p${i + 1}`; if (i === 39) r['wt.loss'] = '"1,234"'; });
    const args = ['fuse', '--data', path, '--id', 'id', '--time', 'time', '--event', 'status', '--modality', 'a=age,ph.ecog',
      '--modality', 'b=wt.loss,meal.cal', '--bootstrap', '0', '--permutations', '0',
      '--model-out', file('m.json'), '--report-out', file('r.json')];
    expectOneLine(latefuse(args), /badcell\.csv/, /--modality b/, /"wt\.loss" must be numeric but row 40 has "1,234"/, /--non-numeric missing/);
    const r = latefuse([...args, '--non-numeric', 'missing']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*badcell\.csv: feature "wt\.loss": 1 non-numeric cell read as missing \(first: row 40, "1,234"\)/);
  });

  it('a text column with too many levels is refused, never one-hot encoded', () => {
    const path = lungWith('idlike.csv', (r, i) => { r.id = `p${i + 1}`; r.code = `code-${i}`; });
    const line = expectOneLine(latefuse(['fuse', '--data', path, '--id', 'id', '--time', 'time', '--event', 'status',
      '--modality', 'a=age,code', '--bootstrap', '0', '--permutations', '0', '--model-out', file('m.json'), '--report-out', file('r.json')]),
    /--modality a/, /idlike\.csv/, /"code"/, /228 different values in 228 cells/);
    expect(line).toMatch(new RegExp(`at most ${MAX_LEVELS}`));
    const few = parseTable(`g\n${Array.from({ length: 30 }, (_, i) => `L${i % 5}`).join('\n')}\n`, { file: 'g.csv' });
    expect(featureKind(few, 'g')).toEqual({ kind: 'categorical', levels: 5 });
    const many = parseTable(`g\n${Array.from({ length: 60 }, (_, i) => `L${i}`).join('\n')}\n`, { file: 'g.csv' });
    expect(() => featureKind(many, 'g')).toThrow(/60 different values/);
  });
});

describe('patient IDs: trimmed, and IDs differing only in case stop with a list', () => {
  const outcome = 'id,time,status\nP001,5,1\nP002,6,0\nP003,7,1\n';
  it('spaces around an ID are ignored', () => {
    const a = parseTable(outcome, { file: 'o.csv' });
    const b = parseTable('id,x\n  P002 ,1\nP001,2\n', { file: 'm.csv' });
    const j = outcomeJoin([a, b], { id: 'id', anchor: 'time' });
    expect(Array.from(j.numeric('x'))).toEqual([2, 1, NaN]);
  });
  it('"p001" vs "P001" across files is an error listing them', () => {
    const a = parseTable(outcome, { file: 'o.csv' });
    const b = parseTable('id,x\np001,1\nP002,2\n', { file: 'm.csv' });
    expect(() => outcomeJoin([a, b], { id: 'id', anchor: 'time' }))
      .toThrow(/differ only in case: "P001" \(o\.csv row 1\) vs "p001" \(m\.csv row 1\)/);
  });
  it('the page\'s inner join (dataset view) uses the same rules', () => {
    const a = parseTable('id,x\nA,1\nB,2\nC,3\n', { file: 'a.csv' });
    const b = parseTable('id,y\n C ,30\nA,10\n', { file: 'b.csv' });
    const j = innerJoin([a, b], 'id');
    expect(j.matched).toEqual(['A', 'C']);
    expect(j.rowOf.map((r) => Array.from(r))).toEqual([[0, 2], [1, 0]]);
    expect(() => innerJoin([a, parseTable('id,y\nc,3\n', { file: 'c.csv' })], 'id')).toThrow(/differ only in case: "C" \(a\.csv row 3\) vs "c" \(c\.csv row 1\)/);
  });
  it('the CLI says so in one line (score joins the same way)', () => {
    writeFileSync(file('o.csv'), outcome);
    writeFileSync(file('m.csv'), 'id,x\np001,1\nP002,2\nP003,3\n');
    expectOneLine(latefuse(['fuse', '--data', file('o.csv'), '--data', file('m.csv'), '--id', 'id', '--time', 'time', '--event', 'status',
      '--modality', 'm=x', '--model-out', file('m.json'), '--report-out', file('r.json')]), /differ only in case/);
  });
});

describe('horizons beyond follow-up', () => {
  it('fuse --horizons past the last follow-up time is refused as evaluate does', () => {
    const path = lungWith('h.csv', (r, i) => { r.id = `p${i + 1}`; });
    expectOneLine(latefuse(['fuse', '--data', path, '--id', 'id', '--time', 'time', '--event', 'status', '--modality', 'a=age,sex',
      '--horizons', '100,5000', '--model-out', file('m.json'), '--report-out', file('r.json')]),
    /--horizons 5000 lies outside the follow-up of .*h\.csv \("time" from 5 to 1022\)/);
  });
});

describe('files: unreadable, not a regular file, too large', () => {
  const km = (path) => latefuse(['km', '--data', path, '--time', 'time', '--event', 'status'], { timeout: 20000 });
  it('a named pipe is refused without blocking', () => {
    execFileSync('mkfifo', [file('pipe.csv')]);
    expectOneLine(km(file('pipe.csv')), /pipe\.csv: it is not a regular file/);
  });
  it('/dev/zero is refused without reading', () => {
    expectOneLine(km('/dev/zero'), /\/dev\/zero: it is not a regular file/);
  });
  it('a directory and a missing file', () => {
    expectOneLine(km(dir), /it is a directory/);
    expectOneLine(km(file('nope.csv')), /nope\.csv: no such file/);
  });
  it('a file without read permission (EACCES) is one line, exit 2', () => {
    const path = lungWith('secret.csv', () => {});
    chmodSync(path, 0o000);
    chmodSync(dir, 0o755);
    const args = ['km', '--data', path, '--time', 'time', '--event', 'status'];
    // root reads anything: as root, run the command without the capabilities that override file
    // permissions (util-linux setpriv), so the file's 000 mode applies while the checkout, however
    // private its folder, stays readable.
    let r;
    if (process.getuid() === 0) {
      const s = spawnSync('setpriv', ['--bounding-set', '-dac_override,-dac_read_search', process.execPath, repoPath('web/cli/latefuse.js'), ...args],
        { encoding: 'utf8', cwd: root });
      r = { code: s.status, stdout: s.stdout, stderr: s.stderr };
    } else {
      r = latefuse(args);
    }
    expectOneLine(r, /secret\.csv: permission denied/);
  });
  it('a file over the size limit is refused with the limit stated, before reading it', () => {
    const fd = openSync(file('huge.csv'), 'w');
    ftruncateSync(fd, MAX_FILE_BYTES + 1);  // sparse: no disk used
    closeSync(fd);
    expectOneLine(km(file('huge.csv')), /huge\.csv: it is 500 MB, over the 500 MB limit/);
  });
});

describe('messages: the user\'s row and file, echoed values cut', () => {
  it('an Inf at data row 40 is reported as row 40 of the file, whatever rows before it miss', () => {
    const path = lungWith('inf.csv', (r, i) => { if (i < 20) r.age = 'NA'; if (i === 39) r.age = 'Inf'; });
    expectOneLine(latefuse(['cox', '--data', path, '--time', 'time', '--event', 'status', '--covariates', 'age,sex']),
      /inf\.csv: covariate "age" is infinite \("Inf"\) at row 40/);
  });
  it('a 1 MB cell is echoed cut at 80 characters', () => {
    const big = 'x'.repeat(1 << 20);
    const path = lungWith('bigcell.csv', (r, i) => { if (i === 2) r.age = big; });
    const line = expectOneLine(latefuse(['cox', '--data', path, '--time', 'time', '--event', 'status', '--covariates', 'age']),
      /bigcell\.csv: covariate "age" must be numeric but row 3 has "x{79}…"/);
    expect(line.length).toBeLessThan(400);
  });
  it('errorReport: one bounded line; out of memory is exit 2', () => {
    const long = errorReport(new InputError(`bad "${'y'.repeat(5000)}" and ${'z'.repeat(5000)}`));
    expect(long.code).toBe(2);
    expect(long.line.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(long.line).toContain(`"${clip('y'.repeat(5000))}"`);
    for (const error of [new RangeError('Array buffer allocation failed'), new Error('out of memory: the data are too large for this browser tab'),
      new RangeError('Invalid string length')]) {
      const r = errorReport(error, 'fuse');
      expect(r.code, error.message).toBe(2);
      expect(r.line).toMatch(/^out of memory in "latefuse fuse"/);
      expect(r.line).not.toMatch(/\n/);
    }
    expect(errorReport(new TypeError('x is undefined')).code).toBe(1);
  });
});

describe('one CSV reader: streamed in chunks or read whole, the same table and the same row numbers', () => {
  const streamed = (text, chunkSize) => {
    const reader = new TableReader('s.csv');
    let failure = null;
    Papa.parse(text, {
      ...parseOptions(),
      chunkSize,
      chunk(results, parser) {
        try { reader.push(results.data, results.errors); } catch (error) { failure = error; parser.abort(); }
      },
    });
    if (failure) throw failure;
    return reader.finish();
  };
  it('lung.csv in 300-byte chunks equals parseTable', () => {
    const text = readText('tests/data/lung.csv');
    const a = parseTable(text, { file: 's.csv' });
    const b = streamed(text, 300);
    expect(b.header).toEqual(a.header);
    expect(b.rowCount).toBe(a.rowCount);
    for (const name of a.header) expect(b.columns.get(name).raw).toEqual(a.columns.get(name).raw);
  });
  it('a short row deep in the file has the same row number either way', () => {
    const lines = readText('tests/data/lung.csv').trim().split('\n');
    lines[150] = '1,2,3';
    const text = lines.join('\n');
    expect(() => parseTable(text, { file: 's.csv' })).toThrow(/s\.csv: row 150 /);
    expect(() => streamed(text, 500)).toThrow(/s\.csv: row 150 /);
  });
});

describe('progress on a terminal only', () => {
  it('draws a bar with the time left from the finished steps, and nothing when stderr is not a TTY', async () => {
    const { progressBar } = await import('../../web/cli/progress.js');
    let clock = 0;
    const written = [];
    const tty = { isTTY: true, write: (s) => written.push(s) };
    const bar = progressBar(101, { stream: tty, now: () => clock });
    bar.start("Harrell's C", 1);
    clock = 500;  // one C took 0.5 s: 100 resamples left take 50 s
    bar.start('bootstrap (100 resamples)', 100);
    bar.done();
    expect(written[0]).toMatch(/\[-{24}\] 0% Harrell's C$/);
    expect(written[1]).toMatch(/1% bootstrap \(100 resamples\), about 50s left$/);
    const piped = [];
    const quiet = progressBar(101, { stream: { isTTY: false, write: (s) => piped.push(s) } });
    quiet.start('x', 1);
    quiet.done();
    expect(piped).toEqual([]);
    // The CLI run by the tests has a pipe for stderr: no bar in it.
    const r = latefuse(['evaluate', '--data', 'tests/data/lung.csv', '--time', 'time', '--event', 'status', '--score', 'age',
      '--bootstrap', '20', '--permutations', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
