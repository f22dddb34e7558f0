// The one seeded random generator of LateFuse: xoshiro256** (Blackman & Vigna) seeded through
// splitmix64, with our own bounded-integer and floating-point mappings, so that the same seed gives
// the same draws natively (libstdc++) and in WebAssembly (libc++). std::*_distribution is never used:
// its algorithms differ between standard libraries.
//
// Transcendental functions used to turn draws into variates (log, exp) are computed here from
// + - * / only (portableLog, portableExp), because libm implementations (glibc vs musl) may differ
// in the last bit.
#pragma once
#include <cstdint>
#include <vector>

namespace latefuse {

class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t next();                         // 64 random bits
  uint64_t below(uint64_t bound);          // uniform integer in [0, bound), unbiased (rejection)
  double uniform();                        // uniform in [0, 1), 53-bit resolution
  double uniformOpen();                    // uniform in (0, 1)
  double normal();                         // standard normal (Marsaglia polar method)
  double exponential();                    // rate 1
  void shuffle(std::vector<int>& values);  // Fisher–Yates
  // Independent stream for parallel/chunked work: a generator seeded from (seed, stream).
  static Random stream(uint64_t seed, uint64_t streamIndex);

 private:
  uint64_t s_[4];
  bool hasSpare_ = false;
  double spare_ = 0;
};

double portableLog(double x);  // natural log, x > 0, accurate to ~1 ulp, bit-identical everywhere
double portableExp(double x);  // e^x, accurate to ~1 ulp, bit-identical everywhere

}  // namespace latefuse
