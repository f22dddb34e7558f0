// Late-fusion settings of the "Fit & evaluate" flow: the definitions (default, one-line help, check),
// the form (grouped fieldsets, errors beside each control) and the engine's options
// (web/lib fitAndEvaluateFusion). The defaults are the engine's honest defaults (`latefuse fuse`
// without options); "Reference-compatible" applies the reference study's preset
// (cpp/latefuse/fusion_report.hpp referenceCompatibleFusionOptions) and shows its values.
//
// OUTCOMES: survival (time + event; Cox submodels and integrators) or binary (one 0/1 column;
// logistic submodels and integrators, c = AUC). The kind is `settings.outcome`; fit.js draws the
// "Outcome" choice from OUTCOMES and the column pickers of its `roles`; `outcomeRoles` maps the
// chosen columns into the request. A field with `outcomes: [...]` applies to those kinds only
// (horizons, time unit and elastic-net selection are survival-only, as in `latefuse fuse`); a help
// text may depend on the settings (a function).
// Elastic-net selection (`selection: 'elasticnet'`): alpha, the lambda rule and its CV folds, shown
// only while it is the (effective) selection.
import { h } from './dom.js';

/** Outcome kinds the engine supports. `roles`: the column roles the outcome needs (fit.js ROLE_FIELDS). */
export const OUTCOMES = Object.freeze({
  survival: Object.freeze({
    label: 'Survival', detail: 'follow-up time + event', roles: Object.freeze(['time', 'event']),
    help: 'Time to an event with censoring: Cox models, C-index, Kaplan–Meier risk groups.',
  }),
  binary: Object.freeze({
    label: 'Binary', detail: 'one 0/1 column', roles: Object.freeze(['outcome']),
    help: 'Yes/no outcome (1 = case, 0 = control; TRUE/FALSE works too): logistic models, AUC, predicted probabilities.',
  }),
});

/**
 * The request's outcome columns for the chosen kind (survival: time and event; binary: the 0/1 column).
 * @param {string} kind
 * @param {{time?: string, event?: string, censored?: boolean, outcome?: string}} roles
 * @returns {{time?: string, event?: string, censored?: boolean, outcome?: string}}
 */
export function outcomeRoles(kind, roles) {
  if (kind === 'survival') return { time: roles.time, event: roles.event, ...(roles.censored ? { censored: true } : {}) };
  if (kind === 'binary') return { outcome: roles.outcome };
  throw new Error(`unknown outcome kind ${kind}`);
}

const survivalOnly = Object.freeze(['survival']);

/** The reference study's values, shown (and not sent) while "Reference-compatible" is ticked. */
export const REFERENCE_PRESET = Object.freeze({
  selection: 'screen', penalizer: '0.5', integratorPenalizer: '0.5', integratorInputs: 'in_sample', scaling: 'minmax',
});

/** The accepted range in words (written once per message, so no message repeats it). */
function rangeWords(min, max, lowerOpen, upperOpen) {
  const big = (x) => (Math.abs(x) >= 1e6 ? x.toLocaleString('en-US') : String(x));
  if (lowerOpen && upperOpen) return `strictly between ${big(min)} and ${big(max)}`;
  if (lowerOpen) return `above ${big(min)} and at most ${big(max)}`;
  return `from ${big(min)} to ${big(max)}`;
}

/**
 * A number setting's check: one template per problem — "Give <what> <range> (<note>)." after
 * saying what is wrong with the text typed. `what` is the noun alone ("a penalty", "alpha").
 */
const num = (min, max, integer, what, { lowerOpen = false, upperOpen = false, note = '' } = {}) => (v) => {
  const ask = `Give ${integer ? `${what} (a whole number)` : what} ${rangeWords(min, max, lowerOpen, upperOpen)}${note ? ` (${note})` : ''}.`;
  if (v === '') return ask;
  const x = Number(v);
  if (!Number.isFinite(x)) return `“${v}” is not a number. ${ask}`;
  if (integer && !Number.isInteger(x)) return `“${v}” is not a whole number. ${ask}`;
  if (x < min || x > max || (lowerOpen && x === min) || (upperOpen && x === max)) return ask;
  return null;
};

