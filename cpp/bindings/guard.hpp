// Shared helpers for the embind files (the only Emscripten code in LateFuse).
//  * Guard<&fn>::call wraps an entry point so that a C++ exception reaches JavaScript as an Error
//    with a `name` (InputError, ModelError, LateFuseError) and the core's message; the C++
//    objects are destroyed before the JS error is thrown (docs/build.md, -fwasm-exceptions).
//  * Conversions between JS typed arrays and Eigen: one copy in, one copy out; JS owns results.
#pragma once
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "latefuse/error.hpp"

namespace latefuse::bindings {

using emscripten::val;

inline val makeJsError(const char* name, const std::string& message, const ErrorContext& context = {}) {
  val err = val::global("Error").new_(message);
  err.set("name", std::string(name));
  // Where the core's error arose (error.hpp); web/lib/errors.js keeps these fields and the caller
  // maps engineRow (the row of the cohort it passed in) back to the patient's row in its files.
  if (!context.step.empty()) err.set("step", context.step);
  if (!context.modality.empty()) err.set("modality", context.modality);
  if (!context.column.empty()) err.set("column", context.column);
  if (context.row >= 0) err.set("engineRow", static_cast<double>(context.row));
  return err;
}

template <auto Fn>
struct Guard;
template <typename R, typename... A, R (*Fn)(A...)>
struct Guard<Fn> {
  static R call(A... args) {
    val err = val::undefined();
    try {
      return Fn(std::forward<A>(args)...);
    } catch (const InputError& e) {
      err = makeJsError("InputError", e.what(), e.context());
    } catch (const ModelError& e) {
      err = makeJsError("ModelError", e.what(), e.context());
    } catch (const std::bad_alloc&) {
      // Not an internal error: the user can act on it (the CLI exits 2, the page shows it by Run).
      // The fits themselves report which modality was too wide (cox.cpp, logistic.cpp).
      err = makeJsError("ModelError",
                        "out of memory: the data are too large for this browser tab; use fewer features "
                        "(feature screening, elastic-net selection, or a smaller feature set) or fewer patients");
    } catch (const std::exception& e) {
      err = makeJsError("LateFuseError", e.what());
    }
    err.throw_();
  }
};

// ---- JS -> C++ -------------------------------------------------------------------------------
inline bool has(const val& obj, const char* key) {
  return !obj.isUndefined() && !obj.isNull() && !obj[key].isUndefined() && !obj[key].isNull();
}

// input.onProgress(fraction) as the core's progress callback (resampling.hpp ProgressCallback):
// returning false from JS cancels. None when the input has no onProgress.
inline std::function<bool(double)> progressOf(const val& input) {
  if (!has(input, "onProgress")) return {};
  val cb = input["onProgress"];
  if (cb.typeOf().as<std::string>() != "function") throw InputError("onProgress must be a function");
  return [cb](double fraction) {
    const val r = cb(fraction);
    return !r.isFalse();
  };
}

// The values of a JS array or typed array of length n, written straight into `out` by one
// TypedArray.prototype.set on a view of the wasm memory: each value converted as Number() (ToInt32
// for int), as emscripten's convertJSArrayToNumberVector does, but without its zero-filled
// std::vector and the second copy out of it: two passes fewer over the data, over memory that a
// fresh module (the first fit) touches for the first time.
template <typename T>
void copyFromJs(const val& array, T* out, size_t n) {
  val view{emscripten::typed_memory_view(n, out)};
  view.call<void>("set", array);
}

inline Eigen::VectorXd toVector(const val& array) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(array["length"].as<size_t>()));
  copyFromJs(array, v.data(), static_cast<size_t>(v.size()));
  return v;
}

inline Eigen::VectorXi toIntVector(const val& array) {
  Eigen::VectorXi v(static_cast<Eigen::Index>(array["length"].as<size_t>()));
  copyFromJs(array, v.data(), static_cast<size_t>(v.size()));
  return v;
}

// An array of equal-length numeric columns -> n x p matrix (each column copied once, in place).
inline Eigen::MatrixXd toMatrix(const val& columns, Eigen::Index rows) {
  const unsigned p = columns["length"].as<unsigned>();
  Eigen::MatrixXd x(rows, static_cast<Eigen::Index>(p));
  for (unsigned j = 0; j < p; ++j) {
    const val col = columns[j];
    const size_t length = col["length"].as<size_t>();
    if (length != static_cast<size_t>(rows))
      throw InputError("column " + std::to_string(j + 1) + " has " + std::to_string(length) + " values, expected " +
                       std::to_string(rows));
    copyFromJs(col, x.col(static_cast<Eigen::Index>(j)).data(), length);
  }
  return x;
}

inline std::vector<std::string> toStrings(const val& array) {
  std::vector<std::string> out;
  if (array.isUndefined() || array.isNull()) return out;
  const unsigned n = array["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) out.push_back(array[i].as<std::string>());
  return out;
}

template <typename T>
T option(const val& obj, const char* key, T fallback) {
  return has(obj, key) ? obj[key].as<T>() : fallback;
}

// input.seed (default 1): a whole number in [0, 2^53 - 1], as every seeded step takes.
inline uint64_t seedOf(const val& input) {
  const double s = option<double>(input, "seed", 1.0);
  if (!(s >= 0 && s <= 9007199254740991.0 && std::floor(s) == s))
    throw InputError("seed must be a whole number between 0 and 2^53 - 1");
  return static_cast<uint64_t>(s);
}

// ---- C++ -> JS -------------------------------------------------------------------------------
// Numbers that are not finite become null, so no NaN ever reaches a user as a "result".
inline val number(double v) { return std::isfinite(v) ? val(v) : val::null(); }

inline val toArray(const Eigen::VectorXd& v) {
  val out = val::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.call<void>("push", number(v(i)));
  return out;
}

inline val toArray(const Eigen::VectorXi& v) {
  val out = val::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.call<void>("push", v(i));
  return out;
}

// Large numeric results: one copy into a JS-owned Float64Array (NaN kept; the JS layer decides).
inline val toFloat64Array(const Eigen::VectorXd& v) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(static_cast<size_t>(v.size()), v.data()));
}

inline val toInt32Array(const Eigen::VectorXi& v) {
  return val::global("Int32Array").new_(emscripten::typed_memory_view(static_cast<size_t>(v.size()), v.data()));
}

// A matrix as one Float64Array in row-major order (rows * cols values).
inline val toFlatRowMajor(const Eigen::MatrixXd& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  return val::global("Float64Array").new_(emscripten::typed_memory_view(static_cast<size_t>(r.size()), r.data()));
}

inline val toRows(const Eigen::MatrixXd& m) {
  val out = val::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) out.call<void>("push", toArray(Eigen::VectorXd(m.row(i).transpose())));
  return out;
}

inline val toStringArray(const std::vector<std::string>& v) {
  val out = val::array();
  for (const auto& s : v) out.call<void>("push", s);
  return out;
}

}  // namespace latefuse::bindings
