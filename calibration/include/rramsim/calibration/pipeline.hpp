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
#include <nlohmann/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "rramsim/calibration/options.hpp"

namespace rramsim::calibration {

// What the pipeline tells its caller while it runs.
struct ProgressEvent {
  enum class Kind {
    stage_start,  // stage, total: a stage begins with `total` steps
    advance,      // stage, done, total: `done` steps finished so far
    stage_done,   // stage, done, total
    note,         // message: something the user should know (resuming, a unit recomputed)
  };
  Kind kind;
  std::string stage;
  std::size_t done = 0, total = 0;
  std::string message;
};
// Called from worker threads, one call at a time (the pipeline serializes them).
using ProgressFn = std::function<void(const ProgressEvent&)>;

struct RunOptions {
  std::filesystem::path out;
  bool resume = false;
  int threads = 0;     // 0: all cores
  bool quiet = false;  // no progress display (only when on_progress is empty)
  // A level whose write-verify success fraction is below device.min_success_fraction fails
  // the run (InputError, no output file) instead of a warning.
  bool strict = false;
  // Empty: the terminal display on stderr (rramsim::Progress, notes as lines), as the CLI shows.
  ProgressFn on_progress = {};
};

struct StageTime {
  std::string stage;
  double seconds = 0;       // summed over the runs that did the work (resumed units included)
  std::size_t units = 0;
  std::size_t resumed = 0;  // units found finished
};

// Write-verify outcome of one level.
struct LevelProgramming {
  int level = 0;
  double target_siemens = 0, mean_siemens = 0, success_fraction = 0;
  bool below_threshold = false;  // success_fraction < min_success_fraction
};

struct CalibrationReport {
  std::filesystem::path file;
  std::vector<StageTime> stages;
  double wall_seconds = 0;
  double min_success_fraction = 0;
  std::vector<LevelProgramming> levels;
  std::vector<std::string> warnings;  // also given to the progress callback (or stderr) as they arise
};

CalibrationReport run_calibration(const CalibrationOptions& o, const RunOptions& run);

// Write-verify levels against the threshold; warning text per level below it.
std::vector<LevelProgramming> check_programming(const std::vector<double>& target_siemens,
                                                const std::vector<double>& mean_siemens,
                                                const std::vector<double>& success_fraction, double threshold);
std::string programming_warning(const LevelProgramming& l, double threshold);

// `calibrate` output: the report (stages, wall time, write-verify per level) and a summary
// of the written tables (opened and read back).
nlohmann::json to_json(const CalibrationReport& r);
std::string to_text(const CalibrationReport& r);

}  // namespace rramsim::calibration
