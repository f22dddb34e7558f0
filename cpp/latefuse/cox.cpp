#include "latefuse/cox.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <numeric>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/linalg.hpp"
#include "latefuse/ridge_rotation.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R's coxsafe(): cap the linear predictor (in centred, scaled units) so exp() cannot overflow.
// Real fits never reach the cap; it only keeps a diverging (monotone-likelihood) fit finite.
inline double coxsafe(double eta) { return std::min(22.0, std::max(-200.0, eta)); }

struct TimeGroup {
  size_t begin, end;  // positions in sorted order
  int deaths;
};

// Data sorted once by (stratum, time), with centred and scaled covariates stored one column per
// covariate (n x p). Every pass over the subjects runs down these columns (one copy of the data:
// in a fresh WebAssembly module each megabyte touched for the first time costs page faults).
struct Prepared {
  Eigen::Index n = 0, p = 0;
  std::vector<Eigen::Index> order;  // sorted position -> input row
  Eigen::MatrixXd xc;               // n x p, (x - means) * scale, sorted
  Eigen::VectorXd w, delta, time;   // sorted
  Eigen::VectorXi stratumLabel;     // sorted
  Eigen::VectorXd means, scale;
  std::vector<TimeGroup> groups;                  // ascending time within stratum
  std::vector<std::pair<size_t, size_t>> strata;  // [first group, last group + 1) per stratum
  size_t deathGroups = 0, tiedDeathGroups = 0;
  Eigen::VectorXd deathSum;  // sum over deaths of w_i x_i (the score's constant part)
};

// The kernels below are the loops over all subjects, each called through outOfLine (linalg.hpp)
// once per covariate column (or four) and block of kKernelRows subjects, so that a first fit in a
// fresh module runs optimised code after the first blocks (called once per column, the first calls
// ran in baseline code over all subjects). Each adds in the same order as a loop over subjects with
// all covariates would.
constexpr Eigen::Index kKernelRows = 4096;

// The columns first .. first + count - 1 of xc into cols[0..count), count = min(4, columns left);
// returns count. The kernels over the covariates take them four at a time.
Eigen::Index columnQuad(const Eigen::MatrixXd& xc, Eigen::Index first, const double* cols[4]) {
  const Eigen::Index count = std::min<Eigen::Index>(4, xc.cols() - first);
  for (Eigen::Index a = 0; a < count; ++a) cols[a] = xc.col(first + a).data();
  return count;
}

// Calls kernel(cols, first, count, rowBegin, rowEnd) for the covariate columns of xc four at a time
// (columnQuad) and every block of kKernelRows subjects.
template <typename Kernel>
void forColumnQuads(const Eigen::MatrixXd& xc, Kernel&& kernel) {
  for (Eigen::Index j = 0; j < xc.cols(); j += 4) {
    const double* cols[4];
    const Eigen::Index count = columnQuad(xc, j, cols);
    for (Eigen::Index k0 = 0; k0 < xc.rows(); k0 += kKernelRows) kernel(cols, j, count, k0, std::min(xc.rows(), k0 + kKernelRows));
  }
}

// Centring and scaling of four columns at a time (coxCentring), each exactly as one column on its own
// would be: whether every value lies in {-1, 0, 1} and the largest |value| (order-free, two lanes),
// then the weighted sum and the weighted sum of absolute deviations, each in row order, the four
// columns' chains interleaved so that they overlap. Every pass runs over blocks of kKernelRows rows
// with its sums carried from block to block, so that a first fit runs optimised code after the
// first blocks. `w` null: unit weights (w_i * v = v exactly, so the sums are those of weights 1).
// A missing column repeats the last one; its sums are ignored.
struct CentringQuad {
  const double* c[4];
  const double* w;
  int zeroOne[4] = {1, 1, 1, 1};
  double big[4] = {0, 0, 0, 0}, inv[4] = {1, 1, 1, 1}, mi[4] = {0, 0, 0, 0};
  double sum[4] = {0, 0, 0, 0}, mad[4] = {0, 0, 0, 0};
};

void centringRange(CentringQuad* Q, Eigen::Index i0, Eigen::Index i1) {
  for (int a = 0; a < 4; ++a) {
    const double* col = Q->c[a];
    int zeroOne = Q->zeroOne[a];
    double big0 = Q->big[a], big1 = 0;
    Eigen::Index i = i0;
    for (; i + 1 < i1; i += 2) {
      zeroOne &= (col[i] == 0) | (col[i] == 1) | (col[i] == -1);
      zeroOne &= (col[i + 1] == 0) | (col[i + 1] == 1) | (col[i + 1] == -1);
      big0 = std::max(big0, std::fabs(col[i]));
      big1 = std::max(big1, std::fabs(col[i + 1]));
    }
    if (i < i1) {
      zeroOne &= (col[i] == 0) | (col[i] == 1) | (col[i] == -1);
      big0 = std::max(big0, std::fabs(col[i]));
    }
    Q->zeroOne[a] = zeroOne;
    Q->big[a] = std::max(big0, big1);
  }
}

template <bool Weighted, bool Deviations>
void centringSums(CentringQuad* Q, Eigen::Index i0, Eigen::Index i1) {
  const double *c0 = Q->c[0], *c1 = Q->c[1], *c2 = Q->c[2], *c3 = Q->c[3];
  const double inv0 = Q->inv[0], inv1 = Q->inv[1], inv2 = Q->inv[2], inv3 = Q->inv[3];
  const double mi0 = Q->mi[0], mi1 = Q->mi[1], mi2 = Q->mi[2], mi3 = Q->mi[3];
  double* out = Deviations ? Q->mad : Q->sum;
  double s0 = out[0], s1 = out[1], s2 = out[2], s3 = out[3];
  for (Eigen::Index i = i0; i < i1; ++i) {
    const double wi = Weighted ? Q->w[i] : 1.0;
    if (Deviations) {
      s0 += wi * std::fabs(c0[i] * inv0 - mi0);
      s1 += wi * std::fabs(c1[i] * inv1 - mi1);
      s2 += wi * std::fabs(c2[i] * inv2 - mi2);
      s3 += wi * std::fabs(c3[i] * inv3 - mi3);
    } else {
      s0 += wi * (c0[i] * inv0);
      s1 += wi * (c1[i] * inv1);
      s2 += wi * (c2[i] * inv2);
      s3 += wi * (c3[i] * inv3);
    }
  }
  out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3;
}

// dst[k] = (src[order[k]] - mean) * scale for k in [k0, k1): one column in sorted order, centred
// and scaled (a column of x, n doubles, stays in cache while its rows are picked in sorted order).
void gatherColumn(const double* src, const Eigen::Index* order, Eigen::Index k0, Eigen::Index k1, double mean,
                  double scale, double* dst) {
  for (Eigen::Index k = k0; k < k1; ++k) dst[k] = (src[order[k]] - mean) * scale;
}

// The loops over all subjects that fitCoxUnguarded would otherwise run itself: that function is
// called once per fit, and a loop over the subjects inside it makes V8 compile all of it (~37 KB of
// code, ~50 ms of a second core) with TurboFan during that call, for code that call never runs.

std::string columnLabel(const std::vector<std::string>& names, Eigen::Index j);

// Every covariate value finite, or an InputError naming the first bad one (column by column).
void checkCovariatesFinite(const Eigen::MatrixXd& x, const std::vector<std::string>& names) {
  const Eigen::Index n = x.rows();
  auto* const nonFinite = outOfLine(&firstNonFinite);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) {
      const Eigen::Index len = std::min(kKernelRows, n - i0);
      if (const Eigen::Index i = nonFinite(x.col(j).data() + i0, len); i < len)
        throw InputError("Cox model: covariate " + columnLabel(names, j) + " is not a finite number (NaN or Inf) at row " +
                         std::to_string(i0 + i + 1) + "; remove the row or fix the value");
    }
}

// sum += v_i for rows [i0, i1), in order (the running sum carried from block to block).
void addRange(const double* v, Eigen::Index i0, Eigen::Index i1, double* sum) {
  double s = *sum;
  for (Eigen::Index i = i0; i < i1; ++i) s += v[i];
  *sum = s;
}

// Events among rows [i0, i1) (each event indicator 0 or 1).
int countEvents(const double* event, Eigen::Index i0, Eigen::Index i1) {
  int events = 0;
  for (Eigen::Index i = i0; i < i1; ++i) events += event[i] == 1;
  return events;
}

// out[order[k]] = sorted[k] for k in [k0, k1): sorted values back in input order.
void scatterToInput(const double* sorted, const Eigen::Index* order, Eigen::Index k0, Eigen::Index k1, double* out) {
  for (Eigen::Index k = k0; k < k1; ++k) out[order[k]] = sorted[k];
}

