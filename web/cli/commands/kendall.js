// latefuse kendall: Kendall's tau-b (Knight, O(n log n)) or Spearman's rho between several columns,
// pairwise-complete rows, with R cor.test(exact = FALSE) p-values.
import { loadModule } from '../../lib/module.js';
import { rankCorrelationMatrix, adjustPValues } from '../../lib/stats.js';
import { numericColumn } from '../../lib/columns.js';
import { readTableFile, DECIMAL_OPTION } from '../data.js';
import { UsageError } from '../options.js';

export default {
  name: 'kendall',
  summary: "Kendall's tau-b matrix of several columns (pairwise-complete rows) with cor.test p-values",
  usage: 'latefuse kendall --data FILE.csv --columns A,B,C [--method kendall|spearman] [--adjust BH]',
  options: [
    DECIMAL_OPTION,
    { flag: 'data', arg: 'FILE', type: 'string', required: true, help: 'CSV or TSV file with a header row' },
    { flag: 'columns', arg: 'A,B,C', type: 'list', required: true, help: 'numeric columns (at least two)' },
    { flag: 'method', arg: 'NAME', type: 'string', default: 'kendall', choices: ['kendall', 'spearman'], help: 'rank correlation' },
    { flag: 'adjust', arg: 'METHOD', type: 'string', default: 'none', choices: ['none', 'BH', 'BY', 'holm', 'hochberg', 'bonferroni'],
      help: 'also report p-values adjusted over the distinct pairs (R p.adjust)' },
  ],
  details: [
    'tau is tau-b; p is two-sided from the normal approximation with tie correction (R cor.test, exact = FALSE).',
    'Each pair uses the rows where both columns are present (n); the diagonal p is null.',
  ],
  async run(o) {
    if (o.columns.length < 2) throw new UsageError('--columns needs at least two columns');
    const dup = o.columns.find((c, i) => o.columns.indexOf(c) !== i);
    if (dup) throw new UsageError(`--columns lists "${dup}" twice`);
    const table = readTableFile(o.data, { decimal: o.decimal });
    const columns = Object.fromEntries(o.columns.map((c) => [c, numericColumn(table, c)]));
    await loadModule(); // loaded before the clock starts, as R's library() is before system.time()
    const started = performance.now();
    const m = await rankCorrelationMatrix(columns, o.method);
    const out = { columns: o.columns, method: o.method, tau: m.estimate, p: m.p, n: m.n };
    if (o.method === 'spearman') { out.rho = m.estimate; delete out.tau; }
    if (o.adjust !== 'none') {
      const k = o.columns.length;
      const pairs = [];
      for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) pairs.push([a, b]);
      const adj = await adjustPValues(pairs.map(([a, b]) => m.p[a][b]), o.adjust);
      const mat = m.p.map((row) => row.map(() => null));
      pairs.forEach(([a, b], i) => { mat[a][b] = adj[i]; mat[b][a] = adj[i]; });
      out.p_adjusted = mat;
      out.adjust = o.adjust;
    }
    out.warnings = m.warnings;
    out.compute_ms = Math.round((performance.now() - started) * 1000) / 1000;
    return out;
  },
};
