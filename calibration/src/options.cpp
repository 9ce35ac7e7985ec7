#include "rramsim/calibration/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "rramsim/calibration/adc_cost.hpp"
#include "rramsim/calibration/schema.hpp"
#include "rramsim/circuit/engine.hpp"
#include "rramsim/common/paths.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace {

// The level targets must lie within what the device can be programmed to (its HRS and LRS
// read conductances), checked here so the error names the file, line and key.
void check_targets(const Config& c, const DeviceStageOptions& d) {
  const auto& p = d.params;
  const double g_hrs = device::read_siemens(p, p.gap_max_m), g_lrs = device::read_siemens(p, p.gap_min_m);
  auto in_range = [&](const char* key, double v) {
    if (v > 0 && (v < g_hrs || v > g_lrs))
      throw InputError(c.where(key) + ": " + std::to_string(v) + " S is outside the device's read conductance range " +
                       std::to_string(g_hrs) + " .. " + std::to_string(g_lrs) + " S");
  };
  in_range("min_target_siemens", d.min_target_siemens);
  in_range("max_target_siemens", d.max_target_siemens);
  double lo = d.min_target_siemens > 0 ? d.min_target_siemens : 2.0 * g_hrs;
  double hi = d.max_target_siemens > 0 ? d.max_target_siemens : 0.5 * g_lrs;
  if (!(lo < hi))
    throw InputError(c.where(d.min_target_siemens > 0 ? "min_target_siemens" : "max_target_siemens") +
                     ": the lowest level target must be below the highest (" + std::to_string(lo) +
                     " S >= " + std::to_string(hi) + " S)");
}

