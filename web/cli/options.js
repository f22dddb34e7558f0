// Command-line option tables: one table per command is both the parser's specification and the
// source of `--help`, so the two can never disagree.
import { InputError } from '../lib/errors.js';

export class UsageError extends InputError {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * @typedef {{flag: string, arg?: string, type: 'string'|'number'|'integer'|'boolean'|'list'|'numbers'|'repeat',
 *            help: string, default?: any, required?: boolean, choices?: string[]}} OptionSpec
 */

function convert(spec, raw) {
  const flag = `--${spec.flag}`;
  switch (spec.type) {
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} needs a number, got "${raw}"`);
      return v;
    }
    case 'integer': {
      const v = Number(raw);
      if (!Number.isInteger(v)) throw new UsageError(`${flag} needs a whole number, got "${raw}"`);
      return v;
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new UsageError(`${flag} needs a comma-separated list, got "${raw}"`);
      return items;
    }
    case 'numbers': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const nums = items.map(Number);
      if (items.length === 0 || nums.some((v) => !Number.isFinite(v))) {
        throw new UsageError(`${flag} needs comma-separated numbers, got "${raw}"`);
      }
      return nums;
    }
    default:
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got "${raw}"`);
      }
      return raw;
  }
}

/** Parse argv against a table. Returns an object keyed by camelCase flag names. */
export function parseOptions(argv, table, command) {
  const byFlag = new Map(table.map((s) => [s.flag, s]));
  const out = {};
  for (const spec of table) {
    if (spec.type === 'repeat') out[camel(spec.flag)] = [];
    else if (spec.default !== undefined) out[camel(spec.flag)] = spec.default;
    else if (spec.type === 'boolean') out[camel(spec.flag)] = false;
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--')) {
      throw new UsageError(`unexpected argument "${token}" for "latefuse ${command}"; options start with -- (see latefuse ${command} --help)`);
    }
    let [name, inline] = token.slice(2).split(/=(.*)/s, 2);
    const spec = byFlag.get(name);
    if (!spec) {
      throw new UsageError(`unknown option --${name} for "latefuse ${command}"; see latefuse ${command} --help`);
    }
    const key = camel(spec.flag);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out[key] = true;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) {
        throw new UsageError(`--${name} needs a value (${spec.arg ?? 'VALUE'})`);
      }
      inline = argv[++i];
    }
    if (spec.type === 'repeat') out[key].push(inline);
    else out[key] = convert(spec, inline);
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
