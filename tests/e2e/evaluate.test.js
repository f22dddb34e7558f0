// The Evaluate stage of the Fit flow, done as a user would: the numbers on screen (key numbers,
// tables, summary, report JSON) are compared with `latefuse evaluate` and `latefuse km` run on the
// page's own per-patient download (time, event, linear predictor, risk group) with the same settings.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, openApp, screenshot, cli, act, fit, shownC, EXAMPLE_DATA, PHONE, download, expectFitsWidth, expectLabelled, screenshotEach
} from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

/** Set the evaluation settings (only those given) and press "Run evaluation". */
async function evaluate(page, { bootstrap, permutations, seed, split, horizons } = {}) {
  if (bootstrap !== undefined) await page.fill('#eval-bootstrap', String(bootstrap));
  if (permutations !== undefined) await page.fill('#eval-permutations', String(permutations));
  if (seed !== undefined) await page.fill('#eval-seed', String(seed));
  if (split !== undefined) await page.selectOption('#eval-split', split);
  if (horizons !== undefined) await page.fill('#eval-horizons', horizons);
  await act(page, () => page.click('#btn-evaluate'));
}

const value = (page, selector) => page.$eval(selector, (el) => Number(el.dataset.value));

/** The numbers the page shows for an evaluation. */
async function shown(page) {
  return {
    c: await value(page, '#eval-c'),
    lower: await value(page, '#eval-c-lower'),
    upper: await value(page, '#eval-c-upper'),
    permP: await value(page, '#eval-perm-p'),
    uno: await value(page, '#eval-uno'),
    meanAuc: await value(page, '#eval-mean-auc'),
    logrankP: await value(page, '#eval-logrank-p'),
    auc: await page.$$eval('#auc-table tbody tr', (rows) => rows.map((tr) => [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value)))),
    groups: await page.$$eval('#km-table tbody tr', (rows) => rows.map((tr) => {
      const values = [...tr.querySelectorAll('[data-value]')].map((s) => s.dataset);
      const asNumber = (v) => (v === '' ? null : Number(v));
      return {
        label: tr.children[0].textContent,
        n: Number(values[0].value),
        events: Number(values[1].value),
        median: asNumber(values[2].value),
        medianLower: asNumber(values[2].lower),
        medianUpper: asNumber(values[2].upper),
        atRisk: values.slice(3).map((d) => Number(d.value)),
      };
    })),
    atTimes: await page.$$eval('#km-table thead th', (ths) => ths.slice(4).map((th) => Number(th.textContent.replace(/^At risk, t = /, '')))),
    summary: (await page.textContent('#eval-summary')).replace(/\u00a0/g, ' '),
  };
}

/** The paths of the keys of a JSON document that are not snake_case (lower case, digits, '_'). */
function camelKeys(doc, path = '') {
  if (Array.isArray(doc)) return doc.flatMap((v, k) => camelKeys(v, `${path}[${k}]`));
  if (doc === null || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([key, v]) => [...(/^[a-z0-9_]+$/.test(key) ? [] : [`${path}.${key}`]), ...camelKeys(v, `${path}.${key}`)]);
}

