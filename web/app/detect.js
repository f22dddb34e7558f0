// Guessing column roles from names and value shapes: follow-up time, event indicator, patient ID,
// covariates and modality groups. Only guesses: the page shows each one in an editable control.

const norm = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

// The names people give these columns (R survival's data sets, TCGA/cBioPortal clinical tables,
// spreadsheets), best first. `os`/`pfs` are times when they hold times and events when they hold 0/1.
const TIME_EXACT = ['time', 'futime', 'fu_time', 'followup', 'follow_up', 'follow_up_time', 'os_time', 'ostime', 'os_months',
  'os_days', 'survival_time', 'surv_time', 'survtime', 'stime', 'dtime', 'rtime', 'rfstime', 'pfs_time', 'dfs_time',
  'efs_time', 'time_to_event', 'tte', 'days', 'months', 'years', 'days_to_death', 'os_mo', 'os', 'pfs', 'survival',
  'survival_months', 'survival_days', 'pfs_months', 'pfs_days', 'dfs_months', 'rfs', 'rfs_time', 'rfs_months', 'efs_months',
  'time_months', 'time_days', 'followup_months', 'follow_up_months', 'fu_months', 'fu_days', 't'];
const EVENT_EXACT = ['status', 'event', 'death', 'dead', 'died', 'deceased', 'os_status', 'os_event', 'osstatus', 'fustat', 'recur',
  'relapse', 'vital_status', 'pfs_status', 'pfs_event', 'dfs_status', 'dfs_event', 'efs_status', 'efs_event', 'rfs_status',
  'rfs_event', 'progression', 'recurrence', 'os', 'pfs', 'e', 'delta', 'cens_event', 'event_status', 'outcome'];
const ID_EXACT = ['id', 'pid', 'patient', 'patient_id', 'patientid', 'subject', 'subject_id', 'subjectid', 'sample',
  'sample_id', 'sampleid', 'case', 'case_id', 'caseid', 'record_id', 'participant', 'participant_id', 'bcr_patient_barcode',
  'barcode', 'mrn', 'uid', 'ptid', 'pt_id', 'eid', 'patient_no', 'patient_number', 'pat_id', 'study_id', 'person_id', 'subject_no'];
/**
 * A censoring indicator (1 = censored) is the event indicator the other way round: guessed as the
 * event only when no column looks like an event, and then read flipped (the event is 1 - censored).
 */
const CENSORING = /(^|_)(censor|censored|censoring|cens)(_|$)/;

/** The name says the column marks censoring (1 = censored): the page reads it flipped by default. */
export function looksLikeCensoring(name) {
  return CENSORING.test(norm(name));
}
/** Never offered as default covariates: centre/site codes and outcome-like columns. */
const NOT_PREDICTOR = /^(inst|institution|site|centre|center|hospital|study|batch|index|row|rownames|x)$/;

function timeScore(c) {
  if (c.kind !== 'number' || !c.nonNegative || c.distinct === 1 || isBinaryLike(c)) return 0;
  const n = norm(c.name);
  const exact = TIME_EXACT.indexOf(n);
  if (exact >= 0) return 100 - exact;
  if (/(^|_)(time|futime|days?|months?|years?|survival|surv|follow)(_|$)/.test(n) || /time$/.test(n)) return 40;
  return 0;
}

function isBinaryLike(c) {
  if (!c.levels) return false;
  const lv = c.levels;
  if (c.kind === 'number') return lv.every((v) => v === '0' || v === '1') || lv.every((v) => v === '1' || v === '2');
  return lv.every((v) => ['true', 'false', 't', 'f', 'yes', 'no', '0', '1'].includes(v));
}

function eventScore(c) {
  if (!isBinaryLike(c)) return 0;
  const n = norm(c.name);
  if (CENSORING.test(n)) return 0;
  const exact = EVENT_EXACT.indexOf(n);
  if (exact >= 0) return 100 - exact;
  if (/(^|_)(status|event|death|dead|died|deceased|recur|relapse|progress|vital)/.test(n)) return 40;
  return 0;
}

