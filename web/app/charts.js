// Charts with Observable Plot (SVG). Each chart gets an aria-label and an aria-description that
// state its values in words; the page shows the same numbers in a table beside it.
// Plot adds a <style> element to each SVG; the page's CSP forbids inline styles, so it is removed
// before the SVG enters the document and styles.css carries the same rules (.lf-plot).
import * as Plot from '@observablehq/plot';
import { finite, sig, fixed, pValue } from './format.js';

export const PLOT_CLASS = 'lf-plot';

/**
 * @template {Element} E
 * @param {E} svg
 * @returns {E}
 */
function finishSvg(svg) {
  for (const style of svg.querySelectorAll('style')) style.remove();
  svg.setAttribute('role', 'img');
  svg.setAttribute('focusable', 'false');
  return svg;
}

/**
 * One Plot chart as the page shows it: the page's class, no inline style (removed, see above),
 * role="img". Every chart of charts.js and score-charts.js is drawn through this.
 * @param {Record<string, any>} options  Plot.plot options
 * @returns {SVGSVGElement}
 */
export function plotSvg(options) {
  return finishSvg(/** @type {SVGSVGElement} */ (Plot.plot({ className: PLOT_CLASS, style: null, ...options })));
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svgEl(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = String(text);
  return el;
}

/**
 * Rough text width in px at Plot's 10-11 px system font (for margins only); on phones, where
 * styles.css sets chart text to 12 px, the same text is about 15% wider.
 */
const PHONE = typeof matchMedia === 'function' && matchMedia('(max-width: 480px)').matches;
const textWidth = (s) => Math.ceil(String(s).length * (PHONE ? 7.2 : 6.2));

/**
 * Forest plot: one row per covariate, hazard ratio (dot) with 95% CI (line), log x axis, a dashed
 * line at HR = 1.
 * @param {Array<{name: string, hr: number, lower: number, upper: number, p: number}>} rows
 * @param {{width?: number, title?: string, ratio?: string, axisLabel?: string}} options  ratio: 'HR' or 'OR' (odds ratios)
 */
export function forestPlot(rows, { width = 640, title = 'Hazard ratios with 95% confidence intervals', ratio = 'HR', axisLabel = 'Hazard ratio (log scale) →' } = {}) {
  const shown = rows.filter((r) => Number.isFinite(r.hr) && r.hr > 0 && Number.isFinite(r.lower) && r.lower > 0 && Number.isFinite(r.upper));
  const names = shown.map((r) => r.name);
  const marginLeft = Math.min(220, Math.max(60, Math.max(0, ...names.map((n) => textWidth(n.slice(0, 32)))) + 14));
  // Axis layout only: a log domain around the intervals and 1, with round tick values inside it.
  const L = Math.log(Math.min(1, ...shown.map((r) => r.lower)));
  const H = Math.log(Math.max(1, ...shown.map((r) => r.upper)));
  const pad = Math.max(0.02, (H - L) * 0.08);
  const lo = Math.exp(L - pad);
  const hi = Math.exp(H + pad);
  const maxTicks = Math.max(3, Math.floor((width - marginLeft) / 60));
  const candidates = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 20, 50, 100, 200, 500, 1000];
  let ticks = candidates.filter((t) => t >= lo && t <= hi);
  while (ticks.length > maxTicks) ticks = ticks.filter((t, i) => t === 1 || i % 2 === 0);
  if (ticks.length < 3) {
    // A narrow range: evenly spaced round values (0.95, 1, 1.05, ...).
    const span = hi - lo;
    const mag = 10 ** Math.floor(Math.log10(span / 4));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => span / st <= Math.min(6, maxTicks)) ?? 10 * mag;
    ticks = [];
    for (let k = Math.ceil(lo / step); k * step <= hi; k++) ticks.push(Number((k * step).toPrecision(6)));
  }
  const description = shown.map((r) => `${r.name}: ${ratio} ${sig(r.hr)} (95% CI ${sig(r.lower)} to ${sig(r.upper)})`).join('; ');
  const svg = plotSvg({
    width,
    height: 56 + 30 * Math.max(1, shown.length),
    marginLeft,
    marginRight: 24,
    marginTop: 16,
    marginBottom: 40,
    x: { type: 'log', domain: [lo, hi], label: axisLabel, grid: true, ticks, tickFormat: (d) => String(Number(d.toPrecision(4))) },
    y: { domain: names, label: null, tickSize: 0, tickFormat: (name) => (name.length > 32 ? `${name.slice(0, 31)}…` : name) },
    ariaLabel: title,
    ariaDescription: description || `no finite ${ratio === 'OR' ? 'odds' : 'hazard'} ratios to show`,
    marks: [
      Plot.ruleX([1], { stroke: '#6b7280', strokeDasharray: '4,3' }),
      Plot.ruleY(shown, { y: 'name', x1: 'lower', x2: 'upper', stroke: '#1f4e79', strokeWidth: 2 }),
      Plot.tickX(shown, { y: 'name', x: 'lower', stroke: '#1f4e79', strokeWidth: 2, inset: 6 }),
      Plot.tickX(shown, { y: 'name', x: 'upper', stroke: '#1f4e79', strokeWidth: 2, inset: 6 }),
      Plot.dot(shown, { y: 'name', x: 'hr', r: 5, fill: (d) => (d.p < 0.05 ? '#b4461e' : '#1f4e79'), stroke: 'white', strokeWidth: 1 }),
    ],
  });
  return { svg, omitted: rows.filter((r) => !shown.includes(r)).map((r) => r.name), description };
}

