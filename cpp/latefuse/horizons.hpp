// The default horizons of an evaluation: the times at which AUC(t), S(t), calibration and the
// reference risk are read when the user gives none — one rule for `latefuse fuse` (the report and
// the model file), `latefuse evaluate` and the page.
//
// Rule: the quartiles (R quantile type 7) of the event times, rounded to 3 significant digits
// (R signif(, 3): readable times such as 365 or 1.25, the same on every platform), kept when
// positive, within the follow-up (min time <= t < max time: AUC(t) needs patients beyond t) and
// larger than the one before (ties collapse). Empty when there is no event.
#pragma once
#include <Eigen/Dense>

namespace latefuse {

// time and event (1 = event) per patient, the same length.
Eigen::VectorXd defaultHorizons(const Eigen::VectorXd& time, const Eigen::VectorXd& event);

// R's signif(x, 3).
double roundSignificant3(double x);

}  // namespace latefuse
