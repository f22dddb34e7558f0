// Calibration of survival predictions at a horizon t.
//  * Grouped: subjects are cut into groups of predicted risk 1 - S_i(t) at R's quantile breaks,
//    cut(risk, unique(quantile(risk, seq(0, 1, length.out = groups + 1), type = 7)),
//        include.lowest = TRUE)
//    (so tied predictions stay in one group and fewer groups may result). Per group: the mean
//    predicted survival and the observed Kaplan–Meier S(t) with its confidence interval (R's
//    summary(survfit(...), times = t, extend = TRUE), kaplan_meier.hpp).
//  * Calibration slope: the coefficient of a Cox model on the linear predictor alone,
//    coxph(Surv(time, status) ~ lp) (Efron ties); 1 = perfect, < 1 = predictions too extreme.
//    Without an explicit lp, lp_i = log(-log S_i(t)) is used, which for a proportional-hazards
//    model equals its linear predictor plus a constant and so gives the same slope.
// Direction: predicted values are SURVIVAL probabilities at the horizon (higher = lower risk);
// groups are ordered from the lowest to the highest predicted risk.
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "latefuse/kaplan_meier.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

struct CalibrationGroup {
  Eigen::Index n = 0;
  double events = 0;                 // events observed at any time in the group
  double riskLow = 0, riskHigh = 0;  // the group's break interval of predicted risk 1 - S(t)
  double predicted = 0;              // mean predicted survival S_i(t)
  double observed = 0;               // Kaplan–Meier S(t) of the group
  double lower = 0, upper = 0;       // its confidence interval (NaN where R gives NA)
  double nRisk = 0;                  // number still at risk at t
};

struct SurvivalCalibration {
  double horizon = 0;
  std::vector<CalibrationGroup> groups;
  double slope = 0, slopeSe = 0, slopeLower = 0, slopeUpper = 0;
};

struct CalibrationOptions {
  int groups = 10;
  KaplanMeierOptions km;            // CI type and level for the observed survival
  Eigen::VectorXd linearPredictor;  // optional; default log(-log S_i(t))
};

// Throws InputError when the horizon is not within (0, last observed time], predictions are not
// probabilities, or sizes differ; ModelError when there are no events (no slope).
SurvivalCalibration survivalCalibration(const SurvivalData& data, const Eigen::VectorXd& predictedSurvival,
                                        double horizon, const CalibrationOptions& options = {});

// R quantile(x, probs, type = 7).
Eigen::VectorXd quantileType7(const Eigen::VectorXd& x, const Eigen::VectorXd& probs);

}  // namespace latefuse
