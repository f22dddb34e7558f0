// Scoring with a shipped model file in WASM (Node): the one-shot API (parse + validate the file on
// every call) against a model loaded once (loadScoringModel), for the Score tab's requests — one
// patient with the whole S(t) curve, and the GBSG file (686 patients). Prints a Markdown table.
//   node bench/score_bench.js [--repeats N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  loadModule, validateModel, scoreTables, loadScoringModel, parseTable, tableFromRows,
} from '../web/lib/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const repeats = Number(process.argv[process.argv.indexOf('--repeats') + 1]) || 10;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn) {
  const ms = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

await loadModule();
const text = readFileSync(`${root}models/rotterdam.latefuse.json`, 'utf8');
const gbsg = parseTable(readFileSync(`${root}models/data/gbsg-validation.csv`, 'utf8'), { file: 'gbsg-validation.csv' });
const summary = await validateModel(text);
const header = summary.modalities.flatMap((m) => m.columns.filter((c) => !c.includes('='))).concat(summary.encodings.map((e) => e.column));
const first = header.map((c) => {
  const raw = gbsg.columns.get(c)?.raw[0];
  return raw === null || raw === undefined ? '' : String(raw);
});
const patient = tableFromRows('patient', header, [first]);
const times = [...new Set([0, ...summary.horizons, ...summary.baseline_times])].sort((a, b) => a - b);

const rows = [];
rows.push(['validate the file (validateModel)', await time(() => validateModel(text)), null]);
const loadMs = await time(async () => (await loadScoringModel(text)).dispose());
rows.push(['load once (loadScoringModel)', loadMs, null]);
const model = await loadScoringModel(text);
rows.push(['one patient, S(t) at ' + times.length + ' times',
  await time(() => scoreTables(text, [patient], { summary, times })),
  await time(() => model.scoreTables([patient], { times }))]);
rows.push(['one patient, horizons only',
  await time(() => scoreTables(text, [patient], { summary })),
  await time(() => model.scoreTables([patient]))]);
rows.push([`GBSG file (${gbsg.rowCount} patients)`,
  await time(() => scoreTables(text, [gbsg], { idColumn: 'pid', summary })),
  await time(() => model.scoreTables([gbsg], { idColumn: 'pid' }))]);
model.dispose();

const f = (v) => (v === null ? '' : v.toFixed(1));
console.log(`Model: models/rotterdam.latefuse.json (${(text.length / 1e6).toFixed(2)} MB); median of ${repeats} runs, ms; Node ${process.version}`);
console.log('');
console.log('| request | text per call (ms) | loaded model (ms) |');
console.log('|---|---:|---:|');
for (const [name, a, b] of rows) console.log(`| ${name} | ${f(a)} | ${f(b)} |`);
