#include "latefuse/fusion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/fusion_context.hpp"
#include "latefuse/outcome_family.hpp"
#include "latefuse/simulator.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int popcount(int mask) {
  int c = 0;
  for (; mask; mask &= mask - 1) ++c;
  return c;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The largest raw value in absolute terms of column `col` among `rows`: the one that makes its
// mean, SD or a score overflow.
int mostExtremeRow(const Cohort& c, int col, const std::vector<int>& rows) {
  int best = -1;
  for (int r : rows)
    if (!std::isnan(c.x(r, col)) && (best < 0 || std::fabs(c.x(r, col)) > std::fabs(c.x(best, col)))) best = r;
  return best < 0 ? rows.front() : best;
}

void validateCohort(const Cohort& c) {
  const Eigen::Index n = c.x.rows(), p = c.x.cols();
  if (static_cast<Eigen::Index>(c.columns.size()) != p || static_cast<Eigen::Index>(c.columnModality.size()) != p)
    throw InputError("fusion: the cohort has " + std::to_string(p) + " feature columns but " + std::to_string(c.columns.size()) +
                     " names and " + std::to_string(c.columnModality.size()) + " modality labels; give one of each per column");
  if (!c.ids.empty() && static_cast<Eigen::Index>(c.ids.size()) != n)
    throw InputError("fusion: " + std::to_string(c.ids.size()) + " patient ids for " + std::to_string(n) + " rows");
  if (c.modalities.empty()) throw InputError("fusion: the cohort has no modalities");
  std::vector<int> perModality(c.modalities.size(), 0);
  for (Eigen::Index j = 0; j < p; ++j) {
    const int m = c.columnModality[static_cast<size_t>(j)];
    if (m < 0 || m >= static_cast<int>(c.modalities.size()))
      throw InputError("fusion: column '" + c.columns[static_cast<size_t>(j)] + "' has no valid modality");
    ++perModality[static_cast<size_t>(m)];
  }
  for (size_t m = 0; m < c.modalities.size(); ++m)
    if (perModality[m] == 0)
      throw InputError("fusion: modality '" + c.modalities[m] + "' has no feature columns; remove it or assign columns to it");
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < p; ++j)
      if (std::isinf(c.x(i, j)))
        throw InputError("fusion: column '" + c.columns[static_cast<size_t>(j)] + "' is infinite for " + patientName(c, i) +
                             "; fix the value or leave it empty (missing)",
                         {"", c.modalities[static_cast<size_t>(c.columnModality[static_cast<size_t>(j)])], c.columns[static_cast<size_t>(j)], static_cast<long>(i)});
  if (c.modalities.size() > static_cast<size_t>(kMaxModalities))
    throw InputError("fusion: " + std::to_string(c.modalities.size()) + " modalities given, but at most " + std::to_string(kMaxModalities) +
                     " are supported (an integrator for each of the 2^M - 1 combinations: 255 at M = 8); merge related modalities "
                     "or leave some out");
}

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

// Every value is 0 or 1: a binary column (a 0/1 variable or a dummy of a categorical one).
bool isZeroOne(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x == 0 || x == 1; });
}

// The training mode of a 0/1 column (ties: 0, the first value in sorted order, as R's
// which.max(table(x))). Imputing the median would give 0.5 on a tie, a value no patient has.
double mode01(const std::vector<double>& v) {
  const size_t ones = static_cast<size_t>(std::count(v.begin(), v.end(), 1.0));
  return ones > v.size() - ones ? 1.0 : 0.0;
}

// Sample mean and SD (n - 1) of a column.
void meanSd(const Eigen::VectorXd& v, double& mean, double& sd) {
  const double n = static_cast<double>(v.size());
  mean = v.mean();
  sd = n > 1 ? std::sqrt((v.array() - mean).square().sum() / (n - 1)) : 0.0;
}

// Raw cells of the model's columns for `rows`, imputed, outlier-treated and scaled.
Eigen::MatrixXd preprocess(const ModalityModel& mm, const Cohort& c, const std::vector<int>& rows) {
  const Eigen::Index q = static_cast<Eigen::Index>(mm.columns.size());
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), q);
  for (Eigen::Index j = 0; j < q; ++j) {
    const int col = mm.columns[static_cast<size_t>(j)];
    for (size_t r = 0; r < rows.size(); ++r) {
      double v = c.x(rows[r], col);
      if (std::isnan(v)) v = mm.imputeMedian(j);
      if (mm.outlierSd.size() && mm.outlierSd(j) > 0) {
        const double z = (v - mm.outlierMean(j)) / mm.outlierSd(j);
        if (std::fabs(z) > mm.outlierZ) v = mm.outlierMedian(j);
      }
      x(static_cast<Eigen::Index>(r), j) = (v - mm.center(j)) / mm.scale(j);
    }
  }
  return x;
}

Eigen::MatrixXd selectColumns(const Eigen::MatrixXd& x, const std::vector<int>& cols) {
  Eigen::MatrixXd out(x.rows(), static_cast<Eigen::Index>(cols.size()));
  for (size_t k = 0; k < cols.size(); ++k) out.col(static_cast<Eigen::Index>(k)) = x.col(cols[k]);
  return out;
}

