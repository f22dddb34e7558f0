// The outcome family: everything that differs between outcome types, in one object per type, as
// R's glm family objects carry what differs between a binomial and a Gaussian model. The fusion
// engine (fusion.cpp) and the evaluation report (fusion_report*.cpp) ask the family instead of
// branching on the outcome:
//   * the data: the outcome's validation, the pseudo survival time of a row, when a model cannot be
//     fitted (no events; no cases or no controls);
//   * the fit and its linear predictor: ridge Cox or ridge logistic (fusion.hpp: parameterisations),
//     the intercept, a term's share of the linear predictor, the predicted risk (1 - S(t) or the
//     probability), univariate screening, coefficient tables (hazard or odds ratios);
//   * the report: the discrimination metric (Harrell's C, or the AUC as C on the pseudo survival
//     data), the outcome's own metrics (Uno's C, AUC(t), IBS; or DeLong's CI, Brier score and
//     logistic calibration), the risk-group summary and test (Kaplan–Meier and log-rank; or
//     proportions and Pearson's chi-square), the decision curve, and their JSON.
// Each model struct (ModalityModel, Integrator, EarlyFusionModel) holds one FittedModel (fusion.hpp),
// a std::variant with one alternative per family (CoxFit, LogisticFit): the family's fit() stores its
// own alternative there and its other methods read it back (coxFit / logisticFit, which throw
// std::logic_error on another family's fit); familyOfFit tells which family fitted a model.
// Adding a family: docs/architecture.md ("Adding an outcome family").
#pragma once
#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/cox.hpp"
#include "latefuse/feature_selection.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_decision_curve.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

// What the report's metrics of one subset are computed against (fusion_report.hpp).
struct MetricPlan {
  const SurvivalData* train = nullptr;  // the training patients (IPCW censoring distribution)
  Eigen::VectorXd horizons, ibsTimes;
  double tau = 0;
  const EvaluationOptions* options = nullptr;
};

class OutcomeFamily {
 public:
  virtual ~OutcomeFamily() = default;
  virtual OutcomeType type() const = 0;
  virtual const char* name() const = 0;  // "survival", "binary"

  // ---- data ------------------------------------------------------------------------------------
  // InputError unless the cohort has the outcome vector(s) for every patient.
  virtual void checkCohortOutcome(const Cohort& c) const = 0;
  // InputError naming the first training row whose outcome is unusable.
  virtual void validateTraining(const Cohort& c, const std::vector<int>& trainRows) const = 0;
  // InputError for fusion settings the family has no meaning for.
  virtual void validateFusionOptions(const FusionOptions& o) const = 0;
  // The time of `row` in the survival view of the cohort (survivalRows).
  virtual double survivalTime(const Cohort& c, int row) const = 0;
  // ModelError when a submodel of `modality` cannot be fitted on patients with outcomes y.
  virtual void checkSubmodelOutcome(const Eigen::VectorXd& y, const std::string& modality) const = 0;
  // What patients with outcomes y lack for a model to be fitted ("no events"); "" when nothing.
  virtual std::string missingOutcome(const Eigen::VectorXd& y) const = 0;