// ---------------------------------------------------------------------------------------------
// Evaluation charts. Pure functions: data (numbers computed by the core) -> an SVG element with an
// aria-label and an aria-description; they are shared by the Cox evaluation and late fusion.
// ---------------------------------------------------------------------------------------------

/** Colours of risk groups from the lowest to the highest risk (blue / ochre / orange-red). */
export const RISK_COLORS = { 2: ['#1f4e79', '#b4461e'], 3: ['#1f4e79', '#a07800', '#b4461e'] };
export const riskColors = (k) => RISK_COLORS[k] ?? Array.from({ length: k }, (_, i) => ['#1f4e79', '#a07800', '#b4461e', '#5b3a8c', '#2f7d4a'][i % 5]);

/** A time value for text (up to 6 significant digits, no exponent for ordinary times). */
export const timeText = (t) => (finite(t) ? String(Number(t.toPrecision(6))) : '—');

/**
 * The frame of a calibration chart (predicted against observed, both on [0, 1]): a square.
 * @param {number} size
 */
const squareFrame = (size) => ({ width: size, height: size, marginLeft: 50, marginRight: 16, marginTop: 16, marginBottom: 42 });

/**
 * Axis layout only, for a chart with one row per model on the C-index scale: a domain around the
 * values (lows: each row's lowest, highs: its highest) and 0.5, kept inside [0, 1].
 * @param {number[]} lows
 * @param {number[]} highs
 */
function modelRowsDomain(lows, highs) {
  return { lo: Math.max(0, Math.min(0.45, ...lows) - 0.03), hi: Math.min(1, Math.max(0.55, ...highs) + 0.03) };
}

/**
 * The frame shared by the C-index chart and the C-over-seeds chart: one row per model (names cut at
 * 28 characters), the C-index axis of `modelRowsDomain`, a dashed line at 0.5, then `marks`.
 * @param {{names: string[], lows: number[], highs: number[], width: number, marginRight: number,
 *   label: string, title: string, description: string, marks: any[]}} frame
 */
function modelRowsPlot({ names, lows, highs, width, marginRight, label, title, description, marks }) {
  const marginLeft = Math.min(200, Math.max(50, Math.max(0, ...names.map((n) => textWidth(n.slice(0, 28)))) + 14));
  const { lo, hi } = modelRowsDomain(lows, highs);
  return plotSvg({
    width,
    height: 56 + 34 * Math.max(1, names.length),
    marginLeft,
    marginRight,
    marginTop: 16,
    marginBottom: 40,
    x: { domain: [lo, hi], label, grid: true, ticks: Math.max(3, Math.floor((width - marginLeft - marginRight) / 55)) },
    y: { domain: names, label: null, tickSize: 0, tickFormat: (name) => (name.length > 28 ? `${name.slice(0, 27)}…` : name) },
    ariaLabel: title,
    ariaDescription: description || 'no C-index to show',
    marks: [Plot.ruleX([0.5], { stroke: '#6b7280', strokeDasharray: '4,3' }), ...marks],
  });
}

/**
 * C-index chart: one row per model, the C-index (dot) with its bootstrap CI (whisker), a dashed
 * line at 0.5 (chance), and the permutation p-value beside each row; a filled dot and "*" when
 * p < 0.05.
 * @param {Array<{name: string, kind?: string, c: number, lower?: number|null, upper?: number|null, p?: number|null}>} models
 * @param {{width?: number, title?: string, label?: string, metric?: string}} options  metric: 'C' or 'AUC' (the text alternative's word)
 */
