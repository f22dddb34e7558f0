#include "latefuse/fusion_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numeric>

#include "latefuse/calibration.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/follow_up.hpp"
#include "latefuse/fusion_context.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/logrank.hpp"
#include "latefuse/random.hpp"
#include "latefuse/rank_correlation.hpp"
#include "latefuse/resample_statistics.hpp"
#include "latefuse/survival_metrics.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Work units of the progress bar: one resampling replicate = 1, one fusion fit = kFitUnits.
constexpr double kFitUnits = 1000;

int popcount(int mask) {
  int c = 0;
  for (; mask; mask &= mask - 1) ++c;
  return c;
}

std::vector<int> bitsOf(int mask, int M) {
  std::vector<int> out;
  for (int m = 0; m < M; ++m)
    if (mask & (1 << m)) out.push_back(m);
  return out;
}

std::string patternLabel(const std::vector<std::string>& modalities, int mask) {
  std::string label;
  for (int m : bitsOf(mask, static_cast<int>(modalities.size())))
    label += (label.empty() ? "" : "+") + modalities[static_cast<size_t>(m)];
  return label;
}

std::string patientLabel(const Cohort& c, int row) {
  const std::string number = "row " + std::to_string(row + 1);
  if (static_cast<size_t>(row) < c.ids.size() && !c.ids[static_cast<size_t>(row)].empty())
    return "patient '" + c.ids[static_cast<size_t>(row)] + "' (" + number + ")";
  return number;
}

SurvivalData subsetData(const SurvivalData& d, const std::vector<Eigen::Index>& at) {
  SurvivalData out;
  out.time.resize(static_cast<Eigen::Index>(at.size()));
  out.event.resize(static_cast<Eigen::Index>(at.size()));
  for (size_t k = 0; k < at.size(); ++k) {
    out.time(static_cast<Eigen::Index>(k)) = d.time(at[k]);
    out.event(static_cast<Eigen::Index>(k)) = d.event(at[k]);
  }
  return out;
}

Eigen::VectorXd subsetVector(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& at) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(at.size()));
  for (size_t k = 0; k < at.size(); ++k) out(static_cast<Eigen::Index>(k)) = v(at[k]);
  return out;
}

Eigen::MatrixXd subsetRows(const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& at) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(at.size()), m.cols());
  for (size_t k = 0; k < at.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = m.row(at[k]);
  return out;
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
  Eigen::VectorXd logOdds;  // binary outcomes: the log-odds of the model behind each patient's probability
};

void fillSurvival(ScoredModel& sm, const CoxFit& fit, const std::vector<Eigen::Index>& at, const Eigen::VectorXd& lp,
                  const Eigen::VectorXd& times) {
  if (times.size() == 0 || at.empty()) return;
  const Eigen::MatrixXd s = survivalAtTimes(fit, lp, Eigen::VectorXi(), times);
  for (size_t k = 0; k < at.size(); ++k) sm.survival.row(at[k]) = s.row(static_cast<Eigen::Index>(k));
}

