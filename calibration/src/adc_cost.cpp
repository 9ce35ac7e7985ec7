#include "rramsim/calibration/adc_cost.hpp"
#include "rramsim/common/data_path.hpp"

#include <cmath>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace {

// Log-linear interpolation (extrapolation from the end segments) of y over integer x.
double interp_log(const std::vector<int>& x, const std::vector<double>& y, int at) {
  size_t i = 1;
  while (i + 1 < x.size() && x[i] < at) ++i;
  double t = static_cast<double>(at - x[i - 1]) / (x[i] - x[i - 1]);
  return std::exp(std::log(y[i - 1]) + t * (std::log(y[i]) - std::log(y[i - 1])));
}

}  // namespace

AdcCost AdcCostModel::at(int bits) const {
  if (bits < 1 || bits > 16) throw InputError("ADC resolution " + std::to_string(bits) + " bits is out of range [1, 16]");
  AdcCost c;
  c.bits = bits;
  c.sample_rate_hz = sample_rate_hz;
  if (model == "walden") {
    double scale = std::ldexp(1.0, bits - anchor_bits);
    c.energy_pj = anchor_energy_pj * scale;
    c.area_um2 = anchor_area_um2 * scale;
  } else {
    c.energy_pj = interp_log(table_bits, table_energy_pj, bits);
    c.area_um2 = interp_log(table_bits, table_area_um2, bits);
  }
  c.power_mw = c.energy_pj * 1e-12 * sample_rate_hz * 1e3;
  return c;
}

AdcCostModel load_adc_cost_model(const std::string& name_or_file) {
  std::filesystem::path file = name_or_file;
  if (file.extension() != ".toml")
    file = data_path("adc", name_or_file);
  if (!std::filesystem::exists(file))
    throw InputError("unknown ADC cost model '" + name_or_file + "' (known: isaac-survey, isaac-walden, or a .toml file)");
  auto doc = ConfigDoc::from_file(file);
  Config c = doc.root();
  AdcCostModel m;
  m.model = c.string("model", "survey", {"survey", "walden"});
  m.source = c.string("source", file.string());
  m.anchor_bits = static_cast<int>(c.integer("anchor_bits", 8, {.min = 1, .max = 16}));
  m.anchor_energy_pj = c.number("anchor_energy_pj", 0, {.min = 0, .min_exclusive = true});
  m.anchor_area_um2 = c.number("anchor_area_um2", 0, {.min = 0, .min_exclusive = true});
  m.sample_rate_hz = c.number("sample_rate_hz", 0, {.min = 0, .min_exclusive = true});
  if (m.model == "survey") {
    for (auto b : c.integers("bits", {}, {.min = 1, .max = 16})) m.table_bits.push_back(static_cast<int>(b));
    m.table_energy_pj = c.numbers("energy_pj", {}, {.min = 0, .min_exclusive = true});
    m.table_area_um2 = c.numbers("area_um2", {}, {.min = 0, .min_exclusive = true});
    if (m.table_bits.size() < 2 || m.table_energy_pj.size() != m.table_bits.size() ||
        m.table_area_um2.size() != m.table_bits.size())
      throw InputError(file.string() + ": bits, energy_pj and area_um2 must be arrays of equal length >= 2");
    for (size_t i = 1; i < m.table_bits.size(); ++i)
      if (m.table_bits[i] <= m.table_bits[i - 1]) throw InputError(file.string() + ": bits must increase");
  }
  doc.reject_unknown_keys();
  return m;
}

}  // namespace rramsim::calibration
