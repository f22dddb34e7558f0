#include "latefuse/concordance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "latefuse/error.hpp"
#include "latefuse/fenwick.hpp"
#include "latefuse/linalg.hpp"
#include "latefuse/ordering.hpp"

namespace latefuse {

namespace {

// The loops over all subjects run as kernels over blocks of kBlock subjects, called through
// outOfLine (linalg.hpp), so that a first call in a fresh WebAssembly module runs optimised code
// after the first blocks instead of running every loop of this once-called function in baseline code.
constexpr size_t kBlock = 16384;

// Dense ranks over positions [k0, k1) of the score order (exact ties share a rank); *next is the
// rank of the previous position, carried from block to block.
void denseRanks(const double* score, const Eigen::Index* byScore, size_t k0, size_t k1, size_t* next,
                size_t* rank) {
  size_t r = *next;
  for (size_t k = k0; k < k1; ++k) {
    if (k > 0 && score[byScore[k]] != score[byScore[k - 1]]) ++r;
    rank[static_cast<size_t>(byScore[k])] = r;
  }
  *next = r;
}

// Rank, weight, death and stratum of sorted positions [k0, k1).
void sortedLayout(const Eigen::Index* order, const size_t* rank, const double* weight, const double* event,
                  const int* strata, size_t k0, size_t k1, size_t* rk, double* wt, unsigned char* dead, int* st) {
  for (size_t k = k0; k < k1; ++k) {
    const Eigen::Index i = order[k];
    rk[k] = rank[static_cast<size_t>(i)];
    wt[k] = weight ? weight[i] : 1.0;
    dead[k] = event[i] == 1;
    st[k] = strata ? strata[i] : 0;
  }
}

// The first sorted position of the stratum that ends at `end` (exclusive).
size_t stratumStart(const int* st, size_t end) {
  size_t start = end;
  while (start > 0 && st[start - 1] == st[end - 1]) --start;
  return start;
}

// The pair walk's state: the subjects in sorted order, the weights at risk by score rank (a Fenwick
// tree for "how much weight scores below r", plus the weight at exactly rank r and the running
// total, so each event needs one tree query) and the counts so far.
struct Walk {
  explicit Walk(size_t nRanks) : tree(nRanks), atRank(nRanks, 0.0) {}
  std::vector<size_t> rk;
  std::vector<double> wt;
  std::vector<unsigned char> dead;
  const double* time = nullptr;
  bool higherIsRisk = true;
  Fenwick tree;
  std::vector<double> atRank;
  double total = 0;
  std::vector<size_t> inTree;  // sorted positions, to clear the tree between strata
  std::vector<size_t> deaths;  // sorted positions
  Concordance out;

