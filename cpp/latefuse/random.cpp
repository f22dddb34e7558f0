#include "latefuse/random.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace latefuse {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr double kLn2Hi = 6.93147180369123816490e-01;  // fdlibm split of ln 2
constexpr double kLn2Lo = 1.90821492927058770002e-10;

}  // namespace

Random::Random(uint64_t seed) {
  uint64_t state = seed;
  for (auto& s : s_) s = splitmix64(state);
}

Random Random::stream(uint64_t seed, uint64_t streamIndex) {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (streamIndex + 1));
  return Random(splitmix64(state));
}

uint64_t Random::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Random::below(uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the lowest (2^64 mod bound) values so that every residue is equally likely.
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t x = next();
    if (x >= threshold) return x % bound;
  }
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::uniformOpen() {
  for (;;) {
    const double u = uniform();
    if (u > 0) return u;
  }
}

double Random::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  for (;;) {
    const double u = 2 * uniform() - 1, v = 2 * uniform() - 1;
    const double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    const double f = std::sqrt(-2 * portableLog(s) / s);  // sqrt is exactly rounded (IEEE 754)
    spare_ = v * f;
    hasSpare_ = true;
    return u * f;
  }
}

double Random::exponential() { return -portableLog(uniformOpen()); }

void Random::shuffle(std::vector<int>& values) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(below(i));
    std::swap(values[i - 1], values[j]);
  }
}

double portableLog(double x) {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1); exact
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: series converges fast.
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double term = s, sum = 0;
  for (int k = 1; k < 40; k += 2) {
    const double add = term / k;
    sum += add;
    if (std::fabs(add) < 1e-18 * std::fabs(sum)) break;
    term *= s2;
  }
  return e * kLn2Hi + (2 * sum + e * kLn2Lo);
}

double portableExp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0;
  // x = k ln2 + r with |r| <= ln2 / 2, then e^r by its Taylor series.
  const double k = std::floor(x / 0.69314718055994530942 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double term = 1, sum = 1;
  for (int i = 1; i < 30; ++i) {
    term *= r / i;
    sum += term;
    if (std::fabs(term) < 1e-18 * sum) break;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

}  // namespace latefuse
