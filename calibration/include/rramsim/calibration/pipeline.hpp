#pragma once
// The calibration pipeline: device -> crossbar (+ SPICE check) -> ADC, into one HDF5 file.
//
//   CalibrationOptions o = load_calibration_options("data/calibration/smoke.toml");
//   CalibrationReport r = run_calibration(o, {.out = "tables.h5", .threads = 2});
//
// Finished work units live in OUT.work/ until the end, so `resume` skips them; the output
// appears under its name only when complete (AtomicOutput). Each unit has its own seed, so
// the numbers do not depend on `threads`.
#include <filesystem>
#include <string>
#include <vector>

#include "rramsim/calibration/options.hpp"

namespace rramsim::calibration {

struct RunOptions {
  std::filesystem::path out;
  bool resume = false;
  int threads = 0;     // 0: all cores
  bool quiet = false;  // no progress display
};

struct StageTime {
  std::string stage;
  double seconds = 0;       // summed over the runs that did the work (resumed units included)
  std::size_t units = 0;
  std::size_t resumed = 0;  // units found finished
};

struct CalibrationReport {
  std::filesystem::path file;
  std::vector<StageTime> stages;
  double wall_seconds = 0;
};

CalibrationReport run_calibration(const CalibrationOptions& o, const RunOptions& run);

}  // namespace rramsim::calibration