// Weight, event and stratum of sorted positions [k0, k1) (weight / strata null: 1 / 0).
void sortedCopy(const Eigen::Index* order, const double* weight, const double* event, const int* strata,
                Eigen::Index k0, Eigen::Index k1, double* w, double* delta, int* stratum) {
  for (Eigen::Index k = k0; k < k1; ++k) {
    const Eigen::Index i = order[k];
    w[k] = weight ? weight[i] : 1.0;
    delta[k] = event[i];
    stratum[k] = strata ? strata[i] : 0;
  }
}

// Sums over deaths of w_k x_k for up to four columns at once (four independent sums), in sorted
// order, continued over the rows [k0, k1). Every subject adds its term times delta_k (validated to be
// exactly 0 or 1): a death adds w_k x_k, a censoring +-0, which leaves the sum as it was, so the
// result is the sum over deaths alone. Neither a branch (deaths and censorings alternate at random:
// a mispredicted branch per subject costs more than the arithmetic) nor a select (V8 compiles a
// floating-point select into a branch).
void deathSumColumns(const double* const* x, Eigen::Index count, const double* w, const double* delta,
                     Eigen::Index k0, Eigen::Index k1, double* sums) {
  const double* x0 = x[0];
  const double* x1 = x[std::min<Eigen::Index>(1, count - 1)];
  const double* x2 = x[std::min<Eigen::Index>(2, count - 1)];
  const double* x3 = x[count - 1];
  double s0 = sums[0], s1 = count > 1 ? sums[1] : 0, s2 = count > 2 ? sums[2] : 0, s3 = count > 3 ? sums[3] : 0;
  for (Eigen::Index k = k0; k < k1; ++k) {
    const double d = delta[k];
    s0 += w[k] * x0[k] * d;
    s1 += w[k] * x1[k] * d;
    s2 += w[k] * x2[k] * d;
    s3 += w[k] * x3[k] * d;
  }
  sums[0] = s0;
  if (count > 1) sums[1] = s1;
  if (count > 2) sums[2] = s2;
  if (count > 3) sums[3] = s3;
}

// eta += x_j b_j for up to four columns j, rows [i0, i1): eta_i = sum_j x_ij b_j summed over j in
// order, as a dot product per subject would, but down the columns so that the subjects (not the
// covariates) fill the vector lanes.
void linearPredictorColumns(const double* const* x, const double* b, Eigen::Index count, Eigen::Index i0,
                            Eigen::Index i1, double* eta) {
  switch (count) {
    case 4:
      for (Eigen::Index i = i0; i < i1; ++i) eta[i] = eta[i] + x[0][i] * b[0] + x[1][i] * b[1] + x[2][i] * b[2] + x[3][i] * b[3];
      break;
    case 3:
      for (Eigen::Index i = i0; i < i1; ++i) eta[i] = eta[i] + x[0][i] * b[0] + x[1][i] * b[1] + x[2][i] * b[2];
      break;
    case 2:
      for (Eigen::Index i = i0; i < i1; ++i) eta[i] = eta[i] + x[0][i] * b[0] + x[1][i] * b[1];
      break;
    default:
      for (Eigen::Index i = i0; i < i1; ++i) eta[i] = eta[i] + x[0][i] * b[0];
  }
}

// The backward pass over the groups [lo, hi) of a stratum (from the last time to the first, the
// subjects of a group in sorted order) for up to four columns j0.. at once, four independent sums so
// that the loop is not bound by the latency of one chain of additions: s_j += r_i x_ij (the risk-set
// sum S1, carried in `state` from the groups after hi) and, for deaths, t_j += r_i x_ij (the deaths'
// sum T1 of the group). At each group with deaths, s and t go to its column g - lo of the p-row
// tables s1 and t1.
void backwardColumns(const double* const* x, Eigen::Index count, const double* r, const double* delta,
                     const TimeGroup* groups, size_t lo, size_t hi, Eigen::Index j0, Eigen::Index p, double* state,
                     double* s1, double* t1) {
  const double* x0 = x[0];
  const double* x1 = x[std::min<Eigen::Index>(1, count - 1)];
  const double* x2 = x[std::min<Eigen::Index>(2, count - 1)];
  const double* x3 = x[count - 1];
  // Eight named sums, not arrays: an array indexed by a run-time column count would live in memory.
  double s0 = state[0], s1v = count > 1 ? state[1] : 0, s2 = count > 2 ? state[2] : 0, s3 = count > 3 ? state[3] : 0;
  for (size_t g = hi; g-- > lo;) {
    const TimeGroup& G = groups[g];
    double t0 = 0, t1v = 0, t2 = 0, t3 = 0;
    for (size_t k = G.begin; k < G.end; ++k) {
      const double ri = r[k];
      const double p0 = ri * x0[k], p1 = ri * x1[k], p2 = ri * x2[k], p3 = ri * x3[k];
      s0 += p0;
      s1v += p1;
      s2 += p2;
      s3 += p3;
      // Deaths only, by the factor delta_k (see deathSumColumns).
      const double d = delta[k];
      t0 += p0 * d;
      t1v += p1 * d;
      t2 += p2 * d;
      t3 += p3 * d;
    }
    if (G.deaths == 0) continue;
    double* sOut = s1 + (g - lo) * static_cast<size_t>(p) + static_cast<size_t>(j0);
    double* tOut = t1 + (g - lo) * static_cast<size_t>(p) + static_cast<size_t>(j0);
    sOut[0] = s0;
    tOut[0] = t0;
    if (count > 1) sOut[1] = s1v, tOut[1] = t1v;
    if (count > 2) sOut[2] = s2, tOut[2] = t2;
    if (count > 3) sOut[3] = s3, tOut[3] = t3;
  }
  state[0] = s0;
  if (count > 1) state[1] = s1v;
  if (count > 2) state[2] = s2;
  if (count > 3) state[3] = s3;
}

// The tied-time groups and the strata of the sorted subjects (prepare): a function of its own, so
// that this once-run loop over the subjects does not make V8 optimise all of prepare during a first fit.
void findGroups(Prepared& P) {
  size_t k = 0;
  while (k < static_cast<size_t>(P.n)) {
    const size_t firstGroup = P.groups.size();
    const int s = P.stratumLabel(static_cast<Eigen::Index>(k));
    while (k < static_cast<size_t>(P.n) && P.stratumLabel(static_cast<Eigen::Index>(k)) == s) {
      size_t e = k;
      int deaths = 0;
      const double t = P.time(static_cast<Eigen::Index>(k));
      while (e < static_cast<size_t>(P.n) && P.stratumLabel(static_cast<Eigen::Index>(e)) == s &&
             P.time(static_cast<Eigen::Index>(e)) == t) {
        deaths += P.delta(static_cast<Eigen::Index>(e)) == 1;
        ++e;
      }
      P.groups.push_back({k, e, deaths});
      if (deaths > 0) ++P.deathGroups;
      if (deaths > 1) ++P.tiedDeathGroups;
      k = e;
    }
    P.strata.emplace_back(firstGroup, P.groups.size());
  }
}

// Centring and scaling exactly as coxfit6.c: weighted mean, then scale = sum(w) / sum(w |x - mean|);
// columns whose values all lie in {-1, 0, 1} are left alone (coxph's nocenter).
void coxCentring(const SurvivalData& data, const Eigen::MatrixXd& x, bool center, Eigen::VectorXd& means,
                 Eigen::VectorXd& scale) {
  const Eigen::Index n = x.rows(), p = x.cols();
  means = Eigen::VectorXd::Zero(p);
  scale = Eigen::VectorXd::Ones(p);
  const double* w = data.weight.size() ? data.weight.data() : nullptr;
  // Without weights the sum of n ones is n, exactly.
  double wsum = w ? 0.0 : static_cast<double>(n);
  if (w) {
    auto* const add = outOfLine(&addRange);
    for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) add(w, i0, std::min(n, i0 + kKernelRows), &wsum);
  }
  auto* const range = outOfLine(&centringRange);
  auto* const sums = outOfLine(w ? &centringSums<true, false> : &centringSums<false, false>);
  auto* const deviations = outOfLine(w ? &centringSums<true, true> : &centringSums<false, true>);
  for (Eigen::Index j = 0; j < p; j += 4) {
    const Eigen::Index count = std::min<Eigen::Index>(4, p - j);
    CentringQuad Q;
    Q.w = w;
    for (Eigen::Index a = 0; a < 4; ++a) Q.c[a] = x.col(j + std::min(a, count - 1)).data();
    for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) range(&Q, i0, std::min(n, i0 + kKernelRows));
    bool active[4];
    for (Eigen::Index a = 0; a < 4; ++a) {
      active[a] = a < count && center && !Q.zeroOne[a] && Q.big[a] > 0;
      // Sums of x / big cannot overflow even for values near 1e300.
      Q.inv[a] = active[a] ? 1.0 / Q.big[a] : 1.0;
    }
    for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) sums(&Q, i0, std::min(n, i0 + kKernelRows));
    double m[4];
    for (Eigen::Index a = 0; a < 4; ++a) {
      m[a] = Q.sum[a] / wsum * Q.big[a];
      Q.mi[a] = m[a] * Q.inv[a];
    }
    for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) deviations(&Q, i0, std::min(n, i0 + kKernelRows));
    for (Eigen::Index a = 0; a < count; ++a) {
      if (!active[a]) continue;
      const double d = Q.mad[a] / wsum * Q.big[a];
      means(j + a) = m[a];
      scale(j + a) = d > 0 ? 1.0 / d : 1.0;
    }
  }
}

