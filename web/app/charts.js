// Charts with Observable Plot (SVG). Each chart gets an aria-label and an aria-description that
// state its values in words; the page shows the same numbers in a table beside it.
// Plot adds a <style> element to each SVG; the page's CSP forbids inline styles, so it is removed
// before the SVG enters the document and styles.css carries the same rules (.lf-plot).
import * as Plot from '@observablehq/plot';
import { sig } from './format.js';

export const PLOT_CLASS = 'lf-plot';

function finishSvg(svg) {
  for (const style of svg.querySelectorAll('style')) style.remove();
  svg.setAttribute('role', 'img');
  svg.setAttribute('focusable', 'false');
  return svg;
}

/** Rough text width in px at Plot's 10-11 px system font (for margins only). */
const textWidth = (s) => Math.ceil(String(s).length * 6.2);

/**
 * Forest plot: one row per covariate, hazard ratio (dot) with 95% CI (line), log x axis, a dashed
 * line at HR = 1.
 * @param {Array<{name: string, hr: number, lower: number, upper: number, p: number}>} rows
 * @param {{width?: number, title?: string}} options
 */
export function forestPlot(rows, { width = 640, title = 'Hazard ratios with 95% confidence intervals' } = {}) {
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
  const description = shown.map((r) => `${r.name}: HR ${sig(r.hr)} (95% CI ${sig(r.lower)} to ${sig(r.upper)})`).join('; ');
  const svg = Plot.plot({
    className: PLOT_CLASS,
    width,
    height: 56 + 30 * Math.max(1, shown.length),
    marginLeft,
    marginRight: 24,
    marginTop: 16,
    marginBottom: 40,
    style: null,
    x: { type: 'log', domain: [lo, hi], label: 'Hazard ratio (log scale) →', grid: true, ticks, tickFormat: (d) => String(Number(d.toPrecision(4))) },
    y: { domain: names, label: null, tickSize: 0, tickFormat: (name) => (name.length > 32 ? `${name.slice(0, 31)}…` : name) },
    ariaLabel: title,
    ariaDescription: description || 'no finite hazard ratios to show',
    marks: [
      Plot.ruleX([1], { stroke: '#6b7280', strokeDasharray: '4,3' }),
      Plot.ruleY(shown, { y: 'name', x1: 'lower', x2: 'upper', stroke: '#1f4e79', strokeWidth: 2 }),
      Plot.tickX(shown, { y: 'name', x: 'lower', stroke: '#1f4e79', strokeWidth: 2, inset: 6 }),
      Plot.tickX(shown, { y: 'name', x: 'upper', stroke: '#1f4e79', strokeWidth: 2, inset: 6 }),
      Plot.dot(shown, { y: 'name', x: 'hr', r: 5, fill: (d) => (d.p < 0.05 ? '#b4461e' : '#1f4e79'), stroke: 'white', strokeWidth: 1 }),
    ],
  });
  return { svg: finishSvg(svg), omitted: rows.filter((r) => !shown.includes(r)).map((r) => r.name), description };
}