export function cIndexChart(models, { width = 640, title = 'C-index with 95% bootstrap confidence interval', label = "Harrell's C-index →", metric = 'C' } = {}) {
  const shown = models.filter((m) => finite(m.c));
  const names = shown.map((m) => m.name);
  const lows = shown.map((m) => (finite(m.lower) ? m.lower : m.c));
  const highs = shown.map((m) => (finite(m.upper) ? m.upper : m.c));
  const { hi } = modelRowsDomain(lows, highs);
  const labelText = (m) => (finite(m.p) ? `p ${pValue(m.p).startsWith('<') ? pValue(m.p) : `= ${pValue(m.p)}`}${m.p < 0.05 ? ' *' : ''}` : '');
  const marginRight = shown.some((m) => finite(m.p)) ? 92 : 20;
  const description = shown.map((m) => `${m.name}${m.kind ? ` (${m.kind})` : ''}: ${metric} ${fixed(m.c, 3)}` +
    (finite(m.lower) && finite(m.upper) ? `, 95% CI ${fixed(m.lower, 3)} to ${fixed(m.upper, 3)}` : '') +
    (finite(m.p) ? `, permutation p ${pValue(m.p)}` : '')).join('; ');
  const withCi = shown.filter((m) => finite(m.lower) && finite(m.upper));
  const svg = modelRowsPlot({
    names, lows, highs, width, marginRight, label, title, description,
    marks: [
      Plot.ruleY(withCi, { y: 'name', x1: 'lower', x2: 'upper', stroke: '#1f4e79', strokeWidth: 2 }),
      Plot.tickX(withCi, { y: 'name', x: 'lower', stroke: '#1f4e79', strokeWidth: 2, inset: 8 }),
      Plot.tickX(withCi, { y: 'name', x: 'upper', stroke: '#1f4e79', strokeWidth: 2, inset: 8 }),
      Plot.dot(shown, { y: 'name', x: 'c', r: 5.5, fill: (m) => (finite(m.p) && m.p < 0.05 ? '#b4461e' : 'white'), stroke: (m) => (finite(m.p) && m.p < 0.05 ? 'white' : '#1f4e79'), strokeWidth: 1.5 }),
      Plot.text(shown, { y: 'name', x: () => hi, text: labelText, textAnchor: 'start', dx: 8, fill: '#17202c', fontSize: 11 }),
    ],
  });
  return { svg, description };
}

/**
 * Time-dependent AUC: one line per series through AUC(t) at each horizon, a dashed line at 0.5
 * and a dotted line at the mean AUC (one series) .
 * @param {Array<{name: string, time: number[], auc: number[], meanAuc?: number|null}>} series
 * @param {{width?: number, title?: string, timeLabel?: string}} options
 */
export function aucChart(series, { width = 640, title = 'Time-dependent AUC', timeLabel = 'Time' } = {}) {
  const points = series.flatMap((s) => s.time.map((t, k) => ({ name: s.name, time: t, auc: s.auc[k] }))).filter((d) => finite(d.time) && finite(d.auc));
  const aucs = points.map((d) => d.auc);
  const lo = Math.max(0, Math.min(0.4, ...aucs.map((a) => a - 0.05)));
  const times = points.map((d) => d.time);
  const tmax = Math.max(...times, 0);
  const single = series.length === 1;
  const mean = single && finite(series[0].meanAuc) ? series[0].meanAuc : null;
  const colors = ['#1f4e79', '#b4461e', '#2f7d4a', '#5b3a8c', '#a07800', '#6b7280'];
  const color = (name) => colors[Math.max(0, series.findIndex((s) => s.name === name)) % colors.length];
  const description = series.map((s) => `${s.name}: ` + s.time.map((t, k) => `AUC(${timeText(t)}) ${fixed(s.auc[k], 3)}`).join(', ') +
    (finite(s.meanAuc) ? `; mean AUC ${fixed(s.meanAuc, 3)}` : '')).join('. ');
  const marks = [
    Plot.ruleY([0.5], { stroke: '#6b7280', strokeDasharray: '4,3' }),
    Plot.line(points, { x: 'time', y: 'auc', z: 'name', stroke: (d) => color(d.name), strokeWidth: 2 }),
    Plot.dot(points, { x: 'time', y: 'auc', fill: (d) => color(d.name), stroke: 'white', r: 4.5 }),
  ];
  if (single) {
    // Value labels above each point, or below it when the point lies under the mean line (no overlap).
    const below = (d) => mean !== null && d.auc < mean;
    marks.push(Plot.text(points.filter((d) => !below(d)), { x: 'time', y: 'auc', text: (d) => fixed(d.auc, 3), dy: -11, fill: '#17202c', fontSize: 10.5 }));
    marks.push(Plot.text(points.filter(below), { x: 'time', y: 'auc', text: (d) => fixed(d.auc, 3), dy: 13, fill: '#17202c', fontSize: 10.5 }));
  } else {
    // Several series: each line is labelled at its last point (no legend: Plot's carry inline styles);
    // the values are in the text alternative and the table beside the chart.
    /** @type {Array<{name: string, time: number, auc: number, labelY?: number}>} */
    const last = series.map((s) => points.filter((d) => d.name === s.name).at(-1)).filter(Boolean);
    // Spread labels that would overlap vertically (layout only).
    const sorted = [...last].sort((a, b) => b.auc - a.auc);
    const step = 0.045;
    for (let i = 1; i < sorted.length; i++) sorted[i].labelY = Math.min(sorted[i].auc, (sorted[i - 1].labelY ?? sorted[i - 1].auc) - step);
    marks.push(Plot.text(last, { x: 'time', y: (d) => d.labelY ?? d.auc, text: 'name', textAnchor: 'start', dx: 8, fill: (d) => color(d.name), fontSize: 11, fontWeight: 600 }));
  }
  if (mean !== null) {
    marks.push(Plot.ruleY([mean], { stroke: '#1f4e79', strokeDasharray: '1,3', strokeWidth: 1.5 }));
    marks.push(Plot.text([mean], { y: (d) => d, x: () => 0, text: () => `mean AUC ${fixed(mean, 3)}`, textAnchor: 'start', dy: 9, dx: 4, fill: '#1f4e79', fontSize: 10.5 }));
  }
  const svg = plotSvg({
    width,
    height: Math.round(Math.max(200, Math.min(300, width * 0.5))),
    marginLeft: 46,
    marginRight: single ? 24 : Math.min(180, 16 + Math.max(...series.map((x) => textWidth(x.name)))),
    marginTop: 22,
    marginBottom: 40,
    x: { domain: [0, tmax * 1.06 || 1], label: `${timeLabel} →`, grid: true, ticks: Math.max(3, Math.floor(width / 90)) },
    y: { domain: [lo, 1], label: '↑ AUC(t)', grid: true },
    ariaLabel: title,
    ariaDescription: description || 'no AUC to show',
    marks,
  });
  return { svg, description };
}

