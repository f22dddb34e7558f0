// The late-fusion core: equivalences with direct Cox fits, integrators, fallbacks, errors, and the
// simulator's promise (late fusion beats the best single modality and early fusion on average).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/random.hpp"
#include "latefuse/rank_correlation.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

std::vector<int> range(int from, int to) {
  std::vector<int> v(static_cast<size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

struct Split {
  std::vector<int> train, test;
};
Split split(Eigen::Index n, uint64_t seed, double fraction = 0.7) {
  std::vector<int> idx = range(0, static_cast<int>(n));
  Random r(seed);
  r.shuffle(idx);
  const size_t nt = static_cast<size_t>(fraction * static_cast<double>(n));
  return {std::vector<int>(idx.begin(), idx.begin() + static_cast<long>(nt)), std::vector<int>(idx.begin() + static_cast<long>(nt), idx.end())};
}

}  // namespace

// One modality, no screening, no scaling: the submodel IS fitCox on the raw columns with the same
// penalty; the unimodal score is its standardised linear predictor, and the fused score is the
// single-modality integrator's (a one-covariate Cox model on that score) linear predictor.
TEST(Fusion, OneModalityEqualsDirectCox) {
  const Cohort c = lungCohort();
  const Split s = split(c.x.rows(), 5);
  FusionOptions o;
  o.scaling = Scaling::None;
  o.submodel.penalizer = 0.1;
  const FusionModel fm = fitFusion(c, s.train, o);
  ASSERT_EQ(fm.models.size(), 1u);
  ASSERT_EQ(fm.integrators.size(), 1u);
  EXPECT_EQ(fm.integrators[0].pattern, 1);
  EXPECT_EQ(fm.integrators[0].patients, static_cast<int>(s.train.size()));

  const SurvivalData d = survivalOf(c, s.train);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(s.train.size()), c.x.cols());
  for (size_t k = 0; k < s.train.size(); ++k) x.row(static_cast<Eigen::Index>(k)) = c.x.row(s.train[k]);
  CoxOptions co;
  co.penalizer = 0.1;
  const CoxFit direct = fitCox(d, x, co);
  for (Eigen::Index j = 0; j < x.cols(); ++j) EXPECT_NEAR(coxFit(fm.models[0].fit).coef(j), direct.coef(j), 1e-12) << j;

  const FusionScores sc = scoreFusion(fm, c, s.test);
  double mean = direct.linearPredictor.mean();
  double sd = std::sqrt((direct.linearPredictor.array() - mean).square().sum() / (direct.linearPredictor.size() - 1));
  const Integrator& in = fm.integrators[0];
  for (size_t k = 0; k < s.test.size(); ++k) {
    const Eigen::Index kk = static_cast<Eigen::Index>(k);
    const Eigen::VectorXd xi = c.x.row(s.test[k]).transpose();
    const double lp = (xi - direct.means).dot(direct.coef);
    EXPECT_NEAR(sc.unimodal(kk, 0), (lp - mean) / sd, 1e-10);
    EXPECT_EQ(sc.integrator(kk), 0);
    EXPECT_NEAR(sc.fused(kk), coxFit(in.fit).coef(0) * (sc.unimodal(kk, 0) - coxFit(in.fit).means(0)), 1e-12);
    EXPECT_EQ(sc.contribution(kk, 0), sc.fused(kk));
  }
  // lifelines' penalty acts on standardised coefficients, so z-scoring the columns first changes
  // the coefficients' units but not the scores.
  FusionOptions z = o;
  z.scaling = Scaling::ZScore;
  const FusionScores sz = scoreFusion(fitFusion(c, s.train, z), c, s.test);
  for (Eigen::Index k = 0; k < sz.fused.size(); ++k) EXPECT_NEAR(sz.unimodal(k, 0), sc.unimodal(k, 0), 1e-8);
}

