// The Fit flow's late-fusion path: the Modalities step (modalities.js), the settings
// (fusion-settings.js), the check of the join as late fusion will make it (who is in which file),
// the run in the worker with progress and Cancel, its errors beside the control they concern (a
// role, the join, a modality, a file, a setting named in the core's message), and the results
// (fusion-view.js).
import { h } from './dom.js';
import { ModalityEditor } from './modalities.js';
import {
  defaultFusionSettings, renderFusionSettings, checkFusionSettings, engineOptions, outcomeRoles, fusionFieldId, FUSION_FIELDS,
} from './fusion-settings.js';
import { ROLE_FIELDS } from './fit-roles.js';
import { renderFusionResults } from './fusion-view.js';
import { CancelledError } from '../lib/errors.js';
import { showCancelled, clearCancelled } from './ui.js';

/**
 * A core error about one setting is placed beside it when its message names the setting (e.g.
 * "selection 'elasticnet' needs ..."): [pattern of the message, the setting's key], first match wins.
 * @type {Array<[RegExp, string]>}
 */
const SETTING_IN_MESSAGE = [[/\bselection\b/i, 'selection'], [/min.?pattern/i, 'minPatternSize'], [/test.?fraction/i, 'testFraction'], [/horizon/i, 'horizons'],
  [/integrator.?penal/i, 'integratorPenalizer'], [/penali[sz]er/i, 'penalizer'], [/\bpresence\b/i, 'presence'], [/\bscaling\b/i, 'scaling'],
  [/\bfolds?\b/i, 'folds'], [/\brepeats\b/i, 'repeats'], [/\bbootstrap\b/i, 'bootstrap'], [/\bpermutations?\b/i, 'permutations'], [/\bseed\b/i, 'seed']];

export class FusionFlow {
  /** @param {import('./fit.js').FitFlow} flow */
  constructor(flow) {
    this.flow = flow;
    /** the settings form's values (fusion-settings.js) */
    this.settings = defaultFusionSettings();
    this.outcomeUser = false;     // the user chose the outcome kind (else guessed from the columns)
    /** @type {any} the last run on the user's files (worker-fusion.js fuseDataRequest + source) */
    this.result = null;
    /** @type {{redraw: () => void, headline: string}|null} */
    this.view = null;
    /** @type {any} the summary of the last join check (null: not checked, or it failed) */
    this.checked = null;
    this.el = {
      section: /** @type {HTMLElement} */ (document.getElementById('fusion')),
      setup: /** @type {HTMLElement} */ (document.getElementById('fusion-setup')),
      fuseButton: /** @type {HTMLButtonElement} */ (document.getElementById('btn-fuse')),
      fuseError: /** @type {HTMLElement} */ (document.getElementById('fuse-error')),
      coverage: /** @type {HTMLElement} */ (document.getElementById('fusion-coverage')),
      modError: /** @type {HTMLElement} */ (document.getElementById('mod-error')),
    };
    this.modalities = new ModalityEditor(document.getElementById('modalities'), {
      onChange: (message) => {
        flow.columns.adopt();
        this.updateModalityCount();
        this.markStale();
        if (message) flow.announce(message);
      },
    });
    this.el.fuseButton.addEventListener('click', () => this.fuse());
  }

  /** The ID column late fusion joins on: the join column (several files) or the ID role (one file). */
  idColumn() {
    return this.flow.files.ready().length > 1 ? this.flow.join.value : this.flow.roles.id.value;
  }

  /** The columns that can be features: no role, not the ID or the split column. */
  candidates() {
    const flow = this.flow;
    const s = this.settings;
    const outcomeColumns = s.outcome === 'binary' ? [flow.roles.outcome.value] : [flow.roles.time.value, flow.roles.event.value];
    const used = new Set([...outcomeColumns, flow.roles.id.value, this.idColumn(),
      s.splitMode === 'column' ? s.splitColumn : ''].filter(Boolean));
    if (flow.summary.join) used.add(flow.summary.join.column);
    return flow.summary.columns.filter((c) => !used.has(c.name));
  }

