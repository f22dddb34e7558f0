// The Learn tab: "late vs early fusion" on simulated cohorts. The user sets the simulator (patients,
// availability and signal per modality, correlation, a cross-modal interaction, censoring, seeds),
// the worker simulates each cohort with the core's seeded simulator, fits and evaluates late and
// early fusion on it (web/lib fitAndEvaluateFusion) and returns every model's C-index on the
// common test patients; the page charts them and explains them in sentences built from the same
// numbers (learn-view.js).
import { h, $, replace, dataTable, tableWrap } from './dom.js';
import { showCancelled, clearCancelled } from './ui.js';
import { count } from './format.js';
import { saveText } from './download.js';
import { renderLearnResults } from './learn-view.js';
import { CancelledError } from '../lib/errors.js';
import { PRESET, LEARN_EVALUATION } from './presets.js';

export { PRESET, LEARN_EVALUATION };

const pct = (k, n) => Math.round((1000 * k) / n) / 10;   // one decimal, for display of the preset

/** The controls' default values (strings, as in the inputs). */
export function presetValues() {
  const v = {
    n: String(PRESET.n),
    complete: String(pct(PRESET.complete, PRESET.n)),
    correlation: String(PRESET.correlation),
    interaction: String(PRESET.interaction),
    mnar: '0',
    censoring: String(PRESET.censoring),
    seed: String(PRESET.seed),
    seeds: String(PRESET.seeds),
    bootstrap: String(PRESET.bootstrap),
  };
  for (const m of PRESET.modalities) {
    v[`avail-${m.name}`] = String(pct(m.available, PRESET.n));
    v[`signal-${m.name}`] = String(m.signal);
  }
  return v;
}

/**
 * Presets a teacher reaches for: each is the study-shaped cohort with a few settings changed (the
 * simulator's own options; seeds 5 where the point is a comparison over seeds).
 */
export const TEACHING_PRESETS = Object.freeze([
  { id: 'study', label: 'Study-shaped cohort', changes: {},
    note: 'The reference study’s shape: 444 patients, every modality for 114 of them.' },
  { id: 'complete', label: 'Complete data', changes: { complete: '100', ...Object.fromEntries(PRESET.modalities.map((m) => [`avail-${m.name}`, '100'])), seeds: '5' },
    note: 'Every patient has every modality: early fusion learns from everyone too, so it should match or beat late fusion.' },
  { id: 'interaction', label: 'Strong cross-modal interaction', changes: { interaction: '2', seeds: '5' },
    note: 'Much of the risk lies in the combination of two modalities, which late fusion cannot learn.' },
  { id: 'mnar', label: 'Missing not at random', changes: { mnar: '2', seeds: '5' },
    note: 'The higher a patient’s risk, the fewer modalities they tend to have: missingness itself carries information.' },
  { id: 'tiny', label: 'Tiny cohort (n = 100)', changes: { n: '100', seeds: '5' },
    note: '100 patients: every C-index is uncertain; watch the spread over seeds.' },
]);

