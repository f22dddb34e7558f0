// A JSON reader for model files that gives nlohmann::json::parse's document several times faster in
// WebAssembly, or leaves the text to nlohmann.
//
// Why: a model file is mostly numbers in shortest round-trip form (12,500 in the shipped Rotterdam
// model), and nlohmann's lexer converts each with strtod, which emscripten's musl runs in software
// 128-bit long double (about 0.8 us a number, 60% of the model's load time); the lexer also copies
// every character into a token buffer one push_back at a time. Here a number's digits are read once
// and converted exactly by the Eisel-Lemire algorithm, with strtod only for what it cannot decide.
//
// Contract (tested against nlohmann on every model file and on damaged ones, and in the fuzz
// target): when parseJsonFast returns a document, it is the one nlohmann::json::parse(text) gives —
// the same value types (unsigned, integer, float), the same doubles bit for bit, the last value of
// a repeated key. It returns nullopt for whatever it leaves to nlohmann: invalid JSON (nlohmann
// then words the error as before), a UTF-8 byte-order mark, a \u escape of a surrogate, nesting
// deeper than kMaxDepth, a number too large for a double.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace latefuse {

// w * 10^q rounded to the nearest double (ties to even), as a correctly rounded strtod gives it,
// when Clinger's fast path (w <= 2^53, |q| <= 22) or the Eisel-Lemire algorithm decides it (D. Lemire, "Number parsing at a gigabyte per second",
// Software: Practice and Experience 51(8), 2021; N. Tao's formulation in Go's strconv): true and
// *out set. false when it cannot: an exact tie to break, a result that would be subnormal or
// infinite, q outside [-342, 308]; the caller then asks strtod.
bool decimalToDouble(std::uint64_t w, int q, bool negative, double* out);

std::optional<nlohmann::json> parseJsonFast(std::string_view text);

}  // namespace latefuse
