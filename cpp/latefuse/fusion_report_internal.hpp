// Pieces shared by the evaluation report's steps (fusion_report.cpp), its JSON writer
// (fusion_report_json.cpp) and the outcome families (outcome_family.hpp): row subsets and the
// JSON conventions (NaN -> null).
#pragma once
#include <Eigen/Dense>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/fusion.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse::report {

inline SurvivalData subsetData(const SurvivalData& d, const std::vector<Eigen::Index>& at) {
  SurvivalData out;
  out.time.resize(static_cast<Eigen::Index>(at.size()));
  out.event.resize(static_cast<Eigen::Index>(at.size()));
  for (size_t k = 0; k < at.size(); ++k) {
    out.time(static_cast<Eigen::Index>(k)) = d.time(at[k]);
    out.event(static_cast<Eigen::Index>(k)) = d.event(at[k]);
  }
  return out;
}

inline Eigen::VectorXd subsetVector(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& at) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(at.size()));
  for (size_t k = 0; k < at.size(); ++k) out(static_cast<Eigen::Index>(k)) = v(at[k]);
  return out;
}

inline Eigen::MatrixXd subsetRows(const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& at) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(at.size()), m.cols());
  for (size_t k = 0; k < at.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = m.row(at[k]);
  return out;
}

using nlohmann::json;

inline json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

inline json numbers(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(num(v(i)));
  return a;
}

inline json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}

inline json matrix(const Eigen::MatrixXd& m) {
  json a = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(numbers(Eigen::VectorXd(m.row(i).transpose())));
  return a;
}

// The names of the modalities in a pattern bitmask.
inline json names(const std::vector<std::string>& modalities, int mask) {
  json a = json::array();
  for (int m : patternModalities(mask, static_cast<int>(modalities.size()))) a.push_back(modalities[static_cast<size_t>(m)]);
  return a;
}

// The label of a risk group k of `groups` (2: low/high; 3: low/intermediate/high).
inline const char* groupLabel(int groups, int k) {
  static const char* two[] = {"low", "high"};
  static const char* three[] = {"low", "intermediate", "high"};
  return groups == 2 ? two[k] : three[k];
}

}  // namespace latefuse::report
