#include "latefuse/elastic_net.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/linalg.hpp"

namespace latefuse {
namespace {

// glmnet's internal constants (get_int_parms; coxnet1 multiplies sml by 100 and rescales devmax).
constexpr double kFdev = 1e-5 * 100.0;            // minimum relative change of dev.ratio over mnl steps
constexpr double kDevMax = 0.999 * 0.99 / 0.999;  // stop when dev.ratio exceeds this
constexpr double kMinFlmin = 1e-6;                // smallest lambda.min.ratio
constexpr double kBig = 9.9e35;                   // "infinite" lambda of the first path step
constexpr int kMinLambdas = 5;                    // mnlam
constexpr int kAndersonK = 5;                     // Newton solver: passes per Anderson extrapolation
constexpr double kMaxExp = 707.4801278003899;     // exp() argument cap: log(DBL_MAX / 10)

// Dot product with four interleaved accumulators: several times faster than a single running sum
// (instruction-level parallelism and SIMD; WebAssembly gets no SIMD from Eigen 3.4), and the same summation
// order in every build, so native and WebAssembly paths agree bit for bit.
// Written with explicit 2-lane vectors (GCC/Clang vector extensions: SSE2 natively, simd128 in
// WebAssembly, as linalg.cpp): lanes {s0, s1} and {s2, s3}.
typedef double Lanes2 __attribute__((vector_size(16)));
inline Lanes2 load2(const double* p) {
  Lanes2 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store2(double* p, Lanes2 v) { std::memcpy(p, &v, sizeof v); }

inline double dot(const double* a, const double* b, Eigen::Index n) {
  Lanes2 lo = {0, 0}, hi = {0, 0};
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    lo += load2(a + i) * load2(b + i);
    hi += load2(a + i + 2) * load2(b + i + 2);
  }
  double s0 = lo[0];
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + lo[1]) + (hi[0] + hi[1]);
}

// r -= d m, then x' r with dot()'s accumulators (the same bits as the two loops one after the other).
inline double axpyDot(double* r, const double* m, double d, const double* x, Eigen::Index n) {
  Lanes2 lo = {0, 0}, hi = {0, 0};
  const Lanes2 dv = {d, d};
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const Lanes2 r0 = load2(r + i) - dv * load2(m + i), r1 = load2(r + i + 2) - dv * load2(m + i + 2);
    store2(r + i, r0);
    store2(r + i + 2, r1);
    lo += r0 * load2(x + i);
    hi += r1 * load2(x + i + 2);
  }
  double s0 = lo[0];
  for (; i < n; ++i) {
    r[i] -= d * m[i];
    s0 += r[i] * x[i];
  }
  return (s0 + lo[1]) + (hi[0] + hi[1]);
}

// exp and log from + - * / only (fixed polynomials, Horner), so that native and WebAssembly builds
// (glibc vs musl libm, which may differ in the last bit) give bit-identical paths; accurate to a
// few ulp. random.hpp's portableExp/portableLog are the reference versions (series with a data-
// dependent number of terms); these are fixed-degree and several times faster, for the inner loops.
inline double expFixed(double x) {
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.1) return 0;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::floor(x * 1.44269504088896340736 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= ln 2 / 2 (plus rounding)
  // Taylor polynomial of degree 13: truncation < 5e-18 relative for |r| <= 0.35.
  double q = 1.0 / 6227020800.0;  // 1/13!
  q = q * r + 1.0 / 479001600.0;
  q = q * r + 1.0 / 39916800.0;
  q = q * r + 1.0 / 3628800.0;
  q = q * r + 1.0 / 362880.0;
  q = q * r + 1.0 / 40320.0;
  q = q * r + 1.0 / 5040.0;
  q = q * r + 1.0 / 720.0;
  q = q * r + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  q = q * r + 0.5;
  q = q * r * r + r;  // e^r - 1, then + 1 last (keeps small r accurate)
  return std::ldexp(1.0 + q, static_cast<int>(k));
}

inline double logFixed(double x) {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  int e = 0;
  double m = std::frexp(x, &e);  // exact
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  // log m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^25/25), |s| <= 0.1716: truncation < 1e-20.
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double q = 1.0 / 25;
  for (int k = 23; k >= 3; k -= 2) q = q * s2 + 1.0 / k;
  const double series = 2 * s + 2 * s * s2 * q;
  return e * kLn2Hi + (series + e * kLn2Lo);
}

inline double sum(const double* a, Eigen::Index n) {
  double s = 0;
  for (Eigen::Index i = 0; i < n; ++i) s += a[i];
  return s;
}

// eta = x b over the non-zero b_j, columns in order (fixed order: the same bits in every build).
void sparseProduct(const Eigen::MatrixXd& x, const Eigen::Ref<const Eigen::VectorXd>& b, Eigen::VectorXd& eta) {
  eta.setZero(x.rows());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    if (b(j) == 0) continue;
    const double bj = b(j);
    const double* xj = x.col(j).data();
    for (Eigen::Index i = 0; i < x.rows(); ++i) eta(i) += bj * xj[i];
  }
}

std::string columnLabel(const std::vector<std::string>& names, Eigen::Index j) {
  if (static_cast<size_t>(j) < names.size()) return "'" + names[static_cast<size_t>(j)] + "'";
  return "column " + std::to_string(j + 1);
}

// Row order by (time ascending, deaths before censorings at the same time): glmnet adds
// 100 * machine eps to censored times so that a subject censored at t is at risk at t.
std::vector<Eigen::Index> sortRows(const SurvivalData& data) {
  std::vector<Eigen::Index> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    if (data.time(a) != data.time(b)) return data.time(a) < data.time(b);
    return data.event(a) > data.event(b);
  });
  return order;
}

