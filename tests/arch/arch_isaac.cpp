// ISAAC's published figures (Table I, Table IV) against the model: isaac-prime.md.
#include <catch2/catch.hpp>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/arch/hardware.hpp"

using namespace rramsim::arch;
using namespace rramsim::workload;

namespace {

double within(double model, double published) { return std::abs(model / published - 1); }

}  // namespace

TEST_CASE("isaac: chip power and area derived from Table I components match 65.8 W and 85.4 mm^2") {
  Hardware hw = load_hardware("isaac");
  // Derived from per-instance figures x counts; the file holds no totals.
  CHECK(within(hw.chip_power_w(), 65.8) < 0.05);
  CHECK(within(hw.chip_area_mm2(), 85.4) < 0.05);
  // Intermediate totals of Table I.
  CHECK(within(hw.level_power_mw(Level::ima, false) * hw.imas_per_tile, 289) < 0.01);
  CHECK(within(hw.level_area_mm2(Level::ima, false) * hw.imas_per_tile, 0.157) < 0.01);
  CHECK(within(hw.level_power_mw(Level::tile, true), 330) < 0.01);
  CHECK(within(hw.level_area_mm2(Level::tile, true), 0.372) < 0.01);
  CHECK(hw.crossbars_per_chip() == 168 * 12 * 8);
}

TEST_CASE("isaac: ADCs take about 58 % of tile power and 31 % of tile area") {
  Hardware hw = load_hardware("isaac");
  const Component* adc = hw.find(Event::adc_conversion);
  REQUIRE(adc);
  double tile_adc_mw = adc->count * adc->power_mw * hw.imas_per_tile;
  double tile_adc_mm2 = adc->count * adc->area_mm2 * hw.imas_per_tile;
  CHECK(tile_adc_mw / hw.level_power_mw(Level::tile, true) == Approx(0.58).margin(0.02));
  CHECK(tile_adc_mm2 / hw.level_area_mm2(Level::tile, true) == Approx(0.31).margin(0.02));
  // The per-conversion energy follows from power and rate: ~1.6 pJ (isaac-prime.md).
  CHECK(adc->energy_per_event_j(true) * 1e12 == Approx(1.6).margin(0.1));
}

TEST_CASE("isaac: peak CE and PE match Table IV's ISAAC-CE row within 10 %") {
  Hardware hw = load_hardware("isaac");
  PeakFigures p = peak_figures(hw, 16, 16);
  CHECK(within(p.ce_gops_per_s_mm2, 478.95) < 0.10);
  CHECK(within(p.pe_gops_per_w, 627.5) < 0.10);
  CHECK(within(p.se_mb_per_mm2, 0.74) < 0.10);
  // The evaluation report carries the same peak figures.
  Report r = evaluate(hw, load_network("lenet5"));
  CHECK(r.peak.ce_gops_per_s_mm2 == Approx(p.ce_gops_per_s_mm2));
  CHECK(r.peak.pe_gops_per_w == Approx(p.pe_gops_per_w));
}

TEST_CASE("isaac: without encoding the ADC would need 9 bits and the unit column keeps it at 8 and costs one column") {
  // A = log2(R) + v + w - 1 for v = 1 (isaac-prime.md): 9 bits for R = 128, w = 2.
  Hardware hw = load_hardware("isaac");
  int a = static_cast<int>(std::log2(hw.rows)) + hw.dac_bits + hw.bits_per_cell - 1;
  CHECK(a == 9);
  CHECK(hw.adc_bits == a - 1);
  CHECK(hw.unit_columns == 1);
  // The 9-bit ADC costs more per conversion (survey scaling) on the same network.
  Network net = load_network("lenet5");
  EvaluateOptions nine;
  nine.adc_bits = 9;
  nine.per_layer["conv1"].extra_columns_per_crossbar = 0;
  Report r8 = evaluate(hw, net), r9 = evaluate(hw, net, nine);
  CHECK(r9.breakdown_energy("adc") > r8.breakdown_energy("adc"));
  CHECK(r9.layers[0].adc.energy_per_conversion_j / r8.layers[0].adc.energy_per_conversion_j == Approx(1.97 / 1.67));
}
