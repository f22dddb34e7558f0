#include "latefuse/resampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/random.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint64_t kPermutationStreamOffset = uint64_t{1} << 40;

void checkCommon(Eigen::Index n, int count, int chunk, const char* what, const char* unit) {
  if (n < 1) throw InputError(std::string(what) + ": no rows to resample");
  if (count < 1) throw InputError(std::string(what) + ": the number of " + unit + " must be at least 1");
  if (chunk < 1) throw InputError(std::string(what) + ": the chunk size must be at least 1");
}

void report(const ProgressCallback& progress, double fraction) {
  if (progress && !progress(fraction)) throw Cancelled();
}

// One statistic value; a statistic that does not exist for this resample gives NaN.
template <typename F, typename A>
double tryEval(const F& f, const A& arg) {
  try {
    return f(arg);
  } catch (const ModelError&) {
    return kNaN;
  }
}

std::vector<double> finite(const Eigen::VectorXd& v) {
  std::vector<double> out;
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (std::isfinite(v(i))) out.push_back(v(i));
  return out;
}

void drawCounts(uint64_t seed, int replicate, Eigen::Index n, std::vector<int>& counts) {
  std::fill(counts.begin(), counts.end(), 0);
  Random rng = Random::stream(seed, static_cast<uint64_t>(replicate));
  const uint64_t bound = static_cast<uint64_t>(n);
  for (Eigen::Index k = 0; k < n; ++k) ++counts[static_cast<size_t>(rng.below(bound))];
}

}  // namespace

double normInter(std::vector<double> t, double alpha, bool* extreme) {
  if (t.empty()) return kNaN;
  std::sort(t.begin(), t.end());
  const double R = static_cast<double>(t.size());
  const double rk = (R + 1) * alpha;
  if (extreme) *extreme = !(rk > 1 && rk < R);
  const double k = std::trunc(rk);
  if (k <= 0) return t.front();
  if (k >= R) return t.back();
  const size_t ki = static_cast<size_t>(k);
  if (k == rk) return t[ki - 1];
  const double z = normalQuantile(alpha), zk = normalQuantile(k / (R + 1)), zk1 = normalQuantile((k + 1) / (R + 1));
  const double tk = t[ki - 1], tk1 = t[ki];
  return tk + (z - zk) / (zk1 - zk) * (tk1 - tk);
}

void percentileInterval(const Eigen::VectorXd& replicates, double confLevel, double& lower, double& upper,
                        std::vector<std::string>* warnings) {
  if (!(confLevel > 0 && confLevel < 1)) throw InputError("bootstrap: the confidence level must lie strictly between 0 and 1");
  const std::vector<double> t = finite(replicates);
  bool e1 = false, e2 = false;
  lower = normInter(t, (1 - confLevel) / 2, &e1);
  upper = normInter(t, (1 + confLevel) / 2, &e2);
  if ((e1 || e2) && warnings)
    warnings->push_back("extreme order statistics used as endpoints of the percentile interval; use more replicates");
}

Eigen::VectorXd jackknifeInfluence(Eigen::Index n, const ResampleStatistic& statistic, const ProgressCallback& progress,
                                   int chunk) {
  std::vector<int> counts(static_cast<size_t>(n), 1);
  const double t0 = statistic(counts);
  Eigen::VectorXd theta(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    counts[static_cast<size_t>(i)] = 0;
    theta(i) = statistic(counts);  // a ModelError here propagates: BCa then has no influence values
    counts[static_cast<size_t>(i)] = 1;
    if ((i + 1) % chunk == 0) report(progress, static_cast<double>(i + 1) / static_cast<double>(n));
  }
  Eigen::VectorXd L(n);
  for (Eigen::Index i = 0; i < n; ++i) L(i) = static_cast<double>(n - 1) * (t0 - theta(i));
  return L;
}

BcaInterval bcaInterval(double t0, const Eigen::VectorXd& replicates, const Eigen::VectorXd& L, double confLevel) {
  const std::vector<double> t = finite(replicates);
  if (t.empty()) throw ModelError("BCa interval: no finite bootstrap replicates");
  double below = 0;
  for (double v : t)
    if (v < t0) below += 1;
  BcaInterval out;
  out.z0 = normalQuantile(below / static_cast<double>(t.size()));
  if (!std::isfinite(out.z0))
    throw ModelError("BCa interval: the bias correction z0 is infinite (every replicate lies on one side of the estimate)");
  double s2 = 0, s3 = 0;
  for (Eigen::Index i = 0; i < L.size(); ++i) {
    s2 += L(i) * L(i);
    s3 += L(i) * L(i) * L(i);
  }
  out.acceleration = s3 / (6 * std::pow(s2, 1.5));
  if (!std::isfinite(out.acceleration))
    throw ModelError("BCa interval: the acceleration is undefined (all jackknife influence values are 0)");
  const double alphas[2] = {(1 - confLevel) / 2, (1 + confLevel) / 2};
  double bounds[2];
  for (int k = 0; k < 2; ++k) {
    const double za = normalQuantile(alphas[k]);
    const double adj = normalCdf(out.z0 + (out.z0 + za) / (1 - out.acceleration * (out.z0 + za)));
    bounds[k] = normInter(t, adj);
  }
  out.lower = bounds[0];
  out.upper = bounds[1];
  return out;
}

