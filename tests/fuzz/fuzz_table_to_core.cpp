// libFuzzer target: the table-to-core conversion, i.e. what the core does with the columns of a
// user's table: (a) scoring rows against a model (scoreWithModel: column names matched to the
// model's, any double including NaN/Inf/huge, ids, S(t) times, skip-unscorable), and (b) one-hot
// encoding categorical columns (encodeCohort: level lists and codes as sent by web/lib). Any input
// must give a result or an InputError/ModelError; anything else (crash, sanitizer report, other
// exception) is a finding. The model is fitted once, seeded, on a small simulated cohort.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "latefuse/categorical.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

namespace {

// Reads the fuzzer's bytes as a stream of small choices; past the end everything is 0.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  size_t below(size_t n) { return n ? byte() % n : 0; }
  double number() {
    switch (byte() % 8) {
      case 0: return std::nan("");
      case 1: return INFINITY;
      case 2: return -INFINITY;
      case 3: return 1e308;
      case 4: return static_cast<double>(static_cast<int8_t>(byte()));
      default: {
        double v = 0;
        uint8_t raw[8];
        for (uint8_t& b : raw) b = byte();
        std::memcpy(&v, raw, sizeof v);
        return v;
      }
    }
  }
  std::string text(size_t max) {
    std::string s;
    const size_t n = below(max + 1);
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

const latefuse::LoadedModel& model() {
  static const latefuse::LoadedModel lm = [] {
    latefuse::SimulationOptions so = latefuse::simulationPreset("hgsoc");
    latefuse::setCohortSize(so, 120);
    so.seed = 5;
    const latefuse::Cohort cohort = latefuse::cohortFromSimulation(latefuse::simulate(so));
    std::vector<int> train;
    for (int i = 0; i < 120; ++i) train.push_back(i);
    latefuse::FusionOptions o;
    o.minPatternSize = 10;
    latefuse::FusionModel fm = latefuse::fitFusion(cohort, train, o);
    latefuse::ModelExtras ex = latefuse::trainingExtras(fm, cohort, train, {12, 24});
    return latefuse::loadModel(latefuse::parseModelText(latefuse::modelText(latefuse::fusionModelToJson(fm, ex))));
  }();
  return lm;
}

void scoreRows(Bytes& in) {
  const latefuse::LoadedModel& lm = model();
  latefuse::ScoringData d;
  d.columns = lm.model.columns;
  // Drop, rename or duplicate a column now and then: the core must name it, not read past it.
  const size_t edit = in.below(8);
  if (edit == 1 && !d.columns.empty()) d.columns.erase(d.columns.begin() + static_cast<long>(in.below(d.columns.size())));
  if (edit == 2 && !d.columns.empty()) d.columns[in.below(d.columns.size())] = in.text(6);
  if (edit == 3 && !d.columns.empty()) d.columns.push_back(d.columns[in.below(d.columns.size())]);
  const Eigen::Index rows = static_cast<Eigen::Index>(in.below(9));
  d.x.resize(rows, static_cast<Eigen::Index>(d.columns.size()));
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < d.x.cols(); ++j) d.x(i, j) = in.below(3) ? static_cast<double>(static_cast<int8_t>(in.byte())) / 16 : in.number();
  }
  if (in.below(2)) for (Eigen::Index i = 0; i < rows + static_cast<Eigen::Index>(in.below(2)); ++i) d.ids.push_back(in.text(4));
  latefuse::ScoringOptions options;
  options.skipUnscorable = in.below(2) == 1;
  const size_t times = in.below(3);
  for (size_t k = 0; k < times; ++k) options.times.push_back(in.number());
  latefuse::scoreWithModel(lm, d, options);
}

void encodeColumns(Bytes& in) {
  latefuse::Cohort c;
  const Eigen::Index n = static_cast<Eigen::Index>(1 + in.below(12));
  const Eigen::Index p = static_cast<Eigen::Index>(1 + in.below(3));
  c.modalities = {"a", "b"};
  c.x.resize(n, p);
  c.time.resize(n);
  c.event.resize(n);
  for (Eigen::Index j = 0; j < p; ++j) {
    c.columns.push_back("c" + std::to_string(j));
    c.columnModality.push_back(static_cast<int>(in.below(2)));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    c.ids.push_back("p" + std::to_string(i));
    c.time(i) = 1 + static_cast<double>(i);
    c.event(i) = static_cast<double>(i % 2);
    for (Eigen::Index j = 0; j < p; ++j) c.x(i, j) = in.below(4) ? static_cast<double>(in.below(5)) : in.number();
  }
  std::vector<latefuse::CategoricalColumn> categorical;
  const size_t k = in.below(static_cast<size_t>(p) + 1);
  for (size_t q = 0; q < k; ++q) {
    latefuse::CategoricalColumn col;
    col.column = static_cast<int>(in.below(static_cast<size_t>(p)));  // chosen by web/lib from the column names
    const size_t levels = in.below(6);
    for (size_t l = 0; l < levels; ++l) col.levels.push_back(in.below(4) ? std::string(1, static_cast<char>('a' + l)) : in.text(3));
    categorical.push_back(col);
  }
  std::vector<int> train;
  for (Eigen::Index i = 0; i < n; ++i)
    if (in.below(4)) train.push_back(static_cast<int>(i));  // training rows come from the core's own split
  std::vector<latefuse::CategoricalEncoding> encodings;
  latefuse::encodeCohort(c, categorical, train, encodings);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  try {
    if (in.below(2) == 0) scoreRows(in);
    else encodeColumns(in);
  } catch (const latefuse::InputError&) {
  } catch (const latefuse::ModelError&) {
  }
  return 0;
}
