// The fast JSON reader (json_fast.hpp) against its references: decimalToDouble against glibc's
// strtod (correctly rounded) on millions of numbers, and parseJsonFast against nlohmann::json::parse
// on the shipped model files, the fuzz corpus, hand-written edge cases and damaged copies.
#include "latefuse/json_fast.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "latefuse/error.hpp"
#include "latefuse/model_json.hpp"

using namespace latefuse;
using nlohmann::json;

namespace {

// splitmix64: a seeded stream for the test's random numbers.
struct Stream {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

std::uint64_t bitsOf(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// The number's text through the reader, as a one-element document.
double readNumber(const std::string& text) {
  const std::optional<json> doc = parseJsonFast("[" + text + "]");
  if (!doc || !(*doc)[0].is_number_float()) ADD_FAILURE() << text << " was not read as a double";
  return doc ? (*doc)[0].get<double>() : std::nan("");
}

// Same value types, same doubles bit for bit, same keys in the same order.
bool sameDocument(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
        if (i.key() != j.key() || !sameDocument(i.value(), j.value())) return false;
      return true;
    }
    case json::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t k = 0; k < a.size(); ++k)
        if (!sameDocument(a[k], b[k])) return false;
      return true;
    case json::value_t::number_float: return bitsOf(a.get<double>()) == bitsOf(b.get<double>());
    default: return a == b;
  }
}

// Whenever the reader gives a document, nlohmann gives the same one. Returns whether it gave one.
bool agreesWithNlohmann(const std::string& text) {
  const std::optional<json> fast = parseJsonFast(text);
  if (!fast) return false;
  json reference;
  try {
    reference = json::parse(text);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "the reader accepted what nlohmann refuses (" << e.what() << "): " << text.substr(0, 200);
    return true;
  }
  EXPECT_TRUE(sameDocument(*fast, reference)) << text.substr(0, 200);
  return true;
}

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> jsonFiles() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"models", "tests/fuzz/corpus/fuzz_model_json"})
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(LATEFUSE_SOURCE_DIR) / dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  return files;
}

}  // namespace

TEST(DecimalToDouble, ShortestFormsOfRandomDoublesAsStrtod) {
  // Every finite double's shortest round-trip text (what the model files hold) and its 17-digit
  // text, over the whole range of exponents, 1,000,000 doubles.
  Stream rng{20261207};
  long long compared = 0;
  char buffer[64];
  for (int k = 0; k < 1000000; ++k) {
    double x;
    const std::uint64_t b = rng.next();
    std::memcpy(&x, &b, sizeof x);
    if (!std::isfinite(x)) continue;
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
    const std::string shortest(buffer, end);
    ASSERT_EQ(bitsOf(readNumber(shortest.find_first_of(".e") == std::string::npos ? shortest + ".0" : shortest)), b) << shortest;
    std::snprintf(buffer, sizeof buffer, "%.16e", x);
    ASSERT_EQ(bitsOf(readNumber(buffer)), bitsOf(std::strtod(buffer, nullptr))) << buffer;
    compared += 2;
  }
  EXPECT_GT(compared, 1990000);
}

TEST(DecimalToDouble, RandomDigitsAndExponentsAsStrtod) {
  // w of 1 to 19 digits, q across the table and beyond: when decimalToDouble decides, it is strtod's
  // double; it decides nearly always inside the range of normal doubles.
  Stream rng{11};
  long long decided = 0, normal = 0;
  char buffer[64];
  for (int k = 0; k < 2000000; ++k) {
    const int digits = 1 + static_cast<int>(rng.next() % 19);
    std::uint64_t w = rng.next() % 10;
    for (int d = 1; d < digits; ++d) w = w * 10 + rng.next() % 10;
    const int q = -360 + static_cast<int>(rng.next() % 690);
    const bool negative = rng.next() & 1;
    std::snprintf(buffer, sizeof buffer, "%s%llue%d", negative ? "-" : "", static_cast<unsigned long long>(w), q);
    const double reference = std::strtod(buffer, nullptr);
    double x;
    if (decimalToDouble(w, q, negative, &x)) {
      ASSERT_EQ(bitsOf(x), bitsOf(reference)) << buffer;
      ++decided;
    }
    if (std::isnormal(reference)) ++normal;
  }
  EXPECT_GT(decided, normal * 999 / 1000);
}