std::vector<ScoredModel> scoreModels(const FusionModel& fm, const FusionScores& s, const Eigen::VectorXd& times) {
  const int M = static_cast<int>(fm.modalities.size());
  const Eigen::Index nr = s.fused.size();
  const bool binary = fm.outcome == OutcomeType::Binary;
  std::vector<ScoredModel> out;
  auto make = [&](std::string name, std::string kind, int pattern) {
    ScoredModel sm;
    sm.name = std::move(name);
    sm.kind = std::move(kind);
    sm.pattern = pattern;
    sm.score = Eigen::VectorXd::Constant(nr, kNaN);
    if (times.size()) sm.survival = Eigen::MatrixXd::Constant(nr, times.size(), kNaN);
    if (binary) sm.logOdds = Eigen::VectorXd::Constant(nr, kNaN);
    return sm;
  };
  // Raw (unstandardised) submodel linear predictor from the standardised score.
  auto raw = [&](int m, double standardised) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    return standardised * mm.scoreSd + mm.scoreMean;
  };
  for (int m = 0; m < M; ++m) {
    ScoredModel sm = make(fm.modalities[static_cast<size_t>(m)], "unimodal", 1 << m);
    std::vector<Eigen::Index> at;
    std::vector<double> lp;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (std::isfinite(s.unimodal(k, m))) {
        sm.score(k) = s.unimodal(k, m);
        if (binary) sm.logOdds(k) = submodelLogOdds(fm.models[static_cast<size_t>(m)], s.unimodal(k, m));
        at.push_back(k);
        lp.push_back(raw(m, s.unimodal(k, m)));
      }
    fillSurvival(sm, fm.models[static_cast<size_t>(m)].fit, at,
                 Eigen::Map<const Eigen::VectorXd>(lp.data(), static_cast<Eigen::Index>(lp.size())), times);
    out.push_back(std::move(sm));
  }
  for (const Integrator& in : fm.integrators) {
    ScoredModel sm = make("integrator " + patternLabel(fm.modalities, in.pattern), "integrator", in.pattern);
    sm.integrator = static_cast<int>(&in - fm.integrators.data());
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if ((s.pattern(k) & in.pattern) == in.pattern) at.push_back(k);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(at.size()), static_cast<Eigen::Index>(in.modalities.size()));
    for (size_t r = 0; r < at.size(); ++r)
      for (size_t j = 0; j < in.modalities.size(); ++j)
        x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = s.unimodal(at[r], in.modalities[j]);
    const Eigen::VectorXd lp = integratorLinearPredictor(in, x);
    for (size_t r = 0; r < at.size(); ++r) sm.score(at[r]) = lp(static_cast<Eigen::Index>(r));
    if (binary)
      for (size_t r = 0; r < at.size(); ++r) sm.logOdds(at[r]) = lp(static_cast<Eigen::Index>(r));
    fillSurvival(sm, in.fit, at, lp, times);
    out.push_back(std::move(sm));
  }
  {
    ScoredModel sm = make("late fusion", "late", (1 << M) - 1);
    sm.score = s.fused;
    if (binary)
      for (Eigen::Index k = 0; k < nr; ++k)
        sm.logOdds(k) = s.integrator(k) >= 0 ? s.fused(k)
                                             : submodelLogOdds(fm.models[static_cast<size_t>(bitsOf(s.usedPattern(k), M).front())], s.fused(k));
    if (times.size()) {
      // S(t) from whichever model scored the patient: grouped by that model.
      std::vector<std::vector<Eigen::Index>> byIntegrator(fm.integrators.size()), byModality(static_cast<size_t>(M));
      for (Eigen::Index k = 0; k < nr; ++k) {
        if (s.integrator(k) >= 0) byIntegrator[static_cast<size_t>(s.integrator(k))].push_back(k);
        else byModality[static_cast<size_t>(bitsOf(s.usedPattern(k), M).front())].push_back(k);
      }
      for (size_t i = 0; i < byIntegrator.size(); ++i)
        fillSurvival(sm, fm.integrators[i].fit, byIntegrator[i], subsetVector(s.fused, byIntegrator[i]), times);
      for (int m = 0; m < M; ++m) {
        const auto& at = byModality[static_cast<size_t>(m)];
        Eigen::VectorXd lp(static_cast<Eigen::Index>(at.size()));
        for (size_t k = 0; k < at.size(); ++k) lp(static_cast<Eigen::Index>(k)) = raw(m, s.fused(at[k]));
        fillSurvival(sm, fm.models[static_cast<size_t>(m)].fit, at, lp, times);
      }
    }
    out.push_back(std::move(sm));
  }
  if (fm.early.fitted) {
    ScoredModel sm = make("early fusion", "early", (1 << M) - 1);
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < nr; ++k)
      if (s.earlyScored[static_cast<size_t>(k)]) {
        sm.score(k) = s.early(k);
        if (binary) sm.logOdds(k) = s.early(k);
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

struct MetricPlan {
  const SurvivalData* train = nullptr;
  Eigen::VectorXd horizons, ibsTimes;
  double tau = kInf;
  const EvaluationOptions* options = nullptr;
  bool binary = false;
};

// Binary metrics beyond the AUC: DeLong CI, Brier score, logistic calibration (see the header).
void binaryMetrics(SubsetMetrics& r, const SurvivalData& d, const Eigen::VectorXd& score, const Eigen::VectorXd& logOdds,
                   double confLevel, const std::string& what) {
  const Eigen::VectorXd& y = d.event;
  try {
    const BinaryAuc a = binaryAuc(y, score, confLevel);
    r.delongSe = a.se;
    r.delongLower = a.lower;
    r.delongUpper = a.upper;
  } catch (const std::exception& e) {
    r.warnings.push_back(what + ": no DeLong interval: " + e.what());
  }
  Eigen::VectorXd prob(logOdds.size());
  for (Eigen::Index i = 0; i < prob.size(); ++i) prob(i) = logistic(logOdds(i));
  try {
    r.brier = binaryBrier(y, prob);
  } catch (const std::exception& e) {
    r.warnings.push_back(what + ": no Brier score: " + e.what());
  }
  try {
    const LogisticCalibration cal = logisticCalibration(y, logOdds);
    r.calibrationIntercept = cal.intercept;
    r.calibrationSlope = cal.slope;
  } catch (const std::exception& e) {
    r.warnings.push_back(what + ": no calibration: " + e.what());
  }
}

SubsetMetrics evaluateSubset(const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score,
                             const Eigen::MatrixXd& survival, const Eigen::VectorXd& logOdds, Progress& progress,
                             const std::string& what) {
  const EvaluationOptions& o = *plan.options;
  SubsetMetrics r;
  r.n = static_cast<int>(d.size());
  r.events = static_cast<int>(d.event.sum());
  r.c = r.cLower = r.cUpper = r.permutationP = r.unoC = r.ibs = kNaN;
  r.delongSe = r.delongLower = r.delongUpper = r.brier = r.calibrationIntercept = r.calibrationSlope = kNaN;
  if (plan.binary) {
    r.cases = r.events;
    r.controls = r.n - r.events;
  }
  for (Eigen::Index h = 0; h < plan.horizons.size(); ++h) r.auc.push_back({plan.horizons(h), kNaN});
  const double resampleUnits = o.bootstrap + o.permutations;
  if (r.n < 2 || r.events == 0 || (plan.binary && r.controls == 0)) {
    r.warnings.push_back(what + ": " + std::to_string(r.n) + " patients with " + std::to_string(r.events) +
                         (plan.binary ? " cases; no AUC exists without both cases and controls" : " events; no discrimination statistic exists"));
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
    BootstrapOptions bo;
    bo.replicates = o.bootstrap;
    bo.seed = o.seed;
    bo.confLevel = o.confLevel;
    bo.chunk = o.chunk;
    bo.progress = progress.step(o.bootstrap);
    try {
      const BootstrapResult b = bootstrap(d.size(), harrellStatistic(engine), bo);
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
  if (plan.binary) {
    binaryMetrics(r, d, score, logOdds, o.confLevel, what);
    return r;
  }
  try {
    r.unoC = unoConcordance(*plan.train, d, score, plan.tau).c;
  } catch (const std::invalid_argument& e) {
    r.warnings.push_back(what + ": no Uno C: " + e.what());
  } catch (const ModelError& e) {
    r.warnings.push_back(what + ": no Uno C: " + e.what());
  }
  const double tmin = d.time.minCoeff(), tmax = d.time.maxCoeff();
  std::vector<Eigen::Index> usable;
  for (Eigen::Index h = 0; h < plan.horizons.size(); ++h)
    if (plan.horizons(h) >= tmin && plan.horizons(h) < tmax) usable.push_back(h);
  if (usable.size() < static_cast<size_t>(plan.horizons.size()))
    r.warnings.push_back(what + ": AUC(t) needs min time <= t < max time (" + std::to_string(tmin) + ", " + std::to_string(tmax) +
                         "); horizons outside are null");
  for (Eigen::Index h : usable) {
    try {
      Eigen::VectorXd t(1);
      t(0) = plan.horizons(h);
      r.auc[static_cast<size_t>(h)].auc = cumulativeDynamicAuc(*plan.train, d, score, t).auc(0);
    } catch (const std::invalid_argument& e) {
      r.warnings.push_back(what + ": no AUC at " + std::to_string(plan.horizons(h)) + ": " + e.what());
    } catch (const ModelError& e) {
      r.warnings.push_back(what + ": no AUC at " + std::to_string(plan.horizons(h)) + ": " + e.what());
    }
  }
  if (survival.rows() == d.size() && plan.ibsTimes.size() >= 2) {
    std::vector<Eigen::Index> cols;
    for (Eigen::Index k = 0; k < plan.ibsTimes.size(); ++k)
      if (plan.ibsTimes(k) >= tmin && plan.ibsTimes(k) < tmax) cols.push_back(k);
    if (cols.size() >= 2) {
      Eigen::VectorXd t(static_cast<Eigen::Index>(cols.size()));
      Eigen::MatrixXd s(survival.rows(), t.size());
      for (size_t k = 0; k < cols.size(); ++k) {
        t(static_cast<Eigen::Index>(k)) = plan.ibsTimes(cols[k]);
        s.col(static_cast<Eigen::Index>(k)) = survival.col(cols[k]);
      }
      try {
        r.ibs = integratedBrierScore(*plan.train, d, s, t);
      } catch (const std::invalid_argument& e) {
        r.warnings.push_back(what + ": no integrated Brier score: " + e.what());
      } catch (const ModelError& e) {
        r.warnings.push_back(what + ": no integrated Brier score: " + e.what());
      }
    } else {
      r.warnings.push_back(what + ": fewer than 2 Brier-score times lie within this subset's follow-up; no integrated Brier score");
    }
  }
  return r;
}

// ---- risk groups ----------------------------------------------------------------------------

Eigen::VectorXi groupCodes(const Eigen::VectorXd& score, const std::vector<double>& cuts) {
  Eigen::VectorXi g(score.size());
  for (Eigen::Index i = 0; i < score.size(); ++i) {
    int k = 0;
    for (double c : cuts)
      if (score(i) > c) ++k;
    g(i) = k;
  }
  return g;
}

RiskGroupSet summarizeGroups(const SurvivalData& d, const Eigen::VectorXi& g, int groups, const Eigen::VectorXd& horizons,
                             const std::string& what) {
  static const char* two[] = {"low", "high"};
  static const char* three[] = {"low", "intermediate", "high"};
  RiskGroupSet set;
  set.chisq = set.logRankP = kNaN;
  int nonEmpty = 0;
  for (int k = 0; k < groups; ++k) {
    RiskGroupSummary s;
    s.label = groups == 2 ? two[k] : three[k];
    std::vector<Eigen::Index> at;
    for (Eigen::Index i = 0; i < g.size(); ++i)
      if (g(i) == k) at.push_back(i);
    s.n = static_cast<int>(at.size());
    s.median = s.medianLower = s.medianUpper = kNaN;
    s.survival.assign(static_cast<size_t>(horizons.size()), kNaN);
    s.lower = s.upper = s.survival;
    if (!at.empty()) {
      ++nonEmpty;
      const SurvivalData sub = subsetData(d, at);
      s.events = sub.event.sum();
      const KaplanMeierCurve curve = kaplanMeier(sub);
      const SurvivalQuantile q = survivalQuantile(curve, 0.5);
      s.median = q.quantile;
      s.medianLower = q.lower;
      s.medianUpper = q.upper;
      if (horizons.size()) {
        const KaplanMeierAt a = kaplanMeierAt(curve, horizons);
        for (Eigen::Index h = 0; h < horizons.size(); ++h) {
          s.survival[static_cast<size_t>(h)] = a.surv(h);
          s.lower[static_cast<size_t>(h)] = a.lower(h);
          s.upper[static_cast<size_t>(h)] = a.upper(h);
        }
      }
    } else {
      set.warnings.push_back(what + ": the " + s.label + "-risk group is empty");
    }
    set.groups.push_back(std::move(s));
  }
  if (nonEmpty >= 2) {
    try {
      const LogRankTest t = logRankTest(d, g);
      set.chisq = t.chisq;
      set.df = t.df;
      set.logRankP = t.p;
    } catch (const std::exception& e) {
      set.warnings.push_back(what + ": no log-rank test: " + e.what());
    }
  } else {
    set.warnings.push_back(what + ": fewer than two non-empty risk groups; no log-rank test");
  }
  return set;
}

// Pearson's chi-square test of equal proportions of y = 1 across the non-empty groups
// (R chisq.test(table(g, y), correct = FALSE)). Returns {chisq, df, p}; NaN when it does not exist.
struct ProportionTest {
  double chisq = kNaN, p = kNaN;
  int df = 0;
};
ProportionTest proportionTest(const Eigen::VectorXd& y, const Eigen::VectorXi& g, int groups) {
  std::vector<double> n(static_cast<size_t>(groups), 0), cases(static_cast<size_t>(groups), 0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    n[static_cast<size_t>(g(i))] += 1;
    cases[static_cast<size_t>(g(i))] += y(i);
  }
  const double N = static_cast<double>(y.size()), C = y.sum();
  ProportionTest t;
  int nonEmpty = 0;
  for (double v : n) nonEmpty += v > 0;
  if (nonEmpty < 2 || C == 0 || C == N) return t;
  double chisq = 0;
  for (int k = 0; k < groups; ++k) {
    if (n[static_cast<size_t>(k)] == 0) continue;
    const double e1 = n[static_cast<size_t>(k)] * C / N, e0 = n[static_cast<size_t>(k)] * (N - C) / N;
    const double o1 = cases[static_cast<size_t>(k)], o0 = n[static_cast<size_t>(k)] - o1;
    chisq += (o1 - e1) * (o1 - e1) / e1 + (o0 - e0) * (o0 - e0) / e0;
  }
  t.chisq = chisq;
  t.df = nonEmpty - 1;
  t.p = chiSquareUpper(chisq, t.df);
  return t;
}

RiskGroupSet summarizeGroupsBinary(const Eigen::VectorXd& y, const Eigen::VectorXi& g, int groups, double confLevel,
                                   const std::string& what) {
  static const char* two[] = {"low", "high"};
  static const char* three[] = {"low", "intermediate", "high"};
  RiskGroupSet set;
  set.binary = true;
  set.chisq = set.logRankP = set.proportionP = kNaN;
  const double z = normalQuantile(1 - (1 - confLevel) / 2);
  for (int k = 0; k < groups; ++k) {
    RiskGroupSummary s;
    s.label = groups == 2 ? two[k] : three[k];
    s.median = s.medianLower = s.medianUpper = kNaN;
    s.proportion = s.proportionLower = s.proportionUpper = kNaN;
    for (Eigen::Index i = 0; i < g.size(); ++i)
      if (g(i) == k) {
        ++s.n;
        s.events += y(i);
      }
    if (s.n > 0) {
      // Wilson score interval (R prop.test(correct = FALSE)$conf.int).
      const double n = s.n, p = s.events / n, z2 = z * z;
      const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
      const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
      s.proportion = p;
      s.proportionLower = std::max(0.0, centre - half);
      s.proportionUpper = std::min(1.0, centre + half);
    } else {
      set.warnings.push_back(what + ": the " + s.label + "-risk group is empty");
    }
    set.groups.push_back(std::move(s));
  }
  const ProportionTest t = proportionTest(y, g, groups);
  set.chisq = t.chisq;
  set.df = t.df;
  set.proportionP = t.p;
  if (!std::isfinite(t.p))
    set.warnings.push_back(what + ": fewer than two non-empty risk groups, or only one outcome; no chi-square test");
  return set;
}

RiskGroupReport riskGroups(const SurvivalData& train, const Eigen::VectorXd& trainScore, const SurvivalData& test,
                           const Eigen::VectorXd& testScore, RiskGrouping method, const Eigen::VectorXd& horizons,
                           Eigen::VectorXi& trainGroup, Eigen::VectorXi& testGroup, bool binary, double confLevel) {
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
    double bestP = kInf, bestCut = kNaN;
    for (int pct = 33; pct <= 67; ++pct) {
      Eigen::VectorXd p(1);
      p << pct / 100.0;
      const double cut = quantileType7(trainScore, p)(0);
      const Eigen::VectorXi g = groupCodes(trainScore, {cut});
      const int high = g.sum();
      if (high == 0 || high == g.size()) continue;
      try {
        const double pv = binary ? proportionTest(train.event, g, 2).p : logRankTest(train, g).p;
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
                       (binary ? "chi-square" : "log-rank") + " test; use the median");
    r.cutpoints = {bestCut};
  }
  trainGroup = groupCodes(trainScore, r.cutpoints);
  testGroup = groupCodes(testScore, r.cutpoints);
  if (binary) {
    r.train = summarizeGroupsBinary(train.event, trainGroup, groups, confLevel, "training risk groups");
    r.test = summarizeGroupsBinary(test.event, testGroup, groups, confLevel, "test risk groups");
  } else {
    r.train = summarizeGroups(train, trainGroup, groups, horizons, "training risk groups");
    r.test = summarizeGroups(test, testGroup, groups, horizons, "test risk groups");
  }
  if (r.optimistic)
    r.train.warnings.push_back("the cut-point was chosen to minimise this p-value, so it is optimistic; judge the groups by the test p");
  return r;
}

// ---- decision curves ------------------------------------------------------------------------

// The net benefit of late fusion, early fusion and each unimodal model on the test patients at the
// decision horizon (fusion_decision_curve.hpp). Risk = 1 - S(horizon) from the model that scored the
// patient, or the predicted probability (binary). Integrators are covered by late fusion.
FusionDecisionCurves decisionCurvesOfModels(const FusionReport& rep, const SurvivalData& test, const std::vector<Eigen::Index>& commonAt,
                                            bool binary, Progress& progress) {
  double horizon = kNaN;
  if (!binary) {
    horizon = rep.options.decisionHorizon > 0 ? rep.options.decisionHorizon
              : rep.horizons.size()           ? rep.horizons((rep.horizons.size() - 1) / 2)
                                              : kNaN;
  }
  Eigen::VectorXd times;
  if (!binary && std::isfinite(horizon)) times = Eigen::VectorXd::Constant(1, horizon);
  std::vector<ModelRisk> risks;
  for (const ScoredModel& sm : scoreModels(rep.model, rep.testScores, times)) {
    if (sm.kind == "integrator") continue;
    ModelRisk mr{sm.name, sm.kind, Eigen::VectorXd::Constant(sm.score.size(), kNaN)};
    for (Eigen::Index k = 0; k < sm.score.size(); ++k) {
      if (!std::isfinite(sm.score(k))) continue;
      if (binary) mr.risk(k) = logistic(sm.logOdds(k));
      else if (times.size()) mr.risk(k) = 1 - sm.survival(k, 0);
    }
    risks.push_back(std::move(mr));
  }
  FusionDecisionOptions o;
  o.bootstrap = rep.options.bootstrap;
  o.seed = rep.options.seed;
  o.confLevel = rep.options.confLevel;
  o.chunk = rep.options.chunk;
  o.progress = progress.step(0);
  return fusionDecisionCurves(test, risks, commonAt, horizon, binary, o);
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

// Quartiles (type 7) of the training event times, rounded to 3 significant digits, kept when > 0,
// below the longest training follow-up and increasing (the same rule as model_json.hpp's
// trainingExtras, so the model file and the report use the same horizons).
Eigen::VectorXd defaultHorizons(const SurvivalData& train) {
  std::vector<double> ev;
  for (Eigen::Index i = 0; i < train.size(); ++i)
    if (train.event(i) == 1) ev.push_back(train.time(i));
  if (ev.empty()) return Eigen::VectorXd();
  const double maxTime = train.time.maxCoeff();
  Eigen::VectorXd p(3);
  p << 0.25, 0.5, 0.75;
  const Eigen::VectorXd q = quantileType7(Eigen::Map<const Eigen::VectorXd>(ev.data(), static_cast<Eigen::Index>(ev.size())), p);
  std::vector<double> out;
  for (Eigen::Index k = 0; k < q.size(); ++k) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", q(k));
    const double t = std::strtod(buf, nullptr);
    if (t > 0 && t < maxTime && (out.empty() || t > out.back())) out.push_back(t);
  }
  return Eigen::Map<const Eigen::VectorXd>(out.data(), static_cast<Eigen::Index>(out.size()));
}

Eigen::VectorXd ibsGrid(const SurvivalData& train, int points) {
  std::vector<double> ev;
  for (Eigen::Index i = 0; i < train.size(); ++i)
    if (train.event(i) == 1) ev.push_back(train.time(i));
  if (points < 2 || ev.size() < 2) return Eigen::VectorXd();
  Eigen::VectorXd p(2);
  p << 0.1, 0.8;
  const Eigen::VectorXd q = quantileType7(Eigen::Map<const Eigen::VectorXd>(ev.data(), static_cast<Eigen::Index>(ev.size())), p);
  if (!(q(1) > q(0))) return Eigen::VectorXd();
  return Eigen::VectorXd::LinSpaced(points, q(0), q(1));
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
  if (c.outcome == OutcomeType::Binary) {
    if (o.horizons.size())
      throw InputError("evaluation: horizons apply to survival outcomes only; leave them out for a binary outcome");
    if (c.event.size() != c.x.rows()) throw InputError("evaluation: the cohort needs the 0/1 outcome for every patient");
    for (Eigen::Index i = 0; i < c.x.rows(); ++i)
      if (c.event(i) != 0 && c.event(i) != 1)
        throw InputError("evaluation: the outcome of " + patientLabel(c, static_cast<int>(i)) + " is " +
                         (std::isnan(c.event(i)) ? std::string("missing") : std::to_string(c.event(i))) +
                         "; a binary outcome must be 0 or 1 (fix it or remove the patient)");
    return;
  }
  if (c.time.size() != c.x.rows() || c.event.size() != c.x.rows())
    throw InputError("evaluation: the cohort needs time and event for every patient");
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) {
    if (!std::isfinite(c.time(i)) || c.time(i) < 0)
      throw InputError("evaluation: the time of " + patientLabel(c, static_cast<int>(i)) +
                       " is missing or negative; fix it or remove the patient");
    if (c.event(i) != 0 && c.event(i) != 1)
      throw InputError("evaluation: the event of " + patientLabel(c, static_cast<int>(i)) + " must be 0 or 1");
  }
}

}  // namespace

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

CoefficientTable logisticTable(std::string model, std::string kind, const LogisticFit& f) {
  CoefficientTable t;
  t.model = std::move(model);
  t.kind = std::move(kind);
  t.terms = f.names;
  for (Eigen::Index j = 0; j < f.coef.size(); ++j)
    t.rows.push_back({f.coef(j), f.se(j), f.oddsRatio(j), f.orLower(j), f.orUpper(j), f.z(j), f.pValue(j)});
  return t;
}

// `raw` and `categorical`: the unencoded cohort and its categorical columns when `c` is its holdout
// encoding (each CV fold is then encoded on its own training rows).
FusionReport evaluateImpl(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback, const Cohort* raw,
                          const std::vector<CategoricalColumn>* categorical);

}  // namespace

