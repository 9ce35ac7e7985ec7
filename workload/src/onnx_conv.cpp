// ONNX Conv (groups, strides, pads, dilations) and BatchNormalization (folded into the conv).
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

void resolve_pads(Importer* self, const std::string& auto_pad, std::vector<int64_t> pads, int in_h, int in_w, int64_t eh,
                  int64_t ew, int sh, int sw, int rank2d, Layer& l,
                  const std::function<void(const std::string&)>& fail) {
  if (auto_pad.empty() || auto_pad == "NOTSET") {
    if (pads.empty()) pads.assign(2 * rank2d, 0);
    if (static_cast<int>(pads.size()) != 2 * rank2d) fail("pads has " + std::to_string(pads.size()) + " values");
    for (auto p : pads)
      if (p < 0 || p > 1 << 20) fail("pads value " + std::to_string(p) + " is not supported");
    if (rank2d == 2) {
      l.pad_top = int(pads[0]), l.pad_left = int(pads[1]), l.pad_bottom = int(pads[2]), l.pad_right = int(pads[3]);
    } else {
      l.pad_top = int(pads[0]), l.pad_bottom = int(pads[1]);
    }
  } else if (auto_pad == "VALID") {
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto total = [](int64_t in, int64_t e, int s) {
      int64_t out = (in + s - 1) / s;
      return std::max<int64_t>(0, (out - 1) * s + e - in);
    };
    int64_t th = total(in_h, eh, sh), tw = total(in_w, ew, sw);
    bool upper = auto_pad == "SAME_UPPER";
    l.pad_top = int(upper ? th / 2 : th - th / 2), l.pad_bottom = int(th - l.pad_top);
    l.pad_left = int(upper ? tw / 2 : tw - tw / 2), l.pad_right = int(tw - l.pad_left);
  } else {
    fail("auto_pad '" + auto_pad + "' is not supported");
  }
}

void Importer::read_window(Layer& l, int sp) {
  auto st = attr_ints("strides"), di = attr_ints("dilations");
  if (!st.empty() && int(st.size()) != sp) fail("strides has " + std::to_string(st.size()) + " values");
  if (!di.empty() && int(di.size()) != sp) fail("dilations has " + std::to_string(di.size()) + " values");
  for (auto v : st) if (v < 1 || v > 1 << 20) fail("stride " + std::to_string(v) + " is not supported");
  for (auto v : di) if (v < 1 || v > 1 << 20) fail("dilation " + std::to_string(v) + " is not supported");
  l.stride_h = st.empty() ? 1 : int(st[0]);
  l.stride_w = st.size() == 2 ? int(st[1]) : 1;
  l.dilation_h = di.empty() ? 1 : int(di[0]);
  l.dilation_w = di.size() == 2 ? int(di[1]) : 1;
  resolve_pads(this, attr_string("auto_pad", "NOTSET"), attr_ints("pads"), l.in_shape.height, l.in_shape.width,
               int64_t(l.dilation_h) * (l.kernel_h - 1) + 1, int64_t(l.dilation_w) * (l.kernel_w - 1) + 1, l.stride_h,
               l.stride_w, sp, l, [this](const std::string& m) { fail(m); });
}