/** R quantile(type = 7). */
function quantile7(sorted, p) {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

function readCsv(path) {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  return { header, rows };
}

/** Compare everything on screen with the CLI on the page's own risk-groups download. */
async function expectCliAgreement(page, { bootstrap, permutations, seed, split, horizons }) {
  const csv = await download(page, 'Risk groups CSV');
  expect(csv.name).toMatch(/risk-groups\.csv$/);
  const { header, rows } = readCsv(csv.path);
  expect(header).toEqual(['row', 'time', 'status', 'linear_predictor', 'risk_group']);
  const s = await shown(page);
  expect(rows.length).toBe(s.groups.reduce((a, g) => a + g.n, 0));

  // The risk groups are the score cut at its quantiles (R cut(include.lowest = TRUE)).
  const lp = rows.map((r) => Number(r[3]));
  const sorted = [...lp].sort((a, b) => a - b);
  const cuts = (split === 'tertiles' ? [1 / 3, 2 / 3] : [0.5]).map((p) => quantile7(sorted, p));
  const names = split === 'tertiles' ? ['low', 'intermediate', 'high'] : ['low', 'high'];
  rows.forEach((r, i) => {
    const k = cuts.filter((c) => lp[i] > c).length;
    expect(r[4], `row ${i + 1}`).toBe(names[k]);
  });

  const evalArgs = ['evaluate', '--data', csv.path, '--time', 'time', '--event', 'status', '--score', 'linear_predictor',
    '--bootstrap', String(bootstrap), '--permutations', String(permutations), '--seed', String(seed)];
  const probe = cli([...evalArgs, ...(horizons ? ['--horizons', horizons] : [])]);
  const tau = probe.auc[probe.auc.length - 1].time;
  const ref = cli([...evalArgs, ...(horizons ? ['--horizons', horizons] : []), '--tau', String(tau)]);
  expect(s.c).toBe(ref.harrell.c);
  expect(s.lower).toBe(ref.harrell.lower);
  expect(s.upper).toBe(ref.harrell.upper);
  expect(s.permP).toBe(ref.permutation_p);
  expect(s.uno).toBe(ref.uno.c);
  expect(s.meanAuc).toBe(ref.mean_auc);
  expect(s.auc).toEqual(ref.auc.map((a) => [a.time, a.auc]));
  // Without the user's own horizons, the field shows the defaults that were used.
  if (!horizons) expect(await page.inputValue('#eval-horizons')).toBe(ref.auc.map((a) => String(a.time)).join(', '));

  const km = cli(['km', '--data', csv.path, '--time', 'time', '--event', 'status', '--group', 'risk_group',
    '--times', s.atTimes.join(','), '--curve']);
  expect(s.logrankP).toBe(km.logrank.p);
  const byName = Object.fromEntries(km.groups.map((g) => [g.group, g]));
  expect(s.groups.map((g) => g.label)).toEqual(names.map((n) => `${n[0].toUpperCase()}${n.slice(1)} risk`));
  s.groups.forEach((g, i) => {
    const r = byName[names[i]];
    expect(g.n).toBe(r.n);
    expect(g.events).toBe(r.events);
    expect(g.median).toBe(r.median);
    expect(g.medianLower).toBe(r.median_lower);
    expect(g.medianUpper).toBe(r.median_upper);
    expect(g.atRisk).toEqual(r.at.map((a) => a.n_risk));
  });

  // The summary states the same numbers as the key numbers and charts.
  const f3 = (x) => x.toFixed(3);
  const p4 = (p) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);
  expect(s.summary).toContain(`Harrell's C = ${f3(ref.harrell.c)} (95% CI ${f3(ref.harrell.lower)}–${f3(ref.harrell.upper)}, ${bootstrap.toLocaleString('en-US')} bootstrap replicates)`);
  expect(s.summary).toContain(`permutation ${p4(ref.permutation_p)}`);
  expect(s.summary).toContain(`log-rank ${p4(km.logrank.p)}`);
  const medianText = (m) => (m === null ? 'not reached' : String(Number(m.toPrecision(6))));
  expect(s.summary).toContain(`high-risk group's median survival is ${medianText(byName.high.median)} vs ${medianText(byName.low.median)} in the low-risk group`);
  expect(await page.textContent('#eval-c')).toBe(f3(ref.harrell.c));
  expect((await page.textContent('#eval-logrank-p')).replace(/\u00a0/g, ' ')).toBe(p4(km.logrank.p));
  // The C-index chart's text alternative and its label carry the same numbers.
  const cAria = await page.$eval('#cindex-figure svg', (svg) => svg.getAttribute('aria-description'));
  expect(cAria).toContain(`C ${f3(ref.harrell.c)}, 95% CI ${f3(ref.harrell.lower)} to ${f3(ref.harrell.upper)}`);
  expect(await page.$eval('#cindex-figure svg', (svg) => svg.textContent)).toContain(p4(ref.permutation_p));
  // The KM chart draws the number-at-risk table under the curves, and its caption has the log-rank p.
  const kmText = await page.$eval('#km-figure svg', (svg) => svg.textContent);
  expect(kmText).toContain('Number at risk');
  for (const g of s.groups) expect(kmText).toContain(g.label);
  expect((await page.textContent('#km-figure figcaption')).replace(/\u00a0/g, ' ')).toContain(p4(km.logrank.p));
  return { ref, km, s };
}

