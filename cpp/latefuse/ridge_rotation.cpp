#include "latefuse/ridge_rotation.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>

#include "latefuse/linalg.hpp"

namespace latefuse {

RidgeRotation rotateRidgeDesign(const Eigen::MatrixXd& xtT) {
  const Eigen::Index n = xtT.cols();
  // Xt Xt' = (Xt')' (Xt'): the Gram kernel over the p rows of Xt', lower triangle.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(n, n);
  addWeightedGramLower(xtT, nullptr, gram);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram, Eigen::ComputeEigenvectors);
  const Eigen::VectorXd& values = eig.eigenvalues();  // ascending
  const double top = n ? std::max(0.0, values(n - 1)) : 0.0;
  Eigen::Index first = 0;
  while (first < n && !(values(first) > kRotationRankTolerance * top)) ++first;
  const Eigen::Index r = n - first;
  RidgeRotation rot;
  // Largest eigenvalue first, so the rotated columns come in order of importance.
  rot.lambda = values.tail(r).reverse();
  rot.u = eig.eigenvectors().rightCols(r).rowwise().reverse();
  rot.z = rot.u * rot.lambda.cwiseSqrt().asDiagonal();
  rot.toCoef = rot.u * rot.lambda.cwiseSqrt().cwiseInverse().asDiagonal();
  return rot;
}

Eigen::VectorXd rotateBack(const RidgeRotation& rotation, const Eigen::MatrixXd& xtT, const Eigen::VectorXd& theta) {
  return xtT * (rotation.toCoef * theta);
}

Eigen::VectorXd rotatedVarianceDiagonal(const RidgeRotation& rotation, const Eigen::MatrixXd& xtT,
                                        const Eigen::MatrixXd& g, double lambda) {
  const Eigen::Index r = rotation.lambda.size(), p = xtT.rows();
  Eigen::MatrixXd gm = g - Eigen::MatrixXd::Identity(r, r) / lambda;
  const Eigen::VectorXd s = rotation.lambda.cwiseSqrt().cwiseInverse();
  const Eigen::MatrixXd m = s.asDiagonal() * gm * s.asDiagonal();
  // M = E diag(mu) E': var(u_j) = 1 / lambda + sum_k mu_k (x_j' U E_k)^2, with x_j' U E = row j of Xt' B.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (m + m.transpose()));
  const Eigen::MatrixXd b = rotation.u * eig.eigenvectors();  // n x r
  const Eigen::VectorXd& mu = eig.eigenvalues();
  Eigen::VectorXd out(p);
  constexpr Eigen::Index kRows = 256;  // Xt' B in row blocks: no p x r temporary
  for (Eigen::Index j0 = 0; j0 < p; j0 += kRows) {
    const Eigen::Index rows = std::min(kRows, p - j0);
    const Eigen::MatrixXd y = xtT.middleRows(j0, rows) * b;
    for (Eigen::Index j = 0; j < rows; ++j)
      out(j0 + j) = std::max(0.0, 1.0 / lambda + (y.row(j).array().square() * mu.transpose().array()).sum());
  }
  return out;
}

}  // namespace latefuse