// `given`: use these means and scale (a recomputed baseline, coxBaselineFrom) instead of computing them.
// `reuse`: x itself, which the caller gives up: its columns are sorted, centred and scaled in place
// and become xc (through one column of scratch), instead of a second n x p copy.
Prepared prepare(const SurvivalData& data, const Eigen::MatrixXd& x, bool useTimefix, bool center,
                 const std::pair<Eigen::VectorXd, Eigen::VectorXd>* given = nullptr,
                 Eigen::MatrixXd* reuse = nullptr) {
  Prepared P;
  P.n = data.size();
  P.p = x.cols();
  SortedSurvival sorted = sortSurvival(data, useTimefix);
  P.order = std::move(sorted.order);
  P.time = std::move(sorted.time);
  P.w.resize(P.n);
  P.delta.resize(P.n);
  P.stratumLabel.resize(P.n);
  auto* const copy = outOfLine(&sortedCopy);
  const double* weight = data.weight.size() ? data.weight.data() : nullptr;
  const int* strata = data.strata.size() ? data.strata.data() : nullptr;
  for (Eigen::Index k0 = 0; k0 < P.n; k0 += kKernelRows)
    copy(P.order.data(), weight, data.event.data(), strata, k0, std::min(P.n, k0 + kKernelRows), P.w.data(),
         P.delta.data(), P.stratumLabel.data());
  if (given) {
    P.means = given->first;
    P.scale = given->second;
  } else {
    coxCentring(data, x, center, P.means, P.scale);
  }
  // Each column gathered into xc, or, reusing x, into one column of scratch copied back over it.
  assert(!reuse || reuse == &x);
  Eigen::VectorXd column(reuse ? P.n : 0);
  if (!reuse) P.xc.resize(P.n, P.p);
  auto* const gather = outOfLine(&gatherColumn);
  for (Eigen::Index j = 0; j < P.p; ++j) {
    double* dst = reuse ? column.data() : P.xc.col(j).data();
    for (Eigen::Index k0 = 0; k0 < P.n; k0 += kKernelRows)
      gather(x.col(j).data(), P.order.data(), k0, std::min(P.n, k0 + kKernelRows), P.means(j), P.scale(j), dst);
    if (reuse) std::memcpy(reuse->col(j).data(), dst, static_cast<size_t>(P.n) * sizeof(double));
  }
  if (reuse) P.xc = std::move(*reuse);
  P.deathSum = Eigen::VectorXd::Zero(P.p);
  auto* const deathSum = outOfLine(&deathSumColumns);
  forColumnQuads(P.xc, [&](const double* const* cols, Eigen::Index j, Eigen::Index count, Eigen::Index k0, Eigen::Index k1) {
    deathSum(cols, count, P.w.data(), P.delta.data(), k0, k1, P.deathSum.data() + j);
  });
  auto* const groups = outOfLine(&findGroups);
  groups(P);
  return P;
}

// Per-event-time factors of the Efron (or Breslow) approximation (docs/methods.md §1b):
//   a = wbar sum_l 1/den_l, b = wbar sum_l f_l/den_l, alpha = wbar sum_l 1/den_l^2,
//   beta = wbar sum_l f_l/den_l^2, gamma = wbar sum_l f_l^2/den_l^2, logTerm = wbar sum_l log den_l,
// with den_l = S0 - f_l T0 and f_l = l/d. Breslow is the same with every f_l = 0.
struct EventFactors {
  double a = 0, b = 0, alpha = 0, beta = 0, gamma = 0, logTerm = 0;
};

EventFactors eventFactors(double s0, double t0, int deaths, double deathWeight, Ties ties) {
  EventFactors f;
  if (ties == Ties::Breslow || deaths == 1) {
    f.a = deathWeight / s0;
    f.alpha = deathWeight / (s0 * s0);
    f.logTerm = deathWeight * std::log(s0);
    return f;
  }
  const double wbar = deathWeight / deaths;
  for (int l = 0; l < deaths; ++l) {
    const double frac = static_cast<double>(l) / deaths;
    const double den = s0 - frac * t0;
    const double inv = 1.0 / den, inv2 = inv * inv;
    f.a += inv;
    f.b += frac * inv;
    f.alpha += inv2;
    f.beta += frac * inv2;
    f.gamma += frac * frac * inv2;
    f.logTerm += std::log(den);
  }
  f.a *= wbar;
  f.b *= wbar;
  f.alpha *= wbar;
  f.beta *= wbar;
  f.gamma *= wbar;
  f.logTerm *= wbar;
  return f;
}

// eta_i = coxsafe(eta_i) in place and r_i = w_i exp(eta_i), rows [i0, i1).
void riskWeights(double* eta, const double* w, Eigen::Index i0, Eigen::Index i1, double* r) {
  for (Eigen::Index i = i0; i < i1; ++i) {
    eta[i] = coxsafe(eta[i]);
    r[i] = w[i] * std::exp(eta[i]);
  }
}

// The scalar part of the backward pass (evaluate) over the groups [hi - 1 .. lo] of a stratum, last
// time first, the subjects of a group in sorted order: the risk set's S0, the group's T0 and deaths'
// weight, and the log-likelihood (w_i eta_i for deaths, minus the Efron log term at each group with
// deaths), carried from chunk to chunk; per group the subjects at risk and, for groups with deaths,
// the Efron factors.
struct ScalarPass {
  const double *r = nullptr, *w = nullptr, *eta = nullptr, *delta = nullptr;
  const TimeGroup* groups = nullptr;
  Ties ties = Ties::Efron;
  EventFactors* factors = nullptr;  // per group with deaths
  long* atRiskAt = nullptr;         // per group
  double s0 = 0, loglik = 0;
  long atRisk = 0;
};

void scalarGroups(ScalarPass* S, size_t lo, size_t hi) {
  double s0 = S->s0, loglik = S->loglik;
  long atRisk = S->atRisk;
  for (size_t g = hi; g-- > lo;) {
    const TimeGroup& G = S->groups[g];
    double t0 = 0, deathWeight = 0;
    for (size_t k = G.begin; k < G.end; ++k) {
      const double ri = S->r[k], wi = S->w[k];
      const double d = S->delta[k];  // deaths only, by the factor delta_k (see deathSumColumns)
      s0 += ri;
      t0 += ri * d;
      deathWeight += wi * d;
      loglik += wi * S->eta[k] * d;
    }
    atRisk += static_cast<long>(G.end - G.begin);
    S->atRiskAt[g] = atRisk;
    if (G.deaths == 0) continue;
    const EventFactors f = eventFactors(s0, t0, G.deaths, deathWeight, S->ties);
    loglik -= f.logTerm;
    S->factors[g] = f;
  }
  S->s0 = s0;
  S->loglik = loglik;
  S->atRisk = atRisk;
}

// Gram weights of the groups [lo, hi) of a stratum, first time first: subject i is in the risk set
// of every event time t_k <= t_i, so its S2 weight is r_i (A_i - delta_i b_k(i)) with A_i the
// cumulative sum of a over those times (carried in *cumA).
void gramWeights(const TimeGroup* groups, const EventFactors* factors, size_t lo, size_t hi, const double* r,
                 const double* delta, double* cumA, double* g) {
  double A = *cumA;
  for (size_t gi = lo; gi < hi; ++gi) {
    const TimeGroup& G = groups[gi];
    const double a = G.deaths ? factors[gi].a : 0.0, b = G.deaths ? factors[gi].b : 0.0;
    A += a;
    for (size_t k = G.begin; k < G.end; ++k) g[k] = std::max(0.0, r[k] * (A - delta[k] * b));
  }
  *cumA = A;
}

// The baseline hazard an evaluation captures, kept as the pass wrote it until the fit knows which
// evaluation it keeps (a Newton iteration captures one before it knows whether it has converged):
// each event time's xbar row unscaled (alpha S1 - beta T1), contiguous, so that the pass writes it
// in one stream; finish() divides by the scale into CoxBaseline's columns, once.
struct BaselineCapture {
  CoxBaseline base;                                                                // all but xbarHazard
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xbarRaw;  // event times x p

  CoxBaseline finish(const Eigen::VectorXd& scale) && {
    base.xbarHazard.resize(xbarRaw.rows(), xbarRaw.cols());
    // Back to original (centred, unscaled) units: x_scaled = (x - mean) * scale.
    for (Eigen::Index j = 0; j < xbarRaw.cols(); ++j)
      for (Eigen::Index row = 0; row < xbarRaw.rows(); ++row) base.xbarHazard(row, j) = xbarRaw(row, j) / scale(j);
    return std::move(base);
  }
};

