// Late fusion with a BINARY outcome on the user's own files, done as a user would: the simulator's
// binary cohort (`latefuse simulate --preset hgsoc --outcome binary --seed 5`) split into an outcome
// file (id, y) and one file per modality, uploaded through the file input; the page guesses a binary
// outcome (no follow-up time, a 0/1 column "y"), the user sets the seed and resampling, runs. Every
// number on screen is compared with `latefuse fuse --outcome y` on the same files and seed
// (report.json): AUC of every model (bootstrap and DeLong CIs, p), Brier and calibration, the risk
// groups' proportions with Wilson CIs and the chi-square p, odds ratios, Kendall's tau, the summary;
// the model, report and predictions downloads are the CLI's (`latefuse fuse`, `latefuse score`).
// Also: an outcome column with a value other than 0/1 shows the file, row and patient beside the
// "Outcome column" control and keeps every setting; elastic-net selection is refused for a binary
// outcome beside its setting. Screenshots at desktop and 390 px widths.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, openApp, screenshot, act, upload, PHONE, download, expectFitsWidth, expectLabelled, screenshotEach, cliIn, runFusion, simulatedCohortFiles,
} from './helpers.js';

let env;
let dir;
let files;
const SEED = 5;
const MODALITIES = ['radiomics', 'histopathology', 'genomic', 'clinical'];
const DATA = ['outcome.csv', ...MODALITIES.map((m) => `${m}.csv`)];

beforeAll(async () => {
  env = await launch();
  ({ dir, files } = simulatedCohortFiles('latefuse-fusion-binary-', ['--preset', 'hgsoc', '--outcome', 'binary', '--seed', String(SEED)], MODALITIES,
    { outcome: ['id', 'y'] }));
});
afterAll(async () => { await env?.close(); });

const value = (page, sel) => page.$eval(sel, (el) => Number(el.dataset.value));
const f3 = (x) => x.toFixed(3);
const pct = (x, d = 0) => `${(x * 100).toFixed(d)}%`;
const p4 = (p) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);
const modalityNames = (page) => page.$$eval('#modalities .modality[data-modality] .modality-head input', (els) => els.map((e) => e.value));

