// Errors the core raises. Every message says what is wrong and what to do about it; the
// bindings turn each type into a JavaScript Error with the matching `name`.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

namespace latefuse {

// Where an error arose, in the caller's terms: the step of an analysis (e.g. "cross-fitting fold 2
// of 5"), the modality, the column and the patient (the row of the cohort the caller gave, so the
// caller can name that patient's row in its own files). The late-fusion engine fills it in as an
// error passes through its steps (fusion_context.hpp); the bindings hand it to JavaScript.
struct ErrorContext {
  std::string step;
  std::string modality;
  std::string column;
  long row = -1;  // 0-based cohort row of the patient concerned; -1 = none
};

// The caller's data or options cannot be used as given (wrong size, NaN, negative time, ...).
class InputError : public std::invalid_argument {
 public:
  explicit InputError(const std::string& message, ErrorContext context = {})
      : std::invalid_argument(message), context_(std::move(context)) {}
  const ErrorContext& context() const { return context_; }

 private:
  ErrorContext context_;
};

// The data are valid but the requested statistic does not exist for them (no events, ...).
class ModelError : public std::runtime_error {
 public:
  explicit ModelError(const std::string& message, ErrorContext context = {})
      : std::runtime_error(message), context_(std::move(context)) {}
  const ErrorContext& context() const { return context_; }

 private:
  ErrorContext context_;
};

}  // namespace latefuse
