#include "latefuse/folds.hpp"

#include <string>
#include <vector>

#include "latefuse/error.hpp"
#include "latefuse/random.hpp"

namespace latefuse {
namespace {

void checkCount(Eigen::Index n, int folds) {
  if (folds < 2)
    throw InputError("cross-validation needs at least 2 folds, got " + std::to_string(folds));
  if (folds > n)
    throw InputError("cross-validation: " + std::to_string(folds) + " folds need at least that many rows, got " +
                     std::to_string(n) + "; use fewer folds");
}

}  // namespace

Eigen::VectorXi assignFolds(Eigen::Index n, int folds, uint64_t seed) {
  checkCount(n, folds);
  std::vector<int> labels(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = static_cast<int>(i % folds);
  Random rng(seed);
  rng.shuffle(labels);
  return Eigen::Map<const Eigen::VectorXi>(labels.data(), n);
}

Eigen::VectorXi assignFoldsStratified(const Eigen::VectorXd& event, int folds, uint64_t seed) {
  const Eigen::Index n = event.size();
  checkCount(n, folds);
  std::vector<int> events, censored;
  for (Eigen::Index i = 0; i < n; ++i) (event(i) == 1 ? events : censored).push_back(static_cast<int>(i));
  Random rng(seed);
  // Shuffle which rows come first, then deal labels cyclically: events first, censored continuing.
  rng.shuffle(events);
  rng.shuffle(censored);
  // Deal the label cycle starting at a random offset so fold 0 is not always the largest.
  std::vector<int> offsetLabels(static_cast<size_t>(folds));
  for (int k = 0; k < folds; ++k) offsetLabels[static_cast<size_t>(k)] = k;
  rng.shuffle(offsetLabels);
  Eigen::VectorXi out(n);
  size_t position = 0;
  for (int i : events) out(i) = offsetLabels[position++ % static_cast<size_t>(folds)];
  for (int i : censored) out(i) = offsetLabels[position++ % static_cast<size_t>(folds)];
  return out;
}

int checkFolds(const Eigen::VectorXi& foldId, Eigen::Index n) {
  if (foldId.size() != n)
    throw InputError("cross-validation: fold labels have " + std::to_string(foldId.size()) + " values but there are " +
                     std::to_string(n) + " rows; give one fold label per row");
  if (n == 0) throw InputError("cross-validation: no rows");
  for (Eigen::Index i = 0; i < n; ++i)
    if (foldId(i) < 0)
      throw InputError("cross-validation: fold label at row " + std::to_string(i + 1) + " is negative (" +
                       std::to_string(foldId(i)) + "); labels are 0, 1, ..., K-1");
  const int folds = foldId.maxCoeff() + 1;
  std::vector<int> size(static_cast<size_t>(folds), 0);
  for (Eigen::Index i = 0; i < n; ++i) ++size[static_cast<size_t>(foldId(i))];
  for (int k = 0; k < folds; ++k)
    if (size[static_cast<size_t>(k)] == 0)
      throw InputError("cross-validation: fold " + std::to_string(k) + " has no rows; labels must be 0, 1, ..., K-1 with every fold used");
  if (folds < 2) throw InputError("cross-validation needs at least 2 folds; all rows have label 0");
  return folds;
}

}  // namespace latefuse
