// Reads the ADC cost model shipped with rramsim and prints one figure.
#include <cstdio>

#include "rramsim/calibration/adc_cost.hpp"

int main() {
  auto model = rramsim::calibration::load_adc_cost_model("isaac-survey");
  std::printf("8-bit ADC: %.4g pJ per conversion\n", model.at(8).energy_pj);
  return 0;
}
