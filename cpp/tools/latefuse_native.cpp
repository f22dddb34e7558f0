// Native command-line helper (not shipped): runs core functions on a CSV of numbers so that the
// benchmark can time the native build and the Vitest suite can check native-vs-WASM agreement.
//   latefuse_native cox FILE TIME EVENT COV1,COV2,... [efron|breslow]   -> JSON {fit_ms, coef, se, loglik, c}
//   latefuse_native concordance FILE TIME EVENT SCORE                     -> JSON {compute_ms, c, ...}
//   latefuse_native enet-cv FILE TIME EVENT FOLD ALPHA NLAMBDA [glmnet]   -> JSON {cv_ms, lambda, cvm, ...}
//     elastic-net Cox cross-validation (cvElasticNetCox) with the 1-based fold labels of column FOLD;
//     every other column except TIME, EVENT and FOLD is a covariate; NLAMBDA lambdas on the default path.
// The CSV must be plain numbers with a header (no quotes, no missing values).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "latefuse/cox.hpp"
#include "latefuse/elastic_net.hpp"
#include "latefuse/random.hpp"

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::map<std::string, std::vector<double>> readCsv(const std::string& path, std::vector<std::string>* order = nullptr) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);
  auto names = split(line, ',');
  for (auto& n : names)
    if (n.size() >= 2 && n.front() == '"') n = n.substr(1, n.size() - 2);
  if (order) *order = names;
  std::map<std::string, std::vector<double>> cols;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const char* p = line.c_str();
    for (size_t j = 0; j < names.size(); ++j) {
      char* end = nullptr;
      cols[names[j]].push_back(std::strtod(p, &end));
      p = *end ? end + 1 : end;
    }
  }
  return cols;
}

Eigen::VectorXd vec(const std::vector<double>& v) { return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())); }

void printVec(const char* name, const Eigen::VectorXd& v) {
  std::printf("\"%s\": [", name);
  for (Eigen::Index i = 0; i < v.size(); ++i) std::printf("%s%.17g", i ? ", " : "", v(i));
  std::printf("]");
}

}  // namespace

int main(int argc, char** argv) {
  using clock = std::chrono::steady_clock;
  try {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "cox" && argc >= 6) {
      auto cols = readCsv(argv[2]);
      latefuse::SurvivalData d;
      d.time = vec(cols.at(argv[3]));
      d.event = vec(cols.at(argv[4]));
      const auto names = split(argv[5], ',');
      Eigen::MatrixXd x(d.time.size(), static_cast<Eigen::Index>(names.size()));
      for (size_t j = 0; j < names.size(); ++j) x.col(static_cast<Eigen::Index>(j)) = vec(cols.at(names[j]));
      latefuse::CoxOptions o;
      if (argc >= 7 && std::string(argv[6]) == "breslow") o.ties = latefuse::Ties::Breslow;
      const auto t0 = clock::now();
      const latefuse::CoxFit f = latefuse::fitCox(d, x, o);
      const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      std::printf("{\"fit_ms\": %.3f, \"iterations\": %d, \"loglik\": [%.17g, %.17g], \"c\": %.17g, ", ms, f.iterations,
                  f.loglikInit, f.loglik, f.concordance.c);
      printVec("coef", f.coef);
      std::printf(", ");
      printVec("se", f.se);
      std::printf("}\n");
      return 0;
    }
    if (cmd == "cox-synth" && argc >= 4) {
      // In-process synthetic data (latefuse::Random), for profiling the fit alone.
      const Eigen::Index n = std::atol(argv[2]), p = std::atol(argv[3]);
      latefuse::Random rng(7);
      latefuse::SurvivalData d;
      d.time.resize(n);
      d.event.resize(n);
      Eigen::MatrixXd x(n, p);
      for (Eigen::Index i = 0; i < n; ++i) {
        double lp = 0;
        for (Eigen::Index j = 0; j < p; ++j) {
          x(i, j) = rng.normal();
          lp += (j % 3 == 0 ? 0.3 : -0.1) * x(i, j);
        }
        d.time(i) = std::ceil(1000 * rng.exponential() * latefuse::portableExp(-lp));
        d.event(i) = rng.uniform() < 0.7 ? 1 : 0;
      }
      const auto t0 = clock::now();
      const latefuse::CoxFit f = latefuse::fitCox(d, x, {});
      const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      std::printf("{\"fit_ms\": %.3f, \"iterations\": %d}\n", ms, f.iterations);
      return 0;
    }
    if (cmd == "concordance" && argc >= 6) {
      auto cols = readCsv(argv[2]);
      latefuse::SurvivalData d;
      d.time = vec(cols.at(argv[3]));
      d.event = vec(cols.at(argv[4]));
      const Eigen::VectorXd score = vec(cols.at(argv[5]));
      const auto t0 = clock::now();
      const auto c = latefuse::harrellConcordance(d, score, true);
      const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      std::printf("{\"compute_ms\": %.3f, \"c\": %.17g, \"concordant\": %.17g, \"discordant\": %.17g, \"tied_score\": %.17g, \"tied_time\": %.17g}\n",
                  ms, c.c, c.concordant, c.discordant, c.tiedScore, c.tiedTime);
      return 0;
    }
    if (cmd == "enet-cv" && argc >= 8) {
      std::vector<std::string> names;
      auto cols = readCsv(argv[2], &names);
      latefuse::SurvivalData d;
      d.time = vec(cols.at(argv[3]));
      d.event = vec(cols.at(argv[4]));
      const Eigen::VectorXd fold = vec(cols.at(argv[5]));
      std::vector<std::string> covs;
      for (const auto& nm : names)
        if (nm != argv[3] && nm != argv[4] && nm != argv[5]) covs.push_back(nm);
      Eigen::MatrixXd x(d.time.size(), static_cast<Eigen::Index>(covs.size()));
      for (size_t j = 0; j < covs.size(); ++j) x.col(static_cast<Eigen::Index>(j)) = vec(cols.at(covs[j]));
      latefuse::ElasticNetOptions o;
      o.alpha = std::atof(argv[6]);
      o.nLambda = std::atoi(argv[7]);
      if (argc >= 9 && std::string(argv[8]) == "glmnet") o.solver = latefuse::ElasticNetSolver::Glmnet;
      latefuse::ElasticNetCvOptions cv;
      cv.foldId = (fold.array() - 1).cast<int>();
      const auto t0 = clock::now();
      const latefuse::ElasticNetCv r = latefuse::cvElasticNetCox(d, x, o, cv);
      const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      std::printf("{\"cv_ms\": %.3f, \"passes\": %ld, \"index_min\": %d, \"lambda_min\": %.17g, ", ms, r.fit.passes,
                  static_cast<int>(r.indexMin), r.lambdaMin);
      printVec("lambda", r.fit.lambda);
      std::printf(", ");
      printVec("cvm", r.cvm);
      std::printf(", ");
      printVec("beta_min", r.fit.beta.col(r.indexMin));
      std::printf("}\n");
      return 0;
    }
    std::fprintf(stderr, "usage: latefuse_native cox FILE TIME EVENT COVS [efron|breslow] | concordance FILE TIME EVENT SCORE | enet-cv FILE TIME EVENT FOLD ALPHA NLAMBDA [glmnet]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latefuse_native: %s\n", e.what());
    return 2;
  }
}
