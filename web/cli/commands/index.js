// The command table of `latefuse`. Each command module exports
// {name, summary, usage, options (the option table), details?, run(options) -> JSON-able object}.
import cox from './cox.js';
import concordance from './concordance.js';
import km from './km.js';
import evaluate from './evaluate.js';
import kendall from './kendall.js';
import logistic from './logistic.js';
import simulate from './simulate.js';
import fuse from './fuse.js';
import score from './score.js';
import dca from './dca.js';

export const commands = [cox, concordance, km, evaluate, kendall, logistic, simulate, fuse, score, dca];