// Everything built from a group's sums (evaluate), for the groups [hi - 1 .. lo] with deaths, in
// that order: the score u -= a S1 - b T1; the rows of Z, the rank-one parts [S1 T1] M [S1 T1]' of the
// information with M = [[alpha, -beta], [-beta, gamma]] (PSD), from M's 2x2 Cholesky factor; and
// the baseline hazard's row.
struct GroupTerms {
  Eigen::Index p = 0;
  const TimeGroup* groups = nullptr;
  const EventFactors* factors = nullptr;
  Ties ties = Ties::Efron;
  const double *s1 = nullptr, *t1 = nullptr;  // p x (hi - lo), group g in column g - lo
  double* u = nullptr;
  double* z = nullptr;  // zRows x p, column-major (null: no information matrix)
  Eigen::Index zRows = 0;
  Eigen::Index* zCount = nullptr;
  BaselineCapture* baseline = nullptr;  // null: not asked for
  const Eigen::Index* baseRow = nullptr;
  const double* time = nullptr;
  const int* stratumLabel = nullptr;
  const long* atRiskAt = nullptr;
};

void groupTerms(GroupTerms* T, size_t lo, size_t hi) {
  const Eigen::Index p = T->p;
  Eigen::Index zCount = *T->zCount;
  for (size_t g = hi; g-- > lo;) {
    const TimeGroup& G = T->groups[g];
    if (G.deaths == 0) continue;
    const double* s1 = T->s1 + (g - lo) * static_cast<size_t>(p);
    const double* t1 = T->t1 + (g - lo) * static_cast<size_t>(p);
    const EventFactors& f = T->factors[g];
    for (Eigen::Index j = 0; j < p; ++j) T->u[j] -= f.a * s1[j] - f.b * t1[j];
    if (T->z) {
      const double l11 = std::sqrt(f.alpha);
      const double l21 = l11 > 0 ? -f.beta / l11 : 0.0;
      for (Eigen::Index j = 0; j < p; ++j) T->z[j * T->zRows + zCount] = l11 * s1[j] + l21 * t1[j];
      ++zCount;
      if (T->ties == Ties::Efron && G.deaths > 1) {
        const double l22 = std::sqrt(std::max(0.0, f.gamma - l21 * l21));
        for (Eigen::Index j = 0; j < p; ++j) T->z[j * T->zRows + zCount] = l22 * t1[j];
        ++zCount;
      }
    }
    if (BaselineCapture* capture = T->baseline) {
      CoxBaseline* base = &capture->base;
      const Eigen::Index row = T->baseRow[g];
      base->time(row) = T->time[G.begin];
      base->stratum(row) = T->stratumLabel[G.begin];
      base->hazard(row) = f.a;
      base->varHazard(row) = f.alpha;
      double* xbar = capture->xbarRaw.row(row).data();
      for (Eigen::Index j = 0; j < p; ++j) xbar[j] = f.alpha * s1[j] - f.beta * t1[j];
      base->nRisk(row) = static_cast<int>(T->atRiskAt[g]);
      base->nEvent(row) = G.deaths;
    }
  }
  *T->zCount = zCount;
}

// eta_i = x_i' beta over the sorted, scaled covariates.
Eigen::VectorXd linearPredictorSorted(const Prepared& P, const Eigen::VectorXd& beta) {
  Eigen::VectorXd eta = Eigen::VectorXd::Zero(P.n);
  auto* const kernel = outOfLine(&linearPredictorColumns);
  forColumnQuads(P.xc, [&](const double* const* cols, Eigen::Index j, Eigen::Index count, Eigen::Index i0, Eigen::Index i1) {
    kernel(cols, beta.data() + j, count, i0, i1, eta.data());
  });
  return eta;
}

struct Evaluation {
  double loglik = 0;
  Eigen::VectorXd u;
  Eigen::MatrixXd imat;
  bool finite = true;
};

// Log partial likelihood, score and information at beta (scaled units), in one backward pass plus
// two Gram products: I = X' diag(g) X - Z'Z (docs/methods.md §1b), so the O(n p^2) work is dense algebra.
Evaluation evaluate(const Prepared& P, const Eigen::VectorXd& beta, Ties ties, bool wantInfo,
                    BaselineCapture* baseline = nullptr) {
  const Eigen::Index n = P.n, p = P.p;
  Evaluation E;
  E.u = P.deathSum;
  // eta = xc beta and r = w exp(eta), computed chunk by chunk just before the backward pass reads the
  // same rows (below), so that the pass finds them in cache.
  Eigen::VectorXd eta = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd r(n);
  auto* const lpKernel = outOfLine(&linearPredictorColumns);
  auto* const risk = outOfLine(&riskWeights);
  const size_t nGroups = P.groups.size();
  std::vector<EventFactors> factors(nGroups);
  std::vector<long> atRiskAt(nGroups);
  const Eigen::Index zRows = static_cast<Eigen::Index>(P.deathGroups + (ties == Ties::Efron ? P.tiedDeathGroups : 0));
  Eigen::MatrixXd z(wantInfo ? zRows : 0, p);  // rows of Z (see below)
  Eigen::Index zCount = 0;
  if (baseline) {
    const Eigen::Index m = static_cast<Eigen::Index>(P.deathGroups);
    CoxBaseline& base = baseline->base;
    base.time.resize(m);
    base.stratum.resize(m);
    base.hazard.resize(m);
    base.varHazard.resize(m);
    baseline->xbarRaw.resize(m, p);
    base.nRisk.resize(m);
    base.nEvent.resize(m);
  }
  // Baseline rows are written in ascending order; count them per stratum first.
  std::vector<Eigen::Index> baseRow(nGroups, -1);
  if (baseline) {
    Eigen::Index row = 0;
    for (size_t g = 0; g < nGroups; ++g)
      if (P.groups[g].deaths > 0) baseRow[g] = row++;
  }
  // The backward pass in chunks of about kChunk subjects (whole groups): the risk-set and deaths'
  // sums of every covariate down the columns (backwardColumns), the scalar sums, log-likelihood and
  // Efron factors of each group (scalarGroups), then, per group with deaths in the same order,
  // everything built from them (groupTerms).
  constexpr size_t kChunk = 4096;
  Eigen::MatrixXd s1Table(p, 0), t1Table(p, 0);
  Eigen::VectorXd state(p);
  auto* const backward = outOfLine(&backwardColumns);
  ScalarPass S;
  S.r = r.data();
  S.w = P.w.data();
  S.eta = eta.data();
  S.delta = P.delta.data();
  S.groups = P.groups.data();
  S.ties = ties;
  S.factors = factors.data();
  S.atRiskAt = atRiskAt.data();
  auto* const scalar = outOfLine(&scalarGroups);
  GroupTerms T;
  T.p = p;
  T.groups = P.groups.data();
  T.factors = factors.data();
  T.ties = ties;
  T.u = E.u.data();
  if (wantInfo) {
    T.z = z.data();
    T.zRows = zRows;
  }
  T.zCount = &zCount;
  if (baseline) {
    T.baseline = baseline;
    T.baseRow = baseRow.data();
    T.time = P.time.data();
    T.stratumLabel = P.stratumLabel.data();
    T.atRiskAt = atRiskAt.data();
  }
  auto* const terms = outOfLine(&groupTerms);
  for (const auto& [g0, g1] : P.strata) {
    S.s0 = 0;
    S.atRisk = 0;
    state.setZero();
    for (size_t hi = g1; hi > g0;) {
      size_t lo = hi, rows = 0;
      while (lo > g0 && rows < kChunk) {
        --lo;
        rows += P.groups[lo].end - P.groups[lo].begin;
      }
      const Eigen::Index rowLo = static_cast<Eigen::Index>(P.groups[lo].begin);
      const Eigen::Index rowHi = static_cast<Eigen::Index>(P.groups[hi - 1].end);
      for (Eigen::Index j = 0; j < p; j += 4) {
        const double* cols[4];
        const Eigen::Index count = columnQuad(P.xc, j, cols);
        lpKernel(cols, beta.data() + j, count, rowLo, rowHi, eta.data());
      }
      risk(eta.data(), P.w.data(), rowLo, rowHi, r.data());
      if (s1Table.cols() < static_cast<Eigen::Index>(hi - lo)) {
        s1Table.resize(p, static_cast<Eigen::Index>(std::max(hi - lo, kChunk)));
        t1Table.resize(p, s1Table.cols());
      }
      for (Eigen::Index j = 0; j < p; j += 4) {
        const double* cols[4];
        const Eigen::Index count = columnQuad(P.xc, j, cols);
        backward(cols, count, r.data(), P.delta.data(), P.groups.data(), lo, hi, j, p, state.data() + j,
                 s1Table.data(), t1Table.data());
      }
      scalar(&S, lo, hi);
      T.s1 = s1Table.data();
      T.t1 = t1Table.data();
      terms(&T, lo, hi);
      hi = lo;
    }
  }
  E.loglik = S.loglik;
  E.finite = std::isfinite(E.loglik) && E.u.allFinite();
  if (!wantInfo) return E;
  Eigen::VectorXd g(n);
  auto* const weights = outOfLine(&gramWeights);
  for (const auto& [g0, g1] : P.strata) {
    double cumA = 0;
    for (size_t lo = g0; lo < g1; lo += 512)
      weights(P.groups.data(), factors.data(), lo, std::min(g1, lo + 512), r.data(), P.delta.data(), &cumA, g.data());
  }
  E.imat = Eigen::MatrixXd::Zero(p, p);
  addWeightedGramLower(P.xc, g.data(), E.imat);
  Eigen::MatrixXd zz = Eigen::MatrixXd::Zero(p, p);
  addWeightedGramLower(z.topRows(zCount), nullptr, zz);
  E.imat -= zz;
  E.imat = E.imat.selfadjointView<Eigen::Lower>();
  E.finite = E.finite && E.imat.allFinite();
  return E;
}