// In-sample scores: each integrator equals fitCox(penalizer) on the standardised in-sample
// unimodal scores of ALL training patients who have its modalities (the intersection), singles
// included; every training pattern with enough patients is scored by its own integrator.
TEST(Fusion, InSampleIntegratorEqualsCoxOnScoresOfTheIntersection) {
  const Cohort c = hgsocCohort(11);
  const Split s = split(c.x.rows(), 12);
  FusionOptions o;
  o.crossFit = false;
  o.integrator.penalizer = 0.05;
  const FusionModel fm = fitFusion(c, s.train, o);
  const FusionScores train = scoreFusion(fm, c, s.train);  // in-sample standardised scores
  // Every combination with >= 20 training patients who have all of it has an integrator.
  for (int combination = 1; combination < 16; ++combination) {
    int have = 0;
    for (Eigen::Index k = 0; k < train.pattern.size(); ++k) have += (train.pattern(k) & combination) == combination;
    bool fitted = false;
    for (const Integrator& in : fm.integrators) fitted = fitted || in.pattern == combination;
    EXPECT_EQ(fitted, have >= 20) << "combination " << combination << " with " << have << " patients";
  }
  ASSERT_GE(fm.integrators.size(), 10u);
  for (size_t i = 0; i < fm.integrators.size(); ++i) {
    const Integrator& in = fm.integrators[i];
    std::vector<Eigen::Index> rows;
    for (Eigen::Index k = 0; k < train.pattern.size(); ++k)
      if ((train.pattern(k) & in.pattern) == in.pattern) rows.push_back(k);
    ASSERT_EQ(static_cast<int>(rows.size()), in.patients);
    std::vector<int> patients;  // their cohort rows
    for (Eigen::Index k : rows) patients.push_back(s.train[static_cast<size_t>(k)]);
    const SurvivalData d = survivalOf(c, patients);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(in.modalities.size()));
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t j = 0; j < in.modalities.size(); ++j)
        x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = train.unimodal(rows[r], in.modalities[j]);
    CoxOptions co;
    co.penalizer = 0.05;
    const CoxFit direct = fitCox(d, x, co);
    for (Eigen::Index j = 0; j < direct.coef.size(); ++j) EXPECT_NEAR(coxFit(in.fit).coef(j), direct.coef(j), 1e-9) << "pattern " << in.pattern;
    // The patients it scores (their own pattern is this combination) get its linear predictor, and
    // their contributions add up to it.
    for (size_t r = 0; r < rows.size(); ++r) {
      if (train.integrator(rows[r]) != static_cast<int>(i)) continue;
      EXPECT_EQ(train.pattern(rows[r]), in.pattern);
      EXPECT_NEAR(train.fused(rows[r]), direct.linearPredictor(static_cast<Eigen::Index>(r)), 1e-9);
      double sum = 0;
      for (int m = 0; m < 4; ++m)
        if (!std::isnan(train.contribution(rows[r], m))) sum += train.contribution(rows[r], m);
      EXPECT_EQ(sum, train.fused(rows[r]));
    }
  }
}

TEST(Fusion, ModalityNobodyHasIsAnError) {
  SimulationOptions so = simulationPreset("hgsoc");
  setCohortSize(so, 80);
  Cohort c = cohortFromSimulation(simulate(so));
  for (Eigen::Index j = 0; j < c.x.cols(); ++j)
    if (c.columnModality[static_cast<size_t>(j)] == 1) c.x.col(j).setConstant(std::nan(""));
  try {
    fitFusion(c, range(0, 60));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'histopathology' is present for none of the 60 training patients"), std::string::npos) << e.what();
  }
}