/**
 * Every setting: key (the engine option unless `engine` says otherwise), label, control, default,
 * one-line help, check. `reference: true` = set by the reference-compatible preset.
 */
export const FUSION_FIELDS = Object.freeze([
  {
    group: 'submodels', key: 'selection', label: 'Feature selection', type: 'select', reference: true, default: 'none',
    options: (s) => [['none', 'None (all columns)'], ['screen', 'Screening (univariate)'],
      ['elasticnet', s.outcome === 'binary' ? 'Elastic net (survival only)' : 'Elastic net']],
    help: (s) => (s.outcome === 'binary'
      ? 'Which columns enter each submodel; screening keeps those linked to the outcome in the training patients (IQR filter, univariate logistic, BH q < 0.05).'
      : 'Which columns enter each submodel; screening keeps those linked to survival (IQR filter, univariate Cox, BH q < 0.05); elastic net keeps those a cross-validated elastic-net Cox model picks.'),
  },
  {
    group: 'submodels', key: 'alpha', label: 'Elastic-net mixing (alpha)', type: 'number', default: '1', step: '0.1', min: '0',
    outcomes: survivalOnly, when: (s) => effectiveValue(s, 'selection') === 'elasticnet',
    check: num(0, 1, false, 'alpha', { lowerOpen: true, note: '1 = lasso; 0 is pure ridge, which selects nothing' }),
    help: '1 = lasso (keeps few columns); smaller values mix in ridge, so groups of correlated columns are kept together.',
  },
  {
    group: 'submodels', key: 'lambdaRule', label: 'Penalty chosen by', type: 'select', default: 'min',
    outcomes: survivalOnly, when: (s) => effectiveValue(s, 'selection') === 'elasticnet',
    options: [['min', 'λ min (best fit)'], ['1se', 'λ 1se (sparser)']],
    help: 'λ min gives the lowest cross-validated error; λ 1se the strongest penalty within one standard error of it (fewer columns).',
  },
  {
    group: 'submodels', key: 'selectionFolds', label: 'Elastic-net CV folds', type: 'number', default: '5', step: '1', min: '2',
    outcomes: survivalOnly, when: (s) => effectiveValue(s, 'selection') === 'elasticnet',
    check: num(2, 50, true, 'a number of folds'),
    help: 'Folds of the cross-validation that picks λ, per modality on its training patients (seeded, balanced on events).',
  },
  {
    group: 'submodels', key: 'penalizer', label: 'Submodel ridge penalty', type: 'number', reference: true, default: '0.1', step: '0.01',
    check: num(0, 1e6, false, 'a penalty'),
    help: (s) => (s.outcome === 'binary'
      ? 'Shrinks each modality’s logistic coefficients toward 0 (ridge = patients × penalty, as glmnet’s λ on standardised columns).'
      : 'Shrinks each modality’s Cox coefficients toward 0 (lifelines’ penalizer scale); the study used 0.5.'),
  },
  {
    group: 'submodels', key: 'presence', label: 'A patient has a modality when', type: 'select', default: 'any',
    options: [['any', 'any column has a value'], ['all', 'all columns have values']],
    help: 'Patients without a modality are scored without it; missing cells of a present modality are imputed (training medians).',
  },
  {
    group: 'submodels', key: 'scaling', label: 'Score scaling', type: 'select', reference: true, default: 'zscore',
    options: [['zscore', 'z-score'], ['minmax', 'Min–max'], ['none', 'None']],
    help: 'How each modality’s risk score is put on a common scale (training mean and SD; min–max after a |z| > 5 outlier step).',
  },
  {
    group: 'integrator', key: 'integratorInputs', label: 'Integrator inputs', type: 'select', reference: true, default: 'cross_fitted',
    options: [['cross_fitted', 'Cross-fitted (honest)'], ['in_sample', 'In-sample (as the study)']],
    help: 'Cross-fitted scores come from submodels that did not see the patient, so the integrator does not over-trust them.',
  },
  {
    group: 'integrator', key: 'integratorPenalizer', label: 'Integrator ridge penalty', type: 'number', reference: true, default: '0.1', step: '0.01',
    check: num(0, 1e6, false, 'a penalty'),
    help: 'Shrinks the weights the integrator gives to each modality’s score.',
  },
  {
    group: 'integrator', key: 'minPatternSize', label: 'Minimum pattern size', type: 'number', default: '20', step: '1', min: '1',
    check: num(1, 1e9, true, 'a number of patients'),
    help: 'Fewest training patients for an availability pattern to get its own integrator; rarer patterns use a smaller one.',
  },
  {
    group: 'evaluation', key: 'splitMode', label: 'Test patients', type: 'select', default: 'random', engine: false,
    options: [['random', 'Random (seeded)'], ['column', 'From a split column']],
    help: 'Models are fitted on the training patients and judged on the test patients only.',
  },
  {
    group: 'evaluation', key: 'testFraction', label: 'Test fraction', type: 'number', default: '0.3', step: '0.05', when: (s) => s.splitMode === 'random',
    check: num(0, 1, false, 'a fraction', { lowerOpen: true, upperOpen: true, note: 'e.g. 0.3' }),
    help: (s) => `Share of the patients held out for testing, stratified on the ${s.outcome === 'binary' ? 'outcome (cases and controls)' : 'event'}.`,
  },
  {
    group: 'evaluation', key: 'splitColumn', label: 'Split column', type: 'column', default: '', engine: false, when: (s) => s.splitMode === 'column',
    help: 'A column with test/train or 1/0 (1 = test) for every patient, e.g. an external validation centre.',
  },
  {
    group: 'evaluation', key: 'seed', label: 'Random seed', type: 'number', default: '1', step: '1', min: '0',
    check: num(0, Number.MAX_SAFE_INTEGER, true, 'a seed'),
    help: 'Seeds the split, cross-fitting, bootstrap and permutations: the same seed gives the same numbers here and in `latefuse fuse`.',
  },
  {
    group: 'evaluation', key: 'bootstrap', label: 'Bootstrap replicates', type: 'number', default: '1000', step: '100', min: '0',
    check: num(0, 1e6, true, 'a number of replicates', { note: '0 = no intervals' }),
    help: (s) => `Resamples of the test patients for the 95% intervals of ${s.outcome === 'binary' ? 'the AUC and ΔAUC' : 'C and ΔC'} (0 = no intervals).`,
  },
  {
    group: 'evaluation', key: 'permutations', label: 'Permutations', type: 'number', default: '1000', step: '100', min: '0',
    check: num(0, 1e6, true, 'a number of permutations', { note: '0 = no p-value' }),
    help: (s) => `Shuffles for the p-value of “${s.outcome === 'binary' ? 'AUC' : 'C'} better than chance”; the smallest possible p is 1/(permutations + 1).`,
  },
  {
    group: 'evaluation', key: 'folds', label: 'Cross-validation folds', type: 'number', default: '0', step: '1', min: '0',
    check: (v) => num(0, 100, true, 'a number of folds', { note: '0 = no cross-validation; otherwise at least 2' })(v) ?? (Number(v) === 1 ? 'Give 0 (no cross-validation) or at least 2 folds.' : null),
    help: (s) => `Also repeat the whole fit in K folds of all patients for a steadier ${s.outcome === 'binary' ? 'AUC' : 'C'} (0 = none; slower).`,
  },
  {
    group: 'evaluation', key: 'repeats', label: 'Cross-validation repeats', type: 'number', default: '1', step: '1', min: '1',
    check: num(1, 100, true, 'a number of repeats'),
    help: 'How many times the K-fold split is redrawn (with the seed).',
  },
  {
    group: 'evaluation', key: 'riskGroups', label: 'Risk groups', type: 'select', default: 'median',
    options: [['median', 'Median (2 groups)'], ['tertiles', 'Tertiles (3 groups)'], ['optimistic', 'Best cut-point (optimistic)']],
    help: (s) => (s.outcome === 'binary'
      ? 'Cut-points of the late-fusion score chosen on the training patients; each group’s share of cases is compared (chi-square). The “optimistic” search overstates the training p.'
      : 'Cut-points of the late-fusion score chosen on the training patients; the “optimistic” search (as the study) overstates the training p.'),
  },
  {
    group: 'evaluation', key: 'horizons', label: 'Horizons', type: 'text', default: '', outcomes: survivalOnly,
    check: (v) => (v.trim() === '' || v.split(',').every((x) => x.trim() !== '' && Number.isFinite(Number(x)) && Number(x) > 0) ? null
      : 'Give times > 0 separated by commas (e.g. 365,730,1095), or leave empty.'),
    help: 'Times for AUC(t), survival and calibration (units of the time column); empty = quartiles of the training event times.',
  },
  {
    group: 'evaluation', key: 'timeUnit', label: 'Time unit', type: 'text', default: '', outcomes: survivalOnly,
    check: (v) => (v.length > 40 ? 'Keep the unit short (e.g. days, months).' : null),
    help: 'The unit of the time column (e.g. days, months), written into the model file and the chart axes.',
  },
  {
    group: 'comparators', key: 'early', label: 'Early fusion (comparator)', type: 'select', default: 'complete', engine: false,
    options: [['complete', 'Complete cases'], ['imputed', 'Imputed']],
    help: (s) => `One ${s.outcome === 'binary' ? 'logistic' : 'Cox'} model on all columns together, fitted on the patients with every modality (complete cases) or on all with missing modalities imputed; compared with late fusion on the same test patients.`,
  },
]);

