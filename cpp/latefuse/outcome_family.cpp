#include "latefuse/outcome_family.hpp"

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

const OutcomeFamily& familyOfFit(ConstFitSlots f) { return outcomeFamily(f.logit.coef.size() ? OutcomeType::Binary : OutcomeType::Survival); }

const char* outcomeTypeName(OutcomeType type) { return outcomeFamily(type).name(); }

}  // namespace latefuse
