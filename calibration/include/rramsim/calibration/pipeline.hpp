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
  // Empty: the terminal display on stderr (rramsim::Progress, notes as lines), as the CLI shows.
  ProgressFn on_progress = {};
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
