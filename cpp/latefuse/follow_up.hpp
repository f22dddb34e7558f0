// Follow-up of a survival sample and the completeness of its modalities, as a report states them.
//
// Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith, Control Clin Trials
// 1996;17:343–6): the Kaplan–Meier curve of the censoring times, i.e. R survival's
// `survfit(Surv(time, 1 - event) ~ 1)` and `quantile(fit, 0.5)`, with the same timefix, quantile rule
// and "log" confidence interval as kaplan_meier.hpp. A patient who had the event is censored for
// follow-up at that time. NaN where the curve does not reach 0.5 (more than half still followed).
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "latefuse/survival_data.hpp"

namespace latefuse {

struct FollowUp {
  double median = 0, lower = 0, upper = 0;  // reverse Kaplan–Meier median and its 95% CI (NaN = not reached)
  double n = 0;                             // (weighted) patients
  double censored = 0;                      // (weighted) patients censored, i.e. still followed at their last time
  double maxTime = 0;                       // the longest observed time
};

FollowUp medianFollowUp(const SurvivalData& data, double confLevel = 0.95);

// Missing cells of one modality's columns among the patients who have the modality (present under
// the run's presence rule): cells = patients x columns; missing = NaN cells among them.
struct MissingCells {
  int patients = 0;
  long long cells = 0, missing = 0;
};

// One entry per modality (cohort order) over `rows`: x is patients x columns (NaN = missing),
// columnModality the modality of each column, presence rows x modalities (1 = has it).
std::vector<MissingCells> missingCellsByModality(const Eigen::MatrixXd& x, const std::vector<int>& columnModality,
                                                 const Eigen::MatrixXi& presence, const std::vector<int>& rows, int modalities);

}  // namespace latefuse
