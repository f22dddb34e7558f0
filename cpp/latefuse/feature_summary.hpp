// What the training data showed about each raw feature of a late-fusion model: the model file's
// "features" section (model_json.hpp), which lets a calculator explain its inputs and warn when a
// new patient's value lies outside what the model has seen.
//
// One entry per RAW feature, in model column order (a categorical column, whose dummies are the
// model's columns, appears once, at its first dummy's place), over the TRAINING patients with a
// value (missing cells are not counted):
//   type: "categorical" (an encoded column: its levels, categorical.hpp), "binary" (every value 0 or
//     1), else "continuous";
//   min, max and the 1st and 99th percentiles (R quantile type 7) for binary and continuous
//     features: a value below min or above max is outside the range seen in training (the
//     prediction is an extrapolation);
//   patients: how many training patients had a value;
//   unit and description: optional words a person adds (latefuse fuse --feature-info FILE), never
//     computed.
#pragma once
#include <string>
#include <vector>

#include "latefuse/fusion.hpp"

namespace latefuse {

enum class FeatureType { Continuous,
                         Binary,
                         Categorical };

struct FeatureSummary {
  std::string name;  // the raw column (for a categorical column: its name, not a dummy's)
  std::string modality;
  FeatureType type = FeatureType::Continuous;
  int patients = 0;                           // training patients with a value
  double min = 0, max = 0, p01 = 0, p99 = 0;  // binary/continuous only
  std::vector<std::string> levels;            // categorical only (the encoding's levels)
  std::string unit, description;              // optional (empty = not stated)
};

// What a person says about a feature (a row of the feature-info file).
struct FeatureNote {
  std::string name, unit, description;
};

const char* featureTypeName(FeatureType type);

// The summary of every raw feature of `model` over `trainRows` of `cohort` (the cohort the model was
// fitted on: its columns are the model's, categorical columns as their dummies). A feature no
// training patient has is "continuous" with patients = 0 and no range (min = max = p01 = p99 = NaN).
std::vector<FeatureSummary> summarizeFeatures(const FusionModel& model, const Cohort& cohort, const std::vector<int>& trainRows);

// Add units and descriptions. Throws InputError naming a note whose feature is not a raw feature of
// the model, or a feature named twice.
void annotateFeatures(std::vector<FeatureSummary>& features, const std::vector<FeatureNote>& notes);

}  // namespace latefuse
