#include "latefuse/feature_summary.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "latefuse/calibration.hpp"
#include "latefuse/error.hpp"

namespace latefuse {

const char* featureTypeName(FeatureType type) {
  switch (type) {
    case FeatureType::Binary: return "binary";
    case FeatureType::Categorical: return "categorical";
    default: return "continuous";
  }
}

std::vector<FeatureSummary> summarizeFeatures(const FusionModel& model, const Cohort& cohort, const std::vector<int>& trainRows) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (cohort.columns != model.columns)
    throw InputError("feature summary: the cohort's columns are not the model's (summarise the cohort the model was fitted on)");
  std::map<std::string, const CategoricalEncoding*> encodingOfDummy;
  for (const CategoricalEncoding& e : model.encodings)
    for (const std::string& d : e.dummies()) encodingOfDummy[d] = &e;
  std::map<std::string, int> columnIndex;
  for (size_t j = 0; j < model.columns.size(); ++j) columnIndex[model.columns[j]] = static_cast<int>(j);

  std::vector<FeatureSummary> out;
  std::set<std::string> encoded;
  for (size_t j = 0; j < model.columns.size(); ++j) {
    const std::string& name = model.columns[j];
    FeatureSummary f;
    f.modality = model.modalities.at(static_cast<size_t>(model.columnModality[j]));
    const auto enc = encodingOfDummy.find(name);
    if (enc != encodingOfDummy.end()) {
      const CategoricalEncoding& e = *enc->second;
      if (!encoded.insert(e.column).second) continue;  // the column is listed once, at its first dummy
      f.name = e.column;
      f.type = FeatureType::Categorical;
      f.levels = e.levels;
      f.min = f.max = f.p01 = f.p99 = kNaN;
      // A patient has a level when their dummies are not missing (imputation is not a value).
      const int first = columnIndex.at(e.dummies().front());
      for (int r : trainRows) f.patients += std::isnan(cohort.x(r, first)) ? 0 : 1;
      out.push_back(std::move(f));
      continue;
    }
    f.name = name;
    std::vector<double> values;
    bool binary = true;
    for (int r : trainRows) {
      const double v = cohort.x(r, static_cast<Eigen::Index>(j));
      if (std::isnan(v)) continue;
      values.push_back(v);
      binary = binary && (v == 0 || v == 1);
    }
    f.patients = static_cast<int>(values.size());
    if (values.empty()) {
      f.min = f.max = f.p01 = f.p99 = kNaN;
      out.push_back(std::move(f));
      continue;
    }
    f.type = binary ? FeatureType::Binary : FeatureType::Continuous;
    const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
    Eigen::VectorXd probs(2);
    probs << 0.01, 0.99;
    const Eigen::VectorXd q = quantileType7(x, probs);
    f.min = x.minCoeff();
    f.max = x.maxCoeff();
    f.p01 = q(0);
    f.p99 = q(1);
    out.push_back(std::move(f));
  }
  return out;
}

void annotateFeatures(std::vector<FeatureSummary>& features, const std::vector<FeatureNote>& notes) {
  std::set<std::string> seen;
  for (const FeatureNote& n : notes) {
    if (!seen.insert(n.name).second)
      throw InputError("feature info: \"" + n.name + "\" is described twice; keep one row per feature");
    FeatureSummary* target = nullptr;
    for (FeatureSummary& f : features)
      if (f.name == n.name) target = &f;
    if (!target)
      throw InputError("feature info: \"" + n.name + "\" is not a feature of the model; give the raw column names the model was fitted on");
    target->unit = n.unit;
    target->description = n.description;
  }
}

}  // namespace latefuse
