// The late-fusion results' decision curves (report.json "decision_curve", computed by the core) and
// the "Download report" button (the analysis report of web/lib/analysis_report.js, the same
// generator as `latefuse fuse --html-report`). This module only lays the numbers out.
import { h, dataTable, tableWrap, replace } from './dom.js';
import { finite, fixed } from './format.js';
import { decisionCurveChart } from './charts.js';
import { chartFigure } from './evaluation-view.js';
import { saveText, toCSV } from './download.js';
import { analysisReportHtml, fileFacts } from '../lib/analysis_report.js';

const pct = (t) => `${Math.round(t * 100)}%`;

/** The two views of the curves: report.json's `subset` values and how the page names them. */
const SUBSETS = [
  { subset: 'test', label: 'All test patients', who: 'the test patients each model can score' },
  { subset: 'common', label: 'Common test patients', who: 'the test patients with every modality (the same patients for every model)' },
];

/**
 * The decision-curve panel, or null when the report has none. A toggle switches the chart and the
 * table between the test patients each model can score and the common test patients (report.json
 * has both subsets; the bootstrap band is computed for late fusion on all its test patients only).
 * `draws` collects the redraw functions.
 */
export function decisionCurveBlock(report, { base, container, draws }) {
  const dc = report?.decision_curve;
  const th = dc?.thresholds;
  const views = SUBSETS.map((v) => {
    const models = (dc?.models ?? []).filter((m) => m.subset === v.subset);
    const late = models.find((m) => m.kind === 'late');
    return { ...v, late, others: models.filter((m) => m !== late), treatAll: late?.treat_all ?? (v.subset === 'test' ? dc?.treat_all : dc?.treat_all_common) };
  }).filter((v) => v.late);
  if (!views.length || views[0].subset !== 'test' || !Array.isArray(th)) return null;
  let view = views[0];
  const at = finite(dc.horizon) ? ` of an event by t = ${dc.horizon}` : '';
  const titleOf = (v) => `Decision curves: net benefit of treating ${v.subset === 'common' ? 'the common test patients' : 'the test patients'} by predicted risk${at}`;
  const band = (v) => (v.late.lower?.some(finite) ? `shaded: its ${dc.bootstrap}-replicate bootstrap 95% band` : 'no bootstrap band on this subset');
  const captionText = h('span', {});
  const setCaption = () => {
    captionText.textContent = `${view.label} (n = ${view.late.n}). Thick line: late fusion (${band(view)}); thin dashed lines: ${view.others.map((m) => m.name).join(', ') || 'no other model'}; ` +
      'black dashed: treat every patient; horizontal line at 0: treat none. ';
  };
  setCaption();
  const controls = views.length > 1 ? h('div', { class: 'chart-controls', role: 'radiogroup', 'aria-label': 'Patients of the decision curves', id: 'fusion-dca-subset' },
    ...views.map((v) => h('label', {}, h('input', {
      type: 'radio', name: 'fusion-dca-subset', value: v.subset, checked: v === view,
      onchange: (e) => { if (e.target.checked) show(v); },
    }), ` ${v.label}`))) : null;
  const figure = chartFigure({
    id: 'fusion-dca', title: titleOf(view), basename: `${base}-decision-curves`, container, controls,
    caption: h('span', {}, captionText, dc.summary ? h('strong', { id: 'fusion-dca-summary' }, dc.summary) : ''),
    build: (width) => decisionCurveChart({
      thresholds: th,
      treatAll: view.treatAll,
      models: [{ name: 'late fusion', netBenefit: view.late.net_benefit, lower: view.late.lower, upper: view.late.upper, main: true },
        ...view.others.map((m) => ({ name: m.name, netBenefit: m.net_benefit }))],
    }, { width, title: titleOf(view) }),
  });
  draws.push(figure.draw);
  const every = th.map((_, k) => k).filter((k) => Math.round(th[k] * 100) % 5 === 0 || k === 0);
  const nb = (v, digits = 4) => (finite(v) ? h('span', { class: 'num', 'data-value': String(v) }, fixed(v, digits)) : '—');
  const tableOf = (v) => {
    const table = dataTable({
      className: 'data',
      caption: `Net benefit at every 5th threshold probability (${v.who}; the CSV has every threshold and both sets of patients)`,
      columns: ['Threshold', 'Late fusion', '95% band', 'Treat all', ...v.others.map((m) => m.name)],
      rows: every.map((k) => [pct(th[k]), nb(v.late.net_benefit[k]), finite(v.late.lower?.[k]) ? `${fixed(v.late.lower[k], 4)} to ${fixed(v.late.upper[k], 4)}` : '—',
        nb(v.treatAll?.[k]), ...v.others.map((m) => nb(m.net_benefit[k]))]),
    });
    table.id = 'fusion-dca-table';
    table.dataset.subset = v.subset;
    return table;
  };
  const tableHolder = h('div', {}, tableWrap(tableOf(view), 'Decision curve table'));
  function show(v) {
    view = v;
    setCaption();
    replace(tableHolder, tableWrap(tableOf(v), 'Decision curve table'));
    figure.draw();
  }
  const csv = () => toCSV(['threshold', 'subset', 'model', 'net_benefit', 'lower', 'upper', 'treat_all'],
    (dc.models ?? []).flatMap((m) => th.map((t, k) => [t, m.subset, m.name, m.net_benefit[k], m.lower?.[k], m.upper?.[k], m.treat_all?.[k]])));
  const csvButton = h('button', { type: 'button', class: 'small', id: 'fusion-dca-csv', onclick: () => saveText(`${base}-decision-curves.csv`, csv(), 'text/csv') }, 'Decision curves CSV');
  return h('div', { class: 'panel', id: 'fusion-dca-panel' }, h('h3', {}, 'Decision curves: would using the model do more good than harm?'), figure.figure,
    tableHolder, h('div', { class: 'downloads' }, csvButton));
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
