#include "latefuse/json_fast.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace latefuse {
namespace {

using json = nlohmann::json;

constexpr int kMinExp10 = -342;  // below 1e-342 even 19 digits give at most a subnormal
constexpr int kMaxExp10 = 308;   // above, every w >= 1 overflows
constexpr int kMaxDepth = 256;   // deeper nesting goes to nlohmann (no model file comes close)

struct Power128 {
  std::uint64_t hi, lo;  // the top 128 bits of 5^q, truncated (never rounded up), top bit set
};

// The top 128 bits of a little-endian base-2^32 number (normalised: the highest set bit first).
Power128 top128(const std::vector<std::uint32_t>& x) {
  size_t word = x.size() - 1;
  while (x[word] == 0) --word;
  const long long length = static_cast<long long>(word) * 32 + (32 - __builtin_clz(x[word]));
  Power128 out{0, 0};
  for (int k = 0; k < 128; ++k) {
    const long long bit = length - 1 - k;
    const std::uint64_t b = bit >= 0 ? (x[static_cast<size_t>(bit / 32)] >> (bit % 32)) & 1u : 0u;
    if (k < 64)
      out.hi |= b << (63 - k);
    else
      out.lo |= b << (127 - k);
  }
  return out;
}

// 5^q for q in [kMinExp10, kMaxExp10], computed once with exact integers: 5^q itself for q >= 0,
// floor(2^1024 / 5^-q) for q < 0 (at least 229 bits, so its top 128 bits are those of 5^q's
// mantissa truncated, as the algorithm requires).
const std::vector<Power128>& powersOfFive() {
  static const std::vector<Power128> table = [] {
    std::vector<Power128> t(static_cast<size_t>(kMaxExp10 - kMinExp10 + 1));
    std::vector<std::uint32_t> x(33, 0);
    x[32] = 1;  // 2^1024
    for (int n = 1; n <= -kMinExp10; ++n) {
      std::uint64_t rem = 0;
      for (size_t i = x.size(); i-- > 0;) {
        const std::uint64_t cur = (rem << 32) | x[i];
        x[i] = static_cast<std::uint32_t>(cur / 5);
        rem = cur % 5;
      }
      t[static_cast<size_t>(-n - kMinExp10)] = top128(x);
    }
    std::vector<std::uint32_t> y{1};
    for (int n = 0; n <= kMaxExp10; ++n) {
      t[static_cast<size_t>(n - kMinExp10)] = top128(y);
      std::uint64_t carry = 0;
      for (std::uint32_t& w : y) {
        const std::uint64_t cur = static_cast<std::uint64_t>(w) * 5 + carry;
        w = static_cast<std::uint32_t>(cur);
        carry = cur >> 32;
      }
      if (carry) y.push_back(static_cast<std::uint32_t>(carry));
    }
    return t;
  }();
  return table;
}

inline void multiply64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  hi = static_cast<std::uint64_t>(r >> 64);
  lo = static_cast<std::uint64_t>(r);
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Recursive descent over the text; false = leave the text to nlohmann (see the header).
class Reader {
 public:
  Reader(const char* begin, const char* end) : p_(begin), end_(end) {}

  bool document(json& out) {
    space();
    if (!value(out, 0)) return false;
    space();
    return p_ == end_;
  }

 private:
  const char* p_;
  const char* end_;
  std::string token_;  // a number's text for strtod (NUL-terminated copy)

  void space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool value(json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        if (!literal("true", 4)) return false;
        out = true;
        return true;
      case 'f':
        if (!literal("false", 5)) return false;
        out = false;
        return true;
      case 'n':
        if (!literal("null", 4)) return false;
        out = nullptr;
        return true;
      default: return number(out);
    }
  }