// One coordinate-descent problem: a subset of rows in sorted order, standardised columns.
struct Problem {
  Eigen::Index m = 0, p = 0;
  Eigen::MatrixXd x;                   // m x p, centred (and scaled when standardising), sorted rows
  Eigen::VectorXd xs;                  // column scales (1 without standardisation)
  Eigen::VectorXd q, d, dq;            // normalised weights (sum 1), event, q * d
  std::vector<char> ju;                // column usable (not constant)
  Eigen::Index first = 0;              // first sorted position inside the risk sets (earlier rows: t < t0)
  std::vector<Eigen::Index> groupEnd;  // death group k covers [end_{k-1}, end_k), risk set [start_k, m)
  Eigen::VectorXd dk;                  // death weight per group
};

// glmnet's cstandard + groups + died. `rows` are input row indices in sorted order.
Problem makeProblem(const SurvivalData& data, const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& rows,
                    bool standardize, const char* context) {
  Problem P;
  P.m = static_cast<Eigen::Index>(rows.size());
  P.p = x.cols();
  P.q.resize(P.m);
  P.d.resize(P.m);
  for (Eigen::Index k = 0; k < P.m; ++k) {
    const Eigen::Index i = rows[static_cast<size_t>(k)];
    P.q(k) = data.w(i);
    P.d(k) = data.event(i);
  }
  P.q /= sum(P.q.data(), P.m);
  P.dq = P.q.cwiseProduct(P.d);
  P.x.resize(P.m, P.p);
  P.xs = Eigen::VectorXd::Ones(P.p);
  P.ju.assign(static_cast<size_t>(P.p), 0);
  for (Eigen::Index j = 0; j < P.p; ++j) {
    double* col = P.x.col(j).data();
    for (Eigen::Index k = 0; k < P.m; ++k) col[k] = x(rows[static_cast<size_t>(k)], j);
    bool constant = true;
    for (Eigen::Index k = 1; k < P.m && constant; ++k) constant = col[k] == col[0];
    if (constant) continue;
    P.ju[static_cast<size_t>(j)] = 1;
    const double mean = dot(P.q.data(), col, P.m);
    P.x.col(j).array() -= mean;
    if (standardize) {
      double ss = 0;
      for (Eigen::Index k = 0; k < P.m; ++k) ss += P.q(k) * (col[k] * col[k]);
      P.xs(j) = std::sqrt(ss);
      P.x.col(j) /= P.xs(j);
    }
  }
  // Death groups (glmnet's `groups`): the first event is at sorted position j0; rows before it
  // (censored earlier) are in no risk set. glmnet refuses data whose first event leaves fewer than
  // two further subjects at risk.
  Eigen::Index j0 = 0;
  while (j0 < P.m && P.d(j0) == 0) ++j0;
  if (j0 >= P.m)
    throw ModelError(std::string(context) + ": there are no events (every subject is censored); check the event column (1 = event)");
  if (j0 >= P.m - 2)
    throw ModelError(std::string(context) + ": the first event happens after all but " + std::to_string(P.m - 1 - j0) +
                     " subject(s); the model needs subjects at risk after the first event");
  P.first = j0;
  // Each group starts at a death and runs up to the next death with a later time.
  const auto timeAt = [&](Eigen::Index k) { return data.time(rows[static_cast<size_t>(k)]); };
  double yk = timeAt(j0);
  for (Eigen::Index k = j0 + 1; k < P.m; ++k) {
    if (P.d(k) > 0 && timeAt(k) > yk) {
      P.groupEnd.push_back(k);
      yk = timeAt(k);
    }
  }
  P.groupEnd.push_back(P.m);
  P.dk = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(P.groupEnd.size()));
  Eigen::Index start = j0;
  for (size_t g = 0; g < P.groupEnd.size(); ++g) {
    for (Eigen::Index k = start; k < P.groupEnd[g]; ++k) P.dk(static_cast<Eigen::Index>(g)) += P.dq(k);
    start = P.groupEnd[g];
  }
  return P;
}

// Risk-set sums u_k = sum of e over [start_k, m) (glmnet's usk).
void riskSums(const Problem& P, const Eigen::VectorXd& e, Eigen::VectorXd& u) {
  const Eigen::Index nk = static_cast<Eigen::Index>(P.groupEnd.size());
  u.resize(nk);
  double h = 0;
  for (Eigen::Index g = nk - 1; g >= 0; --g) {
    const Eigen::Index start = g == 0 ? P.first : P.groupEnd[static_cast<size_t>(g - 1)];
    for (Eigen::Index k = P.groupEnd[static_cast<size_t>(g)] - 1; k >= start; --k) h += e(k);
    u(g) = h;
  }
}

// Log partial likelihood (normalised weights): sum dq f - sum dk log u_k (glmnet's `risk`).
double logLik(const Problem& P, const Eigen::VectorXd& f, const Eigen::VectorXd& e, Eigen::VectorXd& u) {
  riskSums(P, e, u);
  double out = dot(P.dq.data(), f.data(), P.m);
  for (Eigen::Index g = 0; g < u.size(); ++g) out -= P.dk(g) * logFixed(u(g));
  return out;
}

// Hessian diagonal w and gradient wr at e (glmnet's `outer`). False when some w_i <= 0.
bool working(const Problem& P, const Eigen::VectorXd& e, Eigen::VectorXd& w, Eigen::VectorXd& wr, Eigen::VectorXd& u) {
  riskSums(P, e, u);
  w.setZero(P.m);
  wr.setZero(P.m);
  double b = 0, c = 0;
  Eigen::Index start = P.first;
  for (size_t g = 0; g < P.groupEnd.size(); ++g) {
    const double ug = u(static_cast<Eigen::Index>(g)), dkg = P.dk(static_cast<Eigen::Index>(g));
    b += dkg / ug;
    c += dkg / (ug * ug);
    for (Eigen::Index k = start; k < P.groupEnd[g]; ++k) {
      w(k) = e(k) * (b - e(k) * c);
      if (!(w(k) > 0)) return false;
      wr(k) = P.dq(k) - e(k) * b;
    }
    start = P.groupEnd[g];
  }
  return true;
}

