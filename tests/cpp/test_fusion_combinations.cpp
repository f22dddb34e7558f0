// The fusion engine's rules checked against independent recomputations: the cross-fitted path
// rebuilt from the fold assignment the model reports (folds stratified on the event, out-of-fold
// scores standardised, integrators on the intersection), preprocessing on a tiny cohort small
// enough to compute by hand (median and mode imputation, the outlier step on continuous columns
// only), and one risk scale (percentile order = risk order, risk groups that do not overlap).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/random.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

std::vector<int> firstRows(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

void meanSd(const std::vector<double>& v, double& mean, double& sd) {
  mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace

// The cross-fitting folds are stratified on the event: each fold holds floor(E/K) or ceil(E/K) of
// the E training events (and sizes differ by at most one).
TEST(FusionCrossFit, FoldsAreStratifiedOnTheEvent) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    const Cohort c = hgsocCohort(seed, 240);
    const std::vector<int> train = firstRows(180);
    FusionOptions o;
    o.seed = seed;
    const FusionModel fm = fitFusion(c, train, o);
    ASSERT_EQ(fm.crossFitFold.size(), 180);
    int events = 0;
    for (int r : train) events += static_cast<int>(c.event(r));
    std::vector<int> perFold(5, 0), size(5, 0);
    for (size_t k = 0; k < train.size(); ++k) {
      const int f = fm.crossFitFold(static_cast<Eigen::Index>(k));
      ASSERT_GE(f, 0);
      ASSERT_LT(f, 5);
      ++size[static_cast<size_t>(f)];
      perFold[static_cast<size_t>(f)] += static_cast<int>(c.event(train[k]));
    }
    for (int f = 0; f < 5; ++f) {
      EXPECT_GE(perFold[static_cast<size_t>(f)], events / 5) << "seed " << seed << " fold " << f;
      EXPECT_LE(perFold[static_cast<size_t>(f)], (events + 4) / 5) << "seed " << seed << " fold " << f;
      EXPECT_LE(*std::max_element(size.begin(), size.end()) - *std::min_element(size.begin(), size.end()), 1);
    }
  }
}

// The cross-fitted integrators rebuilt from the reported folds with fitCox alone: per modality and
// fold, a ridge Cox on the modality's raw columns of the other folds' patients (lifelines' penalty
// is scale-free, so the z-scoring inside the engine does not change the scores) scores the fold;
// the out-of-fold scores are standardised to mean 0, SD 1 per modality; every integrator is a ridge
// Cox on those scores of ALL training patients who have its modalities.
TEST(FusionCrossFit, IntegratorsEqualCoxOnStandardisedOutOfFoldScoresOfTheIntersection) {
  const Cohort c = hgsocCohort(8, 300);
  const std::vector<int> train = firstRows(230);
  FusionOptions o;
  o.seed = 5;
  const FusionModel fm = fitFusion(c, train, o);
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::MatrixXi present = modalityPresence(c, PresenceRule::Any);
  const Eigen::Index nt = static_cast<Eigen::Index>(train.size());
  Eigen::MatrixXd oof = Eigen::MatrixXd::Constant(nt, M, std::nan(""));
  for (int m = 0; m < M; ++m) {
    std::vector<Eigen::Index> cols;
    for (size_t j = 0; j < c.columns.size(); ++j)
      if (c.columnModality[j] == m) cols.push_back(static_cast<Eigen::Index>(j));
    std::vector<double> scores;
    std::vector<Eigen::Index> at;
    for (int f = 0; f < o.folds; ++f) {
      std::vector<Eigen::Index> fit, out;
      for (Eigen::Index k = 0; k < nt; ++k)
        if (present(train[static_cast<size_t>(k)], m)) (fm.crossFitFold(k) == f ? out : fit).push_back(k);
      std::vector<int> patients;  // cohort rows of the fold's fitting patients
      for (Eigen::Index k : fit) patients.push_back(train[static_cast<size_t>(k)]);
      const SurvivalData d = survivalOf(c, patients);
      Eigen::MatrixXd x(static_cast<Eigen::Index>(fit.size()), static_cast<Eigen::Index>(cols.size()));
      for (size_t r = 0; r < fit.size(); ++r)
        for (size_t j = 0; j < cols.size(); ++j) x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = c.x(patients[r], cols[j]);
      CoxOptions co;
      co.penalizer = o.submodel.penalizer;
      const CoxFit sub = fitCox(d, x, co);
      for (Eigen::Index k : out) {
        Eigen::VectorXd xi(static_cast<Eigen::Index>(cols.size()));
        for (size_t j = 0; j < cols.size(); ++j) xi(static_cast<Eigen::Index>(j)) = c.x(train[static_cast<size_t>(k)], cols[j]);
        scores.push_back((xi - sub.means).dot(sub.coef));
        at.push_back(k);
      }
    }
    double mean, sd;
    meanSd(scores, mean, sd);
    for (size_t r = 0; r < at.size(); ++r) oof(at[r], m) = (scores[r] - mean) / sd;
  }
  ASSERT_GE(fm.integrators.size(), 10u);
  for (const Integrator& in : fm.integrators) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index k = 0; k < nt; ++k) {
      bool all = true;
      for (int m : in.modalities) all = all && present(train[static_cast<size_t>(k)], m);
      if (all) rows.push_back(k);
    }
    ASSERT_EQ(static_cast<int>(rows.size()), in.patients);
    std::vector<int> patients;  // their cohort rows
    for (Eigen::Index k : rows) patients.push_back(train[static_cast<size_t>(k)]);
    const SurvivalData d = survivalOf(c, patients);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(in.modalities.size()));
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t j = 0; j < in.modalities.size(); ++j) x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = oof(rows[r], in.modalities[j]);
    CoxOptions co;
    co.penalizer = o.integrator.penalizer;
    const CoxFit direct = fitCox(d, x, co);
    for (Eigen::Index j = 0; j < direct.coef.size(); ++j)
      EXPECT_NEAR(coxFit(in.fit).coef(j), direct.coef(j), 1e-7 * (1 + std::fabs(direct.coef(j)))) << "integrator " << in.pattern << " coef " << j;
  }
}

