// Categorical feature columns: one-hot encoding with a reference level, fitted on the
// training patients only.
//
// A categorical column arrives as level codes: `levels` are its distinct texts in sorted (byte)
// order and a patient's code is the index of their level (NaN = missing). The encoding keeps every
// level and drops the REFERENCE level: the most frequent level among the training patients, ties
// broken by the first level in sorted order (a level seen only outside the training rows is kept;
// its dummy is 0 for every training patient). The dummies are named
// "<column>=<level>", one per non-reference level in sorted order, and take the column's place in
// its modality. Dummy value: 1 when the patient's level is that level, 0 otherwise; NaN for all
// dummies when the cell is missing (the modality's imputation then applies, as to any column).
// Scoring a level the encoding has never seen: all dummies 0 (the patient is scored as the
// reference level) and a note naming the patient, column and level (web/lib/model.js).
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace latefuse {

struct Cohort;

struct CategoricalEncoding {
  std::string column;               // the raw column's name
  std::vector<std::string> levels;  // sorted, distinct, at least 2
  std::string reference;            // one of levels; has no dummy
  // "<column>=<level>" for every non-reference level, in `levels` order.
  std::vector<std::string> dummies() const;
};

// A categorical column of a Cohort: its index in Cohort::columns (the x column holds level codes).
struct CategoricalColumn {
  int column = 0;
  std::vector<std::string> levels;  // sorted, distinct
};

// The dummies of a column by an encoding (fitted here or read from a model file): one column per
// entry of e.dummies(), one row per cell. `levels` holds the cells' texts as given (no trimming);
// codes index into it (NaN = missing: every dummy NaN). A text the encoding has never seen is
// scored as the reference level (all dummies 0) and its row listed in `unseen`, increasing.
struct EncodedDummies {
  Eigen::MatrixXd values;
  std::vector<Eigen::Index> unseen;
};
EncodedDummies applyEncoding(const CategoricalEncoding& e, const std::vector<std::string>& levels, const Eigen::VectorXd& codes);

// Fit the encoding on `rows` (codes: NaN = missing, else 0..levels-1). Throws InputError when the
// levels are not sorted and distinct, a code is out of range, fewer than 2 levels, or no row has a level.
CategoricalEncoding fitCategoricalEncoding(const std::string& column, const std::vector<std::string>& levels,
                                           const Eigen::VectorXd& codes, const std::vector<int>& rows);

// The cohort with every categorical column replaced, in place, by its dummies (same modality);
// the encodings (fitted on `trainRows`) are appended to `encodings`, in column order.
Cohort encodeCohort(const Cohort& cohort, const std::vector<CategoricalColumn>& categorical, const std::vector<int>& trainRows,
                    std::vector<CategoricalEncoding>& encodings);

}  // namespace latefuse
