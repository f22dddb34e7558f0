#include "latefuse/kaplan_meier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R's approx(x, y, v, method = "constant", f = 1, rule = 1, ties = mean) for increasing x:
// NaN outside [x_0, x_last]; y_j at a node; inside (x_i, x_j) the right value y_j.
double approxConstantRight(const std::vector<double>& x, const std::vector<double>& y, double v) {
  const size_t n = x.size();
  if (n == 0 || v < x[0] || v > x[n - 1]) return kNaN;
  size_t i = 0, j = n - 1;
  while (i + 1 < j) {
    const size_t ij = (i + j) / 2;
    if (v < x[ij]) j = ij;
    else i = ij;
  }
  if (v == x[j]) return y[j];
  if (v == x[i]) return y[i];
  return y[j];
}

// survival:::findq(x, y, p, tol) for one p (the x, y given already include the (firstx, 0) point).
double findq(const std::vector<double>& xIn, const std::vector<double>& yIn, double p, double tol) {
  double ymax = -std::numeric_limits<double>::infinity();
  for (double v : yIn)
    if (!std::isnan(v)) ymax = std::max(ymax, v);
  if (ymax < p) return kNaN;
  const double xmax = xIn.back();
  // Drop duplicated y values (NaN counts as one value), keeping the first occurrence.
  std::vector<double> x, y;
  bool seenNaN = false;
  std::set<double> seen;
  for (size_t k = 0; k < yIn.size(); ++k) {
    const double v = yIn[k];
    if (std::isnan(v)) {
      if (seenNaN) continue;
      seenNaN = true;
    } else {
      if (!seen.insert(v).second) continue;
    }
    x.push_back(xIn[k]);
    y.push_back(v);
  }
  const size_t n = y.size();
  // approx() drops NaN pairs, orders by the interpolation abscissa and averages tied ordinates.
  auto indexOf = [&](double shift) {
    std::vector<std::pair<double, double>> pts;
    for (size_t k = 0; k < n; ++k)
      if (!std::isnan(y[k])) pts.emplace_back(y[k] + shift, static_cast<double>(k));
    std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> ax, ay;
    for (size_t k = 0; k < pts.size();) {
      size_t e = k;
      double sum = 0;
      while (e < pts.size() && pts[e].first == pts[k].first) {
        sum += pts[e].second;
        ++e;
      }
      ax.push_back(pts[k].first);
      ay.push_back(sum / static_cast<double>(e - k));
      k = e;
    }
    return approxConstantRight(ax, ay, p);
  };
  const double i1 = indexOf(tol), i2 = indexOf(-tol);
  auto xAt = [&](double idx) {
    if (std::isnan(idx)) return kNaN;
    const size_t k = static_cast<size_t>(idx);  // indices are whole numbers (no ties after dedup)
    return x[k];
  };
  double q = (xAt(i1) + xAt(i2)) / 2;
  if (p == 0) q = x[0];
  if (!std::isnan(y[n - 1]) && std::fabs(p - y[n - 1]) < tol) q = (xAt(i1) + xmax) / 2;
  return q;
}

}  // namespace

ConfType parseConfType(const std::string& name) {
  if (name == "log") return ConfType::Log;
  if (name == "log-log") return ConfType::LogLog;
  if (name == "plain") return ConfType::Plain;
  throw InputError("confidence interval type must be 'log', 'log-log' or 'plain', got '" + name + "'");
}

std::string confTypeName(ConfType type) {
  switch (type) {
    case ConfType::Log: return "log";
    case ConfType::LogLog: return "log-log";
    default: return "plain";
  }
}

