// The summary's event times after loading a model (baselineEventTimes, merged run by run from the
// baselines): every distinct event time of the integrators' and submodels' baselines, sorted — the
// same vector as sorting all of them, on the shipped models.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "latefuse/model_json.hpp"

using namespace latefuse;

namespace {

LoadedModel shippedModel(const std::string& name) {
  std::ifstream in(std::filesystem::path(LATEFUSE_SOURCE_DIR) / "models" / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return loadModel(parseModelText(s.str()));
}

}  // namespace

TEST(BaselineEventTimes, EveryDistinctEventTimeSorted) {
  for (const char* name : {"rotterdam.latefuse.json", "hgsoc-synthetic.latefuse.json"}) {
    const FusionModel fm = shippedModel(name).model;
    std::vector<double> all;
    size_t baselines = 0;
    auto add = [&](const CoxFit& f) {
      all.insert(all.end(), f.baseline.time.data(), f.baseline.time.data() + f.baseline.time.size());
      baselines += f.baseline.time.size() > 0;
    };
    for (const Integrator& in : fm.integrators) add(coxFit(in.fit));
    for (const ModalityModel& mm : fm.models) add(coxFit(mm.fit));
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    EXPECT_GE(baselines, 3u) << name;
    EXPECT_GT(all.size(), 50u) << name;
    EXPECT_EQ(baselineEventTimes(fm), all) << name;
  }
}