  bool object(json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    out = json::object();
    json::object_t& members = *out.get_ptr<json::object_t*>();
    space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string key;
    for (;;) {
      space();
      if (p_ == end_ || *p_ != '"') return false;
      key.clear();
      if (!string(key)) return false;
      space();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      space();
      // A repeated key keeps its last value, as nlohmann's parser does (it assigns through operator[]).
      if (!value(members[key], depth)) return false;
      space();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool array(json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    out = json::array();
    json::array_t& elements = *out.get_ptr<json::array_t*>();
    space();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      space();
      elements.emplace_back();
      if (!value(elements.back(), depth)) return false;
      space();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  // The length of the well-formed UTF-8 sequence at p_ (the ranges nlohmann's lexer accepts,
  // Unicode Table 3-7), or 0.
  size_t utf8Sequence() const {
    const auto at = [&](size_t k) { return k < static_cast<size_t>(end_ - p_) ? static_cast<unsigned char>(p_[k]) : 0u; };
    const auto in = [](unsigned c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
    const unsigned c = at(0);
    if (in(c, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(at(1), 0xA0, 0xBF) && in(at(2), 0x80, 0xBF) ? 3 : 0;
    if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) return in(at(1), 0x80, 0xBF) && in(at(2), 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(at(1), 0x80, 0x9F) && in(at(2), 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(at(1), 0x90, 0xBF) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
    if (in(c, 0xF1, 0xF3)) return in(at(1), 0x80, 0xBF) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(at(1), 0x80, 0x8F) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  bool escape(std::string& s) {
    ++p_;  // the backslash
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"': s += '"'; return true;
      case '\\': s += '\\'; return true;
      case '/': s += '/'; return true;
      case 'b': s += '\b'; return true;
      case 'f': s += '\f'; return true;
      case 'n': s += '\n'; return true;
      case 'r': s += '\r'; return true;
      case 't': s += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    if (end_ - p_ < 4) return false;
    unsigned code = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = *p_++;
      const unsigned digit = isDigit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                                                : (h >= 'A' && h <= 'F')   ? h - 'A' + 10
                                                                           : 16u;
      if (digit == 16) return false;
      code = code * 16 + digit;
    }
    if (code >= 0xD800 && code <= 0xDFFF) return false;  // surrogates (pairs and strays): nlohmann's
    if (code < 0x80) {
      s += static_cast<char>(code);
    } else if (code < 0x800) {
      s += static_cast<char>(0xC0 | (code >> 6));
      s += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      s += static_cast<char>(0xE0 | (code >> 12));
      s += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (code & 0x3F));
    }
    return true;
  }

  bool string(std::string& s) {
    ++p_;  // the opening quote
    const char* run = p_;
    while (p_ != end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        s.append(run, p_);
        ++p_;
        return true;
      }
      if (c == '\\') {
        s.append(run, p_);
        if (!escape(s)) return false;
        run = p_;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        ++p_;
      } else {
        const size_t n = utf8Sequence();
        if (n == 0) return false;
        p_ += n;
      }
    }
    return false;
  }

  // JSON's number grammar; the value as nlohmann's lexer types it: no fraction or exponent -> an
  // unsigned (no sign) or integer (a minus) when it fits in 64 bits, otherwise a double.
  bool number(json& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    std::uint64_t w = 0;  // the significant digits (leading zeros dropped), at most 19 of them
    int digits = 0;
    bool exact = true;  // every significant digit is in w
    int fractionDigits = 0;
    const auto digit = [&](char c) {
      if (w == 0 && c == '0') return;
      if (digits == 19) {
        exact = false;
        return;
      }
      w = w * 10 + static_cast<std::uint64_t>(c - '0');
      ++digits;
    };
    if (p_ == end_ || !isDigit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && isDigit(*p_)) digit(*p_++);
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !isDigit(*p_)) return false;
      while (p_ != end_ && isDigit(*p_)) {
        digit(*p_++);
        ++fractionDigits;
      }
    }
    long long exponent = 0;
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      bool negativeExponent = false;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) negativeExponent = *p_++ == '-';
      if (p_ == end_ || !isDigit(*p_)) return false;
      while (p_ != end_ && isDigit(*p_)) {
        if (exponent < 100000) exponent = exponent * 10 + (*p_ - '0');  // beyond: strtod decides
        ++p_;
      }
      if (negativeExponent) exponent = -exponent;
    }
    if (exact && integer) {
      if (!negative) {
        out = static_cast<std::uint64_t>(w);
        return true;
      }
      if (w <= (std::uint64_t{1} << 63)) {
        out = w == (std::uint64_t{1} << 63) ? INT64_MIN : -static_cast<std::int64_t>(w);
        return true;
      }
    }
    double x = 0;
    if (!integer && exact && decimalToDouble(w, static_cast<int>(exponent - fractionDigits), negative, &x)) {
      out = x;
      return true;
    }
    // What nlohmann's lexer does with the token: strtoull / strtoll for a whole number, strtod
    // when that overflows or for any other number.
    token_.assign(start, p_);
    if (integer) {
      char* end = nullptr;
      errno = 0;
      if (!negative) {
        const unsigned long long u = std::strtoull(token_.c_str(), &end, 10);
        if (errno == 0) {
          out = static_cast<std::uint64_t>(u);
          return true;
        }
      } else {
        const long long i = std::strtoll(token_.c_str(), &end, 10);
        if (errno == 0) {
          out = static_cast<std::int64_t>(i);
          return true;
        }
      }
    }
    x = std::strtod(token_.c_str(), nullptr);
    if (!std::isfinite(x)) return false;  // nlohmann's "number overflow" error
    out = x;
    return true;
  }
};

}  // namespace

