// Bootstrap (percentile, BCa), jackknife, paired bootstrap and permutation test.
//  * Interval formulas: parity with R boot 1.3.28 (boot.ci perc/bca, norm.inter, empinf(type = "jack"))
//    on R's own replicates (tests/r/stats_golden.R).
//  * Draws: seeded, identical for the same seed, different for another, independent of chunking.
//  * Native-vs-WASM agreement: this test computes seeded results on lung and compares them with
//    tests/golden/seeded_native.json (written only by build/native/latefuse_write_goldens, see
//    tests/r/README.md). tests/js/stats.test.js computes the same through the WebAssembly module and
//    requires equality with the committed file, so native and WASM draws are proven identical.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <numeric>

#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/random.hpp"
#include "latefuse/resample_statistics.hpp"
#include "latefuse/resampling.hpp"
#include "native_goldens.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

struct LungScore {
  SurvivalData data;
  Eigen::VectorXd score;
};
LungScore lungScore() {
  const auto& b = statsGolden().at("bootstrap");
  LungScore l;
  l.data.time = vec(b.at("data").at("time"));
  l.data.event = vec(b.at("data").at("event"));
  l.score = vec(b.at("data").at("score"));
  return l;
}

// Harrell's C of the lung score (higher = higher risk) as a resampling engine.
std::shared_ptr<const HarrellEngine> harrellEngine(const LungScore& l) { return std::make_shared<const HarrellEngine>(l.data, l.score, true); }

ResampleStatistic harrell(const LungScore& l) { return harrellStatistic(harrellEngine(l)); }

// Rows repeated by counts, as an explicit data set.
LungScore expand(const LungScore& l, const std::vector<int>& counts) {
  std::vector<Eigen::Index> rows;
  for (size_t i = 0; i < counts.size(); ++i)
    for (int k = 0; k < counts[i]; ++k) rows.push_back(static_cast<Eigen::Index>(i));
  LungScore out;
  const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
  out.data.time.resize(m);
  out.data.event.resize(m);
  out.score.resize(m);
  if (l.data.stratified()) out.data.strata.resize(m);
  if (l.data.weighted()) out.data.weight.resize(m);
  for (Eigen::Index k = 0; k < m; ++k) {
    const Eigen::Index i = rows[static_cast<size_t>(k)];
    out.data.time(k) = l.data.time(i);
    out.data.event(k) = l.data.event(i);
    out.score(k) = l.score(i);
    if (l.data.stratified()) out.data.strata(k) = l.data.strata(i);
    if (l.data.weighted()) out.data.weight(k) = l.data.weight(i);
  }
  return out;
}

}  // namespace

TEST(StatsResampling, NormInterMatchesR) {
  const auto& b = statsGolden().at("bootstrap");
  const Eigen::VectorXd t = vec(b.at("t"));
  const std::vector<double> tv(t.data(), t.data() + t.size());
  const Eigen::VectorXd alphas = vec(b.at("norm_inter_alpha"));
  for (Eigen::Index k = 0; k < alphas.size(); ++k)
    EXPECT_TRUE(nearAbs("bootstrap.norm_inter", normInter(tv, alphas(k)), b.at("norm_inter")[static_cast<size_t>(k)], 1e-13))
        << "alpha " << alphas(k);
}

TEST(StatsResampling, IntervalsMatchRBootCi) {
  const auto& b = statsGolden().at("bootstrap");
  const Eigen::VectorXd t = vec(b.at("t")), L = vec(b.at("jackknife_L"));
  const double t0 = b.at("t0");
  for (double conf : {0.95, 0.90}) {
    const std::string tag = conf == 0.95 ? "95" : "90";
    double lo = 0, hi = 0;
    percentileInterval(t, conf, lo, hi);
    EXPECT_TRUE(nearAbs("bootstrap.percentile_ci", lo, b.at("perc" + tag)[0], 1e-13));
    EXPECT_TRUE(nearAbs("bootstrap.percentile_ci", hi, b.at("perc" + tag)[1], 1e-13));
    const BcaInterval bca = bcaInterval(t0, t, L, conf);
    EXPECT_TRUE(nearAbs("bootstrap.bca_ci", bca.lower, b.at("bca" + tag)[0], 1e-12));
    EXPECT_TRUE(nearAbs("bootstrap.bca_ci", bca.upper, b.at("bca" + tag)[1], 1e-12));
  }
  // The reference notes' numbers (same R run)
  double lo = 0, hi = 0;
  percentileInterval(t, 0.95, lo, hi);
  EXPECT_NEAR(lo, 0.5885212596, 1e-10);
  EXPECT_NEAR(hi, 0.6835983042, 1e-10);
}

