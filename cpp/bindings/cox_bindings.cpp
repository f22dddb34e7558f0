// embind entry points for the Cox model, elastic-net Cox and Harrell's concordance: conversion only.
#include "latefuse/cox.hpp"
#include "latefuse/elastic_net.hpp"
#include "survival_convert.hpp"

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

// input: {time, event, weights?, strata?, covariates: [Float64Array...], names?, ties?, ...options}
val fitCoxJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  const Eigen::MatrixXd x = toMatrix(input["covariates"], d.size());
  const CoxOptions o = coxOptions(input);
  const CoxFit f = fitCox(d, x, o);
  val out = val::object();
  out.set("n", static_cast<double>(f.n));
  out.set("p", static_cast<double>(f.p));
  out.set("events", f.events);
  out.set("ties", std::string(f.ties == Ties::Efron ? "efron" : "breslow"));
  out.set("coef", toArray(f.coef));
  out.set("se", toArray(f.se));
  out.set("means", toArray(f.means));
  out.set("var", toRows(f.var));
  {
    // Coefficient table (robust SE when robust, as R's summary.coxph).
    const auto rows = summarizeCoefficients(f, o.robust, option<double>(input, "confLevel", 0.95));
    Eigen::VectorXd hr(f.p), lower(f.p), upper(f.p), z(f.p), pv(f.p);
    for (Eigen::Index j = 0; j < f.p; ++j) {
      const auto& r = rows[static_cast<size_t>(j)];
      hr(j) = r.hr;
      lower(j) = r.hrLower;
      upper(j) = r.hrUpper;
      z(j) = r.z;
      pv(j) = r.p;
    }
    out.set("hr", toArray(hr));
    out.set("hrLower", toArray(lower));
    out.set("hrUpper", toArray(upper));
    out.set("z", toArray(z));
    out.set("p", toArray(pv));
  }
  if (o.robust) {
    out.set("robustSe", toArray(f.robustSe));
    out.set("robustVar", toRows(f.robustVar));
    out.set("robustWaldTest", number(f.robustWaldTest));
    out.set("robustWaldP", number(f.robustWaldP));
    out.set("robustScoreTest", number(f.robustScoreTest));
    out.set("robustScoreP", number(f.robustScoreP));
  }
  val redundant = val::array();
  for (bool r : f.redundant) redundant.call<void>("push", r);
  out.set("redundant", redundant);
  out.set("loglikInit", number(f.loglikInit));
  out.set("loglik", number(f.loglik));
  out.set("penalty", number(f.penalty));
  out.set("theta", number(f.theta));
  out.set("lrTest", number(f.lrTest));
  out.set("lrDf", f.lrDf);
  out.set("lrP", number(f.lrP));
  out.set("scoreTest", number(f.scoreTest));
  out.set("scoreP", number(f.scoreP));
  out.set("waldTest", number(f.waldTest));
  out.set("waldP", number(f.waldP));
  out.set("iterations", f.iterations);
  out.set("converged", f.converged);
  out.set("warnings", toStringArray(f.warnings));
  out.set("linearPredictor", toFloat64Array(f.linearPredictor));
  out.set("concordance", concordanceObject(f.concordance));
  // Baseline arrays can have one entry per event time (up to n): typed arrays, one copy each.
  val base = val::object();
  base.set("time", toFloat64Array(f.baseline.time));
  base.set("stratum", toInt32Array(f.baseline.stratum));
  base.set("hazard", toFloat64Array(f.baseline.hazard));
  base.set("varHazard", toFloat64Array(f.baseline.varHazard));
  base.set("xbarHazard", toFlatRowMajor(f.baseline.xbarHazard));
  base.set("nRisk", toInt32Array(f.baseline.nRisk));
  base.set("nEvent", toInt32Array(f.baseline.nEvent));
  out.set("baseline", base);
  // Per-subject S(t) for the training rows: {survivalTimes: [t1, ...]} -> survivalAt, a
  // Float64Array of n x T values, row-major (subject i's values at i*T .. i*T+T-1).
  if (has(input, "survivalTimes")) {
    const Eigen::VectorXd times = toVector(input["survivalTimes"]);
    out.set("survivalAt", toFlatRowMajor(survivalAtTimes(f, f.linearPredictor, d.strata, times)));
  }
  // Predictions requested with the fit: {predict: {x: [..], times: [..], stratum?}}
  if (has(input, "predict")) {
    const val pr = input["predict"];
    const SurvivalPrediction s = predictSurvival(f, toVector(pr["x"]), toVector(pr["times"]),
                                                 option<int>(pr, "stratum", 0), option<double>(pr, "confLevel", 0.95));
    val ps = val::object();
    ps.set("time", toArray(s.time));
    ps.set("surv", toArray(s.surv));
    ps.set("se", toArray(s.se));
    ps.set("lower", toArray(s.lower));
    ps.set("upper", toArray(s.upper));
    ps.set("cumhaz", toArray(s.cumhaz));
    out.set("prediction", ps);
  }
  return out;
}

