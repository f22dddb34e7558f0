// The Fit flow's one-Cox-model path: the settings (ties, ridge penalizer, robust SE), the fit in the
// worker on the ticked covariates, its errors beside the control they concern, the results
// (results.js) and the Evaluate stage that runs after every fit (evaluate.js).
import { h, fieldId } from './dom.js';
import { renderCoxResults } from './results.js';
import { EvaluateStage } from './evaluate.js';
import { CancelledError } from '../lib/errors.js';
import { showCancelled, clearCancelled } from './ui.js';

export class CoxFlow {
  /**
   * @param {import('./fit.js').FitFlow} flow
   * @param {{onResult?: (result: any) => void}} options  onResult: called with every new fit
   */
  constructor(flow, { onResult }) {
    this.flow = flow;
    this.onResult = onResult ?? (() => {});
    this.settings = { ties: 'efron', penalizer: '0', robust: false };
    /** @type {any} the last fit (worker.js fitCox) */
    this.result = null;
    this.el = {
      fitButton: /** @type {HTMLButtonElement} */ (document.getElementById('btn-fit')),
      fitError: /** @type {HTMLElement} */ (document.getElementById('fit-error')),
      results: /** @type {HTMLElement} */ (document.getElementById('results')),
      ties: /** @type {HTMLSelectElement} */ (document.getElementById('set-ties')),
      penalizer: /** @type {HTMLInputElement} */ (document.getElementById('set-penalizer')),
      robust: /** @type {HTMLInputElement} */ (document.getElementById('set-robust')),
    };
    this.el.fitButton.addEventListener('click', () => this.fit());
    const { ties, penalizer, robust } = this.el;
    ties.addEventListener('change', () => { this.settings.ties = ties.value; });
    penalizer.addEventListener('input', () => { this.settings.penalizer = penalizer.value; flow.fieldError('penalizer', null); });
    robust.addEventListener('change', () => { this.settings.robust = robust.checked; });
    this.syncSettings();
  }

  /** Start the Evaluate stage (after the flow's steps exist: it drives the flow's queue). */
  attachEvaluate() {
    this.evaluate = new EvaluateStage({ flow: this.flow, announce: this.flow.announce });
  }

  syncSettings() {
    this.el.ties.value = this.settings.ties;
    this.el.penalizer.value = this.settings.penalizer;
    this.el.robust.checked = this.settings.robust;
  }

  /** Results on screen no longer match the loaded data or the last attempt: say so above them. */
  markStale(message = 'The data changed after these results were computed: press “Fit Cox model” to update them.') {
    if (!this.result || this.el.results.hidden) return;
    this.evaluate.markStale(message);
    let note = this.el.results.querySelector('.stale');
    if (!note) {
      note = h('p', { class: 'notice warn stale', role: 'note' });
      this.el.results.querySelector('h2')?.after(note);
    }
    note.textContent = message;
  }

  clearErrors() {
    for (const el of document.querySelectorAll('#setup .field-error')) { el.textContent = ''; /** @type {HTMLElement} */ (el).hidden = true; }
    for (const el of document.querySelectorAll('#setup [aria-invalid]')) el.removeAttribute('aria-invalid');
    this.el.fitError.textContent = '';
    this.el.fitError.hidden = true;
    clearCancelled(this.el.fitError);
  }

  /** Put an error from the worker beside the control it concerns; otherwise under the Fit button. */
  placeError(error) {
    const roles = this.flow.roles;
    const column = error.datasetColumn ?? error.column;
    let target = null;
    if (error.role === 'penalizer') target = 'penalizer';
    else if (['time', 'event', 'id', 'strata'].includes(error.role)) target = error.role;
    else if (column && roles.time.value === column) target = 'time';
    else if (column && roles.event.value === column) target = 'event';
    else if (column && roles.strata.value === column) target = 'strata';
    else if (column) target = `cov:${column}`;
    const placed = target ? this.flow.fieldError(target, error.message) : false;
    this.el.fitError.hidden = false;
    this.el.fitError.textContent = placed
      ? `The model could not be fitted: see the message beside ${target.startsWith('cov:') ? `the covariate “${target.slice(4)}”` : `“${target}”`}.`
      : `The model could not be fitted: ${error.message}`;
    if (placed) {
      const control = target.startsWith('cov:') ? document.getElementById(fieldId('cov', target.slice(4))) : document.getElementById(target === 'penalizer' ? 'set-penalizer' : `role-${target}`);
      control?.focus();
    }
  }

  fit() {
    return this.flow.enqueue(() => this.fitNow());
  }

  async fitNow() {
    const flow = this.flow;
    if (!flow.summary) {
      this.el.fitError.hidden = false;
      this.el.fitError.textContent = 'Load a data file first.';
      return null;
    }
    this.clearErrors();
    if (flow.needsReparse) await flow.rebuildDataset();
    flow.covariates.adopt();
    const payload = {
      time: flow.roles.time.value,
      event: flow.roles.event.value,
      censored: flow.eventCensored,
      id: flow.roles.id.value || undefined,
      strata: flow.roles.strata.value || undefined,
      covariates: flow.covariates.selected(),
      ties: this.settings.ties,
      robust: this.settings.robust,
      penalizer: this.settings.penalizer === '' ? undefined : this.settings.penalizer,
    };
    let problems = 0;
    if (!payload.time) { flow.fieldError('time', 'Choose the column with the follow-up time.'); problems++; }
    if (!payload.event) { flow.fieldError('event', 'Choose the column with the event indicator (1 = event, 0 = censored).'); problems++; }
    if (payload.covariates.length === 0) {
      const covError = document.getElementById('cov-error');
      covError.textContent = 'Tick at least one covariate.';
      covError.hidden = false;
      problems++;
    }
    if (problems) {
      this.el.fitError.hidden = false;
      this.el.fitError.textContent = 'Some settings need your attention (marked above).';
      return null;
    }
    this.el.fitButton.disabled = true;
    let result = null;
    try {
      result = await flow.run('fitCox', payload, 'Fitting the Cox model');
      this.result = result;
      const view = renderCoxResults(this.el.results, result);
      flow.redraw = () => { view.redraw(); this.evaluate.redraw(); };
      flow.announce(`Cox model fitted: C-index ${result.fit.concordance.c.toFixed(3)} on ${result.fit.n} patients.`);
      this.onResult(result);
    } catch (error) {
      if (error instanceof CancelledError) {
        flow.announce('Fit cancelled.');
        showCancelled(this.el.fitError, 'Cancelled. Your settings are unchanged; press “Fit Cox model” to run again.');
      } else {
        this.placeError(error);
        this.markStale('The latest fit failed (see above): these results are from the previous fit.');
      }
      return null;
    } finally {
      this.el.fitButton.disabled = false;
    }
    // The Evaluate stage runs on every new fit (in the same task, so the flow is idle only after it).
    await this.evaluate.runFor(result);
    return result;
  }
}