TEST(StatsResampling, JackknifeOfHarrellMatchesR) {
  const LungScore l = lungScore();
  const Eigen::VectorXd L = jackknifeInfluence(l.data.size(), harrell(l));
  expectVecAbs("bootstrap.jackknife_L", L, statsGolden().at("bootstrap").at("jackknife_L"), 1e-10);
  EXPECT_NEAR(harrell(l)(std::vector<int>(static_cast<size_t>(l.data.size()), 1)), statsGolden().at("bootstrap").at("t0").get<double>(), 1e-12);
}

TEST(StatsResampling, HarrellEngineEqualsConcordanceOnResampledRows) {
  LungScore l = lungScore();
  // with strata and weights too
  LungScore sw = l;
  sw.data.strata.resize(sw.data.size());
  sw.data.weight.resize(sw.data.size());
  for (Eigen::Index i = 0; i < sw.data.size(); ++i) {
    sw.data.strata(i) = static_cast<int>(i % 3);
    sw.data.weight(i) = 1 + (i % 4) * 0.25;
  }
  for (const LungScore* base : {&l, &sw}) {
    for (bool higher : {true, false}) {
      const auto engine = std::make_shared<const HarrellEngine>(base->data, base->score, higher);
      std::vector<int> counts(static_cast<size_t>(base->data.size()));
      for (int b = 0; b < 5; ++b) {
        Random rng = Random::stream(99, static_cast<uint64_t>(b));
        std::fill(counts.begin(), counts.end(), 0);
        for (Eigen::Index k = 0; k < base->data.size(); ++k) ++counts[rng.below(static_cast<uint64_t>(base->data.size()))];
        const LungScore e = expand(*base, counts);
        EXPECT_NEAR(engine->evaluate(counts.data(), nullptr), harrellConcordance(e.data, e.score, higher).c, 1e-13);
        std::vector<int> perm(counts.size());
        std::iota(perm.begin(), perm.end(), 0);
        rng.shuffle(perm);
        Eigen::VectorXd permuted(base->score.size());
        for (Eigen::Index i = 0; i < permuted.size(); ++i) permuted(i) = base->score(perm[static_cast<size_t>(i)]);
        EXPECT_NEAR(engine->evaluate(nullptr, perm.data()), harrellConcordance(base->data, permuted, higher).c, 1e-13);
      }
    }
  }
}

