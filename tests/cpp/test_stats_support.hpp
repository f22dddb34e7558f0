// Helpers for the evaluation-statistics tests: the R golden file, JSON -> Eigen, and a
// record of the largest deviation from R per statistic (printed at exit when
// LATEFUSE_STATS_ERRORS=1, for the parity table in the report).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "latefuse/survival_data.hpp"
#include "test_support.hpp"

namespace latefuse::testing {

inline const nlohmann::json& statsGolden() { return goldenJson("tests/golden/stats_golden.json"); }

inline const nlohmann::json& goldenCase(const char* section, const std::string& name) {
  for (const auto& c : statsGolden().at(section))
    if (c.at("name") == name) return c;
  throw std::runtime_error(std::string("no golden case ") + section + "/" + name);
}

inline double numOrNaN(const nlohmann::json& j) { return j.is_null() ? std::nan("") : j.get<double>(); }

inline Eigen::VectorXi ivec(const nlohmann::json& j) {
  Eigen::VectorXi v(static_cast<Eigen::Index>(j.size()));
  for (size_t i = 0; i < j.size(); ++i) v(static_cast<Eigen::Index>(i)) = static_cast<int>(j[i].get<double>());
  return v;
}

inline Eigen::MatrixXd rowsToMatrix(const nlohmann::json& rows) {
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size()), k = n ? static_cast<Eigen::Index>(rows[0].size()) : 0;
  Eigen::MatrixXd m(n, k);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < k; ++j) m(i, j) = numOrNaN(rows[static_cast<size_t>(i)][static_cast<size_t>(j)]);
  return m;
}

inline SurvivalData survivalFrom(const nlohmann::json& d) {
  SurvivalData s;
  s.time = vec(d.at("time"));
  s.event = vec(d.at("event"));
  if (d.contains("weights") && !d.at("weights").is_null()) s.weight = vec(d.at("weights"));
  return s;
}

// Largest |ours - R| per statistic label (absolute and relative).
struct ErrorLog {
  std::map<std::string, std::pair<double, double>> worst;
  ~ErrorLog() {
    const char* env = std::getenv("LATEFUSE_STATS_ERRORS");
    if (!env || std::string(env) != "1") return;
    std::printf("\n%-40s %14s %14s\n", "statistic", "max abs err", "max rel err");
    for (const auto& [k, v] : worst) std::printf("%-40s %14.3e %14.3e\n", k.c_str(), v.first, v.second);
  }
};
inline ErrorLog& errorLog() {
  static ErrorLog log;
  return log;
}
inline void note(const std::string& label, double ours, double ref) {
  if (std::isnan(ours) && std::isnan(ref)) return;
  const double abs = std::fabs(ours - ref), rel = abs / std::max(std::fabs(ref), 1e-300);
  auto& w = errorLog().worst[label];
  w.first = std::max(w.first, std::isnan(abs) ? std::numeric_limits<double>::infinity() : abs);
  w.second = std::max(w.second, std::isnan(rel) ? std::numeric_limits<double>::infinity() : rel);
}

// Absolute agreement (NaN matches NaN), recorded under `label`.
inline ::testing::AssertionResult nearAbs(const std::string& label, double ours, double ref, double tol) {
  note(label, ours, ref);
  if (std::isnan(ours) && std::isnan(ref)) return ::testing::AssertionSuccess();
  if (std::fabs(ours - ref) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << label << ": ours " << ours << " vs R " << ref << " (diff " << ours - ref
                                       << ", tol " << tol << ")";
}
inline ::testing::AssertionResult nearRel(const std::string& label, double ours, double ref, double tol) {
  note(label, ours, ref);
  if (std::isnan(ours) && std::isnan(ref)) return ::testing::AssertionSuccess();
  if (std::fabs(ours - ref) <= tol * std::max(std::fabs(ref), 1e-300)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << label << ": ours " << ours << " vs R " << ref << " (rel diff "
                                       << (ours - ref) / ref << ", tol " << tol << ")";
}
inline void expectVecAbs(const std::string& label, const Eigen::VectorXd& ours, const nlohmann::json& ref, double tol) {
  ASSERT_EQ(ours.size(), static_cast<Eigen::Index>(ref.size())) << label;
  for (Eigen::Index i = 0; i < ours.size(); ++i)
    EXPECT_TRUE(nearAbs(label, ours(i), numOrNaN(ref[static_cast<size_t>(i)]), tol)) << "index " << i;
}
inline void expectVecRel(const std::string& label, const Eigen::VectorXd& ours, const nlohmann::json& ref, double tol) {
  ASSERT_EQ(ours.size(), static_cast<Eigen::Index>(ref.size())) << label;
  for (Eigen::Index i = 0; i < ours.size(); ++i)
    EXPECT_TRUE(nearRel(label, ours(i), numOrNaN(ref[static_cast<size_t>(i)]), tol)) << "index " << i;
}

}  // namespace latefuse::testing