struct CoxnetResult {
  Eigen::MatrixXd ao;  // p x lmu, standardised units
  std::vector<double> alm, dev;
  double dev0 = 0;  // null deviance / (2 sum w)
  double lambdaMax = 0;
  long nlp = 0;
  std::vector<std::string> warnings;
  Eigen::Index lmu() const { return static_cast<Eigen::Index>(alm.size()); }
};

// The lambda path: glmnet's coxnet1. `ulam` non-empty = user lambdas (flmin >= 1: no early stop).
// With `newton` false each lambda is solved exactly as glmnet (diagonal-Hessian outer steps); with
// `newton` true by proximal Newton steps with the exact Hessian (see solveNewton below). Both share
// the path, the strong rule, the KKT check and the convergence threshold.
CoxnetResult coxnetPath(const Problem& P, double alpha, const Eigen::VectorXd& vp, int nlam, double flmin,
                        const Eigen::VectorXd& ulam, double thresh, long maxit, bool newton) {
  const Eigen::Index m = P.m, p = P.p;
  const bool userLambda = ulam.size() > 0;
  if (userLambda) nlam = static_cast<int>(ulam.size());
  CoxnetResult R;
  R.ao.resize(p, nlam);
  Eigen::VectorXd a = Eigen::VectorXd::Zero(p), as = a, v = a, ga = a;
  Eigen::VectorXd f = Eigen::VectorXd::Zero(m), e = P.q, w, wr, u;
  std::vector<char> ixx(static_cast<size_t>(p), 0);
  std::vector<Eigen::Index> active;
  std::vector<char> isActive(static_cast<size_t>(p), 0);

  const double r0 = logLik(P, f, e, u);
  double lsat = 0;
  for (Eigen::Index g = 0; g < P.dk.size(); ++g) lsat += P.dk(g) * logFixed(P.dk(g));
  const double rr = -(lsat + r0);
  R.dev0 = rr;
  if (!working(P, e, w, wr, u))
    throw ModelError("elastic-net Cox: the null model's Hessian is not positive; too few subjects at risk after the first event");
  double alf = 1;
  if (!userLambda) {
    const double eqs = std::max(kMinFlmin, flmin);
    // glmnet's Fortran writes the exponent as 1.0/(nlam-1) with a single-precision literal, so the
    // exponent is rounded to float; reproduced so the lambdas agree with R to ~1e-15.
    alf = std::pow(eqs, static_cast<double>(1.0f / static_cast<float>(nlam - 1)));
  }
  const int mnl = std::min(kMinLambdas, nlam);
  const double cthr = thresh * rr;
  for (Eigen::Index j = 0; j < p; ++j)
    if (P.ju[static_cast<size_t>(j)]) ga(j) = std::fabs(dot(wr.data(), P.x.col(j).data(), m));

  const double oma = 1 - alpha;
  double al = 0;
  auto markActive = [&](Eigen::Index j) {
    if (!isActive[static_cast<size_t>(j)]) {
      isActive[static_cast<size_t>(j)] = 1;
      active.push_back(j);
    }
  };
  // glmnet's coordinate update on the diagonal-Hessian model; returns the weighted squared change.
  auto update = [&](Eigen::Index j, double sa, double omal) {
    const double uj = a(j) * v(j) + dot(wr.data(), P.x.col(j).data(), m);
    double at = 0;
    if (std::fabs(uj) > vp(j) * sa) at = std::copysign(std::fabs(uj) - vp(j) * sa, uj) / (v(j) + vp(j) * omal);
    if (at == a(j)) return 0.0;
    const double del = at - a(j);
    a(j) = at;
    const double* xj = P.x.col(j).data();
    for (Eigen::Index i = 0; i < m; ++i) {
      wr(i) -= del * w(i) * xj[i];
      f(i) += del * xj[i];
    }
    markActive(j);
    return v(j) * del * del;
  };
  auto truncated = [&](int ilm, const std::string& why) {
    R.warnings.push_back("the lambda path stopped at lambda number " + std::to_string(ilm + 1) + " of " +
                         std::to_string(nlam) + ": " + why + "; results are returned for the larger lambdas");
  };
  const std::string passLimit = "no convergence within " + std::to_string(maxit) + " coordinate passes";
  auto setRisk = [&]() {
    for (Eigen::Index i = 0; i < m; ++i) e(i) = P.q(i) * expFixed(std::copysign(std::min(std::fabs(f(i)), kMaxExp), f(i)));
  };

  // ---- glmnet's outer loop for one lambda ------------------------------------------------------
  // glmnet's KKT check after convergence on the strong set: every excluded column whose |gradient|
  // exceeds sa * vp joins it (and the lambda is solved again); false when none does.
  auto addKktViolators = [&](double sa) {
    bool added = false;
    for (Eigen::Index k = 0; k < p; ++k) {
      if (ixx[static_cast<size_t>(k)] || !P.ju[static_cast<size_t>(k)]) continue;
      ga(k) = std::fabs(dot(wr.data(), P.x.col(k).data(), m));
      if (ga(k) > sa * vp(k)) {
        ixx[static_cast<size_t>(k)] = 1;
        added = true;
      }
    }
    return added;
  };
  auto solveGlmnet = [&](int ilm, double sa, double omal) -> bool {
    for (;;) {
      if (R.nlp > maxit) {
        truncated(ilm, passLimit);
        return false;
      }
      for (Eigen::Index j : active) as(j) = a(j);
      for (Eigen::Index j = 0; j < p; ++j)
        if (ixx[static_cast<size_t>(j)]) {
          const double* xj = P.x.col(j).data();
          double vj = 0;
          for (Eigen::Index i = 0; i < m; ++i) vj += w(i) * (xj[i] * xj[i]);
          v(j) = vj;
        }
      for (;;) {  // coordinate descent on the quadratic approximation
        ++R.nlp;
        double dli = 0;
        for (Eigen::Index j = 0; j < p; ++j)
          if (ixx[static_cast<size_t>(j)]) dli = std::max(dli, update(j, sa, omal));
        if (dli < cthr || R.nlp > maxit) break;
        for (;;) {
          ++R.nlp;
          dli = 0;
          for (Eigen::Index j : active) dli = std::max(dli, update(j, sa, omal));
          if (dli < cthr || R.nlp > maxit) break;
        }
        if (R.nlp > maxit) break;
      }
      if (R.nlp > maxit) {
        truncated(ilm, passLimit);
        return false;
      }
      setRisk();
      if (!working(P, e, w, wr, u)) {
        truncated(ilm, "the Hessian became singular (a subject dominates its risk set; the fit is saturating)");
        return false;
      }
      bool again = false;
      for (Eigen::Index k : active)
        if (v(k) * (a(k) - as(k)) * (a(k) - as(k)) >= cthr) {
          again = true;
          break;
        }
      if (!again) {
        again = addKktViolators(sa);
        if (!again) return true;
      }
    }
  };

  // ---- proximal Newton for one lambda ---------------------------------------------------------
  // The quadratic model uses the exact Hessian of -l in eta, M = diag(e B) - sum_k c_k r_k r_k'
  // (c_k = D_k / S_k^2, r_k = e on the risk set k), applied to a column in O(m) by a suffix sum over
  // risk sets and a prefix sum over event times:
  //   (M x)_i = e_i B_i x_i - e_i sum_{k <= g(i)} c_k T_k,   T_k = sum_{l in R_k} e_l x_l.
  // M x_j is computed once per Newton step for every strong column, so a coordinate update costs
  // two length-m vector operations, as in glmnet, but far fewer outer steps are needed when the
  // diagonal approximation is poor (many variables, near-saturated fits). The step is accepted by
  // backtracking on the penalised objective.
  Eigen::MatrixXd mx;  // m x p, columns of the strong set
  Eigen::VectorXd h = Eigen::VectorXd::Zero(p), rho(m), fNew(m), eNew(m), aStart(p), step(m);
  const Eigen::Index nk = P.dk.size();
  if (newton) mx.resize(m, p);
  auto penalty = [&](const Eigen::VectorXd& b, double sa, double omal) {
    double out = 0;
    for (Eigen::Index j = 0; j < p; ++j) out += vp(j) * (0.5 * omal * b(j) * b(j) + sa * std::fabs(b(j)));
    return out;
  };
  // Per Newton step: row-wise constants rowB_i = B_{g(i)} and rowC_i = c_g at the first row of
  // death group g (0 elsewhere), so that for each strong column one backward running sum gives
  // cs_i = sum_{l >= i} e_l x_l (T_g = cs at the group's first row) and one forward running sum
  // gives pc_i = sum_{g' <= g(i)} c_g' T_g'. Four columns are done together: the running sums are
  // serial chains, and four independent chains keep the processor busy. Same additions in the
  // same order as a per-group loop.
  Eigen::VectorXd rowB = Eigen::VectorXd::Zero(m), rowC = Eigen::VectorXd::Zero(m);
  std::vector<Eigen::Index> strongList;
  Eigen::VectorXd pad(m);
  auto hessianColumns = [&]() {
    riskSums(P, e, u);
    double b = 0;
    Eigen::Index start = P.first;
    for (Eigen::Index g = 0; g < nk; ++g) {
      b += P.dk(g) / u(g);
      const Eigen::Index end = P.groupEnd[static_cast<size_t>(g)];
      for (Eigen::Index k = start; k < end; ++k) rowB(k) = b;
      rowC(start) = P.dk(g) / (u(g) * u(g));
      start = end;
    }
    strongList.clear();
    for (Eigen::Index j = 0; j < p; ++j)
      if (ixx[static_cast<size_t>(j)]) strongList.push_back(j);
    const double* ep = e.data();
    const double* rb = rowB.data();
    const double* rc = rowC.data();
    const Eigen::Index first = P.first;
    constexpr int kW = 4;
    for (size_t s0 = 0; s0 < strongList.size(); s0 += kW) {
      const int w = static_cast<int>(std::min<size_t>(kW, strongList.size() - s0));
      const double* xs[kW];
      double* os[kW];
      for (int c = 0; c < kW; ++c) {  // a short last block pads with a copy written to scratch
        const Eigen::Index j = strongList[s0 + static_cast<size_t>(std::min(c, w - 1))];
        xs[c] = P.x.col(j).data();
        os[c] = c < w ? mx.col(j).data() : pad.data();
      }
      double acc[kW] = {0, 0, 0, 0};
      for (Eigen::Index k = m - 1; k >= first; --k)
        for (int c = 0; c < kW; ++c) {
          acc[c] += ep[k] * xs[c][k];
          os[c][k] = acc[c];
        }
      double pc[kW] = {0, 0, 0, 0};
      for (Eigen::Index k = first; k < m; ++k)
        for (int c = 0; c < kW; ++c) {
          pc[c] += rc[k] * os[c][k];
          os[c][k] = ep[k] * (rb[k] * xs[c][k] - pc[c]);
        }
      for (int c = 0; c < w; ++c) {
        for (Eigen::Index k = 0; k < first; ++k) os[c][k] = 0;
        h(strongList[s0 + static_cast<size_t>(c)]) = dot(xs[c], os[c], m);
      }
    }
  };
  // One coordinate pass over `list`. The update of beta_j changes rho by -del M x_j; that update is
  // fused with the next coordinate's dot product x_j' rho (one sweep over rho instead of two; the
  // dot keeps dot()'s four accumulators, so the result is the same as separate loops).
  auto passNewton = [&](const std::vector<Eigen::Index>& list, double sa, double omal) {
    double dli = 0;
    double* r = rho.data();
    const double* pendingM = nullptr;
    double pendingDel = 0;
    for (Eigen::Index j : list) {
      const double* xj = P.x.col(j).data();
      double g;
      if (pendingM) {
        g = axpyDot(r, pendingM, pendingDel, xj, m);
        pendingM = nullptr;
      } else {
        g = dot(r, xj, m);
      }
      const double uj = a(j) * h(j) + g;
      const double den = h(j) + vp(j) * omal;
      double at = 0;
      if (std::fabs(uj) > vp(j) * sa && den > 0) at = std::copysign(std::fabs(uj) - vp(j) * sa, uj) / den;
      if (at == a(j)) continue;
      const double del = at - a(j);
      a(j) = at;
      pendingM = mx.col(j).data();
      pendingDel = del;
      markActive(j);
      dli = std::max(dli, h(j) * del * del);
    }
    if (pendingM)
      for (Eigen::Index i = 0; i < m; ++i) r[i] -= pendingDel * pendingM[i];
    return dli;
  };
  // Anderson acceleration of the coordinate passes (Bertrand & Massias 2021, AISTATS, "Anderson
  // acceleration of coordinate descent"): when the quadratic model is ill-conditioned (p > n, many
  // active variables, small lambdas) coordinate descent needs hundreds of passes. Every
  // kAndersonK active passes the last kAndersonK + 1 iterates a^(0..K) over the active set are
  // extrapolated, a_e = sum_k c_k a^(k) with c = (U'U)^{-1} 1 / 1'(U'U)^{-1} 1 and U the successive
  // differences, and a_e is kept only when it lowers the model objective
  //   F(a + D) - F(a) = -rho' X D + (X D)' M (X D) / 2 + penalty(a + D) - penalty(a),
  // (rho = the model's residual at a), so every accepted step is a descent step and coordinate
  // descent resumes from it. The coefficients that are 0 in all K + 1 iterates stay 0.
  Eigen::MatrixXd hist(0, kAndersonK + 1);
  std::vector<Eigen::Index> inner;  // the coordinates of the inner passes: the non-zero active ones
  Eigen::VectorXd xd(m), mxd(m), delta;
  Eigen::MatrixXd uu(kAndersonK, kAndersonK);
  auto snapshot = [&](int slot) {
    const Eigen::Index na = static_cast<Eigen::Index>(inner.size());
    if (hist.rows() != na) hist.resize(na, kAndersonK + 1);
    for (Eigen::Index k = 0; k < na; ++k) hist(k, slot) = a(inner[static_cast<size_t>(k)]);
  };
  auto anderson = [&](double sa, double omal) {
    const Eigen::Index na = static_cast<Eigen::Index>(inner.size());
    for (int r = 0; r < kAndersonK; ++r)
      for (int c = 0; c <= r; ++c) {
        double sum = 0;
        for (Eigen::Index k = 0; k < na; ++k)
          sum += (hist(k, r + 1) - hist(k, r)) * (hist(k, c + 1) - hist(k, c));
        uu(r, c) = uu(c, r) = sum;
      }
    double scale = 0;
    for (int r = 0; r < kAndersonK; ++r) scale += uu(r, r);
    if (!(scale > 0) || !std::isfinite(scale)) return;
    for (int r = 0; r < kAndersonK; ++r) uu(r, r) += 1e-10 * scale;  // U'U is often nearly singular
    const Cholesky2 chol(uu, 1e-13);
    Eigen::VectorXd z = chol.solve(Eigen::VectorXd::Ones(kAndersonK));
    const double zs = sum(z.data(), kAndersonK);
    if (!(std::fabs(zs) > 0) || !z.allFinite()) return;
    z /= zs;
    delta.resize(na);
    xd.setZero();
    mxd.setZero();
    double penNow = 0, penNew = 0;
    for (Eigen::Index k = 0; k < na; ++k) {
      double ae = 0;
      for (int r = 0; r < kAndersonK; ++r) ae += z(r) * hist(k, r + 1);
      const Eigen::Index j = inner[static_cast<size_t>(k)];
      delta(k) = ae - a(j);
      penNow += vp(j) * (0.5 * omal * a(j) * a(j) + sa * std::fabs(a(j)));
      penNew += vp(j) * (0.5 * omal * ae * ae + sa * std::fabs(ae));
      if (delta(k) == 0) continue;
      const double* xj = P.x.col(j).data();
      const double* mj = mx.col(j).data();
      const double dk = delta(k);
      for (Eigen::Index i = 0; i < m; ++i) {
        xd(i) += dk * xj[i];
        mxd(i) += dk * mj[i];
      }
    }
    const double change = -dot(rho.data(), xd.data(), m) + 0.5 * dot(xd.data(), mxd.data(), m) + penNew - penNow;
    if (!(change < 0)) return;
    for (Eigen::Index k = 0; k < na; ++k) a(inner[static_cast<size_t>(k)]) += delta(k);
    rho -= mxd;
  };
  auto solveNewton = [&](int ilm, double sa, double omal) -> bool {
    double loglik = logLik(P, f, e, u);
    for (;;) {
      if (R.nlp > maxit) {
        truncated(ilm, passLimit);
        return false;
      }
      hessianColumns();
      aStart = a;
      rho = wr;
      for (;;) {
        ++R.nlp;
        double dli = passNewton(strongList, sa, omal);
        if (dli < cthr || R.nlp > maxit) break;
        // Inner passes visit the non-zero coefficients only (a zero one that should move is caught
        // by the next pass over the strong set, which ends every round).
        inner.clear();
        for (Eigen::Index j : active)
          if (a(j) != 0) inner.push_back(j);
        snapshot(0);
        for (int slot = 1;; ++slot) {
          ++R.nlp;
          dli = passNewton(inner, sa, omal);
          if (dli < cthr || R.nlp > maxit) break;
          snapshot(slot);
          if (slot == kAndersonK) {
            anderson(sa, omal);
            snapshot(0);
            slot = 0;
          }
        }
        if (R.nlp > maxit) break;
      }
      if (R.nlp > maxit) {
        truncated(ilm, passLimit);
        return false;
      }
      // Newton direction in eta, then backtracking until the penalised objective does not increase.
      step.setZero();
      double moved = 0;
      for (Eigen::Index j : active) {
        const double dj = a(j) - aStart(j);
        if (dj == 0) continue;
        step.noalias() += dj * P.x.col(j);
        moved = std::max(moved, h(j) * dj * dj);
      }
      const double objOld = -loglik + penalty(aStart, sa, omal);
      double t = 1;
      bool accepted = false;
      for (int halving = 0; halving < 40 && moved > 0; ++halving) {
        fNew = f + t * step;
        for (Eigen::Index i = 0; i < m; ++i)
          eNew(i) = P.q(i) * expFixed(std::copysign(std::min(std::fabs(fNew(i)), kMaxExp), fNew(i)));
        const double llNew = logLik(P, fNew, eNew, u);
        const Eigen::VectorXd aTry = aStart + t * (a - aStart);
        if (std::isfinite(llNew) && -llNew + penalty(aTry, sa, omal) <= objOld + 1e-13 * std::fabs(objOld)) {
          a = aTry;
          f.swap(fNew);
          e.swap(eNew);
          loglik = llNew;
          accepted = true;
          break;
        }
        t *= 0.5;
      }
      if (!accepted) a = aStart;  // no descent left at this precision: converged
      working(P, e, w, wr, u);    // gradient wr at the new point (w unused here)
      bool again = accepted && t * t * moved >= cthr;
      if (!again) {
        again = addKktViolators(sa);
        if (!again) return true;
      }
    }
  };

  for (int ilm = 0; ilm < nlam; ++ilm) {
    double al0 = al;
    if (userLambda) al = ulam(ilm);
    else if (ilm > 1) al *= alf;
    else if (ilm == 0) al = kBig;
    else {
      al0 = 0;
      for (Eigen::Index j = 0; j < p; ++j)
        if (P.ju[static_cast<size_t>(j)] && vp(j) > 0) al0 = std::max(al0, ga(j) / vp(j));
      al0 /= std::max(alpha, 1e-3);
      R.lambdaMax = al0;
      al = alf * al0;
    }
    const double sa = alpha * al, omal = oma * al, tlam = alpha * (2 * al - al0);
    for (Eigen::Index k = 0; k < p; ++k)
      if (!ixx[static_cast<size_t>(k)] && P.ju[static_cast<size_t>(k)] && ga(k) > tlam * vp(k)) ixx[static_cast<size_t>(k)] = 1;
    if (!(newton ? solveNewton(ilm, sa, omal) : solveGlmnet(ilm, sa, omal))) break;
    R.ao.col(ilm) = a;
    R.alm.push_back(al);
    R.dev.push_back((logLik(P, f, e, u) - r0) / rr);
    if (ilm + 1 < mnl || userLambda) continue;
    const double dv = R.dev[static_cast<size_t>(ilm)];
    if ((dv - R.dev[static_cast<size_t>(ilm - mnl + 1)]) / dv < kFdev) break;
    if (dv > kDevMax) break;
  }
  R.ao.conservativeResize(p, R.lmu());
  return R;
}

