// The "Fit & evaluate" flow: load files (picker, drag-and-drop, examples), preview, column roles,
// then one of two models: LATE FUSION (default when the data have two or more modalities: the
// Modalities step, modalities.js; the settings, fusion-settings.js; the run in the worker with
// progress and Cancel; the results, fusion-view.js) or ONE COX MODEL on ticked covariates (settings,
// a Cox fit, results, the Evaluate stage).
// The user's choices (model, roles, modalities, covariates, settings) live here, keyed by column,
// file or modality name, so they survive loading a corrected version of a file.
import { h, $, replace, tableWrap, acceptFiles } from './dom.js';
import { guessRoles, guessJoinColumn, modalityGroups, looksLikeCensoring } from './detect.js';
import { renderCoxResults } from './results.js';
import { EvaluateStage } from './evaluate.js';
import { ModalityEditor } from './modalities.js';
import {
  defaultFusionSettings, renderFusionSettings, checkFusionSettings, engineOptions, outcomeRoles, fusionFieldId, FUSION_FIELDS, OUTCOMES,
} from './fusion-settings.js';
import { guessBinaryOutcome, binaryColumnProblem } from './outcome.js';
import { renderFusionResults } from './fusion-view.js';
import { CancelledError, InputError, clip } from '../lib/errors.js';
import { EVENT_CODING_RULE } from '../lib/columns.js';
import { describeDecimalMark } from '../lib/decimal.js';
import { featureInfoFromTable } from '../lib/features.js';
import { parseTable } from '../lib/table.js';
import { showCancelled, clearCancelled } from './ui.js';

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

const ROLE_FIELDS = [
  { role: 'time', label: 'Follow-up time', help: 'Time from entry to the event or to censoring (a number ≥ 0, any unit).', optional: false, outcome: 'survival' },
  { role: 'event', label: 'Event', help: `${EVENT_CODING_RULE}.`, optional: false, outcome: 'survival' },
  // Late fusion with a binary outcome only (fusion-settings.js OUTCOMES).
  { role: 'outcome', label: 'Outcome column (0/1)', help: '1 = case (the outcome happened), 0 = control; TRUE/FALSE or yes/no also work. Every patient needs a value.', optional: false, outcome: 'binary', fusion: true },
  { role: 'id', label: 'Patient ID (optional)', help: 'Labels the per-patient scores download; never used as a predictor.', optional: true },
  { role: 'strata', label: 'Strata (optional)', help: 'A separate baseline hazard for each group (e.g. centre); no coefficient is estimated for it.', optional: true, cox: true },
];

const fieldId = (prefix, name) => `${prefix}-${Array.from(name, (ch) => (/[A-Za-z0-9_-]/.test(ch) ? ch : `_${ch.codePointAt(0).toString(16)}`)).join('')}`;

export class FitFlow {
  /**
   * @param {{client: import('./protocol.js').WorkerClient, progress: object, announce: (msg: string) => void,
   *          onResult?: (result) => void, onDataChange?: () => void}} deps
   *   onDataChange: called when the user loads new data (a file or an example), before it is read
   */
  constructor({ client, progress, announce, onResult, onDataChange }) {
    this.client = client;
    this.onDataChange = onDataChange ?? (() => {});
    this.progress = progress;
    this.announce = announce;
    this.onResult = onResult ?? (() => {});
    this.sources = new Map();     // key -> {key, name, origin: 'file'|'example', blob?, text?, summary?, error?}
    this.origin = null;           // 'user' | 'example:<name>'
    this.summary = null;          // dataset summary
    this.datasetError = null;
    this.join = { value: '', user: false };
    this.roles = Object.fromEntries(ROLE_FIELDS.map((f) => [f.role, { value: '', user: false }]));
    this.covChoice = new Map();   // column -> boolean (what the user or an example chose)
    this.eventCensored = false;   // the event column marks censoring (1 = censored): the event is 1 - its value
    this.guess = null;
    this.settings = { ties: 'efron', penalizer: '0', robust: false };
    this.result = null;
    this.mode = { value: null, user: false };   // 'fusion' | 'cox'
    this.fusionSettings = defaultFusionSettings();
    this.outcomeUser = false;     // the user chose the outcome kind (else guessed from the columns)
    this.fusionResult = null;
    this.fusionView = null;
    this.fusionCheck = null;
    this.queue = Promise.resolve();
    this.pendingTasks = 0;
    this.needsReparse = false;
    document.body.dataset.flow = 'idle';
    this.el = {
      files: $('#file-list'),
      join: $('#join-row'),
      preview: $('#preview'),
      setup: $('#setup'),
      roles: $('#roles'),
      covariates: $('#cov-groups'),
      covError: $('#cov-error'),
      fitButton: $('#btn-fit'),
      fitError: $('#fit-error'),
      results: $('#results'),
      fusion: $('#fusion'),
      fusionSetup: $('#fusion-setup'),
      coxSetup: $('#cox-setup'),
      fuseButton: $('#btn-fuse'),
      fuseError: $('#fuse-error'),
      coverage: $('#fusion-coverage'),
      panel: $('#panel-fit'),
    };
    this.modalities = new ModalityEditor($('#modalities'), {
      onChange: (message) => {
        this.adoptRoles();
        this.updateModalityCount();
        this.markFusionStale();
        if (message) this.announce(message);
      },
    });
    this.bind();
    this.evaluate = new EvaluateStage({ flow: this, announce });
    // A hard Cancel restarts the worker, which loses the parsed tables: parse them again before the
    // next request that needs them.
    client.onRestart(() => { this.needsReparse = true; });
  }