/**
 * Calibration at a horizon: observed Kaplan–Meier survival (dot, with its CI) against the mean
 * predicted survival, one point per group of predicted risk, and the diagonal of perfect calibration.
 * @param {Array<{predicted: number, observed: number, lower?: number|null, upper?: number|null, n?: number}>} groups
 * @param {{width?: number, title?: string, horizon?: number}} options
 */
export function calibrationChart(groups, { width = 480, title = 'Calibration', horizon } = {}) {
  const shown = groups.filter((g) => finite(g.predicted) && finite(g.observed));
  const withCi = shown.filter((g) => finite(g.lower) && finite(g.upper));
  const at = finite(horizon) ? ` at t = ${timeText(horizon)}` : '';
  const description = shown.map((g, i) => `group ${i + 1}: predicted ${fixed(g.predicted, 3)}, observed ${fixed(g.observed, 3)}` +
    (finite(g.lower) && finite(g.upper) ? ` (95% CI ${fixed(g.lower, 3)} to ${fixed(g.upper, 3)})` : '')).join('; ');
  const size = Math.min(width, 460);
  const svg = plotSvg({
    ...squareFrame(size),
    x: { domain: [0, 1], label: `Predicted survival${at} →`, grid: true },
    y: { domain: [0, 1], label: `↑ Observed survival (Kaplan–Meier)${at}`, grid: true },
    ariaLabel: title,
    ariaDescription: description || 'no calibration groups to show',
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: '#6b7280', strokeDasharray: '4,3' }),
      Plot.ruleX(withCi, { x: 'predicted', y1: 'lower', y2: 'upper', stroke: '#1f4e79', strokeWidth: 1.5 }),
      Plot.dot(shown, { x: 'predicted', y: 'observed', r: 4.5, fill: '#1f4e79', stroke: 'white' }),
    ],
  });
  return { svg, description };
}

/** Lay out legend entries (a short line in the group's colour, then its label) in rows within `width`. */
function legendGroup(entries, width, x0) {
  const g = svgEl('g', { 'aria-hidden': 'true' });
  let x = x0;
  let y = 12;
  for (const { label, color, dash } of entries) {
    const w = 30 + textWidth(label) + 16;
    if (x > x0 && x + w > width - 8) { x = x0; y += 18; }
    g.append(svgEl('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': dash }));
    g.append(svgEl('text', { x: x + 28, y, dy: '0.32em', fill: '#17202c', 'font-size': 11 }, label));
    x += w;
  }
  return { g, height: y + 12 };
}

/**
 * Kaplan–Meier curves per group as full step functions from S(0) = 1, optional confidence bands,
 * "+" marks at censoring times, a legend above and a number-at-risk table below (aligned with the
 * x-axis ticks at `atTimes`).
 * @param {{groups: Array<{label: string, color?: string, curve: {time: ArrayLike<number>, surv: ArrayLike<number>,
 *           lower?: ArrayLike<number|null>, upper?: ArrayLike<number|null>, n_censor?: ArrayLike<number>}, atRisk?: number[]}>,
 *          atTimes?: number[], showCI?: boolean, width?: number, title?: string, timeLabel?: string, description?: string}} input
 * @returns {{svg: SVGSVGElement, description: string}}
 */