namespace {

// Shared bootstrap driver: `eval(counts)` returns the replicate value(s).
BootstrapResult summarize(double estimate, const Eigen::VectorXd& reps, const BootstrapOptions& o) {
  BootstrapResult r;
  r.estimate = estimate;
  r.replicates = reps;
  r.confLevel = o.confLevel;
  r.seed = o.seed;
  const std::vector<double> t = finite(reps);
  r.failed = static_cast<int>(reps.size()) - static_cast<int>(t.size());
  if (r.failed > 0)
    r.warnings.push_back(std::to_string(r.failed) + " of " + std::to_string(reps.size()) +
                         " bootstrap resamples had no defined statistic and were left out of the intervals");
  if (t.empty()) throw ModelError("bootstrap: the statistic was undefined on every resample");
  double mean = 0;
  for (double v : t) mean += v;
  mean /= static_cast<double>(t.size());
  double ss = 0;
  for (double v : t) ss += (v - mean) * (v - mean);
  r.se = t.size() > 1 ? std::sqrt(ss / static_cast<double>(t.size() - 1)) : 0;
  r.bias = mean - estimate;
  percentileInterval(reps, o.confLevel, r.lower, r.upper, &r.warnings);
  r.bcaLower = r.bcaUpper = r.z0 = r.acceleration = kNaN;
  return r;
}

void checkOptions(Eigen::Index n, const BootstrapOptions& o) {
  checkCommon(n, o.replicates, o.chunk, "bootstrap", "replicates");
  if (!(o.confLevel > 0 && o.confLevel < 1)) throw InputError("bootstrap: the confidence level must lie strictly between 0 and 1");
}

void addBca(BootstrapResult& r, Eigen::Index n, const ResampleStatistic& statistic, const BootstrapOptions& o,
            double doneFraction) {
  ProgressCallback scaled;
  if (o.progress) scaled = [&](double f) { return o.progress(doneFraction + (1 - doneFraction) * f); };
  try {
    r.influence = jackknifeInfluence(n, statistic, scaled, o.chunk);
    const BcaInterval b = bcaInterval(r.estimate, r.replicates, r.influence, o.confLevel);
    r.bcaLower = b.lower;
    r.bcaUpper = b.upper;
    r.z0 = b.z0;
    r.acceleration = b.acceleration;
  } catch (const ModelError& e) {
    r.warnings.push_back(std::string("no BCa interval: ") + e.what());
  }
}

}  // namespace

BootstrapResult bootstrap(Eigen::Index n, const ResampleStatistic& statistic, const BootstrapOptions& o) {
  checkOptions(n, o);
  const std::vector<int> ones(static_cast<size_t>(n), 1);
  const double estimate = statistic(ones);  // a ModelError on the full data propagates
  Eigen::VectorXd reps(o.replicates);
  std::vector<int> counts(static_cast<size_t>(n));
  const double total = o.replicates + (o.bca ? static_cast<double>(n) : 0.0);
  for (int b = 0; b < o.replicates; ++b) {
    drawCounts(o.seed, b, n, counts);
    reps(b) = tryEval(statistic, counts);
    if ((b + 1) % o.chunk == 0 || b + 1 == o.replicates) report(o.progress, (b + 1) / total);
  }
  BootstrapResult r = summarize(estimate, reps, o);
  if (o.bca) addBca(r, n, statistic, o, o.replicates / total);
  return r;
}

PairedBootstrapResult pairedBootstrap(Eigen::Index n, const ResampleStatistic& a, const ResampleStatistic& b,
                                      const BootstrapOptions& o) {
  checkOptions(n, o);
  const std::vector<int> ones(static_cast<size_t>(n), 1);
  PairedBootstrapResult out;
  out.estimateA = a(ones);
  out.estimateB = b(ones);
  const ResampleStatistic diff = [&](const std::vector<int>& c) { return a(c) - b(c); };
  Eigen::VectorXd reps(o.replicates);
  std::vector<int> counts(static_cast<size_t>(n));
  const double total = o.replicates + (o.bca ? static_cast<double>(n) : 0.0);
  for (int r = 0; r < o.replicates; ++r) {
    drawCounts(o.seed, r, n, counts);
    reps(r) = tryEval(diff, counts);
    if ((r + 1) % o.chunk == 0 || r + 1 == o.replicates) report(o.progress, (r + 1) / total);
  }
  out.difference = summarize(out.estimateA - out.estimateB, reps, o);
  if (o.bca) addBca(out.difference, n, diff, o, o.replicates / total);
  return out;
}

PermutationResult permutationTest(Eigen::Index n, const PermutationStatistic& statistic, const PermutationOptions& o) {
  checkCommon(n, o.permutations, o.chunk, "permutation test", "permutations");
  std::vector<int> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  PermutationResult out;
  out.seed = o.seed;
  out.observed = statistic(perm);
  const double dObs = std::fabs(out.observed - o.center);
  const double threshold = dObs - 1e-12 * std::max(1.0, dObs);
  out.statistics.resize(o.permutations);
  for (int b = 0; b < o.permutations; ++b) {
    std::iota(perm.begin(), perm.end(), 0);
    Random rng = Random::stream(o.seed, kPermutationStreamOffset + static_cast<uint64_t>(b));
    rng.shuffle(perm);
    const double t = tryEval(statistic, perm);
    out.statistics(b) = t;
    if (std::isfinite(t)) {
      ++out.permutations;
      if (std::fabs(t - o.center) >= threshold) ++out.extreme;
    }
    if ((b + 1) % o.chunk == 0 || b + 1 == o.permutations) report(o.progress, static_cast<double>(b + 1) / o.permutations);
  }
  if (out.permutations < o.permutations)
    out.warnings.push_back(std::to_string(o.permutations - out.permutations) +
                           " permutations had no defined statistic and were left out");
  out.p = (out.extreme + 1.0) / (out.permutations + 1.0);
  return out;
}

}  // namespace latefuse
