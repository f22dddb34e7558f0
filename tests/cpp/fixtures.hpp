// Shared fixtures of the GoogleTest suite: the data sets several test files fit (lung complete
// cases, the simulated cohort CSVs, the hgsoc preset), a cohort's rows as survival data or as
// data to score, and the exact comparison of two scorings of one model. One definition each, so a
// fixture cannot drift between the files that rely on it being the same.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"
#include "test_support.hpp"

namespace latefuse::testing {

// R's survival::lung (tests/data/lung.csv) restricted to the rows with every one of `columns`
// present, as R's na.action drops them; event = status == 2.
struct LungCases {
  std::vector<size_t> rows;  // 0-based rows of lung.csv that were kept
  SurvivalData data;
  Eigen::MatrixXd x;  // rows x columns, in the order given
};

inline LungCases lungCompleteCases(const std::vector<std::string>& columns) {
  const Table t = readCsv("tests/data/lung.csv");
  LungCases l;
  for (size_t i = 0; i < t.rows; ++i) {
    bool complete = true;
    for (const auto& c : columns) complete = complete && std::isfinite(t.numeric.at(c)[i]);
    if (complete) l.rows.push_back(i);
  }
  const Eigen::Index n = static_cast<Eigen::Index>(l.rows.size());
  l.data.time.resize(n);
  l.data.event.resize(n);
  l.x.resize(n, static_cast<Eigen::Index>(columns.size()));
  for (Eigen::Index k = 0; k < n; ++k) {
    const size_t i = l.rows[static_cast<size_t>(k)];
    l.data.time(k) = t.numeric.at("time")[i];
    l.data.event(k) = t.numeric.at("status")[i] == 2 ? 1 : 0;
    for (size_t j = 0; j < columns.size(); ++j) l.x(k, static_cast<Eigen::Index>(j)) = t.numeric.at(columns[j])[i];
  }
  return l;
}

// lung complete cases as a one-modality ("clinical") cohort; patient ids "L<1-based row>".
inline Cohort lungCohort(const std::vector<std::string>& columns = {"age", "sex", "ph.ecog", "ph.karno", "wt.loss"}) {
  LungCases l = lungCompleteCases(columns);
  Cohort c;
  c.modalities = {"clinical"};
  c.columns = columns;
  c.columnModality.assign(columns.size(), 0);
  for (size_t i : l.rows) c.ids.push_back("L" + std::to_string(i + 1));
  c.time = std::move(l.data.time);
  c.event = std::move(l.data.event);
  c.x = std::move(l.x);
  return c;
}

// A simulated cohort CSV (tests/data/sim_*.csv: id, the outcome columns — y, or time and event —
// then <modality>_<nn> features) as a Cohort, modalities in order of first appearance.
inline Cohort cohortFromCsv(const std::string& path, OutcomeType outcome) {
  const Table t = readCsv(path);
  Cohort c;
  c.outcome = outcome;
  for (const auto& name : t.names) {
    if (name == "id" || name == "y" || name == "time" || name == "event") continue;
    const std::string modality = name.substr(0, name.rfind('_'));
    auto it = std::find(c.modalities.begin(), c.modalities.end(), modality);
    if (it == c.modalities.end()) {
      c.modalities.push_back(modality);
      it = c.modalities.end() - 1;
    }
    c.columns.push_back(name);
    c.columnModality.push_back(static_cast<int>(it - c.modalities.begin()));
  }
  c.x.resize(static_cast<Eigen::Index>(t.rows), static_cast<Eigen::Index>(c.columns.size()));
  for (size_t j = 0; j < c.columns.size(); ++j) c.x.col(static_cast<Eigen::Index>(j)) = t.col(c.columns[j]);
  c.ids = t.text.at("id");
  if (outcome == OutcomeType::Binary) {
    c.event = t.col("y");
  } else {
    c.time = t.col("time");
    c.event = t.col("event");
  }
  return c;
}

// The hgsoc preset (four modalities with the study's availability patterns) drawn with `seed`;
// `patients` > 0 rescales it with setCohortSize.
inline SimulationOptions hgsocOptions(uint64_t seed, int patients = 0, SimulatedOutcome outcome = SimulatedOutcome::Survival) {
  SimulationOptions so = simulationPreset("hgsoc");
  if (patients > 0) setCohortSize(so, patients);
  so.seed = seed;
  so.outcome = outcome;
  return so;
}

inline Cohort hgsocCohort(uint64_t seed, int patients = 0, SimulatedOutcome outcome = SimulatedOutcome::Survival) {
  return cohortFromSimulation(simulate(hgsocOptions(seed, patients, outcome)));
}

// Report options for a repeated cross-validation with neither bootstrap intervals nor permutation
// p-values (they do not enter the cross-validated numbers, and would only cost time).
inline EvaluationOptions crossValidationOptions(int folds, int repeats) {
  EvaluationOptions o;
  o.bootstrap = 0;
  o.permutations = 0;
  o.cvFolds = folds;
  o.cvRepeats = repeats;
  return o;
}

// Time and event of the cohort's `rows`, in that order (the data a direct Cox fit on them needs).
inline SurvivalData survivalOf(const Cohort& c, const std::vector<int>& rows) {
  SurvivalData d;
  d.time.resize(static_cast<Eigen::Index>(rows.size()));
  d.event.resize(static_cast<Eigen::Index>(rows.size()));
  for (size_t k = 0; k < rows.size(); ++k) {
    d.time(static_cast<Eigen::Index>(k)) = c.time(rows[k]);
    d.event(static_cast<Eigen::Index>(k)) = c.event(rows[k]);
  }
  return d;
}

// The cohort's `rows` as raw features to score with a model file (ids and column names kept).
inline ScoringData scoringData(const Cohort& c, const std::vector<int>& rows) {
  ScoringData d;
  d.columns = c.columns;
  d.x.resize(static_cast<Eigen::Index>(rows.size()), c.x.cols());
  for (size_t k = 0; k < rows.size(); ++k) {
    d.ids.push_back(c.ids[static_cast<size_t>(rows[k])]);
    d.x.row(static_cast<Eigen::Index>(k)) = c.x.row(rows[k]);
  }
  return d;
}

// Exact equality, NaN matching NaN: a model reloaded from its file must score bit for bit as the
// model it was saved from.
inline bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
inline void expectSame(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows()) << what;
  ASSERT_EQ(a.cols(), b.cols()) << what;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j) EXPECT_TRUE(same(a(i, j), b(i, j))) << what << " (" << i << ", " << j << "): " << a(i, j) << " vs " << b(i, j);
}

