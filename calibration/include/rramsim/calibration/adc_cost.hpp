#pragma once
// Cost of one ADC versus resolution: energy per conversion, area, sample rate.
//
// Models (a configuration choice), all anchored at ISAAC's 8-bit, 1.28 GS/s ADC:
//  - "survey": the published scaling in data/adc/isaac-survey.toml (vref buffer, memory
//    and clock linear in bits, capacitive DAC exponential), interpolated in log space;
//  - "walden": constant Walden figure of merit, energy and area proportional to 2^bits.
// The anchor and the tables are data, not code: see data/adc/ and docs/calibration.md.
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim::calibration {

struct AdcCost {
  int bits = 8;
  double energy_pj = 0;       // per conversion
  double area_um2 = 0;
  double sample_rate_hz = 0;
  double power_mw = 0;        // energy x rate
};

struct AdcCostModel {
  std::string model = "survey";            // survey | walden
  std::string source;                      // where the anchor/table came from
  int anchor_bits = 8;
  double anchor_energy_pj = 0;
  double anchor_area_um2 = 0;
  double sample_rate_hz = 0;
  std::vector<int> table_bits;             // survey table
  std::vector<double> table_energy_pj;
  std::vector<double> table_area_um2;

  AdcCost at(int bits) const;              // bits in [1, 16]; InputError otherwise
};

// Loads data/adc/<name>.toml ("isaac-survey" or "isaac-walden") or a TOML file path.
AdcCostModel load_adc_cost_model(const std::string& name_or_file);

}  // namespace rramsim::calibration