describe('Late fusion with a binary outcome on uploaded files', () => {
  it('guesses the binary outcome, runs, and shows `latefuse fuse --outcome`\'s numbers; downloads are the CLI\'s', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, DATA.map((f) => join(dir, f)));
    // Guesses: join on id, late fusion, a binary outcome "y" (no follow-up time in the data).
    expect(await page.inputValue('#join-select')).toBe('id');
    expect(await page.isChecked('#model-fusion')).toBe(true);
    expect(await page.isChecked('#outcome-binary')).toBe(true);
    expect(await page.isVisible('#role-outcome')).toBe(true);
    expect(await page.isVisible('#role-time')).toBe(false);
    expect(await page.inputValue('#role-outcome')).toBe('y');
    expect(await modalityNames(page)).toEqual(MODALITIES);
    expect(await page.textContent('#fusion-coverage')).toMatch(/outcome\.csv defines the cohort: 444 patients with an outcome \(232 cases, 212 controls\)/);
    // Survival-only settings are not offered; elastic net is marked survival-only.
    expect(await page.isHidden('[data-field="horizons"]')).toBe(true);
    expect(await page.isHidden('[data-field="timeUnit"]')).toBe(true);
    expect(await page.textContent('#fs-selection option[value="elasticnet"]')).toContain('survival only');
    await page.fill('#fs-seed', String(SEED));
    await page.fill('#fs-bootstrap', '300');
    await page.fill('#fs-permutations', '300');
    await screenshot(page, 'fusion-binary-setup', { locator: '#setup' });

    await runFusion(page);

    const modalityArgs = MODALITIES.flatMap((m) => ['--modality', `${m}=${m}_*`]);
    cliIn(dir, ['fuse', ...DATA.flatMap((f) => ['--data', f]), '--id', 'id', '--outcome', 'y', ...modalityArgs, '--seed', String(SEED),
      '--bootstrap', '300', '--permutations', '300', '--model-out', 'model.json', '--report-out', 'report.json']);
    const ref = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(ref.settings.outcome_type).toBe('binary');

    // Every model's AUC (common and all test patients), bootstrap and DeLong CIs, p, Brier, calibration.
    const rows = await page.$$eval('#fusion-cindex-table tbody tr', (trs) => trs.map((tr) => {
      const get = (subset) => tr.querySelector(`[data-subset="${subset}"]`);
      const metric = (k) => Number(tr.querySelector(`[data-metric="${k}"]`).dataset.value);
      return {
        name: get('common').dataset.model, common: Number(get('common').dataset.value), test: Number(get('test').dataset.value),
        brier: metric('brier'), intercept: metric('calibration-intercept'), slope: metric('calibration-slope'), text: [...tr.children].map((c) => c.textContent),
      };
    }));
    expect(rows.map((r) => r.name).sort()).toEqual(ref.models.map((m) => m.name).sort());
    for (const m of ref.models) {
      const r = rows.find((x) => x.name === m.name);
      expect(r.common, m.name).toBe(m.common.c);
      expect(r.test, m.name).toBe(m.test.c);
      expect(r.brier, m.name).toBe(m.test.brier);
      expect(r.intercept, m.name).toBe(m.test.calibration_intercept);
      expect(r.slope, m.name).toBe(m.test.calibration_slope);
      expect(r.text).toContain(`${f3(m.test.c_lower)}–${f3(m.test.c_upper)}`);
      expect(r.text).toContain(`${f3(m.test.delong_lower)}–${f3(m.test.delong_upper)}`);
      expect(r.text).toContain(m.test.permutation_p < 0.0001 ? '< 0.0001' : m.test.permutation_p.toFixed(4));
      expect(r.text).toContain(`${m.test.n} (${m.test.cases})`);
    }
    const late = ref.models.find((m) => m.kind === 'late');
    const early = ref.models.find((m) => m.kind === 'early');
    expect(await value(page, '#fusion-late-c')).toBe(late.common.c);
    expect(await value(page, '#fusion-late-c-all')).toBe(late.test.c);
    expect(await value(page, '#fusion-early-c')).toBe(early.common.c);
    expect(await value(page, '#fusion-chisq-p')).toBe(ref.risk_groups.test.chisq_p);
    expect(await page.$eval('#fusion-cindex-common svg', (s) => s.getAttribute('aria-description'))).toContain(`Late fusion (late fusion): AUC ${f3(late.common.c)}, 95% CI ${f3(late.common.c_lower)} to ${f3(late.common.c_upper)}`);
    expect(await page.$eval('#fusion-cindex-common svg', (s) => s.textContent)).toContain('AUC');
    // No Kaplan–Meier, no AUC(t) for a binary outcome.
    expect(await page.locator('#fusion-km').count()).toBe(0);
    expect(await page.locator('#fusion-auc').count()).toBe(0);

    // Risk groups: observed proportions with Wilson CIs, chi-square.
    const groups = await page.$$eval('#fusion-proportions-table tbody tr', (trs) => trs.map((tr) => {
      const v = [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value));
      const ci = tr.querySelector('[data-lower]');
      return { n: v[0], cases: v[1], proportion: v[2], lower: Number(ci.dataset.lower), upper: Number(ci.dataset.upper), text: tr.textContent };
    }));
    expect(groups).toHaveLength(ref.risk_groups.test.groups.length);
    ref.risk_groups.test.groups.forEach((g, i) => {
      expect(groups[i]).toMatchObject({ n: g.n, cases: g.cases, proportion: g.proportion, lower: g.proportion_lower, upper: g.proportion_upper });
      expect(groups[i].text).toContain(`${pct(g.proportion_lower, 1)}–${pct(g.proportion_upper, 1)}`);
    });
    expect((await page.textContent('#fusion-proportions figcaption')).replace(/\u00a0/g, ' ')).toContain(`χ² = ${ref.risk_groups.test.chisq.toFixed(2)} on ${ref.risk_groups.test.chisq_df} df, ${p4(ref.risk_groups.test.chisq_p)}`);
    expect(await page.$eval('#fusion-proportions svg', (s) => s.getAttribute('aria-description'))).toContain(
      `${ref.risk_groups.test.groups[0].cases} cases of ${ref.risk_groups.test.groups[0].n} patients, ${pct(ref.risk_groups.test.groups[0].proportion, 1)}`);

    // The summary states the same numbers.
    const summary = (await page.textContent('#fusion-summary')).replace(/\u00a0/g, ' ');
    expect(summary).toContain(`Late fusion of radiomics, histopathology, genomic and clinical: AUC = ${f3(late.common.c)} (${f3(late.common.c_lower)}–${f3(late.common.c_upper)}) on the ${late.common.n} test patients`);
    expect(summary).toContain(`late fusion's AUC = ${f3(late.test.c)}`);
    const [low, high] = [ref.risk_groups.test.groups[0], ref.risk_groups.test.groups.at(-1)];
    expect(summary).toContain(`${pct(high.proportion)} (95% CI ${pct(high.proportion_lower)}–${pct(high.proportion_upper)}) of the high-risk test patients had the outcome (“y” = 1) vs ${pct(low.proportion)}`);
    expect(summary).toContain(`chi-square ${p4(ref.risk_groups.test.chisq_p)}`);
    expect(summary).toContain(`intercept ${late.test.calibration_intercept.toFixed(2)}`);
    expect(summary).toContain(`slope ${late.test.calibration_slope.toFixed(2)}`);
    expect(summary).toContain(`Brier score ${f3(late.test.brier)}`);
    for (const k of ref.comparisons) expect(summary).toContain(`ΔAUC = ${f3(k.delta_c)}`);
    expect(await page.textContent('#fusion .meta')).toContain('444 patients, 232 cases and 212 controls');

    // Calibration: the report's intercept, slope and Brier of late fusion beside the curve.
    expect(await value(page, '#fusion-calibration-slope [data-metric="intercept"]')).toBe(late.test.calibration_intercept);
    expect(await value(page, '#fusion-calibration-slope [data-metric="slope"]')).toBe(late.test.calibration_slope);
    expect(await value(page, '#fusion-calibration-slope [data-metric="brier"]')).toBe(late.test.brier);

    // Kendall's tau as before; odds ratios of every submodel.
    const kt = await page.$$eval('#fusion-kendall-table tbody tr', (trs) => trs.map((tr) => Number(tr.querySelector('[data-value]').dataset.value)));
    const tau = [];
    ref.kendall.modalities.forEach((a, i) => ref.kendall.modalities.forEach((b, j) => { if (i < j) tau.push(ref.kendall.tau[i][j]); }));
    expect(kt).toEqual(tau);
    for (const m of ref.modalities) {
      await page.selectOption('#fusion-forest-unimodal-select', { label: m });
      const coef = await page.$$eval('#fusion-coef-unimodal tbody tr', (trs) => trs.map((tr) => {
        const v = [...tr.querySelectorAll('[data-value]')].map((s) => Number(s.dataset.value));
        return [tr.children[0].textContent, v[0], v[1]];
      }));
      expect(coef).toEqual(ref.coefficients.find((t) => t.model === m).terms.map((t) => [t.name, t.coef, t.or]));
    }
    expect(await page.$$eval('#fusion-coef-unimodal thead th', (ths) => ths.map((t) => t.textContent))).toContain('OR');
    const forest = await page.$eval('#fusion-forest-unimodal svg', (s) => ({ text: s.textContent, description: s.getAttribute('aria-description') }));
    expect(forest.text).toContain('Odds ratio');
    expect(forest.description).not.toContain('(Intercept)');

    // Downloads: the model and predictions byte for byte; the report the CLI's document but for its compute time.
    expect(readFileSync((await download(page, 'Model JSON')).path, 'utf8')).toBe(readFileSync(join(dir, 'model.json'), 'utf8'));
    // A binary model keeps no per-patient training rows, so no privacy note.
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).integrator_training).toBeUndefined();
    expect(await page.getByTestId('model-privacy').count()).toBe(0);
    const report = JSON.parse(readFileSync((await download(page, 'Report JSON')).path, 'utf8'));
    const expected = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    delete report.compute_ms;
    delete expected.compute_ms;
    expect(report).toEqual(expected);
    cliIn(dir, ['score', '--model', 'model.json', ...DATA.flatMap((f) => ['--data', f]), '--id', 'id', '--out', 'predictions.csv']);
    const predictions = readFileSync((await download(page, 'Predictions CSV (every patient)')).path, 'utf8');
    expect(predictions).toBe(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
    expect(predictions.split('\n')[0]).toBe(`id,pattern,${MODALITIES.map((m) => `${m}_score`).join(',')},fused_lp,risk_group,probability,percentile,integrator,note,${MODALITIES.map((m) => `${m}_contribution`).join(',')}`);
    // Per-patient test scores: id, y, score, group, probability = the CLI's predictions for those patients.
    const scores = readFileSync((await download(page, 'Per-patient scores CSV')).path, 'utf8').trim().split('\n');
    expect(scores[0]).toBe('id,y,late_fusion_score,risk_group,probability');
    expect(scores.length - 1).toBe(ref.split.test);
    const predicted = Object.fromEntries(predictions.trim().split('\n').slice(1).map((l) => l.split(',')).map((c) => [c[0], c[7 + 1]]));
    const outcome = Object.fromEntries(readFileSync(files.outcome, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')));
    for (const line of scores.slice(1)) {
      const [id, y, score, , probability] = line.split(',');
      expect(y).toBe(outcome[id]);
      expect(probability).toBe(predicted[id]);
      expect(Number(score)).toBe(ref.test_patients.late_score[ref.test_patients.ids.indexOf(id)]);
    }

    // Charts: described, with SVG/PNG downloads; controls labelled.
    for (const id of ['fusion-cindex-common', 'fusion-cindex-all', 'fusion-proportions', 'fusion-kendall', 'fusion-calibration', 'fusion-forest-unimodal', 'fusion-forest-integrator']) {
      expect(await page.$$eval(`#${id} .downloads button`, (bs) => bs.map((b) => b.textContent)), id).toEqual(['Download SVG', 'Download PNG']);
    }
    expect(await page.$$eval('#fusion svg[role="img"]', (svgs) => svgs.filter((s) => !s.getAttribute('aria-label') || !s.getAttribute('aria-description')).length)).toBe(0);
    await expectLabelled(page, ['#setup', '#fusion'], { tables: false, charts: false });

    await screenshot(page, 'fusion-binary-desktop', { fullPage: true });
    await screenshotEach(page, [['fusion-binary-summary', '#fusion .summary'], ['fusion-binary-auc', '#fusion-cindex-common'], ['fusion-binary-table', '#fusion-cindex-table'],
      ['fusion-binary-groups', '#fusion-proportions'], ['fusion-binary-calibration', '#fusion-calibration'], ['fusion-binary-forest', '#fusion-forest-unimodal']]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says which row of the outcome column is not 0/1, beside the control, and keeps every setting', async () => {
    const lines = readFileSync(files.outcome, 'utf8').trim().split('\n');
    const bad = lines.map((l, i) => (i === 5 ? l.replace(/,[01]$/, ',2') : l)).join('\n') + '\n';   // data row 5: y = 2
    const sub = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(sub, 'outcome.csv'), bad);
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await upload(page, [join(sub, 'outcome.csv'), files.radiomics, files.clinical]);
    // "y" has 0, 1 and 2: not guessed as a binary outcome; the user chooses it.
    await page.fill('#fs-seed', '11');
    await page.fill('#fs-bootstrap', '40');
    await page.selectOption('#fs-riskGroups', 'tertiles');
    await act(page, () => page.check('#outcome-binary'));
    await act(page, () => page.selectOption('#role-outcome', 'y'));
    const error = page.locator('[data-error-for="outcome"]');
    await expect.poll(() => error.textContent()).toMatch(/outcome\.csv: outcome column "y" must be 0\/1 or TRUE\/FALSE but row 5 \(patient "[^"]+"\) has "2"/);
    expect(await page.getAttribute('#role-outcome', 'aria-invalid')).toBe('true');
    await act(page, () => page.click('#btn-fuse'));
    expect(await error.textContent()).toMatch(/row 5 \(patient "[^"]+"\) has "2"; recode it \(1 = case, 0 = control\)/);
    expect(await page.textContent('#fuse-error')).toContain('beside “Outcome column (0/1)”');
    await page.locator('#setup').scrollIntoViewIfNeeded();
    await screenshot(page, 'fusion-binary-bad-outcome', { locator: '#setup' });
    const kept = async () => {
      expect(await page.isChecked('#outcome-binary')).toBe(true);
      expect(await page.inputValue('#role-outcome')).toBe('y');
      expect(await page.inputValue('#fs-seed')).toBe('11');
      expect(await page.inputValue('#fs-bootstrap')).toBe('40');
      expect(await page.inputValue('#fs-riskGroups')).toBe('tertiles');
    };
    await kept();
    // Elastic net needs a survival outcome: said beside the setting, before anything runs.
    await page.selectOption('#fs-selection', 'elasticnet');
    expect(await page.isHidden('[data-field="alpha"]')).toBe(true);
    // The corrected file: the message goes, the choices stay.
    await upload(page, files.outcome);
    expect(await page.isHidden('[data-error-for="outcome"]')).toBe(true);
    await kept();
    await act(page, () => page.click('#btn-fuse'));
    expect(await page.textContent('[data-error-for="setting:selection"]')).toContain('Elastic-net selection needs a survival outcome');
    await page.selectOption('#fs-selection', 'none');
    await runFusion(page);
    expect(await page.isVisible('#fusion-proportions-table')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px screen: the outcome choice and the binary results', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0', ...PHONE });
    await upload(page, DATA.map((f) => join(dir, f)));
    await expectFitsWidth(page, '#setup');
    await page.locator('#outcome-choice').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-fusion-binary-roles', { locator: '#roles' });
    await page.fill('#fs-bootstrap', '100');
    await page.fill('#fs-permutations', '100');
    await act(page, () => page.click('#btn-fuse'), 180_000);
    await expectFitsWidth(page, '#fusion');
    await screenshotEach(page, [['mobile-fusion-binary-summary', '#fusion .summary'], ['mobile-fusion-binary-auc', '#fusion-cindex-common'],
      ['mobile-fusion-binary-groups', '#fusion-proportions'], ['mobile-fusion-binary-calibration', '#fusion-calibration']]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
