// The "Run demo" button: simulate the study-shaped cohort (the hgsoc preset, a fixed seed), fit and
// evaluate late and early fusion on it in the worker, and show the fusion results (fusion-view.js)
// in the Fit panel.
// "Binary outcome demo": the same study-shaped cohort with a 0/1 outcome (`latefuse simulate --preset
// hgsoc --outcome binary`), late fusion with logistic models (`latefuse fuse --outcome y`).
import { $ } from './dom.js';
import { showCancelled, clearCancelled } from './ui.js';
import { DEMO } from './presets.js';
import { renderFusionResults } from './fusion-view.js';
import { CancelledError } from '../lib/errors.js';

/**
 * The binary-outcome demo: the reference preset with a binary outcome and a fixed seed, evaluated as
 * the survival demo (30% test split, 1000 bootstrap replicates and permutations, median risk groups)
 * = `latefuse simulate --preset hgsoc --outcome binary --seed 1` + `latefuse fuse --outcome y ...`.
 */
export const BINARY_DEMO = Object.freeze({
  simulation: Object.freeze({ preset: 'hgsoc', seed: 1, outcome: 'binary' }),
  evaluation: Object.freeze({ testFraction: 0.3, seed: 1, bootstrap: 1000, permutations: 1000, riskGroups: 'median' }),
  button: '#btn-demo-binary',
  label: 'Binary-outcome demo: simulating the cohort',
});

export class FusionDemo {
  /**
   * @param {{client: import('./protocol.js').WorkerClient, flow: import('./fit.js').FitFlow, announce: Function,
   *          onResult?: (result) => void}} deps
   */
  constructor({ client, flow, announce, onResult }) {
    this.client = client;
    this.flow = flow;
    this.announce = announce;
    this.onResult = onResult ?? (() => {});
    this.view = null;
    this.result = null;
    this.el = { section: $('#fusion'), panel: $('#panel-fit') };
  }

  /** Show the fusion results instead of the Cox flow's cards. */
  show() {
    this.el.section.hidden = false;
    this.el.panel.classList.add('fusion-mode');
  }

  /** Back to the Cox flow (new data loaded). */
  hide() {
    this.el.section.hidden = true;
    this.el.panel.classList.remove('fusion-mode');
  }

  /**
   * Run the demo (queued with the Fit flow's other tasks). Resolves to the result, or null.
   * `focus`: move focus to the results (after a user's click; not on the automatic run at opening,
   * where the first Tab must still reach the skip link and the tabs).
   * @param {{simulation: object, evaluation: object, button?: string, label?: string}} [settings]  DEMO or BINARY_DEMO
   */
  run(settings = DEMO, { focus = true } = {}) {
    return this.flow.enqueue(async () => {
      const button = $(settings.button ?? '#btn-demo');
      button.disabled = true;
      $('#demo-error').hidden = true;
      clearCancelled($('#demo-error'));
      try {
        const result = await this.flow.run('fusion', { simulation: settings.simulation, evaluation: settings.evaluation }, settings.label ?? 'Late-fusion demo: simulating the cohort');
        this.result = { ...result, settings, source: { kind: 'simulated' } };
        this.view = renderFusionResults(this.el.section, this.result);
        // The section now holds the demo: the Fit flow's own late-fusion results are gone from it.
        this.el.section.dataset.source = 'demo';
        this.flow.fusion.result = null;
        this.flow.fusion.view = null;
        this.show();
        this.onResult(this.result);
        this.announce(this.view.headline);
        if (focus) this.el.section.querySelector('h2')?.focus({ preventScroll: true });
        return this.result;
      } catch (error) {
        const box = $('#demo-error');
        if (error instanceof CancelledError) showCancelled(box, `Demo cancelled.${this.el.section.hidden ? '' : ' The results below are from the previous run.'}`);
        else { box.hidden = false; box.textContent = `The demo could not run: ${error.message}`; }
        this.announce(box.textContent);
        return null;
      } finally {
        button.disabled = false;
      }
    });
  }

  redraw() {
    if (!this.el.section.hidden) this.view?.redraw();
  }
}

/**
 * The demo button: the late-fusion demo.
 * @param {{fusion: FusionDemo}} ctx
 * @returns {Promise<'late-fusion'>}
 */
export async function runDemo(ctx) {
  await ctx.fusion.run();
  return 'late-fusion';
}

/** The binary-outcome demo button. */
export async function runBinaryDemo(ctx) {
  await ctx.fusion.run(BINARY_DEMO);
  return 'binary';
}