export function kaplanMeierChart({ groups, atTimes = [], showCI = false, width = 640, title = 'Kaplan–Meier survival curves', timeLabel = 'Time', description = '' }) {
  const colors = riskColors(groups.length);
  const color = (i) => groups[i].color ?? colors[i];
  const rows = [];
  const censored = [];
  let tmax = 0;
  groups.forEach((g, i) => {
    const c = g.curve;
    rows.push({ i, time: 0, surv: 1, lower: 1, upper: 1 });
    for (let k = 0; k < c.time.length; k++) {
      const lower = c.lower?.[k];
      const upper = c.upper?.[k];
      rows.push({ i, time: c.time[k], surv: c.surv[k], lower: finite(lower) ? lower : NaN, upper: finite(upper) ? upper : NaN });
      if (c.n_censor && c.n_censor[k] > 0) censored.push({ i, time: c.time[k], surv: c.surv[k] });
      tmax = Math.max(tmax, c.time[k]);
    }
  });
  for (const t of atTimes) tmax = Math.max(tmax, t);
  // The risk-table labels end left of the t = 0 column (numbers are centred on their time).
  const labelWidth = Math.max(0, ...groups.map((g) => textWidth(g.label))) + 30;
  const marginLeft = Math.max(50, Math.min(170, labelWidth));
  const marginRight = 22;
  const domain = [0, tmax || 1];
  const ticks = atTimes.length ? atTimes : undefined;
  const plotHeight = Math.round(Math.max(220, Math.min(340, width * 0.55)));
  const marks = [];
  if (showCI) {
    groups.forEach((_, i) => {
      marks.push(Plot.areaY(rows.filter((r) => r.i === i), { x: 'time', y1: 'lower', y2: 'upper', curve: 'step-after', fill: color(i), fillOpacity: 0.14 }));
    });
  }
  groups.forEach((_, i) => {
    marks.push(Plot.line(rows.filter((r) => r.i === i), { x: 'time', y: 'surv', curve: 'step-after', stroke: color(i), strokeWidth: 2 }));
  });
  marks.push(Plot.dot(censored, { x: 'time', y: 'surv', symbol: 'plus', r: 3.2, stroke: (d) => color(d.i), strokeWidth: 1.4 }));
  const main = Plot.plot({
    width,
    height: plotHeight,
    marginLeft,
    marginRight,
    marginTop: 24,
    marginBottom: 40,
    style: null,
    x: { domain, label: `${timeLabel} →`, ticks, grid: true, tickFormat: (d) => timeText(d) },
    y: { domain: [0, 1], label: '↑ Survival probability', grid: true, ticks: 5 },
    marks,
  });
  const parts = [main];
  let tableHeight = 0;
  let table = null;
  if (atTimes.length && groups.every((g) => Array.isArray(g.atRisk))) {
    const cells = groups.flatMap((g, i) => atTimes.map((t, k) => ({ i, label: g.label, time: t, n: g.atRisk[k] })));
    tableHeight = 26 + 17 * groups.length;
    table = Plot.plot({
      width,
      height: tableHeight,
      marginLeft,
      marginRight,
      marginTop: 22,
      marginBottom: 4,
      style: null,
      x: { domain, axis: null },
      y: { domain: groups.map((g) => g.label), axis: null },
      marks: [
        Plot.text(['Number at risk'], { frameAnchor: 'top-left', dx: -marginLeft + 4, dy: -18, text: (d) => d, fontWeight: 600, fill: '#17202c', fontSize: 11 }),
        Plot.text(groups, { x: () => 0, y: 'label', text: 'label', textAnchor: 'end', dx: -22, fill: (g) => color(groups.indexOf(g)), fontWeight: 600, fontSize: 11 }),
        Plot.text(cells, { x: 'time', y: 'label', text: (d) => (finite(d.n) ? String(d.n) : '—'), fill: '#17202c', fontSize: 11 }),
      ],
    });
    parts.push(table);
  }
  const legend = legendGroup(groups.map((g, i) => ({ label: g.label, color: color(i) })), width, marginLeft);
  const total = legend.height + plotHeight + tableHeight;
  const outer = svgEl('svg', {
    class: PLOT_CLASS, width, height: total, viewBox: `0 0 ${width} ${total}`, 'font-family': 'system-ui, sans-serif', 'font-size': 10,
    'aria-label': title,
    'aria-description': description || groups.map((g) => `${g.label}: ${g.curve.time.length} time points`).join('; '),
  });
  outer.append(legend.g);
  let y = legend.height;
  for (const part of parts) {
    for (const style of part.querySelectorAll('style')) style.remove();
    part.removeAttribute('class');
    part.setAttribute('x', '0');
    part.setAttribute('y', String(y));
    part.setAttribute('overflow', 'visible');
    outer.append(part);
    y += Number(part.getAttribute('height'));
  }
  return { svg: finishSvg(outer), description: outer.getAttribute('aria-description') };
}

