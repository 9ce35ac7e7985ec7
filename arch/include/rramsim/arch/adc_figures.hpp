#pragma once
// ADC energy, power, area and rate at any resolution, for one hardware description.
//
// Without tables: a cost model's curve (calibration::load_adc_cost_model) used only as a
// ratio to its value at the hardware's own ADC resolution, so the hardware file's ADC power
// and area (ISAAC's Table I) stay the anchor. With tables: the calibration file's figures,
// as they are (calibration::Tables::adc_cost).
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "rramsim/arch/hardware.hpp"

namespace rramsim::arch {

struct AdcFigures {
  int bits = 0;
  double energy_per_conversion_j = 0;
  double power_mw = 0;   // per ADC at full rate
  double area_mm2 = 0;   // per ADC
  double sample_rate_hz = 0;
};

class AdcFigureSource {
 public:
  // `tables` set: figures from that calibration file; else from `model` (a name in data/adc/
  // or a .toml file). InputError for a bad model, a bad file, or a hardware file without ADC.
  AdcFigureSource(const Hardware& hw, const std::optional<std::filesystem::path>& tables,
                  const std::string& model);
  ~AdcFigureSource();
  AdcFigures at(int bits) const;     // InputError if bits is out of range or not tabulated
  const std::string& description() const { return description_; }
  bool from_tables() const { return from_tables_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string description_;
  bool from_tables_ = false;
};

}  // namespace rramsim::arch