  /** Redraw the Modalities step and the settings for the current data and roles. */
  refresh() {
    const flow = this.flow;
    if (!flow.summary) return;
    this.modalities.update(flow.summary, this.candidates(), flow.guess);
    this.modalities.render();
    this.updateModalityCount();
    this.renderSettings();
  }

  updateModalityCount() {
    const groups = this.modalities.groups();
    const cols = groups.reduce((a, g) => a + g.columns.length, 0);
    document.getElementById('mod-count').textContent = `${groups.length} modalit${groups.length === 1 ? 'y' : 'ies'}, ${cols} column${cols === 1 ? '' : 's'}`;
  }

  renderSettings() {
    const flow = this.flow;
    const box = document.getElementById('fusion-settings');
    renderFusionSettings(box, this.settings, {
      columns: flow.summary ? flow.summary.header : [],
      onChange: (key) => {
        flow.columns.adopt();
        flow.fieldError(`setting:${key}`, null);
        this.markStale();
        const field = FUSION_FIELDS.find((f) => f.key === key);
        // Choices that show/hide or lock other fields, or change which columns are features, redraw.
        if (key === 'referenceCompatible' || key === 'splitMode' || key === 'splitColumn' || field?.type === 'select') {
          const focus = document.activeElement?.id;
          if (key === 'splitMode' || key === 'splitColumn') this.refresh(); else this.renderSettings();
          if (focus) document.getElementById(focus)?.focus();
        }
      },
    });
  }

  /** Results on screen no longer match the data or the settings: say so above them. */
  markStale(message = 'The settings changed after these results were computed: press “Run late fusion” to update them.') {
    const section = this.el.section;
    if (!this.result || section.hidden || section.dataset.source !== 'data') return;
    let note = section.querySelector('.stale');
    if (!note) {
      note = h('p', { class: 'notice warn stale', role: 'note' });
      section.querySelector('h2')?.after(note);
    }
    note.textContent = message;
  }

  /** The request's roles (outcome columns by the outcome kind, ID, split column). */
  roles() {
    const flow = this.flow;
    const s = this.settings;
    return {
      id: this.idColumn() || undefined,
      ...outcomeRoles(s.outcome, { time: flow.roles.time.value, event: flow.roles.event.value, censored: flow.eventCensored, outcome: flow.roles.outcome.value }),
      split: s.splitMode === 'column' && s.splitColumn ? s.splitColumn : undefined,
    };
  }

  /** Join the files as late fusion will and show who is in which file; problems beside their controls. */
  async check() {
    const flow = this.flow;
    if (!flow.summary || flow.mode.value !== 'fusion') return;
    const roles = this.roles();
    const binary = this.settings.outcome === 'binary';
    this.clearErrors({ keepSettings: true });
    if (binary ? !roles.outcome : !roles.time || !roles.event) {
      this.el.coverage.textContent = binary ? 'Choose the outcome column (0/1).' : 'Choose the follow-up time and event columns.';
      return;
    }
    // Only the modalities that can run (columns, a valid name): the others show their own problem.
    const problems = this.modalities.problems();
    const usable = Object.fromEntries(this.modalities.groups().filter((g) => !problems[g.id]).map((g) => [g.name.trim(), g.columns]));
    try {
      await flow.ensureWorkerState();
      const { summary, preview } = await flow.client.call('fuseData', { keys: flow.files.readyKeys(), roles, modalities: usable, checkOnly: true });
      this.checked = summary;
      if (preview && flow.summary.files.length > 1) flow.files.renderFusionPreview(summary, preview);
      const files = summary.perFile.filter((f) => !f.outcome);
      this.el.coverage.textContent = `${summary.outcomeFile} defines the cohort: ${summary.patients.toLocaleString('en-US')} patients ` +
        (binary ? `with an outcome (${summary.events.toLocaleString('en-US')} cases, ${summary.controls.toLocaleString('en-US')} controls)` : 'with a time and an event') +
        (summary.dropped ? ` (${summary.dropped} without were left out)` : '') +
        (files.length ? `; ${files.map((f) => `${f.file}: ${f.patients.toLocaleString('en-US')} of them`).join(', ')}` : '') + '. ' +
        `With data: ${summary.modalities.map((m) => `${m.name} ${m.patients.toLocaleString('en-US')}`).join(', ')}.`;
    } catch (error) {
      this.checked = null;
      this.el.coverage.textContent = '';
      if (!(error instanceof CancelledError)) this.placeError(error, { check: true });
    }
  }

