// The small typed message layer between the page and the computation worker.
//
// Page -> worker:   {id, type, payload}            type is a key of worker.js `handlers`
//                   {id, type: 'cancel'}            ask the worker to stop request `id`
// Worker -> page:   {id, type: 'progress', payload: {stage, fraction}}   fraction in [0, 1] or null
//                   {id, type: 'result',   payload}
//                   {id, type: 'error',    payload: {name, message, file?, row?, column?, ...}}
//
// Large typed arrays cross the boundary as transferred buffers (never cloned): a handler returns
// `transfer(value, buffers)` and the client passes `{transfer: [...]}` for its own.
// Errors come back as the typed errors of web/lib/errors.js (InputError, ModelError, ...), so the
// page can place them beside the control that caused them.
import { LateFuseError, InputError, ModelError, CancelledError } from '../lib/errors.js';

/**
 * The request types are the keys of ONE object, worker.js `handlers` (RequestType below is derived
 * from it, and serve() answers exactly those), so the list cannot drift. Their payloads / results:
 * @typedef {keyof typeof import('./worker.js').handlers} RequestType
 * @typedef {{}} InitPayload                       -> {version: string}
 * @typedef {{key: string, name: string, file?: Blob, text?: string}} ParsePayload
 *   -> TableSummary (the parsed table stays in the worker under `key`)
 * @typedef {{key: string}} DropPayload             -> {dropped: boolean}
 * @typedef {{keys: string[], idColumn?: string}} DatasetPayload
 *   -> DatasetSummary (one table, or several joined on idColumn)
 * @typedef {{time: string, event: string, censored?: boolean, covariates: string[], id?: string, strata?: string,
 *            ties?: 'efron'|'breslow', robust?: boolean, penalizer?: number}} FitCoxPayload
 *   -> {fit, prep} (see worker.js)
 * @typedef {{time: Float64Array, event: Float64Array, score: Float64Array, higherIsRisk?: boolean,
 *            bootstrap?: number, permutations?: number, seed?: number, split?: 'median'|'tertiles',
 *            horizons?: number[]|null, confLevel?: number, baseline?: object}} EvaluatePayload
 *   baseline: the Cox model's baseline hazard (calibration of an unstratified model)
 *   -> evaluation of the score (see worker-evaluate.js): Harrell's C with bootstrap CI, permutation p,
 *      Uno's C, AUC(t), Kaplan–Meier risk groups with the log-rank test
 * @typedef {{preset?: string, seed?: number, outcome?: 'survival'|'binary', [setting: string]: unknown}} SimulationSettings
 *   the simulator's settings (a preset and its overrides: web/lib fusion.js simulate)
 * @typedef {SimulationSettings} SimulatePayload   -> simulated cohort summary (worker-fusion.js)
 * @typedef {{simulation: SimulationSettings, evaluation?: object}} FusionPayload
 *   -> a late-fusion report of one simulated cohort (worker-fusion.js `fusionRequest`)
 * @typedef {{simulation: SimulationSettings, seeds: number, evaluation?: object}} LearnPayload
 *   -> per-seed C-indices of every model (worker-fusion.js `learnRequest`)
 * @typedef {{model: string}} ScoreModelInfoPayload  -> {summary} (validateModel; InputError names the JSON path)
 * @typedef {{model: string, patient: object}} ScoreOnePayload  -> one patient's prediction and S(t) curve
 * @typedef {{files: Array<{name: string, file?: Blob, text?: string}>}} ScoreInspectPayload  -> headers of patient files
 * @typedef {{model: string, files: Array<{name: string, file?: Blob, text?: string}>, idColumn?: string, idRequired?: boolean}} ScoreBatchPayload
 *   -> predictions, their CSV (= `latefuse score`) and the patients that could not be scored (worker-score.js)
 * @typedef {{keys: string[], roles: {id?: string, time?: string, event?: string, censored?: boolean, outcome?: string, split?: string},
 *            modalities: Record<string, string[]>, options?: object, checkOnly?: boolean}} FuseDataPayload
 *   -> late fusion on the loaded files: {result, km, summary, computeMs, predictions, calibration, ...}
 *      (worker-fusion.js `fuseDataRequest`); with checkOnly, only {summary} of the join
 */

const ERROR_TYPES = { InputError, ModelError, CancelledError, LateFuseError };

/** Marks a handler's result whose buffers are transferred, not copied. */
export class Transfer {
  constructor(value, buffers) {
    this.value = value;
    this.buffers = buffers;
  }
}
export const transfer = (value, buffers) => new Transfer(value, buffers);

