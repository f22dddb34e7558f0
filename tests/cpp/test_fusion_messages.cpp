// Errors from inside the late-fusion engine carry where they arose (ErrorContext: step, modality,
// column, cohort row of the patient) and say it in the message, so that the caller can name the
// user's file row (tests/js/fuse_messages.test.js checks the whole path through `latefuse fuse`).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>

#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_context.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;

namespace {

Cohort simulated() {
  SimulationOptions o = simulationPreset("hgsoc");
  o.seed = 11;
  return cohortFromSimulation(simulate(o));
}

std::vector<int> everyRow(const Cohort& c) {
  std::vector<int> rows(static_cast<size_t>(c.x.rows()));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

int modalityIndex(const Cohort& c, const std::string& name) {
  for (size_t m = 0; m < c.modalities.size(); ++m)
    if (c.modalities[m] == name) return static_cast<int>(m);
  return -1;
}

int columnIndex(const Cohort& c, const std::string& name) {
  for (size_t j = 0; j < c.columns.size(); ++j)
    if (c.columns[j] == name) return static_cast<int>(j);
  return -1;
}

bool hasModality(const Cohort& c, Eigen::Index row, int m) {
  for (size_t j = 0; j < c.columns.size(); ++j)
    if (c.columnModality[j] == m && !std::isnan(c.x(row, static_cast<Eigen::Index>(j)))) return true;
  return false;
}

}  // namespace

TEST(FusionMessages, StepsNestOuterFirstAndKeepTheInnermostPlace) {
  try {
    inStep({"cross-fitting fold 2 of 5", "genomic", "", -1}, [] {
      inStep({"submodel fit", "", "", -1}, [] { throw ModelError("Cox model: did not converge", {"", "", "genomic_03", 7}); });
    });
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()), "cross-fitting fold 2 of 5, modality 'genomic': submodel fit: Cox model: did not converge");
    EXPECT_EQ(e.context().step, "cross-fitting fold 2 of 5 / submodel fit");
    EXPECT_EQ(e.context().modality, "genomic");
    EXPECT_EQ(e.context().column, "genomic_03");
    EXPECT_EQ(e.context().row, 7);
  }
  // The modality is said once when the inner message carries it already.
  try {
    inStep({"fit on all training patients", "clinical", "", -1}, [] { throw InputError("modality 'clinical' ...", {"", "clinical", "", -1}); });
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "fit on all training patients: modality 'clinical' ...");
  }
  EXPECT_EQ(inStep({"x", "", "", -1}, [] { return 3; }), 3);  // values pass through
}

TEST(FusionMessages, OnePatientModalityNamesThePatientAndStep) {
  Cohort c = simulated();
  const int g = modalityIndex(c, "genomic");
  ASSERT_GE(g, 0);
  Eigen::Index keep = -1;
  for (Eigen::Index i = 0; i < c.x.rows() && keep < 0; ++i)
    if (hasModality(c, i, g)) keep = i;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i)
    if (i != keep)
      for (size_t j = 0; j < c.columns.size(); ++j)
        if (c.columnModality[j] == g) c.x(i, static_cast<Eigen::Index>(j)) = std::nan("");
  c.event(keep) = 1;
  try {
    fitFusion(c, everyRow(c));
    FAIL() << "no error";
  } catch (const ModelError& e) {
    const std::string id = c.ids[static_cast<size_t>(keep)];
    EXPECT_EQ(std::string(e.what()), "fit on all training patients: only one training patient (patient '" + id +
                                         "') has modality 'genomic', and its submodel needs at least 2; add patients with this "
                                         "modality or drop it");
    EXPECT_EQ(e.context().step, "fit on all training patients");
    EXPECT_EQ(e.context().modality, "genomic");
    EXPECT_EQ(e.context().row, keep);
  }
}

TEST(FusionMessages, ExtremeValueNamesColumnPatientAndCohortRow) {
  Cohort c = simulated();
  const int j = columnIndex(c, "genomic_01");
  ASSERT_GE(j, 0);
  Eigen::Index at = -1;
  for (Eigen::Index i = 5; i < c.x.rows() && at < 0; ++i)
    if (!std::isnan(c.x(i, j))) at = i;
  c.x(at, j) = 1.7e308;  // its square overflows the column's SD
  try {
    fitFusion(c, everyRow(c));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("fit on all training patients: column 'genomic_01' (modality 'genomic'): the value 1.7e+308 of patient '" +
                                         c.ids[static_cast<size_t>(at)] + "' is too extreme"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(e.context().column, "genomic_01");
    EXPECT_EQ(e.context().modality, "genomic");
    EXPECT_EQ(e.context().row, at);
  }
}

TEST(FusionMessages, ScoringAnOverflowingPatientNamesTheColumn) {
  Cohort c = simulated();
  const int j = columnIndex(c, "genomic_02");
  ASSERT_GE(j, 0);
  c.x.col(j) *= 1e-3;  // a training SD far below 1: the largest double, standardised, is infinite
  const FusionModel fm = fitFusion(c, everyRow(c));
  Eigen::Index at = -1;
  for (Eigen::Index i = 0; i < c.x.rows() && at < 0; ++i)
    if (!std::isnan(c.x(i, j))) at = i;
  c.x(at, j) = 1.7e308;
  try {
    scoreFusion(fm, c, everyRow(c));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.context().modality, "genomic");
    EXPECT_EQ(e.context().column, "genomic_02");
    EXPECT_EQ(e.context().row, at);
    EXPECT_NE(std::string(e.what()).find("the 'genomic' submodel's score of patient '" + c.ids[static_cast<size_t>(at)] +
                                         "' is not a finite number: its value of 'genomic_02' (1.7e+308)"),
              std::string::npos)
        << e.what();
  }
}
