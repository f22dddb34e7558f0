#include "latefuse/ordering.hpp"

#include <algorithm>
#include <cstring>

#include "latefuse/linalg.hpp"

namespace latefuse {
namespace {

// Map a double to an unsigned integer with the same order (IEEE-754 trick).
inline uint64_t orderedBits(double v) {
  if (v == 0) v = 0;  // -0.0 and +0.0 compare equal: give them one key
  uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

// The loops over all keys run as kernels over blocks, called through outOfLine (linalg.hpp), so that a
// first sort in a fresh WebAssembly module runs optimised code after the first blocks.
constexpr size_t kBlock = 16384;

// LSD radix sort in digits of DigitBits bits, every digit's histogram counted in one pass over the
// keys: 11-bit digits for many keys (6 scatter passes over 64-bit keys, 3 over 32-bit ones), bytes for
// a few (8 and 4 passes, but 256 buckets per digit to clear and sum instead of 2,048).
template <int DigitBits>
constexpr size_t kBuckets = size_t{1} << DigitBits;

// count[d][digit + 1] += 1 (count[d] = count + d * (buckets + 1)) for the digits d < Digits of keys [i0, i1).
template <int DigitBits, int Digits>
void radixCount(const uint64_t* keys, size_t i0, size_t i1, size_t* count) {
  constexpr uint64_t mask = kBuckets<DigitBits> - 1;
  for (size_t i = i0; i < i1; ++i) {
    const uint64_t k = keys[i];
    for (int d = 0; d < Digits; ++d) ++count[static_cast<size_t>(d) * (kBuckets<DigitBits> + 1) + ((k >> (d * DigitBits)) & mask) + 1];
  }
}

// Keys [i0, i1) and their indices to their places: count[digit] is the next free position.
template <int DigitBits>
void radixScatter(const uint64_t* keys, const Eigen::Index* index, size_t i0, size_t i1, int shift, size_t* count,
                  uint64_t* keys2, Eigen::Index* index2) {
  constexpr uint64_t mask = kBuckets<DigitBits> - 1;
  for (size_t i = i0; i < i1; ++i) {
    const size_t dst = count[(keys[i] >> shift) & mask]++;
    keys2[dst] = keys[i];
    index2[dst] = index[i];
  }
}

// Keys and indices of rows [i0, i1): the ordered bits of the value, the row itself.
void radixKeys(const double* values, Eigen::Index i0, Eigen::Index i1, uint64_t* keys, Eigen::Index* index) {
  for (Eigen::Index i = i0; i < i1; ++i) {
    keys[i] = orderedBits(values[i]);
    index[i] = i;
  }
}

// The group label of each sorted position [i0, i1) as an ordered unsigned key (signed -> unsigned).
void groupKeys(const int* groups, const Eigen::Index* index, size_t i0, size_t i1, uint64_t* keys) {
  for (size_t i = i0; i < i1; ++i) keys[i] = static_cast<uint64_t>(static_cast<uint32_t>(groups[index[i]]) ^ 0x80000000u);
}

// A stable LSD radix sort of keys of `Bits` bits (64 or 32), index alongside, skipping the digits that
// every key shares.
template <int DigitBits, int Bits>
void radixSortDigits(std::vector<uint64_t>& keys, std::vector<Eigen::Index>& index) {
  constexpr int digits = (Bits + DigitBits - 1) / DigitBits;
  constexpr size_t buckets = kBuckets<DigitBits>;
  const size_t n = keys.size();
  std::vector<size_t> counts(digits * (buckets + 1), 0);
  auto* const countKernel = outOfLine(&radixCount<DigitBits, digits>);
  for (size_t i0 = 0; i0 < n; i0 += kBlock) countKernel(keys.data(), i0, std::min(n, i0 + kBlock), counts.data());
  std::vector<uint64_t> keys2(n);
  std::vector<Eigen::Index> index2(n);
  auto* const scatterKernel = outOfLine(&radixScatter<DigitBits>);
  for (int d = 0; d < digits; ++d) {
    size_t* count = counts.data() + static_cast<size_t>(d) * (buckets + 1);
    bool constant = false;
    for (size_t c = 1; c <= buckets; ++c)
      if (count[c] == n) constant = true;
    if (constant) continue;  // every key has the same digit here: the pass would not move anything
    for (size_t c = 1; c <= buckets; ++c) count[c] += count[c - 1];
    for (size_t i0 = 0; i0 < n; i0 += kBlock)
      scatterKernel(keys.data(), index.data(), i0, std::min(n, i0 + kBlock), d * DigitBits, count, keys2.data(),
                    index2.data());
    keys.swap(keys2);
    index.swap(index2);
  }
}

// Either digit width gives the same order (a stable sort's order is unique). The two cost about the
// same at ~2,000 keys (the 2,048 buckets per digit to clear and sum weigh as much as the two extra
// passes); below, bytes. web/lib/warm_up.js fits 2,000 subjects so that its sorts run the kernels a
// large fit's sorts use.
constexpr size_t kWideDigitsFrom = 2000;

template <int Bits>
void radixSort(std::vector<uint64_t>& keys, std::vector<Eigen::Index>& index) {
  if (keys.size() >= kWideDigitsFrom) radixSortDigits<11, Bits>(keys, index);
  else radixSortDigits<8, Bits>(keys, index);
}

}  // namespace

std::vector<Eigen::Index> stableOrder(const double* keys, Eigen::Index n) { return stableOrder(nullptr, keys, n); }

std::vector<Eigen::Index> stableOrder(const int* groups, const double* keys, Eigen::Index n) {
  std::vector<uint64_t> k(static_cast<size_t>(n));
  std::vector<Eigen::Index> index(static_cast<size_t>(n));
  auto* const keyKernel = outOfLine(&radixKeys);
  for (Eigen::Index i0 = 0; i0 < n; i0 += static_cast<Eigen::Index>(kBlock))
    keyKernel(keys, i0, std::min(n, i0 + static_cast<Eigen::Index>(kBlock)), k.data(), index.data());
  radixSort<64>(k, index);
  if (groups) {
    // Then a stable pass on the group label: equal groups keep the key order.
    auto* const groupKernel = outOfLine(&groupKeys);
    for (size_t i0 = 0; i0 < k.size(); i0 += kBlock)
      groupKernel(groups, index.data(), i0, std::min(k.size(), i0 + kBlock), k.data());
    radixSort<32>(k, index);
  }
  return index;
}

}  // namespace latefuse