bool decimalToDouble(std::uint64_t w, int q, bool negative, double* out) {
  if (w == 0) {
    *out = negative ? -0.0 : 0.0;
    return true;
  }
  // Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990):
  // w and 10^|q| are exact doubles, so one correctly rounded multiply or divide is the answer. It
  // also takes the short exact numbers (3.0 = 30 * 10^-1) that Eisel-Lemire cannot tell from a tie.
  if (w <= (std::uint64_t{1} << 53) && q >= -22 && q <= 22) {
    static constexpr double kExactPowers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                              1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const double x = static_cast<double>(w);
    *out = q >= 0 ? x * kExactPowers[q] : x / kExactPowers[-q];
    if (negative) *out = -*out;
    return true;
  }
  if (q < kMinExp10 || q > kMaxExp10) return false;
  const Power128& power = powersOfFive()[static_cast<size_t>(q - kMinExp10)];
  const int zeros = __builtin_clzll(w);
  w <<= zeros;
  // floor(q * log2(10)) for |q| <= 1500 is (217706 * q) >> 16 (an arithmetic shift, as gcc and clang
  // define it for negative numbers); 64 + 1023: the product's width and the exponent bias.
  std::uint64_t exponent2 = static_cast<std::uint64_t>(((217706 * static_cast<std::int64_t>(q)) >> 16) + 64 + 1023) - static_cast<std::uint64_t>(zeros);
  std::uint64_t hi, lo;
  multiply64(w, power.hi, hi, lo);
  // When the 64-bit product's low bits leave the rounding undecided, widen to the 128-bit power.
  if ((hi & 0x1FF) == 0x1FF && lo + w < w) {
    std::uint64_t yHi, yLo;
    multiply64(w, power.lo, yHi, yLo);
    std::uint64_t mergedHi = hi;
    const std::uint64_t mergedLo = lo + yHi;
    if (mergedLo < lo) ++mergedHi;
    if ((mergedHi & 0x1FF) == 0x1FF && mergedLo + 1 == 0 && yLo + w < w) return false;
    hi = mergedHi;
    lo = mergedLo;
  }
  const std::uint64_t msb = hi >> 63;
  std::uint64_t mantissa = hi >> (msb + 9);
  exponent2 -= 1 ^ msb;
  // Exactly half-way between two doubles (or seemingly so): ties need the exact value.
  if (lo == 0 && (hi & 0x1FF) == 0 && (mantissa & 3) == 1) return false;
  mantissa += mantissa & 1;
  mantissa >>= 1;
  if (mantissa >> 53) {
    mantissa >>= 1;
    ++exponent2;
  }
  if (exponent2 - 1 >= 0x7FF - 1) return false;  // subnormal, zero or infinite
  std::uint64_t bits = exponent2 << 52 | (mantissa & 0x000FFFFFFFFFFFFFull);
  if (negative) bits |= std::uint64_t{1} << 63;
  std::memcpy(out, &bits, sizeof bits);
  return true;
}

std::optional<json> parseJsonFast(std::string_view text) {
  // A byte-order mark is nlohmann's to skip (or refuse).
  if (!text.empty() && static_cast<unsigned char>(text[0]) == 0xEF) return std::nullopt;
  json doc;
  Reader reader(text.data(), text.data() + text.size());
  if (!reader.document(doc)) return std::nullopt;
  return doc;
}

}  // namespace latefuse