// A cohort small enough to check by hand: one modality, six training patients, three columns.
//   size:   1, 2, 3, 4, 100, (missing)   -> median of the five values = 3
//   node:   1, 1, 1, 0, 0,   (missing)   -> 0/1 column: mode 1 (three 1s, two 0s), not the median
//   rare:   0, 0, 0, 0, 0,   1           -> 0/1 column; |z| of the 1 is (5/6) / sqrt(1/6) = 2.04
// With --outlier-z 2: size 100 (after imputing 3: mean 113/6, sample SD 39.0, z = 2.08) becomes 3,
// while the rare 1 is kept (the step does not touch 0/1 columns).
TEST(FusionPreprocessing, HandComputedImputationAndOutliers) {
  Cohort c;
  c.modalities = {"clinical"};
  c.columns = {"size", "node", "rare"};
  c.columnModality = {0, 0, 0};
  const double na = std::nan("");
  c.x.resize(8, 3);
  c.x << 1, 1, 0,  //
      2, 1, 0,     //
      3, 1, 0,     //
      4, 0, 0,     //
      100, 0, 0,   //
      na, na, 1,   //
      3, 1, 1,     // scoring rows: the median and mode filled in by hand ...
      na, na, 1;   // ... and left missing
  c.time = (Eigen::VectorXd(8) << 5, 8, 3, 9, 2, 7, 1, 1).finished();
  c.event = (Eigen::VectorXd(8) << 1, 0, 1, 1, 1, 0, 0, 0).finished();
  FusionOptions o;
  o.outlierZ = 2;
  o.crossFit = false;
  o.minPatternSize = 1;
  o.earlyFusion = false;
  const FusionModel fm = fitFusion(c, {0, 1, 2, 3, 4, 5}, o);
  const ModalityModel& mm = fm.models[0];
  ASSERT_EQ(mm.columns.size(), 3u);
  EXPECT_EQ(mm.imputeMedian(0), 3.0);
  EXPECT_EQ(mm.imputeMedian(1), 1.0);  // the mode; the median of 0/1 values could be 0.5
  EXPECT_EQ(mm.imputeMedian(2), 0.0);
  EXPECT_EQ(mm.binaryColumn, (std::vector<bool>{false, true, true}));
  EXPECT_NEAR(mm.outlierMean(0), 113.0 / 6.0, 1e-12);
  EXPECT_GT(mm.outlierSd(0), 0);
  EXPECT_EQ(mm.outlierSd(1), 0.0);
  EXPECT_EQ(mm.outlierSd(2), 0.0);
  // After the outlier step the size column is 1, 2, 3, 4, 3, 3: z-scored with mean 8/3.
  EXPECT_NEAR(mm.center(0), 16.0 / 6.0, 1e-12);
  // The rare category survived: its column is not constant (mean 1/6).
  EXPECT_NEAR(mm.center(2), 1.0 / 6.0, 1e-12);
  EXPECT_GT(mm.scale(2), 0.4);
  // Missing cells score exactly as the imputed values typed in.
  const FusionScores s = scoreFusion(fm, c, {6, 7});
  EXPECT_EQ(s.unimodal(0, 0), s.unimodal(1, 0));
  EXPECT_EQ(s.fused(0), s.fused(1));
}

