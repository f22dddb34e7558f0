// Results of the Learn tab: the C-index of late fusion, early fusion and each single modality on the
// common test patients (every model on the same patients), per seed and summarised over seeds, and
// sentences that explain them — generated from the same numbers as the chart and the tables (the
// means over seeds are plain averages of the core's per-seed C-indices); a sentence claims a
// difference only when the 95% CI of the mean paired difference over the seeds (the core's
// pairedDifference, computed in the worker) excludes 0.
import { h, replace, dataTable, tableWrap } from './dom.js';
import { finite, fixed, pValue, count } from './format.js';
import { cIndexChart, seedSummaryChart } from './charts.js';
import { chartFigure } from './evaluation-view.js';
import { saveText, toCSV } from './download.js';
import { PRESET } from './presets.js';
import { intervalSide, boundText } from './claims.js';

const mean = (xs) => {
  const v = xs.filter(finite);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const num = (text, value, props = {}) => h('span', { class: 'num', 'data-value': String(value ?? ''), ...props }, text);
const c3 = (x) => fixed(x, 3);
const signed = (x) => (finite(x) ? `${x >= 0 ? '+' : '−'}${fixed(Math.abs(x), 3)}` : '—');

/** Kinds shown in the Learn comparison (integrators are parts of late fusion; the demo shows them). */
const LEARN_KINDS = ['unimodal', 'late', 'early', 'late-complete-case'];

/** The models of one seed's row that the Learn tab compares, in display order. */
function learnModels(row) {
  return row.models.filter((m) => LEARN_KINDS.includes(m.kind));
}

/** Display name of a model in the Learn tab. */
function label(m) {
  if (m.kind === 'unimodal') return m.name;
  return m.name.charAt(0).toUpperCase() + m.name.slice(1);
}

/**
 * Summaries over seeds, all from the per-seed C on the common test patients.
 * @returns {{models: Array<{name, key: string, kind, values: number[], n: number[], mean, min, max}>, perSeed: Array, late, early: Array, unimodal: Array}}
 */
export function summarize(rows) {
  const names = [];
  const byName = new Map();
  for (const row of rows) {
    for (const m of learnModels(row)) {
      if (!byName.has(m.name)) { byName.set(m.name, { name: label(m), key: m.name, kind: m.kind, values: [], n: [] }); names.push(m.name); }
    }
  }
  for (const row of rows) {
    for (const name of names) {
      const m = row.models.find((x) => x.name === name);
      byName.get(name).values.push(m?.common?.c ?? null);
      byName.get(name).n.push(m?.common?.n ?? null);
    }
  }
  const models = names.map((name) => {
    const s = byName.get(name);
    const v = s.values.filter(finite);
    return { ...s, mean: mean(v), min: v.length ? Math.min(...v) : null, max: v.length ? Math.max(...v) : null };
  });
  // Order: unimodal, then early, then late (late at the bottom, nearest the axis, as the headline).
  const rank = { unimodal: 0, early: 1, 'late-complete-case': 2, late: 3 };
  models.sort((a, b) => rank[a.kind] - rank[b.kind] || names.indexOf(a.key) - names.indexOf(b.key));
  const late = models.find((m) => m.kind === 'late') ?? null;
  const early = models.filter((m) => m.kind === 'early');
  const unimodal = models.filter((m) => m.kind === 'unimodal');
  // Per seed: the best single modality on the common test patients (picked after seeing the test
  // results, which favours it), and whether late fusion beat it and early fusion.
  const perSeed = rows.map((row, k) => {
    const uni = unimodal.map((u) => ({ name: u.name, c: u.values[k] })).filter((u) => finite(u.c));
    const best = uni.length ? uni.reduce((a, b) => (b.c > a.c ? b : a)) : null;
    return {
      seed: row.seed,
      commonTest: row.commonTest,
      late: late ? late.values[k] : null,
      early: early.map((e) => e.values[k]),
      best,
    };
  });
  return { models, perSeed, late, early, unimodal };
}

/** "(95% CI a to b over k seeds)" of a paired difference over seeds (bounds never printed as 0 when they are not). */
function seedInterval(d, k) {
  return `(95% CI ${boundText(d.lower)} to ${boundText(d.upper)} over ${k} seeds)`;
}

/** The words when the seeds do not show a difference (the CI includes 0, or one seed has no CI). */
function noDifference(d, k) {
  if (!d || k < 2 || !Number.isFinite(d.lower)) return 'one seed cannot show whether a difference is more than chance: run several seeds';
  return `the seeds do not show a difference (mean ${signed(d.mean)}, 95% CI ${boundText(d.lower)} to ${boundText(d.upper)} over ${k} seeds, includes 0)`;
}

/** Seeds where a > b (both finite). */
const wins = (a, b) => a.filter((x, k) => finite(x) && finite(b[k]) && x > b[k]).length;

/**
 * The explanation: sentences built from the numbers shown in the chart and the tables (same
 * rounding). Returns {headline, paragraphs: string[]}.
 */
export function explain(out, settings) {
  const rows = out.rows;
  const k = rows.length;
  const s = summarize(rows);
  const seedsText = k === 1 ? `seed ${rows[0].seed}` : `${k} seeds, ${rows[0].seed}–${rows[k - 1].seed}`;
  const commonN = rows.map((r) => r.commonTest).filter(finite);
  const nText = commonN.length && Math.min(...commonN) === Math.max(...commonN) ? `${count(commonN[0])}` : `${count(Math.min(...commonN))}–${count(Math.max(...commonN))}`;
  const paragraphs = [];
  const late = s.late;
  const early = s.early[0] ?? null;
  const bestMean = s.perSeed.map((p) => p.best?.c ?? null);
  const bestOverall = s.unimodal.length ? s.unimodal.reduce((a, b) => ((b.mean ?? -1) > (a.mean ?? -1) ? b : a)) : null;
  const avg = k === 1 ? '' : 'mean ';
  let headline = '';
  if (late) {
    let p1 = `On the ${nText} test patients who have every modality (${seedsText}), late fusion reaches a ${avg}C-index of ${c3(late.mean)}`;
    const others = [];
    for (const e of s.early) others.push(`${e.name.toLowerCase()} ${c3(e.mean)}`);
    if (bestOverall) others.push(`the best single modality${k === 1 ? ` (${bestOverall.name})` : ` on average (${bestOverall.name})`} ${c3(bestOverall.mean)}`);
    if (others.length) p1 += `, against ${others.join(', ')}`;
    p1 += '.';
    if (k > 1) {
      const parts = [];
      for (const e of s.early) parts.push(`${e.name.toLowerCase()} in ${wins(late.values, e.values)} of ${k}${parts.length ? '' : ' seeds'}`);
      parts.push(`the best single modality of each seed (picked after seeing the test results, which favours it) in ${wins(late.values, bestMean)} of ${k}`);
      p1 += ` Late fusion beats ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]}.`;
    }
    paragraphs.push(p1);
    headline = `Late fusion ${avg}C ${c3(late.mean)}` + (early ? `, ${early.name.toLowerCase()} ${c3(early.mean)}` : '') + (bestOverall ? `, best single modality ${c3(bestOverall.mean)}` : '') + '.';

    // Late vs each early fusion: the patients each approach learns from. A difference is claimed
    // only when the 95% CI of the mean paired difference over the seeds excludes 0 (claims.js, on
    // the unrounded bounds); otherwise the sentence says the seeds do not show one.
    const differences = out.differences ?? {};
    if (early) {
      const complete = rows[0].complete;
      const n = rows[0].n;
      const features = rows[0].features;
      const why = `each late-fusion submodel learns from every training patient who has its modality, while complete-case early fusion ` +
        `learns only from the patients with every modality (${count(complete)} of ${count(n)} in the cohort, before the train/test split)` +
        `${features ? ` and must fit all ${count(features)} features at once` : ''}`;
      const d = differences.early?.[early.key];
      const side = d ? intervalSide(d.lower, d.upper) : null;
      if (side === 'above') {
        paragraphs.push(`Late fusion is ahead of complete-case early fusion by ${fixed(d.mean, 3)} in ${avg}C ${seedInterval(d, k)}: ${why}.`);
      } else if (side === 'below') {
        paragraphs.push(`Complete-case early fusion is ahead of late fusion by ${fixed(-d.mean, 3)} in ${avg}C ${seedInterval(d, k)}, although ${why}: ` +
          'with these settings, fitting the modalities jointly pays off.');
      } else {
        paragraphs.push(`Late fusion and complete-case early fusion: ${c3(late.mean)} vs ${c3(early.mean)} in ${avg}C; ${noDifference(d, k)}, even though ${why}.`);
      }
    }
    const imputed = s.early.find((e) => /imput/i.test(e.key));
    if (imputed) {
      const d = differences.early?.[imputed.key];
      const side = d ? intervalSide(d.lower, d.upper) : null;
      const lead = `Early fusion with imputation (a missing modality's features set to their training medians) learns from every training patient too: ${avg}C ${c3(imputed.mean)}`;
      if (side === 'above') paragraphs.push(`${lead}, behind late fusion by ${fixed(d.mean, 3)} ${seedInterval(d, k)}.`);
      else if (side === 'below') paragraphs.push(`${lead}, ahead of late fusion by ${fixed(-d.mean, 3)} ${seedInterval(d, k)}.`);
      else paragraphs.push(`${lead} against late fusion's ${c3(late.mean)}; ${noDifference(d, k)}.`);
    }
    const bestDiff = bestOverall ? differences.unimodal?.[bestOverall.key] : null;
    if (bestDiff && intervalSide(bestDiff.lower, bestDiff.upper) === 'above') {
      paragraphs.push(`The best single modality on its own (${bestOverall.name}, ${avg}C ${c3(bestOverall.mean)}) beats late fusion (${c3(late.mean)}) here ${seedInterval(bestDiff, k)}: ` +
        'combining scores only helps when the other modalities add information to it, and each weak or uninformative score the integrator adds costs a little precision.');
    }
  }

  // Modalities without signal.
  const silent = PRESET.modalities.filter((m) => settings?.simulation?.signal?.[m.name] === 0);
  for (const m of silent) {
    const u = s.unimodal.find((x) => x.key === m.name);
    if (u) paragraphs.push(`${m.name} has no signal in this simulation, and its own C-index is ${c3(u.mean)}: chance is 0.5.`);
  }

  // The cross-modal interaction: what late fusion cannot learn.
  const interaction = settings?.simulation?.interaction ?? 0;
  if (interaction !== 0 && out.reference && late) {
    const ref = summarize(out.reference);
    const [a, b] = settings.simulation.interactionBetween ?? PRESET.interactionBetween;
    const lateRef = ref.late;
    const earlyRef = ref.early[0] ?? null;
    let p = `The true risk includes an interaction between ${a} and ${b} (coefficient ${interaction}): risk that exists only in the combination of the two. ` +
      `Late fusion cannot learn it — each submodel sees one modality, and the integrator only adds up the modality scores. ` +
      `On the same seeds simulated without the interaction, late fusion's ${avg}C is ${c3(lateRef?.mean)}; with it, ${c3(late.mean)} (${signed(late.mean - (lateRef?.mean ?? NaN))}).`;
    if (early && earlyRef) {
      p += ` Early fusion, a main-effects model of the features here, misses it too: ${c3(earlyRef.mean)} without, ${c3(early.mean)} with (${signed(early.mean - earlyRef.mean)}).`;
    }
    for (const name of [a, b]) {
      const u = s.unimodal.find((x) => x.key === name);
      const uRef = ref.unimodal.find((x) => x.key === name);
      if (u && uRef) p += ` ${name} on its own: ${c3(uRef.mean)} without, ${c3(u.mean)} with.`;
    }
    const change = out.differences?.interaction;
    const side = change ? intervalSide(change.lower, change.upper) : null;
    if (side === 'below') {
      p += ` The drop ${seedInterval(change, k)} is what a model of one modality at a time, added up, cannot capture: the risk carried by the combination of ${a} and ${b}.`;
    } else if (side === 'above') {
      p += ` Late fusion's C rose with the interaction ${seedInterval(change, k)}: the interaction made the modalities' own signal stronger here.`;
    } else {
      p += ` Late fusion's change with the interaction: ${noDifference(change, k)}.`;
    }
    // Right after the headline: with an interaction, this is the story of the numbers.
    paragraphs.splice(1, 0, p);
  }

  // Uncertainty.
  const widths = rows.map((r) => {
    const m = r.models.find((x) => x.kind === 'late');
    return m?.common && finite(m.common.lower) && finite(m.common.upper) ? (m.common.upper - m.common.lower) / 2 : null;
  }).filter(finite);
  if (widths.length) {
    paragraphs.push(`On ${nText} patients a C-index is uncertain: late fusion's 95% bootstrap interval is ±${fixed(mean(widths), 3)}${k > 1 ? ' on average' : ''}, ` +
      `so single-seed differences smaller than that can be chance${k > 1 ? '; the spread over seeds in the chart shows the same' : '; repeat over more seeds to see it'}.`);
  }
  return { headline, paragraphs, summary: s };
}

/** The Learn results: explanation, chart (per seed or over seeds), tables, CSV. */
export function renderLearnResults(container, out, { settings }) {
  const { headline, paragraphs, summary: s } = explain(out, settings);
  const k = out.rows.length;
  const draws = [];
  let figure;
  if (k === 1) {
    const row = out.rows[0];
    const models = s.models.map((m) => {
      const x = row.models.find((r) => r.name === m.key)?.common ?? {};
      return { name: m.name, kind: m.kind, c: x.c, lower: x.lower, upper: x.upper, p: x.p };
    });
    const title = `C-index on the ${row.commonTest} common test patients (seed ${row.seed})`;
    figure = chartFigure({
      id: 'learn-chart',
      title,
      basename: `learn-seed${row.seed}-cindex`,
      container,
      caption: "Dot: Harrell's C on the test patients who have every modality (the same patients for every model); whisker: 95% bootstrap interval; beside each row: the permutation p-value (* and a filled dot: p < 0.05). Dashed line: chance.",
      build: (width) => cIndexChart(models, { width, title }),
    });
  } else {
    const title = `C-index on the common test patients over ${k} seeds`;
    figure = chartFigure({
      id: 'learn-chart',
      title,
      basename: `learn-${k}-seeds-cindex`,
      container,
      caption: "Per model: a small dot per seed, the range over seeds (grey bar) and the mean (large dot, value on the right; late fusion in orange). Each seed is a new cohort and train/test split. Dashed line: chance.",
      build: (width) => seedSummaryChart(s.models.map((m) => ({ name: m.name, values: m.values, mean: m.mean })), { width, title }),
    });
  }
  draws.push(figure.draw);

  const summaryTable = dataTable({
    className: 'data keep-heads',
    caption: k === 1 ? 'C-index on the common test patients' : `C-index on the common test patients: mean and range over ${k} seeds`,
    columns: k === 1 ? ['Model', 'C-index', '95% CI', 'Permutation p', 'Patients'] : ['Model', 'Mean C', 'Lowest', 'Highest'],
    rows: s.models.map((m) => {
      if (k === 1) {
        const x = out.rows[0].models.find((r) => r.name === m.key)?.common ?? {};
        return [m.name, num(c3(x.c), x.c, { 'data-model': m.key }), finite(x.lower) ? `${c3(x.lower)}–${c3(x.upper)}` : '—', finite(x.p) ? num(pValue(x.p), x.p) : '—', num(count(x.n), x.n)];
      }
      return [m.name, num(c3(m.mean), m.mean, { 'data-model': m.key }), num(c3(m.min), m.min), num(c3(m.max), m.max)];
    }),
  });
  summaryTable.id = 'learn-summary-table';

  const earlyNames = s.early.map((e) => e.name);
  const seedTable = dataTable({
    className: 'data keep-heads',
    caption: 'Per seed: C-index on the common test patients',
    columns: ['Seed', 'Patients', 'Late fusion', ...earlyNames, 'Best single modality'],
    rows: s.perSeed.map((p) => [String(p.seed), num(count(p.commonTest), p.commonTest), num(c3(p.late), p.late),
      ...p.early.map((c) => num(c3(c), c)), p.best ? h('span', { class: 'num', 'data-value': String(p.best.c) }, `${c3(p.best.c)} (${p.best.name})`) : '—']),
  });
  seedTable.id = 'learn-seed-table';

  let referenceBlock = null;
  if (out.reference) {
    const ref = summarize(out.reference);
    const refTable = dataTable({
      className: 'data keep-heads',
      caption: `${k === 1 ? 'C-index' : 'Mean C-index'} with and without the cross-modal interaction (same seeds)`,
      columns: ['Model', 'Without', 'With', 'Change'],
      rows: s.models.map((m) => {
        const r = ref.models.find((x) => x.key === m.key);
        return [m.name, num(c3(r?.mean), r?.mean), num(c3(m.mean), m.mean), num(signed(m.mean - (r?.mean ?? NaN)), m.mean - (r?.mean ?? NaN))];
      }),
    });
    refTable.id = 'learn-reference-table';
    referenceBlock = h('div', { class: 'panel' }, h('h3', {}, 'What the interaction costs'), tableWrap(refTable, 'With and without the interaction'));
  }

  const csv = () => {
    const header = ['seed', 'model', 'kind', 'interaction', 'common_n', 'c', 'c_lower', 'c_upper', 'permutation_p'];
    const lines = [];
    const add = (rows, interaction) => {
      for (const row of rows) for (const m of row.models) lines.push([row.seed, m.name, m.kind, interaction, m.common?.n, m.common?.c, m.common?.lower, m.common?.upper, m.common?.p]);
    };
    add(out.rows, settings?.simulation?.interaction ?? 0);
    if (out.reference) add(out.reference, 0);
    return toCSV(header, lines);
  };

  replace(container,
    h('h3', { id: 'learn-results-h', tabindex: '-1' }, 'Late vs early fusion on these settings'),
    h('div', { class: 'summary', id: 'learn-explanation' }, paragraphs.map((p) => h('p', {}, p))),
    figure.figure,
    tableWrap(summaryTable, 'C-index by model'),
    k > 1 || s.early.length ? tableWrap(seedTable, 'C-index per seed') : null,
    referenceBlock,
    h('div', { class: 'downloads' },
      h('button', { type: 'button', class: 'small', onclick: () => saveText('learn-c-index.csv', csv(), 'text/csv') }, 'C-index per seed CSV')));
  const redraw = () => { for (const d of draws) d(); };
  redraw();
  return { redraw, headline };
}
