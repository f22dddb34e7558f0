// Resampling inference with the one seeded generator (random.hpp): the nonparametric bootstrap
// with percentile and BCa intervals (R package boot 1.3), the paired bootstrap of a difference of
// two statistics on the same resamples, and the permutation test.
//
// Draws. Bootstrap replicate b (0-based) uses its own generator Random::stream(seed, b) and draws n
// row indices with Random::below(n); the resample is passed to the statistic as frequency counts
// (counts[i] = how often row i was drawn). Permutation b uses Random::stream(seed, 2^40 + b) and
// Random::shuffle of 0..n-1. Per-replicate streams make the result independent of the chunk size
// and identical natively and in WebAssembly for the same seed.
//
// Intervals (conf = confLevel, alpha = ((1 - conf)/2, (1 + conf)/2)):
//  * percentile = boot.ci(type = "perc"): R's norm.inter — with R finite replicates sorted,
//    rk = (R + 1) alpha, k = floor(rk): the k-th order statistic when rk is whole, else
//    interpolation between the k-th and (k+1)-th on the normal scale:
//      t_k + (qnorm(alpha) - qnorm(k/(R+1))) / (qnorm((k+1)/(R+1)) - qnorm(k/(R+1))) (t_{k+1} - t_k),
//    the extreme order statistic when k = 0 or k = R (with a warning, as R).
//  * BCa = boot:::bca.ci with jackknife influence values (empinf(type = "jack"); R's boot.ci
//    default would use regression estimates, type = "reg"):
//      z0 = qnorm(#{t* < t0} / R),  a = sum L^3 / (6 (sum L^2)^{3/2}),
//      L_i = (n - 1)(t0 - theta_(i))  (theta_(i): statistic without row i; boot's usual.jack centres
//      at the full-data estimate t0, where Efron's textbook form centres at the mean of the theta_(i)),
//      alpha' = pnorm(z0 + (z0 + z_alpha) / (1 - a (z0 + z_alpha))), then norm.inter at alpha'.
// Replicates whose statistic does not exist (ModelError, e.g. a resample without events) are NaN,
// counted in `failed` and excluded from the intervals (R's boot.ci drops non-finite t).
//
// Permutation test: b = #{|T*_k - center| >= |T_obs - center|}, p = (b + 1) / (m + 1) (two-sided
// about `center`; for a C-index the statistic is C and center = 0.5). "As extreme" allows a
// relative tolerance of 1e-12 so that permutations equal to the observed value up to rounding count.
//
// Long runs: the work is done in chunks of `chunk` replicates; after each chunk `progress(fraction
// done)` is called and returning false cancels (Cancelled is thrown).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace latefuse {

// Thrown when a progress callback asks to stop.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled by the caller") {}
};

using ProgressCallback = std::function<bool(double fraction)>;
// Statistic of a resample given as frequency counts (size n, sum n for a bootstrap resample).
using ResampleStatistic = std::function<double(const std::vector<int>& counts)>;
// Statistic after permuting one variable: row i takes the permuted variable's value of row perm[i].
using PermutationStatistic = std::function<double(const std::vector<int>& perm)>;

struct BootstrapOptions {
  int replicates = 1000;
  uint64_t seed = 1;
  double confLevel = 0.95;
  bool bca = false;  // also the BCa interval (costs n extra evaluations for the jackknife)
  int chunk = 50;
  ProgressCallback progress;
};

struct BootstrapResult {
  double estimate = 0;         // statistic on the original data
  Eigen::VectorXd replicates;  // in draw order (NaN where the statistic failed)
  int failed = 0;
  double se = 0, bias = 0;            // sd (n - 1) and mean - estimate of the finite replicates
  double lower = 0, upper = 0;        // percentile interval
  double bcaLower = 0, bcaUpper = 0;  // NaN unless options.bca (and defined)
  double z0 = 0, acceleration = 0;    // BCa constants (NaN unless bca)
  Eigen::VectorXd influence;          // jackknife L (empty unless bca)
  double confLevel = 0.95;
  uint64_t seed = 0;
  std::vector<std::string> warnings;
};

BootstrapResult bootstrap(Eigen::Index n, const ResampleStatistic& statistic, const BootstrapOptions& options);

// The difference statistic A - B on the same resamples (paired bootstrap); `difference.estimate`
// is A - B on the original data.
struct PairedBootstrapResult {
  double estimateA = 0, estimateB = 0;
  BootstrapResult difference;
};
PairedBootstrapResult pairedBootstrap(Eigen::Index n, const ResampleStatistic& a, const ResampleStatistic& b,
                                      const BootstrapOptions& options);

struct PermutationOptions {
  int permutations = 1000;
  uint64_t seed = 1;
  double center = 0.5;
  int chunk = 50;
  ProgressCallback progress;
};
struct PermutationResult {
  double observed = 0;
  int extreme = 0;             // b
  int permutations = 0;        // m (permutations whose statistic existed)
  double p = 1;                // (b + 1) / (m + 1)
  Eigen::VectorXd statistics;  // T* in draw order (NaN where undefined)
  uint64_t seed = 0;
  std::vector<std::string> warnings;
};
PermutationResult permutationTest(Eigen::Index n, const PermutationStatistic& statistic, const PermutationOptions& options);

// R boot's norm.inter for one alpha on finite replicates (sorted internally); `extreme` is set when
// an extreme order statistic was used.
double normInter(std::vector<double> t, double alpha, bool* extreme = nullptr);
// Jackknife influence values L_i = (n - 1)(t0 - theta_(i)) (boot's usual.jack, t0 = full data).
Eigen::VectorXd jackknifeInfluence(Eigen::Index n, const ResampleStatistic& statistic,
                                   const ProgressCallback& progress = {}, int chunk = 50);
struct BcaInterval {
  double lower = 0, upper = 0, z0 = 0, acceleration = 0;
};
// Throws ModelError when z0 or a is not finite (all replicates on one side of t0, zero influence).
BcaInterval bcaInterval(double t0, const Eigen::VectorXd& replicates, const Eigen::VectorXd& influence, double confLevel);
void percentileInterval(const Eigen::VectorXd& replicates, double confLevel, double& lower, double& upper,
                        std::vector<std::string>* warnings = nullptr);

}  // namespace latefuse
