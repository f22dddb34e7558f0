// Cox (Efron) fit and Harrell's C: WASM (Node) vs native vs R survival, on the same seeded files.
import { fitCox, concordance } from '../web/lib/index.js';
import { survivalData, writeCsv, timeIt, hasR, runR, runNative, table, fmt } from './common.js';

export async function run({ quick = false } = {}) {
  const sizes = quick ? [[1e4, 20]] : [[1e4, 20], [1e5, 20], [1e6, 10]];
  const rows = [['fit', 'n', 'p', 'WASM (Node)', 'native', 'R coxph', 'R / WASM', 'max |Δcoef| WASM vs R']];
  for (const [n, p] of sizes) {
    const data = survivalData(n, p, 42 + n);
    const file = writeCsv(`cox_${n}_${p}.csv`, data);
    const names = Object.keys(data.covariates);
    const wasm = await timeIt(() => fitCox(data), n >= 1e6 ? 1 : 3);
    const native = runNative(['cox', file, 'time', 'event', names.join(',')]);
    let r = null;
    if (hasR) {
      r = runR(`suppressMessages(library(survival)); d <- read.csv("${file}");
        t <- system.time(f <- coxph(Surv(time, event) ~ ., data = d, ties = "efron"))[["elapsed"]] * 1000;
        cat(sprintf('{"ms": %.3f, "coef": [%s]}\\n', t, paste(sprintf("%.17g", coef(f)), collapse = ",")))`);
    }
    const maxDiff = r ? Math.max(...r.coef.map((c, j) => Math.abs(c - wasm.result.coef[j]))) : null;
    rows.push([`Efron Cox`, n, p, fmt(wasm.ms), fmt(native?.fit_ms), fmt(r?.ms), r ? `${(r.ms / wasm.ms).toFixed(1)}×` : '—',
      maxDiff === null ? '—' : maxDiff.toExponential(1)]);
  }
  // Harrell's C at n = 1e6.
  const n = quick ? 1e5 : 1e6;
  const data = survivalData(n, 1, 7);
  const score = data.covariates.x1;
  const file = writeCsv(`concordance_${n}.csv`, { time: data.time, event: data.event, covariates: { score } });
  const wasm = await timeIt(() => concordance({ time: data.time, event: data.event, score }), 3);
  const native = runNative(['concordance', file, 'time', 'event', 'score']);
  let r = null;
  if (hasR) {
    r = runR(`suppressMessages(library(survival)); d <- read.csv("${file}");
      t <- system.time(k <- concordance(Surv(time, event) ~ score, data = d, reverse = TRUE))[["elapsed"]] * 1000;
      cat(sprintf('{"ms": %.3f, "c": %.17g}\\n', t, k$concordance))`);
  }
  rows.push([`Harrell's C`, n, 1, fmt(wasm.ms), fmt(native?.compute_ms), fmt(r?.ms), r ? `${(r.ms / wasm.ms).toFixed(1)}×` : '—',
    r ? `|ΔC| ${Math.abs(r.c - wasm.result.c).toExponential(1)}` : '—']);
  return `### Cox model and concordance\n\n${table(rows)}\n`;
}
