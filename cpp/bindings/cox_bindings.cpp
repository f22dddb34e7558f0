// embind entry points for the Cox model, elastic-net Cox and Harrell's concordance: conversion only.
#include "convert.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/elastic_net.hpp"
#include "survival_convert.hpp"

#include <map>
#include <string>

namespace latefuse {
// Baseline arrays can have one entry per event time (up to n): typed arrays, one copy each.
template <typename F>
void fields(const CoxBaseline& b, F&& f) {
  using bindings::typed;
  f("time", typed(b.time));
  f("stratum", typed(b.stratum));
  f("hazard", typed(b.hazard));
  f("var_hazard", typed(b.varHazard));
  f("xbar_hazard", bindings::typedRows(b.xbarHazard));
  f("n_risk", typed(b.nRisk));
  f("n_event", typed(b.nEvent));
}
template <typename F>
void fields(const SurvivalPrediction& s, F&& f) {
  f("time", s.time);
  f("surv", s.surv);
  f("se", s.se);
  f("lower", s.lower);
  f("upper", s.upper);
  f("cumhaz", s.cumhaz);
}
}  // namespace latefuse

namespace latefuse::bindings {
namespace {

CoxOptions coxOptions(const val& o) {
  CoxOptions c;
  const std::string ties = option<std::string>(o, "ties", "efron");
  if (ties == "efron") c.ties = Ties::Efron;
  else if (ties == "breslow") c.ties = Ties::Breslow;
  else throw InputError("ties must be 'efron' or 'breslow', got '" + ties + "'");
  c.maxIter = option<int>(o, "maxIter", c.maxIter);
  c.eps = option<double>(o, "eps", c.eps);
  c.robust = option<bool>(o, "robust", false);
  c.ridgeTheta = option<double>(o, "ridgeTheta", 0.0);
  c.ridgeScale = option<bool>(o, "ridgeScale", false);
  c.penalizer = option<double>(o, "penalizer", 0.0);
  c.timefix = option<bool>(o, "timefix", true);
  c.allowRotation = option<bool>(o, "rotation", true);
  if (has(o, "init")) c.init = toVector(o["init"]);
  c.columnNames = toStrings(o["names"]);
  return c;
}

// Covariate blocks: n x p matrices in the module's memory that JavaScript fills through column views
// (web/lib/cox.js covariateBlock), so that a fit takes its covariates without a copy at the call.
// A block is identified by a number; fitCox takes it (and it is gone), freeCovariateBlock drops it.
std::map<int, Eigen::MatrixXd>& covariateBlocks() {
  static std::map<int, Eigen::MatrixXd> blocks;
  return blocks;
}

Eigen::MatrixXd& covariateBlock(int id) {
  auto it = covariateBlocks().find(id);
  if (it == covariateBlocks().end())
    throw InputError("covariate block " + std::to_string(id) + " does not exist (a fit takes its block; make a new one per fit)");
  return it->second;
}

val newCovariateBlockJs(double rows, double cols) {
  const auto count = [](double v, const char* what) {
    if (!(v >= 0 && v <= 2147483647.0 && std::floor(v) == v))
      throw InputError(std::string("a covariate block's ") + what + " must be a whole number >= 0");
    return static_cast<Eigen::Index>(v);
  };
  Eigen::MatrixXd x(count(rows, "row count"), count(cols, "column count"));
  static int last = 0;
  const int id = ++last;
  covariateBlocks().emplace(id, std::move(x));
  return val(id);
}

// Column j of a block as a Float64Array over the module's memory: valid until the memory grows (any
// later call into the core may grow it), so fetch it, fill it, and let it go.
val covariateColumnJs(int id, double j) {
  Eigen::MatrixXd& x = covariateBlock(id);
  if (!(j >= 0 && j < static_cast<double>(x.cols()) && std::floor(j) == j))
    throw InputError("covariate block column " + std::to_string(j) + " is out of range (the block has " +
                     std::to_string(x.cols()) + " columns)");
  return val(emscripten::typed_memory_view(static_cast<size_t>(x.rows()), x.col(static_cast<Eigen::Index>(j)).data()));
}

val freeCovariateBlockJs(int id) {
  covariateBlocks().erase(id);
  return val::undefined();
}

// The covariates of a fit's input: its block, taken out of the table (no copy), or a copy of its
// array of columns.
Eigen::MatrixXd covariatesOf(const val& input, Eigen::Index rows) {
  if (!has(input, "covariateBlock")) return toMatrix(input["covariates"], rows);
  const int id = input["covariateBlock"].as<int>();
  Eigen::MatrixXd x = std::move(covariateBlock(id));
  covariateBlocks().erase(id);
  if (x.rows() != rows)
    throw InputError("the covariate block has " + std::to_string(x.rows()) + " rows, expected " + std::to_string(rows));
  return x;
}

// input: {time, event, weights?, strata?, covariates: [Float64Array...] | covariateBlock: id, names?, ties?,
//         ...options, survivalTimes?: [t1, ...], predict?: {x: [..], times: [..], stratum?, confLevel?}}
val fitCoxJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  const CoxOptions o = coxOptions(input);
  // The covariates are the fit's to keep: it sorts them in place (one n x p matrix, not two).
  const CoxFit f = fitCox(d, covariatesOf(input, d.size()), o);
  // Coefficient table (robust SE when robust, as R's summary.coxph), one array per column.
  const auto table = summarizeCoefficients(f, o.robust, option<double>(input, "confLevel", 0.95));
  const auto column = [&table](double CoefficientRow::*c) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(table.size()));
    for (size_t j = 0; j < table.size(); ++j) v(static_cast<Eigen::Index>(j)) = table[j].*c;
    return v;
  };
  Object out;
  out("n", f.n)("events", f.events)("ties", std::string(f.ties == Ties::Efron ? "efron" : "breslow"));
  out("coef", f.coef)("se", f.se)("means", f.means)("var", f.var)("hr", column(&CoefficientRow::hr));
  out("hr_lower", column(&CoefficientRow::hrLower))("hr_upper", column(&CoefficientRow::hrUpper));
  out("z", column(&CoefficientRow::z))("p", column(&CoefficientRow::p));
  if (o.robust) {
    out("robust_se", f.robustSe)("robust_var", f.robustVar)("robust_wald_test", f.robustWaldTest);
    out("robust_wald_p", f.robustWaldP)("robust_score_test", f.robustScoreTest)("robust_score_p", f.robustScoreP);
  }
  out("redundant", f.redundant)("loglik_init", f.loglikInit)("loglik", f.loglik)("penalty", f.penalty)("theta", f.theta);
  out("lr_test", f.lrTest)("lr_df", f.lrDf)("lr_p", f.lrP)("score_test", f.scoreTest)("score_p", f.scoreP);
  out("wald_test", f.waldTest)("wald_p", f.waldP)("iterations", f.iterations)("converged", f.converged);
  out("warnings", f.warnings)("linear_predictor", typed(f.linearPredictor));
  out("concordance", f.concordance)("baseline", f.baseline);
  // Per-subject S(t) for the training rows: subject i's values at i*T .. i*T+T-1.
  if (has(input, "survivalTimes"))
    out("survival_at", typedRows(survivalAtTimes(f, f.linearPredictor, d.strata, toVector(input["survivalTimes"]))));
  if (has(input, "predict")) {
    const val pr = input["predict"];
    out("prediction", predictSurvival(f, toVector(pr["x"]), toVector(pr["times"]), option<int>(pr, "stratum", 0),
                                      option<double>(pr, "confLevel", 0.95)));
  }
  return out;
}