export const FUSION_GROUPS = Object.freeze([
  ['submodels', 'Submodels (one per modality)'],
  ['integrator', 'Integrators (combining the modality scores)'],
  ['evaluation', 'Evaluation'],
  ['comparators', 'Comparison'],
]);

/**
 * The settings form's values: the outcome kind, the reference-compatible preset, and one value per
 * FUSION_FIELDS key (strings, as the controls hold them).
 * @typedef {{outcome: string, referenceCompatible: boolean, [key: string]: any}} FusionSettings
 */

/** The default settings (strings, as the controls hold them). @returns {FusionSettings} */
export function defaultFusionSettings() {
  return { outcome: 'survival', referenceCompatible: false, ...Object.fromEntries(FUSION_FIELDS.map((f) => [f.key, f.default])) };
}

/** Is the field fixed by the reference-compatible preset? */
export const fieldLocked = (f, s) => s.referenceCompatible && !!f.reference;
/** The value that applies: the preset's for a locked field, else the user's. */
export function effectiveValue(s, key) {
  const f = FUSION_FIELDS.find((x) => x.key === key);
  return f && fieldLocked(f, s) ? REFERENCE_PRESET[key] : s[key];
}
/** Is the field shown and used with these settings (its outcome kind, its condition)? */
export const fieldActive = (f, s) => (!f.outcomes || f.outcomes.includes(s.outcome ?? 'survival')) && (!f.when || f.when(s));
const helpText = (f, s) => (typeof f.help === 'function' ? f.help(s) : f.help);

