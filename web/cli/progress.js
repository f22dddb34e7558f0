// Progress of long CLI work on stderr, only when stderr is a terminal (piped or redirected output
// stays clean): a bar with the share of work done, the step running and the time left, estimated
// from the time the finished steps took per unit of work (e.g. per resample). Steps are either
// announced by the command (start) or reported by the core as the share of its work done (at).
const WIDTH = 24;
// The core reports progress many times a second; a terminal line redrawn more often than this only flickers.
const REDRAW_MS = 100;

function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * @param {number} total units of work (e.g. 1 + bootstrap + permutations; 1 for a share reported by the core)
 * @param {{stream?: {isTTY?: boolean, write: Function}, now?: () => number}} [options]
 * @returns {{enabled: boolean, start(label: string, units: number): void, at(units: number, label: string): void, done(): void}}
 *   start() before each step; at() when the units done so far are known (redrawn at most every 100 ms)
 */
export function progressBar(total, { stream = process.stderr, now = () => performance.now() } = {}) {
  const enabled = Boolean(stream.isTTY) && total > 0;
  const began = now();
  let finished = 0;   // units of the steps already done
  let pending = 0;    // units of the step running
  let drawn = -Infinity;
  const draw = (label) => {
    drawn = now();
    const share = Math.min(1, finished / total);
    const filled = Math.round(share * WIDTH);
    const elapsed = now() - began;
    const eta = finished > 0 ? `, about ${duration((elapsed / finished) * (total - finished))} left` : '';
    stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.round(share * 100)}% ${label}${eta}`);
  };
  return {
    enabled,
    start(label, units) {
      finished += pending;
      pending = units;
      if (enabled) draw(label);
    },
    at(units, label) {
      finished = Math.max(finished, units);
      pending = 0;
      if (enabled && now() - drawn >= REDRAW_MS) draw(label);
    },
    done() {
      if (enabled) stream.write('\r\x1b[K');
    },
  };
}
