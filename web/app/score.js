// The Score tab. For now it lists the models available to score with (the model just fitted); the
// calculator itself arrives with the fusion core (see index.html) and will compute in the worker.
import { h, replace, $ } from './dom.js';
import { fixed } from './format.js';

export function renderScoreModels(result) {
  const box = $('#score-model');
  if (!result) {
    replace(box, h('p', { class: 'hint' }, 'No model yet: fit one in “Fit & evaluate”, or run the demo.'));
    return;
  }
  if (result.result) {
    // The late-fusion demo (demo.js).
    const late = result.result.report?.models?.find?.((m) => m.kind === 'late') ?? result.result.models?.find?.((m) => m.kind === 'late');
    replace(box, h('p', {}, h('strong', {}, 'Just fitted: '),
      `late-fusion model on the simulated cohort (seed ${result.cohort.seed}; ${result.cohort.modalities.map((m) => m.name).join(', ')}; ` +
      `${result.cohort.n} patients${late?.common?.c !== undefined ? `, C-index ${fixed(late.common.c, 3)} on the common test patients` : ''}).`));
    return;
  }
  const { fit, prep } = result;
  replace(box, h('p', {}, h('strong', {}, 'Just fitted: '),
    `Cox model on ${prep.files.join(' + ')} (${fit.covariates.join(', ')}; ${fit.n} patients, C-index ${fixed(fit.concordance.c, 3)}).`));
}