/**
 * Check the settings. Returns {key: message} for every problem (empty = fine).
 * @param {object} s settings
 */
export function checkFusionSettings(s) {
  const problems = {};
  for (const f of FUSION_FIELDS) {
    if (!fieldActive(f, s) || fieldLocked(f, s)) continue;
    const v = String(s[f.key] ?? '');
    if (f.key === 'splitColumn' && !v) { problems[f.key] = 'Choose the column that marks the test patients.'; continue; }
    const message = f.check?.(v);
    if (message) problems[f.key] = message;
  }
  if (s.outcome === 'binary' && effectiveValue(s, 'selection') === 'elasticnet') {
    problems.selection = 'Elastic-net selection needs a survival outcome (time + event); choose screening or none for a binary outcome.';
  }
  return problems;
}

/**
 * The engine's options (fitAndEvaluateFusion) for checked settings; the split column is a role
 * (fit.js sends it with the roles). Under the reference-compatible preset its fields are not sent:
 * the core applies the study's values.
 */
export function engineOptions(s) {
  const o = {};
  const numberOf = (k) => Number(s[k]);
  if (s.referenceCompatible) o.referenceCompatible = true;
  for (const f of FUSION_FIELDS) {
    if (f.engine === false || !fieldActive(f, s) || fieldLocked(f, s)) continue;
    const v = s[f.key];
    if (f.key === 'horizons') { if (v.trim()) o.horizons = v.split(',').map(Number); continue; }
    if (f.key === 'timeUnit') { if (v.trim()) o.timeUnit = v.trim(); continue; }
    o[f.key] = f.type === 'number' ? numberOf(f.key) : v;
  }
  if (s.early === 'imputed') o.earlyImpute = true;
  return o;
}