// Every number of two scorings of the same patients, exactly.
inline void expectSameScores(const ModelScores& a, const ModelScores& b) {
  expectSame(a.unimodal, b.unimodal, "unimodal");
  expectSame(a.fused, b.fused, "fused");
  expectSame(a.coxLp, b.coxLp, "coxLp");
  expectSame(a.hazardRatio, b.hazardRatio, "hazardRatio");
  expectSame(a.probability, b.probability, "probability");
  expectSame(a.risk, b.risk, "risk");
  expectSame(a.contribution, b.contribution, "contribution");
  expectSame(a.percentile, b.percentile, "percentile");
  expectSame(a.early, b.early, "early");
  expectSame(a.surv, b.surv, "surv");
  expectSame(a.survLower, b.survLower, "survLower");
  expectSame(a.survUpper, b.survUpper, "survUpper");
  expectSame(a.timesSurv, b.timesSurv, "timesSurv");
  expectSame(a.timesLower, b.timesLower, "timesLower");
  expectSame(a.timesUpper, b.timesUpper, "timesUpper");
  EXPECT_EQ(a.pattern, b.pattern);
  EXPECT_EQ(a.usedPattern, b.usedPattern);
  EXPECT_EQ(a.integrator, b.integrator);
  EXPECT_EQ(a.riskGroup, b.riskGroup);
  EXPECT_EQ(a.note, b.note);
}

}  // namespace latefuse::testing
