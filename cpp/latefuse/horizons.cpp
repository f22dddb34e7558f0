#include "latefuse/horizons.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "latefuse/calibration.hpp"
#include "latefuse/error.hpp"

namespace latefuse {

double roundSignificant3(double x) {
  // printf's %.3g rounds the decimal expansion of the double, as R's signif does.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return std::strtod(buf, nullptr);
}

Eigen::VectorXd defaultHorizons(const Eigen::VectorXd& time, const Eigen::VectorXd& event) {
  if (time.size() != event.size())
    throw InputError("default horizons: " + std::to_string(time.size()) + " times but " + std::to_string(event.size()) +
                     " event values; give one of each per patient");
  std::vector<double> ev;
  for (Eigen::Index i = 0; i < time.size(); ++i)
    if (event(i) == 1) ev.push_back(time(i));
  if (ev.empty()) return Eigen::VectorXd();
  const double minTime = time.minCoeff();
  const double maxTime = time.maxCoeff();
  Eigen::VectorXd p(3);
  p << 0.25, 0.5, 0.75;
  const Eigen::VectorXd q = quantileType7(Eigen::Map<const Eigen::VectorXd>(ev.data(), static_cast<Eigen::Index>(ev.size())), p);
  std::vector<double> out;
  for (Eigen::Index k = 0; k < q.size(); ++k) {
    const double t = roundSignificant3(q(k));
    if (t > 0 && t >= minTime && t < maxTime && (out.empty() || t > out.back())) out.push_back(t);
  }
  return Eigen::Map<const Eigen::VectorXd>(out.data(), static_cast<Eigen::Index>(out.size()));
}

}  // namespace latefuse