// A training statistic of a column (its mean, SD, minimum or range) that overflowed: the most extreme
// value of the column is named, since it is the one to check.
void checkColumnStatistics(const Cohort& c, int col, const std::vector<int>& rows, const std::string& modality, double location,
                           double spread) {
  if (std::isfinite(location) && std::isfinite(spread)) return;
  const int r = mostExtremeRow(c, col, rows);
  const std::string& name = c.columns[static_cast<size_t>(col)];
  throw InputError("column '" + name + "' (modality '" + modality + "'): the value " + number(c.x(r, col)) + " of " + patientName(c, r) +
                       " is too extreme to scale the column with the other training patients' values (their mean and SD overflow); "
                       "fix the value or leave the cell empty (missing)",
                   {"", modality, name, r});
}

// A patient whose score from modality model mm is not a finite number: the message names the
// column with their most extreme value (a raw value far outside the training range overflows the
// linear predictor).
InputError notFiniteScore(const ModalityModel& mm, const Cohort& c, int row, const std::string& what) {
  const Eigen::MatrixXd x = preprocess(mm, c, {row});
  Eigen::Index worst = 0;
  for (Eigen::Index j = 1; j < x.cols(); ++j)
    if (!(std::fabs(x(0, j)) <= std::fabs(x(0, worst)))) worst = j;
  const int col = mm.columns[static_cast<size_t>(worst)];
  const std::string& name = c.columns[static_cast<size_t>(col)];
  return InputError(what + " of " + patientName(c, row) + " is not a finite number: its value of '" + name + "' (" + number(c.x(row, col)) +
                        ") is too extreme for the model; fix the value or leave the cell empty (missing)",
                    {"", mm.name, name, row});
}

// Unstandardised unimodal score (the submodel's linear predictor) for rows that have the modality.
Eigen::VectorXd rawScore(const ModalityModel& mm, const Cohort& c, const std::vector<int>& rows) {
  const Eigen::VectorXd score = submodelScore(mm, selectColumns(preprocess(mm, c, rows), mm.selected));
  for (Eigen::Index k = 0; k < score.size(); ++k)
    if (!std::isfinite(score(k))) throw notFiniteScore(mm, c, rows[static_cast<size_t>(k)], "the '" + mm.name + "' submodel's score");
  return score;
}

// The early-fusion model's columns for `rows`: each modality's selected columns, preprocessed by
// its submodel's steps, modality by modality.
Eigen::MatrixXd earlyFusionColumns(const FusionModel& fm, const Cohort& c, const std::vector<int>& rows) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(fm.early.columns.size()));
  Eigen::Index col = 0;
  for (const ModalityModel& mm : fm.models) {
    const Eigen::MatrixXd xm = selectColumns(preprocess(mm, c, rows), mm.selected);
    x.middleCols(col, xm.cols()) = xm;
    col += xm.cols();
  }
  return x;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "+") + n;
  return out;
}

std::vector<std::string> namesOf(const std::vector<std::string>& modalities, int mask) {
  std::vector<std::string> out;
  for (int m : patternModalities(mask, static_cast<int>(modalities.size()))) out.push_back(modalities[static_cast<size_t>(m)]);
  return out;
}

// Steps 1a–1c for modality m on `rows`: the used columns, their imputation, outlier step and
// scaling, fitted on these rows. Returns the preprocessed columns.
Eigen::MatrixXd fitPreprocessing(ModalityModel& mm, const Cohort& c, int m, const std::vector<int>& rows, const FusionOptions& o) {
  std::vector<double> medians;
  for (size_t j = 0; j < c.columns.size(); ++j) {
    if (c.columnModality[j] != m) continue;
    std::vector<double> v;
    for (int r : rows)
      if (!std::isnan(c.x(r, static_cast<Eigen::Index>(j)))) v.push_back(c.x(r, static_cast<Eigen::Index>(j)));
    if (v.empty()) {
      mm.warnings.push_back("column '" + c.columns[j] + "' is empty for every training patient with modality '" + mm.name + "'; it is not used");
      continue;
    }
    mm.columns.push_back(static_cast<int>(j));
    const bool zeroOne = isZeroOne(v);
    mm.binaryColumn.push_back(zeroOne);
    medians.push_back(zeroOne ? mode01(v) : median(v));
  }
  if (mm.columns.empty())
    throw InputError("modality '" + mm.name + "' has no column with a value among its training patients", {"", mm.name, "", -1});
  const Eigen::Index q = static_cast<Eigen::Index>(mm.columns.size());
  mm.imputeMedian = Eigen::Map<const Eigen::VectorXd>(medians.data(), q);
  // Imputed raw values, then the outlier step and the scaling, each fitted on these rows.
  mm.center = Eigen::VectorXd::Zero(q);
  mm.scale = Eigen::VectorXd::Ones(q);
  Eigen::MatrixXd x = preprocess(mm, c, rows);  // imputation only at this point
  if (o.outlierZ > 0) {
    mm.outlierMean.resize(q);
    mm.outlierSd.resize(q);
    mm.outlierMedian = mm.imputeMedian;
    for (Eigen::Index j = 0; j < q; ++j) {
      double mean, sd;
      meanSd(x.col(j), mean, sd);
      checkColumnStatistics(c, mm.columns[static_cast<size_t>(j)], rows, mm.name, mean, sd);
      mm.outlierMean(j) = mean;
      // A 0/1 (or dummy) column has no outliers: |z| > Z there only marks the rarer category, and
      // recoding it to the median would erase it. SD 0 switches the step off for the column.
      mm.outlierSd(j) = mm.binaryColumn[static_cast<size_t>(j)] ? 0.0 : sd;
    }
    x = preprocess(mm, c, rows);
  }
  for (Eigen::Index j = 0; j < q; ++j) {
    double center = 0, scale = 1;
    if (o.scaling == Scaling::ZScore) meanSd(x.col(j), center, scale);
    else if (o.scaling == Scaling::MinMax) {
      center = x.col(j).minCoeff();
      scale = x.col(j).maxCoeff() - center;
    }
    checkColumnStatistics(c, mm.columns[static_cast<size_t>(j)], rows, mm.name, center, scale);
    if (!(scale > 0) || !std::isfinite(scale)) {
      if (o.scaling != Scaling::None)
        mm.warnings.push_back("column '" + c.columns[static_cast<size_t>(mm.columns[static_cast<size_t>(j)])] +
                              "' is constant among the training patients with modality '" + mm.name + "'");
      scale = 1;
    }
    mm.center(j) = center;
    mm.scale(j) = scale;
  }
  return preprocess(mm, c, rows);
}

