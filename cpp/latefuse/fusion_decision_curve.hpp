// Decision curves of the late-fusion report (fusion_report.hpp): the net benefit (decision_curve.hpp)
// of late fusion, early fusion and each unimodal model on the held-out test patients, at one horizon.
//
// Each model is evaluated on (a) "test": the test patients it can score, and (b) "common": the test
// patients who have every modality (the same patients for every model). The risk of a patient is
// 1 - S(horizon | patient) from the model that scored them (the late-fusion system: whichever
// integrator or submodel scored the patient), or the predicted probability for a binary outcome.
// Late fusion on its test patients also gets a seeded bootstrap band (decision_curve.hpp).
//
// The summary sentence names the threshold probabilities where late fusion's net benefit is above
// BOTH treat-all and treat-none (netBenefitRanges: strict, on unrounded values). Thresholds on the
// default grid are whole percentages, so printing them as "12%" loses nothing.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/decision_curve.hpp"
#include "latefuse/resampling.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

// One model's predicted risk for every test row (NaN where it cannot score the row).
struct ModelRisk {
  std::string name, kind;  // kind: "unimodal", "late", "early" (integrators are not drawn)
  Eigen::VectorXd risk;
};

struct ModelDecisionCurve {
  std::string name, kind, subset;  // subset: "test" or "common"
  DecisionCurve curve;
};

struct FusionDecisionCurves {
  bool computed = false;
  bool binary = false;
  double horizon = 0;  // NaN for a binary outcome
  Eigen::VectorXd thresholds;
  std::vector<ModelDecisionCurve> models;
  std::vector<ThresholdRange> lateBeatsDefaults;  // late fusion on its test patients
  std::string summary;                            // the sentence stating those ranges
  std::vector<std::string> warnings;
};

struct FusionDecisionOptions {
  int bootstrap = 1000;
  uint64_t seed = 1;
  double confLevel = 0.95;
  int chunk = 50;
  ProgressCallback progress;
};

// `test`: the test patients (binary outcomes: event = y); `commonAt`: rows of `test` with every modality.
FusionDecisionCurves fusionDecisionCurves(const SurvivalData& test, const std::vector<ModelRisk>& models,
                                          const std::vector<Eigen::Index>& commonAt, double horizon, bool binary,
                                          const FusionDecisionOptions& options);

// "Late fusion's net benefit is higher than both treating every patient and treating none at
// threshold probabilities from 12% to 45% ..." — or the sentence saying it is at none of them.
std::string netBenefitSentence(const std::string& model, const std::vector<ThresholdRange>& ranges,
                               const Eigen::VectorXd& thresholds, int n, bool binary, double horizon);

// report.json "decision_curve": {outcome_type, horizon, thresholds, treat_all, treat_all_common, n,
// models: [{name, kind, subset, n, events, net_benefit, treat_all, treated, lower, upper}],
// late_fusion_beats_defaults: [{from, to}], summary, bootstrap, seed, warnings}.
nlohmann::json fusionDecisionCurvesToJson(const FusionDecisionCurves& curves, uint64_t seed);

}  // namespace latefuse
