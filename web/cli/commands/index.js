// The command table of `latefuse`. Each command module exports
// {name, summary, usage, options (the option table), details?, run(options) -> JSON-able object}.
import cox from './cox.js';
import concordance from './concordance.js';

export const commands = [cox, concordance];