Eigen::VectorXd normalisedPenaltyFactor(const ElasticNetOptions& o, Eigen::Index p) {
  Eigen::VectorXd vp = o.penaltyFactor.size() ? o.penaltyFactor : Eigen::VectorXd::Ones(p);
  if (vp.size() != p)
    throw InputError("elastic-net Cox: penalty factors have " + std::to_string(vp.size()) + " values but there are " +
                     std::to_string(p) + " columns; give one per column");
  for (Eigen::Index j = 0; j < p; ++j)
    if (!std::isfinite(vp(j)) || vp(j) < 0)
      throw InputError("elastic-net Cox: the penalty factor of " + columnLabel(o.columnNames, j) +
                       " must be a finite number >= 0");
  if (vp.maxCoeff() <= 0) throw InputError("elastic-net Cox: all penalty factors are 0; at least one column must be penalised");
  return vp * (static_cast<double>(p) / sum(vp.data(), p));
}

void validate(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetOptions& o) {
  validateSurvivalData(data, "elastic-net Cox");
  const Eigen::Index n = data.size(), p = x.cols();
  if (data.stratified()) throw InputError("elastic-net Cox: strata are not supported; fit each stratum separately or add it as a covariate");
  if (x.rows() != n)
    throw InputError("elastic-net Cox: covariates have " + std::to_string(x.rows()) + " rows but time has " +
                     std::to_string(n) + "; give one covariate row per subject");
  if (p == 0) throw InputError("elastic-net Cox: no covariates; give at least one covariate column");
  if (n < 3) throw InputError("elastic-net Cox: needs at least 3 subjects, got " + std::to_string(n));
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i)
      if (!std::isfinite(x(i, j)))
        throw InputError("elastic-net Cox: covariate " + columnLabel(o.columnNames, j) + " is not a finite number at row " +
                         std::to_string(i + 1) + "; impute or remove missing values first");
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw InputError("elastic-net Cox: alpha must be in [0, 1] (1 = lasso, 0 = ridge)");
  if (!(o.thresh > 0)) throw InputError("elastic-net Cox: thresh must be > 0");
  if (o.maxPasses < 1) throw InputError("elastic-net Cox: the pass limit must be >= 1");
  if (o.lambda.size() == 0) {
    if (o.nLambda < 3) throw InputError("elastic-net Cox: the path needs at least 3 lambdas, got " + std::to_string(o.nLambda));
    if (!(o.lambdaMinRatio >= 0 && o.lambdaMinRatio < 1))
      throw InputError("elastic-net Cox: lambda.min.ratio must be in (0, 1) (0 = default)");
  } else {
    for (Eigen::Index k = 0; k < o.lambda.size(); ++k) {
      if (!(std::isfinite(o.lambda(k)) && o.lambda(k) >= 0))
        throw InputError("elastic-net Cox: lambda number " + std::to_string(k + 1) + " must be a finite number >= 0");
      if (k > 0 && !(o.lambda(k) < o.lambda(k - 1)))
        throw InputError("elastic-net Cox: the lambda sequence must be strictly decreasing (number " + std::to_string(k + 1) + ")");
    }
  }
}

