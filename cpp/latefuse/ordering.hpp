// Sorting permutations with a fixed, platform-independent result. Ties keep input order (stable),
// so native (libstdc++) and WebAssembly (libc++) builds visit subjects in the same order and sum
// floating-point numbers in the same order. LSD radix sort on the IEEE-754 bit pattern: O(n),
// several times faster than a comparison sort for the n = 1e5..1e6 used here.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace latefuse {

// Indices 0..n-1 ordered by keys ascending (stable). Keys must not be NaN.
std::vector<Eigen::Index> stableOrder(const double* keys, Eigen::Index n);

// Indices ordered by (group ascending, key ascending), stable. `groups` may be nullptr (one group).
std::vector<Eigen::Index> stableOrder(const int* groups, const double* keys, Eigen::Index n);

}  // namespace latefuse
