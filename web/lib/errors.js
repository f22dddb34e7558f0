// Typed errors of LateFuse. The WASM core throws Errors whose `name` is InputError, ModelError or
// LateFuseError (see cpp/bindings/guard.hpp); `rethrow` turns them into these classes so callers
// can use `instanceof`. Messages always say what is wrong and what to do.

export class LateFuseError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'LateFuseError';
    Object.assign(this, details);
  }
}

/** The user's data or options cannot be used as given. `file`, `row`, `column` locate the problem. */
export class InputError extends LateFuseError {
  constructor(message, details = {}) {
    super(message, details);
    this.name = 'InputError';
  }
}

/** The data are valid but no model/statistic exists for them (e.g. no events). */
export class ModelError extends LateFuseError {
  constructor(message, details = {}) {
    super(message, details);
    this.name = 'ModelError';
  }
}

/** A long computation was cancelled by the caller. */
export class CancelledError extends LateFuseError {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

const byName = { InputError, ModelError, LateFuseError };

// Where a core error arose (cpp/latefuse/error.hpp ErrorContext): the step, modality, column and
// engineRow (the row of the cohort the caller passed in; the caller maps it to its file's row).
const CONTEXT_FIELDS = ['step', 'modality', 'column', 'engineRow'];

/** Re-raise an error coming out of the WASM module as the matching typed error. */
export function rethrow(error, details = {}) {
  if (error instanceof LateFuseError) throw error;
  const Type = error && byName[error.name];
  if (Type) {
    const context = {};
    for (const key of CONTEXT_FIELDS) if (error[key] !== undefined) context[key] = error[key];
    throw new Type(error.message, { ...context, ...details });
  }
  if (error instanceof WebAssembly.RuntimeError) {
    throw new LateFuseError(`internal error in the WebAssembly core (${error.message}); please report it with the data shape that triggered it`);
  }
  throw error;
}

/**
 * A core error about one patient (error.engineRow: the index of the patient in the input the core
 * was given) named by the row of the user's file: `locate(engineRow, column)` gives {file, row}
 * (row 1-based, in the file holding `column` when the error names one), put in front of the message
 * and in error.file, error.row (and error.patient from `ids`). Other errors are returned as they are.
 * @param {any} error
 * @param {(engineRow: number, column?: string) => ({file: string, row: number}|null)} locate
 * @param {ArrayLike<any>} [ids]
 */
export function locatedError(error, locate, ids) {
  if (!(error instanceof LateFuseError)) return error;
  const e = /** @type {LateFuseError & {engineRow?: number, column?: string}} */ (error);
  if (!Number.isInteger(e.engineRow)) return error;
  const at = locate(e.engineRow, e.column);
  if (!at) return error;
  e.message = `${at.file}, row ${at.row}: ${e.message}`;
  Object.assign(e, { file: at.file, row: at.row, ...(ids ? { patient: String(ids[e.engineRow]) } : {}) });
  return e;
}

/** Run `fn(module)` and convert core errors. */
export function callCore(fn, details = {}) {
  try {
    return fn();
  } catch (error) {
    return rethrow(error, details);
  }
}

/** Longest user value echoed in a message; a 10 MB cell must not become a 10 MB error line. */
export const ECHO_LIMIT = 80;

/** A user's value for a message: cut at ECHO_LIMIT characters with "…". */
export function clip(value, limit = ECHO_LIMIT) {
  const s = String(value);
  return s.length > limit ? `${s.slice(0, limit - 1)}…` : s;
}

/** A user's value in double quotes, cut as by clip(). */
export const quote = (value, limit = ECHO_LIMIT) => `"${clip(value, limit)}"`;
