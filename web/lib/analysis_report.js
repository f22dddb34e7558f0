// The analysis report: one self-contained HTML document (inline CSS, inline SVG, no script, nothing
// loaded from anywhere, a print stylesheet) describing a late-fusion run for a paper or a tumour
// board. ONE generator, `analysisReportHtml`, used by `latefuse fuse --html-report` and the page's
// "Download report" button: a pure function of the report JSON, the model JSON, the input files'
// facts (`study`: files with their SHA-256, roles, modalities), so the same inputs give the same
// bytes in Node and in the browser; the reproducing command is built from the same facts.
//
// Every number is a field of report.json (or of the model file, or of the core's Kaplan–Meier curves
// of the test risk groups, risk_group_curves.js); this module only words, rounds and draws them, and
// loads no WebAssembly (the page runs it on the main thread). Each
// sentence is decided on the unrounded numbers (a "higher" C is a larger double; an interval
// "excludes 0" when both limits have the same strict sign) and only then rounded for display.
// The charts are drawn here as SVG (not Observable Plot) so that Node and the browser write
// identical bytes; each has a <title>, a <desc> and a table beside it, and uses line dashes and
// grey levels that survive printing in grey.

export const REPORT_SECTIONS = ['summary', 'data', 'methods', 'results', 'limitations', 'tripod', 'reproduce'];

// ---- small helpers -------------------------------------------------------------------------

