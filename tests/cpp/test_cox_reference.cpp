// Cox parity with the R 4.2.2 / survival 3.5-3 output in tests/golden/ref_lung_veteran.txt.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "latefuse/cox.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

// lung complete cases on time, status, age, sex, ph.ecog (227 rows; row 14 dropped), event = status == 2.
LungCases lung() { return lungCompleteCases({"age", "sex", "ph.ecog"}); }

// coxph(Surv(time, status == 2) ~ age + sex + ph.ecog, lung, ties = ..., robust = TRUE).
CoxFit robustLungFit(Ties ties) {
  const LungCases L = lung();
  CoxOptions o;
  o.ties = ties;
  o.robust = true;
  return fitCox(L.data, L.x, o);
}

// What R gives for both ties methods: the fit, and survfit of it at x = (60, 2, 1), t = 180 and 365.
struct LungRobustReference {
  Eigen::Vector3d coef, se, robustSe;
  double loglikInit, loglik;
  Eigen::Vector2d surv, survSe;  // at x = (60, 2, 1)
};

void expectMatchesR(const CoxFit& f, const LungRobustReference& r) {
  EXPECT_VEC_REL(f.coef, r.coef, 1e-6);
  EXPECT_VEC_REL(f.se, r.se, 1e-6);
  EXPECT_VEC_REL(f.robustSe, r.robustSe, 1e-6);
  EXPECT_NEAR(f.loglikInit, r.loglikInit, 1e-6);
  EXPECT_NEAR(f.loglik, r.loglik, 1e-6);
  const auto s = predictSurvival(f, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(s.surv, r.surv, 1e-8);
  EXPECT_VEC_REL(s.se, r.survSe, 1e-7);
}

}  // namespace

TEST(CoxReference, LungEfron) {
  ASSERT_EQ(lung().data.size(), 227);
  const CoxFit f = robustLungFit(Ties::Efron);
  expectMatchesR(f, {{0.01106676456, -0.5526123957, 0.4637284754},
                     {0.009267411014, 0.1677390538, 0.1135772662},
                     {0.00988139278, 0.164748428, 0.1241588486},
                     -744.4804558,
                     -729.2301214,
                     {0.804994342, 0.5337438342},
                     {0.03103959577, 0.05150316978}});
  EXPECT_EQ(f.iterations, 3);
  EXPECT_REL(f.lrTest, 30.50066877, 1e-8);
  EXPECT_REL(f.scoreTest, 30.4999227, 1e-8);
  EXPECT_REL(f.waldTest, 29.92925121, 1e-8);
  EXPECT_REL(f.robustWaldTest, 23.80229142, 1e-8);
  EXPECT_REL(f.robustScoreTest, 27.42629586, 1e-8);
  EXPECT_REL(f.lrP, 1.082817699e-06, 1e-8);
  EXPECT_VEC_REL(f.means, (Eigen::Vector3d(62.45814978, 1.396475771, 0.9515418502)), 1e-9);
  EXPECT_NEAR(f.concordance.c, 0.637135493, 1e-9);
  EXPECT_EQ(f.concordance.concordant, 12544);
  EXPECT_EQ(f.concordance.discordant, 7117);
  EXPECT_EQ(f.concordance.tiedScore, 126);
  EXPECT_EQ(f.concordance.tiedTime, 28);
  EXPECT_EQ(f.concordance.tiedTimeScore, 0);
  const auto s = predictSurvival(f, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(s.lower, (Eigen::Vector2d(0.7463998424, 0.4417706735)), 1e-7);
  EXPECT_VEC_REL(s.upper, (Eigen::Vector2d(0.8681886756, 0.6448650796)), 1e-7);
  const auto m = predictSurvival(f, f.means, Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(m.surv, (Eigen::Vector2d(0.7376929559, 0.414560397)), 1e-8);
}

TEST(CoxReference, LungBreslow) {
  expectMatchesR(robustLungFit(Ties::Breslow), {{0.01104113635, -0.5518895698, 0.4629470406},
                                                {0.009266770114, 0.167742448, 0.1135740521},
                                                {0.009861406193, 0.1644835494, 0.1239634528},
                                                -744.6928193,
                                                -729.4887052,
                                                {0.8052372401, 0.5341173649},
                                                {0.03100851189, 0.05147655226}});
}

TEST(CoxReference, LungLifelinesPenalizer) {
  const LungCases L = lung();
  CoxOptions o;
  o.penalizer = 0.5;
  const CoxFit f = fitCox(L.data, L.x, o);
  EXPECT_NEAR(f.theta, 113.5, 1e-12);
  EXPECT_VEC_REL(f.coef, (Eigen::Vector3d(0.007920336611, -0.3095925712, 0.2664375224)), 1e-6);
  // lifelines 0.26.3 params_ (its Newton stops short of the optimum by ~1e-5 relative).
  EXPECT_VEC_REL(f.coef, (Eigen::Vector3d(0.0079202912, -0.3095913817, 0.2664376819)), 1e-4);
  EXPECT_VEC_REL(f.se, (Eigen::Vector3d(0.00684089975, 0.1236955863, 0.08580521011)), 1e-6);
  EXPECT_NEAR(f.loglik, -731.9006566, 1e-6);
  EXPECT_NEAR(f.penalty, 3.677704637, 1e-7);
  EXPECT_NEAR(f.loglik - f.penalty, -735.5783613, 1e-6);
}

TEST(CoxReference, LungSurvivalAtTimesEqualsPredictSurvival) {
  // The batch prediction equals R's survfit for the same x (checked through predictSurvival above).
  const LungCases L = lung();
  const CoxFit f = fitCox(L.data, L.x, {});
  const Eigen::Vector2d times(180, 365);
  const Eigen::MatrixXd s = survivalAtTimes(f, f.linearPredictor, Eigen::VectorXi(), times);
  ASSERT_EQ(s.rows(), 227);
  for (Eigen::Index i : {0, 57, 226}) {
    const auto one = predictSurvival(f, L.x.row(i).transpose(), times);
    EXPECT_NEAR(s(i, 0), one.surv(0), 1e-14);
    EXPECT_NEAR(s(i, 1), one.surv(1), 1e-14);
  }
  // x = (60, 2, 1): R survfit S = 0.804994342, 0.5337438342.
  const Eigen::VectorXd lp = (Eigen::RowVector3d(60, 2, 1) - f.means.transpose()) * f.coef;
  const Eigen::MatrixXd r = survivalAtTimes(f, lp, Eigen::VectorXi(), times);
  EXPECT_NEAR(r(0, 0), 0.804994342, 1e-9);
  EXPECT_NEAR(r(0, 1), 0.5337438342, 1e-9);
}