FusionReport evaluateFusion(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback) {
  return evaluateImpl(c, o, callback, nullptr, nullptr);
}

namespace {

FusionReport evaluateImpl(const Cohort& c, const EvaluationOptions& o, const ProgressCallback& callback, const Cohort* rawCohort,
                          const std::vector<CategoricalColumn>* rawCategorical) {
  validateOptions(c, o);
  const bool binary = c.outcome == OutcomeType::Binary;
  FusionReport rep;
  rep.options = o;
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::MatrixXi present = modalityPresence(c, o.fusion.presence);
  const int all = (1 << M) - 1;
  std::vector<int> usable;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) {
    if (present.row(i).sum() == 0) rep.excluded.push_back(static_cast<int>(i));
    else usable.push_back(static_cast<int>(i));
  }
  if (!rep.excluded.empty())
    rep.warnings.push_back(std::to_string(rep.excluded.size()) + " patients have no modality at all (first: " +
                           patientLabel(c, rep.excluded.front()) + "); they are left out of training and testing");

  // Split.
  rep.randomSplit = o.testIndicator.size() == 0;
  if (rep.randomSplit) {
    randomSplit(c, usable, o.testFraction, o.seed, rep.trainRows, rep.testRows);
  } else {
    for (int r : usable) (o.testIndicator(r) == 1 ? rep.testRows : rep.trainRows).push_back(r);
  }
  if (rep.testRows.empty())
    throw InputError("evaluation: the test set is empty; mark some patients as test or raise the test fraction");
  if (rep.trainRows.size() < 2) throw InputError("evaluation: fewer than 2 training patients; mark fewer patients as test");
  if (!o.categorical.empty()) {
    // Encode on the training rows of this split, then evaluate the encoded cohort on the same split.
    std::vector<CategoricalEncoding> encodings;
    Cohort encodedCohort = encodeCohort(c, o.categorical, rep.trainRows, encodings);
    EvaluationOptions inner = o;
    inner.categorical.clear();
    inner.testIndicator = Eigen::VectorXi::Zero(c.x.rows());
    for (int r : rep.testRows) inner.testIndicator(r) = 1;
    FusionReport out = evaluateImpl(encodedCohort, inner, callback, &c, &o.categorical);
    out.options = o;
    out.randomSplit = rep.randomSplit;
    out.model.encodings = std::move(encodings);
    out.encoded = true;
    out.cohort = std::move(encodedCohort);
    return out;
  }
  const SurvivalData train = survivalRows(c, rep.trainRows);
  const SurvivalData test = survivalRows(c, rep.testRows);
  rep.trainEvents = static_cast<int>(train.event.sum());
  rep.testEvents = static_cast<int>(test.event.sum());
  if (binary) {
    if (rep.trainEvents == 0 || rep.trainEvents == static_cast<int>(rep.trainRows.size()))
      throw ModelError("evaluation: " + std::string(rep.trainEvents == 0 ? "none" : "all") + " of the " + std::to_string(rep.trainRows.size()) +
                       " training patients have the outcome (y = 1); a logistic model needs both outcomes");
    if (rep.testEvents == 0 || rep.testEvents == static_cast<int>(rep.testRows.size()))
      throw ModelError("evaluation: " + std::string(rep.testEvents == 0 ? "none" : "all") + " of the " + std::to_string(rep.testRows.size()) +
                       " test patients have the outcome (y = 1), so no AUC can be computed; use a larger test fraction, another seed or another split");
  }
  if (rep.trainEvents == 0)
    throw ModelError("evaluation: none of the " + std::to_string(rep.trainRows.size()) + " training patients has an event; no survival model can be fitted");
  if (rep.testEvents == 0)
    throw ModelError("evaluation: none of the " + std::to_string(rep.testRows.size()) +
                     " test patients has an event, so no concordance can be computed; use a larger test fraction, another seed or another split");
  if (binary) {
    rep.tau = kNaN;
  } else if (o.horizons.size()) {
    std::vector<double> h(o.horizons.data(), o.horizons.data() + o.horizons.size());
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
    rep.horizons = Eigen::Map<const Eigen::VectorXd>(h.data(), static_cast<Eigen::Index>(h.size()));
  } else {
    rep.horizons = defaultHorizons(train);
  }
  if (!binary) {
    rep.tau = o.tau > 0 ? o.tau : (rep.horizons.size() ? rep.horizons.maxCoeff() : kInf);
    rep.ibsTimes = ibsGrid(train, o.ibsPoints);
  }

