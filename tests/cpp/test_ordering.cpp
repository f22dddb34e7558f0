// stableOrder (the radix sort every fit and C-index sorts with) against std::stable_sort, on both
// sides of the size where it switches from byte digits to 11-bit digits, with ties, signs, -0/+0,
// values of every magnitude, and groups.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "latefuse/ordering.hpp"

namespace latefuse {
namespace {

// Deterministic values with many ties (a few hundred distinct values), both signs, zeros of both
// signs, subnormal, huge and tiny magnitudes.
std::vector<double> keysOf(Eigen::Index n, uint64_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint64_t s = seed;
  const double special[] = {0.0, -0.0, 1e-310, -1e-310, 1e300, -1e300, std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(), 1.0, -1.0};
  for (auto& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint64_t r = s >> 33;
    if (r % 17 == 0) {
      x = special[r % 10];
    } else {
      x = (static_cast<double>(r % 400) - 200.0) / 8.0;  // ties
    }
  }
  return v;
}

std::vector<Eigen::Index> reference(const std::vector<double>& keys, const std::vector<int>* groups) {
  std::vector<Eigen::Index> idx(keys.size());
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  std::stable_sort(idx.begin(), idx.end(), [&](Eigen::Index a, Eigen::Index b) {
    const auto i = static_cast<size_t>(a), j = static_cast<size_t>(b);
    if (groups && (*groups)[i] != (*groups)[j]) return (*groups)[i] < (*groups)[j];
    return keys[i] < keys[j];  // -0 and +0 compare equal: input order kept
  });
  return idx;
}

TEST(StableOrder, EqualsStableSortBelowAndAboveTheDigitSwitch) {
  for (const Eigen::Index n : {Eigen::Index{1}, Eigen::Index{7}, Eigen::Index{1000}, Eigen::Index{1999},
                               Eigen::Index{2000}, Eigen::Index{50000}}) {
    const std::vector<double> keys = keysOf(n, 11 + static_cast<uint64_t>(n));
    EXPECT_EQ(stableOrder(keys.data(), n), reference(keys, nullptr)) << "n = " << n;
  }
}

TEST(StableOrder, WithGroupsEqualsStableSortByGroupThenKey) {
  for (const Eigen::Index n : {Eigen::Index{500}, Eigen::Index{2000}, Eigen::Index{20000}}) {
    const std::vector<double> keys = keysOf(n, 5);
    std::vector<int> groups(static_cast<size_t>(n));
    for (size_t i = 0; i < groups.size(); ++i) groups[i] = static_cast<int>((i * 7919) % 5) - 2;  // negative labels too
    EXPECT_EQ(stableOrder(groups.data(), keys.data(), n), reference(keys, &groups)) << "n = " << n;
  }
}

}  // namespace
}  // namespace latefuse
