// The "Fit & evaluate" flow: load files (picker, drag-and-drop, examples), preview, column roles,
// then one of two models: LATE FUSION (default when the data have two or more modalities) or ONE COX
// MODEL on ticked covariates. This module is the coordinator: the state every step reads (the data
// set's summary, the roles, the join column, the model chosen), the task queue, the worker requests
// with the progress bar, and the errors beside their controls. The steps live in their own modules:
//   fit-sources.js     the files (reading, decimal mark, the join column, the previews)
//   fit-roles.js       the column roles and the outcome kind
//   fit-covariates.js  the covariates of one Cox model
//   fit-cox.js         one Cox model: settings, fit, results, the Evaluate stage
//   fit-fusion.js      late fusion: Modalities step, settings, join check, run, results
// The user's choices (model, roles, modalities, covariates, settings) are keyed by column, file or
// modality name, so they survive loading a corrected version of a file.
import { $, fieldId } from './dom.js';
import { guessRoles, guessJoinColumn } from './detect.js';
import { defaultFusionSettings, fusionFieldId } from './fusion-settings.js';
import { guessBinaryOutcome } from './outcome.js';
import { featureInfoFromTable } from '../lib/features.js';
import { parseTable } from '../lib/table.js';
import { SourceStep } from './fit-sources.js';
import { RoleStep, emptyRoles } from './fit-roles.js';
import { CovariateStep } from './fit-covariates.js';
import { CoxFlow } from './fit-cox.js';
import { FusionFlow } from './fit-fusion.js';

/** Bundled examples (public/data): file, the column roles and covariates the example uses. */
export const EXAMPLES = {
  lung: {
    label: 'NCCTG lung cancer (R survival: lung)',
    files: ['lung.csv'],
    roles: { time: 'time', event: 'status', id: '', strata: '' },
    covariates: ['age', 'sex', 'ph.ecog'],
  },
  rotterdam: {
    label: 'Rotterdam breast cancer (R survival: rotterdam), overall survival',
    files: ['rotterdam.csv'],
    roles: { time: 'dtime', event: 'death', id: 'pid', strata: '' },
    covariates: ['age', 'meno', 'grade', 'nodes', 'pgr', 'er', 'hormon', 'chemo'],
  },
  // models/build.sh's Rotterdam late-fusion model: the same data, modalities and options.
  'rotterdam-gbsg': {
    label: 'Rotterdam breast cancer, recurrence-free survival (late fusion)',
    files: ['rotterdam-rfs.csv'],
    model: 'fusion',
    roles: { time: 'rfs_time', event: 'rfs_event', id: 'pid', strata: '' },
    covariates: ['age', 'meno', 'size', 'grade', 'nodes', 'pgr', 'er', 'hormon', 'chemo'],
    modalities: [
      { name: 'pathology', columns: ['size', 'grade', 'nodes'] },
      { name: 'receptors', columns: ['pgr', 'er'] },
      { name: 'clinical', columns: ['age', 'meno'] },
      { name: 'treatment', columns: ['hormon', 'chemo'] },
    ],
    fusion: { seed: '2024', testFraction: '0.3', horizons: '1096,1826,3652', timeUnit: 'days', bootstrap: '1000', permutations: '1000' },
    // Units and descriptions for the model file's "features" (as models/build.sh: --feature-info).
    featureInfo: 'rotterdam-features.csv',
  },
};

export class FitFlow {
  /**
   * @param {{client: import('./protocol.js').WorkerClient, progress: any, announce: (msg: string) => void,
   *          onResult?: (result: any) => void, onDataChange?: () => void}} deps
   *   onResult: called with every new Cox fit; onDataChange: called when the user loads new data (a
   *   file or an example), before it is read
   */
  constructor({ client, progress, announce, onResult, onDataChange }) {
    this.client = client;
    this.onDataChange = onDataChange ?? (() => {});
    this.progress = progress;
    this.announce = announce;
    /** @type {((result: any) => void) | null} called with every late-fusion run on the user's files */
    this.onFusionResult = null;
    /** @type {(() => void) | null} redraws the Cox results' charts (set once there are results) */
    this.redraw = null;
    /** @type {string|null} 'user' | 'example:<name>' */
    this.origin = null;
    /** @type {any} the data set's summary (worker `dataset`: every file joined) */
    this.summary = null;
    this.datasetError = null;
    /** @type {import('./fit-roles.js').Choice} the ID column several files are joined on */
    this.join = { value: '', user: false };
    this.roles = emptyRoles();
    this.eventCensored = false;   // the event column marks censoring (1 = censored): the event is 1 - its value
    /** @type {any} detect.js guessRoles on the summary, with the binary outcome guess */
    this.guess = null;
    /** @type {{value: 'fusion'|'cox'|null, user: boolean}} */
    this.mode = { value: null, user: false };
    /** @type {any} units and descriptions for the model file (bundled examples only) */
    this.featureInfo = null;
    this.queue = Promise.resolve();
    this.pendingTasks = 0;
    this.tasksDone = 0;
    this.needsReparse = false;
    document.body.dataset.flow = 'idle';
    this.el = {
      setup: $('#setup'),
      roles: $('#roles'),
      fusionSetup: $('#fusion-setup'),
      coxSetup: $('#cox-setup'),
      panel: $('#panel-fit'),
    };
    this.files = new SourceStep(this);
    this.columns = new RoleStep(this);
    this.covariates = new CovariateStep(this);
    this.cox = new CoxFlow(this, { onResult });
    this.fusion = new FusionFlow(this);
    this.bind();
    this.cox.attachEvaluate();
    // A hard Cancel restarts the worker, which loses the parsed tables: parse them again before the
    // next request that needs them.
    client.onRestart(() => { this.needsReparse = true; });
  }