void survivalConfidence(const Eigen::VectorXd& surv, const Eigen::VectorXd& sigma, ConfType type, double confLevel,
                        Eigen::VectorXd& lower, Eigen::VectorXd& upper) {
  if (!(confLevel > 0 && confLevel < 1))
    throw InputError("confidence level must lie strictly between 0 and 1, got " + std::to_string(confLevel));
  const double z = normalQuantile(1 - (1 - confLevel) / 2);
  const Eigen::Index n = surv.size();
  lower.resize(n);
  upper.resize(n);
  for (Eigen::Index k = 0; k < n; ++k) {
    const double p = surv(k), se = sigma(k);
    switch (type) {
      case ConfType::Log: {
        if (p == 0) {
          lower(k) = upper(k) = kNaN;
          break;
        }
        lower(k) = std::exp(std::log(p) - z * se);
        upper(k) = std::min(std::exp(std::log(p) + z * se), 1.0);
        break;
      }
      case ConfType::LogLog: {
        if (p == 0 || p == 1) {
          lower(k) = upper(k) = kNaN;
          break;
        }
        const double se2 = z * se / std::log(p);
        lower(k) = std::exp(-std::exp(std::log(-std::log(p)) - se2));
        upper(k) = std::exp(-std::exp(std::log(-std::log(p)) + se2));
        break;
      }
      case ConfType::Plain: {
        const double se2 = se * p * z;
        lower(k) = std::isnan(se2) ? kNaN : std::max(p - se2, 0.0);
        upper(k) = std::isnan(se2) ? kNaN : std::min(p + se2, 1.0);
        break;
      }
    }
  }
}

KaplanMeierCurve kaplanMeier(const SurvivalData& data, const KaplanMeierOptions& options) {
  validateSurvivalData(data, "Kaplan-Meier");
  const Eigen::Index n = data.size();
  if (n == 0) throw InputError("Kaplan-Meier: no rows; give at least one (time, event) pair");
  const Eigen::VectorXd time = options.timefix ? timefix(data.time) : data.time;
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return time(a) < time(b); });

  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) total += data.w(i);
  std::vector<double> t, nr, ne, nc, s, se;
  double atRisk = total, surv = 1, greenwood = 0;
  for (size_t k = 0; k < order.size();) {
    const double tk = time(order[k]);
    double d = 0, c = 0;
    size_t e = k;
    while (e < order.size() && time(order[e]) == tk) {
      const Eigen::Index i = order[e];
      if (data.event(i) == 1) d += data.w(i);
      else c += data.w(i);
      ++e;
    }
    if (d > 0) {
      // R survfitKM: S multiplies by (n - d)/n; the Greenwood term is infinite when all at risk die.
      surv *= (atRisk - d) / atRisk;
      greenwood += (atRisk - d > 0) ? d / (atRisk * (atRisk - d)) : std::numeric_limits<double>::infinity();
    }
    t.push_back(tk);
    nr.push_back(atRisk);
    ne.push_back(d);
    nc.push_back(c);
    s.push_back(surv);
    se.push_back(std::sqrt(greenwood));
    atRisk -= d + c;
    if (atRisk < 0) atRisk = 0;  // rounding of fractional weights
    k = e;
  }
  KaplanMeierCurve out;
  auto toVec = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())).eval();
  };
  out.time = toVec(t);
  out.nRisk = toVec(nr);
  out.nEvent = toVec(ne);
  out.nCensor = toVec(nc);
  out.surv = toVec(s);
  out.stdErr = toVec(se);
  out.records = n;
  out.n = total;
  for (double v : ne) out.events += v;
  out.confType = options.confType;
  out.confLevel = options.confLevel;
  survivalConfidence(out.surv, out.stdErr, options.confType, options.confLevel, out.lower, out.upper);
  return out;
}

