// The models shipped with LateFuse (models/README.md, their cards), bundled into the site by
// web/vite.config.js as models/<file> next to index.html. Only the words of each card live here;
// every number on a card is read from the model file (its training summary and evaluation, via the
// core's validateModel), including its external validation (the file's `validation` section).

export const SHIPPED_MODELS = [
  {
    key: 'rotterdam',
    file: 'models/rotterdam.latefuse.json',
    title: 'Rotterdam breast cancer — recurrence-free survival',
    badge: 'Real data',
    badgeClass: 'real',
    data: 'Rotterdam tumour bank (R package survival): primary breast cancer, treated 1978–1993; a seeded 70/30 split.',
    outcome: 'Recurrence-free survival (days)',
    limits: 'Every training patient had all four modalities. Not for clinical decisions.',
  },
  {
    key: 'hgsoc-synthetic',
    file: 'models/hgsoc-synthetic.latefuse.json',
    title: 'HGSOC-shaped synthetic cohort',
    badge: 'SYNTHETIC — for teaching',
    badgeClass: 'synthetic',
    data: 'Simulated patients, not real ones (latefuse simulate --preset hgsoc --seed 2022), shaped like the reference ovarian-cancer study: many patients lack one or more modalities.',
    outcome: 'Simulated survival (months)',
    limits: 'Synthetic data: its numbers say nothing about ovarian cancer.',
  },
];
