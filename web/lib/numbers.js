// Two number predicates used across the CLI, the worker and the page (one definition each).

/** A number that can be shown, plotted or written as a value: not null, undefined, NaN or ±∞. */
export const finite = (x) => typeof x === 'number' && Number.isFinite(x);

/** The number itself if finite, otherwise null (how the core's JSON spells a missing value). */
export const finiteOrNull = (x) => (finite(x) ? x : null);
