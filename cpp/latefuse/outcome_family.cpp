#include "latefuse/outcome_family.hpp"

#include <stdexcept>
#include <string>
#include <variant>

namespace latefuse {

// Defined with their families (survival_family.cpp, binary_family.cpp).
const OutcomeFamily& survivalFamily();
const OutcomeFamily& binaryFamily();

const OutcomeFamily& outcomeFamily(OutcomeType type) {
  switch (type) {
    case OutcomeType::Binary: return binaryFamily();
    default: return survivalFamily();
  }
}

namespace {

// The outcome type of each alternative of FittedModel: a new family adds its overload (std::visit
// below does not compile without it).
OutcomeType outcomeOf(const CoxFit&) { return OutcomeType::Survival; }
OutcomeType outcomeOf(const LogisticFit&) { return OutcomeType::Binary; }

[[noreturn]] void wrongFamily(const FittedModel& f, const char* wanted) {
  throw std::logic_error(std::string("internal error: the ") + wanted + " fit of a model of the " + familyOfFit(f).name() +
                         " family was asked for");
}

}  // namespace

const OutcomeFamily& familyOfFit(const FittedModel& f) {
  return outcomeFamily(std::visit([](const auto& fit) { return outcomeOf(fit); }, f));
}

const CoxFit& coxFit(const FittedModel& f) {
  if (const CoxFit* fit = std::get_if<CoxFit>(&f)) return *fit;
  wrongFamily(f, "Cox (survival)");
}
CoxFit& coxFit(FittedModel& f) {
  if (CoxFit* fit = std::get_if<CoxFit>(&f)) return *fit;
  wrongFamily(f, "Cox (survival)");
}
const LogisticFit& logisticFit(const FittedModel& f) {
  if (const LogisticFit* fit = std::get_if<LogisticFit>(&f)) return *fit;
  wrongFamily(f, "logistic (binary)");
}
LogisticFit& logisticFit(FittedModel& f) {
  if (LogisticFit* fit = std::get_if<LogisticFit>(&f)) return *fit;
  wrongFamily(f, "logistic (binary)");
}

const char* outcomeTypeName(OutcomeType type) { return outcomeFamily(type).name(); }

}  // namespace latefuse
