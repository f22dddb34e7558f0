// Simulator: exact availability counts, exact censoring, determinism, the native golden CSV that the
// WebAssembly build must reproduce byte for byte (tests/js/simulate.test.js).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "latefuse/error.hpp"
#include "latefuse/simulator.hpp"
#include "native_goldens.hpp"
#include "test_support.hpp"

using namespace latefuse;

namespace {

std::vector<int> marginals(const SimulatedCohort& c) {
  std::vector<int> out(c.modalities.size(), 0);
  for (Eigen::Index i = 0; i < c.available.rows(); ++i)
    for (Eigen::Index m = 0; m < c.available.cols(); ++m) out[static_cast<size_t>(m)] += c.available(i, m);
  return out;
}

int completeCount(const SimulatedCohort& c) {
  int n = 0;
  for (Eigen::Index i = 0; i < c.available.rows(); ++i) n += c.available.row(i).minCoeff();
  return n;
}

}  // namespace

TEST(Simulator, HgsocPresetCountsAreExact) {
  const SimulationOptions o = simulationPreset("hgsoc");
  const SimulatedCohort c = simulate(o);
  ASSERT_EQ(c.modalities, (std::vector<std::string>{"radiomics", "histopathology", "genomic", "clinical"}));
  EXPECT_EQ(c.time.size(), 444);
  EXPECT_EQ(marginals(c), (std::vector<int>{245, 243, 296, 444}));
  EXPECT_EQ(completeCount(c), 114);
  // A missing modality is all-NaN; a present one has no NaN (cellMissing = 0).
  for (Eigen::Index i = 0; i < c.features.rows(); ++i)
    for (Eigen::Index j = 0; j < c.features.cols(); ++j)
      EXPECT_EQ(std::isnan(c.features(i, j)), c.available(i, c.columnModality[static_cast<size_t>(j)]) == 0);
  // Exactly round(0.45 * 444) = 200 censored.
  EXPECT_EQ(static_cast<int>((c.event.array() == 0).count()), 200);
  EXPECT_EQ(c.columns.front(), "radiomics_01");
  EXPECT_EQ(c.columns.back(), "clinical_10");
  EXPECT_EQ(c.ids.front(), "P001");
  EXPECT_GE(c.time.minCoeff(), 0.01);
  // Same for other seeds (the counts are fixed, only who has what changes).
  SimulationOptions o2 = o;
  o2.seed = 99;
  const SimulatedCohort c2 = simulate(o2);
  EXPECT_EQ(marginals(c2), (std::vector<int>{245, 243, 296, 444}));
  EXPECT_EQ(completeCount(c2), 114);
  EXPECT_NE(c2.available, c.available);
}

TEST(Simulator, SeededAndStreamsIndependent) {
  SimulationOptions o = simulationPreset("hgsoc");
  o.seed = 3;
  const SimulatedCohort a = simulate(o), b = simulate(o);
  EXPECT_EQ(cohortCsv(a), cohortCsv(b));
  // Changing the censoring leaves features and availability untouched (separate streams).
  SimulationOptions o2 = o;
  o2.censoring = 0.2;
  const SimulatedCohort c = simulate(o2);
  EXPECT_EQ(c.available, a.available);
  EXPECT_TRUE(c.features.cwiseEqual(a.features).count() + (a.features.array().isNaN()).count() == a.features.size());
  EXPECT_EQ(static_cast<int>((c.event.array() == 0).count()), static_cast<int>(std::llround(0.2 * 444)));
}

TEST(Simulator, RescaledPresetAndCustomAvailability) {
  SimulationOptions o = simulationPreset("hgsoc");
  setCohortSize(o, 100);
  const SimulatedCohort c = simulate(o);
  EXPECT_EQ(c.time.size(), 100);
  const std::vector<int> m = marginals(c);
  EXPECT_EQ(m[3], 100);  // clinical stays universal
  EXPECT_NEAR(m[0], 245 * 100 / 444.0, 2.5);
  EXPECT_NEAR(completeCount(c), 114 * 100 / 444.0, 1.5);

  // Availability given directly: the wrap-around construction hits the counts exactly.
  SimulationOptions u = simulationPreset("hgsoc");
  u.patternCounts.clear();
  u.n = 200;
  u.modalities[0].available = 120;
  u.modalities[1].available = 90;
  u.modalities[2].available = 150;
  u.modalities[3].available = 200;
  u.complete = 30;
  const SimulatedCohort d = simulate(u);
  EXPECT_EQ(marginals(d), (std::vector<int>{120, 90, 150, 200}));
  EXPECT_EQ(completeCount(d), 30);
  u.complete = 0;  // needs 560 measurements on 200 patients, at most 3 each without completing them
  EXPECT_EQ(completeCount(simulate(u)), 0);
  u.modalities[0].available = 200;
  u.modalities[1].available = 200;
  u.modalities[2].available = 200;  // 800 > 200 * 3: impossible without complete patients
  EXPECT_THROW(simulate(u), InputError);
}

TEST(Simulator, SporadicMissingOnlyInsidePresentModalities) {
  SimulationOptions o = simulationPreset("hgsoc");
  o.cellMissing = 0.1;
  const SimulatedCohort c = simulate(o);
  long sporadic = 0, presentCells = 0;
  for (Eigen::Index i = 0; i < c.features.rows(); ++i)
    for (Eigen::Index j = 0; j < c.features.cols(); ++j) {
      const bool present = c.available(i, c.columnModality[static_cast<size_t>(j)]) == 1;
      if (!present) EXPECT_TRUE(std::isnan(c.features(i, j)));
      else {
        ++presentCells;
        sporadic += std::isnan(c.features(i, j));
      }
    }
  EXPECT_NEAR(static_cast<double>(sporadic) / presentCells, 0.1, 0.01);
}

TEST(Simulator, Errors) {
  EXPECT_THROW(simulationPreset("tcga"), InputError);
  SimulationOptions o = simulationPreset("hgsoc");
  o.correlation = 1;
  EXPECT_THROW(simulate(o), InputError);
  o = simulationPreset("hgsoc");
  o.modalities[0].signalFeatures = 50;
  EXPECT_THROW(simulate(o), InputError);
  o = simulationPreset("hgsoc");
  o.modalities[1].name = "histo_path";
  EXPECT_THROW(simulate(o), InputError);
  o = simulationPreset("hgsoc");
  o.interaction = 0.5;
  o.interactionB = "proteomics";
  EXPECT_THROW(simulate(o), InputError);
  o = simulationPreset("hgsoc");
  EXPECT_THROW(setCohortSize(o, 5), InputError);
}

// tests/golden/simulate_seed7.csv, written only by build/native/latefuse_write_goldens (see
// tests/r/README.md): the simulator must reproduce it byte for byte.
TEST(Simulator, GoldenCsvSeed7) {
  const std::string csv = latefuse::testing::simulateSeed7Csv();
  const std::string path = latefuse::testing::sourcePath(latefuse::testing::kSimulateSeed7Path);
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << path << "; run build/native/latefuse_write_goldens simulate to create it";
  std::stringstream buffer;
  buffer << in.rdbuf();
  EXPECT_EQ(buffer.str(), csv);
}
