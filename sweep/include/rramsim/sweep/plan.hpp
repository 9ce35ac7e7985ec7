#pragma once
// The points of a sweep, each resolved to what it runs: the calibration config it needs
// (canonical text and content hash: points with the same hash share one calibration), the
// wire row of those tables, the scheme spec and the hardware description.
//
//   SweepPlan p = plan_sweep(options, cache_dir);   // InputError naming the axis of a bad value
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rramsim/sweep/options.hpp"

namespace rramsim::sweep {

struct CalibrationGroup {
  std::string text;        // canonical resolved calibration config (TOML)
  std::string hash;        // 16 hex digits: content hash of text and the tables' schema version
  std::filesystem::path tables;  // where its tables live in the cache
  int levels = 0;          // 2^bits_per_cell
  std::vector<int> adc_bits;     // resolutions the tables hold
};

struct PointPlan {
  std::size_t index = 0;
  std::vector<double> values;        // one per axis
  std::size_t group = 0;             // index into SweepPlan::groups
  std::optional<double> wire_ohm;    // row of the tables; empty: their nominal one
  std::string scheme;                // spec for resolve_scheme (base + components)
  std::string hardware;              // name or generated .toml path
};

struct SweepPlan {
  std::vector<std::size_t> shape;    // grid: one extent per axis; zip: {points}
  std::vector<CalibrationGroup> groups;
  std::vector<PointPlan> points;
  std::vector<std::pair<std::string, std::string>> hardware_files;  // (path, text) to write
  int max_levels = 0;
};

// `cache_dir` only names where the tables and generated hardware files go.
SweepPlan plan_sweep(const SweepOptions& o, const std::filesystem::path& cache_dir);

// 64-bit FNV-1a as 16 hex digits (the cache key).
std::string content_hash(const std::string& text);

}  // namespace rramsim::sweep
