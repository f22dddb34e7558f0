// Kept only so that fusion-view.js's import still resolves: readBinaryReport and readElasticNet
// live in fusion-model.js with the rest of the report reader. Import them from there.
export { readBinaryReport, readElasticNet } from './fusion-model.js';
