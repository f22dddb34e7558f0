// The HTML analysis report (web/lib/analysis_report.js, `latefuse fuse --html-report`): the same
// inputs give the same bytes; the document is self-contained (no script, nothing fetched); every
// section is there with headings in order; its numbers are report.json's; and its generated
// sentences are decided on unrounded numbers (tested at their boundaries).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { analysisReportHtml, summarySentences, limitationSentences, sha256Hex, contributionsFromPredictions, followUpSentence, REPORT_SECTIONS } from '../../web/lib/analysis_report.js';
import { kaplanMeier } from '../../web/lib/stats.js';
import { latefuse, path } from './helpers.js';

const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const fuseArgs = (dir, tag) => ['fuse', '--data', 'tests/data/sim_survival.csv', '--id', 'id', '--time', 'time', '--event', 'event',
  ...MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]), '--seed', '3', '--bootstrap', '60', '--permutations', '40',
  '--model-out', join(dir, `${tag}-model.json`), '--report-out', join(dir, `${tag}-report.json`), '--html-report', join(dir, `${tag}.html`)];

let dir;
let html;
let report;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latefuse-html-'));
  for (const tag of ['a', 'b']) {
    const r = latefuse(fuseArgs(dir, tag));
    if (r.code !== 0) throw new Error(r.stderr);
  }
  html = readFileSync(join(dir, 'a.html'), 'utf8');
  report = JSON.parse(readFileSync(join(dir, 'a-report.json'), 'utf8'));
}, 120000);

describe('latefuse fuse --html-report', () => {
  it('is byte-identical for the same inputs and seed', () => {
    expect(readFileSync(join(dir, 'b.html'), 'utf8')).toBe(html);
  });

  it('is self-contained: no script, no external reference, a CSP that forbids loading', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html).toMatch(/@media print\{.*section\{break-before:page\}/s);
  });

  it('has every section, headings in order and a text alternative for every chart', () => {
    for (const id of REPORT_SECTIONS) expect(html, id).toContain(`<section id="${id}">`);
    const levels = [...html.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    for (let k = 1; k < levels.length; k++) expect(levels[k] - levels[k - 1], `heading ${k}`).toBeLessThanOrEqual(1);
    const svgs = html.match(/<svg[^>]*>/g);
    expect(svgs.length).toBeGreaterThanOrEqual(6);
    for (const s of svgs) expect(s).toMatch(/role="img" aria-labelledby="[^"]+-t [^"]+-d"/);
    expect(html.match(/<title id=/g).length).toBe(svgs.length);
    for (const id of ['fig-c-index', 'fig-auc', 'fig-kendall', 'fig-km', 'fig-calibration', 'fig-dca', 'fig-forest-0']) expect(html, id).toContain(`<figure id="${id}">`);
    expect(html.match(/<desc id=/g).length).toBe(svgs.length);
    expect((html.match(/<figure /g) ?? []).length).toBe(svgs.length);
  });

  it('states the input file\'s SHA-256 and the numbers of report.json', async () => {
    const bytes = readFileSync(path('tests/data/sim_survival.csv'));
    const hex = createHash('sha256').update(bytes).digest('hex');
    expect(await sha256Hex(bytes)).toBe(hex);
    expect(html).toContain(`<td>${hex}</td>`);
    for (const m of report.models) {
      const name = m.kind === 'late' ? 'late fusion' : m.kind === 'integrator' ? `integrator ${m.modalities.join(' + ')}` : m.name;
      const row = html.match(new RegExp(`<tr><th scope="row">${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</th><td>${m.kind}</td>(.*?)</tr>`));
      expect(row, name).not.toBeNull();
      const cells = [...row[1].matchAll(/<td>(.*?)<\/td>/g)].map((x) => x[1]);
      expect(Number(cells[0])).toBe(m.test.n);
      expect(cells[2]).toBe(m.test.c.toFixed(3));
      expect(cells[3]).toBe(`${m.test.c_lower.toFixed(3)} to ${m.test.c_upper.toFixed(3)}`);
      expect(cells[6]).toBe(m.common.c.toFixed(3));
    }
    for (const m of report.modalities) {
      const having = (list) => list.filter((p) => p.modalities.includes(m)).reduce((a, p) => a + p.patients, 0);
      expect(html).toContain(`<td>${having(report.patterns.train)} of ${report.split.train}</td><td>${having(report.patterns.test)} of ${report.split.test}</td>`);
    }
    expect(report.decision_curve.summary).toMatch(/^Late fusion had a higher net benefit|^At no threshold/);
    expect(html).toContain(report.decision_curve.summary);
    expect(html).toContain('latefuse fuse --data sim_survival.csv --id id --time time --event event --modality radiomics=radiomics_01,');
  });
});