/** Field definitions: id suffix, label, one-line explanation, range. */
function fieldDefs() {
  const [a, b] = PRESET.interactionBetween;
  return {
    cohort: [
      { key: 'n', label: 'Patients', help: 'Cohort size; the reference study had 444. Fewer patients = noisier models.', min: 40, max: 5000, step: 1, integer: true },
      { key: 'censoring', label: 'Censoring', help: 'Fraction of patients whose follow-up ends before the event (0 to 0.9).', min: 0, max: 0.9, step: 0.05 },
      { key: 'correlation', label: 'Correlation between modalities', help: 'How much the modalities’ hidden risk factors move together (0 = independent; high = they repeat each other).', min: 0, max: 0.95, step: 0.05 },
      { key: 'interaction', label: `Cross-modal interaction (${a} × ${b})`, help: `Risk that exists only in the combination of ${a} and ${b} (0 = none). Neither model here can learn it.`, min: -2, max: 2, step: 0.1 },
      { key: 'mnar', label: 'Missing not at random', help: 'How much a patient’s risk decides which modalities they lack (0 = not at all; 2 = strongly: high-risk patients have fewer). The counts per modality stay the same.', min: 0, max: 10, step: 0.5 },
    ],
    availability: [
      ...PRESET.modalities.map((m) => ({ key: `avail-${m.name}`, label: m.name, help: null, min: 0, max: 100, step: 0.1, modality: m.name })),
      { key: 'complete', label: 'All four', help: null, min: 0, max: 100, step: 0.1 },
    ],
    signal: PRESET.modalities.map((m) => ({ key: `signal-${m.name}`, label: m.name, help: null, min: 0, max: 3, step: 0.1, modality: m.name })),
    repeat: [
      { key: 'seed', label: 'First seed', help: 'Seed of the first cohort and its train/test split; the same seed gives the same numbers, here and in the latefuse CLI.', min: 0, max: 2 ** 31 - 1, step: 1, integer: true },
      { key: 'seeds', label: 'Seeds to repeat', help: 'How many cohorts (seeds seed, seed + 1, …) to simulate and fit; more seeds show how much results vary by chance.', min: 1, max: 50, step: 1, integer: true },
      { key: 'bootstrap', label: 'Bootstrap replicates', help: 'For the 95% interval of each C-index (0 = no interval); permutations for the p-value: 200.', min: 0, max: 5000, step: 1, integer: true },
    ],
  };
}

const inputId = (key) => `learn-${key}`;

export class LearnTab {
  /**
   * @param {{client: import('./protocol.js').WorkerClient, flow: import('./fit.js').FitFlow, announce: Function}} deps
   */
  constructor({ client, flow, announce }) {
    this.client = client;
    this.flow = flow;
    this.announce = announce;
    this.values = presetValues();
    this.cohort = null;
    this.view = null;
    this.el = {
      form: $('#learn-form'),
      simulate: $('#btn-learn-simulate'),
      run: $('#btn-learn-run'),
      presets: $('#learn-presets'),
      error: $('#learn-error'),
      cohort: $('#learn-cohort'),
      results: $('#learn-results'),
    };
    this.build();
  }

