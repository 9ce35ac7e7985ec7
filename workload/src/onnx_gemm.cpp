// ONNX Gemm and MatMul: fully connected layers.
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

void Importer::fc(const Value& a, std::vector<float> w, int64_t M, int64_t K, std::vector<float> bias, bool has_bias) {
  Value src = a;
  // Gemm after a flatten: read the flatten's input directly, columns permuted CHW -> HWC.
  if (a.layer >= 0) {
    Layer& p = out_.network.layers[a.layer];
    if (p.kind == LayerKind::reshape && p.activation == Activation::none && layer_uses_[a.layer] == 1 &&
        p.out_shape.height == 1 && p.out_shape.width == 1 && p.in_shape.elements() == K) {
      const Shape s = p.in_shape;
      std::vector<float> w2(w.size());
      for (int64_t m = 0; m < M; ++m)
        for (int c = 0; c < s.channels; ++c)
          for (int y = 0; y < s.height; ++y)
            for (int x = 0; x < s.width; ++x)
              w2[m * K + (int64_t(y) * s.width + x) * s.channels + c] = w[m * K + (int64_t(c) * s.height + y) * s.width + x];
      w = std::move(w2);
      src.layer = p.inputs[0];
    }
  }
  Layer l = layer_reading(LayerKind::fc, {src.layer});
  if (l.in_shape.elements() != K) fail("expects " + std::to_string(K) + " input features, gets " + std::to_string(l.in_shape.elements()));
  if (M < 1 || M > kMaxOutputs) fail(std::to_string(M) + " outputs, more than the " + std::to_string(kMaxOutputs) + " supported");
  l.out_channels = int(M);
  l.kernel_h = l.in_shape.height;
  l.kernel_w = l.in_shape.width;
  l.bias = has_bias;
  LayerWeights lw{std::move(w), std::move(bias)};
  Value v;
  v.layer = add_layer(std::move(l), std::move(lw));
  v.rank = 2;
  define(0, v);
}

void Importer::gemm() {
  only_attributes({"alpha", "beta", "transA", "transB"});
  const Value& a = data_in(0);
  const Tensor& b = const_in(1);
  if (a.rank != 2) fail("input A must have rank 2 (Flatten first), has " + std::to_string(a.rank));
  if (attr_int("transA", 0) != 0) fail("transA = 1 is not supported (it would mix the batch)");
  if (b.dims.size() != 2) fail("B must be a matrix");
  const bool tb = attr_int("transB", 0) != 0;
  const float alpha = attr_float("alpha", 1), beta = attr_float("beta", 1);
  const int64_t K = tb ? b.dims[1] : b.dims[0], M = tb ? b.dims[0] : b.dims[1];
  std::vector<float> w(M * K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) w[m * K + k] = alpha * (tb ? b.f[m * K + k] : b.f[k * M + m]);
  std::vector<float> bias(M, 0.0f);
  bool has_bias = false;
  if (has_in(2)) {
    const Tensor& c = const_in(2);
    const int64_t n = c.numel();
    bool row = c.dims.size() <= 1 || (c.dims.size() == 2 && c.dims[0] == 1);
    if (!row || (n != M && n != 1)) fail("bias C " + dims_str(c.dims) + " must broadcast along the batch ([M], [1,M] or a scalar)");
    for (int64_t m = 0; m < M; ++m) bias[m] = beta * c.f[n == 1 ? 0 : m];
    has_bias = true;
  }
  fc(a, std::move(w), M, K, std::move(bias), has_bias);
}

void Importer::matmul() {
  only_attributes({});
  const Value& a = data_in(0);
  const Tensor& b = const_in(1);
  if (a.rank != 2 || b.dims.size() != 2) fail("only [N,K] x [K,M] with a constant B is supported");
  const int64_t K = b.dims[0], M = b.dims[1];
  std::vector<float> w(M * K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) w[m * K + k] = b.f[k * M + m];
  fc(a, std::move(w), M, K, std::vector<float>(M, 0.0f), false);
}

}  // namespace rramsim::workload::onnx_detail
