// Page-level widgets: the tabs (WAI-ARIA tabs pattern, arrow keys), the progress bar with Cancel,
// and the polite status announcer.
import { $, $$ } from './dom.js';

export function setupTabs({ onChange } = {}) {
  const tabs = $$('[role="tab"]');
  const select = (tab, { focus = false, push = true } = {}) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    const name = tab.id.replace(/^tab-/, '');
    if (push && location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    onChange?.(name);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e) => {
      let next = null;
      if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
      else if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (e.key === 'Home') next = tabs[0];
      else if (e.key === 'End') next = tabs[tabs.length - 1];
      if (next) { e.preventDefault(); select(next, { focus: true }); }
    });
  });
  const initial = tabs.find((t) => `#${t.id.replace(/^tab-/, '')}` === location.hash);
  if (initial) select(initial, { push: false });
  return { select: (name) => select(document.getElementById(`tab-${name}`)) };
}

export function createProgress() {
  const panel = $('#progress');
  const stage = $('#progress-stage');
  const bar = $('#progress-bar');
  const cancel = $('#progress-cancel');
  let onCancel = null;
  let depth = 0;
  let shownAt = 0;
  cancel.addEventListener('click', () => {
    if (onCancel) {
      stage.textContent = 'Cancelling…';
      cancel.disabled = true;
      onCancel();
    }
  });
  return {
    start(label, cancelFn) {
      depth += 1;
      onCancel = cancelFn;
      cancel.disabled = !cancelFn;
      stage.textContent = label;
      bar.removeAttribute('value');
      bar.setAttribute('aria-valuetext', label);
      panel.hidden = false;
      shownAt = performance.now();
      document.body.classList.add('busy');
    },
    update(label, fraction) {
      const known = typeof fraction === 'number' && Number.isFinite(fraction);
      // Progress of reading a file (bytes read / size): not a result, so shown as a rounded percentage.
      const text = known && label ? `${label} — ${Math.floor(fraction * 100)}%` : label;
      if (text) { stage.textContent = text; bar.setAttribute('aria-valuetext', text); }
      if (known) bar.value = fraction;
      else bar.removeAttribute('value');
    },
    stop() {
      depth = Math.max(0, depth - 1);
      if (depth > 0) return;
      onCancel = null;
      // Keep very short runs visible for a moment so the bar does not flicker.
      const wait = Math.max(0, 250 - (performance.now() - shownAt));
      setTimeout(() => {
        if (depth === 0) { panel.hidden = true; document.body.classList.remove('busy'); }
      }, wait);
    },
  };
}

export function createAnnouncer() {
  const region = $('#status');
  return (message) => {
    region.textContent = '';
    setTimeout(() => { region.textContent = message; }, 30);
  };
}