/**
 * C-index over repeated seeds: one row per model, a small dot per seed, the range over seeds
 * (line from the lowest to the highest) and the mean (large dot, value beside it); dashed line at 0.5.
 * @param {Array<{name: string, values: number[], mean: number}>} models
 * @param {{width?: number, title?: string, label?: string}} options
 */
export function seedSummaryChart(models, { width = 640, title = 'C-index over seeds', label = "Harrell's C-index on the common test patients →" } = {}) {
  const shown = models.filter((m) => finite(m.mean));
  const names = shown.map((m) => m.name);
  const points = shown.flatMap((m) => m.values.filter(finite).map((c, k) => ({ name: m.name, c, k })));
  const ranges = shown.map((m) => {
    const v = m.values.filter(finite);
    return { name: m.name, lo: Math.min(...v), hi: Math.max(...v), mean: m.mean };
  });
  const all = points.map((p) => p.c);
  const { hi } = modelRowsDomain(all, all);
  const marginRight = 56;
  const description = ranges.map((r) => `${r.name}: mean C ${fixed(r.mean, 3)}, range ${fixed(r.lo, 3)} to ${fixed(r.hi, 3)} over ${shown.find((m) => m.name === r.name).values.filter(finite).length} seeds`).join('; ');
  const svg = modelRowsPlot({
    names, lows: all, highs: all, width, marginRight, label, title, description,
    marks: [
      Plot.ruleY(ranges, { y: 'name', x1: 'lo', x2: 'hi', stroke: '#9aa9bb', strokeWidth: 6, strokeLinecap: 'round' }),
      Plot.dot(points, { y: 'name', x: 'c', r: 3, fill: '#556170', fillOpacity: 0.75 }),
      Plot.dot(ranges, { y: 'name', x: 'mean', r: 6, fill: (r) => (/late/i.test(r.name) ? '#b4461e' : '#1f4e79'), stroke: 'white', strokeWidth: 1.5 }),
      Plot.text(ranges, { y: 'name', x: () => hi, text: (r) => fixed(r.mean, 3), textAnchor: 'start', dx: 8, fill: '#17202c', fontSize: 11 }),
    ],
  });
  return { svg, description };
}