ElasticNetPath runPath(const SurvivalData& data, const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& rows,
                       const ElasticNetOptions& o, const Eigen::VectorXd& vp, const Eigen::VectorXd& lambda,
                       const char* context) {
  const Problem P = makeProblem(data, x, rows, o.standardize, context);
  if (std::none_of(P.ju.begin(), P.ju.end(), [](char c) { return c != 0; }))
    throw InputError(std::string(context) + ": every covariate is constant; nothing to fit");
  double flmin = o.lambdaMinRatio;
  if (flmin == 0) flmin = P.m < P.p ? 1e-2 : 1e-4;
  const CoxnetResult R = coxnetPath(P, o.alpha, vp, o.nLambda, flmin, lambda, o.thresh, o.maxPasses,
                                    o.solver == ElasticNetSolver::Newton);
  ElasticNetPath out;
  out.alpha = o.alpha;
  out.standardize = o.standardize;
  out.passes = R.nlp;
  out.warnings = R.warnings;
  double sw = 0;
  for (Eigen::Index i : rows) sw += data.w(i);
  out.nullDeviance = 2 * sw * R.dev0;
  const Eigen::Index lmu = R.lmu();
  if (lmu == 0) throw ModelError(std::string(context) + ": no lambda could be fitted: " + (R.warnings.empty() ? "" : R.warnings.front()));
  out.lambda = Eigen::Map<const Eigen::VectorXd>(R.alm.data(), lmu);
  if (lambda.size() == 0) {
    // glmnet fits the first step at an "infinite" lambda and reports lambda_1 by extrapolating the
    // geometric sequence (fix.lam): exp(2 log lambda_2 - log lambda_3), which is lambda_max.
    out.lambda(0) = lmu > 2 ? expFixed(2 * logFixed(out.lambda(1)) - logFixed(out.lambda(2))) : R.lambdaMax;
  }
  out.devRatio = Eigen::Map<const Eigen::VectorXd>(R.dev.data(), lmu);
  out.beta = R.ao;
  for (Eigen::Index j = 0; j < P.p; ++j) out.beta.row(j) /= P.xs(j);
  out.df.resize(lmu);
  for (Eigen::Index k = 0; k < lmu; ++k) out.df(k) = static_cast<int>((out.beta.col(k).array() != 0).count());
  return out;
}

