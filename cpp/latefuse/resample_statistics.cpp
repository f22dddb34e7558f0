#include "latefuse/resample_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "latefuse/error.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/rank_correlation.hpp"
#include "latefuse/survival_metrics.hpp"

namespace latefuse {

HarrellEngine::HarrellEngine(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk)
    : n_(data.size()), higherIsRisk_(higherIsRisk) {
  validateSurvivalData(data, "concordance");
  if (score.size() != n_)
    throw InputError("concordance: score has " + std::to_string(score.size()) + " values but time has " +
                     std::to_string(n_) + "; give one score per row");
  for (Eigen::Index i = 0; i < n_; ++i)
    if (!std::isfinite(score(i)))
      throw InputError("concordance: score is not a finite number at row " + std::to_string(i + 1));
  const Eigen::VectorXd time = timefix(data.time);
  order_ = sortByStratumTime(data, time);
  // Tie groups; within a group censored rows first (they are added before the events are queried).
  for (size_t k = 0; k < order_.size();) {
    size_t e = k;
    const int s = data.stratum(order_[k]);
    while (e < order_.size() && data.stratum(order_[e]) == s && time(order_[e]) == time(order_[k])) ++e;
    std::stable_partition(order_.begin() + static_cast<std::ptrdiff_t>(k), order_.begin() + static_cast<std::ptrdiff_t>(e),
                          [&](Eigen::Index i) { return data.event(i) == 0; });
    size_t firstEvent = k;
    while (firstEvent < e && data.event(order_[firstEvent]) == 0) ++firstEvent;
    groups_.push_back({k, firstEvent, e});
    const bool stratumEnds = e == order_.size() || data.stratum(order_[e]) != s;
    if (stratumEnds) strataEnd_.push_back(groups_.size());
    k = e;
  }
  std::vector<Eigen::Index> byScore(static_cast<size_t>(n_));
  std::iota(byScore.begin(), byScore.end(), 0);
  std::sort(byScore.begin(), byScore.end(), [&](Eigen::Index a, Eigen::Index b) { return score(a) < score(b); });
  rank_.assign(static_cast<size_t>(n_), 0);
  nRanks_ = 0;
  for (size_t k = 0; k < byScore.size(); ++k) {
    if (k > 0 && score(byScore[k]) != score(byScore[k - 1])) ++nRanks_;
    rank_[static_cast<size_t>(byScore[k])] = nRanks_;
  }
  ++nRanks_;
  weight_.resize(static_cast<size_t>(n_));
  for (Eigen::Index i = 0; i < n_; ++i) weight_[static_cast<size_t>(i)] = data.w(i);
  tree_ = Fenwick(nRanks_);
}

double HarrellEngine::evaluate(const int* counts, const int* perm) const {
  tree_.reset();
  auto add = [&](size_t r, double w) { tree_.add(r, w); };
  auto prefix = [&](size_t count) { return tree_.prefix(count); };
  auto rankOf = [&](Eigen::Index i) { return rank_[static_cast<size_t>(perm ? perm[i] : i)]; };
  auto weightOf = [&](Eigen::Index i) {
    return counts ? weight_[static_cast<size_t>(i)] * counts[i] : weight_[static_cast<size_t>(i)];
  };
  double concordant = 0, discordant = 0, tied = 0;
  size_t groupEnd = groups_.size();
  for (size_t s = strataEnd_.size(); s-- > 0;) {
    const size_t groupBegin = s == 0 ? 0 : strataEnd_[s - 1];
    double inTree = 0;
    for (size_t g = groupEnd; g-- > groupBegin;) {
      const TimeGroup& tg = groups_[g];
      for (size_t k = tg.begin; k < tg.firstEvent; ++k) {
        const Eigen::Index i = order_[k];
        const double w = weightOf(i);
        if (w == 0) continue;
        add(rankOf(i), w);
        inTree += w;
      }
      for (size_t k = tg.firstEvent; k < tg.end; ++k) {
        const Eigen::Index i = order_[k];
        const double wi = weightOf(i);
        if (wi == 0) continue;
        const size_t r = rankOf(i);
        const double below = prefix(r), upTo = prefix(r + 1);
        const double equal = upTo - below, above = inTree - upTo;
        tied += wi * equal;
        if (higherIsRisk_) {
          concordant += wi * below;
          discordant += wi * above;
        } else {
          concordant += wi * above;
          discordant += wi * below;
        }
      }
      for (size_t k = tg.firstEvent; k < tg.end; ++k) {
        const Eigen::Index i = order_[k];
        const double w = weightOf(i);
        if (w == 0) continue;
        add(rankOf(i), w);
        inTree += w;
      }
    }
    if (s > 0) tree_.reset();
    groupEnd = groupBegin;
  }
  const double denom = concordant + discordant + tied;
  if (denom <= 0)
    throw ModelError(
        "concordance: no comparable pairs (an event followed by a longer follow-up); "
        "the C-index is undefined for these data");
  return (concordant + tied / 2) / denom;
}

ResampleStatistic harrellStatistic(std::shared_ptr<const HarrellEngine> engine) {
  return [engine](const std::vector<int>& counts) { return engine->evaluate(counts.data(), nullptr); };
}

PermutationStatistic harrellPermutation(std::shared_ptr<const HarrellEngine> engine) {
  return [engine](const std::vector<int>& perm) { return engine->evaluate(nullptr, perm.data()); };
}

SurvivalData withFrequencyWeights(const SurvivalData& data, const std::vector<int>& counts, std::vector<Eigen::Index>* rows) {
  if (static_cast<Eigen::Index>(counts.size()) != data.size())
    throw InputError("resample: " + std::to_string(counts.size()) + " counts for " + std::to_string(data.size()) + " rows");
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < data.size(); ++i)
    if (counts[static_cast<size_t>(i)] > 0) keep.push_back(i);
  const Eigen::Index m = static_cast<Eigen::Index>(keep.size());
  SurvivalData out;
  out.time.resize(m);
  out.event.resize(m);
  out.weight.resize(m);
  if (data.stratified()) out.strata.resize(m);
  for (Eigen::Index k = 0; k < m; ++k) {
    const Eigen::Index i = keep[static_cast<size_t>(k)];
    out.time(k) = data.time(i);
    out.event(k) = data.event(i);
    out.weight(k) = data.w(i) * counts[static_cast<size_t>(i)];
    if (data.stratified()) out.strata(k) = data.strata(i);
  }
  if (rows) *rows = std::move(keep);
  return out;
}