TEST(DecimalToDouble, HardCases) {
  // Ties and near-ties between two doubles, the edges of the normal range, and numbers whose
  // 64-bit product leaves the rounding open; each read as strtod reads it.
  for (const char* text :
       {"9007199254740993.0", "9007199254740993e0", "9007199254740992.5", "9007199254740994.9999999", "0.1", "0.3", "1e23", "8.5e-1",
        "2.2250738585072014e-308", "2.2250738585072011e-308", "2.2250738585072012e-308", "1.7976931348623157e308",
        "1.7976931348623158e308", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1.00000000000000011102230246251565404236316680908203125", "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126", "7.3177701707893310e+15", "9214843084008499.0", "0.500000000000000166533453693773481063544750213623046875",
        "3.518437208883201171875e13", "62.5364939768271781921386718750000000", "8.10109172351e-10", "1.7976931348623157e-308",
        "123456789012345678901234567890", "-0.0", "0.0", "0e999999", "1e-400", "-1e-400", "1E+2", "1e+000000000000000000002"}) {
    const double x = readNumber(std::string(text).find_first_of(".eE") == std::string::npos ? std::string(text) + ".0" : text);
    EXPECT_EQ(bitsOf(x), bitsOf(std::strtod(text, nullptr))) << text;
  }
  double x;
  // 2^53 + 1 is exactly half-way: left to strtod.
  EXPECT_FALSE(decimalToDouble(9007199254740993ull, 0, false, &x));
  // Short exact numbers, which the model files hold by the thousand, are decided (Clinger's path).
  ASSERT_TRUE(decimalToDouble(30, -1, false, &x));
  EXPECT_EQ(x, 3.0);
  ASSERT_TRUE(decimalToDouble(2839, 0, true, &x));
  EXPECT_EQ(x, -2839.0);
  ASSERT_TRUE(decimalToDouble(1, 22, false, &x));
  EXPECT_EQ(x, 1e22);
}

TEST(ParseJsonFast, ShippedModelsAndCorpusAsNlohmann) {
  // The reader takes every shipped model file itself (the speed-up) and gives nlohmann's document.
  const std::vector<std::filesystem::path> files = jsonFiles();
  ASSERT_GE(files.size(), 5u);
  int read = 0;
  for (const auto& path : files) {
    const std::string text = readText(path);
    const bool valid = json::accept(text);
    EXPECT_EQ(agreesWithNlohmann(text), valid) << path;
    read += valid;
  }
  EXPECT_GE(read, 4);
  EXPECT_TRUE(parseJsonFast(readText(std::filesystem::path(LATEFUSE_SOURCE_DIR) / "models/rotterdam.latefuse.json")).has_value());
}

TEST(ParseJsonFast, EdgeCasesAsNlohmann) {
  // Accepted and equal to nlohmann's document.
  for (const char* text : {"{}", "[]", " \t\r\n{ \"a\" : [ 1 , -2 , 3.5 , true , false , null ] } \n", "0", "-0", "-0.0", "1.0", "1e2", "-1E-2",
                           "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
                           "12345678901234567890123", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u0000\\u0041\\u00e9\\u20ac\\uFFFF\"",
                           "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"", "{\"a\": 1, \"a\": [2]}", "{\"b\": 1, \"a\": 2}", "[[[[[[1]]]]]]",
                           "{\"x\": 1.7976931348623157e308, \"y\": 5e-324, \"z\": 1e-400}"}) {
    EXPECT_TRUE(agreesWithNlohmann(text)) << text;
  }
  // Left to nlohmann: invalid JSON, and what the reader does not take on.
  for (const char* text : {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "1e", "-", "tru", "nul", "[1 2]", "{\"a\" 1}", "\"\\x\"",
                           "\"\\u12\"", "\"\\uD83D\\uDE00\"", "\"\\uDC00\"", "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
                           "\"abc", "1e999", "-1e999", "\xef\xbb\xbf{}", "{} x", "[1]]", "NaN", "Infinity"}) {
    EXPECT_FALSE(agreesWithNlohmann(text)) << text;
  }
  EXPECT_FALSE(parseJsonFast(std::string(300, '[') + std::string(300, ']')).has_value());
}

TEST(ParseJsonFast, DamagedModelFilesAsNlohmann) {
  // 300 damaged copies of each model file (a byte replaced by a JSON-significant one, removed,
  // doubled, or the text cut short): whatever the reader accepts, nlohmann reads the same.
  const std::string significant = "{}[]:,\"\\.-+eE0123456789 tfnu\x80\xff";
  Stream rng{7};
  long long accepted = 0;
  for (const auto& path : jsonFiles()) {
    const std::string original = readText(path);
    if (original.empty()) continue;
    for (int k = 0; k < 300; ++k) {
      std::string text = original;
      const size_t at = rng.next() % text.size();
      switch (rng.next() % 4) {
        case 0: text[at] = significant[rng.next() % significant.size()]; break;
        case 1: text.erase(at, 1); break;
        case 2: text.insert(at, 1, text[at]); break;
        default: text.resize(at); break;
      }
      accepted += agreesWithNlohmann(text);
    }
  }
  EXPECT_GT(accepted, 100);
}

TEST(ParseJsonFast, ModelErrorsWordedAsBefore) {
  // parseModelText leaves invalid text to nlohmann, whose message the error carries.
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"{\"schema_version\": 1", "model file is not valid JSON (parse error at line 1, column 21"},
           {"{\"sd\": 1e999}", "model file is not valid JSON (number overflow parsing '1e999')"},
           {"[1,]", "model file is not valid JSON (parse error at line 1, column 4: syntax error while parsing value"}}) {
    try {
      parseModelText(text);
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}