// Combinations below minPatternSize (counting every training patient who has all of their
// modalities) get no integrator; a pattern without one falls back to the sub-combination with the
// most modalities, then the most patients, then the lowest bitmask; if none, to its modality with
// the most training patients; no modality -> InputError.
TEST(Fusion, RarePatternFallsBack) {
  Cohort c = hgsocCohort(4);
  const Split s = split(c.x.rows(), 21);
  FusionOptions o;
  o.minPatternSize = 120;  // keeps only the most common combinations
  const FusionModel fm = fitFusion(c, s.train, o);
  std::vector<int> fitted, patients(16, 0);
  for (const auto& in : fm.integrators) fitted.push_back(in.pattern);
  for (const auto& [pattern, count] : fm.trainingPatterns)
    for (int combination = 1; combination < 16; ++combination)
      if ((pattern & combination) == combination) patients[static_cast<size_t>(combination)] += count;
  for (int combination = 1; combination < 16; ++combination)
    EXPECT_EQ(std::find(fitted.begin(), fitted.end(), combination) != fitted.end(), patients[static_cast<size_t>(combination)] >= 120)
        << combination;
  ASSERT_LT(fitted.size(), 15u);
  for (int mask = 1; mask < 16; ++mask) {
    const auto [index, used] = resolvePattern(fm, mask);
    int want = -1;  // the definition, spelled out
    for (int sub : fitted) {
      if (sub & ~mask) continue;
      if (want < 0) {
        want = sub;
        continue;
      }
      const int ps = __builtin_popcount(static_cast<unsigned>(sub)), pw = __builtin_popcount(static_cast<unsigned>(want));
      const int ns = patients[static_cast<size_t>(sub)], nw = patients[static_cast<size_t>(want)];
      if (ps > pw || (ps == pw && (ns > nw || (ns == nw && sub < want)))) want = sub;
    }
    if (want >= 0) {
      ASSERT_GE(index, 0) << mask;
      EXPECT_EQ(fm.integrators[static_cast<size_t>(index)].pattern, want) << mask;
      EXPECT_EQ(used, want) << mask;
    } else {
      EXPECT_EQ(index, -1) << mask;
    }
  }
  // No integrator at all: the modality trained on more patients decides.
  FusionOptions none = o;
  none.minPatternSize = 10000;
  const FusionModel bare = fitFusion(c, s.train, none);
  EXPECT_TRUE(bare.integrators.empty());
  const auto [i2, u2] = resolvePattern(bare, 3);
  EXPECT_EQ(i2, -1);
  EXPECT_EQ(u2, bare.models[0].trainingPatients >= bare.models[1].trainingPatients ? 1 : 2);
  EXPECT_EQ(resolvePattern(bare, 4), (std::pair<int, int>(-1, 4)));
  EXPECT_THROW(resolvePattern(fm, 0), InputError);

  // Scoring agrees with resolvePattern; a patient with nothing is named in the error.
  const FusionScores sc = scoreFusion(fm, c, s.test);
  for (Eigen::Index k = 0; k < sc.fused.size(); ++k) {
    const auto [ik, uk] = resolvePattern(fm, sc.pattern(k));
    EXPECT_EQ(sc.integrator(k), ik);
    EXPECT_EQ(sc.usedPattern(k), uk);
    EXPECT_TRUE(std::isfinite(sc.fused(k)));
  }
  Cohort empty = c;
  empty.x.row(s.test.front()).setConstant(std::nan(""));
  try {
    scoreFusion(fm, empty, s.test);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("patient '" + c.ids[static_cast<size_t>(s.test.front())] + "'"), std::string::npos) << e.what();
  }
}

// The boundary: a combination with exactly minPatternSize training patients has its integrator,
// one patient fewer has none.
TEST(Fusion, CombinationWithExactlyMinPatternSizePatientsGetsItsIntegrator) {
  const Cohort c = hgsocCohort(4);
  const Split s = split(c.x.rows(), 21);
  const Eigen::MatrixXi present = modalityPresence(c, PresenceRule::Any);
  int all = 0;  // training patients with all four modalities
  for (int r : s.train) all += present.row(r).sum() == 4;
  ASSERT_GE(all, 20);
  FusionOptions o;
  o.minPatternSize = all;
  const FusionModel at = fitFusion(c, s.train, o);
  ASSERT_EQ(at.integrators.back().pattern, 15);
  EXPECT_EQ(at.integrators.back().patients, all);
  EXPECT_EQ(resolvePattern(at, 15), (std::pair<int, int>(static_cast<int>(at.integrators.size()) - 1, 15)));
  o.minPatternSize = all + 1;
  const FusionModel above = fitFusion(c, s.train, o);
  EXPECT_NE(above.integrators.back().pattern, 15);
  EXPECT_NE(resolvePattern(above, 15).second, 15);
}

// At most 8 modalities (255 integrators); a ninth is refused with the limit and what to do.
TEST(Fusion, MoreThanEightModalitiesIsAnInputError) {
  Cohort c;
  c.x = Eigen::MatrixXd::Ones(4, 9);
  for (int m = 0; m < 9; ++m) {
    c.modalities.push_back("m" + std::to_string(m));
    c.columns.push_back("x" + std::to_string(m));
    c.columnModality.push_back(m);
  }
  c.time = Eigen::VectorXd::Ones(4);
  c.event = Eigen::VectorXd::Ones(4);
  try {
    fitFusion(c, {0, 1, 2, 3});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("9 modalities given, but at most 8 are supported"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("merge related modalities or leave some out"), std::string::npos) << e.what();
  }
}

