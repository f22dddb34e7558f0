// The "Evaluate" stage of the Fit flow: its settings (bootstrap replicates, permutations, seed,
// risk-group split, AUC horizons), running the 'evaluate' request in the worker after each fit
// (progress bar naming the stage, Cancel), errors beside the control they concern, and the results
// (evaluation-view.js). The worker computes everything; this module only sends the fit's own
// per-patient time, event and linear predictor, and shows what comes back.
import { $, replace, h } from './dom.js';
import { showCancelled, clearCancelled } from './ui.js';
import { renderEvaluation } from './evaluation-view.js';
import { fixed, pValue } from './format.js';
import { CancelledError } from '../lib/errors.js';

const slug = (s) => String(s).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'data';

export const EVALUATION_DEFAULTS = Object.freeze({ bootstrap: '1000', permutations: '1000', seed: '1', split: 'median' });

const FIELDS = {
  bootstrap: 'eval-bootstrap',
  permutations: 'eval-permutations',
  seed: 'eval-seed',
  horizons: 'eval-horizons',
};

export class EvaluateStage {
  /**
   * @param {{flow: import('./fit.js').FitFlow, announce: (msg: string) => void}} deps
   */
  constructor({ flow, announce }) {
    this.flow = flow;
    this.announce = announce;
    this.settings = { ...EVALUATION_DEFAULTS };
    // Horizons: filled with the defaults the worker chose, unless the user typed their own.
    this.horizons = { value: '', user: false };
    this.result = null;        // the fit being evaluated
    this.view = null;
    this.el = {
      card: $('#evaluate'),
      out: $('#evaluation'),
      button: $('#btn-evaluate'),
      error: $('#evaluate-error'),
    };
    this.bind();
  }

  bind() {
    for (const key of ['bootstrap', 'permutations', 'seed']) {
      const input = /** @type {HTMLInputElement} */ (document.getElementById(FIELDS[key]));
      input.value = this.settings[key];
      input.addEventListener('input', () => { this.settings[key] = input.value; this.fieldError(key, null); });
    }
    const split = $('#eval-split');
    split.value = this.settings.split;
    split.addEventListener('change', () => { this.settings.split = split.value; });
    const horizons = $('#eval-horizons');
    horizons.addEventListener('input', () => {
      this.horizons = { value: horizons.value, user: horizons.value.trim() !== '' };
      this.fieldError('horizons', null);
    });
    this.el.button.addEventListener('click', () => this.flow.enqueue(() => this.runNow()));
  }

  /** New data (not a corrected file): the user's horizons belonged to the old data. */
  resetData() {
    this.horizons = { value: '', user: false };
    $('#eval-horizons').value = '';
  }

  fieldError(key, message) {
    const el = document.getElementById(`${FIELDS[key]}-error`);
    const control = document.getElementById(FIELDS[key]);
    if (!el || !control) return false;
    el.textContent = message ?? '';
    el.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    return true;
  }

  clearErrors() {
    for (const key of Object.keys(FIELDS)) this.fieldError(key, null);
    this.el.error.textContent = '';
    this.el.error.hidden = true;
    clearCancelled(this.el.error);
  }

  showError(message) {
    clearCancelled(this.el.error);
    this.el.error.hidden = false;
    this.el.error.textContent = message;
  }

  /** The evaluation on screen no longer matches the fit above (or the last attempt failed). */
  markStale(message) {
    if (this.el.out.childElementCount === 0) return;
    let note = this.el.out.querySelector('.stale');
    if (!note) {
      note = h('p', { class: 'notice warn stale', role: 'note' });
      this.el.out.prepend(note);
    }
    note.textContent = message;
  }

  /** After a fit: show the stage and evaluate the new fit (old results are dropped, not mixed). */
  async runFor(result) {
    this.result = result;
    this.view = null;
    replace(this.el.out);
    this.el.card.hidden = false;
    return this.runNow({ afterFit: true });
  }

