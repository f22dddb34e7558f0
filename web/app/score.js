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
  const { fit, prep } = result;
  replace(box, h('p', {}, h('strong', {}, 'Just fitted: '),
    `Cox model on ${prep.files.join(' + ')} (${fit.covariates.join(', ')}; ${fit.n} patients, C-index ${fixed(fit.concordance.c, 3)}).`));
}