  clearErrors({ keepSettings = false } = {}) {
    const flow = this.flow;
    const box = this.el.setup;
    for (const el of box.querySelectorAll('.field-error')) {
      const field = /** @type {HTMLElement} */ (el);
      if (keepSettings && field.dataset.errorFor?.startsWith('setting:')) continue;
      if (field.dataset.errorFor?.startsWith('modality:') && !field.hidden && field.dataset.local === '1') continue;
      field.textContent = ''; field.hidden = true;
    }
    for (const el of box.querySelectorAll('[aria-invalid]')) if (!keepSettings || !(/** @type {HTMLElement} */ (el)).dataset.setting) el.removeAttribute('aria-invalid');
    this.modalities.render();
    for (const f of ROLE_FIELDS) flow.fieldError(f.role, null);
    flow.columns.check();
    if (flow.files.el.join.hidden === false) flow.fieldError('join', null);
    flow.files.setFusionError(null);
    this.el.fuseError.hidden = true;
    this.el.fuseError.textContent = '';
    clearCancelled(this.el.fuseError);
  }

  /**
   * Put an error of the late-fusion run (or its check) beside the control it concerns: the ID/join,
   * time, event, split column, a modality, a file in the list, or a setting named in the core's
   * message; otherwise under the Run button. Returns the control to focus, if any.
   * @param {any} error
   * @returns {HTMLElement|null}
   */
  placeError(error, { check = false } = {}) {
    const flow = this.flow;
    const role = error.role ?? '';
    /** @type {Element|boolean|null} */
    let placed = null;
    let where = '';
    if (role === 'join' || role === 'id') {
      const target = role === 'join' && !flow.files.el.join.hidden ? 'join' : 'id';
      if (flow.fieldError(target, error.message)) { placed = document.getElementById(target === 'join' ? 'join-select' : 'role-id'); where = target === 'join' ? 'the ID column to join on' : '“Patient ID”'; }
    } else if (role === 'time' || role === 'event' || role === 'outcome') {
      if (flow.fieldError(role, error.message)) { placed = document.getElementById(`role-${role}`); where = ROLE_FIELDS.find((f) => f.role === role).label.replace(/^(.*)$/, '“$1”'); }
    } else if (role === 'split') {
      placed = flow.fieldError('setting:splitColumn', error.message); where = '“Split column”';
    } else if (role.startsWith('modality:')) {
      placed = this.modalities.showError(role.slice(9), error.message); where = `the modality “${role.slice(9)}”`;
    } else if (role === 'modalities') {
      this.el.modError.textContent = error.message; this.el.modError.hidden = false; placed = document.getElementById('mod-add'); where = 'Modalities';
    } else if (role.startsWith('file:')) {
      const name = role.slice(5);
      if (flow.files.setFusionError(name, error.message)) { placed = flow.files.el.files; where = `the file ${name}`; }
    }
    if (!placed) {
      // A core error about one setting (e.g. selection 'elasticnet' is not supported yet).
      const hit = SETTING_IN_MESSAGE.find(([re, key]) => re.test(error.message) && document.getElementById(fusionFieldId(key)) && !document.getElementById(fusionFieldId(key)).closest('[hidden]'));
      if (hit) { placed = flow.fieldError(`setting:${hit[1]}`, error.message); where = `“${FUSION_FIELDS.find((f) => f.key === hit[1]).label}”`; }
    }
    if (check && !placed) {
      // A check that cannot point at a control says so under the Run button, without blocking edits.
      this.el.fuseError.hidden = false;
      this.el.fuseError.textContent = `Late fusion cannot run yet: ${error.message}`;
      return null;
    }
    this.el.fuseError.hidden = false;
    this.el.fuseError.textContent = placed
      ? `Late fusion ${check ? 'cannot run yet' : 'could not run'}: see the message beside ${where}.`
      : `Late fusion could not run: ${error.message}`;
    return placed instanceof HTMLElement ? placed : null;
  }