// Boundaries of the pattern rule on the same tiny cohort: a combination is fitted when exactly
// minPatternSize training patients have it, and not with one more required.
TEST(FusionPreprocessing, MinPatternSizeBoundaryOnATinyCohort) {
  Cohort c;
  c.modalities = {"a", "b"};
  c.columns = {"a1", "b1"};
  c.columnModality = {0, 1};
  const double na = std::nan("");
  c.x.resize(8, 2);
  c.x << 0.1, 1.2, 0.5, -0.3, -1.2, 0.8, 0.9, na, 1.5, na, -0.4, na, na, 0.2, na, -1.1;
  c.time = (Eigen::VectorXd(8) << 4, 6, 2, 8, 3, 7, 5, 9).finished();
  c.event = (Eigen::VectorXd(8) << 1, 1, 0, 1, 1, 0, 1, 1).finished();
  // Training patients having a: 6 (rows 0-5); b: 5 (rows 0-2, 6, 7); both: 3 (rows 0-2).
  FusionOptions o;
  o.crossFit = false;
  o.earlyFusion = false;
  o.minPatternSize = 3;
  const std::vector<int> train = firstRows(8);
  const FusionModel at = fitFusion(c, train, o);
  ASSERT_EQ(at.integrators.size(), 3u);
  EXPECT_EQ(at.integrators[0].patients, 6);
  EXPECT_EQ(at.integrators[1].patients, 5);
  EXPECT_EQ(at.integrators[2].patients, 3);
  EXPECT_EQ(resolvePattern(at, 3), (std::pair<int, int>(2, 3)));
  o.minPatternSize = 4;
  const FusionModel above = fitFusion(c, train, o);
  ASSERT_EQ(above.integrators.size(), 2u);
  // a+b falls back to the single modality with more training patients: a (6 > 5).
  EXPECT_EQ(resolvePattern(above, 3), (std::pair<int, int>(0, 1)));
  o.minPatternSize = 6;
  const FusionModel onlyA = fitFusion(c, train, o);
  ASSERT_EQ(onlyA.integrators.size(), 1u);
  EXPECT_EQ(resolvePattern(onlyA, 2), (std::pair<int, int>(-1, 2)));  // b alone: its submodel
  EXPECT_EQ(resolvePattern(onlyA, 3), (std::pair<int, int>(0, 1)));
}

// One risk scale on a study-shaped model scoring patients with random modality knock-outs: each is
// scored by their own pattern's integrator, percentile order = order of predicted risk at t_ref,
// and the risk groups do not overlap in predicted risk.
TEST(FusionRiskScale, PercentileFollowsRiskAndGroupsDoNotOverlap) {
  const Cohort c = hgsocCohort(3, 400);
  const std::vector<int> train = firstRows(300);
  FusionOptions o;
  const FusionModel fm = fitFusion(c, train, o);
  ModelExtras ex = trainingExtras(fm, c, train, {12, 24, 60});
  ex.hasRiskGroups = true;
  ex.riskGroups.cutPoints = {ex.riskPercentiles[33], ex.riskPercentiles[67]};
  ex.riskGroups.labels = {"low", "intermediate", "high"};
  const LoadedModel lm = loadModel(fusionModelToJson(fm, ex));
  ScoringData d;
  d.columns = c.columns;
  d.x = c.x.bottomRows(100);
  Random rng(17);
  const int M = static_cast<int>(c.modalities.size());
  const Eigen::MatrixXi has = modalityPresence(c, PresenceRule::Any).bottomRows(100);
  for (Eigen::Index i = 0; i < d.x.rows(); ++i) {
    int present = 0;
    for (int m = 0; m < 4; ++m) present |= has(i, m) << m;
    int keep = present & (1 + static_cast<int>(rng.below(15)));  // knock out a random subset ...
    if (keep == 0) keep = present;                               // ... keeping at least one modality
    for (Eigen::Index j = 0; j < d.x.cols(); ++j)
      if (!(keep & (1 << c.columnModality[static_cast<size_t>(j)]))) d.x(i, j) = std::nan("");
  }
  const ModelScores s = scoreWithModel(lm, d);
  int own = 0;
  for (Eigen::Index k = 0; k < s.fused.size(); ++k) {
    EXPECT_EQ(s.risk(k), 1 - s.surv(k, 1));
    own += s.integrator(k) >= 0 && lm.model.integrators[static_cast<size_t>(s.integrator(k))].pattern == s.pattern(k);
    double sum = 0;
    for (int m = 0; m < M; ++m)
      if (!std::isnan(s.contribution(k, m))) sum += s.contribution(k, m);
    EXPECT_EQ(sum, s.fused(k));
  }
  EXPECT_EQ(own, s.fused.size());
  for (Eigen::Index a = 0; a < s.fused.size(); ++a)
    for (Eigen::Index b = 0; b < s.fused.size(); ++b) {
      if (s.risk(a) < s.risk(b)) {
        EXPECT_LE(s.percentile(a), s.percentile(b));
        EXPECT_LE(s.riskGroup(a), s.riskGroup(b));
      }
    }
}