  // Work plan for the progress bar.
  const double resample = o.bootstrap + o.permutations;
  const double comparisons = 2.0 * o.bootstrap;
  const double cvFits = o.cvFolds >= 2 ? static_cast<double>(o.cvFolds) * o.cvRepeats : 0;
  auto remainingWork = [&](int models) { return kFitUnits * cvFits + 2.0 * models * resample + comparisons; };
  Progress progress(callback, kFitUnits + remainingWork(2 * M + 2));

  // Fit on training patients only; score both sets.
  rep.model = fitFusion(c, rep.trainRows, o.fusion);
  for (const auto& w : rep.model.warnings) rep.warnings.push_back("model: " + w);
  progress.advance(kFitUnits);
  rep.trainScores = inStep({"scoring the training patients", "", "", -1}, [&] { return scoreFusion(rep.model, c, rep.trainRows); });
  rep.testScores = inStep({"scoring the test patients", "", "", -1}, [&] { return scoreFusion(rep.model, c, rep.testRows); });
  {
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
  }
  for (size_t k = 0; k < rep.testRows.size(); ++k)
    if (rep.testScores.pattern(static_cast<Eigen::Index>(k)) == all) rep.commonTest.push_back(rep.testRows[k]);
  if (rep.commonTest.empty())
    rep.warnings.push_back("no test patient has every modality: the 'common' comparisons are empty");

