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

/** Re-raise an error coming out of the WASM module as the matching typed error. */
export function rethrow(error, details = {}) {
  if (error instanceof LateFuseError) throw error;
  const Type = error && byName[error.name];
  if (Type) throw new Type(error.message, details);
  if (error instanceof WebAssembly.RuntimeError) {
    throw new LateFuseError(`internal error in the WebAssembly core (${error.message}); please report it with the data shape that triggered it`);
  }
  throw error;
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
