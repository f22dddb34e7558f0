// The Fit flow's data sources: the files the user opened (picker, drag-and-drop) or a bundled
// example, each read in the worker with its decimal mark (detected by web/lib/decimal.js, or the
// user's choice), listed with its size or its error; the ID column several files are joined on; and
// the preview of the data (the join of every file, or, for late fusion, the join anchored on the
// outcome file).
import { h, replace, tableWrap, acceptFiles, fieldId } from './dom.js';
import { CancelledError, InputError } from '../lib/errors.js';
import { describeDecimalMark } from '../lib/decimal.js';

/**
 * One loaded file.
 * @typedef {{key: string, name: string, origin: 'file'|'example', blob?: Blob, text?: string, decimal?: 'auto'|'.'|',',
 *   summary: any, error: Error|null, fusionError?: string|null}} Source
 */

export class SourceStep {
  /** @param {import('./fit.js').FitFlow} flow */
  constructor(flow) {
    this.flow = flow;
    /** @type {Map<string, Source>} key -> the file */
    this.sources = new Map();
    this.el = {
      files: /** @type {HTMLElement} */ (document.getElementById('file-list')),
      join: /** @type {HTMLElement} */ (document.getElementById('join-row')),
      preview: /** @type {HTMLElement} */ (document.getElementById('preview')),
    };
    acceptFiles(/** @type {HTMLInputElement} */ (document.getElementById('file-input')), document.getElementById('dropzone'), (files) => flow.addFiles(files));
  }

  /** The files read without errors, in the order they were added. */
  ready() {
    return [...this.sources.values()].filter((s) => s.summary);
  }

  readyKeys() {
    return this.ready().map((s) => s.key);
  }

  /** Read the user's files, one after another (in the flow's queue). @param {File[]} files */
  async add(files) {
    for (const file of files) {
      const key = file.name;
      /** @type {Source} */
      const source = { key, name: file.name, origin: 'file', blob: file, summary: null, error: null };
      this.sources.set(key, source);
      this.render();
      await this.parse(source);
    }
  }

  /** Fetch and read a bundled example's files (public/data). @param {string[]} files */
  async addExample(files) {
    for (const file of files) {
      /** @type {Source} */
      const source = { key: file, name: file, origin: 'example', text: undefined, summary: null, error: null };
      this.sources.set(file, source);
      this.render();
      try {
        const response = await fetch(`./data/${file}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        source.text = await response.text();
      } catch (error) {
        source.error = new InputError(`${file}: the bundled example could not be loaded (${error.message}); reload the page`, { file });
        this.render();
        continue;
      }
      await this.parse(source);
    }
  }

  /** Forget every file (here and in the worker). */
  async dropAll() {
    for (const key of this.sources.keys()) {
      try { await this.flow.client.call('drop', { key }); } catch { /* the worker may have restarted */ }
    }
    this.sources.clear();
  }

  /** A hard Cancel restarted the worker, which lost the parsed tables: read them again. */
  async reparse() {
    for (const source of this.sources.values()) if (source.summary) await this.parse(source);
  }

  /** @param {Source} source */
  async parse(source) {
    source.error = null;
    try {
      /** @type {{key: string, name: string, decimal: string, text?: string, file?: Blob}} */
      const payload = { key: source.key, name: source.name, decimal: source.decimal ?? 'auto' };
      if (source.text !== undefined) payload.text = source.text;
      else payload.file = source.blob;
      source.summary = await this.flow.run('parse', payload, `Reading ${source.name}`);
      this.flow.announce(`${source.name}: ${source.summary.rowCount} rows, ${source.summary.header.length} columns loaded.`);
    } catch (error) {
      source.summary = null;
      if (error instanceof CancelledError) {
        // The user stopped loading this file: forget it.
        this.sources.delete(source.key);
        this.flow.announce(`Loading ${source.name} was cancelled.`);
      } else {
        source.error = error;
        this.flow.announce(`${source.name} could not be loaded: ${error.message}`);
      }
    }
    this.render();
  }

  /** @param {string} key */
  async remove(key) {
    return this.flow.enqueue(async () => {
      this.sources.delete(key);
      try { await this.flow.client.call('drop', { key }); } catch { /* ignore */ }
      this.render();
      await this.flow.rebuildDataset();
    });
  }

  /**
   * A late-fusion error about one file, shown in the file list (null clears every such error).
   * @param {string|null} name  the file's name
   * @param {string|null} [message]
   * @returns {boolean} whether the file is in the list (and the list changed)
   */
  setFusionError(name, message = null) {
    if (name === null) {
      let changed = false;
      for (const src of this.sources.values()) if (src.fusionError) { src.fusionError = null; changed = true; }
      if (changed) this.render();
      return changed;
    }
    const src = [...this.sources.values()].find((x) => x.name === name);
    if (!src) return false;
    src.fusionError = message;
    this.render();
    return true;
  }

  /** The file list: name, size or error, decimal mark, Remove (or "example"). */
  render() {
    const items = [...this.sources.values()].map((s) => {
      const errorId = fieldId('file-error', s.key);
      const status = s.error
        ? h('p', { class: 'field-error', id: errorId, role: 'alert', 'data-error-for': `file:${s.key}` }, s.error.message)
        : s.summary
          ? h('span', { class: 'file-meta' }, `${s.summary.rowCount.toLocaleString('en-US')} rows · ${s.summary.header.length} columns`)
          : h('span', { class: 'file-meta' }, 'reading…');
      const remove = s.origin === 'file'
        ? h('button', { type: 'button', class: 'small ghost', 'aria-label': `Remove ${s.name}`, onclick: () => this.remove(s.key) }, 'Remove')
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

  /**
   * The decimal mark a file was read with (detected, decimal.js) and the user's override.
   * @param {Source} s
   */
  decimalControl(s) {
    const flow = this.flow;
    const setting = s.decimal ?? 'auto';
    const found = s.summary.decimalMark;
    const select = h('select', {
      class: 'small', 'aria-label': `Numbers in ${s.name}`,
      onchange: () => {
        s.decimal = /** @type {'auto'|'.'|','} */ (select.value);
        flow.enqueue(async () => {
          flow.onDataChange();
          await this.parse(s);
          await flow.rebuildDataset();
        });
      },
    },
    h('option', { value: 'auto', selected: setting === 'auto' }, setting === 'auto' ? `detected: ${describeDecimalMark(found)}` : 'detect'),
    h('option', { value: '.', selected: setting === '.' }, describeDecimalMark('.')),
    h('option', { value: ',', selected: setting === ',' }, describeDecimalMark(',')));
    select.value = setting;
    return h('span', { class: 'file-decimal', 'data-decimal': found }, select);
  }

  /** The ID column to join several files on (the columns every file has). @param {Source[]} ready */
  renderJoin(ready) {
    const flow = this.flow;
    const row = this.el.join;
    row.hidden = ready.length < 2;
    if (row.hidden) return;
    const select = /** @type {HTMLSelectElement} */ (document.getElementById('join-select'));
    const shared = ready[0].summary.header.filter((n) => ready.every((s) => s.summary.header.includes(n)));
    replace(select, h('option', { value: '' }, '— choose the ID column —'),
      shared.map((n) => h('option', { value: n, selected: n === flow.join.value }, n)));
    select.value = flow.join.value;
    select.onchange = () => {
      flow.join = { value: select.value, user: true };
      flow.enqueue(() => flow.rebuildDataset());
    };
  }

  /** The first rows of the data set (every file joined), with each column's kind. */
  renderPreview() {
    const s = this.flow.summary;
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
}
