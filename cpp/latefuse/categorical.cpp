#include "latefuse/categorical.hpp"

#include <cmath>
#include <limits>

#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"

namespace latefuse {

std::vector<std::string> CategoricalEncoding::dummies() const {
  std::vector<std::string> out;
  for (const auto& l : levels)
    if (l != reference) out.push_back(column + "=" + l);
  return out;
}

CategoricalEncoding fitCategoricalEncoding(const std::string& column, const std::vector<std::string>& levels,
                                           const Eigen::VectorXd& codes, const std::vector<int>& rows) {
  if (levels.size() < 2)
    throw InputError("categorical column '" + column + "' has " + std::to_string(levels.size()) +
                     " level; a categorical feature needs at least 2 levels (drop the column)");
  for (size_t k = 1; k < levels.size(); ++k)
    if (!(levels[k - 1] < levels[k]))
      throw InputError("categorical column '" + column + "': levels must be distinct and sorted; '" + levels[k - 1] + "' comes before '" + levels[k] + "'");
  std::vector<long long> count(levels.size(), 0);
  for (int r : rows) {
    if (r < 0 || r >= codes.size()) throw InputError("categorical column '" + column + "': row " + std::to_string(r) + " is out of range");
    const double v = codes(r);
    if (std::isnan(v)) continue;
    if (!(v >= 0 && v < static_cast<double>(levels.size())) || std::floor(v) != v)
      throw InputError("categorical column '" + column + "': level code " + std::to_string(v) + " is not one of 0.." + std::to_string(levels.size() - 1));
    ++count[static_cast<size_t>(v)];
  }
  size_t best = 0;
  for (size_t k = 1; k < levels.size(); ++k)
    if (count[k] > count[best]) best = k;  // strict: ties keep the first level in sorted order
  if (count[best] == 0) throw InputError("categorical column '" + column + "': no training patient has a value");
  return {column, levels, levels[best]};
}

EncodedDummies applyEncoding(const CategoricalEncoding& e, const std::vector<std::string>& levels, const Eigen::VectorXd& codes) {
  // Each given text's dummy column (-1: the reference level or a text never seen, all dummies 0).
  std::vector<Eigen::Index> dummyOf(levels.size(), -1);
  std::vector<char> known(levels.size(), 0);
  Eigen::Index k = 0;
  for (const std::string& level : e.levels) {
    const bool reference = level == e.reference;
    for (size_t j = 0; j < levels.size(); ++j) {
      if (levels[j] != level) continue;
      known[j] = 1;
      if (!reference) dummyOf[j] = k;
    }
    if (!reference) ++k;
  }
  EncodedDummies out;
  out.values = Eigen::MatrixXd::Zero(codes.size(), k);
  for (Eigen::Index i = 0; i < codes.size(); ++i) {
    const double v = codes(i);
    if (std::isnan(v)) {
      out.values.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    if (!(v >= 0 && v < static_cast<double>(levels.size())) || std::floor(v) != v)
      throw InputError("categorical column '" + e.column + "': level code " + std::to_string(v) + " is not one of 0.." +
                       std::to_string(levels.size() - 1));
    const size_t j = static_cast<size_t>(v);
    if (dummyOf[j] >= 0) out.values(i, dummyOf[j]) = 1;
    else if (!known[j]) out.unseen.push_back(i);
  }
  return out;
}

Cohort encodeCohort(const Cohort& c, const std::vector<CategoricalColumn>& categorical, const std::vector<int>& trainRows,
                    std::vector<CategoricalEncoding>& encodings) {
  const Eigen::Index n = c.x.rows();
  std::vector<const CategoricalColumn*> spec(c.columns.size(), nullptr);
  for (const auto& cc : categorical) {
    if (cc.column < 0 || static_cast<size_t>(cc.column) >= c.columns.size())
      throw InputError("categorical column index " + std::to_string(cc.column) + " is out of range");
    if (spec[static_cast<size_t>(cc.column)]) throw InputError("categorical column '" + c.columns[static_cast<size_t>(cc.column)] + "' is given twice");
    spec[static_cast<size_t>(cc.column)] = &cc;
  }
  Cohort out;
  out.ids = c.ids;
  out.time = c.time;
  out.event = c.event;
  out.modalities = c.modalities;
  std::vector<Eigen::VectorXd> cols;
  for (size_t j = 0; j < c.columns.size(); ++j) {
    const Eigen::VectorXd x = c.x.col(static_cast<Eigen::Index>(j));
    if (!spec[j]) {
      cols.push_back(x);
      out.columns.push_back(c.columns[j]);
      out.columnModality.push_back(c.columnModality[j]);
      continue;
    }
    CategoricalEncoding e = fitCategoricalEncoding(c.columns[j], spec[j]->levels, x, trainRows);
    const EncodedDummies d = applyEncoding(e, e.levels, x);
    const std::vector<std::string> names = e.dummies();
    for (size_t k = 0; k < names.size(); ++k) {
      cols.push_back(d.values.col(static_cast<Eigen::Index>(k)));
      out.columns.push_back(names[k]);
      out.columnModality.push_back(c.columnModality[j]);
    }
    encodings.push_back(std::move(e));
  }
  out.x.resize(n, static_cast<Eigen::Index>(cols.size()));
  for (size_t j = 0; j < cols.size(); ++j) out.x.col(static_cast<Eigen::Index>(j)) = cols[j];
  return out;
}

}  // namespace latefuse