// Deviance 2 (lsat - l) of the rows with include[row] (all when empty), weights rescaled to sum to
// their count; `order` sorts all rows by (time, deaths first).
double devianceSorted(const SurvivalData& data, const std::vector<Eigen::Index>& order, const Eigen::VectorXd& eta,
                      const std::vector<char>& include) {
  double sw = 0, count = 0, shift = 0;
  for (Eigen::Index i : order) {
    if (!include.empty() && !include[static_cast<size_t>(i)]) continue;
    sw += data.w(i);
    count += 1;
    shift += data.w(i) * eta(i);
  }
  if (count == 0) return 0;
  shift /= sw;  // centre eta (as glmnet's loglike) so exp() stays in range
  const double scale = count / sw;
  double s0 = 0, loglik = 0, lsat = 0;
  size_t k = order.size();
  while (k > 0) {
    const double t = data.time(order[k - 1]);
    double deathW = 0, deathEta = 0;
    while (k > 0 && data.time(order[k - 1]) == t) {
      const Eigen::Index i = order[--k];
      if (!include.empty() && !include[static_cast<size_t>(i)]) continue;
      const double wi = data.w(i) * scale, ei = eta(i) - shift;
      s0 += wi * expFixed(std::copysign(std::min(std::fabs(ei), kMaxExp), ei));
      if (data.event(i) == 1) {
        deathW += wi;
        deathEta += wi * ei;
      }
    }
    if (deathW > 0) {
      loglik += deathEta - deathW * logFixed(s0);
      lsat -= deathW * logFixed(deathW);
    }
  }
  return 2 * (lsat - loglik);
}

}  // namespace

