// Charts of the Score tab (Observable Plot, like charts.js): one patient's predicted survival S(t)
// as a step curve with its 95% confidence band, and the model's horizons marked. Pure function:
// numbers computed by the core -> an SVG with role="img", an aria-label and an aria-description
// that states the values at the horizons; the page shows the same numbers in a table beside it.
import * as Plot from '@observablehq/plot';
import { plotSvg, timeText } from './charts.js';
import { finite, fixed } from './format.js';


/**
 * @param {{time: number[], surv: number[], lower: number[], upper: number[]}} curve  S(t) at each time (t = 0 first)
 * @param {{horizons?: Array<{time: number, surv: number, lower: number, upper: number}>, width?: number, title?: string, timeLabel?: string}} options
 * @returns {{svg: SVGSVGElement, description: string}}
 */
export function survivalCurveChart(curve, { horizons = [], width = 640, title = 'Predicted survival', timeLabel = 'Time' } = {}) {
  const rows = curve.time.map((t, k) => ({ time: t, surv: curve.surv[k], lower: finite(curve.lower[k]) ? curve.lower[k] : NaN, upper: finite(curve.upper[k]) ? curve.upper[k] : NaN }));
  const tmax = Math.max(1e-9, ...curve.time, ...horizons.map((h) => h.time));
  const shown = horizons.filter((h) => finite(h.surv) && h.time <= tmax);
  const hasCi = rows.some((r) => finite(r.lower) && finite(r.upper));
  const description = shown.map((h) => `S(${timeText(h.time)}) = ${fixed(h.surv, 3)}` +
    (finite(h.lower) && finite(h.upper) ? ` (95% CI ${fixed(h.lower, 3)} to ${fixed(h.upper, 3)})` : ' (no confidence interval)')).join('; ');
  const marks = [];
  if (hasCi) marks.push(Plot.areaY(rows, { x: 'time', y1: 'lower', y2: 'upper', curve: 'step-after', fill: '#1f4e79', fillOpacity: 0.16 }));
  marks.push(
    Plot.ruleX(shown, { x: 'time', stroke: '#9aa4b2', strokeDasharray: '3,3' }),
    Plot.line(rows, { x: 'time', y: 'surv', curve: 'step-after', stroke: '#1f4e79', strokeWidth: 2.2 }),
    Plot.dot(shown, { x: 'time', y: 'surv', r: 4.5, fill: '#b4461e', stroke: 'white', strokeWidth: 1.2 }),
    Plot.text(shown, { x: 'time', y: 'surv', text: (h) => fixed(h.surv, 2), dy: -12, fill: '#17202c', fontSize: 11, fontWeight: 600, stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }),
  );
  const ticks = Math.max(3, Math.floor(width / 90));
  const svg = plotSvg({
    width,
    height: Math.round(Math.max(220, Math.min(320, width * 0.55))),
    marginLeft: 46,
    marginRight: 20,
    marginTop: 20,
    marginBottom: 40,
    x: { domain: [0, tmax], label: `${timeLabel} →`, grid: true, ticks, tickFormat: (d) => timeText(d) },
    y: { domain: [0, 1], label: '↑ Survival probability', grid: true, ticks: 5 },
    ariaLabel: title,
    ariaDescription: description || 'no survival values to show',
    marks,
  });
  return { svg, description };
}

/**
 * Each modality's contribution to one patient's fused risk score (the core's `contributions`: they
 * add up to the fused linear predictor): a bar from 0 per modality — right (orange) pushes the risk
 * up, left (blue) pushes it down; an absent modality has no bar. The direction in words is decided
 * on the unrounded value.
 * @param {Array<{modality: string, contribution: number|null}>} rows
 * @param {{fused: number, width?: number, title?: string}} options
 * @returns {{svg: SVGSVGElement, description: string}}
 */
export function contributionChart(rows, { fused, width = 640, title = 'What pushed this patient’s risk up or down' }) {
  const shown = rows.filter((r) => finite(r.contribution));
  const words = (c) => (c > 0 ? 'up' : c < 0 ? 'down' : 'neither up nor down');
  const description = rows.map((r) => (finite(r.contribution)
    ? `${r.modality} ${fixed(r.contribution, 3)} (${words(r.contribution)})`
    : `${r.modality} absent`)).join('; ') + `; total = the fused risk score ${fixed(fused, 3)}`;
  const extent = Math.max(0.1, ...shown.map((r) => Math.abs(r.contribution))) * 1.25;
  const svg = plotSvg({
    width,
    height: 40 + 34 * rows.length,
    marginLeft: Math.min(160, 14 + 7.5 * Math.max(...rows.map((r) => r.modality.length))),
    marginRight: 56,
    marginTop: 10,
    marginBottom: 36,
    x: { domain: [-extent, extent], label: '← lowers risk · raises risk →', grid: true, ticks: Math.max(3, Math.floor(width / 110)) },
    y: { domain: rows.map((r) => r.modality), label: null },
    ariaLabel: title,
    ariaDescription: description,
    marks: [
      Plot.barX(shown, { y: 'modality', x1: 0, x2: 'contribution', fill: (r) => (r.contribution > 0 ? '#b4461e' : '#1f4e79') }),
      Plot.ruleX([0], { stroke: '#17202c' }),
      // Plot's textAnchor and dx are constants per mark (a function gives translate(NaN, ...)): one
      // mark for the labels right of 0 and one for those left of it.
      Plot.text(shown.filter((r) => r.contribution >= 0), { y: 'modality', x: 'contribution', text: (r) => fixed(r.contribution, 3), textAnchor: 'start', dx: 5, fill: '#17202c', fontSize: 11 }),
      Plot.text(shown.filter((r) => r.contribution < 0), { y: 'modality', x: 'contribution', text: (r) => fixed(r.contribution, 3), textAnchor: 'end', dx: -5, fill: '#17202c', fontSize: 11 }),
      Plot.text(rows.filter((r) => !finite(r.contribution)), { y: 'modality', x: () => 0, text: () => 'absent', textAnchor: 'start', dx: 5, fill: '#556170', fontSize: 11 }),
    ],
  });
  return { svg, description };
}
