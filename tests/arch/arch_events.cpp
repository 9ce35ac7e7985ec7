// Mapping, event counts, energy and time on a case small enough to compute by hand.
#include <catch2/catch.hpp>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/arch/mapping.hpp"
#include "rramsim/arch/replication.hpp"
#include "rramsim/common/error.hpp"

using namespace rramsim::arch;
using namespace rramsim::workload;

namespace {

// 8x8 crossbars of 2-bit cells, 4-bit weights (2 slices), 2-bit inputs (2 cycles of 1 bit),
// one unit column; 2 crossbars and 2 ADCs per IMA, 2 IMAs per tile, 4 tiles: 16 crossbars.
// Powers and rates are chosen so energies per event are round: crossbar read 10 pJ,
// DAC 1 pJ, ADC 20 pJ, shift-and-add 1 pJ, eDRAM 1 pJ/B, off-chip 1 nJ/B.
const char* kTinyHardware = R"(
name = "tiny"
technology_nm = 32
clock_hz = 1e9
[crossbar]
rows = 8
cols = 8
bits_per_cell = 2
read_cycle_ns = 100
unit_columns = 1
[dac]
bits = 1
[adc]
bits = 4
sample_rate_hz = 5e7
[operands]
weight_bits = 4
input_bits = 2
[hierarchy]
imas_per_tile = 2
tiles_per_chip = 4
[[component]]
name = "crossbar"
event = "crossbar_read"
level = "ima"
count = 2
power_mw = 0.1
area_mm2 = 0.001
[[component]]
name = "dac"
event = "dac_activation"
level = "ima"
count = 16
power_mw = 0.01
area_mm2 = 0.0001
[[component]]
name = "adc"
event = "adc_conversion"
level = "ima"
count = 2
power_mw = 1.0
area_mm2 = 0.01
[[component]]
name = "shift_add"
event = "shift_add"
level = "ima"
count = 1
power_mw = 1.0
area_mm2 = 0.001
events_per_s = 1e9
[[component]]
name = "edram"
event = "edram_byte"
level = "tile"
count = 1
power_mw = 1.0
area_mm2 = 0.1
events_per_s = 1e9
[[component]]
name = "link"
event = "offchip_byte"
level = "chip"
count = 1
power_mw = 1000.0
area_mm2 = 1.0
events_per_s = 1e9
)";

// One 3x3 convolution, 3x4x4 -> 5x4x4 (padding 1), ReLU.
const char* kOneConv = R"(
name = "oneconv"
[input]
channels = 3
height = 4
width = 4
[[layer]]
name = "c1"
type = "conv"
out_channels = 5
kernel = 3
padding = 1
activation = "relu"
)";

}  // namespace