TEST(Fusion, CrossFittingIsSeededAndEarlyFusionUsesCompleteCases) {
  const Cohort c = hgsocCohort(8);
  const Split s = split(c.x.rows(), 3);
  FusionOptions o;
  o.seed = 5;
  const FusionModel a = fitFusion(c, s.train, o), b = fitFusion(c, s.train, o);
  ASSERT_EQ(a.integrators.size(), b.integrators.size());
  for (size_t k = 0; k < a.integrators.size(); ++k) EXPECT_EQ(coxFit(a.integrators[k].fit).coef, coxFit(b.integrators[k].fit).coef);
  o.seed = 6;
  const FusionModel d = fitFusion(c, s.train, o);
  EXPECT_NE(coxFit(a.integrators.back().fit).coef, coxFit(d.integrators.back().fit).coef);
  // Early fusion: trained on the training patients with all four modalities; scores only those.
  int complete = 0;
  for (const auto& [pattern, count] : a.trainingPatterns)
    if (pattern == 15) complete = count;
  EXPECT_TRUE(a.early.fitted);
  EXPECT_EQ(a.early.trainingPatients, complete);
  const FusionScores sc = scoreFusion(a, c, s.test);
  for (Eigen::Index k = 0; k < sc.pattern.size(); ++k) {
    EXPECT_EQ(sc.earlyScored[static_cast<size_t>(k)], sc.pattern(k) == 15);
    EXPECT_EQ(std::isnan(sc.early(k)), sc.pattern(k) != 15);
  }
  // With imputation every patient is used and scored.
  FusionOptions imp = o;
  imp.earlyImpute = true;
  const FusionModel e = fitFusion(c, s.train, imp);
  EXPECT_EQ(e.early.trainingPatients, static_cast<int>(s.train.size()));
  const FusionScores se = scoreFusion(e, c, s.test);
  EXPECT_TRUE(se.early.allFinite());
}

TEST(Fusion, PresenceRuleAndPreprocessing) {
  SimulationOptions so = simulationPreset("hgsoc");
  setCohortSize(so, 120);
  so.cellMissing = 0.2;
  const Cohort c = cohortFromSimulation(simulate(so));
  const Eigen::MatrixXi any = modalityPresence(c, PresenceRule::Any), all = modalityPresence(c, PresenceRule::All);
  EXPECT_TRUE((all.array() <= any.array()).all());
  EXPECT_LT(all.sum(), any.sum());  // with 20 % missing cells hardly anyone has every cell
  // Training preprocessing: z-scored columns of the training patients with the modality (after
  // median imputation) have mean 0 and SD 1; outliers beyond |z| > 2 become the median.
  FusionOptions o;
  o.outlierZ = 2;
  const std::vector<int> train = range(0, 100);
  const FusionModel fm = fitFusion(c, train, o);
  const ModalityModel& mm = fm.models[2];
  ASSERT_EQ(mm.outlierMean.size(), static_cast<Eigen::Index>(mm.columns.size()));
  int replaced = 0;
  for (size_t j = 0; j < mm.columns.size(); ++j) {
    for (int r : train) {
      const double v = c.x(r, mm.columns[j]);
      if (!any(r, 2) || std::isnan(v)) continue;
      replaced += std::fabs((v - mm.outlierMean(static_cast<Eigen::Index>(j))) / mm.outlierSd(static_cast<Eigen::Index>(j))) > 2;
    }
  }
  EXPECT_GT(replaced, 0);
  EXPECT_EQ(mm.trainingPatients, static_cast<int>(any.topRows(100).col(2).sum()));
  FusionOptions none;
  none.scaling = Scaling::MinMax;
  const FusionModel mmx = fitFusion(c, train, none);
  EXPECT_TRUE((mmx.models[0].scale.array() > 0).all());
}