// Step 1d on the preprocessed columns x: mm.selected and mm.status.
void selectModalityFeatures(ModalityModel& mm, const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x,
                            const FusionOptions& o) {
  const Eigen::Index q = x.cols();
  mm.status.assign(static_cast<size_t>(q), FeatureStatus::Selected);
  std::vector<std::string> names;
  for (int col : mm.columns) names.push_back(c.columns[static_cast<size_t>(col)]);
  if (o.elasticNet.enabled) {
    mm.elasticNet = inStep({"elastic-net selection", mm.name, "", -1},
                           [&] { return elasticNetSelection(survivalRows(c, rows), x, o.elasticNet, o.seed, {}, names); });
    mm.selected = mm.elasticNet.selected;
    mm.status.assign(static_cast<size_t>(q), FeatureStatus::ElasticNetZero);
    for (int j : mm.selected)
      mm.status[static_cast<size_t>(j)] = mm.elasticNet.fallback ? FeatureStatus::SelectedByFallback : FeatureStatus::Selected;
    for (const auto& w : mm.elasticNet.warnings) mm.warnings.push_back(w);
  } else if (o.selectFeatures) {
    const FeatureScreen s = inStep({"screening", mm.name, "", -1}, [&] { return outcomeFamily(c.outcome).screen(c, rows, x, names, o.screening); });
    mm.status = s.status;
    mm.selected = s.selected;
    for (const auto& w : s.warnings) mm.warnings.push_back(w);
    if (mm.selected.empty()) {
      // Only when screening.minSelected is 0: keep the smallest p so the modality still has a model.
      Eigen::Index best = -1;
      for (Eigen::Index j = 0; j < q; ++j)
        if (std::isfinite(s.p(j)) && (best < 0 || s.p(j) < s.p(best))) best = j;
      if (best < 0)
        throw ModelError("screening: no feature of modality '" + mm.name + "' can be related to " + (c.outcome == OutcomeType::Binary ? "the outcome" : "survival") +
                             " (every univariate fit failed; see the warnings for constant columns)",
                         {"screening", mm.name, "", -1});
      mm.selected.push_back(static_cast<int>(best));
      mm.status[static_cast<size_t>(best)] = FeatureStatus::SelectedByFallback;
      mm.warnings.push_back("no feature of '" + mm.name + "' passed screening; kept the one with the smallest p");
    }
  } else {
    for (Eigen::Index j = 0; j < q; ++j) mm.selected.push_back(static_cast<int>(j));
  }
}

// Steps 1a–1e for modality m on `rows` (training patients that have it). The caller names the step
// (inStep); messages here name the modality, and the patient where there is one.
ModalityModel fitModality(const Cohort& c, int m, const std::vector<int>& rows, const FusionOptions& o) {
  ModalityModel mm;
  mm.name = c.modalities[static_cast<size_t>(m)];
  mm.index = m;
  mm.outlierZ = o.outlierZ;
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  const Eigen::VectorXd y = outcomeRows(c, rows);
  mm.trainingPatients = static_cast<int>(rows.size());
  mm.trainingEvents = static_cast<int>(y.sum());
  if (rows.size() < 2)
    throw ModelError("only one training patient (" + patientName(c, rows.front()) + ") has modality '" + mm.name +
                         "', and its submodel needs at least 2; add patients with this modality or drop it",
                     {"", mm.name, "", rows.front()});
  family.checkSubmodelOutcome(y, mm.name);
  const Eigen::MatrixXd x = fitPreprocessing(mm, c, m, rows, o);
  selectModalityFeatures(mm, c, rows, x, o);
  std::vector<std::string> selectedNames;
  for (int s : mm.selected) selectedNames.push_back(c.columns[static_cast<size_t>(mm.columns[static_cast<size_t>(s)])]);
  const Eigen::MatrixXd xs = selectColumns(x, mm.selected);
  inStep({"submodel fit", mm.name, "", -1}, [&] { family.fit(mm.fit, c, rows, xs, o.submodel, o.ties, selectedNames); });
  for (const auto& w : family.fitWarnings(mm.fit)) mm.warnings.push_back(w);
  double mean, sd;
  meanSd(family.trainingLinearPredictor(mm.fit, xs), mean, sd);
  if (!(std::isfinite(mean) && std::isfinite(sd))) {
    rawScore(mm, c, rows);  // names the patient whose training score is not finite
    throw ModelError("the '" + mm.name + "' submodel's training scores are not finite numbers; check its columns for extreme values",
                     {"", mm.name, "", -1});
  }
  mm.scoreMean = mean;
  mm.scoreSd = sd > 0 ? sd : 1;
  if (!(sd > 0)) mm.warnings.push_back("the '" + mm.name + "' submodel gives every training patient the same score");
  return mm;
}

}  // namespace