// evaluate at beta with the baseline hazard there, finished into `baseline`.
Evaluation evaluateWithBaseline(const Prepared& P, const Eigen::VectorXd& beta, Ties ties, bool wantInfo,
                                CoxBaseline& baseline) {
  BaselineCapture capture;
  Evaluation E = evaluate(P, beta, ties, wantInfo, &capture);
  baseline = std::move(capture).finish(P.scale);
  return E;
}

// Efron-aware score residuals in scaled units (R coxscore2.c): for each event time with d deaths
// and sub-steps l, dLambda_l = wbar / den_l and xbar_l = s1_l / den_l; a subject at risk gets
// -r_i sum_l (x_i - xbar_l) dLambda_l, a death at that time gets (x_i - mean_l xbar_l) and its
// hazard term with weight (1 - l/d). Multiplied by the case weight (weighted = TRUE).
Eigen::MatrixXd scoreResidualsScaled(const Prepared& P, const Eigen::VectorXd& beta, Ties ties) {
  const Eigen::Index n = P.n, p = P.p;
  Eigen::VectorXd eta = linearPredictorSorted(P, beta);
  Eigen::VectorXd risk(n), r(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    risk(i) = std::exp(coxsafe(eta(i)));
    r(i) = P.w(i) * risk(i);
  }
  const size_t nGroups = P.groups.size();
  std::vector<double> h(nGroups, 0.0), c(nGroups, 0.0);
  Eigen::MatrixXd hx = Eigen::MatrixXd::Zero(p, static_cast<Eigen::Index>(nGroups));
  Eigen::MatrixXd cx = hx, mx = hx;
  Eigen::VectorXd s1(p), t1(p), xbar(p);
  for (const auto& [g0, g1] : P.strata) {
    double s0 = 0;
    s1.setZero();
    for (size_t g = g1; g-- > g0;) {
      const TimeGroup& G = P.groups[g];
      double t0 = 0, deathWeight = 0;
      t1.setZero();
      for (size_t k = G.begin; k < G.end; ++k) {
        const Eigen::Index i = static_cast<Eigen::Index>(k);
        s0 += r(i);
        s1.noalias() += r(i) * P.xc.row(i).transpose();
        if (P.delta(i) == 1) {
          t0 += r(i);
          t1.noalias() += r(i) * P.xc.row(i).transpose();
          deathWeight += P.w(i);
        }
      }
      if (G.deaths == 0) continue;
      const int d = G.deaths;
      const bool efron = ties == Ties::Efron && d > 1;
      const int steps = efron ? d : 1;
      const Eigen::Index col = static_cast<Eigen::Index>(g);
      for (int l = 0; l < steps; ++l) {
        const double frac = efron ? static_cast<double>(l) / d : 0.0;
        const double den = s0 - frac * t0;
        const double dLambda = (efron ? deathWeight / d : deathWeight) / den;
        xbar = (s1 - frac * t1) / den;
        h[g] += dLambda;
        hx.col(col) += dLambda * xbar;
        c[g] += frac * dLambda;
        cx.col(col) += frac * dLambda * xbar;
        mx.col(col) += xbar / steps;
      }
    }
  }
  Eigen::MatrixXd resid(n, p);
  Eigen::VectorXd cumHX(p);
  for (const auto& [g0, g1] : P.strata) {
    double cumH = 0;
    cumHX.setZero();
    for (size_t g = g0; g < g1; ++g) {
      const TimeGroup& G = P.groups[g];
      const Eigen::Index col = static_cast<Eigen::Index>(g);
      cumH += h[g];
      cumHX += hx.col(col);
      for (size_t k = G.begin; k < G.end; ++k) {
        const Eigen::Index i = static_cast<Eigen::Index>(k);
        const Eigen::VectorXd xi = P.xc.row(i).transpose();
        Eigen::VectorXd ri = -risk(i) * (xi * cumH - cumHX);
        if (P.delta(i) == 1) ri += (xi - mx.col(col)) + risk(i) * (xi * c[g] - cx.col(col));
        resid.row(i) = P.w(i) * ri.transpose();
      }
    }
  }
  return resid;  // rows in sorted order
}

double chiSquareP(double stat, double df) { return df > 0 ? chiSquareUpper(stat, df) : kNaN; }

// beta' V^- beta with R's generalised Cholesky (coxph.wtest).
double waldStatistic(const Eigen::MatrixXd& var, const Eigen::VectorXd& beta, double toler) {
  const Cholesky2 chol(var, toler);
  Eigen::VectorXd b = beta;
  for (Eigen::Index i = 0; i < b.size(); ++i)
    if (!std::isfinite(b(i))) b(i) = 0;
  return b.dot(chol.solve(b));
}

std::string columnLabel(const std::vector<std::string>& names, Eigen::Index j) {
  if (static_cast<size_t>(j) < names.size()) return "'" + names[static_cast<size_t>(j)] + "'";
  return "column " + std::to_string(j + 1);
}

// The C-index is a by-product: when no pair is comparable (e.g. every subject an event at one
// time) it is undefined, but the model still exists. R returns the fit with concordance NaN; do
// the same, with a warning, instead of failing the whole fit with concordance's ModelError.
// `sorted`: the fit's own sort of the subjects, when it is the one concordance needs (timefix on).
void attachConcordance(const SurvivalData& data, CoxFit& fit, const Prepared* sorted = nullptr) {
  try {
    fit.concordance = sorted ? harrellConcordance(data, fit.linearPredictor, true, sorted->order, sorted->time)
                             : harrellConcordance(data, fit.linearPredictor, true);
  } catch (const ModelError&) {
    fit.concordance = Concordance{};
    fit.concordance.c = kNaN;
    fit.warnings.push_back(
        "concordance is undefined (reported as NaN): no pair of subjects is comparable "
        "(no event is followed by a longer follow-up in the same stratum)");
  }
}

// The rotated path (ridge_rotation.hpp) is taken for a ridge fit with more covariates than subjects
// when every penalised quantity is available without p x p algebra: no robust variance (its sandwich
// is p x p), no starting values (the optimum is unique, so they change nothing but the path), and
// every column penalised or constant (a non-constant unpenalised column, which only an underflowing
// SD can give, would leave the penalty non-isotropic).
bool rotationApplies(const Eigen::MatrixXd& x, const CoxOptions& options, const Eigen::VectorXd& penaltyWeights) {
  if (!options.allowRotation || !preferRidgeRotation(x.rows(), x.cols()) || options.robust || options.init.size() != 0) return false;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    if (penaltyWeights(j) > 0 && std::isfinite(penaltyWeights(j))) continue;
    if (x.col(j).maxCoeff() != x.col(j).minCoeff()) return false;
  }
  return true;
}