/** A diverging colour for Kendall's tau in [-1, 1] (blue negative, white 0, orange-red positive). */
function tauColor(t) {
  if (!finite(t)) return '#eef1f5';
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t >= 0 ? [180, 70, 30] : [31, 78, 121];
  const mix = (c) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/**
 * Heatmap of Kendall's tau between the unimodal risk scores: one cell per pair (Plot cell mark),
 * coloured by tau (diverging, fixed to [-1, 1]) with the value written in the cell; the diagonal is 1.
 * @param {{names: string[], tau: Array<Array<number|null>>, p?: Array<Array<number|null>>, n?: Array<Array<number|null>>}} input
 * @param {{width?: number, title?: string}} options
 */
export function kendallHeatmap({ names, tau, p, n }, { width = 520, title = "Kendall's tau between the unimodal risk scores" } = {}) {
  const cells = [];
  names.forEach((a, i) => names.forEach((b, j) => cells.push({ a, b, i, j, tau: tau?.[i]?.[j] ?? null, p: p?.[i]?.[j] ?? null, n: n?.[i]?.[j] ?? null })));
  const longest = Math.max(0, ...names.map((s) => textWidth(s)));
  const marginLeft = Math.min(160, Math.max(50, longest + 12));
  // Room for the x labels, rotated by 35 degrees.
  const marginBottom = Math.ceil(18 + Math.min(160, longest) * 0.6);
  const size = Math.max(240, Math.min(width, 560));
  const cell = Math.max(38, Math.floor((size - marginLeft - 10) / Math.max(1, names.length)));
  const plotWidth = marginLeft + 10 + cell * names.length;
  const pairs = cells.filter((c) => c.i < c.j);
  const description = pairs.map((c) => `${c.a} and ${c.b}: tau ${fixed(c.tau, 2)}` + (finite(c.p) ? `, p ${pValue(c.p)}` : '') + (finite(c.n) ? `, ${c.n} patients` : '')).join('; ');
  const dark = (t) => finite(t) && Math.abs(t) > 0.55;
  const svg = plotSvg({
    width: plotWidth,
    height: 10 + marginBottom + cell * names.length,
    marginLeft,
    marginRight: 10,
    marginTop: 10,
    marginBottom,
    x: { domain: names, label: null, tickSize: 0, tickRotate: -35 },
    y: { domain: names, label: null, tickSize: 0 },
    ariaLabel: title,
    ariaDescription: description || 'no pair of modalities to show',
    marks: [
      // The diagonal (a score with itself, always 1) in neutral grey so the pairs stand out.
      Plot.cell(cells, { x: 'b', y: 'a', fill: (d) => (d.i === d.j ? '#e5e8ed' : tauColor(d.tau)), stroke: 'white', strokeWidth: 2, inset: 0.5 }),
      Plot.text(cells, { x: 'b', y: 'a', text: (d) => (finite(d.tau) ? fixed(d.tau, 2) : '—'), fill: (d) => (d.i !== d.j && dark(d.tau) ? 'white' : d.i === d.j ? '#556170' : '#17202c'), fontSize: 12, fontWeight: 600 }),
    ],
  });
  return { svg, description };
}

// ---------------------------------------------------------------------------------------------
// Binary outcomes (late fusion with a 0/1 outcome): risk groups as observed proportions, and the
// calibration of predicted probabilities. Numbers from the core; the functions only lay them out.
// ---------------------------------------------------------------------------------------------

const percent = (x, digits = 0) => (finite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

/**
 * Observed proportion of cases per risk group (dot) with its 95% Wilson interval (whisker), one row
 * per group from the lowest to the highest risk, the value written beside each row.
 * @param {Array<{label: string, n: number, cases: number, proportion: number, lower: number, upper: number, color?: string}>} groups
 * @param {{width?: number, title?: string, outcomeLabel?: string}} options
 */
export function proportionChart(groups, { width = 640, title = 'Observed proportion of cases by risk group', outcomeLabel = 'cases' } = {}) {
  const shown = groups.filter((g) => finite(g.proportion));
  const colors = riskColors(shown.length);
  const rows = shown.map((g, i) => ({ ...g, color: g.color ?? colors[i], text: `${percent(g.proportion)} (${g.cases} of ${g.n})` }));
  const names = rows.map((g) => g.label);
  const marginLeft = Math.min(170, Math.max(60, Math.max(0, ...names.map((n) => textWidth(n))) + 16));
  const marginRight = Math.max(96, Math.max(0, ...rows.map((g) => textWidth(g.text))) + 14);
  const withCi = rows.filter((g) => finite(g.lower) && finite(g.upper));
  const description = rows.map((g) => `${g.label}: ${g.cases} ${outcomeLabel} of ${g.n} patients, ${percent(g.proportion, 1)}` +
    (finite(g.lower) && finite(g.upper) ? ` (95% CI ${percent(g.lower, 1)} to ${percent(g.upper, 1)})` : '')).join('; ');
  const svg = plotSvg({
    width,
    height: 60 + 40 * Math.max(1, rows.length),
    marginLeft,
    marginRight,
    marginTop: 16,
    marginBottom: 42,
    x: { domain: [0, 1], label: `Observed proportion of ${outcomeLabel} (95% Wilson CI) →`, grid: true, tickFormat: (d) => `${Math.round(d * 100)}%`, ticks: Math.max(3, Math.min(6, Math.floor((width - marginLeft - marginRight) / 55))) },
    y: { domain: names, label: null, tickSize: 0 },
    ariaLabel: title,
    ariaDescription: description || 'no risk group to show',
    marks: [
      Plot.ruleY(withCi, { y: 'label', x1: 'lower', x2: 'upper', stroke: (g) => g.color, strokeWidth: 2.5 }),
      Plot.tickX(withCi, { y: 'label', x: 'lower', stroke: (g) => g.color, strokeWidth: 2.5, inset: 9 }),
      Plot.tickX(withCi, { y: 'label', x: 'upper', stroke: (g) => g.color, strokeWidth: 2.5, inset: 9 }),
      Plot.dot(rows, { y: 'label', x: 'proportion', r: 6, fill: (g) => g.color, stroke: 'white', strokeWidth: 1.5 }),
      Plot.text(rows, { y: 'label', x: () => 1, text: 'text', textAnchor: 'start', dx: 10, fill: '#17202c', fontSize: 11 }),
    ],
  });
  return { svg, description };
}

/**
 * Calibration of predicted probabilities: the logistic recalibration curve (the fitted probabilities
 * of glm(y ~ log-odds) at each patient's predicted probability, as the core fitted them), the
 * diagonal of perfect calibration, and each patient's predicted probability as a tick at the top
 * (cases, y = 1) or at the bottom (controls, y = 0).
 * @param {Array<{predicted: number, fitted: number, y: number}>} points sorted by `predicted`
 * @param {{width?: number, title?: string, intercept?: number, slope?: number}} options
 */
export function binaryCalibrationChart(points, { width = 480, title = 'Calibration of the predicted probabilities', intercept = null, slope = null } = {}) {
  const shown = points.filter((d) => finite(d.predicted) && finite(d.fitted));
  const size = Math.min(width, 460);
  const cases = shown.filter((d) => d.y === 1).length;
  const description = `${shown.length} test patients (${cases} cases). Recalibration curve from ${fixed(shown[0]?.predicted, 3)} to ${fixed(shown.at(-1)?.predicted, 3)} predicted: ` +
    `observed ${fixed(shown[0]?.fitted, 3)} to ${fixed(shown.at(-1)?.fitted, 3)}` +
    (finite(intercept) ? `; calibration intercept ${fixed(intercept, 2)}` : '') + (finite(slope) ? `, slope ${fixed(slope, 2)}` : '') + '.';
  const svg = plotSvg({
    ...squareFrame(size),
    x: { domain: [0, 1], label: 'Predicted probability →', grid: true },
    y: { domain: [0, 1], label: '↑ Observed probability (recalibrated)', grid: true },
    ariaLabel: title,
    ariaDescription: shown.length ? description : 'no patients to show',
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: '#6b7280', strokeDasharray: '4,3' }),
      Plot.ruleX(shown.filter((d) => d.y === 1), { x: 'predicted', y1: 0.965, y2: 1, stroke: '#b4461e', strokeOpacity: 0.55 }),
      Plot.ruleX(shown.filter((d) => d.y !== 1), { x: 'predicted', y1: 0, y2: 0.035, stroke: '#1f4e79', strokeOpacity: 0.55 }),
      Plot.line(shown, { x: 'predicted', y: 'fitted', stroke: '#1f4e79', strokeWidth: 2.5 }),
    ],
  });
  return { svg, description };
}