std::string patientName(const Cohort& c, Eigen::Index row) {
  if (static_cast<size_t>(row) < c.ids.size() && !c.ids[static_cast<size_t>(row)].empty())
    return "patient '" + c.ids[static_cast<size_t>(row)] + "'";
  return "row " + std::to_string(row + 1);
}

std::string patientLabel(const Cohort& c, Eigen::Index row) {
  const std::string number = "row " + std::to_string(row + 1);
  if (static_cast<size_t>(row) < c.ids.size() && !c.ids[static_cast<size_t>(row)].empty())
    return "patient '" + c.ids[static_cast<size_t>(row)] + "' (" + number + ")";
  return number;
}

std::vector<int> patternModalities(int mask, int modalityCount) {
  std::vector<int> out;
  for (int m = 0; m < modalityCount; ++m)
    if (mask & (1 << m)) out.push_back(m);
  return out;
}

SurvivalData survivalRows(const Cohort& c, const std::vector<int>& rows) {
  SurvivalData d;
  const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
  d.time.resize(m);
  d.event.resize(m);
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  for (Eigen::Index k = 0; k < m; ++k) {
    d.time(k) = family.survivalTime(c, rows[static_cast<size_t>(k)]);
    d.event(k) = c.event(rows[static_cast<size_t>(k)]);
  }
  return d;
}

Eigen::VectorXd outcomeRows(const Cohort& c, const std::vector<int>& rows) {
  Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
  for (size_t k = 0; k < rows.size(); ++k) y(static_cast<Eigen::Index>(k)) = c.event(rows[k]);
  return y;
}

Eigen::VectorXd coxLinearPredictor(const CoxFit& fit, const Eigen::MatrixXd& x) {
  Eigen::VectorXd b = fit.coef;
  for (Eigen::Index j = 0; j < b.size(); ++j)
    if (!std::isfinite(b(j))) b(j) = 0;
  return (x.rowwise() - fit.means.transpose()) * b;
}

Eigen::VectorXd logisticLinearPredictor(const LogisticFit& fit, const Eigen::MatrixXd& x, bool withIntercept) {
  const Eigen::Index k = x.cols();
  Eigen::VectorXd lp = x * fit.coef.tail(k);
  if (withIntercept) lp.array() += fit.coef(0);
  return lp;
}

Eigen::VectorXd submodelScore(const ModalityModel& mm, const Eigen::MatrixXd& x) {
  return familyOfFit(mm.fit).linearPredictor(mm.fit, x, false);
}

double submodelLogOdds(const ModalityModel& mm, double standardisedScore) {
  return familyOfFit(mm.fit).intercept(mm.fit) + standardisedScore * mm.scoreSd + mm.scoreMean;
}

Eigen::VectorXd integratorLinearPredictor(const Integrator& in, const Eigen::MatrixXd& x) {
  return familyOfFit(in.fit).linearPredictor(in.fit, x, true);
}

double logistic(double lp) { return 1 / (1 + std::exp(-lp)); }

Eigen::RowVectorXd modalityContributions(const FusionModel& model, int integrator, int usedPattern, const Eigen::RowVectorXd& unimodal) {
  const int M = static_cast<int>(model.modalities.size());
  Eigen::RowVectorXd out = Eigen::RowVectorXd::Constant(M, kNaN);
  if (integrator < 0) {
    const int m = patternModalities(usedPattern, M).front();
    out(m) = unimodal(m);
    return out;
  }
  const Integrator& in = model.integrators[static_cast<size_t>(integrator)];
  const OutcomeFamily& family = outcomeFamily(model.outcome);
  for (size_t j = 0; j < in.modalities.size(); ++j) {
    const int m = in.modalities[j];
    out(m) = family.contribution(in.fit, static_cast<Eigen::Index>(j), unimodal(m));
  }
  return out;
}

double fusedScore(const FusionModel& model, int integrator, int usedPattern, const Eigen::RowVectorXd& unimodal) {
  // The sum of the contributions in modality order, so that they add up to it exactly.
  const Eigen::RowVectorXd part = modalityContributions(model, integrator, usedPattern, unimodal);
  double lp = integrator >= 0 ? outcomeFamily(model.outcome).intercept(model.integrators[static_cast<size_t>(integrator)].fit) : 0.0;
  for (Eigen::Index m = 0; m < part.size(); ++m)
    if (!std::isnan(part(m))) lp += part(m);
  return lp;
}

double predictedRisk(const FusionModel& model, int integrator, int usedPattern, double fused, double horizon) {
  const int M = static_cast<int>(model.modalities.size());
  const OutcomeFamily& family = outcomeFamily(model.outcome);
  if (integrator >= 0) return family.risk(model.integrators[static_cast<size_t>(integrator)].fit, fused, horizon);
  const ModalityModel& mm = model.models[static_cast<size_t>(patternModalities(usedPattern, M).front())];
  return family.risk(mm.fit, submodelLogOdds(mm, fused), horizon);
}

double referenceHorizon(const std::vector<double>& horizons) {
  return horizons.empty() ? std::numeric_limits<double>::quiet_NaN() : horizons[(horizons.size() - 1) / 2];
}