export function serializeError(error) {
  const out = { name: error?.name ?? 'Error', message: String(error?.message ?? error) };
  for (const key of ['file', 'row', 'column', 'datasetColumn', 'role']) {
    if (error && error[key] !== undefined) out[key] = error[key];
  }
  if (!ERROR_TYPES[out.name]) {
    out.message = `unexpected error in the computation worker: ${out.message}`;
    out.name = 'LateFuseError';
  }
  return out;
}

export function deserializeError(payload) {
  const Type = ERROR_TYPES[payload?.name] ?? LateFuseError;
  const { name, message, ...details } = payload ?? {};
  return name === 'CancelledError' ? new CancelledError(message) : new Type(message ?? 'unknown error', details);
}

// ---------------------------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------------------------

/** Let queued messages (e.g. 'cancel') be delivered before continuing. */
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Answer requests with `handlers[type](payload, context)`. The context gives
 * `progress(stage, fraction)`, `checkpoint()` (yields, then throws CancelledError if cancelled),
 * `isCancelled()` (for callbacks that cannot await) and `signal` (an AbortSignal aborted on Cancel,
 * for web/lib calls that take one).
 * @param {Record<string, (payload: any, ctx: {progress: Function, checkpoint: Function}) => any>} handlers
 * @param {DedicatedWorkerGlobalScope} scope
 */
export function serve(handlers, scope = /** @type {DedicatedWorkerGlobalScope} */ (/** @type {unknown} */ (self))) {
  const cancelled = new Set();
  const controllers = new Map();
  scope.onmessage = async (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.id !== 'number') return;
    const { id, type, payload } = message;
    if (type === 'cancel') { cancelled.add(id); controllers.get(id)?.abort(); return; }
    const handler = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
    if (!handler) {
      scope.postMessage({ id, type: 'error', payload: { name: 'LateFuseError', message: `unknown request type "${type}"` } });
      return;
    }
    const controller = new AbortController();
    controllers.set(id, controller);
    const ctx = {
      signal: controller.signal,
      progress(stage, fraction = null) {
        scope.postMessage({ id, type: 'progress', payload: { stage, fraction } });
      },
      async checkpoint() {
        await nextTurn();
        if (cancelled.has(id)) throw new CancelledError();
      },
      isCancelled: () => cancelled.has(id),
    };
    try {
      const out = await handler(payload ?? {}, ctx);
      if (out instanceof Transfer) scope.postMessage({ id, type: 'result', payload: out.value }, out.buffers);
      else scope.postMessage({ id, type: 'result', payload: out });
    } catch (error) {
      scope.postMessage({ id, type: 'error', payload: serializeError(error) });
    } finally {
      cancelled.delete(id);
      controllers.delete(id);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Page side
// ---------------------------------------------------------------------------------------------

/**
 * A client for the computation worker. `createWorker()` must return a new Worker; if a cancelled
 * request does not stop within `hardCancelMs` (a long call inside the WebAssembly core cannot be
 * interrupted), the worker is terminated and restarted, and `onRestart` listeners are told so
 * they can send their data again.
 */
export class WorkerClient {
  constructor(createWorker, { hardCancelMs = 1500 } = {}) {
    this.createWorker = createWorker;
    this.hardCancelMs = hardCancelMs;
    this.nextId = 1;
    this.pending = new Map();
    this.restartListeners = new Set();
    this.generation = 0;
    this.start();
  }

  start() {
    this.generation += 1;
    this.worker = this.createWorker();
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault?.();
      const error = new LateFuseError(`the computation worker failed (${event.message || 'it could not be loaded'}); reload the page`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  receive(message) {
    const entry = message && this.pending.get(message.id);
    if (!entry) return;
    if (message.type === 'progress') {
      entry.onProgress?.(message.payload);
      return;
    }
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.type === 'result') entry.resolve(message.payload);
    else entry.reject(deserializeError(message.payload));
  }

  /**
   * Send a request. Returns {id, promise}.
   * @param {RequestType} type a key of worker.js `handlers`
   * @param {object} payload
   * @param {{onProgress?: (p: {stage: string, fraction: number|null}) => void, transfer?: Transferable[]}} [options]
   */
  request(type, payload = {}, { onProgress, transfer: buffers = [] } = {}) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, timer: null });
    });
    this.worker.postMessage({ id, type, payload }, buffers);
    return { id, promise };
  }

  /** Send a request and wait for its result. */
  call(type, payload, options) {
    return this.request(type, payload, options).promise;
  }

  /** Cancel request `id`: politely first, then by restarting the worker. */
  cancel(id) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.worker.postMessage({ id, type: 'cancel' });
    entry.timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      this.worker.terminate();
      const error = new CancelledError('cancelled');
      for (const other of this.pending.values()) { clearTimeout(other.timer); other.reject(error); }
      this.pending.clear();
      this.start();
      for (const listener of this.restartListeners) listener();
    }, this.hardCancelMs);
  }

  onRestart(listener) {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }
}