  build() {
    const defs = fieldDefs();
    const field = (d, { compact = false } = {}) => {
      const id = inputId(d.key);
      const describedBy = [d.help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' ');
      const input = h('input', {
        id, type: 'number', inputmode: d.integer ? 'numeric' : 'decimal', min: String(d.min), max: String(d.max), step: String(d.step),
        value: this.values[d.key], 'aria-describedby': describedBy, 'data-key': d.key,
      });
      input.addEventListener('input', () => { this.values[d.key] = input.value; this.fieldError(d.key, null); });
      return h('div', { class: compact ? 'field compact' : 'field' },
        h('label', { for: id }, d.label, compact && d.key.startsWith('avail') ? h('span', { class: 'unit' }, ' %') : null,
          compact && d.key === 'complete' ? h('span', { class: 'unit' }, ' %') : null),
        input,
        d.help ? h('p', { class: 'help', id: `${id}-help` }, d.help) : null,
        h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
    };
    replace(this.el.form,
      h('div', { class: 'grid learn-settings' }, defs.cohort.map((d) => field(d))),
      h('fieldset', { class: 'learn-group', id: 'learn-availability', 'aria-describedby': 'learn-availability-help learn-availability-error' },
        h('legend', {}, 'Availability: % of patients with each modality'),
        h('p', { class: 'help', id: 'learn-availability-help' },
          '“All four” = patients with every modality: the only ones complete-case early fusion can learn from. Left at the preset, the reference study’s exact pattern of who has what is used.'),
        h('div', { class: 'grid compact-grid' }, defs.availability.map((d) => field(d, { compact: true }))),
        h('p', { class: 'field-error', id: 'learn-availability-error', hidden: true })),
      h('fieldset', { class: 'learn-group', id: 'learn-signal', 'aria-describedby': 'learn-signal-help' },
        h('legend', {}, 'Signal: log hazard ratio per SD of each modality’s hidden risk factor'),
        h('p', { class: 'help', id: 'learn-signal-help' }, '0 = the modality carries no information about survival; 0.8 (the preset) is a hazard ratio of 2.2 per SD.'),
        h('div', { class: 'grid compact-grid' }, defs.signal.map((d) => field(d, { compact: true })))),
      h('div', { class: 'grid learn-settings' }, defs.repeat.map((d) => field(d))));
    replace(this.el.presets, TEACHING_PRESETS.map((p) => h('button', {
      type: 'button', id: `btn-learn-preset-${p.id}`, 'aria-describedby': 'learn-preset-note', onclick: () => this.applyPreset(p),
    }, p.label)));
    this.el.form.addEventListener('input', () => this.renderDiagram());
    // Projector mode: larger text in the Learn tab's charts and sentences (styles.css), charts redrawn.
    $('#learn-projector').addEventListener('change', (e) => {
      $('#panel-learn').classList.toggle('projector', e.target.checked);
      this.redraw?.();
    });
    this.renderDiagram();
    this.el.simulate.addEventListener('click', () => this.flow.enqueue(() => this.simulateNow()));
    this.el.run.addEventListener('click', () => this.flow.enqueue(() => this.runNow()));
  }

  /**
   * The two pipelines drawn from the current settings: late fusion (one submodel per modality, each
   * learning from the patients who have it, then an integrator per availability pattern) and
   * complete-case early fusion (one model on every feature, learning only from the patients with
   * every modality). Counts are the settings' (before the train/test split); the study shape's exact
   * pattern table is used when availability is left at the preset.
   */
  renderDiagram() {
    const box = $('#learn-diagram');
    if (!box) return;
    const v = Object.fromEntries(Object.entries(this.values).map(([k, x]) => [k, Number(x)]));
    const n = Number.isInteger(v.n) && v.n > 0 ? v.n : null;
    const patients = (percent) => (n && Number.isFinite(percent) ? Math.round((percent / 100) * n) : null);
    const num = (x) => (x === null ? '?' : count(x));
    const complete = patients(v.complete);
    const features = PRESET.modalities.reduce((a, m) => a + m.features, 0);
    const stage = (title, detail, cls = '') => h('div', { class: `pipe-box ${cls}` }, h('strong', {}, title), h('span', {}, detail));
    const arrow = () => h('span', { class: 'pipe-arrow', 'aria-hidden': 'true' }, '→');
    replace(box,
      h('figcaption', {}, `The two pipelines on these settings (${num(n)} patients, before the train/test split)`),
      h('div', { class: 'pipe-row', role: 'group', 'aria-label': 'Late fusion' },
        h('span', { class: 'pipe-name' }, 'Late fusion'),
        h('div', { class: 'pipe-stack' }, PRESET.modalities.map((m) => stage(`${m.name} submodel`, `${num(patients(v[`avail-${m.name}`]))} patients`))),
        arrow(),
        stage('Integrator per pattern', `combines the scores each patient has: all ${num(n)} patients`, 'late'),
      ),
      h('div', { class: 'pipe-row', role: 'group', 'aria-label': 'Complete-case early fusion' },
        h('span', { class: 'pipe-name' }, 'Early fusion'),
        stage('All features together', `${count(features)} columns of ${PRESET.modalities.length} modalities`),
        arrow(),
        stage('One Cox model', `only the patients with every modality: ${num(complete)}`, 'early')));
  }


  applyPreset(preset = TEACHING_PRESETS[0]) {
    this.values = { ...presetValues(), ...preset.changes };
    for (const [key, value] of Object.entries(this.values)) {
      const input = /** @type {HTMLInputElement|null} */ (document.getElementById(inputId(key)));
      if (input) input.value = value;
      this.fieldError(key, null);
    }
    this.clearErrors();
    $('#learn-preset-note').textContent = preset.note;
    for (const b of this.el.presets.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.id === `btn-learn-preset-${preset.id}`));
    this.renderDiagram();
    this.announce(`Simulator set: ${preset.label}. ${preset.note}`);
  }

  fieldError(key, message) {
    const el = document.getElementById(`${inputId(key)}-error`);
    const input = document.getElementById(inputId(key));
    if (!el || !input) return false;
    el.textContent = message ?? '';
    el.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return true;
  }

