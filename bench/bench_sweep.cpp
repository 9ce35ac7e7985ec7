// The shipped wire x ADC sweep (data/sweeps/wire-adc-lenet5.toml, 30 points on LeNet-5),
// cache cold and cache warm. Target (issue 10): cold under 2 minutes on 2 cores; warm at
// least 5x faster than cold. One iteration each (a cold run is a minute long).
//
//   build/bench_sweep --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <filesystem>

#include "rramsim/common/data_path.hpp"
#include "rramsim/sweep/options.hpp"
#include "rramsim/sweep/run.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::temp_directory_path() / "rramsim-bench-sweep";

sweep::SweepReport run_once(bool cold) {
  if (cold) fs::remove_all(kWork / "cache");
  fs::create_directories(kWork);
  auto o = sweep::load_sweep_options(data_dir() / "sweeps" / "wire-adc-lenet5.toml");
  return sweep::run_sweep(o, {.out = kWork / "sweep.h5", .threads = 2, .cache = kWork / "cache", .quiet = true});
}

void BM_WireAdcSweep(benchmark::State& st) {
  const bool cold = st.range(0) == 1;
  sweep::SweepReport r;
  for (auto _ : st) {
    r = run_once(cold);
    st.SetIterationTime(r.wall_seconds);
  }
  st.counters["points"] = double(r.points.size());
  st.counters["calibrations_run"] = double(r.calibrations - r.calibrations_cached);
  st.counters["s_per_point"] = r.wall_seconds / double(r.points.size());
}
BENCHMARK(BM_WireAdcSweep)->Arg(1)->Arg(0)->ArgName("cold")->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
