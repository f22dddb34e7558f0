// The typed JavaScript API of LateFuse over the WASM core: the only code that touches the module.
export { loadModule } from './module.js';
export { LateFuseError, InputError, ModelError, CancelledError } from './errors.js';
export { parseTable, tableFromRows } from './table.js';
export { numericColumn, eventColumn, binaryColumn, categoricalColumn, completeRows, checkTimes } from './columns.js';
export { fitCox, concordance, coxSurvivalAt, coreVersion, fitElasticNetCox, cvElasticNetCox } from './cox.js';
export {
  kaplanMeier, logRank, unoConcordance, timeDependentAuc, brierScore, survivalCalibration, kendallTau, spearmanRho,
  rankCorrelationMatrix, adjustPValues, fitLogistic, binaryAuc, logisticCalibration, bootstrap, pairedBootstrap,
  permutationTest, randomDraws, groupCodes, quantileType7, defaultHorizons,
} from './stats.js';
export { simulate } from './fusion.js';
export { fitAndEvaluateFusion } from './fusion_report.js';
export {
  validateModel, roundTripModel, scoreModel, scoreModelFromScores, scoreTables, predictionsCsv, exampleModel, loadScoringModel, ScoringModel,
  addModelValidation, modelWithoutValidation,
} from './model.js';