// input: {time, event, score, weights?, strata?, higherIsRisk?}
val concordanceJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  const Eigen::VectorXd score = toVector(input["score"]);
  return toJs(harrellConcordance(d, score, option<bool>(input, "higherIsRisk", true)));
}

// S_i(t) from a fitted model's baseline hazard table and centred linear predictors:
// {time, hazard, stratum?, lp, strata?, times} -> Float64Array n x T (row-major).
val coxSurvivalAtJs(val input) {
  CoxFit fit;
  fit.baseline.time = toVector(input["time"]);
  fit.baseline.hazard = toVector(input["hazard"]);
  if (fit.baseline.hazard.size() != fit.baseline.time.size())
    throw InputError("baseline hazard: time and hazard must have the same length");
  fit.baseline.stratum = has(input, "stratum") ? toIntVector(input["stratum"])
                                               : Eigen::VectorXi::Zero(fit.baseline.time.size());
  const Eigen::VectorXd lp = toVector(input["lp"]);
  const Eigen::VectorXi strata = has(input, "strata") ? toIntVector(input["strata"]) : Eigen::VectorXi();
  return toFlatRowMajor(survivalAtTimes(fit, lp, strata, toVector(input["times"])));
}

ElasticNetOptions elasticNetOptions(const val& o) {
  ElasticNetOptions e;
  e.alpha = option<double>(o, "alpha", e.alpha);
  e.standardize = option<bool>(o, "standardize", e.standardize);
  e.nLambda = option<int>(o, "nLambda", e.nLambda);
  e.lambdaMinRatio = option<double>(o, "lambdaMinRatio", e.lambdaMinRatio);
  if (has(o, "lambda")) e.lambda = toVector(o["lambda"]);
  if (has(o, "penaltyFactor")) e.penaltyFactor = toVector(o["penaltyFactor"]);
  e.thresh = option<double>(o, "thresh", e.thresh);
  e.maxPasses = static_cast<long>(option<double>(o, "maxPasses", static_cast<double>(e.maxPasses)));
  const std::string solver = option<std::string>(o, "solver", "newton");
  if (solver == "newton") e.solver = ElasticNetSolver::Newton;
  else if (solver == "glmnet") e.solver = ElasticNetSolver::Glmnet;
  else throw InputError("solver must be 'newton' or 'glmnet', got '" + solver + "'");
  e.columnNames = toStrings(o["names"]);
  return e;
}