// Ridge Cox with p > n on the rotated design (ridge_rotation.hpp). The partial likelihood depends on
// the covariates only through differences of x'beta between subjects, so every column is centred at
// its weighted mean for the rotation and divided by sqrt(penalty weight) (the penalty becomes
// (1/2)||u||^2 with u_j = sqrt(pw_j) beta_j). The rotated fit is the same Newton-Raphson with the same
// convergence rule, in r <= n dimensions; its iterates are the direct fit's, rotated (Newton's
// method is invariant under linear reparameterisation and every iterate stays in the row space).
// Kept: coef, model SEs (the exact ridge SEs, diag of (I + P)^-1), the tests, the baseline hazard.
// Not kept (p x p or K x p): var and baseline.xbarHazard, which are left empty, so predictSurvival
// gives S(t) without a confidence interval for such a fit.
CoxFit fitCoxRotated(const SurvivalData& data, const Eigen::MatrixXd& x, const CoxOptions& options, CoxFit fit) {
  const Eigen::Index n = x.rows(), p = x.cols();
  Eigen::VectorXd scale;
  coxCentring(data, x, true, fit.means, scale);
  const Eigen::VectorXd w = data.weight.size() ? Eigen::VectorXd(data.weight) : Eigen::VectorXd::Ones(n);
  const double wsum = w.sum();
  fit.redundant.assign(static_cast<size_t>(p), false);
  Eigen::VectorXd centre(p), invRoot(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    centre(j) = x.col(j).dot(w) / wsum;
    const bool penalised = fit.penaltyWeights(j) > 0 && std::isfinite(fit.penaltyWeights(j));
    invRoot(j) = penalised ? 1.0 / std::sqrt(fit.penaltyWeights(j)) : 0.0;  // constant unpenalised: no information
    if (!penalised) fit.redundant[static_cast<size_t>(j)] = true;
  }
  // Xt' (p x n), filled in 32 x 32 tiles so reads of x and writes of Xt' both stay in cache lines.
  Eigen::MatrixXd xtT(p, n);
  constexpr Eigen::Index kTile = 32;
  for (Eigen::Index i0 = 0; i0 < n; i0 += kTile) {
    const Eigen::Index i1 = std::min(n, i0 + kTile);
    for (Eigen::Index j0 = 0; j0 < p; j0 += kTile) {
      const Eigen::Index j1 = std::min(p, j0 + kTile);
      for (Eigen::Index i = i0; i < i1; ++i)
        for (Eigen::Index j = j0; j < j1; ++j) xtT(j, i) = (x(i, j) - centre(j)) * invRoot(j);
    }
  }
  const RidgeRotation rotation = rotateRidgeDesign(xtT);
  CoxOptions rotated;
  rotated.ties = options.ties;
  rotated.maxIter = options.maxIter;
  rotated.eps = options.eps;
  rotated.tolerChol = options.tolerChol;
  rotated.tolerInf = options.tolerInf;
  rotated.timefix = options.timefix;
  rotated.ridgeTheta = 1;  // the isotropic penalty (1/2)||theta||^2
  const CoxFit z = fitCox(data, rotation.z, rotated);
  Eigen::VectorXd theta = z.coef;
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    if (!std::isfinite(theta(k))) theta(k) = 0;
  const Eigen::VectorXd u = rotateBack(rotation, xtT, theta);
  const Eigen::VectorXd varU = rotatedVarianceDiagonal(rotation, xtT, z.var, 1.0);
  fit.coef.resize(p);
  fit.se.resize(p);
  int redundantCount = 0;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (fit.redundant[static_cast<size_t>(j)]) {
      fit.coef(j) = kNaN;
      fit.se(j) = kNaN;
      ++redundantCount;
      fit.warnings.push_back("covariate " + columnLabel(options.columnNames, j) +
                             " is redundant (constant, or collinear with other covariates); its coefficient is not estimated");
      continue;
    }
    fit.coef(j) = u(j) * invRoot(j);
    fit.se(j) = std::sqrt(varU(j)) * invRoot(j);
  }
  for (const auto& w : z.warnings) fit.warnings.push_back(w);
  fit.iterations = z.iterations;
  fit.converged = z.converged;
  Eigen::VectorXd b = fit.coef;
  for (Eigen::Index j = 0; j < p; ++j)
    if (!std::isfinite(b(j))) b(j) = 0;
  fit.penalty = 0.5 * (fit.penaltyWeights.array() * b.array().square()).sum();
  fit.linearPredictor = (x * b).array() - fit.means.dot(b);
  // Log-likelihoods and the baseline hazard at x = means from the linear predictor alone (a
  // one-column design with coefficient 1), so they follow this fit's centring exactly.
  {
    const Prepared P = prepare(data, Eigen::MatrixXd(fit.linearPredictor), options.timefix, false);
    fit.loglikInit = evaluate(P, Eigen::VectorXd::Zero(1), options.ties, false).loglik;
    fit.loglik = evaluateWithBaseline(P, Eigen::VectorXd::Ones(1), options.ties, false, fit.baseline).loglik;
    fit.baseline.xbarHazard.resize(fit.baseline.time.size(), 0);
  }
  // The score and Wald statistics are invariant under the rotation (u'I^-1 u and beta'V^-1 beta
  // involve beta and the score only through the row space); the df is the direct fit's, the number
  // of estimated coefficients.
  const double rank = static_cast<double>(p - redundantCount);
  fit.lrDf = rank;
  fit.lrTest = 2 * (fit.loglik - fit.loglikInit);
  fit.lrP = chiSquareP(fit.lrTest, rank);
  fit.scoreTest = z.scoreTest;
  fit.scoreP = chiSquareP(fit.scoreTest, rank);
  fit.waldTest = z.waldTest;
  fit.waldP = chiSquareP(fit.waldTest, rank);
  attachConcordance(data, fit);
  return fit;
}

}  // namespace

namespace {

// `owned`: x itself when the caller gives it up (fitCox's rvalue overload); prepare then sorts it in place.
CoxFit fitCoxUnguarded(const SurvivalData& data, const Eigen::MatrixXd& x, const CoxOptions& options,
                       Eigen::MatrixXd* owned) {
  validateSurvivalData(data, "Cox model");
  const Eigen::Index n = data.size(), p = x.cols();
  if (x.rows() != n)
    throw InputError("Cox model: covariates have " + std::to_string(x.rows()) + " rows but time has " +
                     std::to_string(n) + "; give one covariate row per subject");
  if (p == 0) throw InputError("Cox model: no covariates; name at least one covariate column");
  if (n < 2) throw InputError("Cox model: needs at least 2 subjects, got " + std::to_string(n));
  auto* const checkFinite = outOfLine(&checkCovariatesFinite);
  checkFinite(x, options.columnNames);
  int events = 0;  // event is validated to be 0 or 1
  auto* const count = outOfLine(&countEvents);
  for (Eigen::Index i0 = 0; i0 < n; i0 += kKernelRows) events += count(data.event.data(), i0, std::min(n, i0 + kKernelRows));
  if (events == 0)
    throw ModelError(
        "Cox model: there are no events (every subject is censored), so no hazard ratio "
        "can be estimated; check the event column and its coding (1 = event)");
  if (options.maxIter < 0) throw InputError("Cox model: max iterations must be >= 0");
  if (!(options.eps > 0)) throw InputError("Cox model: eps must be > 0");
  if (options.penalizer < 0 || options.ridgeTheta < 0)
    throw InputError("Cox model: the ridge penalty must be >= 0");
  if (options.init.size() != 0 && options.init.size() != p)
    throw InputError("Cox model: init must have one value per covariate (" + std::to_string(p) + ")");

  CoxFit fit;
  fit.n = n;
  fit.p = p;
  fit.events = events;
  fit.ties = options.ties;

  // Ridge penalty weights in original units, then in scaled units (beta_orig = scale * beta_s).
  const bool lifelinesPenalty = options.penalizer > 0;
  fit.theta = lifelinesPenalty ? n * options.penalizer : options.ridgeTheta;
  const bool scalePenalty = lifelinesPenalty || options.ridgeScale;
  fit.penaltyWeights = Eigen::VectorXd::Zero(p);
  if (fit.theta > 0) {
    for (Eigen::Index j = 0; j < p; ++j) {
      double s2 = 1;
      if (scalePenalty) {
        const double mean = x.col(j).mean();
        s2 = (x.col(j).array() - mean).square().sum() / static_cast<double>(n - 1);
      }
      fit.penaltyWeights(j) = fit.theta * s2;
    }
  }
  if (rotationApplies(x, options, fit.penaltyWeights)) return fitCoxRotated(data, x, options, std::move(fit));

  // From here on x is not read (with `owned`, prepare has taken its storage): every pass uses P.
  const Prepared P = prepare(data, x, options.timefix, true, nullptr, owned);
  fit.means = P.means;
  // Unpenalised columns stay exactly 0: for a covariate of tiny magnitude (x ~ 1e-298) scale^2
  // overflows to Inf and 0 * Inf would put NaN into every score and fit.
  Eigen::VectorXd pwScaled = Eigen::VectorXd::Zero(p);
  for (Eigen::Index j = 0; j < p; ++j)
    if (fit.penaltyWeights(j) != 0) pwScaled(j) = fit.penaltyWeights(j) * P.scale(j) * P.scale(j);
  const bool penalised = fit.theta > 0;
  auto penaltyAt = [&](const Eigen::VectorXd& b) { return 0.5 * (pwScaled.array() * b.array().square()).sum(); };
  auto penalise = [&](Evaluation& E, const Eigen::VectorXd& b) {
    E.u.array() -= pwScaled.array() * b.array();
    E.imat.diagonal() += pwScaled;
  };

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  if (options.init.size()) beta = options.init.array() / P.scale.array();
  const double tolerInf = options.tolerInf >= 0 ? options.tolerInf : std::sqrt(options.eps);

  // Newton–Raphson with step-halving and R's convergence rule (docs/methods.md §1).
  Evaluation E = evaluate(P, beta, options.ties, true);
  fit.loglikInit = E.loglik;
  if (!E.finite)
    throw ModelError(
        "Cox model: the log-likelihood is not finite at the initial coefficients; "
        "check init and the scale of the covariates");
  penalise(E, beta);
  double best = E.loglik - penaltyAt(beta);
  Cholesky2 chol(E.imat, options.tolerChol);
  {
    const Eigen::VectorXd step = chol.solve(E.u);
    fit.scoreTest = E.u.dot(step);
  }
  Evaluation last = E;
  Eigen::VectorXd newBeta = beta + chol.solve(E.u);
  int halving = 0;
  fit.converged = options.maxIter == 0;
  int iter = 0;
  for (iter = 1; iter <= options.maxIter; ++iter) {
    // The baseline hazard is captured on every iteration (O(K p), cheap: finished only for the one
    // kept) so that the converged iteration's evaluation serves for it and no extra pass is needed.
    BaselineCapture candidate;
    Evaluation N = evaluate(P, newBeta, options.ties, true, &candidate);
    const double pl = N.loglik - penaltyAt(newBeta);
    const bool finite = N.finite && std::isfinite(pl);
    if (finite && std::fabs(1 - best / pl) <= options.eps) {
      beta = newBeta;
      penalise(N, newBeta);
      last = N;
      best = pl;
      fit.converged = true;
      fit.baseline = std::move(candidate).finish(P.scale);
      if (halving) fit.warnings.push_back("convergence reached during step-halving");
      break;
    }
    if (iter == options.maxIter) break;
    if (!finite || pl < best) {
      ++halving;
      newBeta = (newBeta + halving * beta) / (halving + 1);
    } else {
      halving = 0;
      best = pl;
      beta = newBeta;
      penalise(N, newBeta);
      last = N;
      chol = Cholesky2(last.imat, options.tolerChol);
      newBeta = beta + chol.solve(last.u);
    }
  }
  fit.iterations = std::min(iter, options.maxIter);
  if (!fit.converged) {
    // Ran out of iterations: report the last good coefficients, recomputed there.
    last = evaluateWithBaseline(P, beta, options.ties, true, fit.baseline);
    penalise(last, beta);
    fit.warnings.push_back("Ran out of iterations (" + std::to_string(options.maxIter) +
                           ") and did not converge; raise max iterations or check for separation");
  }
  chol = Cholesky2(last.imat, options.tolerChol);
  fit.redundant = chol.redundant();
  const Eigen::MatrixXd varScaled = chol.inverse();
  fit.var = P.scale.asDiagonal() * varScaled * P.scale.asDiagonal();
  fit.coef = beta.array() * P.scale.array();
  fit.scale = P.scale;
  fit.scaledCoef = beta;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (fit.redundant[static_cast<size_t>(j)]) {
      fit.coef(j) = kNaN;
      fit.warnings.push_back("covariate " + columnLabel(options.columnNames, j) +
                             " is redundant (constant, or collinear with other covariates); its coefficient is not estimated");
    }
  }
  // SEs from the scaled variance: se_j = scale_j * sqrt(V_jj). Same value as sqrt(diag(var)), but
  // var_jj = scale_j^2 V_jj underflows to 0 for a covariate of extreme magnitude (x ~ 1e298 gives
  // var ~ 1e-601), which would report se = 0 although se ~ 1e-301 is representable.
  fit.se = P.scale.array() * varScaled.diagonal().array().sqrt();
  for (Eigen::Index j = 0; j < p; ++j)
    if (fit.redundant[static_cast<size_t>(j)]) fit.se(j) = kNaN;
  fit.loglik = last.loglik;
  fit.penalty = penaltyAt(beta);

