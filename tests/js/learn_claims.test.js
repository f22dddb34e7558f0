// The Learn tab's sentences (web/app/learn-view.js explain) claim a difference over seeds only when
// the 95% CI of the mean paired difference excludes 0, decided on the unrounded bounds: the
// boundaries (an upper bound of -0.0006, a bound of exactly 0, one seed) with made-up per-seed rows.
import { describe, it, expect } from 'vitest';
import { explain } from '../../web/app/learn-view.js';

const model = (name, kind, c) => ({ name, kind, modalities: [], common: { c, n: 60, lower: c - 0.05, upper: c + 0.05 } });
const rows = (k) => Array.from({ length: k }, (_, i) => ({
  seed: i + 1, n: 444, complete: 114, features: 70, events: 250, commonTest: 60, test: 133,
  models: [model('radiomics', 'unimodal', 0.6), model('genomic', 'unimodal', 0.69), model('late fusion', 'late', 0.68),
    model('early fusion', 'early', 0.7)],
}));
const diff = (mean, lower, upper) => ({ n: 3, mean, sd: 0.01, lower, upper, p: 0.04 });
const text = (out) => explain(out, { simulation: {} }).paragraphs.join(' ');

describe('Learn sentences over seeds', () => {
  it('an interval whose upper bound is -0.0006 excludes 0: early fusion is said to be ahead', () => {
    const t = text({ rows: rows(3), differences: { early: { 'early fusion': diff(-0.02, -0.0394, -0.0006) }, unimodal: {} } });
    expect(t).toContain('Complete-case early fusion is ahead of late fusion by 0.020 in mean C (95% CI -0.039 to -0.001 over 3 seeds)');
  });
  it('an interval that reaches 0 makes no claim', () => {
    const t = text({ rows: rows(3), differences: { early: { 'early fusion': diff(-0.02, -0.04, 0) }, unimodal: {} } });
    expect(t).toContain('Late fusion and complete-case early fusion: 0.680 vs 0.700 in mean C; the seeds do not show a difference (mean −0.020, 95% CI -0.040 to 0.000 over 3 seeds, includes 0)');
    expect(t).not.toContain('ahead of');
  });
  it('a lower bound just above 0 is a gain; a bound too small for 3 decimals keeps its digit', () => {
    const t = text({ rows: rows(3), differences: { early: { 'early fusion': diff(0.01, 0.0004, 0.02) }, unimodal: {} } });
    expect(t).toContain('Late fusion is ahead of complete-case early fusion by 0.010 in mean C (95% CI 0.0004 to 0.020 over 3 seeds)');
  });
  it('one seed: no claim, and the words say why', () => {
    const t = text({ rows: rows(1), differences: { early: { 'early fusion': { n: 1, mean: -0.02, sd: NaN, lower: NaN, upper: NaN, p: NaN } }, unimodal: {} } });
    expect(t).toContain('one seed cannot show whether a difference is more than chance: run several seeds');
    expect(t).not.toContain('ahead of');
  });
  it('the best single modality is said to beat late fusion only when its interval is above 0', () => {
    const beats = text({ rows: rows(3), differences: { early: {}, unimodal: { genomic: diff(0.01, 0.001, 0.02) } } });
    expect(beats).toContain('The best single modality on its own (genomic, mean C 0.690) beats late fusion (0.680) here (95% CI 0.001 to 0.020 over 3 seeds)');
    const level = text({ rows: rows(3), differences: { early: {}, unimodal: { genomic: diff(0.01, -0.001, 0.02) } } });
    expect(level).not.toContain('beats late fusion');
  });
});
