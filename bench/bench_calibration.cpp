// Speed of the calibration pipeline's hot parts: one crossbar work unit (program an array,
// solve a batch of inputs) and the ADC stage (thresholds and error tables from samples).
// Levels are evenly spaced between the model's HRS and LRS read conductances, so the bench
// does not depend on write-verify.
#include <benchmark/benchmark.h>

#include "rramsim/calibration/adc_stage.hpp"
#include "rramsim/calibration/crossbar_stage.hpp"
#include "rramsim/calibration/work_dir.hpp"
#include "rramsim/device/model.hpp"

using namespace rramsim;
using namespace rramsim::calibration;

namespace {

CalibrationOptions options(int rows) {
  CalibrationOptions o;
  o.device.params = device::preset("stanford-pku");
  o.crossbar.rows = o.crossbar.cols = rows;
  o.crossbar.active_rows = {rows / 16, rows / 4, rows / 2, rows};
  o.crossbar.inputs_per_count = 24;
  o.crossbar.mixes = {{"uniform", {0.25, 0.25, 0.25, 0.25}}};
  return o;
}

DeviceLevels levels(const CalibrationOptions& o) {
  const auto& p = o.device.params;
  double lo = device::read_siemens(p, p.gap_max_m), hi = device::read_siemens(p, p.gap_min_m);
  DeviceLevels d;
  d.read_volt = p.read_volt;
  for (int l = 0; l < 4; ++l) {
    double g = lo + (hi - lo) * l / 3;
    d.mean_siemens.push_back(g);
    d.samples_siemens.push_back({g * 0.98, g, g * 1.02});
  }
  return d;
}

void BM_CrossbarUnit(benchmark::State& st) {
  auto o = options(static_cast<int>(st.range(0)));
  auto d = levels(o);
  uint64_t i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(run_crossbar_unit(o, d, {0, 0, 0}, unit_seed(1, 2, i++)));
  st.counters["inputs/s"] = benchmark::Counter(static_cast<double>(st.iterations()) * 4 * 24, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CrossbarUnit)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);

void BM_AdcStage(benchmark::State& st) {
  auto o = options(128);
  o.crossbar.wire_ohm = {1.0};
  o.crossbar.arrays_per_mix = 4;
  auto d = levels(o);
  auto keys = crossbar_units(o.crossbar);
  std::vector<UnitSamples> samples;
  for (size_t i = 0; i < keys.size(); ++i) samples.push_back(run_crossbar_unit(o, d, keys[i], unit_seed(1, 2, i)));
  for (auto _ : st) benchmark::DoNotOptimize(run_adc_stage(o, d, keys, samples));
  st.counters["samples"] = static_cast<double>(keys.size()) * 4 * 24 * 128;
}
BENCHMARK(BM_AdcStage)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
