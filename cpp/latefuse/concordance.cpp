#include "latefuse/concordance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "latefuse/error.hpp"
#include "latefuse/fenwick.hpp"
#include "latefuse/ordering.hpp"

namespace latefuse {

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
  for (Eigen::Index i = 0; i < n; ++i)
    if (!std::isfinite(score(i)))
      throw InputError("concordance: score is not a finite number at row " + std::to_string(i + 1));

  // Dense ranks of the scores (exact ties share a rank), across all rows.
  const std::vector<Eigen::Index> byScore = stableOrder(score.data(), n);
  std::vector<size_t> rank(static_cast<size_t>(n));
  size_t nRanks = 0;
  for (size_t k = 0; k < byScore.size(); ++k) {
    if (k > 0 && score(byScore[k]) != score(byScore[k - 1])) ++nRanks;
    rank[static_cast<size_t>(byScore[k])] = nRanks;
  }
  ++nRanks;

  // Everything the pair walk needs, laid out in sorted order so the walk reads memory sequentially.
  const size_t nn = order.size();
  std::vector<size_t> rk(nn);
  std::vector<double> wt(nn);
  std::vector<unsigned char> dead(nn);
  std::vector<int> st(nn);
  for (size_t k = 0; k < nn; ++k) {
    const Eigen::Index i = order[k];
    rk[k] = rank[static_cast<size_t>(i)];
    wt[k] = data.w(i);
    dead[k] = data.event(i) == 1;
    st[k] = data.stratum(i);
  }

  Concordance out;
  // Weights at risk by score rank: a Fenwick tree for "how much weight scores below r", plus the
  // weight at exactly rank r and the running total, so each event needs one tree query.
  Fenwick tree(nRanks);
  std::vector<double> atRank(nRanks, 0.0);
  double total = 0;
  std::vector<size_t> inTree;  // sorted positions, to clear the tree between strata
  std::vector<size_t> deaths;  // sorted positions
  auto insert = [&](size_t i) {
    const size_t r = rk[i];
    const double w = wt[i];
    tree.add(r, w);
    atRank[r] += w;
    total += w;
    inTree.push_back(i);
  };
  size_t end = order.size();
  while (end > 0) {
    // One stratum occupies order[start, end).
    size_t start = end;
    const int s = st[end - 1];
    while (start > 0 && st[start - 1] == s) --start;
    // Walk tied-time groups from the latest time to the earliest.
    size_t hi = end;
    while (hi > start) {
      size_t lo = hi;
      const double t = time(static_cast<Eigen::Index>(hi - 1));
      while (lo > start && time(static_cast<Eigen::Index>(lo - 1)) == t) --lo;
      // Censored at t are at risk for the deaths at t.
      for (size_t k = lo; k < hi; ++k)
        if (!dead[k]) insert(k);
      double deathW = 0, deathW2 = 0;
      deaths.clear();
      for (size_t k = lo; k < hi; ++k) {
        if (!dead[k]) continue;
        deaths.push_back(k);
        const size_t r = rk[k];
        const double below = tree.prefix(r), equal = atRank[r];
        const double above = total - below - equal;
        const double wi = wt[k];
        out.tiedScore += wi * equal;
        if (higherIsRisk) {
          out.concordant += wi * below;
          out.discordant += wi * above;
        } else {
          out.concordant += wi * above;
          out.discordant += wi * below;
        }
        deathW += wi;
        deathW2 += wi * wi;
      }
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
      for (size_t i : deaths) insert(i);
      hi = lo;
    }
    if (start > 0) {  // another stratum follows: reset exactly what this one touched
      for (size_t i : inTree) {
        tree.clear(rk[i]);
        atRank[rk[i]] = 0;
      }
    }
    inTree.clear();
    total = 0;
    end = start;
  }
  const double denom = out.comparable();
  if (denom <= 0)
    throw ModelError(
        "concordance: no comparable pairs (an event followed by a longer follow-up); "
        "the C-index is undefined for these data");
  out.c = (out.concordant + out.tiedScore / 2) / denom;
  return out;
}

}  // namespace latefuse
