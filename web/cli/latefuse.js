#!/usr/bin/env node
// The `latefuse` command: argument parsing + web/lib, nothing statistical. Prints one JSON object
// on success (exit 0). Bad input prints one line "latefuse: <what is wrong and what to do>" on
// stderr and exits 2; an internal failure exits 1.
import { commands } from './commands/index.js';
import { parseOptions, helpText, UsageError, errorReport } from './options.js';
import { statSync } from 'node:fs';
import { readyForInput } from '../lib/warm_up.js';

const VERSION = '0.1.0';

function mainHelp() {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    'latefuse — multimodal late-fusion survival modelling (C++/WebAssembly core)',
    '',
    'Usage: latefuse <command> [options]     latefuse <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Every command prints JSON on stdout. Bad input exits with code 2 and one line on stderr.',
  ].join('\n');
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(`unknown command "${name}"; the commands are: ${commands.map((c) => c.name).join(', ')} (see latefuse --help)`);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpText(command) + '\n');
    return 0;
  }
  const options = parseOptions(rest, command.options, command.name);
  // Load the WebAssembly core, set its memory aside for the input and, for a command that fits, warm
  // it up, all before reading the input, as the page does in its worker (web/lib/module.js and
  // warm_up.js say why). A failure is reported by the command's own call, which loads the core again.
  await readyForInput(inputBytes(options), { warm: Boolean(command.warmUp) }).catch(() => {});
  const result = await command.run(options);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return 0;
}

/** The total size of the files the options name (0 for values that are not files). */
function inputBytes(options) {
  let total = 0;
  for (const value of Object.values(options)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string') continue;
      try {
        const s = statSync(v);
        if (s.isFile()) total += s.size;
      } catch { /* not a file */ }
    }
  }
  return total;
}

const commandName = process.argv[2];

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    const { line, code } = errorReport(error, commandName);
    process.stderr.write(`latefuse: ${line}\n`);
    process.exitCode = code;
  },
);
