// Every fitted model (submodel, integrator, early fusion) holds one fit, its outcome family's
// (fusion.hpp FittedModel, outcome_family.hpp): the family that fitted it reads it, the model file
// gives it back as the same alternative with the same numbers, and asking for another family's fit
// is an internal error rather than a read of an empty fit.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>

#include "fixtures.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/outcome_family.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

std::vector<int> everyRow(const Cohort& c) {
  std::vector<int> rows(static_cast<size_t>(c.x.rows()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int>(i);
  return rows;
}

// The fits of every model struct of `fm`, named for messages.
std::vector<std::pair<std::string, const FittedModel*>> fitsOf(const FusionModel& fm) {
  std::vector<std::pair<std::string, const FittedModel*>> out;
  for (const ModalityModel& mm : fm.models) out.emplace_back("submodel " + mm.name, &mm.fit);
  for (const Integrator& in : fm.integrators) out.emplace_back("integrator " + std::to_string(in.pattern), &in.fit);
  if (fm.early.fitted) out.emplace_back("early fusion", &fm.early.fit);
  return out;
}

// The message of the std::logic_error that `f` throws ("" when it throws none).
template <class F>
std::string logicErrorOf(F f) {
  try {
    f();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "";
}

struct Fitted {
  Cohort cohort;
  FusionModel model;
};

const Fitted& fitted(OutcomeType outcome) {
  static const Fitted binary = [] {
    Fitted f{cohortFromCsv("tests/data/sim_binary.csv", OutcomeType::Binary), {}};
    f.model = fitFusion(f.cohort, everyRow(f.cohort));
    return f;
  }();
  static const Fitted survival = [] {
    Fitted f{cohortFromCsv("tests/data/sim_survival.csv", OutcomeType::Survival), {}};
    f.model = fitFusion(f.cohort, everyRow(f.cohort));
    return f;
  }();
  return outcome == OutcomeType::Binary ? binary : survival;
}

}  // namespace

TEST(OutcomeFamilyFit, BinaryModelsHoldLogisticFits) {
  const FusionModel& fm = fitted(OutcomeType::Binary).model;
  ASSERT_TRUE(fm.early.fitted);
  ASSERT_FALSE(fm.integrators.empty());
  for (const auto& [name, fit] : fitsOf(fm)) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(std::holds_alternative<LogisticFit>(*fit));
    EXPECT_EQ(familyOfFit(*fit).type(), OutcomeType::Binary);
    EXPECT_GT(logisticFit(*fit).coef.size(), 1);  // the intercept, then the covariates
    const std::string message = logicErrorOf([&] { (void)coxFit(*fit); });
    EXPECT_NE(message.find("Cox (survival) fit of a model of the binary family"), std::string::npos) << message;
    // The survival family reading a binary fit: an error, not the numbers of an empty Cox fit.
    EXPECT_NE(logicErrorOf([&] { (void)outcomeFamily(OutcomeType::Survival).events(*fit); }), "");
  }
}

TEST(OutcomeFamilyFit, SurvivalModelsHoldCoxFits) {
  const FusionModel& fm = fitted(OutcomeType::Survival).model;
  ASSERT_TRUE(fm.early.fitted);
  ASSERT_FALSE(fm.integrators.empty());
  for (const auto& [name, fit] : fitsOf(fm)) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(std::holds_alternative<CoxFit>(*fit));
    EXPECT_EQ(familyOfFit(*fit).type(), OutcomeType::Survival);
    EXPECT_GT(coxFit(*fit).events, 0);
    const std::string message = logicErrorOf([&] { (void)logisticFit(*fit); });
    EXPECT_NE(message.find("logistic (binary) fit of a model of the survival family"), std::string::npos) << message;
    EXPECT_NE(logicErrorOf([&] { (void)outcomeFamily(OutcomeType::Binary).intercept(*fit); }), "");
  }
}

// The model file writes each model's fit under its family's key and reads it back as the same
// alternative, with the coefficients bit for bit.
TEST(OutcomeFamilyFit, ModelFileKeepsTheFamilysFit) {
  for (OutcomeType outcome : {OutcomeType::Binary, OutcomeType::Survival}) {
    const Fitted& f = fitted(outcome);
    SCOPED_TRACE(outcomeTypeName(outcome));
    const LoadedModel lm = loadModel(fusionModelToJson(f.model, trainingExtras(f.model, f.cohort, everyRow(f.cohort))));
    const auto before = fitsOf(f.model), after = fitsOf(lm.model);
    ASSERT_EQ(after.size(), before.size());
    const OutcomeFamily& family = outcomeFamily(outcome);
    for (size_t k = 0; k < before.size(); ++k) {
      SCOPED_TRACE(before[k].first);
      EXPECT_EQ(after[k].second->index(), before[k].second->index());
      EXPECT_EQ(&familyOfFit(*after[k].second), &family);
      EXPECT_EQ(family.coefficients(*after[k].second), family.coefficients(*before[k].second));
      EXPECT_EQ(family.events(*after[k].second), family.events(*before[k].second));
    }
  }
}
