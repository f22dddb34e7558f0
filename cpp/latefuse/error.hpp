// Errors the core raises. Every message says what is wrong and what to do about it; the
// bindings turn each type into a JavaScript Error with the matching `name`.
#pragma once
#include <stdexcept>
#include <string>

namespace latefuse {

// The caller's data or options cannot be used as given (wrong size, NaN, negative time, ...).
class InputError : public std::invalid_argument {
 public:
  explicit InputError(const std::string& message) : std::invalid_argument(message) {}
};

// The data are valid but the requested statistic does not exist for them (no events, ...).
class ModelError : public std::runtime_error {
 public:
  explicit ModelError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace latefuse