  // Infinite-coefficient check (coxph.fit), only for unpenalised fits.
  if (!penalised && options.maxIter > 0) {
    const Eigen::VectorXd uOrig = last.u.array() / P.scale.array();
    // |u' var| in original units = |V u_s| .* scale (u = u_s / scale, var = S V S), computed from the
    // scaled variance so that an over/underflowed var entry (covariates of extreme magnitude) does
    // not turn into Inf * 0 or a spurious "infinite" flag.
    const Eigen::VectorXd infs = ((varScaled * last.u).array() * P.scale.array()).abs().matrix();
    std::vector<std::string> flagged;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (fit.redundant[static_cast<size_t>(j)]) continue;
      if (!std::isfinite(uOrig(j)) || (infs(j) > options.eps && infs(j) > tolerInf * std::fabs(fit.coef(j))))
        flagged.push_back(columnLabel(options.columnNames, j));
    }
    if (!flagged.empty()) {
      std::string list;
      for (size_t k = 0; k < flagged.size(); ++k) list += (k ? ", " : "") + flagged[k];
      fit.warnings.push_back("Loglik converged before variable " + list +
                             "; coefficient may be infinite (monotone likelihood: the covariate nearly "
                             "separates events from non-events)");
    }
  }

  // Tests (df = number of estimated coefficients).
  const double rank = static_cast<double>(chol.rank);
  fit.lrDf = rank;
  fit.lrTest = 2 * (fit.loglik - fit.loglikInit);
  fit.lrP = chiSquareP(fit.lrTest, rank);
  fit.scoreP = chiSquareP(fit.scoreTest, rank);
  // coef' var^- coef is scale-invariant (coef = S beta, var = S V S), so evaluate it in scaled units:
  // with var in original units an underflowed diagonal (see se above) would silently drop a column.
  fit.waldTest = waldStatistic(varScaled, beta, options.tolerChol);
  fit.waldP = chiSquareP(fit.waldTest, rank);

  if (options.robust) {
    const Eigen::MatrixXd resid = scoreResidualsScaled(P, beta, options.ties);
    const Eigen::MatrixXd d = resid * varScaled;
    const Eigen::MatrixXd robustScaled = d.transpose() * d;
    fit.robustVar = P.scale.asDiagonal() * robustScaled * P.scale.asDiagonal();
    // As for the model SEs: scale after the square root, and the Wald test in scaled units.
    fit.robustSe = P.scale.array() * robustScaled.diagonal().array().sqrt();
    for (Eigen::Index j = 0; j < p; ++j)
      if (fit.redundant[static_cast<size_t>(j)]) fit.robustSe(j) = kNaN;
    fit.robustWaldTest = waldStatistic(robustScaled, beta, options.tolerChol);
    fit.robustWaldP = chiSquareP(fit.robustWaldTest, rank);
    // Robust score test at the initial coefficients: U' (sum u_i u_i')^- U.
    Eigen::VectorXd beta0 = Eigen::VectorXd::Zero(p);
    if (options.init.size()) beta0 = options.init.array() / P.scale.array();
    const Eigen::MatrixXd r0 = scoreResidualsScaled(P, beta0, options.ties);
    const Eigen::VectorXd u0 = r0.colwise().sum().transpose();
    const Cholesky2 c0(r0.transpose() * r0, options.tolerChol);
    fit.robustScoreTest = u0.dot(c0.solve(u0));
    fit.robustScoreP = chiSquareP(fit.robustScoreTest, rank);
  }

  // Linear predictor per input row, centred at the means: (x_i - means)' coef = xc_k' beta for the
  // subject in sorted position k, from the sorted, centred, scaled columns, then put back in input
  // order. Redundant columns contribute nothing.
  Eigen::VectorXd b = beta;
  for (Eigen::Index j = 0; j < p; ++j)
    if (!std::isfinite(fit.coef(j))) b(j) = 0;
  const Eigen::VectorXd lpSorted = linearPredictorSorted(P, b);
  fit.linearPredictor.resize(n);
  auto* const scatter = outOfLine(&scatterToInput);
  for (Eigen::Index k0 = 0; k0 < n; k0 += kKernelRows)
    scatter(lpSorted.data(), P.order.data(), k0, std::min(n, k0 + kKernelRows), fit.linearPredictor.data());
  attachConcordance(data, fit, options.timefix ? &P : nullptr);
  if (fit.baseline.time.size() == 0 && P.deathGroups > 0) evaluateWithBaseline(P, beta, options.ties, false, fit.baseline);
  return fit;
}

}  // namespace

CoxBaseline coxBaselineFrom(const SurvivalData& data, const Eigen::MatrixXd& x, const Eigen::VectorXd& means,
                            const Eigen::VectorXd& scale, const Eigen::VectorXd& scaledCoef, Ties ties, bool timefix) {
  const std::pair<Eigen::VectorXd, Eigen::VectorXd> given(means, scale);
  const Prepared P = prepare(data, x, timefix, true, &given);
  CoxBaseline baseline;
  if (P.deathGroups > 0) evaluateWithBaseline(P, scaledCoef, ties, false, baseline);
  return baseline;
}

