// Fenwick (binary indexed) tree of weights over positions 0 .. n-1: add a weight at a position and
// ask for the total weight at positions [0, count), each in O(log n). Harrell's C (concordance.cpp and
// its bootstrap/permutation engine in resample_statistics.cpp,
// positions = score ranks) and Uno's C (survival_metrics.cpp, positions = sorted distinct risks)
// walk subjects in time order and count, for each event, the weight at risk scoring below it.
// Sums are accumulated in a fixed order, so results are the same in every build.
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>

namespace latefuse {

class Fenwick {
 public:
  explicit Fenwick(size_t n) : tree_(n + 1, 0.0) {}
  void add(size_t pos, double w) {
    for (size_t i = pos + 1; i < tree_.size(); i += lowBit(i)) tree_[i] += w;
  }
  // Zero every node that `pos` touched: an exact reset of what add(pos, .) changed (e.g. between
  // strata), cheaper than clearing the whole tree when few positions were used.
  void clear(size_t pos) {
    for (size_t i = pos + 1; i < tree_.size(); i += lowBit(i)) tree_[i] = 0;
  }
  // Zero the whole tree (reuse one tree across many evaluations, e.g. bootstrap replicates).
  void reset() { std::fill(tree_.begin(), tree_.end(), 0.0); }
  double prefix(size_t count) const {  // total weight at positions [0, count)
    double s = 0;
    for (size_t i = count; i > 0; i -= lowBit(i)) s += tree_[i];
    return s;
  }

 private:
  static size_t lowBit(size_t i) { return i & (~i + 1); }
  std::vector<double> tree_;
};

}  // namespace latefuse
