#include "latefuse/fusion_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "latefuse/calibration.hpp"
#include "latefuse/categorical.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/fusion_context.hpp"
#include "latefuse/fusion_report_internal.hpp"
#include "latefuse/horizons.hpp"
#include "latefuse/outcome_family.hpp"
#include "latefuse/random.hpp"
#include "latefuse/rank_correlation.hpp"
#include "latefuse/resample_statistics.hpp"
#include "latefuse/risk_groups.hpp"

namespace latefuse {
namespace {

using namespace report;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Work units of the progress bar: one resampling replicate = 1, one fusion fit = kFitUnits.
constexpr double kFitUnits = 1000;

std::string patternLabel(const std::vector<std::string>& modalities, int mask) {
  std::string label;
  for (int m : patternModalities(mask, static_cast<int>(modalities.size())))
    label += (label.empty() ? "" : "+") + modalities[static_cast<size_t>(m)];
  return label;
}

double meanOf(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sdOf(const std::vector<double>& v) {
  if (v.size() < 2) return kNaN;
  const double m = meanOf(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// Progress in work units over the whole evaluation. rebase(units) says how much work is left once
// it is known exactly (after the fit): the fraction reached so far is kept, so it never goes back.
class Progress {
 public:
  Progress(const ProgressCallback& cb, double total) : cb_(cb), total_(std::max(total, 1.0)) {}
  void rebase(double remaining) {
    base_ = fraction(done_);
    done_ = 0;
    total_ = std::max(remaining, 1.0);
  }
  void advance(double units) {
    done_ += units;
    if (cb_ && !cb_(fraction(done_))) throw Cancelled();
  }
  // A callback for a step of `units` units (its own fraction 0..1), to be followed by advance(units).
  ProgressCallback step(double units) const {
    if (!cb_) return {};
    const Progress self = *this;
    return [self, units](double f) { return self.cb_(self.fraction(self.done_ + f * units)); };
  }

 private:
  double fraction(double done) const { return std::min(1.0, base_ + (1 - base_) * done / total_); }
  ProgressCallback cb_;
  double total_;
  double base_ = 0, done_ = 0;
};

// ---- model scores ---------------------------------------------------------------------------

// Every model's score (NaN where it cannot score the row) for the rows of one FusionScores, and,
// when `times` is given, its S(t) (rows x times, NaN rows where it cannot score).
struct ScoredModel {
  std::string name, kind;
  int pattern = 0;
  int integrator = -1;  // kind "integrator": its index in FusionModel::integrators
  Eigen::VectorXd score;
  Eigen::MatrixXd survival;
  // The full linear predictor of the model behind each patient's predicted risk (binary: the
  // log-odds; survival: the Cox linear predictor on that model's scale).
  Eigen::VectorXd lp;
};

// S(t) at the report's times (survival only: a binary report has none).
void fillSurvival(ScoredModel& sm, const FittedModel& fit, const std::vector<Eigen::Index>& at, const Eigen::VectorXd& lp,
                  const Eigen::VectorXd& times) {
  if (times.size() == 0 || at.empty()) return;
  const Eigen::MatrixXd s = survivalAtTimes(coxFit(fit), lp, Eigen::VectorXi(), times);
  for (size_t k = 0; k < at.size(); ++k) sm.survival.row(at[k]) = s.row(static_cast<Eigen::Index>(k));
}

ScoredModel emptyScoredModel(std::string name, std::string kind, int pattern, Eigen::Index rows, const Eigen::VectorXd& times) {
  ScoredModel sm;
  sm.name = std::move(name);
  sm.kind = std::move(kind);
  sm.pattern = pattern;
  sm.score = Eigen::VectorXd::Constant(rows, kNaN);
  if (times.size()) sm.survival = Eigen::MatrixXd::Constant(rows, times.size(), kNaN);
  sm.lp = Eigen::VectorXd::Constant(rows, kNaN);
  return sm;
}

// The late-fusion system: each patient's fused score, from whichever model scored them (S(t) too).
ScoredModel scoreLateFusion(const FusionModel& fm, const FusionScores& s, const Eigen::VectorXd& times) {
  const int M = static_cast<int>(fm.modalities.size());
  const Eigen::Index nr = s.fused.size();
  ScoredModel sm = emptyScoredModel("late fusion", "late", (1 << M) - 1, nr, times);
  sm.score = s.fused;
  for (Eigen::Index k = 0; k < nr; ++k)
    sm.lp(k) = s.integrator(k) >= 0 ? s.fused(k)
                                    : submodelLogOdds(fm.models[static_cast<size_t>(patternModalities(s.usedPattern(k), M).front())], s.fused(k));
  if (times.size()) {
    // S(t) from whichever model scored the patient: grouped by that model.
    std::vector<std::vector<Eigen::Index>> byIntegrator(fm.integrators.size()), byModality(static_cast<size_t>(M));
    for (Eigen::Index k = 0; k < nr; ++k) {
      if (s.integrator(k) >= 0) byIntegrator[static_cast<size_t>(s.integrator(k))].push_back(k);
      else byModality[static_cast<size_t>(patternModalities(s.usedPattern(k), M).front())].push_back(k);
    }
    for (size_t i = 0; i < byIntegrator.size(); ++i)
      fillSurvival(sm, fm.integrators[i].fit, byIntegrator[i], subsetVector(s.fused, byIntegrator[i]), times);
    for (int m = 0; m < M; ++m)
      fillSurvival(sm, fm.models[static_cast<size_t>(m)].fit, byModality[static_cast<size_t>(m)],
                   subsetVector(sm.lp, byModality[static_cast<size_t>(m)]), times);
  }
  return sm;
}

std::vector<ScoredModel> scoreModels(const FusionModel& fm, const FusionScores& s, const Eigen::VectorXd& times) {
  const int M = static_cast<int>(fm.modalities.size());
  const Eigen::Index nr = s.fused.size();
  std::vector<ScoredModel> out;
  for (int m = 0; m < M; ++m) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    ScoredModel sm = emptyScoredModel(fm.modalities[static_cast<size_t>(m)], "unimodal", 1 << m, nr, times);
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (std::isfinite(s.unimodal(k, m))) {
        sm.score(k) = s.unimodal(k, m);
        sm.lp(k) = submodelLogOdds(mm, s.unimodal(k, m));
        at.push_back(k);
      }
    fillSurvival(sm, mm.fit, at, subsetVector(sm.lp, at), times);
    out.push_back(std::move(sm));
  }
  for (const Integrator& in : fm.integrators) {
    ScoredModel sm = emptyScoredModel("integrator " + patternLabel(fm.modalities, in.pattern), "integrator", in.pattern, nr, times);
    sm.integrator = static_cast<int>(&in - fm.integrators.data());
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if ((s.pattern(k) & in.pattern) == in.pattern) at.push_back(k);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(at.size()), static_cast<Eigen::Index>(in.modalities.size()));
    for (size_t r = 0; r < at.size(); ++r)
      for (size_t j = 0; j < in.modalities.size(); ++j)
        x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = s.unimodal(at[r], in.modalities[j]);
    const Eigen::VectorXd lp = integratorLinearPredictor(in, x);
    for (size_t r = 0; r < at.size(); ++r) sm.score(at[r]) = sm.lp(at[r]) = lp(static_cast<Eigen::Index>(r));
    fillSurvival(sm, in.fit, at, lp, times);
    out.push_back(std::move(sm));
  }
  out.push_back(scoreLateFusion(fm, s, times));
  if (fm.early.fitted) {
    ScoredModel sm = emptyScoredModel("early fusion", "early", (1 << M) - 1, nr, times);
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (s.earlyScored[static_cast<size_t>(k)]) {
        sm.score(k) = sm.lp(k) = s.early(k);
        at.push_back(k);
      }
    fillSurvival(sm, fm.early.fit, at, subsetVector(s.early, at), times);
    out.push_back(std::move(sm));
  }
  return out;
}

// ---- metrics --------------------------------------------------------------------------------

double harrellOrNaN(const SurvivalData& d, const Eigen::VectorXd& score) {
  if (d.size() < 2 || d.event.sum() == 0) return kNaN;
  const Concordance k = harrellConcordance(d, score, true);
  return k.comparable() > 0 ? k.c : kNaN;
}

// The seeded bootstrap of C (and Delta C): `bootstrap` replicates reported as one progress step.
BootstrapOptions bootstrapOptions(const EvaluationOptions& o, const Progress& progress) {
  BootstrapOptions bo;
  bo.replicates = o.bootstrap;
  bo.seed = o.seed;
  bo.confLevel = o.confLevel;
  bo.chunk = o.chunk;
  bo.progress = progress.step(o.bootstrap);
  return bo;
}

// C with its bootstrap interval and permutation p, then the family's own metrics.
SubsetMetrics evaluateSubset(const OutcomeFamily& family, const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score,
                             const Eigen::MatrixXd& survival, const Eigen::VectorXd& lp, Progress& progress, const std::string& what) {
  const EvaluationOptions& o = *plan.options;
  SubsetMetrics r;
  r.n = static_cast<int>(d.size());
  r.events = static_cast<int>(d.event.sum());
  r.c = r.cLower = r.cUpper = r.permutationP = r.unoC = r.ibs = kNaN;
  r.delongSe = r.delongLower = r.delongUpper = r.brier = r.calibrationIntercept = r.calibrationSlope = kNaN;
  family.countOutcomes(r);
  for (Eigen::Index h = 0; h < plan.horizons.size(); ++h) r.auc.push_back({plan.horizons(h), kNaN});
  const double resampleUnits = o.bootstrap + o.permutations;
  if (!family.discriminates(r.n, r.events)) {
    r.warnings.push_back(what + ": " + std::to_string(r.n) + " patients with " + std::to_string(r.events) + family.noDiscrimination());
    progress.advance(resampleUnits);
    return r;
  }
  auto engine = std::make_shared<const HarrellEngine>(d, score, true);
  try {
    r.c = engine->evaluate(nullptr, nullptr);
  } catch (const ModelError& e) {
    r.warnings.push_back(what + ": " + e.what());
    progress.advance(resampleUnits);
    return r;
  }
  if (o.bootstrap > 0) {
    try {
      const BootstrapResult b = bootstrap(d.size(), harrellStatistic(engine), bootstrapOptions(o, progress));
      r.cLower = b.lower;
      r.cUpper = b.upper;
      r.bootstrapFailed = b.failed;
      for (const auto& w : b.warnings) r.warnings.push_back(what + ": " + w);
    } catch (const ModelError& e) {
      r.warnings.push_back(what + ": no bootstrap interval: " + e.what());
    }
    progress.advance(o.bootstrap);
  }
  if (o.permutations > 0) {
    PermutationOptions po;
    po.permutations = o.permutations;
    po.seed = o.seed;
    po.chunk = o.chunk;
    po.progress = progress.step(o.permutations);
    try {
      const PermutationResult p = permutationTest(d.size(), harrellPermutation(engine), po);
      r.permutationP = p.p;
      for (const auto& w : p.warnings) r.warnings.push_back(what + ": " + w);
    } catch (const ModelError& e) {
      r.warnings.push_back(what + ": no permutation p: " + e.what());
    }
    progress.advance(o.permutations);
  }
  family.outcomeMetrics(r, plan, d, score, survival, lp, what);
  return r;
}

// ---- risk groups ----------------------------------------------------------------------------

// The reference study's search: the cut among the 33rd..67th training percentiles with the
// smallest training p of the family's group test (ties: the first).
double optimisticCut(const OutcomeFamily& family, const SurvivalData& train, const Eigen::VectorXd& trainScore, RiskGroupReport& r) {
  double bestP = kInf, bestCut = kNaN;
  for (int pct = 33; pct <= 67; ++pct) {
    Eigen::VectorXd p(1);
    p << pct / 100.0;
    const double cut = quantileType7(trainScore, p)(0);
    const Eigen::VectorXi g = groupCodes(trainScore, {cut});
    const int high = g.sum();
    if (high == 0 || high == g.size()) continue;
    try {
      const double pv = family.groupTestP(train, g);
      if (!std::isfinite(pv)) continue;
      if (pv < bestP) {
        bestP = pv;
        bestCut = cut;
        r.chosenPercentile = pct;
      }
    } catch (const std::exception&) {
    }
  }
  if (!std::isfinite(bestCut))
    throw ModelError(std::string("risk groups: no cut-point between the 33rd and 67th training percentiles splits the training patients into two groups with a ") +
                     family.groupTestName() + " test; use the median");
  return bestCut;
}

RiskGroupReport riskGroups(const OutcomeFamily& family, const SurvivalData& train, const Eigen::VectorXd& trainScore,
                           const SurvivalData& test, const Eigen::VectorXd& testScore, RiskGrouping method, const Eigen::VectorXd& horizons,
                           Eigen::VectorXi& trainGroup, Eigen::VectorXi& testGroup, double confLevel) {
  RiskGroupReport r;
  r.method = method;
  r.chosenPercentile = kNaN;
  int groups = 2;
  if (method == RiskGrouping::Median) {
    Eigen::VectorXd p(1);
    p << 0.5;
    r.cutpoints = {quantileType7(trainScore, p)(0)};
  } else if (method == RiskGrouping::Tertiles) {
    Eigen::VectorXd p(2);
    p << 1.0 / 3.0, 2.0 / 3.0;
    const Eigen::VectorXd q = quantileType7(trainScore, p);
    r.cutpoints = {q(0), q(1)};
    groups = 3;
  } else {
    r.optimistic = true;
    r.cutpoints = {optimisticCut(family, train, trainScore, r)};
  }
  trainGroup = groupCodes(trainScore, r.cutpoints);
  testGroup = groupCodes(testScore, r.cutpoints);
  r.train = family.summarizeGroups(train, trainGroup, groups, horizons, confLevel, "training risk groups");
  r.test = family.summarizeGroups(test, testGroup, groups, horizons, confLevel, "test risk groups");
  if (r.optimistic)
    r.train.warnings.push_back("the cut-point was chosen to minimise this p-value, so it is optimistic; judge the groups by the test p");
  return r;
}

// ---- decision curves ------------------------------------------------------------------------

// The net benefit of late fusion, early fusion and each unimodal model on the test patients at the
// decision horizon (fusion_decision_curve.hpp). Risk = 1 - S(horizon) from the model that scored the
// patient, or the predicted probability (binary). Integrators are covered by late fusion.
FusionDecisionCurves decisionCurvesOfModels(const OutcomeFamily& family, const FusionReport& rep, const SurvivalData& test,
                                            const std::vector<Eigen::Index>& commonAt, Progress& progress) {
  const double horizon = family.decisionHorizon(rep);
  Eigen::VectorXd times;
  if (std::isfinite(horizon)) times = Eigen::VectorXd::Constant(1, horizon);
  std::vector<ModelRisk> risks;
  for (const ScoredModel& sm : scoreModels(rep.model, rep.testScores, times)) {
    if (sm.kind == "integrator") continue;
    ModelRisk mr{sm.name, sm.kind, Eigen::VectorXd::Constant(sm.score.size(), kNaN)};
    for (Eigen::Index k = 0; k < sm.score.size(); ++k) {
      if (!std::isfinite(sm.score(k))) continue;
      mr.risk(k) = times.size() ? 1 - sm.survival(k, 0) : family.probability(sm.lp(k));
    }
    risks.push_back(std::move(mr));
  }
  FusionDecisionOptions o;
  o.bootstrap = rep.options.bootstrap;
  o.seed = rep.options.seed;
  o.confLevel = rep.options.confLevel;
  o.chunk = rep.options.chunk;
  o.progress = progress.step(0);
  return family.decisionCurves(test, risks, commonAt, horizon, o);
}

// ---- split ----------------------------------------------------------------------------------

void randomSplit(const Cohort& c, const std::vector<int>& usable, double fraction, uint64_t seed, std::vector<int>& train,
                 std::vector<int>& test) {
  std::vector<int> events, censored;
  for (int r : usable) (c.event(r) == 1 ? events : censored).push_back(r);
  Random rng(seed);
  rng.shuffle(events);
  rng.shuffle(censored);
  std::vector<char> inTest(static_cast<size_t>(c.x.rows()), 0);
  for (const std::vector<int>* group : {&events, &censored}) {
    const size_t k = static_cast<size_t>(std::llround(fraction * static_cast<double>(group->size())));
    for (size_t i = 0; i < k && i < group->size(); ++i) inTest[static_cast<size_t>((*group)[i])] = 1;
  }
  for (int r : usable) (inTest[static_cast<size_t>(r)] ? test : train).push_back(r);
}

void validateOptions(const Cohort& c, const EvaluationOptions& o) {
  if (o.testIndicator.size() != 0 && o.testIndicator.size() != c.x.rows())
    throw InputError("evaluation: the split has " + std::to_string(o.testIndicator.size()) + " values for " +
                     std::to_string(c.x.rows()) + " patients; give one train/test label per patient");
  for (Eigen::Index i = 0; i < o.testIndicator.size(); ++i)
    if (o.testIndicator(i) != 0 && o.testIndicator(i) != 1)
      throw InputError("evaluation: the split label of " + patientLabel(c, static_cast<int>(i)) + " is " +
                       std::to_string(o.testIndicator(i)) + "; use 1 for test and 0 for training");
  if (o.testIndicator.size() == 0 && !(o.testFraction > 0 && o.testFraction < 1))
    throw InputError("evaluation: the test fraction must lie strictly between 0 and 1");
  if (o.cvFolds != 0 && o.cvFolds < 2) throw InputError("evaluation: cross-validation needs at least 2 folds (0 = none)");
  if (o.cvRepeats < 1) throw InputError("evaluation: cross-validation needs at least 1 repeat");
  if (o.bootstrap < 0 || o.permutations < 0) throw InputError("evaluation: bootstrap replicates and permutations must be >= 0");
  if (!(o.confLevel > 0 && o.confLevel < 1)) throw InputError("evaluation: the confidence level must lie strictly between 0 and 1");
  if (o.chunk < 1) throw InputError("evaluation: the chunk size must be at least 1");
  for (Eigen::Index h = 0; h < o.horizons.size(); ++h)
    if (!(std::isfinite(o.horizons(h)) && o.horizons(h) > 0)) throw InputError("evaluation: horizons must be positive times");
  if (!(o.tau >= 0) || std::isnan(o.tau)) throw InputError("evaluation: tau must be a positive time (0 = the largest horizon)");
  outcomeFamily(c.outcome).validateEvaluation(c, o);
}

}  // namespace

namespace {

// `raw` and `categorical`: the unencoded cohort and its categorical columns when `c` is its holdout
// encoding (each CV fold is then encoded on its own training rows).
FusionReport evaluateImpl(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback, const Cohort* raw,
                          const std::vector<CategoricalColumn>* categorical);

}  // namespace

FusionReport evaluateFusion(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback) {
  return evaluateImpl(c, o, callback, nullptr, nullptr);
}

RiskGrouping parseRiskGrouping(const std::string& name) {
  if (name == "median") return RiskGrouping::Median;
  if (name == "tertiles") return RiskGrouping::Tertiles;
  if (name == "optimistic") return RiskGrouping::OptimisticSearch;
  throw InputError("risk groups must be median, tertiles or optimistic; got '" + name + "'");
}

const char* riskGroupingName(RiskGrouping g) {
  switch (g) {
    case RiskGrouping::Median: return "median";
    case RiskGrouping::Tertiles: return "tertiles";
    default: return "optimistic";
  }
}

FusionOptions referenceCompatibleFusionOptions(FusionOptions base) {
  base.submodel = RidgeOptions{};
  base.submodel.penalizer = 0.5;
  base.integrator = RidgeOptions{};
  base.integrator.penalizer = 0.5;
  base.crossFit = false;
  base.scaling = Scaling::MinMax;
  base.outlierZ = 5;
  base.selectFeatures = true;
  base.screening = ScreeningOptions{};
  base.screening.minSelected = 1;
  base.ties = Ties::Efron;
  return base;
}

namespace {

// ---- the steps of one evaluation ------------------------------------------------------------

// What the steps share: the cohort, the options, the outcome family and the report being filled.
struct Evaluation {
  Evaluation(const Cohort& cohort, const EvaluationOptions& options, FusionReport& report)
      : c(cohort), o(options), family(outcomeFamily(cohort.outcome)), rep(report) {}
  const Cohort& c;
  const EvaluationOptions& o;
  const OutcomeFamily& family;
  FusionReport& rep;
  int M = 0, all = 0;                  // modalities; the bitmask of all of them
  std::vector<int> usable;             // rows with at least one modality
  SurvivalData train, test;            // survivalRows of the training and test rows
  std::vector<Eigen::Index> commonAt;  // positions in testRows of the test patients with every modality
  std::vector<ScoredModel> scored;     // every model on the test patients (scoreModels)
};

// Rows without any modality are left out of everything (nothing can score them).
void excludeUnscorable(Evaluation& ev) {
  const Eigen::MatrixXi present = modalityPresence(ev.c, ev.o.fusion.presence);
  for (Eigen::Index i = 0; i < ev.c.x.rows(); ++i) {
    if (present.row(i).sum() == 0) ev.rep.excluded.push_back(static_cast<int>(i));
    else ev.usable.push_back(static_cast<int>(i));
  }
  if (!ev.rep.excluded.empty())
    ev.rep.warnings.push_back(std::to_string(ev.rep.excluded.size()) + " patients have no modality at all (first: " +
                              patientName(ev.c, ev.rep.excluded.front()) + "); they are left out of training and testing");
}

// The train/test split: seeded and stratified on the event (case), or the caller's column.
void split(Evaluation& ev) {
  FusionReport& rep = ev.rep;
  rep.randomSplit = ev.o.testIndicator.size() == 0;
  if (rep.randomSplit) {
    randomSplit(ev.c, ev.usable, ev.o.testFraction, ev.o.seed, rep.trainRows, rep.testRows);
  } else {
    for (int r : ev.usable) (ev.o.testIndicator(r) == 1 ? rep.testRows : rep.trainRows).push_back(r);
  }
  if (rep.testRows.empty())
    throw InputError("evaluation: the test set is empty; mark some patients as test or raise the test fraction");
  if (rep.trainRows.size() < 2) throw InputError("evaluation: fewer than 2 training patients; mark fewer patients as test");
}

// Categorical columns: encode on the training rows of this split, then evaluate the encoded cohort
// on the same split (each CV fold is encoded afresh on its own training rows).
FusionReport evaluateEncoded(const Evaluation& ev, const ProgressCallback& callback) {
  std::vector<CategoricalEncoding> encodings;
  Cohort encodedCohort = encodeCohort(ev.c, ev.o.categorical, ev.rep.trainRows, encodings);
  EvaluationOptions inner = ev.o;
  inner.categorical.clear();
  inner.testIndicator = Eigen::VectorXi::Zero(ev.c.x.rows());
  for (int r : ev.rep.testRows) inner.testIndicator(r) = 1;
  FusionReport out = evaluateImpl(encodedCohort, inner, callback, &ev.c, &ev.o.categorical);
  out.options = ev.o;
  out.randomSplit = ev.rep.randomSplit;
  out.model.encodings = std::move(encodings);
  out.encoded = true;
  out.cohort = std::move(encodedCohort);
  return out;
}

// The outcome of both sets, and the times the metrics are computed at.
void outcomeSets(Evaluation& ev) {
  FusionReport& rep = ev.rep;
  ev.train = survivalRows(ev.c, rep.trainRows);
  ev.test = survivalRows(ev.c, rep.testRows);
  rep.trainEvents = static_cast<int>(ev.train.event.sum());
  rep.testEvents = static_cast<int>(ev.test.event.sum());
  ev.family.checkSplit(rep.trainEvents, rep.trainRows.size(), rep.testEvents, rep.testRows.size());
  ev.family.setTimes(rep, ev.o, ev.train);
}

// Fit on the training patients only; score both sets; each patient's risk on the one scale.
void fitAndScore(Evaluation& ev, Progress& progress) {
  FusionReport& rep = ev.rep;
  rep.model = fitFusion(ev.c, rep.trainRows, ev.o.fusion);
  for (const auto& w : rep.model.warnings) rep.warnings.push_back("model: " + w);
  progress.advance(kFitUnits);
  rep.trainScores = inStep({"scoring the training patients", "", "", -1}, [&] { return scoreFusion(rep.model, ev.c, rep.trainRows); });
  rep.testScores = inStep({"scoring the test patients", "", "", -1}, [&] { return scoreFusion(rep.model, ev.c, rep.testRows); });
  // The one risk scale (fusion.hpp): 1 - S(t_ref) from the model that scored each patient.
  std::vector<double> h(rep.horizons.data(), rep.horizons.data() + rep.horizons.size());
  rep.referenceHorizon = referenceHorizon(h);
  auto risks = [&](const FusionScores& sc) {
    Eigen::VectorXd r(sc.fused.size());
    for (Eigen::Index k = 0; k < r.size(); ++k)
      r(k) = predictedRisk(rep.model, sc.integrator(k), sc.usedPattern(k), sc.fused(k), rep.referenceHorizon);
    return r;
  };
  rep.trainRisk = risks(rep.trainScores);
  rep.testRisk = risks(rep.testScores);
  for (size_t k = 0; k < rep.testRows.size(); ++k)
    if (rep.testScores.pattern(static_cast<Eigen::Index>(k)) == ev.all) {
      rep.commonTest.push_back(rep.testRows[k]);
      ev.commonAt.push_back(static_cast<Eigen::Index>(k));
    }
  if (rep.commonTest.empty())
    rep.warnings.push_back("no test patient has every modality: the 'common' comparisons are empty");
}

// Every model on the test set, plus the study's central comparison as a model of its own: the
// whole late-fusion pipeline (submodels and integrators) trained only on the training patients
// with every modality.
void scoreTestModels(Evaluation& ev) {
  FusionReport& rep = ev.rep;
  ev.scored = scoreModels(rep.model, rep.testScores, rep.ibsTimes);
  std::vector<int> completeTrain;
  for (size_t k = 0; k < rep.trainRows.size(); ++k)
    if (rep.trainScores.pattern(static_cast<Eigen::Index>(k)) == ev.all) completeTrain.push_back(rep.trainRows[k]);
  try {
    FusionOptions cco = ev.o.fusion;
    cco.earlyFusion = false;
    const FusionModel cc = fitFusion(ev.c, completeTrain, cco);
    for (ScoredModel& sm : scoreModels(cc, scoreFusion(cc, ev.c, rep.testRows), rep.ibsTimes))
      if (sm.kind == "late") {
        sm.name = "late fusion (complete-case training)";
        sm.kind = "late-complete-case";
        ev.scored.push_back(std::move(sm));
      }
  } catch (const std::exception& e) {  // InputError or ModelError: too few complete cases
    rep.warnings.push_back("late fusion trained on the " + std::to_string(completeTrain.size()) +
                           " complete-case training patients was not fitted: " + e.what());
  }
}

// One model's metrics on the test patients at positions `at` of the test set.
SubsetMetrics modelSubset(const Evaluation& ev, const MetricPlan& plan, const ScoredModel& sm, const std::vector<Eigen::Index>& at,
                          Progress& progress, const std::string& what) {
  const Eigen::MatrixXd noSurvival;
  return evaluateSubset(ev.family, plan, subsetData(ev.test, at), subsetVector(sm.score, at),
                        sm.survival.size() ? subsetRows(sm.survival, at) : noSurvival, subsetVector(sm.lp, at), progress, what);
}

// Metrics of every model on `test`, `common` and (integrators) the patients it scored.
void modelMetrics(Evaluation& ev, Progress& progress) {
  FusionReport& rep = ev.rep;
  MetricPlan plan;
  plan.train = &ev.train;
  plan.horizons = rep.horizons;
  plan.ibsTimes = rep.ibsTimes;
  plan.tau = rep.tau;
  plan.options = &ev.o;
  for (const ScoredModel& sm : ev.scored) {
    ModelEvaluation me;
    me.name = sm.name;
    me.kind = sm.kind;
    me.pattern = sm.pattern;
    for (int m : patternModalities(sm.pattern, ev.M)) me.modalities.push_back(ev.c.modalities[static_cast<size_t>(m)]);
    std::vector<Eigen::Index> at, cat;
    for (Eigen::Index k = 0; k < sm.score.size(); ++k)
      if (std::isfinite(sm.score(k))) at.push_back(k);
    for (Eigen::Index k : ev.commonAt)
      if (std::isfinite(sm.score(k))) cat.push_back(k);
    me.test = modelSubset(ev, plan, sm, at, progress, sm.name + " (test)");
    me.common = modelSubset(ev, plan, sm, cat, progress, sm.name + " (common)");
    if (sm.integrator >= 0) {
      // The test patients this integrator actually scored (their own pattern, or its fallback).
      std::vector<Eigen::Index> sat;
      for (Eigen::Index k = 0; k < sm.score.size(); ++k)
        if (rep.testScores.integrator(k) == sm.integrator) sat.push_back(k);
      me.hasScored = true;
      me.scored = modelSubset(ev, plan, sm, sat, progress, sm.name + " (scored by it)");
    }
    rep.models.push_back(std::move(me));
  }
  if (!rep.model.early.fitted) rep.warnings.push_back("early fusion was not fitted, so it is not evaluated (see the model warnings)");
}

// Paired bootstrap of Delta C = C(late) - C(b) on the common test patients.
CIndexComparison compareWithLate(const Evaluation& ev, const ScoredModel& late, const std::string& name, const ScoredModel* b,
                                 const std::string& missing, Progress& progress) {
  const EvaluationOptions& o = ev.o;
  const SurvivalData common = subsetData(ev.test, ev.commonAt);
  CIndexComparison cmp;
  cmp.name = name;
  cmp.a = late.name;
  cmp.b = b ? b->name : "";
  cmp.n = static_cast<int>(ev.commonAt.size());
  cmp.cA = cmp.cB = cmp.delta = cmp.lower = cmp.upper = kNaN;
  if (!b || !ev.family.discriminates(cmp.n, static_cast<int>(common.event.sum()))) {
    cmp.warnings.push_back(!b ? missing : "fewer than 2 common test patients or no events among them; no comparison");
    progress.advance(o.bootstrap);
    return cmp;
  }
  const Eigen::VectorXd sa = subsetVector(late.score, ev.commonAt), sb = subsetVector(b->score, ev.commonAt);
  try {
    auto ea = std::make_shared<const HarrellEngine>(common, sa, true);
    auto eb = std::make_shared<const HarrellEngine>(common, sb, true);
    cmp.cA = ea->evaluate(nullptr, nullptr);
    cmp.cB = eb->evaluate(nullptr, nullptr);
    cmp.delta = cmp.cA - cmp.cB;
    if (o.bootstrap > 0) {
      const PairedBootstrapResult pb = pairedBootstrap(common.size(), harrellStatistic(ea), harrellStatistic(eb), bootstrapOptions(o, progress));
      cmp.lower = pb.difference.lower;
      cmp.upper = pb.difference.upper;
      cmp.failed = pb.difference.failed;
      cmp.warnings = pb.difference.warnings;
    }
  } catch (const ModelError& e) {
    cmp.warnings.push_back(e.what());
  }
  progress.advance(o.bootstrap);
  return cmp;
}

// Late fusion against early fusion, the best unimodal model (the highest C on the common test
// patients, chosen post hoc) and late fusion trained on complete cases.
void comparisons(Evaluation& ev, Progress& progress) {
  FusionReport& rep = ev.rep;
  auto findModel = [&](const std::string& kind) -> const ScoredModel* {
    for (const auto& sm : ev.scored)
      if (sm.kind == kind) return &sm;
    return nullptr;
  };
  const ScoredModel* late = findModel("late");
  const ScoredModel* bestUni = nullptr;
  double bestC = -kInf;
  for (size_t k = 0; k < ev.scored.size(); ++k)
    if (ev.scored[k].kind == "unimodal" && std::isfinite(rep.models[k].common.c) && rep.models[k].common.c > bestC) {
      bestC = rep.models[k].common.c;
      bestUni = &ev.scored[k];
    }
  rep.comparisons.push_back(compareWithLate(ev, *late, "late_vs_early", findModel("early"), "early fusion is not available", progress));
  rep.comparisons.push_back(
      compareWithLate(ev, *late, "late_vs_best_unimodal", bestUni, "no unimodal model has a C on the common test patients", progress));
  rep.comparisons.push_back(compareWithLate(ev, *late, "late_vs_late_complete_case", findModel("late-complete-case"),
                                            "late fusion with complete-case training is not available (see the warnings)", progress));
}

// Kendall's tau of the unimodal scores, on the training and on the test patients.
void kendall(Evaluation& ev) {
  const CorrelationMatrix kt = rankCorrelationMatrix(ev.rep.trainScores.unimodal, RankMethod::Kendall, ev.c.modalities);
  ev.rep.kendallTrain = {kt.estimate, kt.p, kt.n, kt.warnings};
  const CorrelationMatrix ks = rankCorrelationMatrix(ev.rep.testScores.unimodal, RankMethod::Kendall, ev.c.modalities);
  ev.rep.kendallTest = {ks.estimate, ks.p, ks.n, ks.warnings};
}

// Coefficient tables of every submodel, integrator and the early-fusion model.
void coefficients(Evaluation& ev) {
  FusionReport& rep = ev.rep;
  const std::vector<std::string>& columns = ev.c.columns;
  for (const ModalityModel& mm : rep.model.models) {
    std::vector<std::string> terms;
    for (int s : mm.selected) terms.push_back(columns[static_cast<size_t>(mm.columns[static_cast<size_t>(s)])]);
    rep.coefficients.push_back(ev.family.coefficientTable(mm.name, "unimodal", mm.fit, terms, ev.o.confLevel));
  }
  for (const Integrator& in : rep.model.integrators) {
    std::vector<std::string> terms;
    for (int m : in.modalities) terms.push_back(ev.c.modalities[static_cast<size_t>(m)]);
    rep.coefficients.push_back(ev.family.coefficientTable("integrator " + patternLabel(ev.c.modalities, in.pattern), "integrator",
                                                          in.fit, terms, ev.o.confLevel));
  }
  if (rep.model.early.fitted) {
    std::vector<std::string> terms;
    for (int j : rep.model.early.columns) terms.push_back(columns[static_cast<size_t>(j)]);
    rep.coefficients.push_back(ev.family.coefficientTable("early fusion", "early", rep.model.early.fit, terms, ev.o.confLevel));
  }
}

// The availability patterns of the training and of the test patients.
void availabilityPatterns(Evaluation& ev) {
  FusionReport& rep = ev.rep;
  auto hasIntegrator = [&](int pattern) {
    for (const Integrator& in : rep.model.integrators)
      if (in.pattern == pattern) return true;
    return false;
  };
  for (const auto& [pattern, count] : rep.model.trainingPatterns) {
    PatternSummary p;
    p.pattern = pattern;
    p.patients = count;
    for (size_t k = 0; k < rep.trainRows.size(); ++k)
      if (rep.trainScores.pattern(static_cast<Eigen::Index>(k)) == pattern) p.events += static_cast<int>(ev.train.event(static_cast<Eigen::Index>(k)));
    p.integrator = hasIntegrator(pattern);
    p.usedPattern = resolvePattern(rep.model, pattern).second;
    rep.trainPatterns.push_back(p);
  }
  std::vector<int> masks;
  for (Eigen::Index k = 0; k < rep.testScores.pattern.size(); ++k) masks.push_back(rep.testScores.pattern(k));
  std::sort(masks.begin(), masks.end());
  masks.erase(std::unique(masks.begin(), masks.end()), masks.end());
  for (int mask : masks) {
    PatternSummary p;
    p.pattern = mask;
    for (Eigen::Index k = 0; k < rep.testScores.pattern.size(); ++k)
      if (rep.testScores.pattern(k) == mask) {
        ++p.patients;
        p.events += static_cast<int>(ev.test.event(k));
        p.usedPattern = rep.testScores.usedPattern(k);
      }
    p.integrator = hasIntegrator(mask);
    rep.testPatterns.push_back(p);
  }
}

// ---- repeated K-fold cross-validation (Harrell's C only) ------------------------------------

// One fold: the whole system fitted on fitRows, each CV model's C on outRows (test and common).
void crossValidationFold(const Evaluation& ev, const std::vector<int>& fitRows, const std::vector<int>& outRows, int r, int f,
                         const Cohort* rawCohort, const std::vector<CategoricalColumn>* rawCategorical) {
  CrossValidationReport& cv = ev.rep.crossValidation;
  // Categorical columns: this fold's own encoding, fitted on its training rows.
  Cohort foldEncoded;
  const Cohort* fc = &ev.c;
  if (rawCohort) {
    std::vector<CategoricalEncoding> unused;
    foldEncoded = encodeCohort(*rawCohort, *rawCategorical, fitRows, unused);
    fc = &foldEncoded;
  }
  const FusionModel fm = fitFusion(*fc, fitRows, ev.o.fusion);
  const FusionScores s = scoreFusion(fm, *fc, outRows);
  const SurvivalData d = survivalRows(*fc, outRows);
  const std::vector<ScoredModel> sc = scoreModels(fm, s, Eigen::VectorXd());
  std::vector<Eigen::Index> commonRows;
  for (Eigen::Index k = 0; k < s.pattern.size(); ++k)
    if (s.pattern(k) == ev.all) commonRows.push_back(k);
  for (CrossValidationModel& m : cv.models) {
    const ModelEvaluation* me = nullptr;
    for (const auto& e : ev.rep.models)
      if (e.name == m.name) me = &e;
    for (const ScoredModel& sm : sc) {
      if (sm.kind != m.kind || sm.pattern != me->pattern) continue;
      std::vector<Eigen::Index> at, cat;
      for (Eigen::Index k = 0; k < sm.score.size(); ++k)
        if (std::isfinite(sm.score(k))) at.push_back(k);
      for (Eigen::Index k : commonRows)
        if (std::isfinite(sm.score(k))) cat.push_back(k);
      m.testC(r, f) = harrellOrNaN(subsetData(d, at), subsetVector(sm.score, at));
      m.commonC(r, f) = harrellOrNaN(subsetData(d, cat), subsetVector(sm.score, cat));
    }
  }
}

// Per repeat the mean C over the folds with a value; then the mean and SD over the repeats.
void summarizeCrossValidation(CrossValidationModel& m, int repeats, int folds) {
  m.testRepeatMean.resize(repeats);
  m.commonRepeatMean.resize(repeats);
  std::vector<double> tm, cm;
  for (int r = 0; r < repeats; ++r) {
    std::vector<double> t, cc;
    for (int f = 0; f < folds; ++f) {
      if (std::isfinite(m.testC(r, f))) t.push_back(m.testC(r, f));
      if (std::isfinite(m.commonC(r, f))) cc.push_back(m.commonC(r, f));
    }
    m.testRepeatMean(r) = meanOf(t);
    m.commonRepeatMean(r) = meanOf(cc);
    if (std::isfinite(m.testRepeatMean(r))) tm.push_back(m.testRepeatMean(r));
    if (std::isfinite(m.commonRepeatMean(r))) cm.push_back(m.commonRepeatMean(r));
  }
  m.testMean = meanOf(tm);
  m.testSd = sdOf(tm);
  m.commonMean = meanOf(cm);
  m.commonSd = sdOf(cm);
}

void crossValidate(Evaluation& ev, Progress& progress, const Cohort* rawCohort, const std::vector<CategoricalColumn>* rawCategorical) {
  const EvaluationOptions& o = ev.o;
  CrossValidationReport& cv = ev.rep.crossValidation;
  cv.folds = o.cvFolds;
  cv.repeats = o.cvRepeats;
  for (const ModelEvaluation& me : ev.rep.models) {
    if (me.kind == "late-complete-case") continue;  // a design comparison on the holdout split only
    CrossValidationModel m;
    m.name = me.name;
    m.kind = me.kind;
    m.testC = Eigen::MatrixXd::Constant(o.cvRepeats, o.cvFolds, kNaN);
    m.commonC = m.testC;
    cv.models.push_back(std::move(m));
  }
  Eigen::VectorXd usableEvent(static_cast<Eigen::Index>(ev.usable.size()));
  for (size_t k = 0; k < ev.usable.size(); ++k) usableEvent(static_cast<Eigen::Index>(k)) = ev.c.event(ev.usable[k]);
  for (int r = 0; r < o.cvRepeats; ++r) {
    const Eigen::VectorXi fold = assignFoldsStratified(usableEvent, o.cvFolds, o.seed + 7919ULL * static_cast<uint64_t>(r + 1));
    for (int f = 0; f < o.cvFolds; ++f) {
      std::vector<int> fitRows, outRows;
      for (size_t k = 0; k < ev.usable.size(); ++k) (fold(static_cast<Eigen::Index>(k)) == f ? outRows : fitRows).push_back(ev.usable[k]);
      const std::string where = "repeat " + std::to_string(r + 1) + ", fold " + std::to_string(f + 1);
      try {
        crossValidationFold(ev, fitRows, outRows, r, f, rawCohort, rawCategorical);
      } catch (const InputError& e) {
        cv.failures.push_back(where + ": " + e.what());
      } catch (const ModelError& e) {
        cv.failures.push_back(where + ": " + e.what());
      }
      progress.advance(kFitUnits);
    }
  }
  for (CrossValidationModel& m : cv.models) summarizeCrossValidation(m, o.cvRepeats, o.cvFolds);
}

// The evaluation, step by step (fusion_report.hpp). `rawCohort` and `rawCategorical`: the
// unencoded cohort and its categorical columns when `c` is its holdout encoding.
FusionReport evaluateImpl(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback, const Cohort* rawCohort,
                          const std::vector<CategoricalColumn>* rawCategorical) {
  validateOptions(c, o);
  FusionReport rep;
  rep.options = o;
  Evaluation ev(c, o, rep);
  ev.M = static_cast<int>(c.modalities.size());
  ev.all = (1 << ev.M) - 1;
  excludeUnscorable(ev);
  split(ev);
  if (!o.categorical.empty()) return evaluateEncoded(ev, callback);
  outcomeSets(ev);

  // Work plan for the progress bar.
  const double resample = o.bootstrap + o.permutations;
  const double comparisonUnits = 2.0 * o.bootstrap;
  const double cvFits = o.cvFolds >= 2 ? static_cast<double>(o.cvFolds) * o.cvRepeats : 0;
  auto remainingWork = [&](int models) { return kFitUnits * cvFits + 2.0 * models * resample + comparisonUnits; };
  Progress progress(callback, kFitUnits + remainingWork(2 * ev.M + 2));

  fitAndScore(ev, progress);
  scoreTestModels(ev);
  progress.rebase(remainingWork(static_cast<int>(ev.scored.size())));
  modelMetrics(ev, progress);
  comparisons(ev, progress);
  rep.riskGroups = inStep({"risk groups", "", "", -1}, [&] {
    return riskGroups(ev.family, ev.train, rep.trainRisk, ev.test, rep.testRisk, o.riskGroups, rep.horizons, rep.trainGroup, rep.testGroup,
                      o.confLevel);
  });
  inStep({"Kendall's tau of the unimodal scores", "", "", -1}, [&] { kendall(ev); });
  rep.decisionCurve = inStep({"decision curves", "", "", -1}, [&] { return decisionCurvesOfModels(ev.family, rep, ev.test, ev.commonAt, progress); });
  coefficients(ev);
  availabilityPatterns(ev);
  if (o.cvFolds >= 2) crossValidate(ev, progress, rawCohort, rawCategorical);
  progress.advance(0);
  return rep;
}

}  // namespace

}  // namespace latefuse