Cohort cohortFromSimulation(const SimulatedCohort& s) {
  Cohort c;
  c.ids = s.ids;
  c.outcome = s.binary ? OutcomeType::Binary : OutcomeType::Survival;
  c.time = s.time;
  c.event = s.event;
  c.x = s.features;
  c.columns = s.columns;
  c.columnModality = s.columnModality;
  c.modalities = s.modalities;
  return c;
}

Eigen::MatrixXi modalityPresence(const Cohort& c, PresenceRule rule) {
  validateCohort(c);
  const Eigen::Index n = c.x.rows();
  const Eigen::Index M = static_cast<Eigen::Index>(c.modalities.size());
  Eigen::MatrixXi any = Eigen::MatrixXi::Zero(n, M), all = Eigen::MatrixXi::Ones(n, M);
  for (Eigen::Index j = 0; j < c.x.cols(); ++j) {
    const int m = c.columnModality[static_cast<size_t>(j)];
    for (Eigen::Index i = 0; i < n; ++i) {
      if (std::isnan(c.x(i, j))) all(i, m) = 0;
      else any(i, m) = 1;
    }
  }
  return rule == PresenceRule::Any ? any : all;
}

namespace {

// Where the training patients' modalities are: the pattern bitmask of each training position, and
// per modality the cohort rows that have it and their positions in trainRows.
struct TrainingLayout {
  std::vector<int> mask;
  std::vector<std::vector<int>> withModality;
  std::vector<std::vector<Eigen::Index>> position;
};

// Throws InputError for unusable training rows or options.
void validateTraining(const Cohort& c, const std::vector<int>& trainRows, const FusionOptions& o) {
  const Eigen::Index n = c.x.rows();
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  family.checkCohortOutcome(c);
  if (trainRows.size() < 2) throw InputError("fusion: give at least 2 training patients");
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (int r : trainRows) {
    if (r < 0 || r >= n) throw InputError("fusion: training row " + std::to_string(r + 1) + " is outside the cohort");
    if (seen[static_cast<size_t>(r)]) throw InputError("fusion: training row " + std::to_string(r + 1) + " is given twice");
    seen[static_cast<size_t>(r)] = 1;
  }
  family.validateTraining(c, trainRows);
  family.validateFusionOptions(o);
  if (o.elasticNet.enabled && o.selectFeatures)
    throw InputError("fusion: choose one feature selection, screening or elastic net, not both");
  if (o.elasticNet.enabled) {
    if (!(o.elasticNet.alpha > 0 && o.elasticNet.alpha <= 1)) throw InputError("fusion: the elastic-net alpha must be in (0, 1] (1 = lasso)");
    if (o.elasticNet.folds < 2) throw InputError("fusion: the elastic-net selection needs at least 2 folds");
  }
  if (o.minPatternSize < 1) throw InputError("fusion: the minimum pattern size must be >= 1");
  if (o.crossFit && o.folds < 2) throw InputError("fusion: cross-fitting needs at least 2 folds");
  if (o.outlierZ < 0) throw InputError("fusion: the outlier threshold must be >= 0 (0 = off)");
  if (o.submodel.penalizer < 0 || o.submodel.theta < 0 || o.integrator.penalizer < 0 || o.integrator.theta < 0)
    throw InputError("fusion: ridge penalties must be >= 0");
}

TrainingLayout trainingLayout(const Cohort& c, const std::vector<int>& trainRows, const FusionOptions& o) {
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::MatrixXi present = modalityPresence(c, o.presence);
  const Eigen::Index nt = static_cast<Eigen::Index>(trainRows.size());
  TrainingLayout t;
  std::vector<int>& mask = t.mask;
  std::vector<std::vector<int>>& withModality = t.withModality;   // cohort rows
  std::vector<std::vector<Eigen::Index>>& position = t.position;  // their positions in trainRows
  mask.assign(static_cast<size_t>(nt), 0);
  withModality.resize(static_cast<size_t>(M));
  position.resize(static_cast<size_t>(M));
  for (Eigen::Index k = 0; k < nt; ++k) {
    const int r = trainRows[static_cast<size_t>(k)];
    for (int m = 0; m < M; ++m)
      if (present(r, m)) {
        mask[static_cast<size_t>(k)] |= 1 << m;
        withModality[static_cast<size_t>(m)].push_back(r);
        position[static_cast<size_t>(m)].push_back(k);
      }
  }
  for (int m = 0; m < M; ++m)
    if (withModality[static_cast<size_t>(m)].empty())
      throw InputError("fusion: modality '" + c.modalities[static_cast<size_t>(m)] + "' is present for none of the " +
                       std::to_string(nt) + " training patients; remove its columns or check their names and missing values");
  for (Eigen::Index k = 0; k < nt; ++k)
    if (mask[static_cast<size_t>(k)] == 0)
      throw InputError("fusion: training " + patientLabel(c, trainRows[static_cast<size_t>(k)]) +
                       " has no modality (every feature cell is empty); remove the patient or fill in the data");
  return t;
}

// Step 2, in-sample inputs: each submodel's scores of its own training patients, standardised
// (train positions x M).
Eigen::MatrixXd inSampleScores(const FusionModel& fm, const Cohort& c, const TrainingLayout& t) {
  const int M = static_cast<int>(c.modalities.size());
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  const auto& position = t.position;
  Eigen::MatrixXd scores = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(t.mask.size()), M, kNaN);
  for (int m = 0; m < M; ++m) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    const Eigen::MatrixXd x = selectColumns(preprocess(mm, c, t.withModality[static_cast<size_t>(m)]), mm.selected);
    const Eigen::VectorXd raw = family.trainingLinearPredictor(mm.fit, x);
    for (size_t k = 0; k < position[static_cast<size_t>(m)].size(); ++k)
      scores(position[static_cast<size_t>(m)][k], m) = (raw(static_cast<Eigen::Index>(k)) - mm.scoreMean) / mm.scoreSd;
  }
  return scores;
}

