// embind entry points for one categorical column's one-hot encoding (cpp/latefuse/categorical.hpp):
// conversion only (convert.hpp). The single Cox model uses encodeCategorical so that a text column gets the
// reference level and dummies late fusion gives it (encodeCohort, the same code); scoring uses
// applyEncoding for the dummies of a model file's encoding.
#include <vector>

#include "convert.hpp"
#include "guard.hpp"
#include "latefuse/categorical.hpp"
#include "latefuse/fusion.hpp"

namespace latefuse::bindings {
namespace {

// input: {column, levels: [text...] sorted and distinct, codes: Float64Array (NaN = missing),
// rows?: Int32Array (the patients the encoding is fitted on; default all)}
// -> {column, levels, reference, dummies: [name...], values: [Float64Array per dummy]}
val encodeCategoricalJs(val input) {
  Cohort c;
  const Eigen::VectorXd codes = toVector(input["codes"]);
  const Eigen::Index n = codes.size();
  c.x = Eigen::MatrixXd(n, 1);
  c.x.col(0) = codes;
  c.time = Eigen::VectorXd::Zero(n);
  c.event = Eigen::VectorXd::Zero(n);
  c.ids.resize(static_cast<size_t>(n));
  c.columns = {input["column"].as<std::string>()};
  c.columnModality = {0};
  c.modalities = {"m"};
  std::vector<int> rows;
  if (has(input, "rows")) {
    const Eigen::VectorXi r = toIntVector(input["rows"]);
    rows.assign(r.data(), r.data() + r.size());
  } else {
    for (Eigen::Index i = 0; i < n; ++i) rows.push_back(static_cast<int>(i));
  }
  std::vector<CategoricalEncoding> encodings;
  const Cohort encoded = encodeCohort(c, {CategoricalColumn{0, toStrings(input["levels"])}}, rows, encodings);
  const CategoricalEncoding& e = encodings.at(0);
  return Object()("column", e.column)("levels", e.levels)("reference", e.reference)("dummies", e.dummies())(
      "values", typedColumns(encoded.x));
}

// input: {encoding: {column, levels, reference}, levels: [text...] (the cells' texts), codes: Float64Array
// (index into levels, NaN = missing)} -> {dummies: [name...], values: [Float64Array per dummy], unseen: Int32Array}
val applyEncodingJs(val input) {
  const val e = input["encoding"];
  const CategoricalEncoding encoding{e["column"].as<std::string>(), toStrings(e["levels"]), e["reference"].as<std::string>()};
  const EncodedDummies d = applyEncoding(encoding, toStrings(input["levels"]), toVector(input["codes"]));
  const std::vector<int> unseen(d.unseen.begin(), d.unseen.end());
  return Object()("dummies", encoding.dummies())("values", typedColumns(d.values))("unseen", typed(unseen));
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_categorical) {
  using namespace latefuse::bindings;
  emscripten::function("encodeCategorical", &Guard<&encodeCategoricalJs>::call);
  emscripten::function("applyEncoding", &Guard<&applyEncodingJs>::call);
}