TEST(StatsResampling, SeededBootstrapAndPermutation) {
  const auto engine = harrellEngine(lungScore());
  BootstrapOptions o;
  o.replicates = 200;
  o.seed = 42;
  o.bca = true;
  const BootstrapResult a = bootstrap(engine->size(), harrellStatistic(engine), o);
  // a bootstrap CI contains its point estimate
  EXPECT_LE(a.lower, a.estimate);
  EXPECT_GE(a.upper, a.estimate);
  EXPECT_LE(a.bcaLower, a.estimate);
  EXPECT_GE(a.bcaUpper, a.estimate);
  EXPECT_EQ(a.failed, 0);
  // same seed: identical; chunk size does not matter; another seed: different draws
  BootstrapOptions o2 = o;
  o2.chunk = 7;
  const BootstrapResult b = bootstrap(engine->size(), harrellStatistic(engine), o2);
  for (Eigen::Index k = 0; k < a.replicates.size(); ++k) ASSERT_EQ(a.replicates(k), b.replicates(k));
  EXPECT_EQ(a.lower, b.lower);
  o2.seed = 43;
  const BootstrapResult c = bootstrap(engine->size(), harrellStatistic(engine), o2);
  int same = 0;
  for (Eigen::Index k = 0; k < a.replicates.size(); ++k) same += a.replicates(k) == c.replicates(k);
  EXPECT_LT(same, 5);

  PermutationOptions po;
  po.permutations = 200;
  po.seed = 42;
  const PermutationResult p = permutationTest(engine->size(), harrellPermutation(engine), po);
  EXPECT_EQ(p.p, (p.extreme + 1.0) / (p.permutations + 1.0));
  EXPECT_EQ(p.p, 1.0 / 201);  // C = 0.637 is far from every permuted C here
  EXPECT_NEAR(p.observed, 0.637135493, 1e-9);

  // The committed native results (tests/js/stats.test.js requires the WASM build to equal them).
  const nlohmann::json j = seededNativeJson();
  EXPECT_EQ(j.at("bootstrap").at("lower").get<double>(), a.lower) << "the generator uses this test's settings";
  EXPECT_EQ(j.at("permutation").at("p").get<double>(), p.p);
  const nlohmann::json stored = readJson(kSeededNativePath);
  EXPECT_EQ(stored.at("bootstrap").at("values"), j.at("bootstrap").at("values"));
  EXPECT_EQ(stored.at("permutation").at("values"), j.at("permutation").at("values"));
  EXPECT_EQ(stored.at("random"), j.at("random"));
  EXPECT_EQ(stored.at("permutation").at("p").get<double>(), p.p);
  EXPECT_NEAR(stored.at("bootstrap").at("lower").get<double>(), a.lower, 1e-14);
  EXPECT_NEAR(stored.at("bootstrap").at("bca_upper").get<double>(), a.bcaUpper, 1e-14);
}

TEST(StatsResampling, ProgressAndCancel) {
  const auto engine = harrellEngine(lungScore());
  BootstrapOptions o;
  o.replicates = 100;
  o.chunk = 10;
  std::vector<double> seen;
  o.progress = [&](double f) { seen.push_back(f); return true; };
  bootstrap(engine->size(), harrellStatistic(engine), o);
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);
  for (size_t k = 1; k < seen.size(); ++k) EXPECT_GT(seen[k], seen[k - 1]);
  int calls = 0;
  o.progress = [&](double) { return ++calls < 3; };
  EXPECT_THROW(bootstrap(engine->size(), harrellStatistic(engine), o), Cancelled);
  EXPECT_EQ(calls, 3);
  PermutationOptions po;
  po.permutations = 50;
  po.chunk = 5;
  po.progress = [](double f) { return f < 0.5; };
  EXPECT_THROW(permutationTest(engine->size(), harrellPermutation(engine), po), Cancelled);
}

TEST(StatsResampling, PairedBootstrap) {
  const LungScore l = lungScore();
  const auto a = std::make_shared<const HarrellEngine>(l.data, l.score, true);
  Eigen::VectorXd noisy = l.score;
  for (Eigen::Index i = 0; i < noisy.size(); ++i) noisy(i) += (i % 5) * 0.1;
  const auto b = std::make_shared<const HarrellEngine>(l.data, noisy, true);
  BootstrapOptions o;
  o.replicates = 300;
  o.seed = 5;
  const PairedBootstrapResult r = pairedBootstrap(l.data.size(), harrellStatistic(a), harrellStatistic(b), o);
  EXPECT_NEAR(r.estimateA, harrellConcordance(l.data, l.score).c, 1e-12);
  EXPECT_NEAR(r.estimateB, harrellConcordance(l.data, noisy).c, 1e-12);
  EXPECT_NEAR(r.difference.estimate, r.estimateA - r.estimateB, 1e-15);
  EXPECT_LE(r.difference.lower, r.difference.estimate);
  EXPECT_GE(r.difference.upper, r.difference.estimate);
  // each paired replicate is the difference of the two statistics on the same resample
  const BootstrapResult ra = bootstrap(l.data.size(), harrellStatistic(a), o), rb = bootstrap(l.data.size(), harrellStatistic(b), o);
  for (Eigen::Index k = 0; k < 300; ++k) EXPECT_NEAR(r.difference.replicates(k), ra.replicates(k) - rb.replicates(k), 1e-15);
  // a model against itself: every difference is exactly 0
  const PairedBootstrapResult self = pairedBootstrap(l.data.size(), harrellStatistic(a), harrellStatistic(a), o);
  EXPECT_EQ(self.difference.lower, 0);
  EXPECT_EQ(self.difference.upper, 0);
}

