// Helpers for the GoogleTest suite: read the bundled CSV data sets and the R golden files.
#pragma once
#include <Eigen/Dense>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace latefuse::testing {

inline std::string sourcePath(const std::string& relative) { return std::string(LATEFUSE_SOURCE_DIR) + "/" + relative; }

// A CSV table as numeric columns (NaN for empty/NA/non-numeric) plus the raw strings.
struct Table {
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> numeric;
  std::map<std::string, std::vector<std::string>> text;
  size_t rows = 0;
  Eigen::VectorXd col(const std::string& name) const {
    const auto& v = numeric.at(name);
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
};

inline std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') quoted = !quoted;
    else if (ch == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else if (ch != '\r') cur += ch;
  }
  out.push_back(cur);
  return out;
}

inline Table readCsv(const std::string& relative) {
  std::ifstream in(sourcePath(relative));
  if (!in) throw std::runtime_error("cannot open " + relative);
  Table t;
  std::string line;
  std::getline(in, line);
  t.names = splitCsvLine(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto cells = splitCsvLine(line);
    for (size_t j = 0; j < t.names.size(); ++j) {
      const std::string cell = j < cells.size() ? cells[j] : "";
      t.text[t.names[j]].push_back(cell);
      double v = std::nan("");
      if (!cell.empty() && cell != "NA") {
        char* end = nullptr;
        v = std::strtod(cell.c_str(), &end);
        if (end == cell.c_str() || *end != 0) v = std::nan("");
      }
      t.numeric[t.names[j]].push_back(v);
    }
    ++t.rows;
  }
  return t;
}

inline nlohmann::json readJson(const std::string& relative) {
  std::ifstream in(sourcePath(relative));
  if (!in) throw std::runtime_error("cannot open " + relative);
  return nlohmann::json::parse(in);
}

// A golden file of tests/golden, parsed on first use and kept for the rest of the run.
inline const nlohmann::json& goldenJson(const std::string& relative) {
  static std::map<std::string, nlohmann::json> parsed;
  auto it = parsed.find(relative);
  if (it == parsed.end()) it = parsed.emplace(relative, readJson(relative)).first;
  return it->second;
}

inline Eigen::VectorXd vec(const nlohmann::json& j) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
  for (size_t i = 0; i < j.size(); ++i) v(static_cast<Eigen::Index>(i)) = j[i].is_null() ? std::nan("") : j[i].get<double>();
  return v;
}

// |a - b| <= rel * max(|b|, floor): relative tolerance that stays sane near zero.
inline bool closeRel(double a, double b, double rel, double floor = 1e-12) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(b), floor);
}

inline bool closeRel3(double a, double b, double rel) { return closeRel(a, b, rel); }

}  // namespace latefuse::testing

#define EXPECT_REL(a, b, rel) EXPECT_PRED3(::latefuse::testing::closeRel3, (a), (b), (rel))
#define EXPECT_VEC_REL(a, b, rel)                                                                      \
  do {                                                                                                 \
    const Eigen::VectorXd _a = (a), _b = (b);                                                          \
    ASSERT_EQ(_a.size(), _b.size());                                                                   \
    for (Eigen::Index _i = 0; _i < _a.size(); ++_i) EXPECT_REL(_a(_i), _b(_i), rel) << "index " << _i; \
  } while (0)
