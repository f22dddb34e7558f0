// One generic conversion from the core's result types to plain JS objects, so that the binding
// files list WHAT a result holds (its keys) and never HOW each kind of value crosses the boundary.
//
//  * toJs(value) for: double (not finite -> null, so no NaN reaches a user as a result), integers,
//    bool, std::string, val (as is), Eigen vectors (Array; NaN -> null), Eigen matrices (Array of
//    row Arrays), std::vector<T> (Array of toJs), std::optional<T> (null when empty), and any struct
//    that has a `fields(const T&, F&&)` listing (found by argument-dependent lookup, declared
//    beside the binding that returns it): the struct becomes an object with those keys.
//  * typed(v) / typedRows(m): large numeric results as one JS-owned Float64Array / Int32Array copy
//    (NaN kept: the JS layer decides), instead of an Array built element by element;
//    typedColumns(m): an Array of one Float64Array per column.
//  * orNull(present, value): null when a field does not apply (e.g. no curve for a binary model).
//  * Object: an ad-hoc result built as Object()("key", value)("key2", value2) — each value
//    through toJs.
// Keys are snake_case, the spelling of the report (fusion_report_json.cpp), the model file
// (model_json.cpp) and the CLI's JSON: one spelling for every object a user gets back. Options
// passed IN stay camelCase JS arguments.
#pragma once
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "guard.hpp"

namespace latefuse::bindings {

// A value destined for a typed array (one copy; NaN kept).
template <typename V>
struct Typed {
  const V& value;
};
template <typename V>
Typed<V> typed(const V& v) {
  return {v};
}
// A matrix as one Float64Array in row-major order (rows * cols values).
struct TypedRows {
  const Eigen::MatrixXd& value;
};
inline TypedRows typedRows(const Eigen::MatrixXd& m) { return {m}; }
// A matrix as an Array of one Float64Array per column (e.g. the dummy columns of an encoding).
struct TypedColumns {
  const Eigen::MatrixXd& value;
};
inline TypedColumns typedColumns(const Eigen::MatrixXd& m) { return {m}; }

// A field that applies only sometimes: null when !present.
template <typename T>
struct OrNull {
  bool present;
  T value;
};
template <typename T>
OrNull<T> orNull(bool present, T value) {
  return {present, std::move(value)};
}

inline val toJs(const val& v) { return v; }
inline val toJs(double v) { return number(v); }
inline val toJs(bool v) { return val(v); }
inline val toJs(int v) { return val(v); }
inline val toJs(long v) { return val(static_cast<double>(v)); }
inline val toJs(long long v) { return val(static_cast<double>(v)); }
inline val toJs(unsigned long v) { return val(static_cast<double>(v)); }
inline val toJs(unsigned long long v) { return val(static_cast<double>(v)); }
inline val toJs(unsigned v) { return val(static_cast<double>(v)); }
inline val toJs(const std::string& v) { return val(v); }
inline val toJs(const char* v) { return val(std::string(v)); }
inline val toJs(const Eigen::VectorXd& v) { return toArray(v); }
inline val toJs(const Eigen::VectorXi& v) { return toArray(v); }
inline val toJs(const Eigen::MatrixXd& m) { return toRows(m); }
inline val toJs(const std::vector<std::string>& v) { return toStringArray(v); }
inline val toJs(const Typed<Eigen::VectorXd>& t) { return toFloat64Array(t.value); }
inline val toJs(const Typed<Eigen::VectorXi>& t) { return toInt32Array(t.value); }
inline val toJs(const Typed<std::vector<double>>& t) {
  return toFloat64Array(Eigen::Map<const Eigen::VectorXd>(t.value.data(), static_cast<Eigen::Index>(t.value.size())));
}
inline val toJs(const Typed<std::vector<int>>& t) {
  return toInt32Array(Eigen::Map<const Eigen::VectorXi>(t.value.data(), static_cast<Eigen::Index>(t.value.size())));
}
inline val toJs(const TypedRows& t) { return toFlatRowMajor(t.value); }
inline val toJs(const TypedColumns& t) {
  val out = val::array();
  for (Eigen::Index j = 0; j < t.value.cols(); ++j) out.call<void>("push", toFloat64Array(t.value.col(j)));
  return out;
}

template <typename T>
val toJs(const std::vector<T>& items);
template <typename T>
val toJs(const std::optional<T>& v);
template <typename T>
val toJs(const OrNull<T>& v);

// A struct with a `fields` listing: an object with its keys. Declared before FieldSetter so that a
// field which is itself a struct with a listing (e.g. a fit's baseline) converts the same way.
template <typename T>
struct FieldSetter;
template <typename T, typename = decltype(fields(std::declval<const T&>(), std::declval<FieldSetter<T>&>()))>
val toJs(const T& x);

template <typename T>
struct FieldSetter {
  val& out;
  template <typename V>
  void operator()(const char* key, const V& value) const {
    out.set(key, toJs(value));
  }
};
template <typename T, typename>
val toJs(const T& x) {
  val out = val::object();
  FieldSetter<T> set{out};
  fields(x, set);
  return out;
}

template <typename T>
val toJs(const std::vector<T>& items) {
  val out = val::array();
  for (const T& item : items) {
    if constexpr (std::is_same_v<T, bool>) out.call<void>("push", val(static_cast<bool>(item)));
    else out.call<void>("push", toJs(item));
  }
  return out;
}
template <typename T>
val toJs(const std::optional<T>& v) {
  return v ? toJs(*v) : val::null();
}
template <typename T>
val toJs(const OrNull<T>& v) {
  return v.present ? toJs(v.value) : val::null();
}

// An ad-hoc result: Object()("n", n)("coef", fit.coef) — each value through toJs.
class Object {
 public:
  template <typename V>
  Object& operator()(const char* key, const V& value) {
    out_.set(key, toJs(value));
    return *this;
  }
  operator val() const { return out_; }  // NOLINT(google-explicit-constructor): the point of it
  val value() const { return out_; }

 private:
  val out_ = val::object();
};

}  // namespace latefuse::bindings
