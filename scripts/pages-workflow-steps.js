// The `run:` commands of a GitHub Actions workflow, in order, for scripts/check-pages-workflow.sh.
// Reads the block-scalar (`run: |`) and one-line (`run: cmd`) forms this project's workflows use;
// `uses:` steps are listed as comments (they are GitHub's own actions: checkout, Node, Pages).
// Output: one step per record, records separated by NUL: "<name>\n<script>".
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) { console.error('usage: node scripts/pages-workflow-steps.js WORKFLOW.yml'); process.exit(2); }
const lines = readFileSync(file, 'utf8').split('\n');
const steps = [];
let current = null;
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  const item = line.match(/^(\s*)- (name|uses|id|run):\s*(.*)$/);
  if (item) { current = { name: item[2] === 'name' ? item[3] : `(${item[2]} ${item[3]})`, run: null, uses: item[2] === 'uses' ? item[3] : null }; steps.push(current); }
  const uses = line.match(/^\s+uses:\s*(.*)$/);
  if (uses && current) current.uses = uses[1];
  const run = line.match(/^(\s*)(?:- )?run:\s*(.*)$/);
  if (!run || !current) continue;
  if (run[2] === '|') {
    const body = [];
    let indent = null;
    while (i + 1 < lines.length) {
      const next = lines[i + 1];
      const lead = next.match(/^(\s*)/)[1].length;
      if (next.trim() !== '' && lead <= run[1].length) break;
      if (next.trim() !== '') indent ??= lead;
      body.push(next.slice(indent ?? 0));
      i++;
    }
    current.run = body.join('\n').trimEnd();
  } else {
    current.run = run[2];
  }
}
process.stdout.write(steps.map((s) => `${s.name}\n${s.run ?? `# uses ${s.uses}: not run here`}`).join('\0'));
