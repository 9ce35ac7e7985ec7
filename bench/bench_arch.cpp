// Speed of the architecture evaluation (target: well under a second per network).
// Loading is measured separately from evaluating: a scheme sweep loads once and evaluates
// many times.
#include <benchmark/benchmark.h>

#include "rramsim/arch/evaluate.hpp"

namespace {

using namespace rramsim::arch;
using namespace rramsim::workload;

void BM_Evaluate(benchmark::State& state, const char* hardware, const char* network) {
  Hardware hw = load_hardware(hardware);
  Network net = load_network(network);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(hw, net));
}

void BM_LoadAndEvaluate(benchmark::State& state, const char* hardware, const char* network) {
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(load_hardware(hardware), load_network(network)));
}

BENCHMARK_CAPTURE(BM_Evaluate, isaac_vgg16, "isaac", "vgg16")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Evaluate, isaac_resnet50, "isaac", "resnet50")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Evaluate, prime_resnet50, "prime", "resnet50")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadAndEvaluate, isaac_vgg16, "isaac", "vgg16")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadAndEvaluate, isaac_resnet50, "isaac", "resnet50")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