namespace {

// fitCoxUnguarded with std::bad_alloc as a ModelError (not an internal error), so that callers add
// the modality and the CLI exits 2.
CoxFit fitCoxGuarded(const SurvivalData& data, const Eigen::MatrixXd& x, const CoxOptions& options,
                     Eigen::MatrixXd* owned) {
  const Eigen::Index n = x.rows(), p = x.cols();  // before `owned` gives up its storage
  try {
    return fitCoxUnguarded(data, x, options, owned);
  } catch (const std::bad_alloc&) {
    throw ModelError("Cox model: out of memory for " + std::to_string(p) + " covariates and " + std::to_string(n) +
                     " subjects; use fewer covariates (feature screening, "
                     "elastic-net selection, or a smaller feature set)");
  }
}

}  // namespace

CoxFit fitCox(const SurvivalData& data, const Eigen::MatrixXd& x, const CoxOptions& options) {
  return fitCoxGuarded(data, x, options, nullptr);
}

CoxFit fitCox(const SurvivalData& data, Eigen::MatrixXd&& x, const CoxOptions& options) {
  return fitCoxGuarded(data, x, options, &x);
}

SurvivalPrediction predictSurvival(const CoxFit& fit, const Eigen::VectorXd& x, const Eigen::VectorXd& times,
                                   int stratum, double confLevel) {
  if (x.size() != fit.p)
    throw InputError("predict survival: expected " + std::to_string(fit.p) + " covariate values, got " +
                     std::to_string(x.size()));
  if (!x.allFinite()) throw InputError("predict survival: covariate values must be finite numbers");
  if (!(confLevel > 0 && confLevel < 1)) throw InputError("predict survival: confidence level must be in (0, 1)");
  Eigen::VectorXd b = fit.coef;
  for (Eigen::Index j = 0; j < b.size(); ++j)
    if (!std::isfinite(b(j))) b(j) = 0;
  const Eigen::VectorXd xc = x - fit.means;
  const double risk = std::exp(xc.dot(b));
  const double z = normalQuantile(1 - (1 - confLevel) / 2);
  const CoxBaseline& B = fit.baseline;
  bool stratumSeen = false;
  for (Eigen::Index k = 0; k < B.time.size(); ++k) stratumSeen = stratumSeen || B.stratum(k) == stratum;
  if (!stratumSeen) throw InputError("predict survival: stratum " + std::to_string(stratum) + " has no events in the fitted model");
  // A fit on the rotated path (p > n ridge) keeps no covariance matrix: S(t) without its interval.
  const bool withInterval = fit.var.size() != 0 && B.xbarHazard.cols() == fit.p;
  SurvivalPrediction out;
  const Eigen::Index m = times.size();
  out.time = times;
  out.surv.resize(m);
  out.se.resize(m);
  out.lower.resize(m);
  out.upper.resize(m);
  out.cumhaz.resize(m);
  for (Eigen::Index t = 0; t < m; ++t) {
    if (!std::isfinite(times(t)) || times(t) < 0) throw InputError("predict survival: times must be finite and >= 0");
    double h0 = 0, varh = 0;
    Eigen::VectorXd q = Eigen::VectorXd::Zero(fit.p);
    for (Eigen::Index k = 0; k < B.time.size(); ++k) {
      if (B.stratum(k) != stratum || B.time(k) > times(t)) continue;
      h0 += B.hazard(k);
      varh += B.varHazard(k);
      if (withInterval) q += xc * B.hazard(k) - B.xbarHazard.row(k).transpose();
    }
    for (Eigen::Index j = 0; j < fit.p; ++j)
      if (!std::isfinite(fit.coef(j))) q(j) = 0;
    // q' var q, with each diagonal term as (q_j se_j)^2: for a covariate of extreme magnitude
    // (x ~ 1e298) var_jj underflows to 0 while q_j ~ 1e299 and q_j se_j ~ 1e-2 are representable.
    // Off-diagonal terms are summed as (q_j var_jk) q_k.
    double quad = 0;
    for (Eigen::Index j = 0; withInterval && j < fit.p; ++j) {
      if (q(j) == 0) continue;
      const double qse = fit.se.size() == fit.p ? q(j) * fit.se(j) : q(j) * std::sqrt(fit.var(j, j));
      quad += qse * qse;
      for (Eigen::Index k = 0; k < fit.p; ++k)
        if (k != j && q(k) != 0) quad += (q(j) * fit.var(j, k)) * q(k);
    }
    const double cumhaz = h0 * risk;
    const double seH = withInterval ? risk * std::sqrt(std::max(0.0, varh + quad)) : kNaN;
    out.cumhaz(t) = cumhaz;
    out.surv(t) = std::exp(-cumhaz);
    out.se(t) = out.surv(t) * seH;
    out.lower(t) = out.surv(t) * std::exp(-z * seH);
    out.upper(t) = withInterval ? std::min(1.0, out.surv(t) * std::exp(z * seH)) : kNaN;
  }
  return out;
}

Eigen::MatrixXd coxScoreResiduals(const SurvivalData& data, const Eigen::MatrixXd& x, const Eigen::VectorXd& beta,
                                  Ties ties, bool timefixTimes) {
  validateSurvivalData(data, "score residuals");
  const Prepared P = prepare(data, x, timefixTimes, false);
  const Eigen::MatrixXd sorted = scoreResidualsScaled(P, beta, ties);
  Eigen::MatrixXd out(P.n, P.p);
  for (Eigen::Index k = 0; k < P.n; ++k) out.row(P.order[static_cast<size_t>(k)]) = sorted.row(k);
  return out;
}

std::vector<CoefficientRow> summarizeCoefficients(const CoxFit& fit, bool useRobust, double confLevel) {
  if (useRobust && fit.robustSe.size() != fit.coef.size())
    throw InputError("coefficient summary: robust standard errors were not computed; fit with robust = true");
  if (!(confLevel > 0 && confLevel < 1)) throw InputError("coefficient summary: confidence level must be in (0, 1)");
  const double zq = normalQuantile(1 - (1 - confLevel) / 2);
  std::vector<CoefficientRow> rows;
  for (Eigen::Index j = 0; j < fit.coef.size(); ++j) {
    CoefficientRow r;
    r.coef = fit.coef(j);
    r.se = useRobust ? fit.robustSe(j) : fit.se(j);
    r.hr = std::exp(r.coef);
    r.hrLower = std::exp(r.coef - zq * r.se);
    r.hrUpper = std::exp(r.coef + zq * r.se);
    r.z = r.coef / r.se;
    r.p = 2 * normalUpper(std::fabs(r.z));
    rows.push_back(r);
  }
  return rows;
}

Eigen::MatrixXd survivalAtTimes(const CoxFit& fit, const Eigen::VectorXd& lp, const Eigen::VectorXi& strata,
                                const Eigen::VectorXd& times) {
  if (strata.size() != 0 && strata.size() != lp.size())
    throw InputError("survival predictions: strata must have one value per subject");
  for (Eigen::Index t = 0; t < times.size(); ++t)
    if (!std::isfinite(times(t)) || times(t) < 0) throw InputError("survival predictions: times must be finite and >= 0");
  for (Eigen::Index i = 0; i < lp.size(); ++i)
    if (!std::isfinite(lp(i))) throw InputError("survival predictions: linear predictor is not finite at row " + std::to_string(i + 1));
  // Cumulative baseline hazard at each requested time, per stratum (baseline rows are ascending
  // in time within a stratum).
  const CoxBaseline& B = fit.baseline;
  std::vector<int> labels;
  for (Eigen::Index k = 0; k < B.stratum.size(); ++k)
    if (labels.empty() || labels.back() != B.stratum(k)) labels.push_back(B.stratum(k));
  Eigen::MatrixXd cum(static_cast<Eigen::Index>(labels.size()), times.size());
  for (size_t s = 0; s < labels.size(); ++s) {
    for (Eigen::Index t = 0; t < times.size(); ++t) {
      double h = 0;
      for (Eigen::Index k = 0; k < B.time.size(); ++k)
        if (B.stratum(k) == labels[s] && B.time(k) <= times(t)) h += B.hazard(k);
      cum(static_cast<Eigen::Index>(s), t) = h;
    }
  }
  Eigen::MatrixXd out(lp.size(), times.size());
  for (Eigen::Index i = 0; i < lp.size(); ++i) {
    const int label = strata.size() ? strata(i) : 0;
    const auto it = std::find(labels.begin(), labels.end(), label);
    if (it == labels.end())
      throw InputError("survival predictions: stratum " + std::to_string(label) + " (row " + std::to_string(i + 1) +
                       ") has no events in the fitted model");
    const Eigen::Index s = it - labels.begin();
    const double risk = std::exp(lp(i));
    for (Eigen::Index t = 0; t < times.size(); ++t) out(i, t) = std::exp(-cum(s, t) * risk);
  }
  return out;
}

}  // namespace latefuse