TEST(Fusion, ScreeningInsideSubmodels) {
  const Cohort c = hgsocCohort(2);
  FusionOptions o;
  o.selectFeatures = true;
  o.crossFit = false;
  const FusionModel fm = fitFusion(c, range(0, 444), o);
  for (const ModalityModel& mm : fm.models) {
    EXPECT_GE(mm.selected.size(), 1u) << mm.name;
    EXPECT_LT(mm.selected.size(), mm.columns.size()) << mm.name;  // noise columns screened out
    EXPECT_EQ(coxFit(mm.fit).p, static_cast<Eigen::Index>(mm.selected.size()));
  }
  EXPECT_EQ(fm.early.columns.size(), [&] {
    size_t k = 0;
    for (const auto& mm : fm.models) k += mm.selected.size();
    return k;
  }());
}

// The simulator's documented promise, on its defaults and fusion.hpp's defaults: over 20 seeds
// (70/30 split), on the test patients with all four modalities, mean Harrell C of late fusion is
// above the mean of the best unimodal C per seed and above early fusion's; the unimodal scores are
// weakly correlated (Kendall tau averaged over seeds, every pair |tau| < 0.14).
TEST(FusionSimulation, LateFusionBeatsBestUnimodalAndEarlyFusion) {
  const int seeds = 20;
  double late = 0, early = 0, best = 0;
  double tau[4][4] = {};
  for (int seed = 1; seed <= seeds; ++seed) {
    const Cohort c = hgsocCohort(static_cast<uint64_t>(seed));
    const Split s = split(c.x.rows(), 1000 + static_cast<uint64_t>(seed));
    FusionOptions o;
    o.seed = static_cast<uint64_t>(seed);
    const FusionModel fm = fitFusion(c, s.train, o);
    const FusionScores sc = scoreFusion(fm, c, s.test);
    std::vector<Eigen::Index> common;
    for (Eigen::Index k = 0; k < sc.pattern.size(); ++k)
      if (sc.pattern(k) == 15) common.push_back(k);
    SurvivalData d;
    d.time.resize(static_cast<Eigen::Index>(common.size()));
    d.event.resize(static_cast<Eigen::Index>(common.size()));
    Eigen::VectorXd lf(d.time.size()), ef(d.time.size());
    Eigen::MatrixXd uni(d.time.size(), 4);
    for (size_t k = 0; k < common.size(); ++k) {
      const int row = s.test[static_cast<size_t>(common[k])];
      d.time(static_cast<Eigen::Index>(k)) = c.time(row);
      d.event(static_cast<Eigen::Index>(k)) = c.event(row);
      lf(static_cast<Eigen::Index>(k)) = sc.fused(common[k]);
      ef(static_cast<Eigen::Index>(k)) = sc.early(common[k]);
      uni.row(static_cast<Eigen::Index>(k)) = sc.unimodal.row(common[k]);
    }
    late += harrellConcordance(d, lf).c;
    early += harrellConcordance(d, ef).c;
    double b = 0;
    for (int m = 0; m < 4; ++m) b = std::max(b, harrellConcordance(d, uni.col(m)).c);
    best += b;
    for (int a = 0; a < 4; ++a)
      for (int m = a + 1; m < 4; ++m) {
        std::vector<double> xa, xb;
        for (Eigen::Index k = 0; k < sc.pattern.size(); ++k)
          if (std::isfinite(sc.unimodal(k, a)) && std::isfinite(sc.unimodal(k, m))) {
            xa.push_back(sc.unimodal(k, a));
            xb.push_back(sc.unimodal(k, m));
          }
        tau[a][m] += kendallTau(Eigen::Map<Eigen::VectorXd>(xa.data(), static_cast<Eigen::Index>(xa.size())),
                                Eigen::Map<Eigen::VectorXd>(xb.data(), static_cast<Eigen::Index>(xb.size())))
                         .estimate;
      }
  }
  late /= seeds;
  early /= seeds;
  best /= seeds;
  std::printf("[ fusion ] mean C over %d seeds: late %.4f, early %.4f, best unimodal (per seed) %.4f\n", seeds, late, early, best);
  EXPECT_GT(late, best);
  EXPECT_GT(late, early);
  for (int a = 0; a < 4; ++a)
    for (int m = a + 1; m < 4; ++m) EXPECT_LT(std::fabs(tau[a][m] / seeds), 0.14) << a << "," << m;
}
