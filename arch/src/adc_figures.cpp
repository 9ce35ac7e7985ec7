#include "rramsim/arch/adc_figures.hpp"

#include <cmath>

#include <fmt/format.h>

#include "rramsim/calibration/adc_cost.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::arch {

struct AdcFigureSource::Impl {
  const Component* adc = nullptr;
  int anchor_bits = 0;
  bool ramp = false;
  std::optional<calibration::AdcCostModel> model;
  std::optional<calibration::Tables> tables;
  mutable std::map<int, AdcFigures> cache;  // bits -> figures (the model is pure)
};

AdcFigureSource::AdcFigureSource(const Hardware& hw, const std::optional<std::filesystem::path>& tables,
                                 const std::string& model)
    : impl_(std::make_unique<Impl>()) {
  impl_->adc = hw.find(Event::adc_conversion);
  if (!impl_->adc) throw InputError(hw.source.string() + ": the hardware has no ADC component");
  impl_->anchor_bits = hw.adc_bits;
  impl_->ramp = hw.adc_ramp;
  if (tables) {
    impl_->tables.emplace(calibration::Tables::open(*tables));
    from_tables_ = true;
    description_ = "calibration tables " + tables->string() + " (ADC model '" + impl_->tables->adc_model() + "')";
  } else {
    impl_->model = calibration::load_adc_cost_model(model);
    description_ = fmt::format("ADC cost model '{}' scaled to {}'s {}-bit ADC ({:g} mW, {:g} um^2, {:g} GS/s)",
                               model, hw.name, hw.adc_bits, impl_->adc->power_mw, impl_->adc->area_mm2 * 1e6,
                               impl_->adc->events_per_s / 1e9);
  }
}

AdcFigureSource::~AdcFigureSource() = default;

AdcFigures AdcFigureSource::at(int bits) const {
  if (auto it = impl_->cache.find(bits); it != impl_->cache.end()) return it->second;
  if (bits < 1 || bits > 16) throw InputError("ADC resolution " + std::to_string(bits) + " bits is out of range [1, 16]");
  AdcFigures f;
  f.bits = bits;
  if (impl_->tables) {
    calibration::AdcCost c = impl_->tables->adc_cost(bits);
    f.energy_per_conversion_j = c.energy_pj * 1e-12;
    f.area_mm2 = c.area_um2 * 1e-6;
    f.sample_rate_hz = c.sample_rate_hz;
  } else {
    // Ratios to the model's own value at the hardware's resolution keep the file the anchor.
    calibration::AdcCost anchor = impl_->model->at(impl_->anchor_bits);
    calibration::AdcCost c = impl_->model->at(bits);
    const Component& a = *impl_->adc;
    f.energy_per_conversion_j = a.energy_per_event_j(true) * c.energy_pj / anchor.energy_pj;
    f.area_mm2 = a.area_mm2 * c.area_um2 / anchor.area_um2;
    f.sample_rate_hz = a.events_per_s * c.sample_rate_hz / anchor.sample_rate_hz;
    if (impl_->ramp) {
      // A ramp ADC steps through up to 2^bits levels: energy and time double per bit.
      const double steps = std::ldexp(1.0, bits - impl_->anchor_bits);
      f.energy_per_conversion_j = a.energy_per_event_j(true) * steps;
      f.sample_rate_hz = a.events_per_s / steps;
    }
  }
  if (!(f.energy_per_conversion_j > 0) || !(f.sample_rate_hz > 0))
    throw InputError(description_ + ": ADC at " + std::to_string(bits) + " bits has no positive energy and rate");
  f.power_mw = f.energy_per_conversion_j * f.sample_rate_hz * 1e3;
  impl_->cache[bits] = f;
  return f;
}

}  // namespace rramsim::arch