  /** Horizons typed by the user: numbers separated by commas, semicolons or spaces; null = defaults. */
  parseHorizons() {
    const text = this.horizons.user ? this.horizons.value.trim() : '';
    if (!text) return null;
    const tokens = text.split(/[\s,;]+/).filter(Boolean);
    const bad = tokens.find((t) => !Number.isFinite(Number(t)));
    if (bad !== undefined) throw Object.assign(new Error(`“${bad}” is not a number; give times separated by commas, e.g. 180, 365, 730`), { role: 'horizons' });
    return tokens.map(Number);
  }

  async runNow({ afterFit = false } = {}) {
    const result = this.result;
    if (!result) {
      this.showError('Fit a model first.');
      return null;
    }
    this.clearErrors();
    let horizons;
    try {
      horizons = this.parseHorizons();
    } catch (error) {
      this.fieldError('horizons', error.message);
      this.showError('Some evaluation settings need your attention (marked above).');
      return null;
    }
    const { fit, prep } = result;
    const payload = {
      time: prep.timeValues,
      event: prep.eventValues,
      score: fit.linear_predictor,
      higherIsRisk: true,
      bootstrap: this.settings.bootstrap,
      permutations: this.settings.permutations,
      seed: this.settings.seed,
      split: this.settings.split,
      horizons,
      // For calibration: the model's baseline hazard (predictions are made by the core). Stratified
      // fits have one baseline per stratum; calibration is shown for unstratified fits only.
      baseline: prep.strata ? null : { time: fit.baseline.time, hazard: fit.baseline.hazard },
    };
    this.el.button.disabled = true;
    this.el.card.setAttribute('aria-busy', 'true');
    try {
      const ev = await this.flow.run('evaluate', payload, 'Evaluating the risk score');
      if (this.result !== result) return null;   // a newer fit replaced this one meanwhile
      result.evaluation = ev;
      if (!this.horizons.user) {
        this.horizons = { value: ev.settings.horizons.join(', '), user: false };
        $('#eval-horizons').value = this.horizons.value;
      }
      this.view = renderEvaluation(this.el.out, ev, {
        modelName: 'Cox model',
        modelKind: `Cox (${fit.covariates.join(', ')})`,
        basename: slug(prep.files.join('-')),
        timeColumn: prep.time,
        patientRows: {
          ids: prep.ids, rowNumbers: prep.sourceRows, time: prep.timeValues, event: prep.eventValues, score: fit.linear_predictor,
          idColumn: prep.id, timeColumn: prep.time, eventColumn: prep.event,
        },
      });
      const h0 = ev.harrell;
      this.announce(`Evaluation done: Harrell's C ${fixed(h0.c, 3)}` +
        (Number.isFinite(h0.lower) ? ` (95% CI ${fixed(h0.lower, 3)} to ${fixed(h0.upper, 3)})` : '') +
        (ev.risk_groups.logrank ? `, log-rank p ${pValue(ev.risk_groups.logrank.p)}.` : '.'));
      return ev;
    } catch (error) {
      if (error instanceof CancelledError) {
        this.announce('Evaluation cancelled.');
        showCancelled(this.el.error, afterFit || !this.view
          ? 'Evaluation cancelled. The fit above is unchanged; press “Run evaluation” to evaluate it.'
          : 'Cancelled. The evaluation below is from the previous run; press “Run evaluation” to run again.');
      } else {
        const placed = error.role && FIELDS[error.role] ? this.fieldError(error.role, error.message) : false;
        this.showError(placed ? 'The evaluation could not run: see the message beside the setting above.' : `The evaluation could not run: ${error.message}`);
        if (placed) document.getElementById(FIELDS[error.role])?.focus();
        this.markStale('The latest evaluation failed (see above): these results are from the previous run.');
      }
      return null;
    } finally {
      this.el.button.disabled = false;
      this.el.card.removeAttribute('aria-busy');
    }
  }

  redraw() {
    this.view?.redraw();
  }
}
