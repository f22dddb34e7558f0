#include "latefuse/ordering.hpp"

#include <array>
#include <cstring>

namespace latefuse {
namespace {

// Map a double to an unsigned integer with the same order (IEEE-754 trick).
inline uint64_t orderedBits(double v) {
  if (v == 0) v = 0;  // -0.0 and +0.0 compare equal: give them one key
  uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

// One stable LSD radix pass set over 64-bit keys (8 passes of 8 bits, skipping constant bytes).
void radixSort(std::vector<uint64_t>& keys, std::vector<Eigen::Index>& index, int bytes) {
  const size_t n = keys.size();
  std::vector<uint64_t> keys2(n);
  std::vector<Eigen::Index> index2(n);
  for (int b = 0; b < bytes; ++b) {
    const int shift = 8 * b;
    std::array<size_t, 257> count{};
    for (size_t i = 0; i < n; ++i) ++count[((keys[i] >> shift) & 0xff) + 1];
    bool constant = false;
    for (size_t c = 1; c < 257; ++c)
      if (count[c] == n) constant = true;
    if (constant) continue;  // every key has the same byte here: the pass would not move anything
    for (size_t c = 1; c < 257; ++c) count[c] += count[c - 1];
    for (size_t i = 0; i < n; ++i) {
      const size_t dst = count[(keys[i] >> shift) & 0xff]++;
      keys2[dst] = keys[i];
      index2[dst] = index[i];
    }
    keys.swap(keys2);
    index.swap(index2);
  }
}

}  // namespace

std::vector<Eigen::Index> stableOrder(const double* keys, Eigen::Index n) { return stableOrder(nullptr, keys, n); }

std::vector<Eigen::Index> stableOrder(const int* groups, const double* keys, Eigen::Index n) {
  std::vector<uint64_t> k(static_cast<size_t>(n));
  std::vector<Eigen::Index> index(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    k[static_cast<size_t>(i)] = orderedBits(keys[i]);
    index[static_cast<size_t>(i)] = i;
  }
  radixSort(k, index, 8);
  if (groups) {
    // Then a stable pass on the group label: equal groups keep the key order.
    for (size_t i = 0; i < k.size(); ++i) {
      const int g = groups[index[i]];
      k[i] = static_cast<uint64_t>(static_cast<uint32_t>(g) ^ 0x80000000u);  // signed -> ordered unsigned
    }
    radixSort(k, index, 4);
  }
  return index;
}

}  // namespace latefuse