// Step 2, cross-fitted inputs: out-of-fold scores on ONE event-stratified fold assignment of all
// training patients (kept in fm.crossFitFold), standardised per modality (train positions x M).
Eigen::MatrixXd crossFittedScores(FusionModel& fm, const Cohort& c, const std::vector<int>& trainRows, const TrainingLayout& t,
                                  const FusionOptions& o) {
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::Index nt = static_cast<Eigen::Index>(trainRows.size());
  Eigen::MatrixXd scores = Eigen::MatrixXd::Constant(nt, M, kNaN);
  Eigen::VectorXd trainEvent(nt);
  for (Eigen::Index k = 0; k < nt; ++k) trainEvent(k) = c.event(trainRows[static_cast<size_t>(k)]);
  if (o.folds > nt)
    throw InputError("fusion: " + std::to_string(o.folds) + " cross-fitting folds need at least that many training patients");
  const Eigen::VectorXi fold = assignFoldsStratified(trainEvent, o.folds, o.seed);
  fm.crossFitFold = fold;
  for (int m = 0; m < M; ++m) {
    const auto& rowsM = t.withModality[static_cast<size_t>(m)];
    const auto& posM = t.position[static_cast<size_t>(m)];
    Eigen::VectorXd oof = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(rowsM.size()), kNaN);
    for (int f = 0; f < o.folds; ++f) {
      std::vector<int> fitRows, outRows;
      std::vector<Eigen::Index> outIndex;
      for (size_t k = 0; k < rowsM.size(); ++k) {
        if (fold(posM[k]) == f) {
          outRows.push_back(rowsM[k]);
          outIndex.push_back(static_cast<Eigen::Index>(k));
        } else {
          fitRows.push_back(rowsM[k]);
        }
      }
      if (outRows.empty()) continue;
      const ErrorContext where{"cross-fitting fold " + std::to_string(f + 1) + " of " + std::to_string(o.folds), c.modalities[static_cast<size_t>(m)], "", -1};
      if (fitRows.size() < 2)
        throw ModelError(inStepMessage(where, {}, "only " + std::to_string(fitRows.size()) + " of its training patients are outside the fold; use fewer folds (--cross-fit-folds) or in-sample scores"),
                         where);
      const Eigen::VectorXd s = inStep(where, [&] { return rawScore(fitModality(c, m, fitRows, o), c, outRows); });
      for (size_t k = 0; k < outIndex.size(); ++k) oof(outIndex[k]) = s(static_cast<Eigen::Index>(k));
    }
    double mean, sd;
    meanSd(oof, mean, sd);
    if (!(sd > 0)) sd = 1;
    for (size_t k = 0; k < posM.size(); ++k) scores(posM[k], m) = (oof(static_cast<Eigen::Index>(k)) - mean) / sd;
  }
  return scores;
}

// What a survival model file keeps so the integrators' baselines can be recomputed on load
// (model_json.hpp, integrator_training): each training patient's time, event and standardised scores.
void keepIntegratorTraining(FusionModel& fm, const Cohort& c, const std::vector<int>& trainRows, const Eigen::MatrixXd& scores) {
  if (c.outcome != OutcomeType::Survival) return;
  const Eigen::Index nt = static_cast<Eigen::Index>(trainRows.size());
  fm.trainingTime.resize(nt);
  fm.trainingEvent.resize(nt);
  for (Eigen::Index k = 0; k < nt; ++k) {
    fm.trainingTime(k) = c.time(trainRows[static_cast<size_t>(k)]);
    fm.trainingEvent(k) = c.event(trainRows[static_cast<size_t>(k)]);
  }
  fm.trainingScores = scores;
}

