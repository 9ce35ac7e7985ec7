#pragma once
// Names and limits of the calibration file (docs/schema.md), shared by its writer
// (pipeline, stages) and its readers (Tables, inspect) so a name exists once.
#include <cstdio>
#include <string>

namespace rramsim::calibration::schema {

inline constexpr const char* kKind = "calibration";  // root attribute rramsim_kind
// 2: `units` of stage groups renamed `work_units`; provenance contract (created_utc,
// command_line, content_checksum); per-dataset `checksum`; axes as dimension scales.
// 3: /crossbar/read_power_* (supply power of a read from the circuit solve, per wire and
// active-row count); root attribute device_params_toml. Version 2 is still read (no read
// power: the circuit read energy is then unavailable).
inline constexpr int kVersion = 3;
inline constexpr int kOldestReadableVersion = 2;

// Groups.
inline constexpr const char* kDevice = "device";
inline constexpr const char* kCrossbar = "crossbar";
inline constexpr const char* kCheck = "check";
inline constexpr const char* kAdc = "adc";
// The error table of one ADC resolution: /adc/bits_08.
inline std::string bits_group(int bits) {
  char name[24];
  std::snprintf(name, sizeof name, "bits_%02d", bits);
  return name;
}

// Datasets that readers index.
inline constexpr const char* kLevelMeanSiemens = "level_mean_siemens";
inline constexpr const char* kLevelStdSiemens = "level_std_siemens";
inline constexpr const char* kWireOhm = "wire_ohm";
inline constexpr const char* kActiveRows = "active_rows";
inline constexpr const char* kColumnBucketFirst = "column_bucket_first";
inline constexpr const char* kMixNames = "mix_names";
inline constexpr const char* kIrRatioPooled = "ir_ratio_pooled";
inline constexpr const char* kEnginePerWire = "engine_per_wire";
inline constexpr const char* kMaxRelDiff = "max_rel_diff";
inline constexpr const char* kRmsRelDiff = "rms_rel_diff";
inline constexpr const char* kBits = "bits";
inline constexpr const char* kActiveRowsKey = "active_rows_key";
inline constexpr const char* kEnergyPj = "energy_pj";
inline constexpr const char* kAreaUm2 = "area_um2";
inline constexpr const char* kSampleRateHz = "sample_rate_hz";
inline constexpr const char* kPowerMw = "power_mw";
inline constexpr const char* kErrorRate = "error_rate";
inline constexpr const char* kMeanAbsErrorLsb = "mean_abs_error_lsb";
inline constexpr const char* kProb = "prob";
inline constexpr const char* kLevelTargetSiemens = "level_target_siemens";
inline constexpr const char* kLevelSuccessFraction = "level_success_fraction";
// Read power (schema 3), axes wire, active: mean over the sampled reads of the whole array.
inline constexpr const char* kReadPowerSupplyWatt = "read_power_supply_watt";  // = cell + wire
inline constexpr const char* kReadPowerCellWatt = "read_power_cell_watt";
inline constexpr const char* kReadPowerWireWatt = "read_power_wire_watt";      // wires, driver, sense
inline constexpr const char* kReadPowerIdealWatt = "read_power_ideal_watt";    // V^2 sum G, ideal wires
inline constexpr const char* kReadPowerSamples = "read_power_samples";
// Root attribute (schema 3): full text of the device parameter file, or "preset NAME".
inline constexpr const char* kDeviceParamsToml = "device_params_toml";

// Stage-group attribute: work units of the stage (not a physical unit).
inline constexpr const char* kWorkUnits = "work_units";

// Ranges a configuration and a file must both respect.
inline constexpr int kMaxBitsPerCell = 4;
inline constexpr int kMaxRows = 512;  // rows and cols
inline constexpr int kMaxAdcBits = 12;
inline constexpr int kMaxColumnBuckets = 512;
inline constexpr double kMaxWireOhm = 1e6;

}  // namespace rramsim::calibration::schema