  groupError(group, message) {
    const el = document.getElementById(`learn-${group}-error`);
    el.textContent = message ?? '';
    el.hidden = !message;
  }

  clearErrors() {
    for (const key of Object.keys(this.values)) this.fieldError(key, null);
    this.groupError('availability', null);
    this.el.error.hidden = true;
    this.el.error.textContent = '';
    clearCancelled(this.el.error);
  }

  showError(message) {
    clearCancelled(this.el.error);
    this.el.error.hidden = false;
    this.el.error.textContent = message;
  }

  /**
   * Read and check the controls. Returns {simulation, seeds, bootstrap} or null (errors shown beside
   * the controls). The simulation request is what web/lib `simulate` (and `latefuse simulate`) take.
   */
  read() {
    this.clearErrors();
    const defs = fieldDefs();
    const all = [...defs.cohort, ...defs.availability, ...defs.signal, ...defs.repeat];
    const v = {};
    let bad = null;
    for (const d of all) {
      const raw = String(this.values[d.key] ?? '').trim();
      const x = Number(raw);
      let message = null;
      if (raw === '' || !Number.isFinite(x)) message = `${d.label}: give a number from ${d.min} to ${d.max}`;
      else if (d.integer && !Number.isInteger(x)) message = `${d.label}: give a whole number`;
      else if (x < d.min || x > d.max) message = `${d.label}: give a number from ${d.min} to ${d.max}`;
      if (message) {
        this.fieldError(d.key, message);
        bad ??= d.key;
      }
      v[d.key] = x;
    }
    if (bad) {
      document.getElementById(inputId(bad))?.focus();
      this.showError('Some settings need your attention (marked above).');
      return null;
    }
    const n = v.n;
    const simulation = {
      preset: 'hgsoc',
      n,
      seed: v.seed,
      signal: Object.fromEntries(PRESET.modalities.map((m) => [m.name, v[`signal-${m.name}`]])),
      correlation: v.correlation,
      interaction: v.interaction,
      interactionBetween: [...PRESET.interactionBetween],
      censoring: v.censoring,
    };
    if (v.mnar !== 0) simulation.missingNotAtRandom = v.mnar;
    // Availability: left at the preset, the core rescales the study's exact pattern table to n;
    // changed, every modality's count and the complete cases are given (exact construction).
    const preset = presetValues();
    const changed = [...PRESET.modalities.map((m) => `avail-${m.name}`), 'complete'].some((k) => Number(this.values[k]) !== Number(preset[k]));
    if (changed) {
      simulation.availability = Object.fromEntries(PRESET.modalities.map((m) => [m.name, Math.round((v[`avail-${m.name}`] / 100) * n)]));
      simulation.complete = Math.round((v.complete / 100) * n);
    }
    return { simulation, seeds: v.seeds, bootstrap: v.bootstrap };
  }

  /** Place an error of the core (InputError) beside the control it is about. */
  placeCoreError(error) {
    const m = (error.message ?? '').replace(/^simulate: /, '');
    if (/availab|complete|patients with|pattern/i.test(m)) { this.groupError('availability', m); return true; }
    if (/missing-not-at-random/i.test(m)) return this.fieldError('mnar', m);
    for (const key of ['correlation', 'censoring', 'interaction', 'seed']) {
      if (new RegExp(key, 'i').test(m)) return this.fieldError(key, m);
    }
    if (/\bn\b|cohort size/i.test(m)) return this.fieldError('n', m);
    if (/signal/i.test(m)) return this.fieldError(`signal-${PRESET.modalities[0].name}`, m);
    return false;
  }

  async request(type, payload, label) {
    return this.flow.run(type, payload, label);
  }

  setBusy(busy) {
    this.el.simulate.disabled = busy;
    this.el.run.disabled = busy;
    for (const b of this.el.presets.querySelectorAll('button')) b.disabled = busy;
    $('#learn-card').setAttribute('aria-busy', String(busy));
  }