/**
 * Decision curves (report.json decision_curve): net benefit against the threshold probability for
 * late fusion (with its bootstrap band), the other models, treat all (dashed) and treat none (0).
 * `models`: [{name, netBenefit: number[], lower?, upper?, main?: boolean}]; null values are gaps.
 */
export function decisionCurveChart({ thresholds, treatAll, models }, { width = 640, title = 'Decision curves' } = {}) {
  const colors = ['#1f4e79', '#b4461e', '#2f7d4a', '#5b3a8c', '#a07800', '#6b7280'];
  const points = (name, values) => thresholds.map((t, k) => ({ name, t, nb: values[k] })).filter((d) => finite(d.nb));
  const main = models.find((m) => m.main) ?? models[0];
  const all = models.flatMap((m) => m.netBenefit).concat(main?.upper ?? []).filter(finite);
  const top = Math.max(0.05, ...all);
  const bottom = -Math.max(0.05, top * 0.15);
  const clip = (v) => Math.min(top, Math.max(bottom, v));
  const band = main?.lower ? thresholds.map((t, k) => ({ t, lo: main.lower[k], hi: main.upper[k] })).filter((d) => finite(d.lo) && finite(d.hi)) : [];
  const marks = [
    Plot.ruleY([0], { stroke: '#17202c' }),
    band.length ? Plot.areaY(band, { x: 't', y1: (d) => clip(d.lo), y2: (d) => clip(d.hi), fill: '#1f4e79', fillOpacity: 0.15 }) : null,
    Plot.line(points('treat all', treatAll).map((d) => ({ ...d, nb: clip(d.nb) })).filter((d) => d.nb > bottom), { x: 't', y: 'nb', stroke: '#17202c', strokeDasharray: '6,3', strokeWidth: 1.5 }),
    ...models.map((m, i) => Plot.line(points(m.name, m.netBenefit).map((d) => ({ ...d, nb: clip(d.nb) })), {
      x: 't', y: 'nb', stroke: colors[i % colors.length], strokeWidth: m === main ? 2.5 : 1.3, strokeDasharray: m === main ? null : '3,2',
    })),
  ].filter(Boolean);
  const description = `${main ? `${main.name}: net benefit ${thresholds.filter((_, k) => k % 10 === 9).map((t) => `${Math.round(t * 100)}% ${fixed(main.netBenefit[thresholds.indexOf(t)], 3)}`).join(', ')}` : ''}; treat all at 10% ${fixed(treatAll[9], 3)}`;
  const svg = plotSvg({
    width,
    height: Math.round(Math.max(220, Math.min(320, width * 0.5))),
    marginLeft: 52,
    marginTop: 22,
    marginBottom: 40,
    x: { domain: [0, 1], label: 'Threshold probability →', tickFormat: (t) => `${Math.round(t * 100)}%`, grid: true },
    y: { domain: [bottom, top], label: '↑ Net benefit', grid: true },
    ariaLabel: title,
    ariaDescription: description,
    marks,
  });
  return { svg, description };
}
