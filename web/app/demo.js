// The "Run demo" button.
//
// The intended demo is the study-shaped synthetic late-fusion cohort: simulate patients with several
// modalities (web/lib/fusion.js `simulate`), fit each unimodal model, the late-fusion model and the
// early-fusion model, and show the C-index chart, KM curves, forest plots, Kendall τ heatmap, AUC(t)
// and calibration. web/lib does not expose fusion yet, so `runLateFusionDemo` reports that it is
// unavailable and the button fits the lung example instead (a real fit by the core, not a mock-up).

/**
 * TODO(lead): fill in once web/lib/fusion.js exposes `simulate` and late fusion:
 *   1. add request types 'simulate' and 'fitFusion' to protocol.js REQUESTS and handlers in worker.js
 *      (the worker calls web/lib; progress per stage; `ctx.checkpoint()` between bootstrap replicates);
 *   2. here: `await ctx.flow.runFusion(await ctx.client.call('simulate', DEMO_SETTINGS))`, render the
 *      fusion results (results.js gains renderFusionResults), and return true.
 * Never show placeholder numbers: return false until the core computes them.
 * @param {{client: import('./protocol.js').WorkerClient, flow: import('./fit.js').FitFlow, announce: Function}} ctx
 * @returns {Promise<boolean>} true when the late-fusion demo ran
 */
export async function runLateFusionDemo(ctx) {
  void ctx;
  return false;
}

/** The demo button: the late-fusion demo when the core supports it, otherwise the lung Cox example. */
export async function runDemo(ctx) {
  if (await runLateFusionDemo(ctx)) return 'late-fusion';
  await ctx.flow.loadExample('lung', { fit: true });
  return 'lung';
}
