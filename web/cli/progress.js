// Progress of long CLI work on stderr, only when stderr is a terminal (piped or redirected output
// stays clean): a bar with the share of work done, the step running and the time left, estimated
// from the time the finished steps took per unit of work (e.g. per resample).
const WIDTH = 24;

function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * @param {number} total units of work (e.g. 1 + bootstrap + permutations)
 * @param {{stream?: {isTTY?: boolean, write: Function}, now?: () => number}} [options]
 * @returns {{start(label: string, units: number): void, done(): void}} start() before each step
 */
export function progressBar(total, { stream = process.stderr, now = () => performance.now() } = {}) {
  const enabled = Boolean(stream.isTTY) && total > 0;
  const began = now();
  let finished = 0;   // units of the steps already done
  let pending = 0;    // units of the step running
  const draw = (label) => {
    const share = Math.min(1, finished / total);
    const filled = Math.round(share * WIDTH);
    const elapsed = now() - began;
    const eta = finished > 0 ? `, about ${duration((elapsed / finished) * (total - finished))} left` : '';
    stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.round(share * 100)}% ${label}${eta}`);
  };
  return {
    start(label, units) {
      finished += pending;
      pending = units;
      if (enabled) draw(label);
    },
    done() {
      if (enabled) stream.write('\r\x1b[K');
    },
  };
}