// input: {time, event, score, weights?, strata?, higherIsRisk?}
val concordanceJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  const Eigen::VectorXd score = toVector(input["score"]);
  return concordanceObject(harrellConcordance(d, score, option<bool>(input, "higherIsRisk", true)));
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
val elasticNetPathObject(const ElasticNetPath& f) {
  val out = val::object();
  out.set("lambda", toFloat64Array(f.lambda));
  out.set("beta", toFloat64Array(Eigen::Map<const Eigen::VectorXd>(f.beta.data(), f.beta.size())));
  out.set("p", static_cast<double>(f.beta.rows()));
  out.set("devRatio", toFloat64Array(f.devRatio));
  out.set("df", toInt32Array(f.df));
  out.set("nullDeviance", number(f.nullDeviance));
  out.set("passes", static_cast<double>(f.passes));
  out.set("alpha", f.alpha);
  out.set("standardize", f.standardize);
  out.set("warnings", toStringArray(f.warnings));
  return out;
}

// input: {time, event, weights?, covariates: [Float64Array...], names?, alpha?, standardize?, nLambda?,
//         lambdaMinRatio?, lambda?, penaltyFactor?, thresh?, maxPasses?, solver?: 'newton'|'glmnet'}
val fitElasticNetCoxJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  return elasticNetPathObject(fitElasticNetCox(d, toMatrix(input["covariates"], d.size()), elasticNetOptions(input)));
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
  val out = val::object();
  out.set("fit", elasticNetPathObject(r.fit));
  out.set("cvm", toFloat64Array(r.cvm));
  out.set("cvsd", toFloat64Array(r.cvsd));
  out.set("foldWeight", toFloat64Array(r.foldWeight));
  out.set("foldId", toInt32Array(r.foldId));
  out.set("indexMin", static_cast<double>(r.indexMin));
  out.set("index1se", static_cast<double>(r.index1se));
  out.set("indexChosen", static_cast<double>(r.indexChosen));
  out.set("lambdaMin", r.lambdaMin);
  out.set("lambda1se", r.lambda1se);
  out.set("lambdaChosen", r.lambdaChosen);
  out.set("coefficients", toFloat64Array(r.coefficients()));
  out.set("grouped", r.grouped);
  out.set("warnings", toStringArray(r.warnings));
  return out;
}

std::string versionJs() { return LATEFUSE_VERSION; }

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_cox) {
  using namespace latefuse::bindings;
  emscripten::function("fitCox", &Guard<&fitCoxJs>::call);
  emscripten::function("concordance", &Guard<&concordanceJs>::call);
  emscripten::function("coxSurvivalAt", &Guard<&coxSurvivalAtJs>::call);
  emscripten::function("fitElasticNetCox", &Guard<&fitElasticNetCoxJs>::call);
  emscripten::function("cvElasticNetCox", &Guard<&cvElasticNetCoxJs>::call);
  emscripten::function("version", &Guard<&versionJs>::call);
}
