#pragma once
// Write-verify programming of multi-level cells: incremental set/reset pulses with a
// read-back after each, until the read conductance is within tolerance of the target or
// the pulse budget runs out. Run over many devices with device-to-device and
// cycle-to-cycle variation, it gives each level's achieved conductance distribution.
#include <cstdint>
#include <vector>

#include "rramsim/device/params.hpp"

namespace rramsim::device {

struct WriteVerifyOptions {
  int levels = 4;               // 2 bits per cell
  int devices = 1000;
  uint64_t seed = 1;
  double tolerance_rel = 0.05;  // |G - target| <= tolerance_rel * target counts as success
  int max_pulses = 300;
  int threads = 0;              // 0: all cores; results do not depend on it
};

struct LevelResult {
  double target_siemens = 0;
  double mean_siemens = 0;
  double std_siemens = 0;
  std::vector<double> quantiles_siemens;   // at WriteVerifyReport::quantile_probs
  std::vector<double> samples_siemens;     // one per device
  double success_fraction = 0;
  double mean_pulses = 0;
  int failures = 0;
};

struct WriteVerifyReport {
  std::vector<double> quantile_probs = {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999};
  std::vector<LevelResult> levels;   // increasing conductance: level 0 = HRS side
  bool levels_overlap_3sigma = false;
};

WriteVerifyReport write_verify(const Params& p, const WriteVerifyOptions& opts);

}  // namespace rramsim::device