  // Models on the test set.
  std::vector<ScoredModel> scored = scoreModels(rep.model, rep.testScores, rep.ibsTimes);
  {
    // The study's central comparison as a model of its own: the whole late-fusion pipeline
    // (submodels and integrators) trained only on the training patients with every modality.
    std::vector<int> completeTrain;
    for (size_t k = 0; k < rep.trainRows.size(); ++k)
      if (rep.trainScores.pattern(static_cast<Eigen::Index>(k)) == all) completeTrain.push_back(rep.trainRows[k]);
    try {
      FusionOptions cco = o.fusion;
      cco.earlyFusion = false;
      const FusionModel cc = fitFusion(c, completeTrain, cco);
      for (ScoredModel& sm : scoreModels(cc, scoreFusion(cc, c, rep.testRows), rep.ibsTimes))
        if (sm.kind == "late") {
          sm.name = "late fusion (complete-case training)";
          sm.kind = "late-complete-case";
          scored.push_back(std::move(sm));
        }
    } catch (const std::exception& e) {  // InputError or ModelError: too few complete cases
      rep.warnings.push_back("late fusion trained on the " + std::to_string(completeTrain.size()) +
                             " complete-case training patients was not fitted: " + e.what());
    }
  }
  progress.rebase(remainingWork(static_cast<int>(scored.size())));
  MetricPlan plan;
  plan.train = &train;
  plan.horizons = rep.horizons;
  plan.ibsTimes = rep.ibsTimes;
  plan.tau = rep.tau;
  plan.options = &o;
  plan.binary = binary;
  std::vector<Eigen::Index> commonAt;
  for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(rep.testRows.size()); ++k)
    if (rep.testScores.pattern(k) == all) commonAt.push_back(k);
  for (const ScoredModel& sm : scored) {
    ModelEvaluation ev;
    ev.name = sm.name;
    ev.kind = sm.kind;
    ev.pattern = sm.pattern;
    for (int m : bitsOf(sm.pattern, M)) ev.modalities.push_back(c.modalities[static_cast<size_t>(m)]);
    std::vector<Eigen::Index> at;
    for (Eigen::Index k = 0; k < sm.score.size(); ++k)
      if (std::isfinite(sm.score(k))) at.push_back(k);
    const Eigen::MatrixXd noSurvival;
    const Eigen::VectorXd noLogOdds;
    ev.test = evaluateSubset(plan, subsetData(test, at), subsetVector(sm.score, at),
                             sm.survival.size() ? subsetRows(sm.survival, at) : noSurvival,
                             binary ? subsetVector(sm.logOdds, at) : noLogOdds, progress, sm.name + " (test)");
    std::vector<Eigen::Index> cat;
    for (Eigen::Index k : commonAt)
      if (std::isfinite(sm.score(k))) cat.push_back(k);
    ev.common = evaluateSubset(plan, subsetData(test, cat), subsetVector(sm.score, cat),
                               sm.survival.size() ? subsetRows(sm.survival, cat) : noSurvival,
                               binary ? subsetVector(sm.logOdds, cat) : noLogOdds, progress, sm.name + " (common)");
    if (sm.integrator >= 0) {
      // The test patients this integrator actually scored (their own pattern, or its fallback).
      std::vector<Eigen::Index> sat;
      for (Eigen::Index k = 0; k < sm.score.size(); ++k)
        if (rep.testScores.integrator(k) == sm.integrator) sat.push_back(k);
      ev.hasScored = true;
      ev.scored = evaluateSubset(plan, subsetData(test, sat), subsetVector(sm.score, sat),
                                 sm.survival.size() ? subsetRows(sm.survival, sat) : noSurvival,
                                 binary ? subsetVector(sm.logOdds, sat) : noLogOdds, progress, sm.name + " (scored by it)");
    }
    rep.models.push_back(std::move(ev));
  }
  if (!rep.model.early.fitted) rep.warnings.push_back("early fusion was not fitted, so it is not evaluated (see the model warnings)");

  // Paired bootstrap of Delta C on the common test patients.
  const SurvivalData common = subsetData(test, commonAt);
  auto findModel = [&](const std::string& kind) -> const ScoredModel* {
    for (const auto& sm : scored)
      if (sm.kind == kind) return &sm;
    return nullptr;
  };
  const ScoredModel* late = findModel("late");
  const ScoredModel* bestUni = nullptr;
  double bestC = -kInf;
  for (size_t k = 0; k < scored.size(); ++k)
    if (scored[k].kind == "unimodal" && std::isfinite(rep.models[k].common.c) && rep.models[k].common.c > bestC) {
      bestC = rep.models[k].common.c;
      bestUni = &scored[k];
    }
  auto compare = [&](const std::string& name, const ScoredModel* b, const std::string& missing) {
    CIndexComparison cmp;
    cmp.name = name;
    cmp.a = late->name;
    cmp.b = b ? b->name : "";
    cmp.n = static_cast<int>(commonAt.size());
    cmp.cA = cmp.cB = cmp.delta = cmp.lower = cmp.upper = kNaN;
    const bool usableCommon = commonAt.size() >= 2 && common.event.sum() > 0 &&
                              (!binary || common.event.sum() < static_cast<double>(commonAt.size()));
    if (!b || !usableCommon) {
      cmp.warnings.push_back(!b ? missing : "fewer than 2 common test patients or no events among them; no comparison");
      progress.advance(o.bootstrap);
      return cmp;
    }
    const Eigen::VectorXd sa = subsetVector(late->score, commonAt), sb = subsetVector(b->score, commonAt);
    try {
      auto ea = std::make_shared<const HarrellEngine>(common, sa, true);
      auto eb = std::make_shared<const HarrellEngine>(common, sb, true);
      cmp.cA = ea->evaluate(nullptr, nullptr);
      cmp.cB = eb->evaluate(nullptr, nullptr);
      cmp.delta = cmp.cA - cmp.cB;
      if (o.bootstrap > 0) {
        BootstrapOptions bo;
        bo.replicates = o.bootstrap;
        bo.seed = o.seed;
        bo.confLevel = o.confLevel;
        bo.chunk = o.chunk;
        bo.progress = progress.step(o.bootstrap);
        const PairedBootstrapResult pb = pairedBootstrap(common.size(), harrellStatistic(ea), harrellStatistic(eb), bo);
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
  };
  rep.comparisons.push_back(compare("late_vs_early", findModel("early"), "early fusion is not available"));
  rep.comparisons.push_back(compare("late_vs_best_unimodal", bestUni, "no unimodal model has a C on the common test patients"));
  rep.comparisons.push_back(compare("late_vs_late_complete_case", findModel("late-complete-case"),
                                    "late fusion with complete-case training is not available (see the warnings)"));

  // Risk groups of the late-fusion score.
  rep.riskGroups = inStep({"risk groups", "", "", -1}, [&] {
    return riskGroups(train, rep.trainRisk, test, rep.testRisk, o.riskGroups, rep.horizons, rep.trainGroup, rep.testGroup, binary, o.confLevel);
  });

  // Kendall's tau of the unimodal scores.
  inStep({"Kendall's tau of the unimodal scores", "", "", -1}, [&] {
    const CorrelationMatrix kt = rankCorrelationMatrix(rep.trainScores.unimodal, RankMethod::Kendall, c.modalities);
    rep.kendallTrain = {kt.estimate, kt.p, kt.n, kt.warnings};
    const CorrelationMatrix ks = rankCorrelationMatrix(rep.testScores.unimodal, RankMethod::Kendall, c.modalities);
    rep.kendallTest = {ks.estimate, ks.p, ks.n, ks.warnings};
  });

  rep.decisionCurve = inStep({"decision curves", "", "", -1}, [&] { return decisionCurvesOfModels(rep, test, commonAt, binary, progress); });

  // Coefficients.
  for (const ModalityModel& mm : rep.model.models) {
    if (binary) {
      rep.coefficients.push_back(logisticTable(mm.name, "unimodal", mm.logit));
      continue;
    }
    CoefficientTable t;
    t.model = mm.name;
    t.kind = "unimodal";
    for (int s : mm.selected) t.terms.push_back(c.columns[static_cast<size_t>(mm.columns[static_cast<size_t>(s)])]);
    t.rows = summarizeCoefficients(mm.fit, false, o.confLevel);
    rep.coefficients.push_back(std::move(t));
  }
  for (const Integrator& in : rep.model.integrators) {
    if (binary) {
      rep.coefficients.push_back(logisticTable("integrator " + patternLabel(c.modalities, in.pattern), "integrator", in.logit));
      continue;
    }
    CoefficientTable t;
    t.model = "integrator " + patternLabel(c.modalities, in.pattern);
    t.kind = "integrator";
    for (int m : in.modalities) t.terms.push_back(c.modalities[static_cast<size_t>(m)]);
    t.rows = summarizeCoefficients(in.fit, false, o.confLevel);
    rep.coefficients.push_back(std::move(t));
  }
  if (rep.model.early.fitted && binary) {
    rep.coefficients.push_back(logisticTable("early fusion", "early", rep.model.early.logit));
  } else if (rep.model.early.fitted) {
    CoefficientTable t;
    t.model = "early fusion";
    t.kind = "early";
    for (int j : rep.model.early.columns) t.terms.push_back(c.columns[static_cast<size_t>(j)]);
    t.rows = summarizeCoefficients(rep.model.early.fit, false, o.confLevel);
    rep.coefficients.push_back(std::move(t));
  }

  // Availability patterns.
  for (const auto& [pattern, count] : rep.model.trainingPatterns) {
    PatternSummary p;
    p.pattern = pattern;
    p.patients = count;
    for (size_t k = 0; k < rep.trainRows.size(); ++k)
      if (rep.trainScores.pattern(static_cast<Eigen::Index>(k)) == pattern) p.events += static_cast<int>(train.event(static_cast<Eigen::Index>(k)));
    for (const Integrator& in : rep.model.integrators)
      if (in.pattern == pattern) p.integrator = true;
    p.usedPattern = resolvePattern(rep.model, pattern).second;
    rep.trainPatterns.push_back(p);
  }
  {
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
          p.events += static_cast<int>(test.event(k));
          p.usedPattern = rep.testScores.usedPattern(k);
        }
      for (const Integrator& in : rep.model.integrators)
        if (in.pattern == mask) p.integrator = true;
      rep.testPatterns.push_back(p);
    }
  }

  // Repeated K-fold cross-validation (Harrell's C only).
  if (o.cvFolds >= 2) {
    CrossValidationReport& cv = rep.crossValidation;
    cv.folds = o.cvFolds;
    cv.repeats = o.cvRepeats;
    for (const ModelEvaluation& ev : rep.models) {
      if (ev.kind == "late-complete-case") continue;  // a design comparison on the holdout split only
      CrossValidationModel m;
      m.name = ev.name;
      m.kind = ev.kind;
      m.testC = Eigen::MatrixXd::Constant(o.cvRepeats, o.cvFolds, kNaN);
      m.commonC = m.testC;
      cv.models.push_back(std::move(m));
    }
    Eigen::VectorXd usableEvent(static_cast<Eigen::Index>(usable.size()));
    for (size_t k = 0; k < usable.size(); ++k) usableEvent(static_cast<Eigen::Index>(k)) = c.event(usable[k]);
    for (int r = 0; r < o.cvRepeats; ++r) {
      const Eigen::VectorXi fold = assignFoldsStratified(usableEvent, o.cvFolds, o.seed + 7919ULL * static_cast<uint64_t>(r + 1));
      for (int f = 0; f < o.cvFolds; ++f) {
        std::vector<int> fitRows, outRows;
        for (size_t k = 0; k < usable.size(); ++k) (fold(static_cast<Eigen::Index>(k)) == f ? outRows : fitRows).push_back(usable[k]);
        const std::string where = "repeat " + std::to_string(r + 1) + ", fold " + std::to_string(f + 1);
        try {
          // Categorical columns: this fold's own encoding, fitted on its training rows.
          Cohort foldEncoded;
          const Cohort* fc = &c;
          if (rawCohort) {
            std::vector<CategoricalEncoding> unused;
            foldEncoded = encodeCohort(*rawCohort, *rawCategorical, fitRows, unused);
            fc = &foldEncoded;
          }
          const FusionModel fm = fitFusion(*fc, fitRows, o.fusion);
          const FusionScores s = scoreFusion(fm, *fc, outRows);
          const SurvivalData d = survivalRows(*fc, outRows);
          const std::vector<ScoredModel> sc = scoreModels(fm, s, Eigen::VectorXd());
          std::vector<Eigen::Index> commonRows;
          for (Eigen::Index k = 0; k < s.pattern.size(); ++k)
            if (s.pattern(k) == all) commonRows.push_back(k);
          for (CrossValidationModel& m : cv.models) {
            const ModelEvaluation* ev = nullptr;
            for (const auto& e : rep.models)
              if (e.name == m.name) ev = &e;
            for (const ScoredModel& sm : sc) {
              if (sm.kind != m.kind || sm.pattern != ev->pattern) continue;
              std::vector<Eigen::Index> at, cat;
              for (Eigen::Index k = 0; k < sm.score.size(); ++k)
                if (std::isfinite(sm.score(k))) at.push_back(k);
              for (Eigen::Index k : commonRows)
                if (std::isfinite(sm.score(k))) cat.push_back(k);
              m.testC(r, f) = harrellOrNaN(subsetData(d, at), subsetVector(sm.score, at));
              m.commonC(r, f) = harrellOrNaN(subsetData(d, cat), subsetVector(sm.score, cat));
            }
          }
        } catch (const InputError& e) {
          cv.failures.push_back(where + ": " + e.what());
        } catch (const ModelError& e) {
          cv.failures.push_back(where + ": " + e.what());
        }
        progress.advance(kFitUnits);
      }
    }
    for (CrossValidationModel& m : cv.models) {
      m.testRepeatMean.resize(o.cvRepeats);
      m.commonRepeatMean.resize(o.cvRepeats);
      std::vector<double> tm, cm;
      for (int r = 0; r < o.cvRepeats; ++r) {
        std::vector<double> t, cc;
        for (int f = 0; f < o.cvFolds; ++f) {
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
  }
  progress.advance(0);
  return rep;
}

}  // namespace

// ---- JSON -----------------------------------------------------------------------------------

namespace {

using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json numbers(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(num(v(i)));
  return a;
}

json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}

json matrix(const Eigen::MatrixXd& m) {
  json a = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(numbers(Eigen::VectorXd(m.row(i).transpose())));
  return a;
}

json names(const std::vector<std::string>& modalities, int mask) {
  json a = json::array();
  for (int m : bitsOf(mask, static_cast<int>(modalities.size()))) a.push_back(modalities[static_cast<size_t>(m)]);
  return a;
}

json subsetJson(const SubsetMetrics& s, bool binary) {
  json auc = json::array();
  for (const auto& a : s.auc) auc.push_back({{"time", a.time}, {"auc", num(a.auc)}});
  if (binary)
    return {{"n", s.n},
            {"events", s.events},
            {"cases", s.cases},
            {"controls", s.controls},
            {"c", num(s.c)},
            {"c_lower", num(s.cLower)},
            {"c_upper", num(s.cUpper)},
            {"permutation_p", num(s.permutationP)},
            {"delong_se", num(s.delongSe)},
            {"delong_lower", num(s.delongLower)},
            {"delong_upper", num(s.delongUpper)},
            {"brier", num(s.brier)},
            {"calibration_intercept", num(s.calibrationIntercept)},
            {"calibration_slope", num(s.calibrationSlope)},
            {"uno_c", nullptr},
            {"auc", nullptr},
            {"ibs", nullptr},
            {"bootstrap_failed", s.bootstrapFailed},
            {"warnings", s.warnings}};
  return {{"n", s.n},
          {"events", s.events},
          {"c", num(s.c)},
          {"c_lower", num(s.cLower)},
          {"c_upper", num(s.cUpper)},
          {"permutation_p", num(s.permutationP)},
          {"uno_c", num(s.unoC)},
          {"auc", auc},
          {"ibs", num(s.ibs)},
          {"bootstrap_failed", s.bootstrapFailed},
          {"warnings", s.warnings}};
}

json groupSetJson(const RiskGroupSet& set, const Eigen::VectorXd& horizons) {
  json groups = json::array();
  if (set.binary) {
    for (const auto& g : set.groups)
      groups.push_back({{"label", g.label},
                        {"n", g.n},
                        {"events", g.events},
                        {"cases", g.events},
                        {"proportion", num(g.proportion)},
                        {"proportion_lower", num(g.proportionLower)},
                        {"proportion_upper", num(g.proportionUpper)}});
    return {{"groups", groups}, {"test", "chi-square test of equal proportions (Pearson, no continuity correction)"}, {"chisq", num(set.chisq)}, {"chisq_df", set.df}, {"chisq_p", num(set.proportionP)}, {"logrank_chisq", nullptr}, {"logrank_df", nullptr}, {"logrank_p", nullptr}, {"warnings", set.warnings}};
  }
  for (const auto& g : set.groups) {
    json at = json::array();
    for (Eigen::Index h = 0; h < horizons.size(); ++h)
      at.push_back({{"time", horizons(h)},
                    {"surv", num(g.survival[static_cast<size_t>(h)])},
                    {"lower", num(g.lower[static_cast<size_t>(h)])},
                    {"upper", num(g.upper[static_cast<size_t>(h)])}});
    groups.push_back({{"label", g.label},
                      {"n", g.n},
                      {"events", g.events},
                      {"median", num(g.median)},
                      {"median_lower", num(g.medianLower)},
                      {"median_upper", num(g.medianUpper)},
                      {"survival_at", at}});
  }
  return {{"groups", groups}, {"logrank_chisq", num(set.chisq)}, {"logrank_df", set.df}, {"logrank_p", num(set.logRankP)}, {"warnings", set.warnings}};
}

json ridgeJson(const RidgeOptions& r) {
  if (r.penalizer > 0) return {{"penalizer", r.penalizer}};
  return {{"theta", r.theta}, {"scale", r.scale}};
}

const char* scalingName(Scaling s) {
  switch (s) {
    case Scaling::ZScore: return "zscore";
    case Scaling::MinMax: return "minmax";
    default: return "none";
  }
}

json settingsJson(const EvaluationOptions& o, const FusionReport& rep) {
  const FusionOptions& f = o.fusion;
  json screening = nullptr;
  if (f.selectFeatures)
    screening = {{"iqr_filter", f.screening.iqrFilter},
                 {"min_iqr", f.screening.minIqr},
                 {"test", f.screening.test == UnivariateTest::Wald ? "wald" : "likelihood_ratio"},
                 {"max_q", f.screening.maxQ},
                 {"forward", f.screening.forward},
                 {"min_selected", f.screening.minSelected}};
  json elasticNet = nullptr;
  if (f.elasticNet.enabled)
    elasticNet = {{"alpha", f.elasticNet.alpha}, {"lambda_rule", lambdaRuleName(f.elasticNet.rule)}, {"folds", f.elasticNet.folds}};
  return {{"reference_compatible", o.referenceCompatible},
          {"outcome_type", outcomeTypeName(rep.model.outcome)},
          {"split", rep.randomSplit ? "random" : "column"},
          {"test_fraction", rep.randomSplit ? num(o.testFraction) : json(nullptr)},
          {"seed", o.seed},
          {"bootstrap", o.bootstrap},
          {"permutations", o.permutations},
          {"conf_level", o.confLevel},
          {"cv_folds", o.cvFolds},
          {"cv_repeats", o.cvFolds >= 2 ? o.cvRepeats : 0},
          {"risk_groups", riskGroupingName(o.riskGroups)},
          {"presence", f.presence == PresenceRule::Any ? "any" : "all"},
          {"outlier_z", f.outlierZ},
          {"scaling", scalingName(f.scaling)},
          {"selection", f.elasticNet.enabled ? "elasticnet" : f.selectFeatures ? "screen"
                                                                               : "none"},
          {"screening", screening},
          {"elastic_net", elasticNet},
          {"submodel", ridgeJson(f.submodel)},
          {"integrator", ridgeJson(f.integrator)},
          {"min_pattern_size", f.minPatternSize},
          {"integrator_inputs", f.crossFit ? "cross_fitted" : "in_sample"},
          {"cross_fit_folds", f.crossFit ? json(f.folds) : json(nullptr)},
          {"fusion_seed", f.seed},
          {"early_fusion", f.earlyFusion ? (f.earlyImpute ? "imputed" : "complete_cases") : "off"},
          {"ties", f.ties == Ties::Efron ? "efron" : "breslow"},
          {"direction", rep.model.outcome == OutcomeType::Binary
                            ? "every score is a risk: higher = higher odds of the outcome (y = 1); c is the AUC"
                            : "every score is a risk: higher = higher hazard (shorter survival). The reference study scored by "
                              "lifelines' negative partial hazard (higher = longer survival); that changes only the direction, "
                              "never C"}};
}

json patternsJson(const std::vector<PatternSummary>& ps, const std::vector<std::string>& modalities) {
  json a = json::array();
  for (const auto& p : ps) {
    json e = {{"modalities", names(modalities, p.pattern)}, {"patients", p.patients}, {"events", p.events}, {"integrator", p.integrator}};
    e["scored_by"] = names(modalities, p.usedPattern);
    e["fallback"] = p.usedPattern != p.pattern;
    a.push_back(e);
  }
  return a;
}

json patientId(const Cohort& c, int row) {
  return static_cast<size_t>(row) < c.ids.size() ? json(c.ids[static_cast<size_t>(row)]) : json(std::to_string(row + 1));
}

// Every integrator fitted: its combination, the training patients who have all of its modalities
// (whom it was fitted on) and their events, and how many test patients it scored.
json integratorsJson(const FusionReport& rep, const Cohort& c) {
  json a = json::array();
  const FusionModel& fm = rep.model;
  for (size_t i = 0; i < fm.integrators.size(); ++i) {
    const Integrator& in = fm.integrators[i];
    const bool binary = fm.outcome == OutcomeType::Binary;
    const Eigen::VectorXd coef = binary ? Eigen::VectorXd(in.logit.coef) : in.fit.coef;
    int scoredTest = 0, ownPattern = 0;
    for (Eigen::Index k = 0; k < rep.testScores.integrator.size(); ++k)
      if (rep.testScores.integrator(k) == static_cast<int>(i)) {
        ++scoredTest;
        ownPattern += rep.testScores.pattern(k) == in.pattern;
      }
    a.push_back({{"pattern", names(c.modalities, in.pattern)},
                 {"patients", in.patients},
                 {"events", binary ? static_cast<int>(in.logit.cases) : in.fit.events},
                 {"coef", numbers(coef)},
                 {"scored_test_patients", scoredTest},
                 {"scored_test_fallback", scoredTest - ownPattern}});
  }
  return a;
}

// The cross-fitting fold of every training patient (1-based, in training order), so that an
// independent implementation can rerun the cross-fitted path; null with in-sample inputs.
json crossFittingJson(const FusionReport& rep, const Cohort& c) {
  const Eigen::VectorXi& fold = rep.model.crossFitFold;
  if (!rep.model.options.crossFit || fold.size() != static_cast<Eigen::Index>(rep.trainRows.size())) return nullptr;
  json ids = json::array(), folds = json::array();
  for (size_t k = 0; k < rep.trainRows.size(); ++k) {
    ids.push_back(patientId(c, rep.trainRows[k]));
    folds.push_back(fold(static_cast<Eigen::Index>(k)) + 1);
  }
  return {{"folds", rep.model.options.folds},
          {"seed", rep.model.options.seed},
          {"stratified_on", rep.model.outcome == OutcomeType::Binary ? "outcome" : "event"},
          {"train_ids", ids},
          {"fold", folds}};
}

// Median follow-up (reverse Kaplan–Meier, follow_up.hpp) of the training and test patients.
json followUpJson(const Cohort& c, const std::vector<int>& rows) {
  if (rows.empty()) return nullptr;
  const FollowUp f = medianFollowUp(survivalRows(c, rows));
  return {{"n", f.n}, {"censored", f.censored}, {"median", num(f.median)}, {"lower", num(f.lower)}, {"upper", num(f.upper)}, {"max_time", num(f.maxTime)}};
}

// Missing cells of each modality's columns among the training and test patients who have it.
json missingCellsJson(const FusionReport& rep, const Cohort& c) {
  const Eigen::MatrixXi presence = modalityPresence(c, rep.options.fusion.presence);
  const int m = static_cast<int>(c.modalities.size());
  const auto train = missingCellsByModality(c.x, c.columnModality, presence, rep.trainRows, m);
  const auto test = missingCellsByModality(c.x, c.columnModality, presence, rep.testRows, m);
  auto one = [](const MissingCells& mc) { return json{{"patients", mc.patients}, {"cells", mc.cells}, {"missing", mc.missing}}; };
  json out = json::array();
  for (int k = 0; k < m; ++k)
    out.push_back({{"modality", c.modalities[static_cast<size_t>(k)]}, {"train", one(train[static_cast<size_t>(k)])}, {"test", one(test[static_cast<size_t>(k)])}});
  return out;
}

}  // namespace