// Step 3: one integrator per combination S of modalities with >= minPatternSize training patients
// who have every modality of S (the intersection, whatever else they have); a warning for every
// training pattern that has to use the fallback.
void fitIntegrators(FusionModel& fm, const Cohort& c, const std::vector<int>& trainRows, const std::vector<int>& mask,
                    const Eigen::MatrixXd& scores, const FusionOptions& o) {
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::Index nt = static_cast<Eigen::Index>(trainRows.size());
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  std::vector<int> patternCount(static_cast<size_t>(1) << M, 0);
  for (int mk : mask) ++patternCount[static_cast<size_t>(mk)];
  for (size_t pm = 1; pm < patternCount.size(); ++pm)
    if (patternCount[pm] > 0) fm.trainingPatterns.emplace_back(static_cast<int>(pm), patternCount[pm]);
  for (int combination = 1; combination < (1 << M); ++combination) {
    std::vector<Eigen::Index> pos;
    for (Eigen::Index k = 0; k < nt; ++k)
      if ((mask[static_cast<size_t>(k)] & combination) == combination) pos.push_back(k);
    if (static_cast<int>(pos.size()) < o.minPatternSize) continue;
    Integrator in;
    in.pattern = combination;
    in.modalities = patternModalities(combination, M);
    std::vector<int> rows;
    for (Eigen::Index k : pos) rows.push_back(trainRows[static_cast<size_t>(k)]);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(in.modalities.size()));
    for (size_t r = 0; r < pos.size(); ++r)
      for (size_t j = 0; j < in.modalities.size(); ++j)
        x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = scores(pos[r], in.modalities[j]);
    std::vector<std::string> inNames;
    for (int m : in.modalities) inNames.push_back(c.modalities[static_cast<size_t>(m)]);
    const std::string label = "integrator " + joinNames(inNames);
    if (rows.size() < 2) {  // only with --min-pattern-size 1: no model of one patient exists
      fm.warnings.push_back(label + ": only 1 training patient has these modalities; not fitted, patients use the fallback");
      continue;
    }
    const std::string missing = family.missingOutcome(outcomeRows(c, rows));
    if (!missing.empty()) {
      fm.warnings.push_back(label + ": its " + std::to_string(rows.size()) + " training patients have " + missing +
                            "; not fitted, patients use the fallback");
      continue;
    }
    std::string braces;
    for (const auto& name : inNames) braces += (braces.empty() ? "" : ", ") + name;
    inStep({"integrator for {" + braces + "}", "", "", -1}, [&] { family.fit(in.fit, c, rows, x, o.integrator, o.ties, inNames); });
    in.patients = static_cast<int>(rows.size());
    for (const auto& w : family.fitWarnings(in.fit)) fm.warnings.push_back(label + ": " + w);
    fm.integrators.push_back(std::move(in));
  }
  for (const auto& [pattern, count] : fm.trainingPatterns) {
    const auto [index, used] = resolvePattern(fm, pattern);
    if (index >= 0 && used == pattern) continue;
    fm.warnings.push_back("pattern " + joinNames(namesOf(c.modalities, pattern)) + " (" + std::to_string(count) +
                          " training patients) has no integrator of its own; its patients use the fallback: " +
                          joinNames(namesOf(c.modalities, used)));
  }
}

// The early-fusion comparator: every modality's selected columns in one model, on the complete
// cases (or every training patient with earlyImpute); not fitted -> a warning.
void fitEarlyFusion(FusionModel& fm, const Cohort& c, const std::vector<int>& trainRows, const std::vector<int>& mask,
                    const FusionOptions& o) {
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::Index nt = static_cast<Eigen::Index>(trainRows.size());
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  EarlyFusionModel& ef = fm.early;
  for (int m = 0; m < M; ++m) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    for (int s : mm.selected) {
      ef.columns.push_back(mm.columns[static_cast<size_t>(s)]);
      ef.columnOwner.push_back(m);
      ef.columnPosition.push_back(s);
    }
  }
  std::vector<int> rows;
  for (Eigen::Index k = 0; k < nt; ++k)
    if (o.earlyImpute || mask[static_cast<size_t>(k)] == (1 << M) - 1) rows.push_back(trainRows[static_cast<size_t>(k)]);
  try {
    if (rows.size() < 2) throw ModelError("only " + std::to_string(rows.size()) + " training patients have every modality");
    const Eigen::MatrixXd x = earlyFusionColumns(fm, c, rows);
    std::vector<std::string> efNames;
    for (int j : ef.columns) efNames.push_back(c.columns[static_cast<size_t>(j)]);
    family.fit(ef.fit, c, rows, x, o.submodel, o.ties, efNames);
    ef.trainingPatients = static_cast<int>(rows.size());
    ef.fitted = true;
    for (const auto& w : family.fitWarnings(ef.fit)) fm.warnings.push_back("early fusion: " + w);
  } catch (const ModelError& e) {
    fm.warnings.push_back(std::string("early fusion not fitted: ") + e.what());
  }
}

}  // namespace

FusionModel fitFusion(const Cohort& c, const std::vector<int>& trainRows, const FusionOptions& o) {
  validateCohort(c);
  const int M = static_cast<int>(c.modalities.size());
  validateTraining(c, trainRows, o);
  FusionModel fm;
  fm.outcome = c.outcome;
  fm.modalities = c.modalities;
  fm.columns = c.columns;
  fm.columnModality = c.columnModality;
  fm.options = o;
  const TrainingLayout layout = trainingLayout(c, trainRows, o);

  // 1. submodels on all training patients with the modality
  for (int m = 0; m < M; ++m) {
    const std::string& name = c.modalities[static_cast<size_t>(m)];
    fm.models.push_back(
        inStep({"fit on all training patients", name, "", -1}, [&] { return fitModality(c, m, layout.withModality[static_cast<size_t>(m)], o); }));
    for (const auto& w : fm.models.back().warnings) fm.warnings.push_back(c.modalities[static_cast<size_t>(m)] + ": " + w);
  }
  // 2. standardised unimodal scores of the training patients (train positions x M)
  const Eigen::MatrixXd scores = o.crossFit ? crossFittedScores(fm, c, trainRows, layout, o) : inSampleScores(fm, c, layout);
  keepIntegratorTraining(fm, c, trainRows, scores);
  // 3. integrators
  fitIntegrators(fm, c, trainRows, layout.mask, scores, o);
  if (o.earlyFusion) fitEarlyFusion(fm, c, trainRows, layout.mask, o);
  return fm;
}

