// LateFuse web app: page bootstrap. The page never loads the WebAssembly module itself: the
// computation worker (worker.js) does, and the page talks to it through protocol.js.
import { $ } from './dom.js';
import { WorkerClient } from './protocol.js';
import { setupTabs, createProgress, createAnnouncer } from './ui.js';
import { FitFlow } from './fit.js';
import { runDemo, runBinaryDemo, FusionDemo } from './demo.js';
import { renderScoreModels, ScoreTab } from './score.js';
import { LearnTab } from './learn.js';

const client = new WorkerClient(() => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'latefuse-core' }));
const progress = createProgress();
const announce = createAnnouncer();

let fusion = null;
const flow = new FitFlow({
  client,
  progress,
  announce,
  onResult: (result) => renderScoreModels(result),
  // New data (a file or an example) replaces the late-fusion demo on screen.
  onDataChange: () => fusion?.hide(),
});
renderScoreModels(null);
fusion = new FusionDemo({ client, flow, announce, onResult: (result) => renderScoreModels(result) });
const learn = new LearnTab({ client, flow, announce });
const score = new ScoreTab({ client, progress, announce });

setupTabs({
  onChange: (name) => {
    if (name === 'fit') { flow.redraw?.(); fusion.redraw(); }
    if (name === 'learn') learn.redraw();
    if (name === 'score') score.show();
  },
});

const ctx = { client, flow, announce, fusion };
const guard = (fn) => async () => {
  try {
    await fn();
  } catch (error) {
    announce(error.message);
  }
};
$('#btn-demo').addEventListener('click', guard(() => runDemo(ctx)));
$('#btn-demo-binary').addEventListener('click', guard(() => runBinaryDemo(ctx)));
$('#btn-lung').addEventListener('click', guard(() => flow.loadExample('lung', { fit: true })));
$('#btn-rotterdam').addEventListener('click', guard(() => flow.loadExample('rotterdam', { fit: true })));
// Late fusion on real data: Rotterdam RFS with four modalities, ready to run (not run at once: it
// takes a few seconds, and the user may want to look at the modalities and settings first).
$('#btn-rotterdam-gbsg').addEventListener('click', guard(() => flow.loadExample('rotterdam-gbsg')));
// Late fusion on the user's files: the Score tab offers the new model as "just fitted".
flow.onFusionResult = (result) => renderScoreModels(result);

// Redraw charts to the new width after a resize (the SVGs also scale down by CSS meanwhile).
let resizeTimer = null;
let lastWidth = window.innerWidth;
window.addEventListener('resize', () => {
  if (window.innerWidth === lastWidth) return;
  lastWidth = window.innerWidth;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { flow.redraw?.(); fusion.redraw(); learn.redraw(); score.redraw(); }, 200);
});

async function start() {
  document.body.dataset.state = 'loading';
  try {
    const { version } = await client.call('init', {});
    $('#core-version').textContent = `core ${version}`;
  } catch (error) {
    $('#fit-error').hidden = false;
    $('#fit-error').textContent = `The WebAssembly core could not be loaded: ${error.message}`;
    document.body.dataset.state = 'error';
    return;
  }
  // The page opens with the late-fusion demo loaded (the "Run demo" button's study-shaped simulated
  // cohort, fitted and evaluated by the core in the worker). ?demo=lung opens with the lung example's
  // Cox fit instead, ?demo=0 with nothing.
  const params = new URLSearchParams(location.search);
  const startWith = params.get('demo');
  if (startWith === 'lung') await flow.loadExample('lung', { fit: true }).catch((error) => announce(error.message));
  else if (startWith !== '0') await fusion.run(undefined, { focus: false }).catch((error) => announce(error.message));
  document.body.dataset.state = 'ready';
}

start();

// Offline use after the first visit: a service worker precaches the built files. Registered with a
// relative URL so the site works from any sub-path; not in the Vite dev server.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch(() => { /* offline use simply unavailable */ });
  });
}
