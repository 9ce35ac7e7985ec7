// Speed of the device layer: one default I-V sweep (0 -> 2 -> 0 -> -2 -> 0 V, 16 ms, 2001
// points) natively and through libngspice, and write-verify programming per device.
#include <benchmark/benchmark.h>

#include "rramsim/device/iv.hpp"
#include "rramsim/device/write_verify.hpp"

using namespace rramsim::device;

static void BM_IvSweep(benchmark::State& state, const char* set, Engine engine) {
  Params p = preset(set);
  IvOptions o;
  for (auto _ : state) benchmark::DoNotOptimize(run_iv(p, o, engine).final_state.gap_m);
}
BENCHMARK_CAPTURE(BM_IvSweep, stanford_native, "stanford-pku", Engine::native)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IvSweep, stanford_ngspice, "stanford-pku", Engine::ngspice)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IvSweep, asu_native, "asu", Engine::native)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IvSweep, asu_ngspice, "asu", Engine::ngspice)->Unit(benchmark::kMillisecond);

// Four levels on 16 devices, one thread: the figure to scale the 1000-device default by.
static void BM_WriteVerify16(benchmark::State& state) {
  Params p = preset("stanford-pku");
  WriteVerifyOptions o;
  o.devices = 16;
  o.threads = 1;
  for (auto _ : state) benchmark::DoNotOptimize(write_verify(p, o).levels[0].mean_siemens);
}
BENCHMARK(BM_WriteVerify16)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