namespace {

Eigen::VectorXd subset(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& rows) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (size_t k = 0; k < rows.size(); ++k) out(static_cast<Eigen::Index>(k)) = v(rows[k]);
  return out;
}

// Rows repeated by their counts (for statistics without frequency weights).
void expand(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const std::vector<int>& counts, Eigen::VectorXd& xo,
            Eigen::VectorXd& yo) {
  Eigen::Index m = 0;
  for (int c : counts) m += c;
  xo.resize(m);
  yo.resize(m);
  Eigen::Index k = 0;
  for (size_t i = 0; i < counts.size(); ++i)
    for (int c = 0; c < counts[i]; ++c) {
      xo(k) = x(static_cast<Eigen::Index>(i));
      yo(k) = y(static_cast<Eigen::Index>(i));
      ++k;
    }
}

Eigen::VectorXd permuted(const Eigen::VectorXd& v, const std::vector<int>& perm) {
  Eigen::VectorXd out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out(i) = v(perm[static_cast<size_t>(i)]);
  return out;
}

void checkPairSizes(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const char* what) {
  if (x.size() != y.size())
    throw InputError(std::string(what) + ": the two columns have " + std::to_string(x.size()) + " and " +
                     std::to_string(y.size()) + " values");
}

}  // namespace

ResampleStatistic unoStatistic(const SurvivalData& data, const Eigen::VectorXd& risk, double tau) {
  return [data, risk, tau](const std::vector<int>& counts) {
    std::vector<Eigen::Index> rows;
    const SurvivalData d = withFrequencyWeights(data, counts, &rows);
    return unoConcordance(d, d, subset(risk, rows), tau).c;
  };
}

PermutationStatistic unoPermutation(const SurvivalData& data, const Eigen::VectorXd& risk, double tau) {
  return [data, risk, tau](const std::vector<int>& perm) { return unoConcordance(data, data, permuted(risk, perm), tau).c; };
}

ResampleStatistic aucStatistic(const SurvivalData& data, const Eigen::VectorXd& risk, const Eigen::VectorXd& times, bool mean) {
  if (!mean && times.size() != 1) throw InputError("time-dependent AUC statistic: give exactly one time (or ask for the mean AUC)");
  return [data, risk, times, mean](const std::vector<int>& counts) {
    std::vector<Eigen::Index> rows;
    const SurvivalData d = withFrequencyWeights(data, counts, &rows);
    const Eigen::VectorXd r = subset(risk, rows);
    // A resample may not reach a requested time: the statistic does not exist there.
    try {
      const TimeDependentAuc a = cumulativeDynamicAuc(d, d, r, times);
      return mean ? a.meanAuc : a.auc(0);
    } catch (const InputError& e) {
      throw ModelError(e.what());
    }
  };
}

ResampleStatistic kendallStatistic(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPairSizes(x, y, "Kendall's tau");
  return [x, y](const std::vector<int>& counts) {
    Eigen::VectorXd a, b;
    expand(x, y, counts, a, b);
    return kendallTau(a, b).estimate;
  };
}

ResampleStatistic spearmanStatistic(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPairSizes(x, y, "Spearman's rho");
  return [x, y](const std::vector<int>& counts) {
    Eigen::VectorXd a, b;
    expand(x, y, counts, a, b);
    return spearmanRho(a, b).estimate;
  };
}

PermutationStatistic kendallPermutation(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPairSizes(x, y, "Kendall's tau");
  return [x, y](const std::vector<int>& perm) { return kendallTau(x, permuted(y, perm)).estimate; };
}

PermutationStatistic spearmanPermutation(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPairSizes(x, y, "Spearman's rho");
  return [x, y](const std::vector<int>& perm) { return spearmanRho(x, permuted(y, perm)).estimate; };
}

ResampleStatistic binaryAucStatistic(const Eigen::VectorXd& y, const Eigen::VectorXd& score) {
  checkPairSizes(y, score, "AUC");
  return [y, score](const std::vector<int>& counts) {
    Eigen::VectorXd a, b;
    expand(y, score, counts, a, b);
    return binaryAuc(a, b).auc;
  };
}

PermutationStatistic binaryAucPermutation(const Eigen::VectorXd& y, const Eigen::VectorXd& score) {
  checkPairSizes(y, score, "AUC");
  return [y, score](const std::vector<int>& perm) { return binaryAuc(y, permuted(score, perm)).auc; };
}

ResampleStatistic kaplanMeierStatistic(const SurvivalData& data, double t) {
  return [data, t](const std::vector<int>& counts) {
    const SurvivalData d = withFrequencyWeights(data, counts);
    const KaplanMeierCurve km = kaplanMeier(d);
    return kaplanMeierAt(km, Eigen::VectorXd::Constant(1, t)).surv(0);
  };
}

}  // namespace latefuse