TEST(StatsResampling, OtherStatistics) {
  const LungScore l = lungScore();
  BootstrapOptions o;
  o.replicates = 40;
  o.seed = 3;
  const BootstrapResult uno = bootstrap(l.data.size(), unoStatistic(l.data, l.score, 365), o);
  EXPECT_NEAR(uno.estimate, 0.6333164759, 1e-10);
  EXPECT_LE(uno.lower, uno.estimate);
  EXPECT_GE(uno.upper, uno.estimate);
  const BootstrapResult auc = bootstrap(l.data.size(), aucStatistic(l.data, l.score, Eigen::Vector3d(180, 365, 540), true), o);
  EXPECT_NEAR(auc.estimate, 0.6701751335, 1e-10);
  const BootstrapResult km = bootstrap(l.data.size(), kaplanMeierStatistic(l.data, 365), o);
  EXPECT_GT(km.estimate, 0.3);
  const auto& c = goldenCase("correlation", "lung_age_ecog");
  const BootstrapResult tau = bootstrap(227, kendallStatistic(vec(c.at("x")), vec(c.at("y"))), o);
  EXPECT_NEAR(tau.estimate, 0.1542160261, 1e-10);
  PermutationOptions po;
  po.permutations = 99;
  po.center = 0;  // tau under the null is 0
  const PermutationResult pt = permutationTest(227, kendallPermutation(vec(c.at("x")), vec(c.at("y"))), po);
  EXPECT_LT(pt.p, 0.05);  // tau = 0.15 with p = 0.003 (cor.test)
}

TEST(StatsResampling, Degenerate) {
  const LungScore l = lungScore();
  // tied scores everywhere: C = 1/2 on every resample and permutation
  const auto flat = std::make_shared<const HarrellEngine>(l.data, Eigen::VectorXd::Constant(l.data.size(), 1.0), true);
  BootstrapOptions o;
  o.replicates = 50;
  o.bca = true;
  const BootstrapResult b = bootstrap(l.data.size(), harrellStatistic(flat), o);
  EXPECT_EQ(b.lower, 0.5);
  EXPECT_EQ(b.upper, 0.5);
  EXPECT_TRUE(std::isnan(b.bcaLower));  // z0 infinite: R's boot.ci stops; we warn
  EXPECT_FALSE(b.warnings.empty());
  PermutationOptions po;
  po.permutations = 30;
  const PermutationResult p = permutationTest(l.data.size(), harrellPermutation(flat), po);
  EXPECT_EQ(p.p, 1.0);
  // n = 2: some resamples have no comparable pair and are left out (counted)
  SurvivalData two;
  two.time = Eigen::Vector2d(1, 2);
  two.event = Eigen::Vector2d(1, 0);
  const auto e2 = std::make_shared<const HarrellEngine>(two, Eigen::Vector2d(2, 1), true);
  o.bca = false;
  const BootstrapResult b2 = bootstrap(2, harrellStatistic(e2), o);
  EXPECT_GT(b2.failed, 0);
  EXPECT_EQ(b2.lower, 1.0);
  // all censored: the statistic does not exist on the data itself
  SurvivalData cens = l.data;
  cens.event.setZero();
  const auto ec = std::make_shared<const HarrellEngine>(cens, l.score, true);
  EXPECT_THROW(bootstrap(cens.size(), harrellStatistic(ec), o), ModelError);
  o.replicates = 0;
  EXPECT_THROW(bootstrap(l.data.size(), harrellStatistic(flat), o), InputError);
}