// The path as {lambda, beta: p x L Float64Array (column-major: lambda k at k*p .. k*p+p-1), ...}.
val pathObject(const ElasticNetPath& e) {
  return Object()("lambda", typed(e.lambda))(
      "beta", toFloat64Array(Eigen::Map<const Eigen::VectorXd>(e.beta.data(), e.beta.size())))("p", e.beta.rows())(
      "dev_ratio", typed(e.devRatio))("df", typed(e.df))("null_deviance", e.nullDeviance)("passes", e.passes)(
      "alpha", e.alpha)("standardize", e.standardize)("warnings", e.warnings);
}

// input: {time, event, weights?, covariates: [Float64Array...], names?, alpha?, standardize?, nLambda?,
//         lambdaMinRatio?, lambda?, penaltyFactor?, thresh?, maxPasses?, solver?: 'newton'|'glmnet'}
val fitElasticNetCoxJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  return pathObject(fitElasticNetCox(d, toMatrix(input["covariates"], d.size()), elasticNetOptions(input)));
}

// As fitElasticNetCox, plus {folds?, seed?, stratified?, foldId? (0-based), grouped?, rule?: 'min'|'1se'}.
val cvElasticNetCoxJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  const Eigen::MatrixXd x = toMatrix(input["covariates"], d.size());
  ElasticNetCvOptions cv;
  cv.folds = option<int>(input, "folds", cv.folds);
  cv.seed = seedOf(input);
  cv.stratified = option<bool>(input, "stratified", cv.stratified);
  if (has(input, "foldId")) cv.foldId = toIntVector(input["foldId"]);
  cv.grouped = option<bool>(input, "grouped", cv.grouped);
  const std::string rule = option<std::string>(input, "rule", "min");
  if (rule == "min") cv.rule = LambdaRule::Min;
  else if (rule == "1se") cv.rule = LambdaRule::OneSE;
  else throw InputError("rule must be 'min' or '1se', got '" + rule + "'");
  const ElasticNetCv r = cvElasticNetCox(d, x, elasticNetOptions(input), cv);
  return Object()("fit", pathObject(r.fit))("cvm", typed(r.cvm))("cvsd", typed(r.cvsd))("fold_weight", typed(r.foldWeight))(
      "fold_id", typed(r.foldId))("index_min", r.indexMin)("index_1se", r.index1se)("index_chosen", r.indexChosen)(
      "lambda_min", r.lambdaMin)("lambda_1se", r.lambda1se)("lambda_chosen", r.lambdaChosen)(
      "coefficients", typed(Eigen::VectorXd(r.coefficients())))("grouped", r.grouped)("warnings", r.warnings);
}

std::string versionJs() { return LATEFUSE_VERSION; }

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_cox) {
  using namespace latefuse::bindings;
  emscripten::function("fitCox", &Guard<&fitCoxJs>::call);
  emscripten::function("newCovariateBlock", &Guard<&newCovariateBlockJs>::call);
  emscripten::function("covariateColumn", &Guard<&covariateColumnJs>::call);
  emscripten::function("freeCovariateBlock", &Guard<&freeCovariateBlockJs>::call);
  emscripten::function("concordance", &Guard<&concordanceJs>::call);
  emscripten::function("coxSurvivalAt", &Guard<&coxSurvivalAtJs>::call);
  emscripten::function("fitElasticNetCox", &Guard<&fitElasticNetCoxJs>::call);
  emscripten::function("cvElasticNetCox", &Guard<&cvElasticNetCoxJs>::call);
  emscripten::function("version", &Guard<&versionJs>::call);
}
