// The steps of the late-fusion engine as the user knows them. An error raised deep inside a step
// (a Cox fit, a rank correlation, ...) speaks of that function's own inputs; inStep re-throws it,
// same type, with the step and modality in front of the message and in its ErrorContext
// (error.hpp), so that the message names the user's modality and step and the caller can map
// the patient's cohort row back to the row of the user's file (web/lib/fusion_report.js).
#pragma once
#include <string>
#include <utility>

#include "latefuse/error.hpp"

namespace latefuse {

// `where` (outer) around `inner`: the outer step first, the innermost modality, column and row.
inline ErrorContext nestContext(const ErrorContext& where, const ErrorContext& inner) {
  ErrorContext out = inner;
  if (!where.step.empty()) out.step = inner.step.empty() ? where.step : where.step + " / " + inner.step;
  if (out.modality.empty()) out.modality = where.modality;
  if (out.column.empty()) out.column = where.column;
  if (out.row < 0) out.row = where.row;
  return out;
}

// "<step>, modality '<m>': <message>" (the modality only when the inner message does not carry it).
inline std::string inStepMessage(const ErrorContext& where, const ErrorContext& inner, const std::string& message) {
  std::string prefix = where.step;
  if (!where.modality.empty() && inner.modality != where.modality)
    prefix += (prefix.empty() ? "" : ", ") + std::string("modality '") + where.modality + "'";
  return prefix.empty() ? message : prefix + ": " + message;
}

// Run one step; an InputError or ModelError leaving it is re-thrown with the step's context.
template <typename F>
decltype(auto) inStep(const ErrorContext& where, F&& step) {
  try {
    return std::forward<F>(step)();
  } catch (const InputError& e) {
    throw InputError(inStepMessage(where, e.context(), e.what()), nestContext(where, e.context()));
  } catch (const ModelError& e) {
    throw ModelError(inStepMessage(where, e.context(), e.what()), nestContext(where, e.context()));
  }
}

}  // namespace latefuse
