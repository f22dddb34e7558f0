#include "latefuse/fusion_decision_curve.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "latefuse/error.hpp"
#include "latefuse/fusion_report_internal.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using report::subsetData;
using report::subsetVector;

// A threshold as a percentage: whole percentages exactly ("12%"), others to 0.1.
std::string percent(double t) {
  const double p = t * 100;
  std::ostringstream s;
  if (std::fabs(p - std::round(p)) < 1e-9) s << static_cast<long long>(std::llround(p)) << "%";
  else {
    s.setf(std::ios::fixed);
    s.precision(1);
    s << p << "%";
  }
  return s.str();
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

}  // namespace

FusionDecisionCurves fusionDecisionCurves(const SurvivalData& test, const std::vector<ModelRisk>& models,
                                          const std::vector<Eigen::Index>& commonAt, double horizon, bool binary,
                                          const FusionDecisionOptions& o) {
  FusionDecisionCurves out;
  out.binary = binary;
  out.horizon = binary ? kNaN : horizon;
  out.thresholds = decisionThresholds();
  if (!binary && !(std::isfinite(horizon) && horizon > 0)) {
    out.warnings.push_back("decision curves need a horizon within the test follow-up; none was available");
    return out;
  }
  for (const ModelRisk& m : models) {
    for (const char* subset : {"test", "common"}) {
      const bool common = std::string(subset) == "common";
      std::vector<Eigen::Index> at;
      if (common) {
        for (Eigen::Index k : commonAt)
          if (std::isfinite(m.risk(k))) at.push_back(k);
      } else {
        for (Eigen::Index k = 0; k < m.risk.size(); ++k)
          if (std::isfinite(m.risk(k))) at.push_back(k);
      }
      if (at.empty()) {
        out.warnings.push_back(m.name + " (" + subset + "): no patients, no decision curve");
        continue;
      }
      DecisionCurveOptions dco;
      const bool band = m.kind == "late" && !common;
      if (band) {
        dco.bootstrap = o.bootstrap;
        dco.seed = o.seed;
        dco.confLevel = o.confLevel;
        dco.chunk = o.chunk;
        dco.progress = o.progress;
      }
      const SurvivalData d = subsetData(test, at);
      const Eigen::VectorXd r = subsetVector(m.risk, at);
      try {
        ModelDecisionCurve mc;
        mc.name = m.name;
        mc.kind = m.kind;
        mc.subset = subset;
        mc.curve = binary ? binaryDecisionCurve(d.event, r, dco) : survivalDecisionCurve(d, r, horizon, dco);
        for (const auto& w : mc.curve.warnings) out.warnings.push_back(m.name + " (" + subset + "): " + w);
        out.models.push_back(std::move(mc));
      } catch (const InputError& e) {
        out.warnings.push_back(m.name + " (" + subset + "): " + e.what());
      }
    }
  }
  for (const ModelDecisionCurve& mc : out.models)
    if (mc.kind == "late" && mc.subset == "test") {
      out.lateBeatsDefaults = netBenefitRanges(mc.curve.thresholds, mc.curve.netBenefit, mc.curve.treatAll);
      out.summary = netBenefitSentence(mc.name, out.lateBeatsDefaults, mc.curve.thresholds, mc.curve.n, binary, horizon);
      out.computed = true;
    }
  return out;
}

std::string netBenefitSentence(const std::string& model, const std::vector<ThresholdRange>& ranges,
                               const Eigen::VectorXd& thresholds, int n, bool binary, double horizon) {
  std::string who = model.empty() ? model : std::string(1, static_cast<char>(std::toupper(model[0]))) + model.substr(1);
  const std::string outcome = binary ? "of the outcome" : "of an event by time " + number(horizon);
  const std::string where = " (" + std::to_string(n) + " test patients, risk " + outcome + ")";
  if (ranges.empty())
    return "At no threshold probability from " + percent(thresholds(0)) + " to " + percent(thresholds(thresholds.size() - 1)) + ", " +
           model + " had a higher net benefit than both treating every patient and treating none" + where + ".";
  std::string list;
  for (size_t k = 0; k < ranges.size(); ++k) {
    if (k) list += k + 1 == ranges.size() ? " and " : ", ";
    list += ranges[k].from == ranges[k].to ? percent(ranges[k].from) : "from " + percent(ranges[k].from) + " to " + percent(ranges[k].to);
  }
  const bool single = ranges.size() == 1 && ranges[0].from == ranges[0].to;
  return who + " had a higher net benefit than both treating every patient and treating none at " +
         (single ? "a threshold probability of " : "threshold probabilities ") + list + where + ".";
}

nlohmann::json fusionDecisionCurvesToJson(const FusionDecisionCurves& dc, uint64_t seed) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  auto arr = [&](const Eigen::VectorXd& v) {
    nlohmann::json a = nlohmann::json::array();
    for (Eigen::Index k = 0; k < v.size(); ++k) a.push_back(num(v(k)));
    return a;
  };
  nlohmann::json models = nlohmann::json::array();
  nlohmann::json treatAll = nullptr, treatAllCommon = nullptr;
  int n = 0, bootstrap = 0;
  for (const ModelDecisionCurve& mc : dc.models) {
    nlohmann::json m = decisionCurveToJson(mc.curve);
    m.erase("outcome_type");
    m.erase("horizon");
    m.erase("thresholds");
    m["name"] = mc.name;
    m["kind"] = mc.kind;
    m["subset"] = mc.subset;
    if (mc.kind == "late" && mc.subset == "test") {
      treatAll = m["treat_all"];
      n = mc.curve.n;
      bootstrap = mc.curve.bootstrap;
    }
    if (mc.kind == "late" && mc.subset == "common") treatAllCommon = m["treat_all"];
    models.push_back(std::move(m));
  }
  nlohmann::json ranges = nlohmann::json::array();
  for (const ThresholdRange& r : dc.lateBeatsDefaults) ranges.push_back({{"from", r.from}, {"to", r.to}});
  return {{"outcome_type", dc.binary ? "binary" : "survival"},
          {"horizon", num(dc.horizon)},
          {"thresholds", arr(dc.thresholds)},
          {"n", n},
          {"treat_all", treatAll},
          {"treat_all_common", treatAllCommon},
          {"models", models},
          {"late_fusion_beats_defaults", ranges},
          {"summary", dc.computed ? nlohmann::json(dc.summary) : nlohmann::json(nullptr)},
          {"bootstrap", bootstrap},
          {"seed", seed},
          {"warnings", dc.warnings}};
}

}  // namespace latefuse