nlohmann::json fusionReportToJson(const FusionReport& rep, const Cohort& c) {
  const std::vector<std::string>& mods = c.modalities;
  json out;
  out["format"] = "latefuse-fusion-report";
  out["version"] = 1;
  out["settings"] = settingsJson(rep.options, rep);
  out["split"] = {{"train", rep.trainRows.size()},
                  {"test", rep.testRows.size()},
                  {"train_events", rep.trainEvents},
                  {"test_events", rep.testEvents},
                  {"common_test", rep.commonTest.size()},
                  {"excluded_no_modality", rep.excluded.size()}};
  out["horizons"] = numbers(rep.horizons);
  out["tau"] = num(rep.tau);
  out["ibs_times"] = numbers(rep.ibsTimes);
  const bool binary = c.outcome == OutcomeType::Binary;
  out["follow_up"] = binary ? json(nullptr)
                            : json{{"method", "reverse Kaplan-Meier"},
                                   {"train", followUpJson(c, rep.trainRows)},
                                   {"test", followUpJson(c, rep.testRows)}};
  out["missing_cells"] = missingCellsJson(rep, c);
  if (binary)
    out["survival_metrics_note"] =
        "binary outcome: Uno's C, AUC(t), the integrated Brier score, horizons and tau are survival metrics and are null; "
        "c is the AUC (Mann-Whitney), with DeLong's interval, the Brier score and the logistic calibration instead";
  out["modalities"] = mods;
  json models = json::array();
  for (const auto& m : rep.models)
    models.push_back({{"name", m.name}, {"kind", m.kind}, {"modalities", names(mods, m.pattern)}, {"test", subsetJson(m.test, binary)}, {"common", subsetJson(m.common, binary)}, {"scored", m.hasScored ? subsetJson(m.scored, binary) : json(nullptr)}});
  out["models"] = models;
  out["reference_horizon"] = num(rep.referenceHorizon);
  out["integrators"] = integratorsJson(rep, c);
  out["cross_fitting"] = crossFittingJson(rep, c);
  json cmp = json::array();
  for (const auto& k : rep.comparisons)
    cmp.push_back({{"name", k.name}, {"a", k.a}, {"b", k.b.empty() ? json(nullptr) : json(k.b)}, {"n", k.n}, {"c_a", num(k.cA)}, {"c_b", num(k.cB)}, {"delta_c", num(k.delta)}, {"lower", num(k.lower)}, {"upper", num(k.upper)}, {"bootstrap_failed", k.failed}, {"warnings", k.warnings}});
  out["comparisons"] = cmp;
  const RiskGroupReport& rg = rep.riskGroups;
  out["risk_groups"] = {
      {"method", riskGroupingName(rg.method)},
      {"optimistic", rg.optimistic},
      {"note", rg.optimistic ? std::string(binary ? "cut-point chosen to minimise the TRAINING chi-square p" : "cut-point chosen to minimise the TRAINING log-rank p") + " over the 33rd-67th training percentiles "
                                                                                                                                                                         "(the reference study's search): optimistic; only the test p is honest"
                             : std::string(
                                   "cut-points from the training patients' late-fusion scores only, applied unchanged to the test patients")},
      {"cutpoints", numbers(rg.cutpoints)},
      {"chosen_percentile", num(rg.chosenPercentile)},
      {"train", groupSetJson(rg.train, rep.horizons)},
      {"test", groupSetJson(rg.test, rep.horizons)}};
  out["kendall"] = {{"modalities", mods},
                    {"tau", matrix(rep.kendallTest.tau)},
                    {"p", matrix(rep.kendallTest.p)},
                    {"n", matrix(rep.kendallTest.n)},
                    {"note", "tau, p and n are on the test patients (pairwise complete); train: the same on the training patients"},
                    {"train", {{"tau", matrix(rep.kendallTrain.tau)}, {"p", matrix(rep.kendallTrain.p)}, {"n", matrix(rep.kendallTrain.n)}}},
                    {"warnings", rep.kendallTest.warnings}};
  json coef = json::array();
  for (const auto& t : rep.coefficients) {
    json terms = json::array();
    for (size_t k = 0; k < t.terms.size(); ++k) {
      const CoefficientRow& r = t.rows[k];
      if (binary)
        terms.push_back({{"name", t.terms[k]}, {"coef", num(r.coef)}, {"se", num(r.se)}, {"or", num(r.hr)}, {"or_lower", num(r.hrLower)}, {"or_upper", num(r.hrUpper)}, {"z", num(r.z)}, {"p", num(r.p)}});
      else
        terms.push_back({{"name", t.terms[k]}, {"coef", num(r.coef)}, {"se", num(r.se)}, {"hr", num(r.hr)}, {"hr_lower", num(r.hrLower)}, {"hr_upper", num(r.hrUpper)}, {"z", num(r.z)}, {"p", num(r.p)}});
    }
    coef.push_back({{"model", t.model}, {"kind", t.kind}, {"terms", terms}});
  }
  out["coefficients"] = coef;
  out["patterns"] = {{"train", patternsJson(rep.trainPatterns, mods)}, {"test", patternsJson(rep.testPatterns, mods)}};
  if (rep.crossValidation.folds >= 2) {
    const CrossValidationReport& cv = rep.crossValidation;
    json ms = json::array();
    for (const auto& m : cv.models)
      ms.push_back({{"name", m.name},
                    {"kind", m.kind},
                    {"test", {{"mean_c", num(m.testMean)}, {"sd_c", num(m.testSd)}, {"per_repeat", numbers(m.testRepeatMean)}, {"per_fold", matrix(m.testC)}}},
                    {"common", {{"mean_c", num(m.commonMean)}, {"sd_c", num(m.commonSd)}, {"per_repeat", numbers(m.commonRepeatMean)}, {"per_fold", matrix(m.commonC)}}}});
    out["cross_validation"] = {{"folds", cv.folds}, {"repeats", cv.repeats}, {"models", ms}, {"failures", cv.failures}};
  } else {
    out["cross_validation"] = nullptr;
  }
  json ids = json::array(), late = json::array(), group = json::array(), risk = json::array(), by = json::array();
  for (size_t k = 0; k < rep.testRows.size(); ++k) {
    const int r = rep.testRows[k];
    const Eigen::Index kk = static_cast<Eigen::Index>(k);
    ids.push_back(patientId(c, r));
    late.push_back(num(rep.testScores.fused(kk)));
    group.push_back(rep.testGroup(kk));
    risk.push_back(num(rep.testRisk(kk)));
    by.push_back(names(mods, rep.testScores.usedPattern(kk)));
  }
  json contributions = json::object();  // each modality's share of the late score (null where not used)
  for (size_t m = 0; m < mods.size(); ++m) {
    json col = json::array();
    for (size_t k = 0; k < rep.testRows.size(); ++k) col.push_back(num(rep.testScores.contribution(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(m))));
    contributions[mods[m]] = col;
  }
  out["test_patients"] = {{"ids", ids}, {"late_score", late}, {"risk_group", group}, {"risk", risk}, {"scored_by", by}, {"contributions", contributions}};
  out["decision_curve"] = fusionDecisionCurvesToJson(rep.decisionCurve, rep.options.seed);
  out["warnings"] = rep.warnings;
  return out;
}

}  // namespace latefuse
