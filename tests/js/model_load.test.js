// loadScoringModel and validateModel hand the model file's text to the core as UTF-8 bytes
// (web/lib/model.js modelBytes, cpp/bindings/model_bindings.cpp textOf): the same summary and the
// same scores as the text handed over as a string, for text beyond ASCII (2-, 3- and 4-byte UTF-8 and
// a \u escape), and the same errors.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModule, loadScoringModel, validateModel } from '../../web/lib/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let m;
let text;
const LABELS = ['faible – µ', 'élevé ≥ 𝛽'];

beforeAll(async () => {
  m = await loadModule();
  const doc = JSON.parse(readFileSync(`${root}models/hgsoc-synthetic.latefuse.json`, 'utf8'));
  doc.risk_groups.labels = LABELS;
  doc.features[0].description = 'Größe in µm (📏)';
  // A \u escape in the file itself: JSON.stringify would write the character, so put it in by hand.
  text = JSON.stringify(doc).replace('"months"', '"m\\u00f6nths"');
});

describe('the model text as UTF-8 bytes', () => {
  it('gives the summary the string gives, with every character intact', async () => {
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBeGreaterThan(text.length);   // multi-byte characters are in it
    const fromString = m.validateModel(text);
    const fromBytes = m.validateModel(bytes);
    expect(fromBytes).toEqual(fromString);
    const summary = await validateModel(text);
    const shown = JSON.stringify(summary);
    for (const s of [...LABELS, 'Größe in µm (📏)', 'mönths']) expect(shown).toContain(s);
    const model = await loadScoringModel(text);
    expect(model.summary).toEqual(summary);
    model.dispose();
  });

  it('scores a loaded model as the one-shot call with the string', async () => {
    const model = await loadScoringModel(text);
    const scores = { radiomics: Float64Array.of(0.5, -1, NaN), clinical: Float64Array.of(0.1, NaN, 2) };
    const loaded = model.scoreFromScores({ scores, ids: ['a', 'b', 'c'] });
    const oneShot = m.scoreModelFromScores(text, scores, ['a', 'b', 'c'], {});
    expect(loaded).toEqual(oneShot);
    model.dispose();
  });

  it('refuses bad bytes and values that are neither text nor bytes with the same errors', async () => {
    const broken = text.slice(0, 1000);
    await expect(loadScoringModel(broken)).rejects.toThrow(/^model file is not valid JSON \(parse error at line 1, column 1001/);
    expect(() => m.loadScoringModel(broken)).toThrow(/^model file is not valid JSON \(parse error at line 1, column 1001/);
    // A byte sequence that is not UTF-8 (0xC0 0xAF, an over-long '/') inside a string: nlohmann's error.
    const bytes = new TextEncoder().encode(text);
    const at = new TextEncoder().encode(text.slice(0, text.indexOf('faible') + 1)).length;
    bytes.set([0xc0, 0xaf], at);
    expect(() => m.loadScoringModel(bytes)).toThrow(/^model file is not valid JSON \(parse error .*invalid string: ill-formed UTF-8 byte/);
    expect(() => m.loadScoringModel(new Float64Array(3))).toThrow(/^model file: expected the file's text$/);
  });
});