  void insert(size_t i) {
    const size_t r = rk[i];
    const double w = wt[i];
    tree.add(r, w);
    atRank[r] += w;
    total += w;
    inTree.push_back(i);
  }
};

// The tied-time groups of one stratum (positions [start, hi)) from the latest time down, until a
// group starts at or below `stop`; returns where the walk stopped (the next group's end).
size_t walkGroups(Walk* W, size_t start, size_t hi, size_t stop) {
  Concordance& out = W->out;
  const std::vector<size_t>& rk = W->rk;
  const std::vector<double>& wt = W->wt;
  while (hi > start && hi > stop) {
    size_t lo = hi;
    const double t = W->time[hi - 1];
    while (lo > start && W->time[lo - 1] == t) --lo;
    // Censored at t are at risk for the deaths at t.
    for (size_t k = lo; k < hi; ++k)
      if (!W->dead[k]) W->insert(k);
    double deathW = 0, deathW2 = 0;
    W->deaths.clear();
    for (size_t k = lo; k < hi; ++k) {
      if (!W->dead[k]) continue;
      W->deaths.push_back(k);
      const size_t r = rk[k];
      const double below = W->tree.prefix(r), equal = W->atRank[r];
      const double above = W->total - below - equal;
      const double wi = wt[k];
      out.tiedScore += wi * equal;
      if (W->higherIsRisk) {
        out.concordant += wi * below;
        out.discordant += wi * above;
      } else {
        out.concordant += wi * above;
        out.discordant += wi * below;
      }
      deathW += wi;
      deathW2 += wi * wi;
    }
    std::vector<size_t>& deaths = W->deaths;
    if (deaths.size() > 1) {
      // Pairs of deaths at the same time: tied on time; split off those also tied on score.
      std::sort(deaths.begin(), deaths.end(), [&](size_t a, size_t b) { return rk[a] < rk[b]; });
      double both = 0;
      for (size_t a = 0; a < deaths.size();) {
        size_t b = a;
        double sw = 0, sw2 = 0;
        while (b < deaths.size() && rk[deaths[b]] == rk[deaths[a]]) {
          sw += wt[deaths[b]];
          sw2 += wt[deaths[b]] * wt[deaths[b]];
          ++b;
        }
        both += (sw * sw - sw2) / 2;
        a = b;
      }
      const double all = (deathW * deathW - deathW2) / 2;
      out.tiedTimeScore += both;
      out.tiedTime += all - both;
    }
    for (size_t i : deaths) W->insert(i);
    hi = lo;
  }
  return hi;
}

}  // namespace

Concordance harrellConcordance(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk) {
  validateSurvivalData(data, "concordance");
  const SortedSurvival sorted = sortSurvival(data, true);
  return harrellConcordance(data, score, higherIsRisk, sorted.order, sorted.time);
}

Concordance harrellConcordance(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk,
                               const std::vector<Eigen::Index>& order, const Eigen::VectorXd& time) {
  const Eigen::Index n = data.size();
  if (score.size() != n)
    throw InputError("concordance: score has " + std::to_string(score.size()) + " values but time has " +
                     std::to_string(n) + "; give one score per row");
  auto* const check = outOfLine(&firstNonFinite);
  for (Eigen::Index i0 = 0; i0 < n; i0 += static_cast<Eigen::Index>(kBlock))
    if (const Eigen::Index len = std::min(n - i0, static_cast<Eigen::Index>(kBlock)), i = check(score.data() + i0, len);
        i < len)
      throw InputError("concordance: score is not a finite number at row " + std::to_string(i0 + i + 1));

  // Dense ranks of the scores (exact ties share a rank), across all rows.
  const std::vector<Eigen::Index> byScore = stableOrder(score.data(), n);
  std::vector<size_t> rank(static_cast<size_t>(n));
  size_t nRanks = 0;
  auto* const ranks = outOfLine(&denseRanks);
  for (size_t k0 = 0; k0 < byScore.size(); k0 += kBlock)
    ranks(score.data(), byScore.data(), k0, std::min(byScore.size(), k0 + kBlock), &nRanks, rank.data());
  ++nRanks;

  // Everything the pair walk needs, laid out in sorted order so the walk reads memory sequentially.
  const size_t nn = order.size();
  Walk W(nRanks);
  W.rk.resize(nn);
  W.wt.resize(nn);
  W.dead.resize(nn);
  std::vector<int> st(nn);
  W.time = time.data();
  W.higherIsRisk = higherIsRisk;
  auto* const layout = outOfLine(&sortedLayout);
  const double* weight = data.weight.size() ? data.weight.data() : nullptr;
  const int* strata = data.strata.size() ? data.strata.data() : nullptr;
  for (size_t k0 = 0; k0 < nn; k0 += kBlock)
    layout(order.data(), rank.data(), weight, data.event.data(), strata, k0, std::min(nn, k0 + kBlock), W.rk.data(),
           W.wt.data(), W.dead.data(), st.data());

  auto* const walk = outOfLine(&walkGroups);
  auto* const findStart = outOfLine(&stratumStart);
  size_t end = order.size();
  while (end > 0) {
    // One stratum occupies order[start, end).
    const size_t start = findStart(st.data(), end);
    // Walk tied-time groups from the latest time to the earliest, about kBlock subjects per call.
    size_t hi = end;
    while (hi > start) hi = walk(&W, start, hi, hi - std::min(hi - start, kBlock));
    if (start > 0) {  // another stratum follows: reset exactly what this one touched
      for (size_t i : W.inTree) {
        W.tree.clear(W.rk[i]);
        W.atRank[W.rk[i]] = 0;
      }
    }
    W.inTree.clear();
    W.total = 0;
    end = start;
  }
  Concordance out = W.out;
  const double denom = out.comparable();
  if (denom <= 0)
    throw ModelError(
        "concordance: no comparable pairs (an event followed by a longer follow-up); "
        "the C-index is undefined for these data");
  out.c = (out.concordant + out.tiedScore / 2) / denom;
  return out;
}

}  // namespace latefuse
