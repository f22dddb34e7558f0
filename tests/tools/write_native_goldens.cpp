// Writes the golden files made by the native build (not by R): tests/golden/seeded_native.json,
// tests/golden/simulate_seed7.csv and tests/golden/decision_curve_seeded_native.json. The GoogleTests
// and Vitests only read them. Run from anywhere:
//   ./build/native/latefuse_write_goldens            (every file)
//   ./build/native/latefuse_write_goldens seeded     (or: simulate, decision-curve)
// then review `git diff tests/golden` — a changed file means the draws or the simulator changed.
#include <cstdio>
#include <fstream>
#include <string>

#include "native_goldens.hpp"

namespace {

int write(const std::string& relative, const std::string& text) {
  const std::string path = latefuse::testing::sourcePath(relative);
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %s (%zu bytes)\n", relative.c_str(), text.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  if (argc > 2 || (which != "all" && which != "seeded" && which != "simulate" && which != "decision-curve")) {
    std::fprintf(stderr, "usage: latefuse_write_goldens [all|seeded|simulate|decision-curve]\n");
    return 2;
  }
  const bool all = which == "all";
  int status = 0;
  if (all || which == "seeded") status |= write(latefuse::testing::kSeededNativePath, latefuse::testing::seededNativeText());
  if (all || which == "simulate") status |= write(latefuse::testing::kSimulateSeed7Path, latefuse::testing::simulateSeed7Csv());
  if (all || which == "decision-curve")
    status |= write(latefuse::testing::kDecisionCurveSeededPath, latefuse::testing::decisionCurveSeededText());
  return status;
}