  bind() {
    // Dropping a file anywhere else must not navigate away (and lose the session).
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
    for (const radio of document.querySelectorAll('input[name="model"]')) {
      const input = /** @type {HTMLInputElement} */ (radio);
      input.addEventListener('change', () => {
        if (!input.checked) return;
        this.mode = { value: input.value === 'fusion' ? 'fusion' : 'cox', user: true };
        this.applyMode();
        if (input.value === 'fusion') this.enqueue(() => this.fusion.check());
        else if (this.summary) this.files.renderPreview();  // one Cox model: the patients in every file
      });
    }
  }

  /**
   * Run tasks one after another; body[data-flow] is "working" until the queue drains (tests wait on it).
   * @template T
   * @param {() => Promise<T> | T} task
   * @returns {Promise<T>}
   */
  enqueue(task) {
    this.pendingTasks += 1;
    document.body.dataset.flow = 'working';
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {}).then(() => {
      this.pendingTasks -= 1;
      this.tasksDone += 1;
      document.body.dataset.tasksDone = String(this.tasksDone);
      if (this.pendingTasks === 0) document.body.dataset.flow = 'idle';
    });
    return run;
  }

  async ensureWorkerState() {
    if (!this.needsReparse) return;
    this.needsReparse = false;
    await this.files.reparse();
  }

  /**
   * Run one worker request with the progress bar and Cancel.
   * @param {import('./protocol.js').RequestType} type  a key of worker.js `handlers`
   * @param {any} payload
   * @param {string} label  the progress bar's first stage
   */
  async run(type, payload, label, options = {}) {
    const { id, promise } = this.client.request(type, payload, {
      ...options,
      onProgress: (p) => this.progress.update(p.stage, p.fraction),
    });
    this.progress.start(label, () => this.client.cancel(id));
    try {
      return await promise;
    } finally {
      this.progress.stop();
    }
  }

  // ------------------------------------------------------------------ loading data

  /** @param {File[]} files */
  async addFiles(files) {
    return this.enqueue(async () => {
      this.onDataChange();
      if (this.origin !== 'user') await this.reset('user');
      await this.files.add(files);
      await this.rebuildDataset();
    });
  }

  /**
   * Load a bundled example with its roles, covariates, modalities and settings.
   * @param {string} name  a key of EXAMPLES
   * @param {{fit?: boolean}} [options]  fit: fit (or run late fusion) at once
   */
  async loadExample(name, { fit = false } = {}) {
    /** @type {any} */
    const example = EXAMPLES[name];
    if (!example) throw new Error(`unknown example ${name}`);
    return this.enqueue(async () => {
      this.onDataChange();
      await this.reset(`example:${name}`);
      await this.files.addExample(example.files);
      // The example's own column choices.
      for (const [role, value] of Object.entries(example.roles)) this.roles[role] = { value, user: true };
      this.eventCensored = false;  // every example codes its event 1 = event
      this.covariates.choice = new Map(example.covariates.map((c) => [c, true]));
      this.mode = { value: example.model ?? 'cox', user: true };
      if (example.modalities) this.fusion.modalities.preset(example.modalities);
      if (example.fusion) {
        this.fusion.settings = { ...defaultFusionSettings(), ...example.fusion };
      }
      if (example.featureInfo) {
        try {
          const response = await fetch(`./data/${example.featureInfo}`);
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          this.featureInfo = featureInfoFromTable(parseTable(await response.text(), { file: example.featureInfo }));
        } catch (error) {
          this.announce(`${example.featureInfo} could not be loaded (${error.message}): the model file will have no units or descriptions.`);
        }
      }
      await this.rebuildDataset({ presetCovariates: example.covariates });
      if (fit) await (this.mode.value === 'fusion' ? this.fusion.fuseNow() : this.cox.fitNow());
    });
  }

  /** New data: forget the files and every choice made for them. @param {string} origin */
  async reset(origin) {
    await this.files.dropAll();
    this.origin = origin;
    this.cox.evaluate?.resetData();
    // Choices made for another data set do not carry over to new data (they do across reloads of a file).
    this.roles = emptyRoles();
    this.join = { value: '', user: false };
    this.covariates.choice = new Map();
    this.summary = null;
    this.fusion.modalities.reset();
    this.mode = { value: null, user: false };
    this.fusion.outcomeUser = false;
    this.fusion.checked = null;
    this.featureInfo = null;   // units and descriptions for the model file (bundled examples only)
  }

  /** Join the files read without errors (worker `dataset`), guess the roles, and redraw every step. */
  async rebuildDataset({ presetCovariates = null } = {}) {
    await this.ensureWorkerState();
    const ready = this.files.ready();
    this.datasetError = null;
    this.summary = null;
    this.files.renderJoin(ready);
    if (ready.length === 0) {
      this.el.setup.hidden = true;
      this.files.el.preview.replaceChildren();
      this.cox.markStale('No data file is loaded without errors: these results are from an earlier file.');
      return;
    }
    if (ready.length > 1 && !(this.join.value && ready.every((s) => s.summary.header.includes(this.join.value)))) {
      this.join = { value: guessJoinColumn(ready.map((s) => s.summary)) ?? '', user: false };
      this.files.renderJoin(ready);
    }
    try {
      this.summary = await this.client.call('dataset', { keys: ready.map((s) => s.key), idColumn: this.join.value || undefined });
    } catch (error) {
      this.datasetError = error;
      this.fieldError('join', error.message);
      this.el.setup.hidden = true;
      this.files.el.preview.replaceChildren();
      return;
    }
    this.fieldError('join', null);
    this.guess = guessRoles(this.summary);
    this.guess.outcome = guessBinaryOutcome(this.summary, [this.guess.id, this.join.value]);
    // No follow-up time but a 0/1 column: the data look like a binary outcome (a guess the user can change).
    if (!this.fusion.outcomeUser) this.fusion.settings.outcome = !this.guess.time && this.guess.outcome ? 'binary' : 'survival';
    this.columns.adoptGuesses(ready.length);
    if (presetCovariates) for (const c of this.guess.covariates) if (!this.covariates.choice.has(c)) this.covariates.choice.set(c, false);
    this.files.renderPreview();
    this.renderSetup();
    this.el.setup.hidden = false;
    this.cox.markStale();
    this.fusion.markStale('The data changed after these results were computed: press “Run late fusion” to update them.');
    if (this.mode.value === 'fusion') await this.fusion.check();
  }

  /** The roles, covariates and late-fusion steps for the new data; the model guessed from the modalities. */
  renderSetup() {
    this.columns.render();
    this.covariates.render();
    this.columns.check();
    this.fusion.refresh();
    if (!this.mode.user || !this.mode.value) {
      this.mode = { value: this.fusion.modalities.groups().length >= 2 ? 'fusion' : 'cox', user: false };
    }
    this.applyMode();
  }

  /** Show the chosen model's controls and results. */
  applyMode() {
    const fusion = this.mode.value === 'fusion';
    for (const radio of document.querySelectorAll('input[name="model"]')) {
      const input = /** @type {HTMLInputElement} */ (radio);
      input.checked = input.value === this.mode.value;
    }
    this.el.fusionSetup.hidden = !fusion;
    this.el.coxSetup.hidden = fusion;
    this.el.panel.classList.toggle('fusion-data', fusion);
    for (const el of this.el.roles.querySelectorAll('.cox-only')) /** @type {HTMLElement} */ (el).hidden = fusion;
    this.columns.applyOutcome();
    $('#join-help').textContent = fusion
      ? 'The same patient has the same ID in every file. The file with the follow-up time defines the patients; a patient missing from another file lacks that modality.'
      : 'The same patient has the same ID in every file; patients missing from any file are left out.';
    this.fusion.el.section.hidden = !(fusion && this.fusion.result);
    if (fusion) this.fusion.view?.redraw();
  }

  // ------------------------------------------------------------------ errors

  /**
   * Show (message) or clear (null) the error beside a control: a role name, 'join', 'penalizer',
   * 'cov:<column>' or 'setting:<key>' (a late-fusion setting: returns its control).
   * @param {string} target
   * @param {string|null} message
   * @returns {HTMLElement|boolean} whether the control exists (a setting: the control itself)
   */
  fieldError(target, message) {
    let el;
    if (target.startsWith('setting:')) {
      const id = fusionFieldId(target.slice(8));
      el = document.getElementById(`${id}-error`);
      if (!el) return false;
      el.textContent = message ?? '';
      el.hidden = !message;
      const control = document.getElementById(id);
      if (message) control?.setAttribute('aria-invalid', 'true'); else control?.removeAttribute('aria-invalid');
      return control ?? true;
    }
    if (target === 'join') el = $('#join-error');
    else if (target === 'penalizer') el = $('#set-penalizer-error');
    else if (target.startsWith('cov:')) el = document.getElementById(fieldId('cov-error', target.slice(4)));
    else el = document.getElementById(`role-${target}-error`);
    if (!el) return false;
    el.textContent = message ?? '';
    el.hidden = !message;
    const control = target === 'join' ? $('#join-select')
      : target === 'penalizer' ? $('#set-penalizer')
        : target.startsWith('cov:') ? document.getElementById(fieldId('cov', target.slice(4)))
          : document.getElementById(`role-${target}`);
    if (control) {
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
    return true;
  }
}