  bind() {
    acceptFiles(/** @type {HTMLInputElement} */ ($('#file-input')), $('#dropzone'), (files) => this.addFiles(files));
    // Dropping a file anywhere else must not navigate away (and lose the session).
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
    this.el.fitButton.addEventListener('click', () => this.fit());
    $('#cov-all').addEventListener('click', () => this.setAllCovariates(true));
    $('#cov-none').addEventListener('click', () => this.setAllCovariates(false));
    const ties = $('#set-ties');
    const pen = $('#set-penalizer');
    const robust = $('#set-robust');
    ties.addEventListener('change', () => { this.settings.ties = ties.value; });
    pen.addEventListener('input', () => { this.settings.penalizer = pen.value; this.fieldError('penalizer', null); });
    robust.addEventListener('change', () => { this.settings.robust = robust.checked; });
    this.syncSettings();
    for (const radio of document.querySelectorAll('input[name="model"]')) {
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        this.mode = { value: radio.value, user: true };
        this.applyMode();
        if (radio.value === 'fusion') this.enqueue(() => this.checkFusion());
        else if (this.summary) this.renderPreview();  // one Cox model: the patients in every file
      });
    }
    this.el.fuseButton.addEventListener('click', () => this.fuse());
  }

  syncSettings() {
    $('#set-ties').value = this.settings.ties;
    $('#set-penalizer').value = this.settings.penalizer;
    $('#set-robust').checked = this.settings.robust;
  }

  /** Run tasks one after another; body[data-flow] is "working" until the queue drains (tests wait on it). */
  enqueue(task) {
    this.pendingTasks += 1;
    document.body.dataset.flow = 'working';
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {}).then(() => {
      this.pendingTasks -= 1;
      this.tasksDone = (this.tasksDone ?? 0) + 1;
      document.body.dataset.tasksDone = String(this.tasksDone);
      if (this.pendingTasks === 0) document.body.dataset.flow = 'idle';
    });
    return run;
  }

  async ensureWorkerState() {
    if (!this.needsReparse) return;
    this.needsReparse = false;
    for (const source of this.sources.values()) if (source.summary) await this.parseSource(source);
  }

  /** Run one worker request with the progress bar and Cancel. */
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

  async addFiles(files) {
    return this.enqueue(async () => {
      this.onDataChange();
      if (this.origin !== 'user') await this.resetSources('user');
      for (const file of files) {
        const key = file.name;
        const source = { key, name: file.name, origin: 'file', blob: file, summary: null, error: null };
        this.sources.set(key, source);
        this.renderFiles();
        await this.parseSource(source);
      }
      await this.rebuildDataset();
    });
  }

  async loadExample(name, { fit = false } = {}) {
    const example = EXAMPLES[name];
    if (!example) throw new Error(`unknown example ${name}`);
    return this.enqueue(async () => {
      this.onDataChange();
      await this.resetSources(`example:${name}`);
      for (const file of example.files) {
        const source = { key: file, name: file, origin: 'example', text: undefined, summary: null, error: null };
        this.sources.set(file, source);
        this.renderFiles();
        try {
          const response = await fetch(`./data/${file}`);
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          source.text = await response.text();
        } catch (error) {
          source.error = new InputError(`${file}: the bundled example could not be loaded (${error.message}); reload the page`, { file });
          this.renderFiles();
          continue;
        }
        await this.parseSource(source);
      }
      // The example's own column choices.
      for (const [role, value] of Object.entries(example.roles)) this.roles[role] = { value, user: true };
      this.eventCensored = false;  // every example codes its event 1 = event
      this.covChoice = new Map(example.covariates.map((c) => [c, true]));
      this.mode = { value: example.model ?? 'cox', user: true };
      if (example.modalities) this.modalities.preset(example.modalities);
      if (example.fusion) {
        this.fusionSettings = { ...defaultFusionSettings(), ...example.fusion };
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
      if (fit) await (this.mode.value === 'fusion' ? this.fuseNow() : this.fitNow());
    });
  }

  async resetSources(origin) {
    for (const key of this.sources.keys()) {
      try { await this.client.call('drop', { key }); } catch { /* the worker may have restarted */ }
    }
    this.sources.clear();
    this.origin = origin;
    this.evaluate?.resetData();
    // Choices made for another data set do not carry over to new data (they do across reloads of a file).
    this.roles = Object.fromEntries(ROLE_FIELDS.map((f) => [f.role, { value: '', user: false }]));
    this.join = { value: '', user: false };
    this.covChoice = new Map();
    this.summary = null;
    this.modalities.reset();
    this.mode = { value: null, user: false };
    this.outcomeUser = false;
    this.fusionCheck = null;
    this.featureInfo = null;   // units and descriptions for the model file (bundled examples only)
  }

  async parseSource(source) {
    source.error = null;
    try {
      const payload = { key: source.key, name: source.name, decimal: source.decimal ?? 'auto' };
      if (source.text !== undefined) payload.text = source.text;
      else payload.file = source.blob;
      source.summary = await this.run('parse', payload, `Reading ${source.name}`);
      this.announce(`${source.name}: ${source.summary.rowCount} rows, ${source.summary.header.length} columns loaded.`);
    } catch (error) {
      source.summary = null;
      if (error instanceof CancelledError) {
        // The user stopped loading this file: forget it.
        this.sources.delete(source.key);
        this.announce(`Loading ${source.name} was cancelled.`);
      } else {
        source.error = error;
        this.announce(`${source.name} could not be loaded: ${error.message}`);
      }
    }
    this.renderFiles();
  }

  async removeSource(key) {
    return this.enqueue(async () => {
      this.sources.delete(key);
      try { await this.client.call('drop', { key }); } catch { /* ignore */ }
      this.renderFiles();
      await this.rebuildDataset();
    });
  }

  async rebuildDataset({ presetCovariates = null } = {}) {
    await this.ensureWorkerState();
    const ready = [...this.sources.values()].filter((s) => s.summary);
    this.datasetError = null;
    this.summary = null;
    this.renderJoin(ready);
    if (ready.length === 0) {
      this.el.setup.hidden = true;
      replace(this.el.preview);
      this.markResultsStale('No data file is loaded without errors: these results are from an earlier file.');
      return;
    }
    if (ready.length > 1 && !(this.join.value && ready.every((s) => s.summary.header.includes(this.join.value)))) {
      this.join = { value: guessJoinColumn(ready.map((s) => s.summary)) ?? '', user: false };
      this.renderJoin(ready);
    }
    try {
      this.summary = await this.client.call('dataset', { keys: ready.map((s) => s.key), idColumn: this.join.value || undefined });
    } catch (error) {
      this.datasetError = error;
      this.fieldError('join', error.message);
      this.el.setup.hidden = true;
      replace(this.el.preview);
      return;
    }
    this.fieldError('join', null);
    this.guess = guessRoles(this.summary);
    this.guess.outcome = guessBinaryOutcome(this.summary, [this.guess.id, this.join.value]);
    // No follow-up time but a 0/1 column: the data look like a binary outcome (a guess the user can change).
    if (!this.outcomeUser) this.fusionSettings.outcome = !this.guess.time && this.guess.outcome ? 'binary' : 'survival';
    const header = new Set(this.summary.header);
    for (const f of ROLE_FIELDS) {
      const r = this.roles[f.role];
      if (r.user && (r.value === '' || header.has(r.value))) continue;
      r.value = f.role === 'strata' ? '' : (this.guess[f.role] ?? '');
      if (f.role === 'id' && ready.length > 1 && !r.value) r.value = this.join.value;
      r.user = false;
      if (f.role === 'event') this.eventCensored = Boolean(this.guess.eventCensored);
    }
    if (presetCovariates) for (const c of this.guess.covariates) if (!this.covChoice.has(c)) this.covChoice.set(c, false);
    this.renderPreview();
    this.renderSetup();
    this.el.setup.hidden = false;
    this.markResultsStale();
    this.markFusionStale('The data changed after these results were computed: press “Run late fusion” to update them.');
    if (this.mode.value === 'fusion') await this.checkFusion();
  }

  /** Results on screen no longer match the loaded data or the last attempt: say so above them. */
  markResultsStale(message = 'The data changed after these results were computed: press “Fit Cox model” to update them.') {
    if (!this.result || this.el.results.hidden) return;
    this.evaluate.markStale(message);
    let note = this.el.results.querySelector('.stale');
    if (!note) {
      note = h('p', { class: 'notice warn stale', role: 'note' });
      this.el.results.querySelector('h2')?.after(note);
    }
    note.textContent = message;
  }

  // ------------------------------------------------------------------ rendering

  renderFiles() {
    const items = [...this.sources.values()].map((s) => {
      const errorId = fieldId('file-error', s.key);
      const status = s.error
        ? h('p', { class: 'field-error', id: errorId, role: 'alert', 'data-error-for': `file:${s.key}` }, s.error.message)
        : s.summary
          ? h('span', { class: 'file-meta' }, `${s.summary.rowCount.toLocaleString('en-US')} rows · ${s.summary.header.length} columns`)
          : h('span', { class: 'file-meta' }, 'reading…');
      const remove = s.origin === 'file'
        ? h('button', { type: 'button', class: 'small ghost', 'aria-label': `Remove ${s.name}`, onclick: () => this.removeSource(s.key) }, 'Remove')
        : h('span', { class: 'badge' }, 'example');
      const decimal = s.summary ? this.decimalControl(s) : null;
      const fusionNote = !s.error && s.fusionError
        ? h('p', { class: 'field-error', id: fieldId('file-fusion-error', s.key), role: 'alert', 'data-error-for': `file:${s.key}` }, s.fusionError)
        : null;
      return h('li', { class: s.error || fusionNote ? 'file has-error' : 'file' },
        h('span', { class: 'file-name' }, s.name), status, decimal, remove, fusionNote);
    });
    replace(this.el.files, items);
    this.el.files.hidden = items.length === 0;
  }

  /** The decimal mark a file was read with (detected, decimal.js) and the user's override. */
  decimalControl(s) {
    const setting = s.decimal ?? 'auto';
    const found = s.summary.decimalMark;
    const select = h('select', {
      class: 'small', 'aria-label': `Numbers in ${s.name}`,
      onchange: () => {
        s.decimal = select.value;
        this.enqueue(async () => {
          this.onDataChange();
          await this.parseSource(s);
          await this.rebuildDataset();
        });
      },
    },
    h('option', { value: 'auto', selected: setting === 'auto' }, setting === 'auto' ? `detected: ${describeDecimalMark(found)}` : 'detect'),
    h('option', { value: '.', selected: setting === '.' }, describeDecimalMark('.')),
    h('option', { value: ',', selected: setting === ',' }, describeDecimalMark(',')));
    select.value = setting;
    return h('span', { class: 'file-decimal', 'data-decimal': found }, select);
  }

  renderJoin(ready) {
    const row = this.el.join;
    row.hidden = ready.length < 2;
    if (row.hidden) return;
    const select = $('#join-select');
    const shared = ready[0].summary.header.filter((n) => ready.every((s) => s.summary.header.includes(n)));
    replace(select, h('option', { value: '' }, '— choose the ID column —'),
      shared.map((n) => h('option', { value: n, selected: n === this.join.value }, n)));
    select.value = this.join.value;
    select.onchange = () => {
      this.join = { value: select.value, user: true };
      this.enqueue(() => this.rebuildDataset());
    };
  }

  renderPreview() {
    const s = this.summary;
    const kinds = s.columns.map((c) => {
      const parts = [c.kind === 'number' ? 'number' : 'text'];
      if (c.missing) parts.push(`${c.missing} missing`);
      return parts.join(', ');
    });
    const table = h('table', { class: 'data preview' },
      h('caption', {}, `First ${s.preview.length} of ${s.rowCount.toLocaleString('en-US')} rows${s.files.length > 1 ? ` (${s.files.join(' + ')} joined on “${s.join.column}”)` : ` of ${s.files[0]}`}`),
      h('thead', {},
        h('tr', {}, s.header.map((n) => h('th', { scope: 'col' }, n))),
        h('tr', { class: 'kinds' }, kinds.map((k, j) => h('td', { class: s.columns[j].kind === 'text' ? 'kind text' : 'kind' }, k)))),
      h('tbody', {}, s.preview.map((r) => h('tr', {}, r.map((cell) => h('td', { class: cell === null ? 'missing' : '' }, cell === null ? 'NA' : cell))))));
    const join = s.join
      ? h('p', { class: 'hint' }, `Joined on “${s.join.column}”: ${s.join.matched} patients in every file; ` +
        s.join.perFile.map((f) => `${f.file}: ${f.unmatched} unmatched`).join(', ') + '.')
      : null;
    replace(this.el.preview, h('h3', {}, 'Preview'), join, tableWrap(table, 'Data preview'));
  }

  /**
   * The preview of the join late fusion will use (anchored on the outcome file: every patient of it,
   * a patient missing from a modality's file without that modality), with the patients per modality.
   */
  renderFusionPreview(summary, preview) {
    const table = h('table', { class: 'data preview', id: 'fusion-preview' },
      h('caption', {}, `First ${preview.rows.length} of ${preview.patients.toLocaleString('en-US')} patients as late fusion joins the files ` +
        `(every patient of ${summary.outcomeFile}; empty cells: a patient not in that file)`),
      h('thead', {}, h('tr', {}, preview.header.map((n) => h('th', { scope: 'col' }, n)))),
      h('tbody', {}, preview.rows.map((r) => h('tr', {}, r.map((cell) => h('td', { class: cell === null ? 'missing' : '' }, cell === null ? 'NA' : cell))))));
    const coverage = h('p', { class: 'hint', id: 'fusion-preview-coverage' },
      `Late fusion uses the ${summary.patients.toLocaleString('en-US')} patients of ${summary.outcomeFile}; with each modality: ` +
      `${summary.modalities.map((m) => `${m.name} ${m.patients.toLocaleString('en-US')}`).join(', ')}.`);
    replace(this.el.preview, h('h3', {}, 'Preview'), coverage, tableWrap(table, 'Preview of the late-fusion join'));
  }

  renderSetup() {
    const s = this.summary;
    const fields = ROLE_FIELDS.map((f) => {
      const id = `role-${f.role}`;
      const select = h('select', { id, 'aria-describedby': `${id}-help ${id}-error` },
        h('option', { value: '' }, f.optional ? '(none)' : '— choose —'),
        s.header.map((n) => h('option', { value: n }, n)));
      select.value = this.roles[f.role].value;
      const guessed = !this.roles[f.role].user && this.roles[f.role].value ? h('span', { class: 'guess' }, 'guessed') : null;
      select.addEventListener('change', () => {
        this.roles[f.role] = { value: select.value, user: true };
        // A column named as a censoring indicator is read the other way round unless the user says otherwise.
        if (f.role === 'event') this.setEventCensored(looksLikeCensoring(select.value));
        guessed?.remove();  // the user's choice now, not a guess
        this.fieldError(f.role, null);
        this.renderCovariates();
        this.checkRoles();
        this.refreshFusion();
        this.markFusionStale();
        if (this.mode.value === 'fusion') this.enqueue(() => this.checkFusion());
      });
      return h('div', { class: f.cox ? 'field cox-only' : 'field', 'data-outcome': f.outcome },
        h('label', { for: id }, f.label, guessed),
        select,
        f.role === 'event' ? this.eventDirection() : null,
        h('p', { class: 'help', id: `${id}-help` }, f.help),
        h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': f.role, hidden: true }));
    });
    replace(this.el.roles, this.outcomeChoice(), fields);
    this.renderCovariates();
    this.checkRoles();
    this.refreshFusion();
    if (!this.mode.user || !this.mode.value) {
      this.mode = { value: this.modalities.groups().length >= 2 ? 'fusion' : 'cox', user: false };
    }
    this.applyMode();
  }

  /**
   * The control beside the event column: it marks censoring (1 = censored), so the event is read as
   * 1 - its value (columns.js eventColumn `censored`, as `latefuse --censored`), with a sentence
   * saying so whenever it is ticked.
   */
  eventDirection() {
    const box = h('input', { type: 'checkbox', id: 'role-event-censored', checked: this.eventCensored, 'aria-describedby': 'role-event-direction' });
    box.addEventListener('change', () => {
      this.setEventCensored(box.checked);
      this.markFusionStale();
      if (this.mode.value === 'fusion') this.enqueue(() => this.checkFusion());
    });
    return h('div', { class: 'event-direction' },
      h('label', { class: 'check', for: 'role-event-censored' }, box, ' This column marks censoring (1 = censored, 0 = event)'),
      h('p', { class: 'hint', id: 'role-event-direction', 'aria-live': 'polite' }, this.eventDirectionText()));
  }

  eventDirectionText() {
    const name = this.roles.event.value;
    return this.eventCensored && name ? `“${name}” is read as a censoring indicator: the event is 1 − ${name}.` : '';
  }

  setEventCensored(value) {
    this.eventCensored = value;
    const box = document.getElementById('role-event-censored');
    if (box) box.checked = value;
    const note = document.getElementById('role-event-direction');
    if (note) note.textContent = this.eventDirectionText();
  }

  /** Problems visible from the column summaries alone, shown beside the role before any fit. */
  checkRoles() {
    const col = (name) => this.summary.columns.find((c) => c.name === name);
    const where = (c) => (c.firstNonNumericRow ? ` (${c.file ?? ''} row ${c.firstNonNumericRow.row}: “${clip(c.firstNonNumericRow.value)}”)` : '');
    const time = this.roles.time.value && col(this.roles.time.value);
    if (time) {
      if (time.kind === 'text' || time.nonNumeric) this.fieldError('time', `“${time.name}” has text, not numbers${where(time)}; choose the follow-up time column or fix the file.`);
      else if (!time.nonNegative) this.fieldError('time', `“${time.name}” has negative values; survival times must be ≥ 0.`);
    }
    const event = this.roles.event.value && col(this.roles.event.value);
    if (event && event.levels === null) {
      this.fieldError('event', `“${event.name}” has many different values; the event column holds 1/0 (or TRUE/FALSE, or 2/1).`);
    }
    const outcome = this.roles.outcome.value && col(this.roles.outcome.value);
    const problem = binaryColumnProblem(outcome);
    if (problem) this.fieldError('outcome', `${problem} Choose the outcome column or fix the file.`);
  }

  covariateCandidates() {
    const used = new Set([this.roles.time.value, this.roles.event.value, this.roles.id.value, this.roles.strata.value].filter(Boolean));
    if (this.summary.join) used.add(this.summary.join.column);
    return this.summary.columns.filter((c) => !used.has(c.name));
  }

  isChecked(name) {
    if (this.covChoice.has(name)) return this.covChoice.get(name);
    return this.guess.covariates.includes(name);
  }

  renderCovariates() {
    const candidates = this.covariateCandidates();
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const groups = modalityGroups(this.summary, candidates.map((c) => c.name));
    const outcomeLike = this.guess.outcomeLike;
    const blocks = groups.map((g) => h('div', { class: 'cov-group' },
      groups.length > 1 ? h('p', { class: 'cov-group-name' }, g.name) : null,
      h('ul', { class: 'cov-list' }, g.columns.map((name) => {
        const c = byName.get(name);
        const id = fieldId('cov', name);
        const errId = fieldId('cov-error', name);
        const box = h('input', { type: 'checkbox', id, checked: this.isChecked(name), 'aria-describedby': `${id}-note ${errId}` });
        box.dataset.column = name;
        box.addEventListener('change', () => {
          this.adoptSelection();
          this.covChoice.set(name, box.checked);
          this.fieldError(`cov:${name}`, null);
          this.updateCovCount();
        });
        let note = '';
        if (c.kind === 'text' && !c.tooManyLevels) {
          // Categorical, as late fusion reads it (web/lib columns.js): the core one-hot encodes it.
          note = 'categorical: one-hot encoded against its most frequent level';
        } else if (c.kind === 'text' || c.nonNumeric) {  // mostly text, or a numeric column with stray text cells
          note = c.firstNonNumericRow
            ? `text, not a number (${c.file ?? ''} row ${c.firstNonNumericRow.row}: “${clip(c.firstNonNumericRow.value)}”)`
            : 'text, not a number';
        } else if (outcomeLike.has(name)) note = 'looks like an outcome column';
        else if (c.missing) note = `${c.missing} missing`;
        return h('li', { class: c.kind === 'text' || c.nonNumeric ? 'cov text' : 'cov' },
          box,
          h('label', { for: id }, name),
          h('span', { class: 'cov-note', id: `${id}-note` }, note),
          h('p', { class: 'field-error', id: errId, 'data-error-for': `cov:${name}`, hidden: true }));
      }))));
    replace(this.el.covariates, blocks);
    this.updateCovCount();
  }

  updateCovCount() {
    const n = this.selectedCovariates().length;
    $('#cov-count').textContent = `${n} selected`;
  }

  /** The selection on screen becomes the user's own (so a reloaded file cannot change it by new guesses). */
  adoptSelection() {
    if (!this.summary) return;
    for (const c of this.covariateCandidates()) if (!this.covChoice.has(c.name)) this.covChoice.set(c.name, this.isChecked(c.name));
    for (const f of ROLE_FIELDS) this.roles[f.role].user = true;
  }

  selectedCovariates() {
    if (!this.summary) return [];
    return this.covariateCandidates().map((c) => c.name).filter((n) => this.isChecked(n));
  }

  setAllCovariates(on) {
    if (!this.summary) return;
    for (const c of this.covariateCandidates()) if (!on || c.kind === 'number') this.covChoice.set(c.name, on);
    this.renderCovariates();
  }

  // ------------------------------------------------------------------ errors

  /** Show (message) or clear (null) the error beside a control: role name, 'join', 'penalizer', 'cov:<column>'. */
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

  clearErrors() {
    for (const el of document.querySelectorAll('#setup .field-error')) { el.textContent = ''; el.hidden = true; }
    for (const el of document.querySelectorAll('#setup [aria-invalid]')) el.removeAttribute('aria-invalid');
    this.el.fitError.textContent = '';
    this.el.fitError.hidden = true;
    clearCancelled(this.el.fitError);
  }

  /** Put an error from the worker beside the control it concerns; otherwise under the Fit button. */
  placeError(error) {
    const column = error.datasetColumn ?? error.column;
    let target = null;
    if (error.role === 'penalizer') target = 'penalizer';
    else if (['time', 'event', 'id', 'strata'].includes(error.role)) target = error.role;
    else if (column && this.roles.time.value === column) target = 'time';
    else if (column && this.roles.event.value === column) target = 'event';
    else if (column && this.roles.strata.value === column) target = 'strata';
    else if (column) target = `cov:${column}`;
    const placed = target ? this.fieldError(target, error.message) : false;
    this.el.fitError.hidden = false;
    this.el.fitError.textContent = placed
      ? `The model could not be fitted: see the message beside ${target.startsWith('cov:') ? `the covariate “${target.slice(4)}”` : `“${target}”`}.`
      : `The model could not be fitted: ${error.message}`;
    if (placed) {
      const control = target.startsWith('cov:') ? document.getElementById(fieldId('cov', target.slice(4))) : document.getElementById(target === 'penalizer' ? 'set-penalizer' : `role-${target}`);
      control?.focus();
    }
  }

  // ------------------------------------------------------------------ fitting

  fit() {
    return this.enqueue(() => this.fitNow());
  }

  async fitNow() {
    if (!this.summary) {
      this.el.fitError.hidden = false;
      this.el.fitError.textContent = 'Load a data file first.';
      return null;
    }
    this.clearErrors();
    if (this.needsReparse) await this.rebuildDataset();
    this.adoptSelection();
    const payload = {
      time: this.roles.time.value,
      event: this.roles.event.value,
      censored: this.eventCensored,
      id: this.roles.id.value || undefined,
      strata: this.roles.strata.value || undefined,
      covariates: this.selectedCovariates(),
      ties: this.settings.ties,
      robust: this.settings.robust,
      penalizer: this.settings.penalizer === '' ? undefined : this.settings.penalizer,
    };
    let problems = 0;
    if (!payload.time) { this.fieldError('time', 'Choose the column with the follow-up time.'); problems++; }
    if (!payload.event) { this.fieldError('event', 'Choose the column with the event indicator (1 = event, 0 = censored).'); problems++; }
    if (payload.covariates.length === 0) { $('#cov-error').textContent = 'Tick at least one covariate.'; $('#cov-error').hidden = false; problems++; }
    if (problems) {
      this.el.fitError.hidden = false;
      this.el.fitError.textContent = 'Some settings need your attention (marked above).';
      return null;
    }
    this.el.fitButton.disabled = true;
    let result = null;
    try {
      result = await this.run('fitCox', payload, 'Fitting the Cox model');
      this.result = result;
      const view = renderCoxResults(this.el.results, result);
      this.redraw = () => { view.redraw(); this.evaluate.redraw(); };
      this.announce(`Cox model fitted: C-index ${result.fit.concordance.c.toFixed(3)} on ${result.fit.n} patients.`);
      this.onResult(result);
    } catch (error) {
      if (error instanceof CancelledError) {
        this.announce('Fit cancelled.');
        showCancelled(this.el.fitError, 'Cancelled. Your settings are unchanged; press “Fit Cox model” to run again.');
      } else {
        this.placeError(error);
        this.markResultsStale('The latest fit failed (see above): these results are from the previous fit.');
      }
      return null;
    } finally {
      this.el.fitButton.disabled = false;
    }
    // The Evaluate stage runs on every new fit (in the same task, so the flow is idle only after it).
    await this.evaluate.runFor(result);
    return result;
  }

  // ------------------------------------------------------------------ late fusion

  /** Show the chosen model's controls and results. */
  applyMode() {
    const fusion = this.mode.value === 'fusion';
    for (const radio of document.querySelectorAll('input[name="model"]')) radio.checked = radio.value === this.mode.value;
    this.el.fusionSetup.hidden = !fusion;
    this.el.coxSetup.hidden = fusion;
    this.el.panel.classList.toggle('fusion-data', fusion);
    for (const el of this.el.roles.querySelectorAll('.cox-only')) el.hidden = fusion;
    this.applyOutcome();
    $('#join-help').textContent = fusion
      ? 'The same patient has the same ID in every file. The file with the follow-up time defines the patients; a patient missing from another file lacks that modality.'
      : 'The same patient has the same ID in every file; patients missing from any file are left out.';
    this.el.fusion.hidden = !(fusion && this.fusionResult);
    if (fusion) this.fusionView?.redraw();
  }

  /** Show the column pickers of the outcome kind (late fusion: survival or binary; one Cox model: survival). */
  applyOutcome() {
    const fusion = this.mode.value === 'fusion';
    const kind = fusion ? this.fusionSettings.outcome : 'survival';
    for (const el of this.el.roles.querySelectorAll('[data-outcome]')) el.hidden = el.dataset.outcome !== kind;
    const choice = $('#outcome-choice');
    if (choice) {
      choice.hidden = !fusion;
      for (const radio of choice.querySelectorAll('input')) radio.checked = radio.value === this.fusionSettings.outcome;
      $('#outcome-help').textContent = OUTCOMES[this.fusionSettings.outcome].help;
    }
  }

  /** The Outcome choice of late fusion (drawn from OUTCOMES). */
  outcomeChoice() {
    const radios = Object.entries(OUTCOMES).map(([kind, o]) => {
      const id = `outcome-${kind}`;
      const input = h('input', { type: 'radio', name: 'outcome-kind', id, value: kind, checked: this.fusionSettings.outcome === kind });
      input.addEventListener('change', () => {
        if (!input.checked) return;
        this.adoptRoles();
        this.fusionSettings.outcome = kind;
        this.outcomeUser = true;
        this.applyOutcome();
        this.checkRoles();
        this.refreshFusion();
        this.markFusionStale();
        this.announce(`Outcome: ${o.label.toLowerCase()} (${o.detail}).`);
        this.enqueue(() => this.checkFusion());
      });
      return h('div', { class: 'check' }, input, h('label', { for: id }, o.label, ' ', h('span', { class: 'count' }, `(${o.detail})`)));
    });
    return h('fieldset', { class: 'field wide outcome-choice', id: 'outcome-choice', 'aria-describedby': 'outcome-help' },
      h('legend', {}, 'Outcome'),
      h('div', { class: 'choice-row' }, radios),
      h('p', { class: 'help', id: 'outcome-help' }, OUTCOMES[this.fusionSettings.outcome].help));
  }

  /** The roles on screen become the user's (a reloaded file cannot change them by new guesses). */
  adoptRoles() {
    if (!this.summary) return;
    for (const f of ROLE_FIELDS) this.roles[f.role].user = true;
    if (this.join.value) this.join.user = true;
    if (this.mode.value) this.mode.user = true;
    // The outcome kind on screen is the user's too: a reloaded (e.g. broken) file cannot flip it.
    this.outcomeUser = true;
  }

  /** The ID column late fusion joins on: the join column (several files) or the ID role (one file). */
  fusionId() {
    const ready = [...this.sources.values()].filter((s) => s.summary);
    return ready.length > 1 ? this.join.value : this.roles.id.value;
  }

  fusionCandidates() {
    const s = this.fusionSettings;
    const outcomeColumns = s.outcome === 'binary' ? [this.roles.outcome.value] : [this.roles.time.value, this.roles.event.value];
    const used = new Set([...outcomeColumns, this.roles.id.value, this.fusionId(),
      s.splitMode === 'column' ? s.splitColumn : ''].filter(Boolean));
    if (this.summary.join) used.add(this.summary.join.column);
    return this.summary.columns.filter((c) => !used.has(c.name));
  }

  /** Redraw the Modalities step and the settings for the current data and roles. */
  refreshFusion() {
    if (!this.summary) return;
    this.modalities.update(this.summary, this.fusionCandidates(), this.guess);
    this.modalities.render();
    this.updateModalityCount();
    this.renderFusionSettingsForm();
  }

  updateModalityCount() {
    const groups = this.modalities.groups();
    const cols = groups.reduce((a, g) => a + g.columns.length, 0);
    $('#mod-count').textContent = `${groups.length} modalit${groups.length === 1 ? 'y' : 'ies'}, ${cols} column${cols === 1 ? '' : 's'}`;
  }

  renderFusionSettingsForm() {
    const box = $('#fusion-settings');
    renderFusionSettings(box, this.fusionSettings, {
      columns: this.summary ? this.summary.header : [],
      onChange: (key) => {
        this.adoptRoles();
        this.fieldError(`setting:${key}`, null);
        this.markFusionStale();
        const field = FUSION_FIELDS.find((f) => f.key === key);
        // Choices that show/hide or lock other fields, or change which columns are features, redraw.
        if (key === 'referenceCompatible' || key === 'splitMode' || key === 'splitColumn' || field?.type === 'select') {
          const focus = document.activeElement?.id;
          if (key === 'splitMode' || key === 'splitColumn') this.refreshFusion(); else this.renderFusionSettingsForm();
          if (focus) document.getElementById(focus)?.focus();
        }
      },
    });
  }

  /** Results on screen no longer match the data or the settings: say so above them. */
  markFusionStale(message = 'The settings changed after these results were computed: press “Run late fusion” to update them.') {
    if (!this.fusionResult || this.el.fusion.hidden || this.el.fusion.dataset.source !== 'data') return;
    let note = this.el.fusion.querySelector('.stale');
    if (!note) {
      note = h('p', { class: 'notice warn stale', role: 'note' });
      this.el.fusion.querySelector('h2')?.after(note);
    }
    note.textContent = message;
  }

  /** The request's roles (outcome columns by the outcome kind, ID, split column). */
  fusionRoles() {
    const s = this.fusionSettings;
    return {
      id: this.fusionId() || undefined,
      ...outcomeRoles(s.outcome, { time: this.roles.time.value, event: this.roles.event.value, censored: this.eventCensored, outcome: this.roles.outcome.value }),
      split: s.splitMode === 'column' && s.splitColumn ? s.splitColumn : undefined,
    };
  }

  readyKeys() {
    return [...this.sources.values()].filter((s) => s.summary).map((s) => s.key);
  }

  /** Join the files as late fusion will and show who is in which file; problems beside their controls. */
  async checkFusion() {
    if (!this.summary || this.mode.value !== 'fusion') return;
    const roles = this.fusionRoles();
    const binary = this.fusionSettings.outcome === 'binary';
    this.clearFusionErrors({ keepSettings: true });
    if (binary ? !roles.outcome : !roles.time || !roles.event) {
      this.el.coverage.textContent = binary ? 'Choose the outcome column (0/1).' : 'Choose the follow-up time and event columns.';
      return;
    }
    // Only the modalities that can run (columns, a valid name): the others show their own problem.
    const problems = this.modalities.problems();
    const usable = Object.fromEntries(this.modalities.groups().filter((g) => !problems[g.id]).map((g) => [g.name.trim(), g.columns]));
    try {
      await this.ensureWorkerState();
      const { summary, preview } = await this.client.call('fuseData', { keys: this.readyKeys(), roles, modalities: usable, checkOnly: true });
      this.fusionCheck = summary;
      if (preview && this.summary.files.length > 1) this.renderFusionPreview(summary, preview);
      const files = summary.perFile.filter((f) => !f.outcome);
      this.el.coverage.textContent = `${summary.outcomeFile} defines the cohort: ${summary.patients.toLocaleString('en-US')} patients ` +
        (binary ? `with an outcome (${summary.events.toLocaleString('en-US')} cases, ${summary.controls.toLocaleString('en-US')} controls)` : 'with a time and an event') +
        (summary.dropped ? ` (${summary.dropped} without were left out)` : '') +
        (files.length ? `; ${files.map((f) => `${f.file}: ${f.patients.toLocaleString('en-US')} of them`).join(', ')}` : '') + '. ' +
        `With data: ${summary.modalities.map((m) => `${m.name} ${m.patients.toLocaleString('en-US')}`).join(', ')}.`;
    } catch (error) {
      this.fusionCheck = null;
      this.el.coverage.textContent = '';
      if (!(error instanceof CancelledError)) this.placeFusionError(error, { check: true });
    }
  }

  clearFusionErrors({ keepSettings = false } = {}) {
    const box = this.el.fusionSetup;
    for (const el of box.querySelectorAll('.field-error')) {
      if (keepSettings && el.dataset.errorFor?.startsWith('setting:')) continue;
      if (el.dataset.errorFor?.startsWith('modality:') && !el.hidden && el.dataset.local === '1') continue;
      el.textContent = ''; el.hidden = true;
    }
    for (const el of box.querySelectorAll('[aria-invalid]')) if (!keepSettings || !el.dataset.setting) el.removeAttribute('aria-invalid');
    this.modalities.render();
    for (const f of ROLE_FIELDS) this.fieldError(f.role, null);
    this.checkRoles();
    if (this.el.join.hidden === false) this.fieldError('join', null);
    let changed = false;
    for (const src of this.sources.values()) if (src.fusionError) { src.fusionError = null; changed = true; }
    if (changed) this.renderFiles();
    this.el.fuseError.hidden = true;
    this.el.fuseError.textContent = '';
    clearCancelled(this.el.fuseError);
  }

  /**
   * Put an error of the late-fusion run (or its check) beside the control it concerns: the ID/join,
   * time, event, split column, a modality, a file in the list, or a setting named in the core's
   * message; otherwise under the Run button. Returns the control to focus, if any.
   */
  placeFusionError(error, { check = false } = {}) {
    const role = error.role ?? '';
    let placed = null;
    let where = '';
    if (role === 'join' || role === 'id') {
      const target = role === 'join' && !this.el.join.hidden ? 'join' : 'id';
      if (this.fieldError(target, error.message)) { placed = target === 'join' ? $('#join-select') : $('#role-id'); where = target === 'join' ? 'the ID column to join on' : '“Patient ID”'; }
    } else if (role === 'time' || role === 'event' || role === 'outcome') {
      if (this.fieldError(role, error.message)) { placed = $(`#role-${role}`); where = ROLE_FIELDS.find((f) => f.role === role).label.replace(/^(.*)$/, '“$1”'); }
    } else if (role === 'split') {
      placed = this.fieldError('setting:splitColumn', error.message); where = '“Split column”';
    } else if (role.startsWith('modality:')) {
      placed = this.modalities.showError(role.slice(9), error.message); where = `the modality “${role.slice(9)}”`;
    } else if (role === 'modalities') {
      $('#mod-error').textContent = error.message; $('#mod-error').hidden = false; placed = $('#mod-add'); where = 'Modalities';
    } else if (role.startsWith('file:')) {
      const src = [...this.sources.values()].find((x) => x.name === role.slice(5));
      if (src) { src.fusionError = error.message; this.renderFiles(); placed = this.el.files; where = `the file ${src.name}`; }
    }
    if (!placed) {
      // A core error about one setting (e.g. selection 'elasticnet' is not supported yet).
      const table = [[/\bselection\b/i, 'selection'], [/min.?pattern/i, 'minPatternSize'], [/test.?fraction/i, 'testFraction'], [/horizon/i, 'horizons'],
        [/integrator.?penal/i, 'integratorPenalizer'], [/penali[sz]er/i, 'penalizer'], [/\bpresence\b/i, 'presence'], [/\bscaling\b/i, 'scaling'],
        [/\bfolds?\b/i, 'folds'], [/\brepeats\b/i, 'repeats'], [/\bbootstrap\b/i, 'bootstrap'], [/\bpermutations?\b/i, 'permutations'], [/\bseed\b/i, 'seed']];
      const hit = table.find(([re, key]) => re.test(error.message) && document.getElementById(fusionFieldId(key)) && !document.getElementById(fusionFieldId(key)).closest('[hidden]'));
      if (hit) { placed = this.fieldError(`setting:${hit[1]}`, error.message); where = `“${FUSION_FIELDS.find((f) => f.key === hit[1]).label}”`; }
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
    return this.enqueue(() => this.fuseNow());
  }

  /** Check everything the page can check, then run late fusion in the worker and show the results. */
  async fuseNow() {
    if (!this.summary) {
      this.el.fuseError.hidden = false;
      this.el.fuseError.textContent = 'Load data files first.';
      return null;
    }
    if (this.needsReparse) await this.rebuildDataset();
    this.clearFusionErrors();
    this.adoptRoles();
    this.modalities.adopt();
    if (this.mode.value !== 'fusion') { this.mode = { value: 'fusion', user: true }; this.applyMode(); }
    const firstInvalid = [];
    const roles = this.fusionRoles();
    if (this.fusionSettings.outcome === 'binary') {
      if (!roles.outcome) { this.fieldError('outcome', 'Choose the column with the outcome (1 = case, 0 = control).'); firstInvalid.push($('#role-outcome')); }
    } else {
      if (!roles.time) { this.fieldError('time', 'Choose the column with the follow-up time.'); firstInvalid.push($('#role-time')); }
      if (!roles.event) { this.fieldError('event', 'Choose the column with the event indicator (1 = event, 0 = censored).'); firstInvalid.push($('#role-event')); }
    }
    const groups = this.modalities.groups();
    if (groups.length === 0) {
      $('#mod-error').textContent = 'No modality: add one and move columns into it.';
      $('#mod-error').hidden = false;
      firstInvalid.push($('#mod-add'));
    }
    const problems = this.modalities.render();
    for (const g of groups) if (problems[g.id]) firstInvalid.push(this.modalities.showError(g.name.trim(), problems[g.id]) || null);
    const settingProblems = checkFusionSettings(this.fusionSettings);
    for (const [key, message] of Object.entries(settingProblems)) firstInvalid.push(this.fieldError(`setting:${key}`, message));
    if (firstInvalid.length) {
      this.el.fuseError.hidden = false;
      this.el.fuseError.textContent = 'Some choices need your attention (marked above).';
      const focus = firstInvalid.find((x) => x instanceof HTMLElement);
      focus?.focus();
      return null;
    }
    const payload = { keys: this.readyKeys(), roles, modalities: this.modalities.spec(), options: engineOptions(this.fusionSettings) };
    if (this.featureInfo) payload.options.featureInfo = this.featureInfo;
    this.el.fuseButton.disabled = true;
    try {
      const out = await this.run('fuseData', payload, 'Late fusion: joining the files on the patient ID');
      const files = [...this.sources.values()].filter((x) => x.summary).map((x) => x.name);
      // inputs: the files as loaded, for the analysis report's SHA-256 (decision-view.js).
      const inputs = [...this.sources.values()].filter((x) => x.summary).map((x) => ({ name: x.name, blob: x.blob, text: x.text }));
      this.fusionResult = { ...out, modalities: payload.modalities, source: { kind: 'data', files, inputs, roles, settings: { ...this.fusionSettings }, payloadOptions: payload.options } };
      this.fusionView = renderFusionResults(this.el.fusion, this.fusionResult);
      this.el.fusion.dataset.source = 'data';
      this.applyMode();
      this.onFusionResult?.(this.fusionResult);
      this.announce(this.fusionView.headline);
      this.el.fusion.querySelector('h2')?.focus({ preventScroll: false });
      return this.fusionResult;
    } catch (error) {
      if (error instanceof CancelledError) {
        this.announce('Late fusion cancelled.');
        showCancelled(this.el.fuseError, 'Cancelled. Your settings are unchanged; press “Run late fusion” to run again.');
      } else {
        const control = this.placeFusionError(error);
        this.markFusionStale('The latest run failed (see above): these results are from the previous run.');
        control?.focus?.();
      }
      return null;
    } finally {
      this.el.fuseButton.disabled = false;
    }
  }
}
