#pragma once
// The sweep: calibrate what the points need (cached), evaluate every point, write one HDF5
// file, plot.
//
//   SweepOptions o = load_sweep_options("data/sweeps/wire-adc-lenet5.toml");
//   SweepReport r = run_sweep(o, {.out = "sweep.h5", .plot_dir = "out/sweep"});
//   std::cout << to_json(r).dump(2);
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rramsim/sweep/options.hpp"

namespace rramsim::sweep {

class Communicator;

struct SweepRunOptions {
  std::filesystem::path out;
  bool resume = false;
  int threads = 0;                          // 0: all cores; results do not depend on it
  std::filesystem::path plot_dir;           // empty: no plots
  std::optional<std::filesystem::path> cache;  // empty: $RRAMSIM_CACHE_DIR, else XDG
  bool quiet = false;
  const Communicator* comm = nullptr;       // null: one process
};

// Per-point figures. Every metric is listed once in metrics() (name, units, member).
struct PointResult {
  std::vector<double> values;               // axis values
  double accuracy = 0;                      // bit-accurate, on `images` test images (NaN: none)
  double adc_error_rate = 0;                // tables: P(code != ideal) at the scheme's ADC bits and wire
  double ir_ratio = 0;                      // tables: sum real / sum ideal current, all rows driven
  double energy_per_inference_j = 0;
  double throughput_inferences_per_s = 0;
  double throughput_gops = 0;
  double gops_per_w = 0;
  double gops_per_s_mm2 = 0;
  double subwords_skipped_fraction = 0;     // dynamic schemes: 1 - computed / nominal
  double read_volt = 0;                     // of the tables
  double rows = 0;                          // crossbar rows of the tables
  std::vector<double> level_success_fraction;  // write-verify, per level (NaN-padded to max levels)
};

struct Metric {
  const char* name;
  const char* units;
  double PointResult::*member;
};
const std::vector<Metric>& metrics();

struct SweepReport {
  std::filesystem::path file;
  std::filesystem::path cache_dir;
  std::vector<Axis> axes;
  Mode mode = Mode::grid;
  std::vector<std::size_t> shape;
  std::string network, hardware, scheme;
  int images = 0;
  int max_levels = 0;
  std::vector<PointResult> points;
  std::vector<std::string> group_tables;    // calibration tables in the cache, one per group
  std::vector<int64_t> point_group;         // per point: index into group_tables
  std::size_t calibrations = 0, calibrations_cached = 0, points_resumed = 0, points_cached = 0;
  std::vector<std::filesystem::path> plots;
  double wall_seconds = 0;
};

// On every rank; the report's points and file are complete on rank 0 only.
SweepReport run_sweep(const SweepOptions& o, const SweepRunOptions& run);

std::string to_text(const SweepReport& r);
nlohmann::json to_json(const SweepReport& r);

// Writes the report as the sweep HDF5 file (rramsim_kind "sweep", docs/sweep.md).
void write_sweep_file(const SweepReport& r, const SweepOptions& o, const std::filesystem::path& out);
// One PNG per metric and axis, a heat map of the first two axes, the accuracy-energy Pareto front.
std::vector<std::filesystem::path> write_plots(const SweepReport& r, const std::filesystem::path& dir);

inline constexpr int kSweepSchemaVersion = 1;

}  // namespace rramsim::sweep