TEST_CASE("events: one convolution layer, every count computed by hand") {
  Hardware hw = parse_hardware(kTinyHardware, "tiny.toml");
  Network net = parse_network(kOneConv, "oneconv.toml");
  REQUIRE(hw.crossbars_per_chip() == 16);

  // Mapping: K = 3*3*3 = 27 rows -> 4 row chunks of 8; 4 outputs (2 slices each) per
  // crossbar -> 2 column chunks for 5 outputs; 8 crossbars per copy.
  LayerMapping m = map_layer(hw, net.layers[0], 4, 2, 1);
  CHECK(m.kernel_rows == 27);
  CHECK(m.row_chunks == 4);
  CHECK(m.outputs_per_crossbar == 4);
  CHECK(m.col_chunks == 2);
  CHECK(m.crossbars == 8);
  CHECK(m.busiest_crossbar_columns == 4 * 2 + 1);

  Report r = evaluate(hw, net);
  REQUIRE(r.layers.size() == 1);
  const LayerReport& l = r.layers[0];
  // 16 positions x 2 input cycles = 32 read cycles of the copy.
  CHECK(l.events[int(Event::crossbar_read)] == 32 * 8);
  CHECK(l.events[int(Event::dac_activation)] == 32 * 2 * 27);          // 2 column chunks drive all 27 rows
  CHECK(l.events[int(Event::input_register_access)] == 32 * 2 * 27);
  CHECK(l.events[int(Event::adc_conversion)] == 32 * 4 * (5 * 2 + 2)); // 4 row chunks x (10 data + 2 unit columns)
  CHECK(l.events[int(Event::sample_hold)] == 1536);
  CHECK(l.events[int(Event::shift_add)] == 1536);
  CHECK(l.events[int(Event::output_register_access)] == 1536);
  CHECK(l.events[int(Event::tile_add)] == 80 * 3);                      // 80 outputs, 4 partial sums each
  CHECK(l.events[int(Event::tile_register_access)] == 80);
  CHECK(l.events[int(Event::activation)] == 80);
  CHECK(l.events[int(Event::edram_byte)] == 16 * 27 + 80);              // patches in, outputs out (1 byte each)
  CHECK(l.events[int(Event::bus_byte)] == 16 * 27 + 80);
  CHECK(l.events[int(Event::router_flit_hop)] == 0);                    // last layer: off chip
  CHECK(l.events[int(Event::offchip_byte)] == 48 + 80);                 // input image + result
  CHECK(l.events[int(Event::pool_op)] == 0);

  // Energy: 256 x 10 pJ + 1728 x 1 pJ + 1536 x 20 pJ + 1536 x 1 pJ + 512 x 1 pJ + 128 x 1 nJ.
  CHECK(r.breakdown_energy("crossbar") == Approx(2.56e-9));
  CHECK(r.breakdown_energy("dac") == Approx(1.728e-9));
  CHECK(r.breakdown_energy("adc") == Approx(30.72e-9));
  CHECK(r.breakdown_energy("shift_add") == Approx(1.536e-9));
  CHECK(r.breakdown_energy("edram") == Approx(0.512e-9));
  CHECK(r.breakdown_energy("link") == Approx(128e-9));
  CHECK(r.energy_per_inference_j == Approx(165.056e-9));

  // Time: 9 conversions per ADC at 50 MS/s (180 ns) outlast the 100 ns read; the 16
  // crossbars hold 2 copies, so 8 positions x 2 cycles x 180 ns.
  CHECK(l.cycle_s == Approx(180e-9));
  CHECK(l.replication == 2);
  CHECK(l.time_s == Approx(8 * 2 * 180e-9));
  CHECK(r.crossbars_used == 16);
  CHECK(r.throughput_inferences_per_s == Approx(1 / 2.88e-6));
  CHECK(r.ops_per_inference == 2.0 * 5 * 27 * 16);
  CHECK(r.throughput_gops == Approx(4320 / 2.88e-6 / 1e9));
  CHECK(r.power_w == Approx(165.056e-9 / 2.88e-6));
  CHECK(r.energy_efficiency_gops_per_w == Approx(4320 / 165.056e-9 / 1e9));
  // Area of one chip: 8 IMAs x (2x0.001 + 16x0.0001 + 2x0.01 + 0.001) + 4 x 0.1 + 1.
  CHECK(r.area_mm2 == Approx(8 * 0.0246 + 0.4 + 1.0));
}