const fieldDomId = (key) => `fs-${key}`;
export const fusionFieldId = fieldDomId;

/**
 * Draw the settings form into `box`. `onChange(key)` after the user changes a setting.
 * @param {HTMLElement} box
 * @param {object} settings (mutated by the controls)
 * @param {{columns: string[], onChange: (key: string) => void}} options
 */
export function renderFusionSettings(box, settings, { columns, onChange }) {
  const preset = h('input', { type: 'checkbox', id: 'fs-referenceCompatible', checked: settings.referenceCompatible, 'aria-describedby': 'fs-referenceCompatible-help' });
  preset.addEventListener('change', () => { settings.referenceCompatible = preset.checked; onChange('referenceCompatible'); });
  const presetRow = h('div', { class: 'field checkbox-field preset' },
    h('div', { class: 'check' }, preset, h('label', { for: 'fs-referenceCompatible' }, 'Reference-compatible (reproduce the study)')),
    h('p', { class: 'help', id: 'fs-referenceCompatible-help' },
      'The reference study’s choices: screening, ridge penalty 0.5, in-sample integrator inputs, min–max scaling. Honest defaults otherwise.'));
  const groups = FUSION_GROUPS.map(([group, legend]) => {
    const fields = FUSION_FIELDS.filter((f) => f.group === group).map((f) => {
      const id = fieldDomId(f.key);
      const locked = fieldLocked(f, settings);
      const value = locked ? REFERENCE_PRESET[f.key] : settings[f.key];
      let control;
      if (f.type === 'select' || f.type === 'column') {
        const options = f.type === 'column'
          ? [['', '— choose a column —'], ...columns.map((c) => [c, c])]
          : typeof f.options === 'function' ? f.options(settings) : f.options;
        control = h('select', { id }, options.map(([v, text]) => h('option', { value: v }, text)));
        control.value = value;
        if (f.type === 'column' && value && !columns.includes(value)) control.value = '';
      } else {
        control = h('input', {
          id, type: f.type === 'number' ? 'number' : 'text', value, step: f.step, min: f.min, autocomplete: 'off', spellcheck: 'false',
          inputmode: f.type === 'number' ? (f.step && !String(f.step).includes('.') ? 'numeric' : 'decimal') : undefined,
        });
      }
      control.setAttribute('aria-describedby', `${id}-help ${id}-error`);
      control.dataset.setting = f.key;
      if (locked) control.disabled = true;
      const update = () => { settings[f.key] = control.value; onChange(f.key); };
      control.addEventListener(f.type === 'select' || f.type === 'column' ? 'change' : 'input', update);
      return h('div', { class: 'field', hidden: !fieldActive(f, settings), 'data-field': f.key },
        h('label', { for: id }, f.label, locked ? h('span', { class: 'guess' }, 'study') : null),
        control,
        h('p', { class: 'help', id: `${id}-help` }, helpText(f, settings)),
        h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': `setting:${f.key}`, hidden: true }));
    });
    return h('fieldset', { class: 'fusion-group' }, h('legend', {}, legend), h('div', { class: 'grid settings fusion-settings' }, fields));
  });
  box.replaceChildren(presetRow, ...groups);
}