describe('follow-up and missing cells (report.json, computed by the core)', () => {
  // The committed cohort read here, independently of the engine: its rows by id.
  const lines = readFileSync(path('tests/data/sim_survival.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const rows = new Map(lines.slice(1).map((l) => { const c = l.split(','); return [c[0], c]; }));
  const col = (name) => head.indexOf(name);

  it('the median follow-up of the training and test patients is the reverse Kaplan–Meier median of those patients', async () => {
    const testIds = new Set(report.test_patients.ids);
    const trainIds = [...rows.keys()].filter((id) => !testIds.has(id) && MODALITIES.some((m) => head.some((h, j) => h.startsWith(`${m}_`) && rows.get(id)[j] !== '')));
    for (const [who, ids] of [['train', trainIds], ['test', report.test_patients.ids]]) {
      const time = ids.map((id) => Number(rows.get(id)[col('time')]));
      const censored = ids.map((id) => 1 - Number(rows.get(id)[col('event')]));
      const km = (await kaplanMeier({ time, event: censored })).groups[0];
      const f = report.follow_up[who];
      expect(f.n, who).toBe(ids.length);
      expect(f.n, who).toBe(report.split[who]);
      expect(f.median, who).toBe(km.median);
      expect(f.lower, who).toBe(km.median_lower);
      expect(f.upper, who).toBe(km.median_upper);
      expect(f.max_time, who).toBe(Math.max(...time));
    }
    expect(report.follow_up.method).toBe('reverse Kaplan-Meier');
    expect(html).toContain(followUpSentence(report.follow_up));
    expect(followUpSentence(report.follow_up)).toContain(`${report.follow_up.test.median.toFixed(2)} (95% CI ${report.follow_up.test.lower.toFixed(2)} to ${report.follow_up.test.upper.toFixed(2)}) in the ${report.split.test} test patients`);
  });

  it('missing cells per modality count the empty cells of the patients who have the modality', () => {
    const testIds = new Set(report.test_patients.ids);
    expect(report.missing_cells.map((e) => e.modality)).toEqual(report.modalities);
    for (const e of report.missing_cells) {
      const at = head.map((h, j) => (h.startsWith(`${e.modality}_`) ? j : -1)).filter((j) => j >= 0);
      for (const who of ['train', 'test']) {
        let patients = 0;
        let missing = 0;
        for (const [id, r] of rows) {
          if (testIds.has(id) !== (who === 'test') || !at.some((j) => r[j] !== '')) continue;
          patients += 1;
          missing += at.filter((j) => r[j] === '').length;
        }
        expect(e[who], `${e.modality} ${who}`).toEqual({ patients, cells: patients * at.length, missing });
        const cell = e[who].cells > 0 ? `${e[who].missing} of ${e[who].cells} (${((100 * e[who].missing) / e[who].cells).toFixed(1)}%)` : '—';
        expect(html).toContain(`<td>${cell}</td>`);
      }
    }
  });

  it('the decision curves of the common test patients are tabulated from report.json\'s "common" curves', () => {
    const dc = report.decision_curve;
    const late = dc.models.find((m) => m.kind === 'late' && m.subset === 'common');
    const table = html.match(/<table class="dca-common">(.*?)<\/table>/s);
    expect(table).not.toBeNull();
    expect(table[1]).toContain(`on the ${late.n} common test patients`);
    const rows = [...table[1].matchAll(/<tr><th scope="row">(\d+%)<\/th><td>(.*?)<\/td><td>(.*?)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    const k = dc.thresholds.findIndex((t) => Math.round(t * 100) === 10);
    expect(rows.find((r) => r[0] === '10%')).toEqual(['10%', late.net_benefit[k] === null ? '—' : late.net_benefit[k].toFixed(4), late.treat_all[k].toFixed(4)]);
    expect(rows.length).toBe(dc.thresholds.filter((t, i) => Math.round(t * 100) % 5 === 0 || i === 0).length);
  });

  it('the follow-up sentence says "not reached" when the reverse Kaplan–Meier median is null, and only then', () => {
    const f = { train: { n: 10, median: null, lower: null, upper: null, max_time: 5 }, test: { n: 4, median: 3, lower: 2, upper: null, max_time: 4 } };
    const s = followUpSentence(f);
    expect(s).toContain('not reached (the reverse Kaplan–Meier curve stays above 0.5) in the 10 training patients (longest 5.00)');
    expect(s).toContain('3.00 (95% CI 2.00 to not reached) in the 4 test patients (longest 4.00)');
  });
});

describe('generated sentences at their boundaries', () => {
  const base = () => ({
    settings: { outcome_type: 'survival' }, modalities: ['a', 'b'], split: { train: 70, test: 30, train_events: 40, test_events: 20, common_test: 30 },
    models: [{ name: 'late fusion', kind: 'late', modalities: ['a', 'b'], test: { n: 30, c: 0.7, c_lower: 0.6, c_upper: 0.8 } }],
    comparisons: [{ name: 'late_vs_early', a: 'late fusion', b: 'early fusion', n: 30, c_a: 0.7, c_b: 0.7, delta_c: 0, lower: 0, upper: 0.1 }],
    patterns: { train: [], test: [] }, coefficients: [],
  });
  const comparison = (r) => summarySentences(r).find((s) => s.includes('that of early fusion:'));

  it('Delta C: equal at exactly 0, higher for the next double up; the interval includes 0 at a limit of exactly 0', () => {
    const r = base();
    expect(comparison(r)).toMatch(/was equal to that of early fusion: .*includes 0/);
    r.comparisons[0].c_a = 0.7 + Number.EPSILON;  // rounds to the same 0.700 but is larger
    r.comparisons[0].delta_c = r.comparisons[0].c_a - 0.7;
    expect(comparison(r)).toMatch(/was higher than that of early fusion: 0\.700 vs 0\.700,/);
    r.comparisons[0].lower = Number.MIN_VALUE;
    expect(comparison(r)).toMatch(/excludes 0/);
    r.comparisons[0].c_a = 0.7 - Number.EPSILON;
    expect(comparison(r)).toMatch(/was lower than/);
  });

  it('a small common test set is a limitation below 30 patients, not at 30', () => {
    const r = base();
    expect(limitationSentences(r).some((s) => s.includes('have every modality'))).toBe(false);
    r.split.common_test = 29;
    expect(limitationSentences(r).some((s) => s.startsWith('Only 29 test patients have every modality'))).toBe(true);
  });

  it('events per coefficient: stated below 10, not at 10', () => {
    const r = base();
    r.patterns.train = [{ modalities: ['a'], patients: 40, events: 20 }];
    r.coefficients = [{ model: 'a', kind: 'unimodal', terms: [{ name: 'x1' }, { name: 'x2' }] }];
    expect(limitationSentences(r).some((s) => s.includes('per coefficient'))).toBe(false);
    r.patterns.train[0].events = 19;
    expect(limitationSentences(r).some((s) => s.startsWith('The a submodel has 9.5 training events per coefficient'))).toBe(true);
  });

  it('the generator is a pure function: the same input twice gives the same string', () => {
    const r = { ...base(), kendall: { modalities: ['a', 'b'], tau: [[1, 0.2], [0.2, 1]], p: [[0, 0.1], [0.1, 0]], n: [[30, 30], [30, 30]] } };
    const study = { files: [{ name: 'x.csv', bytes: 10, sha256: '0'.repeat(64) }], roles: { time: 't', event: 'e' }, modalities: { a: ['a1'], b: ['b1'] } };
    expect(analysisReportHtml({ report: r, study })).toBe(analysisReportHtml({ report: r, study }));
  });

  it('modality contributions are read from the predictions CSV for the test patients, by ID', () => {
    const r = { ...base(), test_patients: { ids: ['row 2', 'row 3'], late_score: [0, 0], risk_group: [0, 1] } };
    const csv = 'id,pattern,a_score,b_score,fused_lp,a_contribution,b_contribution\n1,a,1,,0.5,0.5,\n2,a+b,1,2,0.25,-0.5,0.75\n"3",b,,2,1,,1\n';
    expect(contributionsFromPredictions(csv, r)).toEqual({ modalities: ['a', 'b'], values: { a: [-0.5, NaN], b: [0.75, 1] } });
    expect(contributionsFromPredictions('id,fused_lp\n1,0.5\n', r)).toBeNull();
    const study = { files: [], roles: { time: 't', event: 'e' }, modalities: { a: ['a1'], b: ['b1'] } };
    const html = analysisReportHtml({ report: r, study, predictions: csv });
    expect(html).toContain('id="fig-contributions"');
    expect(html).toMatch(/<tr><th scope="row">a<\/th><td>1<\/td><td>-0.500<\/td><td>-0.500<\/td><\/tr>/);
    expect(analysisReportHtml({ report: r, study })).toContain('carry no per-modality contributions');
    // report.json's own list (test_patients.contributions, null where a modality was not used) comes first.
    const listed = { ...r, test_patients: { ...r.test_patients, contributions: { a: [0.25, null], b: [null, -1] } } };
    expect(analysisReportHtml({ report: listed, study, predictions: csv }))
      .toMatch(/<tr><th scope="row">b<\/th><td>1<\/td><td>-1.000<\/td><td>-1.000<\/td><\/tr>/);
  });
});
