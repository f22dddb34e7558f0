// `npm run bench`: runs every bench/*_bench.js in turn and prints their tables (Markdown).
// `npm run bench -- --quick` uses small sizes. Figures only — nothing here asserts a time.
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { hasR } from './common.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
console.log(`# LateFuse benchmark (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, R ${hasR ? 'found' : 'not found'})\n`);
const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('_bench.js')).sort();
for (const f of files) {
  if (only && !f.startsWith(only)) continue;
  // A bench module either exports run() returning Markdown, or is a script that prints when imported.
  const mod = await import(`./${f}`);
  if (typeof mod.run === 'function') console.log(await mod.run({ quick }));
}
