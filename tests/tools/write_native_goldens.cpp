// Writes the golden files made by the native build (not by R): tests/golden/seeded_native.json and
// tests/golden/simulate_seed7.csv. The GoogleTests and Vitests only read them. Run from anywhere:
//   ./build/native/latefuse_write_goldens            (both files)
//   ./build/native/latefuse_write_goldens seeded     (or: simulate)
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
  if (argc > 2 || (which != "all" && which != "seeded" && which != "simulate")) {
    std::fprintf(stderr, "usage: latefuse_write_goldens [all|seeded|simulate]\n");
    return 2;
  }
  int status = 0;
  if (which != "simulate") status |= write(latefuse::testing::kSeededNativePath, latefuse::testing::seededNativeText());
  if (which != "seeded") status |= write(latefuse::testing::kSimulateSeed7Path, latefuse::testing::simulateSeed7Csv());
  return status;
}