void Importer::conv() {
  only_attributes({"group", "strides", "pads", "dilations", "kernel_shape", "auto_pad"});
  const Value& x = data_in(0);
  const Tensor& w = const_in(1);
  if (x.rank != 4 && x.rank != 3) fail("only 1-D and 2-D convolutions are supported (input rank " + std::to_string(x.rank) + ")");
  const int sp = x.rank - 2;
  if (static_cast<int>(w.dims.size()) != x.rank) fail("weight rank " + std::to_string(w.dims.size()) + " does not match the input");
  Layer l = layer_reading(LayerKind::conv, {x.layer});
  const int64_t group = attr_int("group", 1);
  if (group < 1 || group > l.in_shape.channels) fail("group " + std::to_string(group) + " is out of range");
  l.groups = int(group);
  if (w.dims[0] < 1 || w.dims[0] > kMaxOutputs) fail("weight has " + std::to_string(w.dims[0]) + " output channels");
  l.out_channels = int(w.dims[0]);
  if (w.dims[1] * group != l.in_shape.channels)
    fail("weight " + dims_str(w.dims) + " with group " + std::to_string(group) + " does not match " +
         std::to_string(l.in_shape.channels) + " input channels");
  l.kernel_h = int(w.dims[2]);
  l.kernel_w = sp == 2 ? int(w.dims[3]) : 1;
  auto ks = attr_ints("kernel_shape");
  if (!ks.empty() && (int(ks.size()) != sp || ks[0] != l.kernel_h || (sp == 2 && ks[1] != l.kernel_w)))
    fail("kernel_shape " + dims_str(ks) + " disagrees with the weight " + dims_str(w.dims));
  read_window(l, sp);
  LayerWeights lw;
  const int64_t M = l.out_channels, cg = w.dims[1], kh = l.kernel_h, kw = l.kernel_w, K = cg * kh * kw;
  lw.weights.resize(M * K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x2 = 0; x2 < kw; ++x2)
          lw.weights[m * K + (y * kw + x2) * cg + c] = w.f[((m * cg + c) * kh + y) * kw + x2];
  lw.bias.assign(M, 0.0f);
  l.bias = false;
  if (has_in(2)) {
    const Tensor& b = const_in(2);
    if (b.numel() != M) fail("bias has " + std::to_string(b.numel()) + " values for " + std::to_string(M) + " outputs");
    lw.bias = b.f;
    l.bias = true;
  }
  Value v;
  v.layer = add_layer(std::move(l), std::move(lw));
  v.rank = x.rank;
  define(0, v);
}

void Importer::batchnorm() {
  only_attributes({"epsilon", "momentum", "training_mode", "spatial"});
  if (attr_int("training_mode", 0) != 0) fail("training_mode = 1 is not supported");
  if (attr_int("spatial", 1) != 1) fail("spatial = 0 is not supported");
  only_first_output();
  const Value& x = data_in(0);
  const Tensor &s = const_in(1), &b = const_in(2), &mean = const_in(3), &var = const_in(4);
  const int C = shape_of(x).channels;
  for (const Tensor* t : {&s, &b, &mean, &var})
    if (t->numel() != C) fail("scale, bias, mean and variance need " + std::to_string(C) + " values each");
  const double eps = attr_float("epsilon", 1e-5f);
  std::vector<double> a(C), c0(C);
  for (int c = 0; c < C; ++c) {
    if (var.f[c] + eps <= 0) fail("variance + epsilon is not positive");
    a[c] = s.f[c] / std::sqrt(double(var.f[c]) + eps);
    c0[c] = b.f[c] - mean.f[c] * a[c];
  }
  Layer* p = sole_producer(0);
  if (p && p->kind == LayerKind::conv && p->activation == Activation::none) {
    LayerWeights& lw = out_.weights[x.layer];
    const int64_t K = p->kernel_rows();
    for (int m = 0; m < C; ++m) {
      for (int64_t k = 0; k < K; ++k) lw.weights[m * K + k] = float(lw.weights[m * K + k] * a[m]);
      lw.bias[m] = float(lw.bias[m] * a[m] + c0[m]);
    }
    p->bias = true;
    define(0, x);
    return;
  }
  // Stand-alone: a per-channel affine map, i.e. a depthwise 1x1 convolution.
  Layer l = layer_reading(LayerKind::conv, {x.layer});
  l.out_channels = C;
  l.groups = C;
  LayerWeights lw;
  for (int c = 0; c < C; ++c) lw.weights.push_back(float(a[c])), lw.bias.push_back(float(c0[c]));
  Value v;
  v.layer = add_layer(std::move(l), std::move(lw));
  v.rank = x.rank;
  define(0, v);
}

}  // namespace rramsim::workload::onnx_detail