Eigen::VectorXd ElasticNetPath::linearPredictor(const Eigen::MatrixXd& x, Eigen::Index k) const {
  if (k < 0 || k >= beta.cols())
    throw InputError("elastic-net Cox: path position " + std::to_string(k) + " is outside the path (0.." +
                     std::to_string(beta.cols() - 1) + ")");
  if (x.cols() != beta.rows())
    throw InputError("elastic-net Cox: expected " + std::to_string(beta.rows()) + " covariate columns, got " + std::to_string(x.cols()));
  Eigen::VectorXd eta(x.rows());
  sparseProduct(x, beta.col(k), eta);
  return eta;
}

ElasticNetPath fitElasticNetCox(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetOptions& options) {
  validate(data, x, options);
  const Eigen::VectorXd vp = normalisedPenaltyFactor(options, x.cols());
  return runPath(data, x, sortRows(data), options, vp, options.lambda, "elastic-net Cox");
}

Eigen::VectorXd interpolateCoefficients(const ElasticNetPath& path, double s) {
  const Eigen::Index k = path.lambda.size();
  if (k == 0) throw InputError("elastic-net Cox: the path is empty");
  if (!std::isfinite(s) || s < 0) throw InputError("elastic-net Cox: lambda must be a finite number >= 0");
  if (k == 1) return path.beta.col(0);
  // glmnet's lambda.interp: position on the path in "fraction" units, clamped to the ends.
  const double l0 = path.lambda(0), lk = path.lambda(k - 1);
  const double frac = std::min(1.0, std::max(0.0, (l0 - s) / (l0 - lk)));
  Eigen::Index right = 1;
  while (right < k - 1 && (l0 - path.lambda(right)) / (l0 - lk) < frac) ++right;
  const Eigen::Index left = right - 1;
  const double fl = (l0 - path.lambda(left)) / (l0 - lk), fr = (l0 - path.lambda(right)) / (l0 - lk);
  const double wLeft = fr == fl ? 1.0 : (fr - frac) / (fr - fl);
  return wLeft * path.beta.col(left) + (1 - wLeft) * path.beta.col(right);
}

