// Command-line option tables: one table per command is both the parser's specification and the
// source of `--help`, so the two can never disagree.
import { InputError, ModelError, quote, clip, ECHO_LIMIT } from '../lib/errors.js';

export class UsageError extends InputError {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * @typedef {{flag: string, arg?: string, type: 'string'|'number'|'integer'|'boolean'|'list'|'numbers'|'repeat',
 *            help: string, default?: any, required?: boolean, choices?: string[], max?: number}} OptionSpec
 *   max: the largest value accepted ('number' and 'integer'), checked before any work is done —
 *   resampling counts are bounded so that a typo cannot ask for a billion replicates.
 */

/** Upper bound of --bootstrap and --permutations (each replicate keeps one statistic). */
export const MAX_RESAMPLES = 100000;

function convert(spec, raw) {
  const flag = `--${spec.flag}`;
  switch (spec.type) {
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} needs a number, got ${quote(raw)}`);
      return checkMax(spec, v);
    }
    case 'integer': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(v)) throw new UsageError(`${flag} needs a whole number, got ${quote(raw)}`);
      return checkMax(spec, v);
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new UsageError(`${flag} needs a comma-separated list, got ${quote(raw)}`);
      const twice = items.find((item, k) => items.indexOf(item) !== k);
      if (twice !== undefined) throw new UsageError(`${flag} lists ${quote(twice)} twice; give each column once`);
      return items;
    }
    case 'numbers': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const nums = items.map(Number);
      if (items.length === 0 || nums.some((v) => !Number.isFinite(v))) {
        throw new UsageError(`${flag} needs comma-separated numbers, got ${quote(raw)}`);
      }
      return nums;
    }
    default:
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got ${quote(raw)}`);
      }
      return raw;
  }
}

function checkMax(spec, v) {
  if (spec.max !== undefined && v > spec.max) {
    throw new UsageError(`--${spec.flag} must be at most ${spec.max}; got ${v}`);
  }
  return v;
}

/** Parse argv against a table. Returns an object keyed by camelCase flag names. */
export function parseOptions(argv, table, command) {
  const byFlag = new Map(table.map((s) => [s.flag, s]));
  const out = {};
  const given = new Map();  // flag -> the value given on the command line (single-value flags)
  for (const spec of table) {
    if (spec.type === 'repeat') out[camel(spec.flag)] = [];
    else if (spec.default !== undefined) out[camel(spec.flag)] = spec.default;
    else if (spec.type === 'boolean') out[camel(spec.flag)] = false;
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--')) {
      throw new UsageError(`unexpected argument ${quote(token)} for "latefuse ${command}"; options start with -- (see latefuse ${command} --help)`);
    }
    let [name, inline] = token.slice(2).split(/=(.*)/s, 2);
    const spec = byFlag.get(name);
    if (!spec) {
      throw new UsageError(`unknown option --${clip(name)} for "latefuse ${command}"; see latefuse ${command} --help`);
    }
    const key = camel(spec.flag);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      if (given.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
      given.set(name, true);
      out[key] = true;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) {
        throw new UsageError(`--${name} needs a value (${spec.arg ?? 'VALUE'})`);
      }
      inline = argv[++i];
    }
    if (spec.type === 'repeat') {
      out[key].push(inline);
      continue;
    }
    // A single-value flag given twice is a mistake (keeping the last would silently drop one).
    if (given.has(name)) {
      throw new UsageError(`--${name} is given twice (${quote(given.get(name), 40)} and ${quote(inline, 40)}); give it once`);
    }
    given.set(name, inline);
    out[key] = convert(spec, inline);
  }
  for (const spec of table) {
    const key = camel(spec.flag);
    const missing = spec.type === 'repeat' ? out[key].length === 0 : out[key] === undefined;
    if (spec.required && missing) {
      throw new UsageError(`"latefuse ${command}" needs --${spec.flag} ${spec.arg ?? ''}`.trim() + `; see latefuse ${command} --help`);
    }
  }
  return out;
}

export function camel(flag) {
  return flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

/** Help text generated from the option table. */
export function helpText(command) {
  const lines = [`latefuse ${command.name} — ${command.summary}`, '', 'Usage:', `  ${command.usage}`, '', 'Options:'];
  const rows = command.options.map((s) => {
    const left = `  --${s.flag}${s.arg ? ` ${s.arg}` : ''}`;
    let right = s.help;
    if (s.choices) right += ` (${s.choices.join('|')})`;
    if (s.max !== undefined) right += ` (at most ${s.max})`;
    if (s.default !== undefined && s.type !== 'boolean') right += ` [default: ${Array.isArray(s.default) ? s.default.join(',') : s.default}]`;
    if (s.required) right += ' (required)';
    return [left, right];
  });
  rows.push(['  --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(l.padEnd(width) + r);
  if (command.details) lines.push('', ...command.details);
  return lines.join('\n');
}

// Out of memory anywhere (a JS allocation, a WASM allocation the core reports, a WASM memory that
// cannot grow) means the data or the flags are too large for this machine: the user's to fix
// (exit 2), said in one line, never a stack trace.
const OUT_OF_MEMORY = /out of memory|Cannot enlarge memory|Aborted\(OOM\)|Array buffer allocation failed|Invalid (typed )?array length|Invalid string length|Cannot create a string longer/i;

/** The longest error line (values inside it are cut at ECHO_LIMIT first). */
export const LINE_LIMIT = 1000;

/** One line: whitespace folded, any quoted value longer than ECHO_LIMIT cut, the line bounded. */
export function errorLine(message) {
  const folded = String(message).replace(/\s+/g, ' ')
    .replace(new RegExp(`"([^"]{${ECHO_LIMIT + 1},})"`, 'g'), (_, v) => `"${clip(v)}"`);
  return clip(folded, LINE_LIMIT);
}

/**
 * What the command prints for an error and its exit code: 2 with one line for anything the user
 * can fix (bad input, no model for the data, out of memory), 1 with the stack for a bug.
 */
export function errorReport(error, command = '') {
  if (error instanceof InputError || error instanceof ModelError) return { line: errorLine(error.message), code: 2 };
  const message = String(error?.message ?? error);
  if (OUT_OF_MEMORY.test(message)) {
    return {
      line: `out of memory in "latefuse ${clip(command, 20)}" (${clip(errorLine(message), 120)}); use fewer patients or columns, ` +
        'lower --bootstrap/--permutations, or run on a machine with more memory',
      code: 2,
    };
  }
  return { line: `internal error: ${error?.stack ?? error}`, code: 1 };
}