// A parameter or ADC-model file named relative to the configuration resolves against its folder.
std::string resolve_relative(const std::string& spec, const std::filesystem::path& base_dir) {
  const bool is_file = spec.find('/') != std::string::npos || spec.ends_with(".toml");
  std::filesystem::path p(spec);
  if (!is_file || p.is_absolute() || base_dir.empty()) return spec;
  return (base_dir / p).lexically_normal().string();
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DeviceStageOptions parse_device(const Config& c, const std::filesystem::path& base_dir) {
  DeviceStageOptions d;
  d.params_spec = resolve_relative(c.string("params", d.params_spec), base_dir);
  d.bits_per_cell = static_cast<int>(c.integer("bits_per_cell", d.bits_per_cell, {.min = 1, .max = schema::kMaxBitsPerCell}));
  d.devices = static_cast<int>(c.integer("devices", d.devices, {.min = 2, .max = 1000000}));
  d.tolerance_rel = c.number("tolerance_rel", d.tolerance_rel, {.min = 0, .max = 0.5, .min_exclusive = true});
  d.max_pulses = static_cast<int>(c.integer("max_pulses", d.max_pulses, {.min = 1, .max = 100000}));
  d.min_target_siemens = c.number("min_target_siemens", 0, {.min = 0, .max = 1});
  d.max_target_siemens = c.number("max_target_siemens", 0, {.min = 0, .max = 1});
  if (d.max_target_siemens > 0 && d.min_target_siemens >= d.max_target_siemens)
    throw InputError(c.where("max_target_siemens") + ": must exceed min_target_siemens");
  d.variation = c.boolean("variation", d.variation);
  d.ideal_levels = c.boolean("ideal_levels", d.ideal_levels);
  d.min_success_fraction = c.number("min_success_fraction", d.min_success_fraction, {.min = 0, .max = 1});
  try {
    d.params = device::params_from_spec(d.params_spec);
    if (std::filesystem::path(d.params_spec).extension() == ".toml") d.params_text = file_text(d.params_spec);
  } catch (const InputError& e) {
    throw InputError(c.where("params") + ": " + e.what());
  }
  // Optional overrides of the parameter set's variation and read voltage.
  const Range rel{.min = 0, .max = 1};
  if (auto v = c.optional_number("d2d_sigma_rel_i0", rel)) d.params.d2d_sigma_rel_i0 = *v;
  if (auto v = c.optional_number("d2d_sigma_rel_gap_min", rel)) d.params.d2d_sigma_rel_gap_min = *v;
  if (auto v = c.optional_number("d2d_sigma_rel_vel0", rel)) d.params.d2d_sigma_rel_vel0 = *v;
  if (auto v = c.optional_number("delta_gap0_m", {.min = 0, .max = 1e-9})) d.params.delta_gap0_m = *v;
  if (auto v = c.optional_number("read_volt", {.min = 0, .max = 1, .min_exclusive = true})) d.params.read_volt = *v;
  if (!d.variation) {
    d.params.d2d_sigma_rel_i0 = d.params.d2d_sigma_rel_gap_min = d.params.d2d_sigma_rel_vel0 = 0;
    d.params.delta_gap0_m = 0;
  }
  device::validate(d.params);
  check_targets(c, d);
  return d;
}

CrossbarStageOptions parse_crossbar(const Config& c, int levels) {
  CrossbarStageOptions x;
  x.rows = static_cast<int>(c.integer("rows", x.rows, {.min = 1, .max = schema::kMaxRows}));
  x.cols = static_cast<int>(c.integer("cols", x.cols, {.min = 1, .max = schema::kMaxRows}));
  std::string cell = c.string("cell", "passive", {"passive", "1t1r"});
  x.cell = cell == "1t1r" ? circuit::CellType::one_t_one_r : circuit::CellType::passive_1r;
  x.linear_cells = c.boolean("linear_cells", x.linear_cells);
  const Range ohm{.min = 0, .max = schema::kMaxWireOhm};
  x.wire_ohm = c.numbers("wire_ohm", x.wire_ohm, ohm);
  if (x.wire_ohm.empty()) throw InputError(c.where("wire_ohm") + ": needs at least one value");
  for (size_t i = 1; i < x.wire_ohm.size(); ++i)
    if (x.wire_ohm[i] <= x.wire_ohm[i - 1]) throw InputError(c.where("wire_ohm") + ": values must increase");
  x.nominal_wire_ohm = c.number("nominal_wire_ohm", x.wire_ohm[x.wire_ohm.size() / 2], ohm);
  // The nominal wire is a row of the tables: it must be one of the wire values.
  if (std::find(x.wire_ohm.begin(), x.wire_ohm.end(), x.nominal_wire_ohm) == x.wire_ohm.end()) {
    std::string grid;
    for (double w : x.wire_ohm) grid += (grid.empty() ? "" : ", ") + fmt::format("{:g}", w);
    throw InputError(c.where("nominal_wire_ohm") + ": " + fmt::format("{:g}", x.nominal_wire_ohm) +
                     " ohm is not on the wire grid (wire_ohm = [" + grid + "])");
  }
  x.driver_ohm = c.number("driver_ohm", x.driver_ohm, ohm);
  x.sense_ohm = c.number("sense_ohm", x.sense_ohm, ohm);
  x.access_on_ohm = c.number("access_on_ohm", x.access_on_ohm, ohm);
  x.engine = c.string("engine", x.engine, circuit::engine_names());
  // Default: 1/16, 1/8, 1/4, 1/2, 3/4 and all of the rows.
  std::vector<int64_t> act;
  for (int64_t a : {x.rows / 16, x.rows / 8, x.rows / 4, x.rows / 2, 3 * x.rows / 4, x.rows})
    if (a >= 1 && (act.empty() || a > act.back())) act.push_back(a);
  act = c.integers("active_rows", act, {.min = 1, .max = 512});
  x.active_rows.clear();
  for (auto a : act) {
    if (a > x.rows) throw InputError(c.where("active_rows") + ": " + std::to_string(a) + " exceeds rows = " + std::to_string(x.rows));
    if (!x.active_rows.empty() && a <= x.active_rows.back())
      throw InputError(c.where("active_rows") + ": values must increase");
    x.active_rows.push_back(static_cast<int>(a));
  }
  if (x.active_rows.empty()) throw InputError(c.where("active_rows") + ": needs at least one value");
  x.inputs_per_count = static_cast<int>(c.integer("inputs_per_count", x.inputs_per_count, {.min = 1, .max = 100000}));
  x.power_inputs_per_count = static_cast<int>(
      c.integer("power_inputs_per_count", std::min(x.power_inputs_per_count, x.inputs_per_count), {.min = 0, .max = 100000}));
  if (x.power_inputs_per_count > x.inputs_per_count)
    throw InputError(c.where("power_inputs_per_count") + ": exceeds inputs_per_count = " +
                     std::to_string(x.inputs_per_count));
  x.arrays_per_mix = static_cast<int>(c.integer("arrays_per_mix", x.arrays_per_mix, {.min = 1, .max = 10000}));
  x.column_buckets = static_cast<int>(c.integer("column_buckets", x.column_buckets, {.min = 1, .max = schema::kMaxColumnBuckets}));
  if (x.column_buckets > x.cols)
    throw InputError(c.where("column_buckets") + ": more buckets than columns (" + std::to_string(x.cols) + ")");
  x.quantile_probs = c.numbers("quantile_probs", x.quantile_probs, {.min = 0, .max = 1});

  for (const Config& m : c.tables("mix")) {
    LevelMix mix;
    mix.name = m.string("name", "");
    if (mix.name.empty()) throw InputError(m.where("name") + ": each [[crossbar.mix]] needs a name");
    mix.level_probs = m.numbers("level_probs", {}, {.min = 0, .max = 1});
    if (static_cast<int>(mix.level_probs.size()) != levels)
      throw InputError(m.where("level_probs") + ": needs " + std::to_string(levels) +
                       " probabilities (one per level), got " + std::to_string(mix.level_probs.size()));
    double sum = 0;
    for (double p : mix.level_probs) sum += p;
    if (std::abs(sum - 1) > 1e-6) throw InputError(m.where("level_probs") + ": probabilities must sum to 1");
    x.mixes.push_back(mix);
  }
  if (x.mixes.empty()) x.mixes.push_back({"uniform", std::vector<double>(levels, 1.0 / levels)});

  Config k = c.table("check");
  x.check_engine = k.string("engine", x.check_engine, {"ngspice", "native", "ideal", "none"});
  x.check_rows = static_cast<int>(k.integer("rows", x.check_rows, {.min = 1, .max = 128}));
  x.check_cols = static_cast<int>(k.integer("cols", x.check_cols, {.min = 1, .max = 128}));
  x.check_wire_ohm = k.numbers("wire_ohm", x.check_wire_ohm, ohm);
  x.check_inputs = static_cast<int>(k.integer("inputs", x.check_inputs, {.min = 1, .max = 1000}));
  return x;
}

AdcStageOptions parse_adc(const Config& c, const std::filesystem::path& base_dir) {
  AdcStageOptions a;
  std::vector<int64_t> bits(a.bits.begin(), a.bits.end());
  bits = c.integers("bits", bits, {.min = 1, .max = schema::kMaxAdcBits});
  a.bits.clear();
  for (auto b : bits) {
    if (!a.bits.empty() && b <= a.bits.back()) throw InputError(c.where("bits") + ": values must increase");
    a.bits.push_back(static_cast<int>(b));
  }
  if (a.bits.empty()) throw InputError(c.where("bits") + ": needs at least one value");
  a.cost_model = resolve_relative(c.string("cost_model", a.cost_model), base_dir);  // a .toml beside the config
  try {
    (void)load_adc_cost_model(a.cost_model);  // fail now, not after the long stages
  } catch (const InputError& e) {
    throw InputError(c.where("cost_model") + ": " + e.what());
  }
  a.thresholds = c.string("thresholds", a.thresholds, {"calibrated", "ideal"});
  a.subtract_hrs_offset = c.boolean("subtract_hrs_offset", a.subtract_hrs_offset);
  a.min_samples = static_cast<int>(c.integer("min_samples", a.min_samples, {.min = 2, .max = 1000000}));
  return a;
}

}  // namespace

CalibrationOptions parse_calibration_options(const ConfigDoc& doc, const std::filesystem::path& base_dir) {
  Config root = doc.root();
  CalibrationOptions o;
  o.seed = static_cast<uint64_t>(root.integer("seed", 1, {.min = 0}));
  o.device = parse_device(root.table("device"), base_dir);
  o.crossbar = parse_crossbar(root.table("crossbar"), o.device.levels());
  o.adc = parse_adc(root.table("adc"), base_dir);
  doc.reject_unknown_keys();
  o.config_text = doc.text();
  return o;
}

CalibrationOptions load_calibration_options(const std::string& toml_file) {
  check_input_file(toml_file, "configuration file");
  auto doc = ConfigDoc::from_file(toml_file);
  CalibrationOptions o = parse_calibration_options(doc, std::filesystem::path(toml_file).parent_path());
  o.config_name = toml_file;
  return o;
}

}  // namespace rramsim::calibration