std::pair<int, int> resolvePattern(const FusionModel& fm, int mask) {
  if (mask <= 0) throw InputError("fusion: a patient without any modality cannot be scored");
  // The pattern's own integrator, else the sub-combination with the most modalities, then the most
  // training patients, then the lowest bitmask (the first in modality order).
  int best = -1;
  for (size_t k = 0; k < fm.integrators.size(); ++k) {
    const Integrator& in = fm.integrators[k];
    if (in.pattern & ~mask) continue;  // not a sub-combination
    if (in.pattern == mask) return {static_cast<int>(k), mask};
    if (best < 0) {
      best = static_cast<int>(k);
      continue;
    }
    const Integrator& b = fm.integrators[static_cast<size_t>(best)];
    const int pi = popcount(in.pattern), pb = popcount(b.pattern);
    if (pi > pb || (pi == pb && (in.patients > b.patients || (in.patients == b.patients && in.pattern < b.pattern))))
      best = static_cast<int>(k);
  }
  if (best >= 0) return {best, fm.integrators[static_cast<size_t>(best)].pattern};
  // No integrator at all covers the pattern (each of its modalities has fewer than minPatternSize
  // training patients, or no events): the submodel of its modality with the most training patients.
  int bestModality = -1;
  for (int m = 0; m < static_cast<int>(fm.models.size()); ++m) {
    if (!(mask & (1 << m))) continue;
    if (bestModality < 0 || fm.models[static_cast<size_t>(m)].trainingPatients > fm.models[static_cast<size_t>(bestModality)].trainingPatients)
      bestModality = m;
  }
  return {-1, 1 << bestModality};
}

FusionScores scoreFusion(const FusionModel& fm, const Cohort& c, const std::vector<int>& rows) {
  validateCohort(c);
  if (c.columns != fm.columns || c.columnModality != fm.columnModality || c.modalities != fm.modalities)
    throw InputError("fusion scoring: the data's columns and modalities differ from the model's; use the same columns, in the same order");
  const int M = static_cast<int>(fm.modalities.size());
  const Eigen::Index nr = static_cast<Eigen::Index>(rows.size());
  for (int r : rows)
    if (r < 0 || r >= c.x.rows()) throw InputError("fusion scoring: row " + std::to_string(r + 1) + " is outside the data");
  const Eigen::MatrixXi present = modalityPresence(c, fm.options.presence);
  FusionScores s;
  s.unimodal = Eigen::MatrixXd::Constant(nr, M, kNaN);
  s.pattern = Eigen::VectorXi::Zero(nr);
  for (int m = 0; m < M; ++m) {
    std::vector<int> have;
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (present(rows[static_cast<size_t>(k)], m)) {
        have.push_back(rows[static_cast<size_t>(k)]);
        at.push_back(k);
        s.pattern(k) |= 1 << m;
      }
    if (have.empty()) continue;
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    const Eigen::VectorXd raw = rawScore(mm, c, have);
    for (size_t k = 0; k < at.size(); ++k) {
      s.unimodal(at[k], m) = (raw(static_cast<Eigen::Index>(k)) - mm.scoreMean) / mm.scoreSd;
      if (!std::isfinite(s.unimodal(at[k], m))) throw notFiniteScore(mm, c, have[k], "the standardised '" + mm.name + "' score");
    }
  }
  s.fused.resize(nr);
  s.integrator.resize(nr);
  s.usedPattern.resize(nr);
  s.contribution.resize(nr, M);
  for (Eigen::Index k = 0; k < nr; ++k) {
    if (s.pattern(k) == 0)
      throw InputError("fusion scoring: " + patientLabel(c, rows[static_cast<size_t>(k)]) +
                       " has no modality (every feature cell is empty), so no model can score it");
    const auto [index, used] = resolvePattern(fm, s.pattern(k));
    s.integrator(k) = index;
    s.usedPattern(k) = used;
    s.contribution.row(k) = modalityContributions(fm, index, used, s.unimodal.row(k));
    s.fused(k) = fusedScore(fm, index, used, s.unimodal.row(k));
    if (!std::isfinite(s.fused(k))) {
      // The modality whose contribution overflowed is the one whose column to name.
      Eigen::Index worst = -1;
      for (Eigen::Index m = 0; m < M; ++m)
        if (!std::isnan(s.contribution(k, m)) && (worst < 0 || !(std::fabs(s.contribution(k, m)) <= std::fabs(s.contribution(k, worst)))))
          worst = m;
      if (worst < 0)
        throw InputError("the late-fusion score of " + patientName(c, rows[static_cast<size_t>(k)]) + " is not a finite number",
                         {"", "", "", rows[static_cast<size_t>(k)]});
      throw notFiniteScore(fm.models[static_cast<size_t>(worst)], c, rows[static_cast<size_t>(k)], "the late-fusion score");
    }
  }
  s.early = Eigen::VectorXd::Constant(nr, kNaN);
  s.earlyScored.assign(static_cast<size_t>(nr), false);
  if (fm.early.fitted) {
    std::vector<int> scorable;
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (fm.options.earlyImpute || s.pattern(k) == (1 << M) - 1) {
        scorable.push_back(rows[static_cast<size_t>(k)]);
        at.push_back(k);
      }
    if (!scorable.empty()) {
      const Eigen::MatrixXd x = earlyFusionColumns(fm, c, scorable);
      const Eigen::VectorXd lp = outcomeFamily(fm.outcome).linearPredictor(fm.early.fit, x, true);
      for (size_t k = 0; k < at.size(); ++k) {
        s.early(at[k]) = lp(static_cast<Eigen::Index>(k));
        s.earlyScored[static_cast<size_t>(at[k])] = true;
      }
    }
  }
  return s;
}

}  // namespace latefuse