  /** Simulate one cohort (the first seed) and show who has which modality. */
  async simulateNow() {
    const input = this.read();
    if (!input) return null;
    this.setBusy(true);
    try {
      const cohort = await this.request('simulate', input.simulation, 'Simulating the cohort');
      this.cohort = cohort;
      this.renderCohort(cohort);
      this.announce(`Simulated ${cohort.n} patients, ${cohort.events} events; ${cohort.complete} have every modality.`);
      return cohort;
    } catch (error) {
      this.fail(error, 'The cohort could not be simulated');
      return null;
    } finally {
      this.setBusy(false);
    }
  }

  fail(error, what) {
    if (error instanceof CancelledError) {
      this.announce('Cancelled.');
      showCancelled(this.el.error, this.view ? 'Cancelled. The results below are from the previous run.' : 'Cancelled.');
      return;
    }
    const placed = this.placeCoreError(error);
    this.showError(placed ? `${what}: see the message beside the setting above.` : `${what}: ${error.message}`);
  }

  /** The simulated cohort: counts of each availability pattern (computed by the core), a preview, the CSV. */
  renderCohort(cohort) {
    const mods = cohort.modalities.map((m) => m.name);
    const patterns = [...cohort.patterns].sort((a, b) => b.modalities.length - a.modalities.length || b.patients - a.patients);
    const table = dataTable({
      className: 'data keep-heads patterns',
      caption: `Who has which modality: ${count(cohort.n)} patients in ${patterns.length} availability patterns`,
      columns: ['Pattern', ...mods, 'Patients'],
      rows: patterns.map((p) => [
        p.modalities.length === mods.length ? 'all modalities' : p.modalities.length === 0 ? 'none' : p.modalities.join(' + '),
        ...mods.map((m) => (p.modalities.includes(m) ? h('span', { class: 'has', 'aria-label': 'yes' }, '●') : h('span', { class: 'lacks', 'aria-label': 'no' }, '·'))),
        h('span', { class: 'num', 'data-value': String(p.patients) }, count(p.patients)),
      ]),
    });
    table.id = 'learn-patterns';
    const preview = dataTable({
      className: 'data preview keep-heads',
      caption: `First ${cohort.preview.rows.length} patients (id, time, event and the first column of each modality; — = not measured)`,
      columns: cohort.preview.columns,
      rows: cohort.preview.rows.map((r) => r.map((cell) => (cell === '' ? h('span', { class: 'missing' }, '—') : cell))),
      rowHeader: true,
    });
    const summary = `Seed ${cohort.seed}: ${count(cohort.n)} patients, ${count(cohort.events)} events, ${count(cohort.censored)} censored. ` +
      `${cohort.modalities.map((m) => `${m.name} ${count(m.available)}`).join(', ')}; ${count(cohort.complete)} have all ${mods.length === 4 ? 'four' : mods.length}.`;
    replace(this.el.cohort,
      h('h3', {}, 'The simulated cohort'),
      h('p', { id: 'learn-cohort-summary' }, summary),
      tableWrap(table, 'Availability patterns'),
      tableWrap(preview, 'Preview of the simulated data'),
      h('div', { class: 'downloads' },
        h('button', { type: 'button', class: 'small', onclick: () => saveText(`simulated-hgsoc-seed${cohort.seed}.csv`, cohort.csv, 'text/csv') }, 'Simulated data CSV')));
    this.el.cohort.hidden = false;
  }

  /** Simulate, fit and evaluate for each seed; chart and explain. */
  async runNow() {
    const input = this.read();
    if (!input) return null;
    this.setBusy(true);
    try {
      const payload = {
        simulation: input.simulation,
        seeds: input.seeds,
        evaluation: { ...LEARN_EVALUATION, bootstrap: input.bootstrap },
      };
      const out = await this.request('learn', payload, `Simulating and fitting ${input.seeds} ${input.seeds === 1 ? 'cohort' : 'cohorts'}`);
      this.view = renderLearnResults(this.el.results, out, { settings: input });
      this.el.results.hidden = false;
      this.announce(this.view.headline);
      return out;
    } catch (error) {
      this.fail(error, 'The comparison could not run');
      return null;
    } finally {
      this.setBusy(false);
    }
  }

  redraw() {
    this.view?.redraw();
  }
}
