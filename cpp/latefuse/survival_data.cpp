#include "latefuse/survival_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "latefuse/error.hpp"
#include "latefuse/linalg.hpp"
#include "latefuse/ordering.hpp"

namespace latefuse {

namespace {

// The first row in [i0, i1) whose time, event or weight (w null: none given) is invalid, or i1.
// Checks every row of the block without an early exit (a loop without branches); only a block with
// a bad row is searched again. Called per block through outOfLine, so that a first call in a fresh
// WebAssembly module runs optimised code after the first blocks.
Eigen::Index firstInvalidRow(const double* time, const double* event, const double* w, Eigen::Index i0,
                             Eigen::Index i1) {
  constexpr double kMax = std::numeric_limits<double>::max();
  int ok = 1;
  for (Eigen::Index i = i0; i < i1; ++i) {
    ok &= (time[i] >= 0) & (time[i] <= kMax) & ((event[i] == 0) | (event[i] == 1));
    if (w) ok &= (w[i] > 0) & (w[i] <= kMax);
  }
  if (ok) return i1;
  for (Eigen::Index i = i0; i < i1; ++i) {
    const bool good = time[i] >= 0 && time[i] <= kMax && (event[i] == 0 || event[i] == 1) && (!w || (w[i] > 0 && w[i] <= kMax));
    if (!good) return i;
  }
  return i1;
}

}  // namespace

void validateSurvivalData(const SurvivalData& data, const std::string& context) {
  const Eigen::Index n = data.size();
  if (data.event.size() != n)
    throw InputError(context + ": time has " + std::to_string(n) + " values but event has " +
                     std::to_string(data.event.size()) + "; give one event indicator per row");
  if (data.weight.size() != 0 && data.weight.size() != n)
    throw InputError(context + ": weights must have one value per row (" + std::to_string(n) + ")");
  if (data.strata.size() != 0 && data.strata.size() != n)
    throw InputError(context + ": strata must have one value per row (" + std::to_string(n) + ")");
  constexpr Eigen::Index kBlock = 4096;
  auto* const scan = outOfLine(&firstInvalidRow);
  const double* w = data.weight.size() ? data.weight.data() : nullptr;
  for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock) {
    const Eigen::Index i1 = std::min(n, i0 + kBlock), i = scan(data.time.data(), data.event.data(), w, i0, i1);
    if (i == i1) continue;
    const std::string row = "row " + std::to_string(i + 1);
    if (!std::isfinite(data.time(i)))
      throw InputError(context + ": time is not a finite number at " + row + "; remove the row or fix the value");
    if (data.time(i) < 0)
      throw InputError(context + ": time is negative (" + std::to_string(data.time(i)) + ") at " + row +
                       "; survival times must be >= 0");
    if (!(data.event(i) == 0 || data.event(i) == 1))
      throw InputError(context + ": event must be 0 (censored) or 1 (event) at " + row);
    throw InputError(context + ": weight must be a positive finite number at " + row);
  }
}

Eigen::VectorXd timefix(const Eigen::VectorXd& time) {
  const std::vector<Eigen::Index> order = stableOrder(time.data(), time.size());
  Eigen::VectorXd out = time;
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  double anchor = order.empty() ? 0 : time(order[0]);
  for (Eigen::Index i : order) {
    const double t = time(i);
    if (t != anchor && t - anchor <= tol * std::max(std::fabs(anchor), std::fabs(t))) {
      out(i) = anchor;  // merge into the earlier (smaller) time
    } else {
      anchor = t;
    }
  }
  return out;
}

std::vector<Eigen::Index> sortByStratumTime(const SurvivalData& data, const Eigen::VectorXd& time) {
  return stableOrder(data.stratified() ? data.strata.data() : nullptr, time.data(), data.size());
}

namespace {

// Sorted times of positions [k0, k1) with R's timefix within each stratum (a time within a relative
// sqrt(eps) of the stratum's previous distinct time is merged into it); the previous time and stratum
// are carried from block to block.
void sortedTimes(const Eigen::Index* order, const double* time, const int* strata, bool useTimefix, Eigen::Index k0,
                 Eigen::Index k1, double* anchor, int* stratum, double* out) {
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  double a = *anchor;
  int s = *stratum;
  for (Eigen::Index k = k0; k < k1; ++k) {
    const Eigen::Index i = order[k];
    const double t = time[i];
    const int si = strata ? strata[i] : 0;
    const bool newStratum = k == 0 || si != s;
    if (!newStratum && useTimefix && t != a && t - a <= tol * std::max(std::fabs(a), std::fabs(t))) {
      out[k] = a;  // merge into the earlier (smaller) time, as aeqSurv
    } else {
      out[k] = t;
      a = t;
    }
    s = si;
  }
  *anchor = a;
  *stratum = s;
}

}  // namespace

SortedSurvival sortSurvival(const SurvivalData& data, bool useTimefix) {
  SortedSurvival out;
  out.order = sortByStratumTime(data, data.time);
  const Eigen::Index n = data.size();
  out.time.resize(n);
  double anchor = 0;
  int stratum = 0;
  constexpr Eigen::Index kBlock = 16384;
  auto* const kernel = outOfLine(&sortedTimes);
  const int* strata = data.strata.size() ? data.strata.data() : nullptr;
  for (Eigen::Index k0 = 0; k0 < n; k0 += kBlock)
    kernel(out.order.data(), data.time.data(), strata, useTimefix, k0, std::min(n, k0 + kBlock), &anchor, &stratum,
           out.time.data());
  return out;
}

}  // namespace latefuse
