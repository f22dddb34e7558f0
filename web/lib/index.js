// The typed JavaScript API of LateFuse over the WASM core: the only code that touches the module.
export { loadModule, reserveMemory, memoryForInput } from './module.js';
export { LateFuseError, InputError, ModelError, CancelledError } from './errors.js';
export { parseTable, tableFromRows, TableReader } from './table.js';
export { outcomeJoin, innerJoin, indexIds, checkIdCase } from './join.js';
export { DECIMAL_MARKS, detectDecimalMark, parseNumber, describeDecimalMark } from './decimal.js';
export { checkFeatureValue, checkTypedScore, featureHint, trainingRange, featureNumber, featureInfoFromTable, TYPED_SCORE_LIMIT } from './features.js';
export { numericColumn, eventColumn, binaryColumn, categoricalColumn, completeRows, checkTimes, categoricalLevels } from './columns.js';
export { fitCox, covariateBlock, CovariateBlock, concordance, coxSurvivalAt, coreVersion, fitElasticNetCox, cvElasticNetCox } from './cox.js';
export { encodeCategorical } from './categorical.js';
export {
  kaplanMeier, logRank, unoConcordance, timeDependentAuc, brierScore, survivalCalibration, kendallTau, spearmanRho,
  rankCorrelationMatrix, adjustPValues, fitLogistic, binaryAuc, logisticCalibration, bootstrap, pairedBootstrap,
  permutationTest, randomDraws, pairedDifference, groupCodes, quantileType7, defaultHorizons, quantileGroups,
} from './stats.js';
export { simulate } from './fusion.js';
export { decisionCurve } from './decision_curve.js';
export { analysisReportHtml, equivalentCommand, fileFacts, sha256Hex, REPORT_SECTIONS } from './analysis_report.js';
export { riskGroupCurves, testCalibration, atRiskTimes } from './risk_group_curves.js';
export { evaluateScore, riskGroups, RISK_SPLITS } from './evaluate.js';
export { fitAndEvaluateFusion } from './fusion_report.js';
export {
  validateModel, roundTripModel, scoreModel, scoreModelFromScores, scoreTables, predictionsCsv, exampleModel, loadScoringModel, ScoringModel,
  addModelValidation, modelWithoutValidation,
} from './model.js';