function idScore(c) {
  if (!c.unique) return 0;
  const n = norm(c.name);
  const exact = ID_EXACT.indexOf(n);
  if (exact >= 0) return 100 - exact;
  if (/(^|_)(id|ids|barcode|uuid)$/.test(n) || /^(id|patient|subject|sample)_/.test(n)) return 40;
  return c.kind === 'text' ? 5 : 0;
}

/** Prefix shared between a time and an event column, e.g. os_time / os_status, rtime / recur. */
function pairingBonus(time, event) {
  const t = norm(time).replace(/_?time$|_?months?$|_?days?$/, '');
  const e = norm(event).replace(/_?(status|event|censor)$/, '');
  if (t && e && (t === e || (t.length === 1 && e.startsWith(t)))) return 30;
  return 0;
}

const best = (columns, score) => {
  let top = null;
  let topScore = 0;
  for (const c of columns) {
    const s = score(c);
    if (s > topScore) { top = c; topScore = s; }
  }
  return top;
};

/**
 * @param {{columns: Array<{name, kind, missing, distinct, levels, unique, nonNegative}>}} summary
 * @returns {{time: string|null, event: string|null, eventCensored: boolean, id: string|null, covariates: string[], outcomeLike: Set<string>}}
 *   eventCensored: the guessed event column is a censoring indicator (the event is 1 - its value)
 */
export function guessRoles(summary) {
  const columns = summary.columns;
  const time = best(columns, timeScore);
  const eventLike = best(columns, (c) => (c === time ? 0 : eventScore(c) + (time && eventScore(c) > 0 ? pairingBonus(time.name, c.name) : 0)));
  const censoring = eventLike ? null : best(columns, (c) => (c !== time && isBinaryLike(c) && CENSORING.test(norm(c.name)) ? 1 : 0));
  const event = eventLike ?? censoring;
  const id = best(columns, (c) => (c === time || c === event ? 0 : idScore(c)));
  // Other outcome columns (e.g. rtime/recur beside dtime/death) would leak the outcome: not default covariates.
  const outcomeLike = new Set(columns.filter((c) => timeScore(c) > 40 || eventScore(c) >= 40 || (isBinaryLike(c) && CENSORING.test(norm(c.name)))).map((c) => c.name));
  const taken = new Set([time?.name, event?.name, id?.name]);
  const covariates = columns
    .filter((c) => c.kind === 'number' && !taken.has(c.name) && !outcomeLike.has(c.name) && c.distinct !== 1 &&
      !NOT_PREDICTOR.test(norm(c.name)))
    .map((c) => c.name);
  return { time: time?.name ?? null, event: event?.name ?? null, eventCensored: Boolean(censoring), id: id?.name ?? null, covariates, outcomeLike };
}

/** A likely ID column shared by every file (for joining several files). */
export function guessJoinColumn(summaries) {
  if (summaries.length < 2) return null;
  const shared = summaries[0].columns.filter((c) => summaries.every((s) => s.header.includes(c.name)));
  if (shared.length === 0) return null;
  const scored = best(shared, (c) => {
    const all = summaries.map((s) => s.columns.find((x) => x.name === c.name));
    const base = Math.max(...all.map(idScore));
    return base > 0 ? base : (all.every((x) => x.unique) ? 1 : 0);
  });
  return scored?.name ?? null;
}

/**
 * Columns grouped by their name's prefix (`rna_x`, `mri.y` -> rna, mri): `big` the prefixes shared
 * by at least `minColumns` columns, as [prefix, columns] in first-seen order; `rest` every other
 * column, in file order.
 * @param {string[]} names
 * @param {number} minColumns
 * @returns {{big: Array<[string, string[]]>, rest: string[]}}
 */
function prefixGroups(names, minColumns) {
  /** @type {Map<string, string[]>} */
  const byPrefix = new Map();
  for (const name of names) {
    const m = /^([A-Za-z][A-Za-z0-9]*)[._]/.exec(name);
    const key = m ? m[1] : '';
    if (!byPrefix.has(key)) byPrefix.set(key, []);
    byPrefix.get(key).push(name);
  }
  const big = [...byPrefix.entries()].filter(([k, cols]) => k && cols.length >= minColumns);
  const inBig = new Set(big.flatMap(([, cols]) => cols));
  return { big, rest: names.filter((n) => !inBig.has(n)) };
}

