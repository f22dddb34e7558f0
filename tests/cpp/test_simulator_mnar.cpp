// Modalities missing not at random in the simulator (SimulationOptions::missingNotAtRandom): the
// pattern counts stay exact, 0 leaves every draw as before, and with s > 0 the patients with fewer
// modalities have the higher true risk (eta), more so as s grows; seeded and repeatable.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "fixtures.hpp"
#include "latefuse/error.hpp"
#include "latefuse/simulator.hpp"

namespace {
using namespace latefuse;
using latefuse::testing::hgsocOptions;

std::vector<int> patternCounts(const SimulatedCohort& c) {
  std::vector<int> counts(size_t{1} << c.modalities.size(), 0);
  for (Eigen::Index i = 0; i < c.available.rows(); ++i) {
    int mask = 0;
    for (Eigen::Index m = 0; m < c.available.cols(); ++m) mask |= c.available(i, m) << m;
    ++counts[static_cast<size_t>(mask)];
  }
  return counts;
}

// Mean eta of the patients with every modality minus that of the patients with one modality.
double riskGap(const SimulatedCohort& c) {
  double full = 0, one = 0;
  int nFull = 0, nOne = 0;
  for (Eigen::Index i = 0; i < c.available.rows(); ++i) {
    const int k = c.available.row(i).sum();
    if (k == c.available.cols()) {
      full += c.linearPredictor(i);
      ++nFull;
    }
    if (k == 1) {
      one += c.linearPredictor(i);
      ++nOne;
    }
  }
  return full / nFull - one / nOne;
}

TEST(SimulatorMissingNotAtRandom, ZeroIsMissingAtRandomAndUnchanged) {
  SimulationOptions o = hgsocOptions(11);
  const SimulatedCohort before = simulate(o);
  o.missingNotAtRandom = 0;
  const SimulatedCohort zero = simulate(o);
  EXPECT_EQ(cohortCsv(before), cohortCsv(zero));
}

TEST(SimulatorMissingNotAtRandom, KeepsTheCountsAndGivesHighRiskPatientsFewerModalities) {
  SimulationOptions o = hgsocOptions(11);
  const SimulatedCohort mar = simulate(o);
  o.missingNotAtRandom = 2;
  const SimulatedCohort mnar = simulate(o);
  o.missingNotAtRandom = 8;
  const SimulatedCohort strong = simulate(o);
  EXPECT_EQ(patternCounts(mnar), patternCounts(mar));
  EXPECT_EQ(patternCounts(strong), patternCounts(mar));
  // The true risk and the outcome do not depend on who has what; only availability moves.
  EXPECT_EQ(mnar.linearPredictor, mar.linearPredictor);
  EXPECT_EQ(mnar.time, mar.time);
  // eta has SD about 1.8 here; the gap's SE under missing at random is about 0.35.
  EXPECT_LT(riskGap(mnar), -1.0);
  EXPECT_LT(riskGap(strong), riskGap(mnar));
  EXPECT_GT(riskGap(mar), -1.0);
  EXPECT_LT(riskGap(mar), 1.0);
  // Seeded: the same options give the same file.
  o.missingNotAtRandom = 2;
  EXPECT_EQ(cohortCsv(simulate(o)), cohortCsv(mnar));
}

TEST(SimulatorMissingNotAtRandom, RefusesAStrengthOutOfRange) {
  SimulationOptions o = simulationPreset("hgsoc");
  o.missingNotAtRandom = -1;
  EXPECT_THROW(simulate(o), InputError);
  o.missingNotAtRandom = 11;
  EXPECT_THROW(simulate(o), InputError);
}

}  // namespace
