#pragma once
// The calibration run as data: what `rramsim calibrate CONFIG.toml` reads (schema in
// docs/calibration.md). parse_calibration_options() checks every key, type and range and
// rejects unknown keys, naming file, line and key.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rramsim/circuit/crossbar.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::calibration {

struct DeviceStageOptions {
  std::string params_spec = "stanford-pku";  // preset name or parameter .toml (resolved path)
  std::string params_text;                   // the parameter file's full text ("" for a preset)
  device::Params params;                     // resolved, with the overrides below applied
  int bits_per_cell = 2;
  int devices = 1000;
  double tolerance_rel = 0.05;
  int max_pulses = 300;
  // Level targets, evenly spaced in conductance between these (0: write-verify's default,
  // 2 x the HRS and 0.5 x the LRS conductance of the nominal device).
  double min_target_siemens = 0;
  double max_target_siemens = 0;
  // false: no device-to-device or cycle-to-cycle variation.
  bool variation = true;
  // true: every cell sits exactly at its level's target conductance (no write-verify spread).
  bool ideal_levels = false;
  // Write-verify: a level whose programming success fraction falls below this is reported
  // (a warning; `calibrate --strict` makes it a failure).
  double min_success_fraction = 0.99;
  int levels() const { return 1 << bits_per_cell; }
};

struct LevelMix {
  std::string name;
  std::vector<double> level_probs;  // one per level, sums to 1
};

struct CrossbarStageOptions {
  int rows = 128;
  int cols = 128;
  circuit::CellType cell = circuit::CellType::passive_1r;
  bool linear_cells = true;
  std::vector<double> wire_ohm = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0};  // per segment, both lines
  double nominal_wire_ohm = 1.0;
  double driver_ohm = 0;
  double sense_ohm = 0;
  double access_on_ohm = 0;
  std::string engine = "native";
  std::vector<int> active_rows = {8, 16, 32, 64, 96, 128};  // default: fractions of rows
  int inputs_per_count = 32;  // random binary inputs per active-row count and array
  // Of those, the first N per active-row count are solved once more for their node voltages,
  // giving the supply power of the read (cells and wires); 0: no read power tabulated.
  int power_inputs_per_count = 2;
  int arrays_per_mix = 2;     // independently drawn arrays per (wire, mix)
  int column_buckets = 4;
  std::vector<LevelMix> mixes;
  std::vector<double> quantile_probs = {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999};
  // The SPICE check: a small array solved by both the bulk engine and the reference.
  std::string check_engine = "ngspice";  // "none" skips the check
  int check_rows = 32;
  int check_cols = 32;
  std::vector<double> check_wire_ohm = {0.5, 3.0};
  int check_inputs = 8;
  int max_psum(int levels) const { return rows * (levels - 1); }
};

struct AdcStageOptions {
  std::vector<int> bits = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::string cost_model = "isaac-survey";  // data/adc/<name>.toml or a .toml path
  std::string thresholds = "calibrated";    // calibrated | ideal
  // Subtract n_active x read_volt x mean G(level 0), known digitally from the input popcount.
  bool subtract_hrs_offset = true;
  int min_samples = 20;  // fewer samples for a partial sum: use the pooled or Gaussian model
};

struct CalibrationOptions {
  uint64_t seed = 1;
  DeviceStageOptions device;
  CrossbarStageOptions crossbar;
  AdcStageOptions adc;
  std::string config_text;  // as given, stored as provenance
  std::string config_name;
};

// base_dir: folder a relative device parameter file named in the configuration is resolved
// against (the configuration's own folder); empty: the current folder.
CalibrationOptions parse_calibration_options(const ConfigDoc& doc, const std::filesystem::path& base_dir = {});
CalibrationOptions load_calibration_options(const std::string& toml_file);

}  // namespace rramsim::calibration