describe('Evaluate', () => {
  it('evaluates the demo fit with the default settings like `latefuse evaluate` and `latefuse km`', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    expect(await page.isVisible('#evaluate')).toBe(true);
    expect(await page.inputValue('#eval-bootstrap')).toBe('1000');
    expect(await page.inputValue('#eval-permutations')).toBe('1000');
    expect(await page.inputValue('#eval-seed')).toBe('1');
    expect(await page.inputValue('#eval-split')).toBe('median');
    const { ref, km } = await expectCliAgreement(page, { bootstrap: 1000, permutations: 1000, seed: 1, split: 'median' });
    // Harrell's C of the evaluation is the fit's own C.
    expect(ref.harrell.c).toBe((await shownC(page)).value);

    // The report JSON includes the evaluation, with the core's full-precision numbers and the curves.
    const report = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
    const ev = report.evaluation;
    expect(ev.harrell.c).toBe(ref.harrell.c);
    expect(ev.harrell.lower).toBe(ref.harrell.lower);
    expect(ev.permutation.p).toBe(ref.permutation_p);
    expect(ev.uno.c).toBe(ref.uno.c);
    expect(ev.time_dependent_auc.mean_auc).toBe(ref.mean_auc);
    expect(ev.settings).toMatchObject({ bootstrap: 1000, permutations: 1000, seed: 1, split: 'median' });
    expect(ev.risk_groups.logrank.chisq).toBe(km.logrank.chisq);
    const high = km.groups.find((g) => g.group === 'high');
    const curve = ev.risk_groups.groups.find((g) => g.label === 'High risk').curve;
    expect(curve.time).toEqual(high.curve.map((r) => r.time));
    expect(curve.surv).toEqual(high.curve.map((r) => r.surv));
    expect(curve.n_censor).toEqual(high.curve.map((r) => r.n_censor));
    // One key spelling in the download: every key of the report, its evaluation included, is snake_case, as the CLI's.
    expect(camelKeys(report)).toEqual([]);
    expect(report.format_version).toBe(1);
    // Calibration at the last horizon from the core's per-patient S(t). On the data the model was
    // fitted to, the calibration slope (Cox on its own linear predictor) is exactly 1.
    expect(ev.calibration.horizon).toBe(ev.settings.horizons.at(-1));
    expect(ev.calibration.groups.length).toBe(10);
    expect(ev.calibration.groups.reduce((a, g) => a + g.n, 0)).toBe(ev.n);
    expect(Math.abs(ev.calibration.slope - 1)).toBeLessThan(1e-6);
    for (const g of ev.calibration.groups) expect(g.predicted).toBeGreaterThan(0);

    // Charts: SVG with a label and a text alternative, downloadable as SVG and PNG.
    for (const id of ['km-figure', 'cindex-figure', 'auc-figure', 'calibration-figure']) {
      const aria = await page.$eval(`#${id} svg`, (svg) => [svg.getAttribute('role'), svg.getAttribute('aria-label'), svg.getAttribute('aria-description')]);
      expect(aria[0]).toBe('img');
      expect(aria[1].length).toBeGreaterThan(5);
      expect(aria[2].length).toBeGreaterThan(10);
      expect(await page.textContent(`#${id} figcaption .visually-hidden`)).toMatch(/^Values: /);
    }
    const svgFile = await download(page, /Kaplan–Meier.*SVG/);
    expect(svgFile.name).toMatch(/km\.svg$/);
    const svgText = readFileSync(svgFile.path, 'utf8');
    expect(svgText).toContain('Number at risk');
    expect(svgText).not.toMatch(/style="/);
    const png = readFileSync((await download(page, /Kaplan–Meier.*PNG/)).path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync((await download(page, /C-index.*PNG/)).path).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync((await download(page, /AUC.*SVG/)).path, 'utf8')).toContain('<svg');
    const curves = readCsv((await download(page, 'Kaplan–Meier curves CSV')).path);
    expect(curves.header).toEqual(['risk_group', 'time', 'n_risk', 'n_event', 'n_censor', 'surv', 'lower_95', 'upper_95']);
    expect(await page.textContent('#calibration-slope')).toMatch(/Calibration slope 1\.00/);

    await page.locator('#evaluate').scrollIntoViewIfNeeded();
    await screenshot(page, 'evaluate-desktop', { locator: '#evaluate' });
    await page.check('#km-ci');
    await screenshot(page, 'evaluate-km-bands', { locator: '#km-figure' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('re-runs with a small bootstrap, a seed and tertiles, and matches the CLI for that seed', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    const settings = { bootstrap: 200, permutations: 200, seed: 7, split: 'tertiles' };
    await evaluate(page, settings);
    const { s } = await expectCliAgreement(page, settings);
    expect(s.groups).toHaveLength(3);
    expect(await page.textContent('#eval-perm-p + small')).toContain('seed 7');
    expect(await page.isHidden('#evaluate-error')).toBe(true);
    await screenshot(page, 'evaluate-tertiles', { locator: '#km-figure' });
    await screenshot(page, 'evaluate-cindex-auc', { locator: '#evaluate .results-grid' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('takes the user\'s horizons, and shows a bad horizon beside its field', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    await evaluate(page, { horizons: '100, abc' });
    expect(await page.textContent('[data-error-for="horizons"]')).toContain('“abc” is not a number');
    expect(await page.getAttribute('#eval-horizons', 'aria-invalid')).toBe('true');
    await evaluate(page, { horizons: '180, 5000' });
    expect(await page.textContent('[data-error-for="horizons"]')).toMatch(/horizon 5000 is outside the follow-up/);
    expect(await page.textContent('#evaluate-error')).toContain('see the message beside the setting');
    expect(await page.evaluate(() => document.activeElement.id)).toBe('eval-horizons');
    await screenshot(page, 'evaluate-horizon-error', { locator: '#evaluate .eval-settings' });
    await evaluate(page, { horizons: '365; 180', bootstrap: 100, permutations: 100 });
    expect(await page.isHidden('[data-error-for="horizons"]')).toBe(true);
    expect(await page.getAttribute('#eval-horizons', 'aria-invalid')).toBeNull();
    await expectCliAgreement(page, { bootstrap: 100, permutations: 100, seed: 1, split: 'median', horizons: '180,365' });
    // The user's horizons stay through a new fit of the same data.
    await fit(page);
    expect(await page.inputValue('#eval-horizons')).toBe('365; 180');
    expect(await page.$$eval('#auc-table tbody tr', (r) => r.length)).toBe(2);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('cancels a long bootstrap and leaves the page responsive and usable', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    const before = await value(page, '#eval-c-lower');
    // Long enough (minutes) that Cancel surely interrupts it.
    await page.fill('#eval-bootstrap', '200000');
    await page.fill('#eval-permutations', '200000');
    await page.click('#btn-evaluate');
    // The progress bar names the stage and shows how far it is.
    await page.waitForFunction(() => !document.querySelector('#progress').hidden &&
      /Bootstrap of Harrell's C \(200,000 replicates\)/.test(document.querySelector('#progress-stage').textContent), null, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#progress-bar').hasAttribute('value'), null, { timeout: 30_000 });
    await screenshot(page, 'evaluate-progress');
    // The page stays usable while the worker computes: the tabs switch and the job is still running
    // (how fast is a benchmark question, not a test assertion).
    await page.click('#tab-learn');
    expect(await page.isVisible('#panel-learn')).toBe(true);
    await page.click('#tab-fit');
    expect(await page.isVisible('#panel-fit')).toBe(true);
    expect(await page.isHidden('#progress')).toBe(false);
    await page.click('#progress-cancel');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle', null, { timeout: 30_000 });
    expect(await page.isHidden('#progress')).toBe(true);
    expect(await page.textContent('#evaluate-error')).toMatch(/Cancelled\. The evaluation below is from the previous run/);
    // The previous evaluation is still there, and the button works again.
    expect(await value(page, '#eval-c-lower')).toBe(before);
    expect(await page.isEnabled('#btn-evaluate')).toBe(true);
    await screenshot(page, 'evaluate-cancelled', { locator: '#evaluate' });
    await evaluate(page, { bootstrap: 200, permutations: 200, seed: 3 });
    expect(await page.isHidden('#evaluate-error')).toBe(true);
    await expectCliAgreement(page, { bootstrap: 200, permutations: 200, seed: 3, split: 'median' });
    // A new fit (after the worker restart of a hard Cancel) works and is evaluated again.
    await fit(page);
    const reference = cli(['cox', '--data', join(EXAMPLE_DATA, 'lung.csv'), '--time', 'time', '--event', 'status', '--covariates', 'age,sex,ph.ecog']);
    expect((await shownC(page)).value).toBe(reference.concordance.c);
    expect(await value(page, '#eval-c')).toBe(reference.concordance.c);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px screen, works from the keyboard, and labels its controls', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung', ...PHONE });
    await expectFitsWidth(page, '#evaluate');
    await screenshotEach(page, [['mobile-evaluate-settings', '#evaluate .eval-settings'], ['mobile-evaluate-summary', '#eval-summary'],
      ['mobile-evaluate-km', '#km-figure'], ['mobile-evaluate-cindex', '#cindex-figure'], ['mobile-evaluate-auc', '#auc-figure']]);
    // Every control in the stage has a name; every table a caption.
    await expectLabelled(page, ['#evaluate'], { charts: false });
    // Keyboard: from "Run evaluation", Tab reaches the confidence-band switch; Space turns the bands on.
    await page.focus('#btn-evaluate');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'km-ci');
    }
    expect(reached).toBe(true);
    const areas = () => page.$$eval('#km-figure svg [fill-opacity]', (els) => els.length);
    const without = await areas();
    await page.keyboard.press('Space');
    expect(await page.isChecked('#km-ci')).toBe(true);
    expect(await areas()).toBeGreaterThan(without);
    // Enter on "Run evaluation" runs it.
    await page.fill('#eval-bootstrap', '100');
    await page.focus('#btn-evaluate');
    await act(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('#evaluate .stat small')).toContain('100 bootstrap replicates');
    expect(problems).toEqual([]);
    await context.close();
  });
});