const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const esc = (s) => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Fixed decimals; an em dash for a missing number. (Number.prototype.toFixed is the same in V8 everywhere.) */
const fx = (x, d = 3) => (finite(x) ? (Object.is(Number(x.toFixed(d)), -0) ? (0).toFixed(d) : x.toFixed(d)) : '—');
const pv = (p) => (!finite(p) ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));
/** "p < 0.001" or "p = 0.012" for a sentence. */
const pPhrase = (p) => (p < 0.001 ? 'p < 0.001' : `p = ${pv(p)}`);
const pct = (x) => (finite(x) ? `${Math.round(x * 100)}%` : '—');
const words = (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
const ci = (lo, hi, d = 3) => (finite(lo) && finite(hi) ? `${fx(lo, d)} to ${fx(hi, d)}` : 'no interval');
/** Coordinates in SVG: at most 2 decimals, so the bytes do not depend on float noise. */
const c = (x) => (Math.round(x * 100) / 100).toString();

const KIND_ORDER = { unimodal: 0, integrator: 1, early: 2, late: 3 };
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'];
const GREYS = ['#000000', '#444444', '#666666', '#222222', '#555555', '#333333'];

function modelName(m) {
  if (m.kind === 'late') return 'late fusion';
  if (m.kind === 'integrator') return `integrator ${m.modalities.join(' + ')}`;
  return m.name;
}

/** SHA-256 of bytes as lower-case hex, by WebCrypto (the same function in Node 20 and browsers). */
export async function sha256Hex(bytes) {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The facts of one input file the report states: name (no directory), size in bytes, SHA-256. */
export async function fileFacts(name, bytes) {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { name: String(name).split(/[\\/]/).pop(), bytes: data.length, sha256: await sha256Hex(data) };
}

/** A command-line word, quoted for a POSIX shell only when it needs it. */
function shellWord(w) {
  const s = String(w);
  return /^[A-Za-z0-9_./:=,+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * The `latefuse fuse` command that reproduces a run, built from report.json's settings and the
 * study's files, roles and modalities (the same function for the CLI and the page, so both reports
 * state the same command). Every setting is written out, defaults included.
 * @param {object} report report.json
 * @param {{files: Array<{name}>, roles: {id?, time?, event?, outcome?, split?}, modalities: Record<string, string[]>}} study
 */
export function equivalentCommand(report, study) {
  const st = report.settings ?? {};
  const binary = st.outcome_type === 'binary';
  const roles = study.roles ?? {};
  const words = ['latefuse', 'fuse'];
  const add = (flag, value) => { words.push(`--${flag}`); if (value !== undefined) words.push(shellWord(value)); };
  for (const f of study.files ?? []) add('data', f.name);
  if (roles.id) add('id', roles.id);
  if (binary) add('outcome', roles.outcome);
  else { add('time', roles.time); add('event', roles.event); }
  for (const [name, cols] of Object.entries(study.modalities ?? {})) add('modality', `${name}=${cols.join(',')}`);
  if (st.split === 'column') add('split', roles.split);
  else add('test-fraction', st.test_fraction);
  add('seed', st.seed);
  add('bootstrap', st.bootstrap);
  add('permutations', st.permutations);
  if (st.cv_folds >= 2) { add('folds', st.cv_folds); add('repeats', st.cv_repeats); }
  if (st.reference_compatible) add('reference-compatible');
  add('selection', st.selection);
  if (st.elastic_net) { add('alpha', st.elastic_net.alpha); add('lambda-rule', st.elastic_net.lambda_rule); add('selection-folds', st.elastic_net.folds); }
  add('presence', st.presence);
  add('scaling', st.scaling);
  add('outlier-z', st.outlier_z);
  add('penalizer', st.submodel?.penalizer);
  add('integrator-penalizer', st.integrator?.penalizer);
  add('integrator-inputs', st.integrator_inputs === 'in_sample' ? 'in-sample' : 'cross-fitted');
  if (st.cross_fit_folds) add('cross-fit-folds', st.cross_fit_folds);
  add('min-pattern-size', st.min_pattern_size);
  add('early-fusion', st.early_fusion === 'off' ? 'none' : st.early_fusion === 'imputed' ? 'imputed' : 'complete-case');
  if (!binary) {
    add('ties', st.ties);
    const horizons = (report.horizons ?? []).filter(finite);
    if (horizons.length) add('horizons', horizons.join(','));
    if (finite(report.tau) && report.tau !== Math.max(...horizons)) add('tau', report.tau);
    const dc = report.decision_curve;
    if (dc && finite(dc.horizon) && dc.horizon !== horizons[Math.floor((horizons.length - 1) / 2)]) add('dca-horizon', dc.horizon);
  }
  add('risk-groups', st.risk_groups);
  add('model-out', 'model.json');
  add('report-out', 'report.json');
  add('html-report', 'report.html');
  return words.join(' ');
}

// ---- SVG charts ------------------------------------------------------------------------------

let figureCount = 0;

/** A figure: the SVG with its title and description, a caption, and the table of its numbers. */
function figure(id, title, desc, body, width, height, table) {
  figureCount += 1;
  return `<figure id="${id}"><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${body}</svg>` +
    `<figcaption>Figure ${figureCount}. ${esc(title)}. ${esc(desc)}</figcaption>${table}</figure>\n`;
}

function tableHtml(caption, head, rows, cls = '') {
  return `<table${cls ? ` class="${cls}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((x, i) => (i === 0 ? `<th scope="row">${esc(x)}</th>` : `<td>${esc(x)}</td>`)).join('')}</tr>`).join('')}</tbody></table>\n`;
}

/** Linear scale [d0, d1] -> [r0, r1]. */
const scale = (d0, d1, r0, r1) => (v) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);

function niceTicks(lo, hi, count = 5) {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * The x and y axes with their ticks and labels.
 * @param {{x: (v: number) => number, y: (v: number) => number, xTicks: number[], yTicks: number[], left: number, right: number,
 *          top: number, bottom: number, xLabel: string, yLabel: string, xFormat?: (t: number) => string, yFormat?: (t: number) => string}} a
 */
function axes({ x, y, xTicks, yTicks, left, right, top, bottom, xLabel, yLabel, xFormat = (t) => String(t), yFormat = (t) => String(t) }) {
  let s = `<g class="axis" font-size="11" fill="#000">`;
  s += `<line x1="${c(left)}" y1="${c(bottom)}" x2="${c(right)}" y2="${c(bottom)}" stroke="#000"/>`;
  s += `<line x1="${c(left)}" y1="${c(top)}" x2="${c(left)}" y2="${c(bottom)}" stroke="#000"/>`;
  for (const t of xTicks) s += `<line x1="${c(x(t))}" y1="${c(bottom)}" x2="${c(x(t))}" y2="${c(bottom + 4)}" stroke="#000"/><text x="${c(x(t))}" y="${c(bottom + 16)}" text-anchor="middle">${esc(xFormat(t))}</text>`;
  for (const t of yTicks) s += `<line x1="${c(left - 4)}" y1="${c(y(t))}" x2="${c(left)}" y2="${c(y(t))}" stroke="#000"/><text x="${c(left - 6)}" y="${c(y(t) + 4)}" text-anchor="end">${esc(yFormat(t))}</text>`;
  s += `<text x="${c((left + right) / 2)}" y="${c(bottom + 32)}" text-anchor="middle">${esc(xLabel)}</text>`;
  s += `<text transform="translate(${c(left - 40)},${c((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`;
  return `${s}</g>`;
}

function legend(items, x0, y0) {
  return `<g font-size="11">${items.map((it, i) => `<line x1="${c(x0)}" y1="${c(y0 + i * 15)}" x2="${c(x0 + 24)}" y2="${c(y0 + i * 15)}" stroke="${it.color}" stroke-width="${it.width ?? 2}"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>` +
    `<text x="${c(x0 + 30)}" y="${c(y0 + i * 15 + 4)}">${esc(it.label)}</text>`).join('')}</g>`;
}

/** C-index of every model: test patients (filled circle) and common test patients (open square), 95% CIs. */
function cIndexFigure(models, metric) {
  const rows = models;
  const W = 640;
  const rowH = 22;
  const top = 16;
  const left = 210;
  const right = W - 20;
  const bottom = top + rows.length * rowH + 6;
  const H = bottom + 44;
  const x = scale(0.3, 1, left, right);
  let body = `<line x1="${c(x(0.5))}" y1="${c(top)}" x2="${c(x(0.5))}" y2="${c(bottom)}" stroke="#888" stroke-dasharray="3 3"/>`;
  rows.forEach((m, i) => {
    const yc = top + i * rowH + rowH / 2;
    body += `<text x="${c(left - 8)}" y="${c(yc + 4)}" font-size="11" text-anchor="end">${esc(modelName(m))}</text>`;
    const draw = (s, dy, filled) => {
      if (!s || !finite(s.c)) return;
      const clip = (v) => Math.min(1, Math.max(0.3, v));
      if (finite(s.c_lower) && finite(s.c_upper)) body += `<line x1="${c(x(clip(s.c_lower)))}" y1="${c(yc + dy)}" x2="${c(x(clip(s.c_upper)))}" y2="${c(yc + dy)}" stroke="#000"/>`;
      body += filled ? `<circle cx="${c(x(clip(s.c)))}" cy="${c(yc + dy)}" r="4" fill="#000"/>` : `<rect x="${c(x(clip(s.c)) - 4)}" y="${c(yc + dy - 4)}" width="8" height="8" fill="#fff" stroke="#000"/>`;
    };
    draw(m.test, -4, true);
    draw(m.common, 4, false);
  });
  body += axes({ x, y: (v) => v, xTicks: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], yTicks: [], left, right, top, bottom, xLabel: `${metric} (points: filled = all test patients, open = common test patients; lines: 95% CI)`, yLabel: '', xFormat: (t) => t.toFixed(1) });
  const table = tableHtml(`${metric} of every model with its bootstrap CI and permutation p`,
    ['model', 'kind', 'test n', 'test events', `test ${metric}`, '95% CI', 'permutation p', 'common n', `common ${metric}`, '95% CI', 'permutation p'],
    rows.map((m) => [modelName(m), m.kind, m.test?.n ?? '—', m.test?.events ?? '—', fx(m.test?.c), ci(m.test?.c_lower, m.test?.c_upper), pv(m.test?.permutation_p),
      m.common?.n ?? '—', fx(m.common?.c), ci(m.common?.c_lower, m.common?.c_upper), pv(m.common?.permutation_p)]));
  const late = rows.find((m) => m.kind === 'late');
  const desc = late && finite(late.test?.c) ? `Late fusion's ${metric} on all test patients is ${fx(late.test.c)}; the dashed line marks 0.5 (chance).` : 'The dashed line marks 0.5 (chance).';
  return figure('fig-c-index', `${metric} of every model on the test patients`, desc, body, W, H, table);
}

/** Kendall's tau-b between the unimodal scores (test patients): a grey-level heatmap with the values written in. */
function kendallFigure(kendall) {
  const mods = kendall.modalities;
  const k = mods.length;
  const cell = 64;
  const left = 120;
  const top = 16;
  const W = left + k * cell + 20;
  const H = top + k * cell + 80;
  let body = '';
  for (let i = 0; i < k; i++) {
    body += `<text x="${c(left - 6)}" y="${c(top + i * cell + cell / 2 + 4)}" font-size="11" text-anchor="end">${esc(mods[i])}</text>`;
    body += `<text transform="translate(${c(left + i * cell + cell / 2)},${c(top + k * cell + 8)}) rotate(35)" font-size="11">${esc(mods[i])}</text>`;
    for (let j = 0; j < k; j++) {
      const t = kendall.tau?.[i]?.[j];
      const level = finite(t) ? Math.round(255 - Math.min(1, Math.abs(t)) * 200) : 255;
      const fill = `rgb(${level},${level},${level})`;
      body += `<rect x="${c(left + j * cell)}" y="${c(top + i * cell)}" width="${cell}" height="${cell}" fill="${fill}" stroke="#000" stroke-width="0.5"/>`;
      body += `<text x="${c(left + j * cell + cell / 2)}" y="${c(top + i * cell + cell / 2 + 4)}" font-size="12" text-anchor="middle" fill="${level < 140 ? '#fff' : '#000'}">${finite(t) ? fx(t, 2) : '—'}</text>`;
    }
  }
  const table = tableHtml("Kendall's tau-b between the unimodal scores of the test patients (pairwise complete; p in brackets)", ['', ...mods],
    mods.map((a, i) => [a, ...mods.map((b, j) => (i === j ? '1' : `${fx(kendall.tau?.[i]?.[j], 3)} (p ${pv(kendall.p?.[i]?.[j])}, n ${kendall.n?.[i]?.[j] ?? '—'})`))]));
  return figure('fig-kendall', "Kendall's tau-b between the unimodal risk scores", 'Darker cells are stronger rank correlations (absolute value); the value is written in each cell.', body, W, H, table);
}

/** Kaplan–Meier curves of the test risk groups with the number at risk. */
function kmFigure(km, timeUnit) {
  const W = 640;
  const left = 60;
  const right = W - 130;
  const top = 16;
  const bottom = 240;
  const H = 290;
  const tmax = Math.max(km.at_times[km.at_times.length - 1] ?? 0, ...km.groups.map((g) => g.curve.time[g.curve.time.length - 1] ?? 0));
  const x = scale(0, tmax, left, right);
  const y = scale(0, 1, bottom, top);
  let body = '';
  km.groups.forEach((g, i) => {
    let d = `M${c(x(0))},${c(y(1))}`;
    let s = 1;
    for (let k = 0; k < g.curve.time.length; k++) {
      d += ` H${c(x(g.curve.time[k]))}`;
      if (g.curve.surv[k] !== s) { s = g.curve.surv[k]; d += ` V${c(y(s))}`; }
    }
    body += `<path d="${d}" fill="none" stroke="${GREYS[i % GREYS.length]}" stroke-width="2"${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/>`;
  });
  body += axes({ x, y, xTicks: km.at_times, yTicks: [0, 0.25, 0.5, 0.75, 1], left, right, top, bottom, xLabel: `time${timeUnit ? ` (${timeUnit})` : ''}`, yLabel: 'survival probability', xFormat: (t) => String(t), yFormat: (t) => t.toFixed(2) });
  body += legend(km.groups.map((g, i) => ({ label: `${g.label} risk (n ${g.n})`, color: GREYS[i % GREYS.length], dash: DASHES[i % DASHES.length] })), right + 12, top + 10);
  const table = tableHtml('Number at risk', ['group', ...km.at_times.map(String)], km.groups.map((g) => [g.label, ...g.at_risk.map((v) => String(Math.round(v)))]), 'at-risk');
  const desc = `Kaplan–Meier survival of the ${km.groups.length} late-fusion risk groups of the test patients (cut-points from the training patients); log-rank ${finite(km.logrank?.p) ? pPhrase(km.logrank.p) : 'p not available'}.`;
  return figure('fig-km', 'Kaplan–Meier curves of the late-fusion risk groups (test patients)', desc, body, W, H, table);
}

/** AUC(t) of every non-integrator model at the horizons. */
function aucFigure(models, horizons, timeUnit) {
  const shown = models.filter((m) => m.kind !== 'integrator' && (m.test?.auc ?? []).some((a) => finite(a.auc)));
  if (!shown.length || !horizons.length) return '';
  const W = 640;
  const left = 60;
  const right = W - 170;
  const top = 16;
  const bottom = 220;
  const H = 270;
  const lo = Math.min(...horizons);
  const hi = Math.max(...horizons);
  const x = scale(lo === hi ? lo - 1 : lo, lo === hi ? hi + 1 : hi, left + 10, right - 10);
  const y = scale(0.3, 1, bottom, top);
  let body = '';
  shown.forEach((m, i) => {
    const pts = (m.test.auc ?? []).filter((a) => finite(a.auc)).map((a) => `${c(x(a.time))},${c(y(Math.max(0.3, a.auc)))}`);
    body += `<polyline points="${pts.join(' ')}" fill="none" stroke="${GREYS[i % GREYS.length]}" stroke-width="${m.kind === 'late' ? 2.5 : 1.5}"${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/>`;
    for (const p of pts) { const [px, py] = p.split(','); body += `<circle cx="${px}" cy="${py}" r="2.5" fill="${GREYS[i % GREYS.length]}"/>`; }
  });
  body += axes({ x, y, xTicks: horizons, yTicks: [0.3, 0.5, 0.7, 0.9, 1], left, right, top, bottom, xLabel: `horizon${timeUnit ? ` (${timeUnit})` : ''}`, yLabel: 'AUC(t)', xFormat: (t) => String(t), yFormat: (t) => t.toFixed(1) });
  body += legend(shown.map((m, i) => ({ label: modelName(m), color: GREYS[i % GREYS.length], dash: DASHES[i % DASHES.length], width: m.kind === 'late' ? 2.5 : 1.5 })), right + 12, top + 10);
  const table = tableHtml('Cumulative/dynamic AUC(t) on the test patients each model can score', ['model', ...horizons.map((t) => `t = ${t}`)],
    shown.map((m) => [modelName(m), ...horizons.map((t) => fx((m.test.auc ?? []).find((a) => a.time === t)?.auc))]));
  return figure('fig-auc', 'Time-dependent AUC of each model', 'Cumulative/dynamic AUC at each horizon (values below 0.3 are drawn at 0.3; see the table).', body, W, H, table);
}

/** Decision curves: late fusion with its bootstrap band, early fusion, each modality, treat all, treat none. */
function decisionFigure(dc) {
  const th = dc.thresholds;
  const test = dc.models.filter((m) => m.subset === 'test');
  const late = test.find((m) => m.kind === 'late');
  if (!late) return '';
  const W = 640;
  const left = 60;
  const right = W - 170;
  const top = 16;
  const bottom = 240;
  const H = 290;
  const values = [...test.flatMap((m) => m.net_benefit), ...(late.upper ?? [])].filter(finite);
  const ymax = Math.max(0.05, ...values, ...(dc.treat_all ?? []).filter(finite).slice(0, 1));
  const ymin = -Math.max(0.05, ymax * 0.15);
  const x = scale(0, 1, left, right);
  const y = scale(ymin, ymax, bottom, top);
  const yc = (v) => y(Math.min(ymax, Math.max(ymin, v)));
  // A curve below the plotted range is a gap (not a line along the bottom edge).
  const path = (arr) => {
    let d = '';
    let open = false;
    arr.forEach((v, k) => {
      if (!finite(v) || v < ymin) { open = false; return; }
      d += `${open ? ' L' : ' M'}${c(x(th[k]))},${c(yc(v))}`;
      open = true;
    });
    return d.trim();
  };
  let body = `<clipPath id="dca-clip"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath><g clip-path="url(#dca-clip)">`;
  if (late.lower && late.lower.some(finite)) {
    const idx = th.map((_, k) => k).filter((k) => finite(late.lower[k]) && finite(late.upper[k]));
    const up = idx.map((k) => `${c(x(th[k]))},${c(yc(late.upper[k]))}`);
    const dn = idx.slice().reverse().map((k) => `${c(x(th[k]))},${c(yc(late.lower[k]))}`);
    if (idx.length > 1) body += `<polygon points="${[...up, ...dn].join(' ')}" fill="#d9d9d9" stroke="none"/>`;
  }
  body += `<line x1="${c(left)}" y1="${c(y(0))}" x2="${c(right)}" y2="${c(y(0))}" stroke="#000" stroke-width="1"/>`;
  body += `<path d="${path(dc.treat_all ?? [])}" fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="6 3"/>`;
  const others = test.filter((m) => m.kind !== 'late');
  others.forEach((m, i) => { body += `<path d="${path(m.net_benefit)}" fill="none" stroke="${GREYS[(i + 1) % GREYS.length]}" stroke-width="1" stroke-dasharray="${DASHES[(i + 2) % DASHES.length] || '1 2'}"/>`; });
  body += `<path d="${path(late.net_benefit)}" fill="none" stroke="#000" stroke-width="2.5"/></g>`;
  body += axes({ x, y, xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1], yTicks: niceTicks(ymin, ymax, 5), left, right, top, bottom, xLabel: 'threshold probability', yLabel: 'net benefit', xFormat: (t) => `${Math.round(t * 100)}%`, yFormat: (t) => t.toFixed(2) });
  body += legend([
    { label: 'late fusion', color: '#000', width: 2.5 },
    { label: 'late fusion 95% band', color: '#d9d9d9', width: 8 },
    { label: 'treat all', color: '#000', dash: '6 3', width: 1.5 },
    { label: 'treat none', color: '#000', width: 1 },
    ...others.map((m, i) => ({ label: m.name, color: GREYS[(i + 1) % GREYS.length], dash: DASHES[(i + 2) % DASHES.length] || '1 2', width: 1 })),
  ], right + 12, top + 10);
  const every = th.map((t, k) => k).filter((k) => Math.round(th[k] * 100) % 5 === 0 || k === 0);
  const table = tableHtml('Net benefit at every 5th threshold (all test patients each model can score); the full curves are in report.json',
    ['threshold', 'late fusion', '95% band', 'treat all', ...others.map((m) => m.name)],
    every.map((k) => [pct(th[k]), fx(late.net_benefit[k], 4), ci(late.lower?.[k], late.upper?.[k], 4), fx(dc.treat_all?.[k], 4), ...others.map((m) => fx(m.net_benefit[k], 4))]));
  const horizon = finite(dc.horizon) ? ` at t = ${dc.horizon}` : '';
  return figure('fig-dca', `Decision curves${horizon}`, dc.summary ?? 'Net benefit of treating the patients at or above each threshold probability.', body, W, H, table) +
    commonDecisionTable(dc, every);
}

/** The decision curves on the common test patients (every modality: the same patients for every model), as a table. */
function commonDecisionTable(dc, every) {
  const common = dc.models.filter((m) => m.subset === 'common');
  const late = common.find((m) => m.kind === 'late');
  if (!late) return '';
  const others = common.filter((m) => m !== late);
  const treatAll = late.treat_all ?? dc.treat_all_common ?? [];
  return tableHtml(`Net benefit at every 5th threshold on the ${late.n} common test patients (every modality; the same patients for every model)`,
    ['threshold', 'late fusion', 'treat all', ...others.map((m) => m.name)],
    every.map((k) => [pct(dc.thresholds[k]), fx(late.net_benefit[k], 4), fx(treatAll[k], 4), ...others.map((m) => fx(m.net_benefit[k], 4))]), 'dca-common');
}

/** Calibration: mean predicted vs Kaplan–Meier observed S(t) by group of predicted risk, with the diagonal. */
function calibrationFigure(cal) {
  const W = 420;
  const left = 60;
  const right = W - 20;
  const top = 16;
  const bottom = 300;
  const H = 350;
  const vals = cal.groups.flatMap((g) => [g.predicted, g.observed, g.lower, g.upper]).filter(finite);
  const lo = Math.max(0, Math.floor(Math.min(...vals) * 10) / 10);
  const x = scale(lo, 1, left, right);
  const y = scale(lo, 1, bottom, top);
  let body = `<line x1="${c(x(lo))}" y1="${c(y(lo))}" x2="${c(x(1))}" y2="${c(y(1))}" stroke="#888" stroke-dasharray="4 3"/>`;
  for (const g of cal.groups) {
    if (finite(g.lower) && finite(g.upper)) body += `<line x1="${c(x(g.predicted))}" y1="${c(y(Math.max(lo, g.lower)))}" x2="${c(x(g.predicted))}" y2="${c(y(g.upper))}" stroke="#000"/>`;
    if (finite(g.observed)) body += `<circle cx="${c(x(g.predicted))}" cy="${c(y(g.observed))}" r="4" fill="#000"/>`;
  }
  const ticks = niceTicks(lo, 1, 5);
  body += axes({ x, y, xTicks: ticks, yTicks: ticks, left, right, top, bottom, xLabel: `predicted S(${cal.horizon})`, yLabel: `observed S(${cal.horizon}) (Kaplan–Meier)`, xFormat: (t) => t.toFixed(1), yFormat: (t) => t.toFixed(1) });
  const table = tableHtml(`Calibration at t = ${cal.horizon}: ${cal.groups.length} groups of predicted risk of the ${cal.n} test patients`, ['group', 'patients', 'events', 'predicted S(t)', 'observed S(t)', '95% CI'],
    cal.groups.map((g, i) => [String(i + 1), String(g.n), String(g.events), fx(g.predicted), fx(g.observed), ci(g.lower, g.upper)]));
  const slope = finite(cal.slope) ? `Calibration slope ${fx(cal.slope, 2)}${finite(cal.slope_lower) ? ` (95% CI ${ci(cal.slope_lower, cal.slope_upper, 2)})` : ''}; 1 is perfect, below 1 the predictions are too extreme.` : '';
  return figure('fig-calibration', `Calibration of the late-fusion predicted survival at t = ${cal.horizon}`, `Points on the dashed diagonal are perfectly calibrated. ${slope}`, body, W, H, table);
}

/** Forest plot of one coefficient table (hazard or odds ratios, log scale). */
function forestFigure(t, index, binary) {
  const ratio = binary ? 'or' : 'hr';
  const label = binary ? 'odds ratio' : 'hazard ratio';
  const terms = t.terms.filter((r) => finite(r[ratio]) && r.name !== '(Intercept)');
  if (!terms.length) return '';
  const W = 640;
  const left = 200;
  const right = W - 150;
  const top = 12;
  const rowH = 18;
  const bottom = top + terms.length * rowH + 6;
  const H = bottom + 40;
  const lows = terms.map((r) => r[`${ratio}_lower`]).filter((v) => finite(v) && v > 0);
  const highs = terms.map((r) => r[`${ratio}_upper`]).filter((v) => finite(v) && v > 0);
  const lo = Math.log(Math.min(0.5, ...lows, ...terms.map((r) => r[ratio])));
  const hi = Math.log(Math.max(2, ...highs, ...terms.map((r) => r[ratio])));
  const x = scale(lo, hi, left, right);
  let body = `<line x1="${c(x(0))}" y1="${c(top)}" x2="${c(x(0))}" y2="${c(bottom)}" stroke="#888" stroke-dasharray="3 3"/>`;
  terms.forEach((r, i) => {
    const yc = top + i * rowH + rowH / 2;
    body += `<text x="${c(left - 8)}" y="${c(yc + 4)}" font-size="11" text-anchor="end">${esc(r.name.length > 30 ? `${r.name.slice(0, 29)}…` : r.name)}</text>`;
    if (finite(r[`${ratio}_lower`]) && finite(r[`${ratio}_upper`]) && r[`${ratio}_lower`] > 0) {
      body += `<line x1="${c(x(Math.log(r[`${ratio}_lower`])))}" y1="${c(yc)}" x2="${c(x(Math.log(r[`${ratio}_upper`])))}" y2="${c(yc)}" stroke="#000"/>`;
    }
    body += `<rect x="${c(x(Math.log(r[ratio])) - 3.5)}" y="${c(yc - 3.5)}" width="7" height="7" fill="#000"/>`;
    body += `<text x="${c(right + 8)}" y="${c(yc + 4)}" font-size="10">${fx(r[ratio], 2)} (${fx(r[`${ratio}_lower`], 2)}–${fx(r[`${ratio}_upper`], 2)})</text>`;
  });
  const ticks = [0.25, 0.5, 1, 2, 4, 8].filter((v) => Math.log(v) >= lo && Math.log(v) <= hi);
  body += axes({ x: (v) => x(Math.log(v)), y: (v) => v, xTicks: ticks, yTicks: [], left, right, top, bottom, xLabel: `${label} per unit (log scale; 95% Wald CI)`, yLabel: '', xFormat: (v) => String(v) });
  const table = tableHtml(`Coefficients of ${t.model}`, ['term', 'coef', 'SE', label, '95% CI', 'p'],
    t.terms.map((r) => [r.name, fx(r.coef, 4), fx(r.se, 4), fx(r[ratio], 3), ci(r[`${ratio}_lower`], r[`${ratio}_upper`]), pv(r.p)]));
  return figure(`fig-forest-${index}`, `Forest plot: ${t.model} (${t.kind})`, `${terms.length} terms; the dashed line marks a ${label} of 1.`, body, W, H, table);
}

/** Modality contributions to the fused linear predictor over the test patients: one dot per patient. */
function contributionFigure(contrib) {
  const mods = contrib.modalities.filter((m) => (contrib.values[m] ?? []).some(finite));
  if (!mods.length) return '';
  const W = 640;
  const left = 130;
  const right = W - 20;
  const top = 12;
  const rowH = 30;
  const bottom = top + mods.length * rowH + 6;
  const H = bottom + 40;
  const all = mods.flatMap((m) => contrib.values[m].filter(finite));
  const lim = Math.max(0.5, ...all.map(Math.abs));
  const x = scale(-lim, lim, left, right);
  let body = `<line x1="${c(x(0))}" y1="${c(top)}" x2="${c(x(0))}" y2="${c(bottom)}" stroke="#888" stroke-dasharray="3 3"/>`;
  mods.forEach((m, i) => {
    const yc = top + i * rowH + rowH / 2;
    body += `<text x="${c(left - 8)}" y="${c(yc + 4)}" font-size="11" text-anchor="end">${esc(m)}</text>`;
    contrib.values[m].forEach((v, k) => {
      if (finite(v)) body += `<circle cx="${c(x(v))}" cy="${c(yc + ((k % 5) - 2) * 2.5)}" r="2" fill="none" stroke="#000" stroke-width="0.7"/>`;
    });
  });
  body += axes({ x, y: (v) => v, xTicks: niceTicks(-lim, lim, 6), yTicks: [], left, right, top, bottom, xLabel: 'contribution to the fused linear predictor', yLabel: '', xFormat: (t) => String(t) });
  const table = tableHtml('Contributions per modality over the test patients (patients with the modality)', ['modality', 'patients', 'lowest', 'highest'],
    mods.map((m) => { const v = contrib.values[m].filter(finite); return [m, String(v.length), fx(Math.min(...v), 3), fx(Math.max(...v), 3)]; }));
  return figure('fig-contributions', 'Modality contributions to the fused risk score', 'One circle per test patient: how much each modality moved the patient\u2019s fused linear predictor (the contributions sum to it).', body, W, H, table);
}

/** One CSV line into cells (RFC 4180 quotes, as predictionsCsv writes them). */
function csvCells(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Each modality's contribution to the fused linear predictor for the report's TEST patients, read
 * from a predictions CSV (`latefuse score` / the page's predictions: `<modality>_contribution`
 * columns, empty where the patient lacks the modality). Null when the CSV has no such column.
 * Patients are matched by ID (`row N` in the report = row number N when the data had no ID column).
 */
export function contributionsFromPredictions(csv, report) {
  if (typeof csv !== 'string' || !csv) return null;
  const lines = csv.replace(/\r/g, '').split('\n').filter((l) => l !== '');
  const head = csvCells(lines[0]);
  const mods = (report.modalities ?? []).filter((m) => head.includes(`${m}_contribution`));
  if (!mods.length) return null;
  const idAt = head.indexOf('id');
  const rows = new Map(lines.slice(1).map((l) => { const c = csvCells(l); return [c[idAt], c]; }));
  const values = Object.fromEntries(mods.map((m) => [m, []]));
  for (const id of report.test_patients?.ids ?? []) {
    const row = rows.get(id) ?? rows.get(String(id).replace(/^row /, ''));
    for (const m of mods) {
      const cell = row ? row[head.indexOf(`${m}_contribution`)] : '';
      values[m].push(cell === '' || cell === undefined ? NaN : Number(cell));
    }
  }
  return { modalities: mods, values };
}

// ---- sections ----------------------------------------------------------------------------------

function facts(report) {
  const models = report.models ?? [];
  const late = models.find((m) => m.kind === 'late') ?? null;
  const early = models.find((m) => m.kind === 'early') ?? null;
  const binary = report.settings?.outcome_type === 'binary';
  return { models, late, early, binary, metric: binary ? 'AUC' : "Harrell's C" };
}

/** "higher than" / "lower than" / "equal to", decided on the unrounded values. */
function compareWord(a, b) {
  if (a > b) return 'higher than';
  if (a < b) return 'lower than';
  return 'equal to';
}

/** Whether an interval excludes 0, decided on the unrounded limits. */
function intervalPhrase(lo, hi) {
  if (!finite(lo) || !finite(hi)) return 'no bootstrap interval was available';
  if (lo > 0 || hi < 0) return `the 95% interval ${ci(lo, hi)} excludes 0`;
  return `the 95% interval ${ci(lo, hi)} includes 0, so the data do not show a difference`;
}

/** The summary paragraph: true sentences only, decided on unrounded numbers. */
export function summarySentences(report) {
  const { late, early, binary, metric } = facts(report);
  const split = report.split ?? {};
  const out = [];
  const mods = report.modalities ?? [];
  out.push(`Late fusion of ${mods.length} ${mods.length === 1 ? 'modality' : 'modalities'} (${words(mods)}) was fitted on ${split.train} training patients ` +
    `(${split.train_events} ${binary ? 'cases' : 'events'}) and evaluated on ${split.test} held-out test patients (${split.test_events} ${binary ? 'cases' : 'events'}).`);
  if (late && finite(late.test?.c)) {
    out.push(`On the ${late.test.n} test patients it could score, late fusion's ${metric} was ${fx(late.test.c)} (95% CI ${ci(late.test.c_lower, late.test.c_upper)}).`);
  }
  for (const k of report.comparisons ?? []) {
    if (!finite(k.delta_c) || !k.b) continue;
    const other = k.name === 'late_vs_early' ? 'early fusion' : `${k.b}, the best single modality on these patients`;
    out.push(`On the ${k.n} test patients with every modality, late fusion's ${metric} was ${compareWord(k.c_a, k.c_b)} that of ${other}` +
      `: ${fx(k.c_a)} vs ${fx(k.c_b)}, difference ${fx(k.delta_c)}; ${intervalPhrase(k.lower, k.upper)}.`);
  }
  const rg = report.risk_groups?.test;
  if (rg && !binary && finite(rg.logrank_p)) {
    out.push(`The late-fusion risk groups (cut-points from the training patients) separated the test patients with a log-rank ${pPhrase(rg.logrank_p)}.`);
  }
  if (rg && binary && finite(rg.chisq_p)) {
    out.push(`The late-fusion risk groups (cut-points from the training patients) had a chi-square test of equal proportions with ${pPhrase(rg.chisq_p)} on the test patients.`);
  }
  if (report.decision_curve?.summary) out.push(report.decision_curve.summary);
  if (!early) out.push('Early fusion was not evaluated.');
  return out;
}

/**
 * The follow-up sentence of the Data section from report.json's `follow_up` (reverse Kaplan–Meier
 * medians of the training and test patients, computed by the core).
 * @param {{train?: any, test?: any}} followUp
 * @returns {string}
 */
export function followUpSentence(followUp) {
  const one = (f, who) => {
    if (!f) return null;
    const median = finite(f.median) ? `${fx(f.median, 2)} (95% CI ${finite(f.lower) ? fx(f.lower, 2) : 'not estimable'} to ${finite(f.upper) ? fx(f.upper, 2) : 'not reached'})`
      : 'not reached (the reverse Kaplan–Meier curve stays above 0.5)';
    return `${median} in the ${f.n} ${who} patients (longest ${fx(f.max_time, 2)})`;
  };
  const parts = [one(followUp.train, 'training'), one(followUp.test, 'test')].filter(Boolean);
  return `Median follow-up by the reverse Kaplan–Meier method ${ref('followup')}: ${parts.join('; ')}.`;
}

function dataSection(report, model, study) {
  const files = study.files ?? [];
  const split = report.split ?? {};
  const binary = report.settings?.outcome_type === 'binary';
  let s = '<section id="data"><h2>Data</h2>\n';
  s += tableHtml('Input files (SHA-256 of the bytes read)', ['file', 'bytes', 'SHA-256'], (files ?? []).map((f) => [f.name, String(f.bytes), f.sha256]), 'files');
  s += `<p>${study.patients ?? split.train + split.test + (split.excluded_no_modality ?? 0)} patients with an outcome${study.droppedMissingOutcome ? ` (${study.droppedMissingOutcome} rows without an outcome were dropped)` : ''}; ` +
    `${split.train} training and ${split.test} test patients (${report.settings?.split === 'random' ? `a random split stratified on the ${binary ? 'outcome' : 'event'}, test fraction ${report.settings?.test_fraction}` : 'the split given in the data'}); ` +
    `${split.common_test} test patients have every modality${split.excluded_no_modality ? `; ${split.excluded_no_modality} patients have no modality and were left out` : ''}.</p>\n`;
  if (!binary && report.follow_up) s += `<p>${esc(followUpSentence(report.follow_up))}</p>\n`;
  const modCols = study.modalities ?? {};
  // Patients with each modality: the availability patterns that include it (training + test).
  const having = (list, m) => (list ?? []).filter((p) => p.modalities.includes(m)).reduce((a, p) => a + p.patients, 0);
  const missing = new Map((report.missing_cells ?? []).map((e) => [e.modality, e]));
  const missingText = (x) => (x && x.cells > 0 ? `${x.missing} of ${x.cells} (${fx((100 * x.missing) / x.cells, 1)}%)` : '—');
  s += tableHtml('Modalities: columns, patients who have them, and missing cells among those patients', ['modality', 'columns', 'first columns', 'training patients', 'test patients', 'missing cells (training)', 'missing cells (test)'],
    (report.modalities ?? []).map((m) => [m, String((modCols[m] ?? []).length || '—'), (modCols[m] ?? []).slice(0, 4).join(', '),
      `${having(report.patterns?.train, m)} of ${split.train}`, `${having(report.patterns?.test, m)} of ${split.test}`,
      missingText(missing.get(m)?.train), missingText(missing.get(m)?.test)]));
  const pat = (list) => (list ?? []).map((p) => [p.modalities.join(' + '), String(p.patients), String(p.events), p.integrator ? 'own integrator' : p.fallback ? `fallback: ${(p.scored_by ?? []).join(' + ')}` : `scored by ${(p.scored_by ?? p.modalities).join(' + ')}`]);
  s += tableHtml('Availability patterns of the training patients', ['modalities present', 'patients', binary ? 'cases' : 'events', 'model used'], pat(report.patterns?.train));
  s += tableHtml('Availability patterns of the test patients', ['modalities present', 'patients', binary ? 'cases' : 'events', 'model used'], pat(report.patterns?.test));
  const encodings = model?.preprocessing?.categorical ?? model?.categorical ?? model?.encodings ?? null;
  if (Array.isArray(encodings) && encodings.length) {
    s += tableHtml('Categorical columns (one-hot encoded; reference level from the training patients)', ['column', 'reference', 'levels'],
      encodings.map((e) => [e.column ?? e.name ?? '', e.reference ?? '', (e.levels ?? []).join(', ')]));
  }
  return `${s}</section>\n`;
}

const REFERENCES = [
  ['cox', 'Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187–220.'],
  ['ridge', 'Verweij PJM, van Houwelingen HC. Penalized likelihood in Cox regression. Stat Med 1994;13:2427–36.'],
  ['stacking', 'Wolpert DH. Stacked generalization. Neural Netw 1992;5:241–59.'],
  ['crossfit', 'Chernozhukov V, et al. Double/debiased machine learning for treatment and structural parameters. Econom J 2018;21:C1–C68.'],
  ['harrell', 'Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of medical tests. JAMA 1982;247:2543–6.'],
  ['uno', 'Uno H, Cai T, Pencina MJ, D\u2019Agostino RB, Wei LJ. On the C-statistics for evaluating overall adequacy of risk prediction procedures with censored survival data. Stat Med 2011;30:1105–17.'],
  ['auc', 'Hung H, Chiang CT. Estimation methods for time-dependent AUC models with survival data. Can J Stat 2010;38:8–26.'],
  ['bootstrap', 'Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993.'],
  ['permutation', 'Phipson B, Smyth GK. Permutation P-values should never be zero. Stat Appl Genet Mol Biol 2010;9:39.'],
  ['followup', 'Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time. Control Clin Trials 1996;17:343–6.'],
  ['km', 'Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc 1958;53:457–81.'],
  ['logrank', 'Mantel N. Evaluation of survival data and two new rank order statistics arising in its consideration. Cancer Chemother Rep 1966;50:163–70.'],
  ['kendall', 'Kendall MG. A new measure of rank correlation. Biometrika 1938;30:81–93.'],
  ['dca', 'Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction models. Med Decis Making 2006;26:565–74.'],
  ['dcasurv', 'Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve analysis. BMC Med Inform Decis Mak 2008;8:53.'],
  ['study', 'Boehm KM, et al. Multimodal data integration using machine learning improves risk stratification of high-grade serous ovarian cancer. Nat Cancer 2022;3:723–33.'],
  ['tripod', 'Collins GS, et al. TRIPOD+AI statement: updated guidance for reporting clinical prediction models that use regression or machine learning methods. BMJ 2024;385:e078378.'],
];
const ref = (key) => `[${REFERENCES.findIndex(([k]) => k === key) + 1}]`;

function methodsSection(report, model, software) {
  const st = report.settings ?? {};
  const binary = st.outcome_type === 'binary';
  const dc = report.decision_curve;
  const sub = binary ? `ridge logistic regression (penalty n × ${st.submodel?.penalizer})` : `a ridge-penalised Cox model ${ref('cox')} ${ref('ridge')} (penalizer ${st.submodel?.penalizer}, lifelines scale; ${st.ties} ties)`;
  const paras = [
    `Analyses used ${esc(software.name)} ${esc(software.version)} (the same C++ core compiled natively and to WebAssembly), with seed ${st.seed} for every random step.`,
    `For each modality, ${sub} was fitted on the training patients who had that modality, after ${st.scaling} scaling of its features${st.outlier_z ? ` and replacement of values with |z| > ${st.outlier_z} by the training median` : ''}` +
      `${st.selection && st.selection !== 'none' ? ` and ${st.selection} feature selection` : ''}. A patient has a modality when ${st.presence} of its columns has a value.`,
    `An integrator (${binary ? 'logistic' : 'Cox'}, penalizer ${st.integrator?.penalizer}) was fitted on the standardised unimodal scores for each availability pattern with at least ${st.min_pattern_size} training patients ` +
      `(stacking ${ref('stacking')}); its inputs were ${st.integrator_inputs === 'cross_fitted' ? `cross-fitted (out-of-fold, ${st.cross_fit_folds} folds) ${ref('crossfit')}` : 'the submodels\u2019 in-sample scores'}. ` +
      'Each test patient was scored by the integrator of their own pattern, or by the documented fallback when their pattern had none. ' +
      `Early fusion (${String(st.early_fusion).replace(/_/g, ' ')}) was fitted as a comparator.`,
    `Discrimination was measured by ${binary ? 'the AUC (Mann–Whitney)' : `Harrell's C ${ref('harrell')}, Uno's C ${ref('uno')} and the cumulative/dynamic AUC(t) ${ref('auc')}`} with ${st.bootstrap}-replicate bootstrap percentile intervals ${ref('bootstrap')} ` +
      `and permutation p-values (b + 1)/(m + 1) over ${st.permutations} permutations ${ref('permutation')}; paired bootstrap differences compared late fusion with early fusion and with the best single modality on the test patients with every modality.`,
    `Risk groups (${st.risk_groups}) used cut-points from the training patients' late-fusion scores only; ${binary ? 'their observed proportions were compared by the chi-square test' : `their Kaplan–Meier curves ${ref('km')} were compared by the log-rank test ${ref('logrank')}`}. ` +
      `Kendall's tau-b ${ref('kendall')} measured the agreement between the unimodal scores.`,
    dc ? `Decision curve analysis ${ref('dca')}${binary ? '' : ` ${ref('dcasurv')}`} gave the net benefit of treating the test patients whose predicted ${binary ? 'probability' : `risk of an event by t = ${dc.horizon}`} is at least each threshold probability from 1% to 99%` +
      `${binary ? '' : ', with the Kaplan–Meier estimate among those patients'}, against treating all and treating none, with a ${dc.bootstrap}-replicate bootstrap band for late fusion (seed ${dc.seed}).` : '',
    `The design follows the late-fusion study of Boehm et al. ${ref('study')}${st.reference_compatible ? ', with its settings (reference-compatible mode)' : ', with honest defaults (cross-fitted integrators, a true bootstrap, training-only cut-points)'}.`,
  ].filter(Boolean);
  let s = '<section id="methods"><h2>Methods</h2>\n';
  s += paras.map((p) => `<p>${p}</p>`).join('\n');
  const rows = Object.entries(st).filter(([k]) => k !== 'direction').map(([k, v]) => [k, v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  s += tableHtml('Every setting of the run (report.json "settings")', ['setting', 'value'], rows, 'settings');
  s += `<h3>References</h3><ol class="refs">${REFERENCES.map(([, r]) => `<li>${esc(r)}</li>`).join('')}</ol>\n`;
  void model;
  return `${s}</section>\n`;
}

function resultsSection(report, km, contributions, calibration, timeUnit) {
  const { models, binary, metric } = facts(report);
  const sorted = models.map((m, i) => ({ m, i })).sort((a, b) => (KIND_ORDER[a.m.kind] ?? 9) - (KIND_ORDER[b.m.kind] ?? 9) || a.i - b.i).map((x) => x.m);
  let s = '<section id="results"><h2>Results</h2>\n<h3>Discrimination</h3>\n';
  s += cIndexFigure(sorted, metric);
  const cmp = (report.comparisons ?? []).filter((k) => k.b);
  s += tableHtml(`Paired bootstrap difference in ${metric} on the common test patients`, ['comparison', 'n', 'late fusion', 'comparator', 'difference', '95% CI'],
    cmp.map((k) => [`late fusion vs ${k.b}`, String(k.n), fx(k.c_a), fx(k.c_b), fx(k.delta_c), ci(k.lower, k.upper)]));
  if (!binary) s += aucFigure(sorted, (report.horizons ?? []).filter(finite), timeUnit);
  if (report.kendall?.modalities?.length > 1) s += `<h3>Agreement between modalities</h3>\n${kendallFigure(report.kendall)}`;
  s += '<h3>Risk groups</h3>\n';
  const rg = report.risk_groups ?? {};
  s += `<p>${esc(rg.note ? rg.note.charAt(0).toUpperCase() + rg.note.slice(1) : '')}.</p>\n`;
  if (binary) {
    s += tableHtml('Observed proportion of cases per risk group (test patients, Wilson 95% CI)', ['group', 'n', 'cases', 'proportion', '95% CI'],
      (rg.test?.groups ?? []).map((g) => [g.label, String(g.n), String(g.cases ?? g.events), fx(g.proportion), ci(g.proportion_lower, g.proportion_upper)]));
  } else {
    if (km) s += kmFigure(km, timeUnit);
    s += tableHtml(`Risk groups of the test patients: median survival and S(t) (log-rank p ${pv(rg.test?.logrank_p)})`, ['group', 'n', 'events', 'median (95% CI)', ...(report.horizons ?? []).map((t) => `S(${t})`)],
      (rg.test?.groups ?? []).map((g) => [g.label, String(g.n), String(g.events), `${fx(g.median, 2)} (${ci(g.median_lower, g.median_upper, 2)})`, ...(g.survival_at ?? []).map((a) => fx(a.surv))]));
  }
  s += '<h3>Calibration</h3>\n';
  const cal = models.filter((m) => finite(m.test?.calibration_slope));
  if (binary && cal.length) {
    s += tableHtml('Logistic calibration of each model on the test patients (slope 1 and intercept 0 = perfect)', ['model', 'intercept', 'slope', 'Brier score'],
      cal.map((m) => [modelName(m), fx(m.test.calibration_intercept), fx(m.test.calibration_slope), fx(m.test.brier)]));
  } else if (!binary) {
    s += tableHtml('Integrated Brier score of each model on the test patients (lower is better)', ['model', 'IBS', "Uno's C"],
      sorted.map((m) => [modelName(m), fx(m.test?.ibs), fx(m.test?.uno_c)]));
    s += calibration?.groups?.length ? calibrationFigure(calibration)
      : '<p>No calibration plot: the test patients\u2019 predicted survival at the middle horizon was not available.</p>\n';
  }
  if (report.decision_curve?.models?.length) s += `<h3>Decision curves</h3>\n${decisionFigure(report.decision_curve)}`;
  s += '<h3>Coefficients</h3>\n';
  (report.coefficients ?? []).forEach((t, i) => {
    if (t.terms.length <= 25) s += forestFigure(t, i, binary);
    else s += tableHtml(`Coefficients of ${t.model} (${t.terms.length} terms; the 25 with the smallest p)`, ['term', 'coef', binary ? 'odds ratio' : 'hazard ratio', 'p'],
      [...t.terms].sort((a, b) => (a.p ?? 1) - (b.p ?? 1)).slice(0, 25).map((r) => [r.name, fx(r.coef, 4), fx(binary ? r.or : r.hr, 3), pv(r.p)]));
  });
  s += '<h3>Modality contributions</h3>\n';
  s += contributions ? contributionFigure(contributions) || '<p>No test patient has a contribution.</p>\n'
    : '<p>The predictions of this run carry no per-modality contributions.</p>\n';
  return `${s}</section>\n`;
}

/** Limitations generated from the data; each is stated only when its condition holds. */
export function limitationSentences(report) {
  const { binary, late } = facts(report);
  const out = [];
  const split = report.split ?? {};
  if (split.common_test < 30) out.push(`Only ${split.common_test} test patients have every modality, so the comparisons between models on the common test patients are imprecise (wide intervals).`);
  const fallback = (report.patterns?.test ?? []).filter((p) => p.fallback);
  const fallbackPatients = fallback.reduce((a, p) => a + p.patients, 0);
  if (fallbackPatients > 0) out.push(`${fallbackPatients} test patients (${fallback.length} availability ${fallback.length === 1 ? 'pattern' : 'patterns'}) had no integrator of their own and were scored by a fallback model.`);
  // Events per variable: training events of the patients with a modality / its coefficients.
  const train = report.patterns?.train ?? [];
  for (const t of report.coefficients ?? []) {
    if (t.kind !== 'unimodal') continue;
    const events = train.filter((p) => p.modalities.includes(t.model)).reduce((a, p) => a + p.events, 0);
    const terms = t.terms.filter((r) => r.name !== '(Intercept)').length;
    if (terms > 0 && events / terms < 10) out.push(`The ${t.model} submodel has ${(events / terms).toFixed(1)} training ${binary ? 'cases' : 'events'} per coefficient (${events} for ${terms}); below 10 the penalised coefficients depend strongly on the penalty.`);
  }
  for (const m of report.models ?? []) if ((m.test?.bootstrap_failed ?? 0) > 0) out.push(`${m.test.bootstrap_failed} bootstrap replicates of ${modelName(m)} had no ${binary ? 'AUC' : 'C'} and were left out of its interval.`);
  if (report.risk_groups?.optimistic) out.push('The risk-group cut-point was chosen to minimise the training p-value (optimistic); only the test p-value is honest.');
  if (late && split.test_events < 50) out.push(`The test set has ${split.test_events} ${binary ? 'cases' : 'events'}; validation studies are usually advised to have at least 100.`);
  if (report.decision_curve?.warnings?.length) out.push(`Decision curves: ${report.decision_curve.warnings.join('; ')}.`);
  out.push('The model was evaluated on a held-out part of the same cohort (internal validation); external validation on another cohort is needed before use.');
  return out;
}

const TRIPOD = [
  ['1', 'Title', 'author'], ['2', 'Abstract', 'author'], ['3', 'Background: healthcare context and rationale', 'author'], ['4', 'Objectives', 'author'],
  ['5', 'Data sources and dates', 'author'], ['6', 'Participants: eligibility, setting, treatments', 'author'],
  ['7', 'Data preparation', 'methods'], ['8', 'Outcome: definition and time horizon', 'methods'], ['9', 'Predictors: definition and measurement', 'data'],
  ['10', 'Sample size', 'data'], ['11', 'Missing data', 'data'], ['12', 'Analytical methods: model type, building, internal validation, performance measures', 'methods'],
  ['13', 'Class imbalance', 'methods'], ['14', 'Fairness', 'author'], ['15', 'Model output', 'methods'], ['16', 'Training versus evaluation', 'data'],
  ['17', 'Ethical approval', 'author'], ['18', 'Open science: funding, conflicts, protocol, registration, data and code sharing', 'author'],
  ['19', 'Patient and public involvement', 'author'], ['20', 'Participants: flow and characteristics', 'data'], ['21', 'Model development: participants and events in each analysis', 'data'],
  ['22', 'Model specification', 'results'], ['23', 'Model performance (with CIs)', 'results'], ['24', 'Model updating', 'author'],
  ['25', 'Interpretation', 'author'], ['26', 'Limitations', 'limitations'], ['27', 'Usability of the model in context', 'author'],
];

function tripodSection() {
  const where = { methods: 'Methods', data: 'Data', results: 'Results', limitations: 'Limitations (generated; extend)' };
  const rows = TRIPOD.map(([n, item, at]) => [n, item, at === 'author' ? 'TO COMPLETE by the author' : `Filled: see ${where[at]}`]);
  return `<section id="tripod"><h2>TRIPOD+AI checklist</h2>\n<p>Items of the TRIPOD+AI statement ${ref('tripod')}: those this report fills are marked with their section; the others must be completed by the author.</p>\n` +
    `${tableHtml('TRIPOD+AI items', ['item', 'topic', 'status'], rows, 'tripod')}</section>\n`;
}

function reproduceSection(report, study) {
  return '<section id="reproduce"><h2>Reproduce</h2>\n' +
    '<p>The page (same files, same settings) or this command, run on files with the same SHA-256, gives the same numbers and this same report:</p>' +
    `<pre>${esc(equivalentCommand(report, study))}</pre>\n</section>\n`;
}

const CSS = `
body{font:14px/1.45 Georgia,"Times New Roman",serif;color:#000;background:#fff;max-width:920px;margin:2em auto;padding:0 1em}
h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.35em;border-bottom:1px solid #000;margin-top:2em}h3{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:12px}caption{text-align:left;font-style:italic;padding:.2em 0}
th,td{border:1px solid #777;padding:2px 6px;text-align:left;vertical-align:top}thead th{background:#eee}
td{font-variant-numeric:tabular-nums}table.files td:last-child{font-family:monospace;font-size:11px;word-break:break-all}
figure{margin:1em 0;break-inside:avoid}figcaption{font-size:12px;margin:.3em 0}svg{max-width:100%;height:auto;font-family:Arial,Helvetica,sans-serif}
pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;border:1px solid #ccc;padding:.6em;font-size:12px}
.meta{color:#333}.refs{font-size:12px}p.lead{font-size:15px}
@media print{body{margin:0;max-width:none;font-size:11pt}section{break-before:page}section#summary{break-before:auto}h2,h3{break-after:avoid}table,figure{break-inside:avoid}pre{background:none}}
`;

/**
 * The analysis report as one HTML string.
 *   study: the input files' facts (name, bytes, SHA-256), roles and modality columns;
 *   km: risk_group_curves.js riskGroupCurves (the page's worker gives the same);
 *   calibration: risk_group_curves.js testCalibration's `calibration`;
 *   predictions: the predictions CSV of the run's patients (`latefuse score`'s), for the modality
 *   contributions; `generated` (a timestamp) is printed only when given, so the default output is
 *   reproducible.
 * @param {{report: any, model?: any, study?: {files?: Array<{name: string, bytes: number, sha256: string}>,
 *          roles?: {id?: string, time?: string, event?: string, outcome?: string, split?: string},
 *          modalities?: Record<string, string[]>, patients?: number, droppedMissingOutcome?: number},
 *          km?: any, predictions?: string|null, calibration?: any, title?: string, generated?: string}} input
 * @returns {string}
 */
export function analysisReportHtml({ report, model = null, study = {}, km = null, predictions = null, calibration = null, title, generated }) {
  // Contributions: report.json's own per-test-patient list when the engine writes one
  // (test_patients.contributions), else the predictions CSV's columns.
  const listed = report.test_patients?.contributions;
  const contributions = listed && typeof listed === 'object'
    ? { modalities: (report.modalities ?? []).filter((m) => Array.isArray(listed[m])), values: Object.fromEntries(Object.entries(listed).map(([m, v]) => [m, v.map((x) => (x === null ? NaN : x))])) }
    : contributionsFromPredictions(predictions, report);
  figureCount = 0;
  // The software that fitted the model (the model file records it).
  const software = { name: 'LateFuse', version: model?.software?.version ?? '' };
  const binary = report.settings?.outcome_type === 'binary';
  const timeUnit = model?.time_unit ?? model?.training?.time_unit ?? null;
  const heading = title ?? `Late-fusion ${binary ? 'binary-outcome' : 'survival'} analysis of ${words(report.modalities ?? [])}`;
  const summary = summarySentences(report);
  const limitations = limitationSentences(report);
  const body = [
    `<header><h1>${esc(heading)}</h1><p class="meta">Analysis report written by ${esc(software.name)} ${esc(software.version)}${generated ? ` on ${esc(generated)}` : ''}; every number below is from the run's report.json.</p></header>\n`,
    `<section id="summary"><h2>Summary</h2>\n<p class="lead">${summary.map(esc).join(' ')}</p></section>\n`,
    dataSection(report, model, study),
    methodsSection(report, model, software),
    resultsSection(report, km, contributions, calibration, timeUnit),
    `<section id="limitations"><h2>Limitations</h2>\n<ul>${limitations.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>\n` +
      `${(report.warnings ?? []).length ? `<h3>Warnings of the run</h3><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}</section>\n`,
    tripodSection(),
    reproduceSection(report, study),
  ].join('');
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n` +
    `<title>${esc(heading)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n<main>\n${body}</main>\n</body>\n</html>\n`;
}