  // ---- fit and linear predictor ----------------------------------------------------------------
  virtual void fit(FittedModel& out, const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const RidgeOptions& ridge,
                   Ties ties, const std::vector<std::string>& names) const = 0;
  virtual const std::vector<std::string>& fitWarnings(const FittedModel& f) const = 0;
  virtual FeatureScreen screen(const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                               const ScreeningOptions& o) const = 0;
  // The linear predictor for new rows x (Cox: (x - means)' beta; logistic: x' beta, plus the
  // intercept when withIntercept).
  virtual Eigen::VectorXd linearPredictor(const FittedModel& f, const Eigen::MatrixXd& x, bool withIntercept) const = 0;
  // The linear predictor of the rows the model was fitted on (x), without the intercept.
  virtual Eigen::VectorXd trainingLinearPredictor(const FittedModel& f, const Eigen::MatrixXd& x) const = 0;
  virtual double intercept(const FittedModel& f) const = 0;  // 0 without one
  // Term j's share of the linear predictor for the covariate value s (fusion.hpp: contributions).
  virtual double contribution(const FittedModel& f, Eigen::Index j, double s) const = 0;
  // The predicted risk for a full linear predictor: 1 - S(horizon | lp), or the probability.
  virtual double risk(const FittedModel& f, double lp, double horizon) const = 0;
  // The risk from the linear predictor alone (no horizon): the probability; NaN for survival.
  virtual double probability(double lp) const = 0;
  virtual Eigen::VectorXd coefficients(const FittedModel& f) const = 0;  // as in the model (intercept first)
  virtual int events(const FittedModel& f) const = 0;                    // events, or cases (y = 1)
  virtual CoefficientTable coefficientTable(std::string model, std::string kind, const FittedModel& f, std::vector<std::string> terms,
                                            double confLevel) const = 0;

  // ---- evaluation report -----------------------------------------------------------------------
  virtual void validateEvaluation(const Cohort& c, const EvaluationOptions& o) const = 0;
  // ModelError when the split leaves a set without what a fit or the discrimination metric needs.
  virtual void checkSplit(int trainEvents, size_t trainPatients, int testEvents, size_t testPatients) const = 0;
  // The report's horizons, tau and IBS grid.
  virtual void setTimes(FusionReport& rep, const EvaluationOptions& o, const SurvivalData& train) const = 0;
  // Whether the discrimination metric exists for n patients with `events` events (cases), and why not.
  virtual bool discriminates(int n, int events) const = 0;
  virtual const char* noDiscrimination() const = 0;  // follows "<n> patients with <events>"
  virtual void countOutcomes(SubsetMetrics& r) const = 0;
  // The family's metrics beyond C, on one subset: `survival` rows x plan.ibsTimes, `lp` the full
  // linear predictors (binary: log-odds).
  virtual void outcomeMetrics(SubsetMetrics& r, const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score,
                              const Eigen::MatrixXd& survival, const Eigen::VectorXd& lp, const std::string& what) const = 0;
  virtual RiskGroupSet summarizeGroups(const SurvivalData& d, const Eigen::VectorXi& g, int groups, const Eigen::VectorXd& horizons,
                                       double confLevel, const std::string& what) const = 0;
  virtual double groupTestP(const SurvivalData& d, const Eigen::VectorXi& g) const = 0;  // two groups (optimistic search)
  virtual const char* groupTestName() const = 0;                                         // "log-rank", "chi-square"
  virtual double decisionHorizon(const FusionReport& rep) const = 0;
  virtual FusionDecisionCurves decisionCurves(const SurvivalData& test, const std::vector<ModelRisk>& risks,
                                              const std::vector<Eigen::Index>& commonAt, double horizon,
                                              const FusionDecisionOptions& o) const = 0;

  // ---- report JSON -----------------------------------------------------------------------------
  virtual nlohmann::json subsetJson(const SubsetMetrics& s) const = 0;
  virtual nlohmann::json groupSetJson(const RiskGroupSet& set, const Eigen::VectorXd& horizons) const = 0;
  virtual nlohmann::json coefficientJson(const std::string& term, const CoefficientRow& r) const = 0;
  // The report's outcome-specific sections ("follow_up", "survival_metrics_note").
  virtual void addReportSections(nlohmann::json& out, const FusionReport& rep, const Cohort& c) const = 0;
  virtual const char* direction() const = 0;     // settings.direction
  virtual const char* stratifiedOn() const = 0;  // cross_fitting.stratified_on
};

// The family of an outcome type (one static instance each).
const OutcomeFamily& outcomeFamily(OutcomeType type);
// The family that fitted a model (the alternative it holds).
const OutcomeFamily& familyOfFit(const FittedModel& f);

}  // namespace latefuse
