// 10-fold cross-validated elastic-net Cox (lasso, 100 lambdas) at n = 245, p = 600 — the genomic
// modality of the reference study — in WASM (Node), natively and in R's cv.glmnet(family = "cox"), on
// the same seeded CSV (bench/out/enet_245_600.csv: untied times, a few true signals), the same
// foldid and the same lambda sequence (LateFuse's full-data path is given to R, so every fold of
// both fits exactly those lambdas). Figures only.
import { writeFileSync } from 'node:fs';
import { cvElasticNetCox, loadModule } from '../web/lib/index.js';
import { outDir, timeIt, hasR, runR, runNative, table, fmt } from './common.js';
import { writeEnetCsv } from './enet_data.js';

const hasGlmnet = hasR && (() => {
  try { return runR('cat(sprintf(\'{"ok": %s}\\n\', tolower(requireNamespace("glmnet", quietly = TRUE))))').ok; } catch { return false; }
})();

export async function run({ quick = false } = {}) {
  const [n, p] = quick ? [120, 200] : [245, 600];
  const alpha = 1, nLambda = 100, folds = 10;
  const { file, data } = writeEnetCsv(n, p, 2025, folds);
  const covariates = {};
  data.x.forEach((c, j) => { covariates[`x${j + 1}`] = c; });
  const input = { time: data.time, event: data.event, covariates, foldId: Array.from(data.fold, (f) => f - 1), alpha, nLambda };
  await loadModule();
  const wasm = await timeIt(() => cvElasticNetCox(input), quick ? 3 : 3);
  const cv = wasm.result;
  const native = runNative(['enet-cv', file, 'time', 'event', 'fold', String(alpha), String(nLambda)]);
  let identical = '—';
  if (native) {
    const same = (a, b) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
    identical = same(cv.cvm, native.cvm) && same(cv.coefficients, native.beta_min) ? 'yes' : 'no';
  }
  let r = null;
  if (hasGlmnet) {
    const lambdaFile = `${outDir}enet_${n}_${p}_lambda.txt`;
    writeFileSync(lambdaFile, Array.from(cv.fit.lambda, (v) => v.toPrecision(17)).join('\n') + '\n');
    r = runR(`suppressMessages({library(survival); library(glmnet)})
      d <- read.csv("${file}"); lam <- scan("${lambdaFile}", quiet = TRUE)
      x <- as.matrix(d[, -(1:3)]); y <- Surv(d$time, d$event)
      t <- system.time(cv <- cv.glmnet(x, y, family = "cox", alpha = ${alpha}, foldid = d$fold, lambda = lam))[["elapsed"]] * 1000
      b <- as.numeric(coef(cv, s = "lambda.min"))
      cat(sprintf('{"ms": %.3f, "lambda_min": %.17g, "index_min": %d, "n_lambda": %d, "beta_min": [%s]}\\n', t, cv$lambda.min,
                  cv$index[1], length(cv$lambda), paste(sprintf("%.17g", b), collapse = ",")))`);
  }
  let lambdaAgree = '—', maxDb = '—';
  if (r) {
    lambdaAgree = r.index_min === cv.index_min + 1 ? `same (index ${r.index_min}, λ ${r.lambda_min.toPrecision(4)})`
      : `R index ${r.index_min} (λ ${r.lambda_min.toPrecision(4)}), ours ${cv.index_min + 1} (λ ${cv.lambda_min.toPrecision(4)})`;
    let d = 0;
    for (let j = 0; j < p; j++) d = Math.max(d, Math.abs(r.beta_min[j] - cv.coefficients[j]));
    maxDb = d.toExponential(1);
  }
  const rows = [['10-fold CV, lasso', 'n', 'p', 'λ', 'WASM (Node)', 'native', 'R cv.glmnet', 'R / WASM', 'λ_min WASM vs R',
    'max \\|Δβ\\| at λ_min', 'native = WASM']];
  rows.push(['elastic-net Cox', n, p, cv.fit.lambda.length, fmt(wasm.ms), fmt(native?.cv_ms), fmt(r?.ms),
    r ? `${(r.ms / wasm.ms).toFixed(1)}×` : '—', lambdaAgree, maxDb, identical]);
  return `### Elastic-net Cox cross-validation\n\n${table(rows)}\n\nR is given LateFuse's lambda sequence and the same foldid; both use thresh 1e-7 (glmnet's default). WASM time: median of 3 runs, including copying the data in.\n`;
}