/**
 * Modality groups for the covariate list: one per file when several files are joined; otherwise
 * by a shared column-name prefix (rna_*, mri.*) when that splits the columns into >= 2 groups of
 * >= 3 columns; otherwise a single group.
 * @returns {Array<{name: string, columns: string[]}>}
 */
export function modalityGroups(summary, names) {
  const wanted = new Set(names);
  if (summary.groups && summary.groups.length > 1) {
    return summary.groups
      .map((g) => ({ name: g.name, columns: g.columns.filter((c) => wanted.has(c)) }))
      .filter((g) => g.columns.length > 0);
  }
  const { big, rest } = prefixGroups(names, 3);
  if (big.length >= 2) {
    const groups = big.map(([k, cols]) => ({ name: `${k}_*`, columns: cols }));
    if (rest.length) groups.push({ name: 'other', columns: rest });
    return groups;
  }
  return [{ name: summary.files?.length === 1 ? summary.files[0] : 'covariates', columns: names }];
}

const stem = (file) => String(file).replace(/\.[^.]+$/, '');

/**
 * Modality guesses for late fusion, with stable ids (so the user's edits, keyed by id and column
 * name, survive loading a corrected file): several files -> one modality per file that has feature
 * columns (named by the file name without extension; the outcome file's other columns too);
 * one file -> by shared column-name prefix (`radiomics_x` -> radiomics) when that gives >= 2 groups
 * of >= 2 columns (the rest: "other"); otherwise one modality.
 * @param {{groups?: Array<{name, columns}>, files?: string[]}} summary
 * @param {string[]} names candidate feature columns, in file order
 * @returns {Array<{id: string, name: string, columns: string[]}>}
 */
export function guessModalities(summary, names) {
  const wanted = new Set(names);
  if (summary.groups && summary.groups.length > 1) {
    return summary.groups
      .map((g) => ({ id: `file:${g.name}`, name: stem(g.name), columns: g.columns.filter((c) => wanted.has(c)) }))
      .filter((g) => g.columns.length > 0);
  }
  const { big, rest } = prefixGroups(names, 2);
  if (big.length >= 2) {
    const groups = big.map(([k, cols]) => ({ id: `prefix:${k}`, name: k, columns: cols }));
    if (rest.length) groups.push({ id: 'other', name: 'other', columns: rest });
    return groups;
  }
  return names.length ? [{ id: 'all', name: summary.files?.length === 1 ? stem(summary.files[0]) : 'features', columns: [...names] }] : [];
}

/**
 * Why a column is left out of the modalities by default (the user can put it back), or null:
 * outcome-like columns (another time/event would leak the outcome), constant columns, centre/site
 * codes, and text columns with too many different values to be categories (free text, identifiers).
 */
export function defaultExclusion(column, guess) {
  if (guess.outcomeLike.has(column.name)) return 'looks like an outcome column';
  if (column.distinct === 1) return 'the same value in every row';
  if (NOT_PREDICTOR.test(norm(column.name))) return 'looks like a centre/site or row code';
  if (tooManyLevels(column)) return 'text with too many different values to be categories';
  return null;
}

/**
 * A text column with too many different values to be one-hot encoded as categories: left out by
 * default, and refused in a modality (modalities.js). The rule and its reason are web/lib's
 * (columns.js categoricalLevels), which the worker's column summary carries as `tooManyLevels`.
 */
export function tooManyLevels(column) {
  return column.kind === 'text' && Boolean(column.tooManyLevels);
}

/** A text column whose first non-number looks like a number with a decimal comma (0,32). */
export function looksLikeDecimalComma(column) {
  return column.kind === 'text' && /^[+-]?\d*,\d+$/.test(String(column.firstNonNumericRow?.value ?? '').trim());
}
