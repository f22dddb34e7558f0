// The late-fusion results' decision curves (report.json "decision_curve", computed by the core) and
// the "Download report" button (the analysis report of web/lib/analysis_report.js, the same
// generator as `latefuse fuse --html-report`). This module only lays the numbers out.
import { h, dataTable, tableWrap } from './dom.js';
import { fixed } from './format.js';
import { decisionCurveChart } from './charts.js';
import { chartFigure } from './evaluation-view.js';
import { saveText, toCSV } from './download.js';
import { analysisReportHtml, fileFacts } from '../lib/analysis_report.js';

const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const pct = (t) => `${Math.round(t * 100)}%`;

/** The decision-curve panel, or null when the report has none. `draws` collects the redraw functions. */
export function decisionCurveBlock(report, { base, container, draws }) {
  const dc = report?.decision_curve;
  const test = (dc?.models ?? []).filter((m) => m.subset === 'test');
  const late = test.find((m) => m.kind === 'late');
  if (!late || !Array.isArray(dc.thresholds)) return null;
  const others = test.filter((m) => m !== late);
  const th = dc.thresholds;
  const at = finite(dc.horizon) ? ` of an event by t = ${dc.horizon}` : '';
  const title = `Decision curves: net benefit of treating the test patients by predicted risk${at}`;
  const figure = chartFigure({
    id: 'fusion-dca', title, basename: `${base}-decision-curves`, container,
    caption: h('span', {}, `Thick line: late fusion (shaded: its ${dc.bootstrap}-replicate bootstrap 95% band); thin dashed lines: ${others.map((m) => m.name).join(', ') || 'no other model'}; black dashed: treat every patient; horizontal line at 0: treat none. `,
      dc.summary ? h('strong', { id: 'fusion-dca-summary' }, dc.summary) : ''),
    build: (width) => decisionCurveChart({
      thresholds: th,
      treatAll: dc.treat_all,
      models: [{ name: 'late fusion', netBenefit: late.net_benefit, lower: late.lower, upper: late.upper, main: true },
        ...others.map((m) => ({ name: m.name, netBenefit: m.net_benefit }))],
    }, { width, title }),
  });
  draws.push(figure.draw);
  const every = th.map((_, k) => k).filter((k) => Math.round(th[k] * 100) % 5 === 0 || k === 0);
  const nb = (v, digits = 4) => (finite(v) ? h('span', { class: 'num', 'data-value': String(v) }, fixed(v, digits)) : '—');
  const table = dataTable({
    className: 'data',
    caption: 'Net benefit at every 5th threshold probability (test patients each model can score; the CSV has every threshold)',
    columns: ['Threshold', 'Late fusion', '95% band', 'Treat all', ...others.map((m) => m.name)],
    rows: every.map((k) => [pct(th[k]), nb(late.net_benefit[k]), finite(late.lower[k]) ? `${fixed(late.lower[k], 4)} to ${fixed(late.upper[k], 4)}` : '—',
      nb(dc.treat_all[k]), ...others.map((m) => nb(m.net_benefit[k]))]),
  });
  table.id = 'fusion-dca-table';
  const csv = () => toCSV(['threshold', 'subset', 'model', 'net_benefit', 'lower', 'upper', 'treat_all'],
    (dc.models ?? []).flatMap((m) => th.map((t, k) => [t, m.subset, m.name, m.net_benefit[k], m.lower?.[k], m.upper?.[k], m.treat_all?.[k]])));
  const csvButton = h('button', { type: 'button', class: 'small', id: 'fusion-dca-csv', onclick: () => saveText(`${base}-decision-curves.csv`, csv(), 'text/csv') }, 'Decision curves CSV');
  return h('div', { class: 'panel', id: 'fusion-dca-panel' }, h('h3', {}, 'Decision curves: would using the model do more good than harm?'), figure.figure,
    tableWrap(table, 'Decision curve table'), h('div', { class: 'downloads' }, csvButton));
}

/**
 * The analysis report of a run as HTML: the same generator and the same inputs as
 * `latefuse fuse --html-report` (report JSON, model file, the input files' bytes and roles, the
 * core's Kaplan–Meier curves of the test risk groups, the predictions CSV = `latefuse score`'s).
 * `run.source.inputs`: [{name, blob?, text?}] the files as loaded (the demo: its simulated CSV, named
 * as the page's download `${base}-cohort.csv`).
 */
export async function analysisReportOf(run, report, modelText, base) {
  // The demo's one file is its simulated CSV, under the name of the page's "Simulated data CSV" download.
  const inputs = run.source?.inputs ?? (run.csv ? [{ name: `${base}-cohort.csv`, text: run.csv }] : []);
  const files = [];
  for (const f of inputs) files.push(await fileFacts(f.name, f.blob ? new Uint8Array(await f.blob.arrayBuffer()) : f.text));
  const s = run.summary ?? {};
  const roles = run.summary
    ? { id: s.id || undefined, time: s.time, event: s.event, outcome: s.outcome, split: run.source?.roles?.split }
    : { id: 'id', time: 'time', event: 'event', outcome: report.settings?.outcome_type === 'binary' ? 'y' : undefined };
  // The demo's simulated CSV names each modality's columns <modality>_NN (the core's simulator).
  const header = run.csv ? run.csv.slice(0, run.csv.indexOf('\n')).split(',') : [];
  const modalities = run.modalities ?? Object.fromEntries((report.modalities ?? []).map((m) => [m, header.filter((c) => c.startsWith(`${m}_`))]));
  const study = { files, roles, modalities, patients: s.patients, droppedMissingOutcome: s.dropped };
  return analysisReportHtml({ report, model: modelText ? JSON.parse(modelText) : null, study, km: run.km ?? null, predictions: run.predictions ?? null,
    calibration: run.calibration && !run.calibration.binary ? run.calibration : null });
}

/** The "Download report" button. */
export function analysisReportButton(run, report, modelText, base) {
  const button = h('button', { type: 'button', class: 'small', id: 'fusion-html-report' }, 'Analysis report (HTML)');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      saveText(`${base}-analysis-report.html`, await analysisReportOf(run, report, modelText, base), 'text/html');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