std::vector<int> distinctCodes(const Eigen::VectorXi& groups) {
  std::vector<int> codes(groups.data(), groups.data() + groups.size());
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

std::vector<KaplanMeierCurve> kaplanMeierByGroup(const SurvivalData& data, const Eigen::VectorXi& groups,
                                                 const KaplanMeierOptions& options) {
  validateSurvivalData(data, "Kaplan-Meier");
  if (groups.size() != data.size())
    throw InputError("Kaplan-Meier: the group column has " + std::to_string(groups.size()) + " values but time has " +
                     std::to_string(data.size()) + "; give one group per row");
  // R applies timefix to all rows together before splitting by group: do the same, once.
  const Eigen::VectorXd time = options.timefix ? timefix(data.time) : data.time;
  KaplanMeierOptions perGroup = options;
  perGroup.timefix = false;
  std::vector<KaplanMeierCurve> out;
  for (int code : distinctCodes(groups)) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index i = 0; i < groups.size(); ++i)
      if (groups(i) == code) rows.push_back(i);
    SurvivalData sub;
    const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
    sub.time.resize(m);
    sub.event.resize(m);
    if (data.weighted()) sub.weight.resize(m);
    for (Eigen::Index k = 0; k < m; ++k) {
      const Eigen::Index i = rows[static_cast<size_t>(k)];
      sub.time(k) = time(i);
      sub.event(k) = data.event(i);
      if (data.weighted()) sub.weight(k) = data.weight(i);
    }
    out.push_back(kaplanMeier(sub, perGroup));
  }
  return out;
}

SurvivalQuantile survivalQuantile(const KaplanMeierCurve& curve, double p) {
  if (!(p >= 0 && p <= 1)) throw InputError("survival quantile: probability must lie in [0, 1], got " + std::to_string(p));
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  std::vector<double> x{0.0};
  for (Eigen::Index k = 0; k < curve.time.size(); ++k) x.push_back(curve.time(k));
  auto yOf = [&](const Eigen::VectorXd& s) {
    std::vector<double> y{0.0};
    for (Eigen::Index k = 0; k < s.size(); ++k) y.push_back(1 - s(k));
    return y;
  };
  SurvivalQuantile q;
  q.quantile = findq(x, yOf(curve.surv), p, tol);
  // survival:::doquant: rbind(q(surv), q(1 - lower), q(1 - upper)) and quantile.survfit reports
  // row 2 as `lower` and row 3 as `upper`.
  q.lower = findq(x, yOf(curve.lower), p, tol);
  q.upper = findq(x, yOf(curve.upper), p, tol);
  return q;
}

KaplanMeierAt kaplanMeierAt(const KaplanMeierCurve& curve, const Eigen::VectorXd& times) {
  const Eigen::Index m = times.size(), rows = curve.time.size();
  KaplanMeierAt out;
  out.time = times;
  out.surv.resize(m);
  out.stdErr.resize(m);
  out.nRisk.resize(m);
  Eigen::VectorXd sigma(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const double t = times(j);
    if (!std::isfinite(t)) throw InputError("Kaplan-Meier: requested time " + std::to_string(j + 1) + " is not a finite number");
    // last row with time <= t
    const double* begin = curve.time.data();
    const Eigen::Index k = static_cast<Eigen::Index>(std::upper_bound(begin, begin + rows, t) - begin) - 1;
    if (k < 0) {
      out.surv(j) = 1;
      sigma(j) = 0;
    } else {
      out.surv(j) = curve.surv(k);
      sigma(j) = curve.stdErr(k);
    }
    // first row with time >= t: everyone from there on is at risk at t
    const Eigen::Index r = static_cast<Eigen::Index>(std::lower_bound(begin, begin + rows, t) - begin);
    out.nRisk(j) = r < rows ? curve.nRisk(r) : 0.0;
    // R's summary std.err is S * sigma; NaN once S = 0 (0 * inf), as R.
    out.stdErr(j) = out.surv(j) * sigma(j);
  }
  survivalConfidence(out.surv, sigma, curve.confType, curve.confLevel, out.lower, out.upper);
  // R's summary.survfit fills times before the first row with S = 1 and limits [1, 1] (even for
  // log-log, whose limits on a row with S = 1 are NA).
  for (Eigen::Index j = 0; j < m; ++j)
    if (rows == 0 || times(j) < curve.time(0)) {
      out.lower(j) = 1;
      out.upper(j) = 1;
    }
  return out;
}

}  // namespace latefuse