double coxnetDeviance(const SurvivalData& data, const Eigen::VectorXd& eta) {
  validateSurvivalData(data, "Cox deviance");
  if (eta.size() != data.size())
    throw InputError("Cox deviance: the linear predictor has " + std::to_string(eta.size()) + " values but there are " +
                     std::to_string(data.size()) + " subjects");
  if (!eta.allFinite()) throw InputError("Cox deviance: the linear predictor must be finite");
  return devianceSorted(data, sortRows(data), eta, {});
}

ElasticNetCv cvElasticNetCox(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetOptions& options,
                             const ElasticNetCvOptions& cv) {
  validate(data, x, options);
  const Eigen::Index n = data.size();
  const Eigen::VectorXd vp = normalisedPenaltyFactor(options, x.cols());
  const std::vector<Eigen::Index> order = sortRows(data);  // sorted once; every fold reuses it

  ElasticNetCv out;
  out.grouped = cv.grouped;
  int folds = 0;
  if (cv.foldId.size()) {
    folds = checkFolds(cv.foldId, n);
    out.foldId = cv.foldId;
  } else {
    out.foldId = cv.stratified ? assignFoldsStratified(data.event, cv.folds, cv.seed) : assignFolds(n, cv.folds, cv.seed);
    folds = cv.folds;
  }
  out.foldWeight = Eigen::VectorXd::Zero(folds);
  for (Eigen::Index i = 0; i < n; ++i) out.foldWeight(out.foldId(i)) += data.w(i) * data.event(i);
  for (int k = 0; k < folds; ++k)
    if (!(out.foldWeight(k) > 0))
      throw ModelError("elastic-net Cox cross-validation: fold " + std::to_string(k + 1) + " of " + std::to_string(folds) +
                       " has no events, so its deviance is undefined; use fewer folds (at most the number of events)");

  out.fit = runPath(data, x, order, options, vp, options.lambda, "elastic-net Cox");
  const Eigen::VectorXd& lambda = out.fit.lambda;
  const Eigen::Index nl = lambda.size();
  out.cvraw.resize(folds, nl);
  for (int k = 0; k < folds; ++k) {
    std::vector<Eigen::Index> rows;
    std::vector<char> inFold(static_cast<size_t>(n), 0), outFold(static_cast<size_t>(n), 0);
    for (Eigen::Index i : order) {
      if (out.foldId(i) == k) inFold[static_cast<size_t>(i)] = 1;
      else {
        rows.push_back(i);
        outFold[static_cast<size_t>(i)] = 1;
      }
    }
    const std::string context = "elastic-net Cox cross-validation (fit without fold " + std::to_string(k + 1) + ")";
    const ElasticNetPath fk = runPath(data, x, rows, options, vp, lambda, context.c_str());
    for (const auto& wmsg : fk.warnings) out.warnings.push_back("fold " + std::to_string(k + 1) + ": " + wmsg);
    const Eigen::Index lk = fk.lambda.size();
    Eigen::VectorXd e(n);
    for (Eigen::Index l = 0; l < lk; ++l) {
      sparseProduct(x, fk.beta.col(l), e);  // all rows
      double raw;
      if (cv.grouped) raw = devianceSorted(data, order, e, {}) - devianceSorted(data, order, e, outFold);
      else raw = devianceSorted(data, order, e, inFold);
      out.cvraw(k, l) = raw / out.foldWeight(k);
    }
    // A fold path that stopped early: its last fit stands for the smaller lambdas (cv.glmnet).
    for (Eigen::Index l = lk; l < nl; ++l) out.cvraw(k, l) = out.cvraw(k, lk - 1);
  }
  // Fixed-order sums (no Eigen reductions), so native and WebAssembly agree bit for bit.
  const double wsum = sum(out.foldWeight.data(), folds);
  out.cvm.resize(nl);
  out.cvsd.resize(nl);
  for (Eigen::Index l = 0; l < nl; ++l) {
    double m = 0;
    for (int k = 0; k < folds; ++k) m += out.foldWeight(k) * out.cvraw(k, l);
    out.cvm(l) = m / wsum;
    double ss = 0;
    for (int k = 0; k < folds; ++k) ss += out.foldWeight(k) * ((out.cvraw(k, l) - out.cvm(l)) * (out.cvraw(k, l) - out.cvm(l)));
    out.cvsd(l) = std::sqrt(ss / wsum / (folds - 1));
  }
  // glmnet's getOptcv: ties go to the largest lambda (the first on the decreasing path).
  const double cvmin = out.cvm.minCoeff();
  out.indexMin = 0;
  while (!(out.cvm(out.indexMin) <= cvmin)) ++out.indexMin;
  const double semin = out.cvm(out.indexMin) + out.cvsd(out.indexMin);
  out.index1se = 0;
  while (!(out.cvm(out.index1se) <= semin)) ++out.index1se;
  out.lambdaMin = lambda(out.indexMin);
  out.lambda1se = lambda(out.index1se);
  out.indexChosen = cv.rule == LambdaRule::Min ? out.indexMin : out.index1se;
  out.lambdaChosen = lambda(out.indexChosen);
  return out;
}

}  // namespace latefuse
