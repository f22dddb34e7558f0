// Page-level widgets: the tabs (WAI-ARIA tabs pattern, arrow keys), the progress bar with Cancel
// (Escape cancels too; after a cancel, focus returns to the control that started the run), the polite
// status announcer, and the neutral "Cancelled." status shown in a run's message box.
import { $, $$ } from './dom.js';

/** @param {{onChange?: (name: string) => void}} [options]  onChange: the selected tab's name (its id without "tab-") */
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
  let starter = null;     // the control focused when the run started (a user's button), if any
  let cancelled = false;
  const requestCancel = () => {
    if (onCancel && !cancel.disabled) {
      cancelled = true;
      stage.textContent = 'Cancelling…';
      cancel.disabled = true;
      onCancel();
    }
  };
  cancel.addEventListener('click', requestCancel);
  // Escape cancels the running job wherever focus is (a disabled Run button cannot hold focus).
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden && onCancel) { e.preventDefault(); requestCancel(); }
  });
  return {
    start(label, cancelFn) {
      if (depth === 0) {
        const active = document.activeElement;
        // An automatic run (the demo on opening) starts with nothing focused: no focus to give back.
        starter = active && active !== document.body && active !== cancel ? active : null;
        cancelled = false;
      }
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
        if (depth !== 0) return;
        const focusInPanel = panel.contains(document.activeElement);
        panel.hidden = true;
        document.body.classList.remove('busy');
        // After Cancel, back to the button that started the run (enabled again by now).
        if (cancelled && starter?.isConnected && (focusInPanel || document.activeElement === document.body)) starter.focus();
        starter = null;
        cancelled = false;
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

/**
 * A run's message box shows "Cancelled." as a neutral status (no warning sign, not red): the user
 * asked for it, nothing went wrong. `clearCancelled` makes the box an error box again.
 */
export function showCancelled(box, message) {
  box.classList.add('cancelled');
  box.hidden = false;
  box.textContent = message;
}

export function clearCancelled(box) {
  box.classList.remove('cancelled');
}
