// Simulated multimodal survival cohorts, for demos, tests and benchmarks of late fusion.
//
// Generative model (all draws from latefuse::Random streams of one seed; transcendental functions
// only through portableLog/portableExp and arithmetic + - * / sqrt, so native and WebAssembly
// builds give bit-identical cohorts and CSV bytes):
//  * Availability. Each patient has an availability pattern = the set of modalities measured.
//    Pattern counts are fixed first (not drawn), so marginal counts and the number of complete
//    cases come out EXACTLY: either the preset's table of pattern counts (rescaled by largest
//    remainders when n changes), or, when availability counts are set, a deterministic
//    construction: `complete` patients get every modality; for the others the modalities' remaining
//    counts are laid end to end around the list of patients (wrapping), which puts each modality on
//    distinct patients and never on all modalities at once when
//    sum_m (available_m - complete) <= (n - complete)(M - 1). The patterns are then given to patients
//    by a seeded shuffle (stream 0).
//  * Latent risk factors. Per patient and modality z_m = sqrt(rho) u + sqrt(1 - rho) e_m with
//    u, e_m ~ N(0, 1) (stream 1): standard normal, equicorrelated with correlation rho. Every patient
//    has every z_m — a modality that was not measured still acts on survival.
//  * Linear predictor eta = sum_m signal_m z_m + interaction z_a z_b (a, b two named modalities).
//  * Features (stream 2): modality m has `features` columns, `signalFeatures` of them (at positions
//    drawn with stream 6) informative: x = z_m + noise_m * eps, the rest pure noise x = eps,
//    eps ~ N(0, 1); each column is then put on its own scale, x * s + c with s = exp(U(-2, 2)) and
//    c ~ 3 N(0, 1) (stream 6), and rounded to 4 decimals. Cells of a measured modality are missing
//    at random with probability cellMissing (stream 5); an unmeasured modality has all cells NaN.
//  * Survival (stream 3): Weibull proportional hazards, T = (-log U / (lambda0 exp(eta)))^(1/k) with
//    shape k and lambda0 = log 2 / median^k (median survival at eta = 0). Censoring (stream 4):
//    C_i = c E_i, E_i ~ Exp(1), with the scale c chosen between two consecutive values of T_i / E_i
//    so that EXACTLY round(censoring * n) patients are censored. time = min(T, C) rounded to 2
//    decimals (at least 0.01), event = T <= C.
//  * Binary outcome (outcome = Binary) instead of survival: y ~ Bernoulli(p),
//    p = 1 / (1 + exp(-(binaryIntercept + eta))) with the same eta; y = 1 when U < p, U uniform in
//    [0, 1) from stream 3. No times; SimulatedCohort::event holds y and the CSV header is id,y,...
// Direction: eta (and every informative feature, through positive loadings) is risk: higher =
// shorter survival.
//
// Preset "hgsoc" mimics the reference high-grade serous ovarian cancer study: 444 patients;
// radiomics 245, histopathology 243, genomic 296, clinical 444; 114 with all four.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace latefuse {

struct ModalitySimulation {
  std::string name;        // letters and digits only (columns are "<name>_<nn>")
  int available = 0;       // patients with this modality
  int features = 10;       // columns
  int signalFeatures = 3;  // informative columns (<= features)
  double signal = 0.5;     // log hazard ratio per SD of the modality's latent factor
  double noise = 1.0;      // noise SD of an informative column (its latent part has SD 1)
};

enum class SimulatedOutcome { Survival,
                              Binary };

struct SimulationOptions {
  SimulatedOutcome outcome = SimulatedOutcome::Survival;
  double binaryIntercept = 0;  // log-odds of y = 1 at eta = 0 (binary outcome)
  int n = 0;
  int complete = 0;  // patients with every modality
  std::vector<ModalitySimulation> modalities;
  // Explicit pattern counts indexed by bitmask (bit m = modality m present), size 2^M, sum n.
  // Empty: built from `available` and `complete` (see above).
  std::vector<int> patternCounts;
  double correlation = 0.1;                // rho between latent factors, in [0, 1)
  double interaction = 0;                  // coefficient of z_a z_b in eta
  std::string interactionA, interactionB;  // modality names (used when interaction != 0)
  double censoring = 0.4;                  // fraction censored, in [0, 1)
  double medianSurvival = 40;              // months at eta = 0
  double weibullShape = 1.3;
  double cellMissing = 0;  // per-cell missing probability within measured modalities
  // Modalities missing not at random: 0 = who has which pattern is drawn independently of risk.
  // s > 0: patients are ranked by s * eta + N(0, 1) noise (its own seeded stream) and the patterns,
  // fullest first, go to the lowest ranks: the higher a patient's risk, the fewer modalities they
  // tend to have (the counts stay exact). In [0, 10].
  double missingNotAtRandom = 0;
  uint64_t seed = 1;
};

// "hgsoc" (the only preset). Throws InputError for an unknown name.
SimulationOptions simulationPreset(const std::string& name);

// Change n: rescales the pattern table by largest remainders (ties to the smaller bitmask) when there
// is one, else the availability counts and `complete` (rounded). Throws InputError for n < 10.
void setCohortSize(SimulationOptions& options, int n);

struct SimulatedCohort {
  std::vector<std::string> ids;  // "P001", ...
  bool binary = false;           // binary outcome: `event` holds y (0/1), `time` is empty
  Eigen::VectorXd time, event;
  std::vector<std::string> modalities;
  std::vector<std::string> columns;  // "<modality>_<nn>"
  std::vector<int> columnModality;   // index into modalities
  Eigen::MatrixXd features;          // n x columns, NaN = missing
  Eigen::MatrixXi available;         // n x modalities, 0/1
  Eigen::VectorXd linearPredictor;   // the true eta (not written to the CSV)
  Eigen::MatrixXd latent;            // n x modalities, the z_m (not written)
};

// Throws InputError for impossible settings (counts out of range, infeasible availability, ...).
SimulatedCohort simulate(const SimulationOptions& options);

// The pattern counts that `simulate` uses (bitmask-indexed, size 2^M).
std::vector<int> resolvePatternCounts(const SimulationOptions& options);

// CSV: header id,time,event,<columns> (binary: id,y,<columns>, y 0/1); times with 2 decimals, event 0/1, features with 4 decimals,
// empty cell = missing; "\n" line ends. Deterministic bytes.
std::string cohortCsv(const SimulatedCohort& cohort);

}  // namespace latefuse