  fuse() {
    return this.flow.enqueue(() => this.fuseNow());
  }

  /** Check everything the page can check, then run late fusion in the worker and show the results. */
  async fuseNow() {
    const flow = this.flow;
    if (!flow.summary) {
      this.el.fuseError.hidden = false;
      this.el.fuseError.textContent = 'Load data files first.';
      return null;
    }
    if (flow.needsReparse) await flow.rebuildDataset();
    this.clearErrors();
    flow.columns.adopt();
    this.modalities.adopt();
    if (flow.mode.value !== 'fusion') { flow.mode = { value: 'fusion', user: true }; flow.applyMode(); }
    /** @type {Array<Element|boolean|null>} */
    const firstInvalid = [];
    const roles = this.roles();
    if (this.settings.outcome === 'binary') {
      if (!roles.outcome) { flow.fieldError('outcome', 'Choose the column with the outcome (1 = case, 0 = control).'); firstInvalid.push(document.getElementById('role-outcome')); }
    } else {
      if (!roles.time) { flow.fieldError('time', 'Choose the column with the follow-up time.'); firstInvalid.push(document.getElementById('role-time')); }
      if (!roles.event) { flow.fieldError('event', 'Choose the column with the event indicator (1 = event, 0 = censored).'); firstInvalid.push(document.getElementById('role-event')); }
    }
    const groups = this.modalities.groups();
    if (groups.length === 0) {
      this.el.modError.textContent = 'No modality: add one and move columns into it.';
      this.el.modError.hidden = false;
      firstInvalid.push(document.getElementById('mod-add'));
    }
    const problems = this.modalities.render();
    for (const g of groups) if (problems[g.id]) firstInvalid.push(this.modalities.showError(g.name.trim(), problems[g.id]) || null);
    const settingProblems = checkFusionSettings(this.settings);
    for (const [key, message] of Object.entries(settingProblems)) firstInvalid.push(flow.fieldError(`setting:${key}`, message));
    if (firstInvalid.length) {
      this.el.fuseError.hidden = false;
      this.el.fuseError.textContent = 'Some choices need your attention (marked above).';
      const focus = firstInvalid.find((x) => x instanceof HTMLElement);
      /** @type {HTMLElement|undefined} */ (focus)?.focus();
      return null;
    }
    const payload = { keys: flow.files.readyKeys(), roles, modalities: this.modalities.spec(), options: engineOptions(this.settings) };
    if (flow.featureInfo) payload.options.featureInfo = flow.featureInfo;
    this.el.fuseButton.disabled = true;
    try {
      const out = await flow.run('fuseData', payload, 'Late fusion: joining the files on the patient ID');
      const ready = flow.files.ready();
      const files = ready.map((x) => x.name);
      // inputs: the files as loaded, for the analysis report's SHA-256 (decision-view.js).
      const inputs = ready.map((x) => ({ name: x.name, blob: x.blob, text: x.text }));
      this.result = { ...out, modalities: payload.modalities, source: { kind: 'data', files, inputs, roles, settings: { ...this.settings }, payloadOptions: payload.options } };
      this.view = renderFusionResults(this.el.section, this.result);
      this.el.section.dataset.source = 'data';
      flow.applyMode();
      flow.onFusionResult?.(this.result);
      flow.announce(this.view.headline);
      this.el.section.querySelector('h2')?.focus({ preventScroll: false });
      return this.result;
    } catch (error) {
      if (error instanceof CancelledError) {
        flow.announce('Late fusion cancelled.');
        showCancelled(this.el.fuseError, 'Cancelled. Your settings are unchanged; press “Run late fusion” to run again.');
      } else {
        const control = this.placeError(error);
        this.markStale('The latest run failed (see above): these results are from the previous run.');
        control?.focus?.();
      }
      return null;
    } finally {
      this.el.fuseButton.disabled = false;
    }
  }
}