TEST_CASE("events: scheme overrides scale subwords, crossbar energy, ADC bits and columns") {
  Hardware hw = parse_hardware(kTinyHardware, "tiny.toml");
  Network net = parse_network(kOneConv, "oneconv.toml");
  Report base = evaluate(hw, net);
  EvaluateOptions o;
  o.per_layer["c1"].subword_fraction = 0.5;
  o.per_layer["c1"].read_fraction = 0.5;
  o.per_layer["c1"].crossbar_read_energy_scale = 0.5;
  o.per_layer["c1"].extra_columns_per_crossbar = 0;
  o.per_layer["c1"].adc_bits = 3;
  Report r = evaluate(hw, net, o);
  CHECK(r.total(Event::crossbar_read) == 128);
  CHECK(r.total(Event::adc_conversion) == 16 * 4 * 10);
  CHECK(r.breakdown_energy("crossbar") == Approx(0.25 * base.breakdown_energy("crossbar")));
  // Survey scaling below 4 bits extrapolates log-linearly: 0.79 * (0.79/0.99) pJ relative to 0.79.
  CHECK(r.layers[0].adc.energy_per_conversion_j / base.layers[0].adc.energy_per_conversion_j ==
        Approx(0.79 / 0.99));
  // 8 conversions per ADC: 160 ns per cycle; half the cycles.
  CHECK(r.layers[0].time_s == Approx(8 * 2 * 160e-9 * 0.5));

  // Skipping conversions per column saves conversions, not reads: reads, DAC activations
  // and the read-bound time stay those of the plain layer.
  EvaluateOptions cols;
  cols.per_layer["c1"].subword_fraction = 0.5;
  Report c = evaluate(hw, net, cols);
  CHECK(c.total(Event::crossbar_read) == base.total(Event::crossbar_read));
  CHECK(c.total(Event::dac_activation) == base.total(Event::dac_activation));
  CHECK(c.total(Event::adc_conversion) < base.total(Event::adc_conversion));
  CHECK(c.layers[0].time_s == Approx(base.layers[0].time_s));
  // Per-read conversions: half the reads issued with 2 conversions each (+1 unit column):
  // 3 conversions x 20 ns = 60 ns < the 100 ns read, so each issued read costs the read floor.
  EvaluateOptions reads;
  reads.per_layer["c1"].read_fraction = 0.5;
  reads.per_layer["c1"].read_conversions = {0, 0, 0.5};
  Report d = evaluate(hw, net, reads);
  CHECK(d.layers[0].time_fraction == Approx(0.5 * 100e-9 / base.layers[0].cycle_s));

  EvaluateOptions bad;
  bad.per_layer["nope"].adc_bits = 4;
  CHECK_THROWS_WITH(evaluate(hw, net, bad), Catch::Contains("'nope'"));
  bad.per_layer.clear();
  bad.per_layer["c1"].subword_fraction = 0;
  CHECK_THROWS_WITH(evaluate(hw, net, bad), Catch::Contains("subword_fraction"));
}

TEST_CASE("mapping: grouped convolutions and fully connected layers") {
  Hardware hw = load_hardware("isaac");
  Network alex = load_network("alexnet");
  // conv2: 2 groups, K = 48 x 5 x 5 = 1200 -> 10 row chunks; 128 outputs per group, 16 per crossbar.
  LayerMapping m = map_layer(hw, alex.layers[alex.find("conv2")], 16, 16, 1);
  CHECK(m.kernel_rows == 1200);
  CHECK(m.row_chunks == 10);
  CHECK(m.col_chunks == 8);
  CHECK(m.crossbars == 160);
  CHECK(m.input_cycles == 16);
  // fc6: 9216 inputs -> 72 row chunks; 4096 outputs -> 256 column chunks.
  LayerMapping f = map_layer(hw, alex.layers[alex.find("fc6")], 16, 16, 1);
  CHECK(f.row_chunks == 72);
  CHECK(f.col_chunks == 256);
  CHECK_THROWS_AS(map_layer(hw, alex.layers[alex.find("pool1")], 16, 16, 1), rramsim::InputError);
}

TEST_CASE("replication: balances the pipeline within the crossbar budget") {
  // Stage a: 100 positions x 1 us on 2 crossbars; stage b: 10 positions x 1 us on 1 crossbar.
  std::vector<StageDemand> s = {{100, 1e-6, 2}, {10, 1e-6, 1}};
  auto c = balance_replication(s, 3);
  CHECK(c == std::vector<int64_t>{1, 1});
  // Budget 30: 13 copies of a (26 crossbars, 8 positions each) + 2 of b (5 each) = 28 gives
  // 8 us; 7 us would need 15 x 2 + 2 = 32 crossbars. So 8 us is the best.
  c = balance_replication(s, 30);
  CHECK(c[0] * 2 + c[1] <= 30);
  CHECK(std::max((100 + c[0] - 1) / c[0], (10 + c[1] - 1) / c[1]) == 8);
  // On the real chip every layer's replication stays within the budget.
  Report r = evaluate(load_hardware("isaac"), load_network("resnet18"));
  CHECK(r.crossbars_used <= r.crossbars_available);
  CHECK(r.chips == 1);
  for (const auto& l : r.layers)
    if (l.kind == LayerKind::conv) CHECK(l.time_s <= r.pipeline_stage_s);
}
