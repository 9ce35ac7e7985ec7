// ONNX pooling (Max/Average/Global) and Pad.
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

void Importer::pool(bool is_max, bool global) {
  const Value& x = data_in(0);
  if (x.rank != 4 && x.rank != 3) fail("only 1-D and 2-D pooling is supported (input rank " + std::to_string(x.rank) + ")");
  const int sp = x.rank - 2;
  Layer l = layer_reading(LayerKind::pool, {x.layer});
  l.pool_mode = is_max ? PoolMode::max : PoolMode::avg;
  if (global) {
    only_attributes({});
    l.kernel_h = l.in_shape.height;
    l.kernel_w = l.in_shape.width;
    l.avg_count_pad = true;
  } else {
    if (is_max)
      only_attributes({"kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order"});
    else
      only_attributes({"kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad"});
    only_first_output();
    if (attr_int("storage_order", 0) != 0) fail("storage_order = 1 is not supported");
    auto ks = attr_ints("kernel_shape");
    if (int(ks.size()) != sp) fail("kernel_shape needs " + std::to_string(sp) + " values");
    for (auto k : ks) if (k < 1 || k > 1 << 20) fail("kernel size " + std::to_string(k) + " is not supported");
    l.kernel_h = int(ks[0]);
    l.kernel_w = sp == 2 ? int(ks[1]) : 1;
    read_window(l, sp);
    l.avg_count_pad = attr_int("count_include_pad", 0) != 0;
    if (attr_int("ceil_mode", 0) != 0) {
      // Supported only where ceiling and floor give the same output size.
      auto exact = [](int64_t in, int64_t p, int64_t e, int64_t s) { return (in + p - e) % s == 0; };
      if (!exact(l.in_shape.height, l.pad_top + l.pad_bottom, int64_t(l.dilation_h) * (l.kernel_h - 1) + 1, l.stride_h) ||
          !exact(l.in_shape.width, l.pad_left + l.pad_right, int64_t(l.dilation_w) * (l.kernel_w - 1) + 1, l.stride_w))
        fail("ceil_mode = 1 with a window that does not tile the input exactly is not supported");
    }
  }
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = x.rank;
  define(0, v);
}

void Importer::pad() {
  only_attributes({"mode", "pads", "value"});
  const Value& x = data_in(0);
  if (attr_string("mode", "constant") != "constant") fail("mode '" + attr_string("mode", "") + "' is not supported (only constant)");
  std::vector<int64_t> pads;
  float value = 0;
  if (out_.opset < 11) {
    pads = attr_ints("pads");
    value = attr_float("value", 0);
  } else {
    const Tensor& p = const_in(1);
    pads = p.i;
    if (!p.is_int) fail("pads must be integers");
    if (has_in(2)) {
      const Tensor& c = const_in(2);
      if (c.numel() != 1) fail("constant_value must be a scalar");
      value = c.f[0];
    }
    if (has_in(3)) fail("the axes input is not supported");
  }
  const int r = x.rank;
  if (int(pads.size()) != 2 * r) fail("pads has " + std::to_string(pads.size()) + " values for rank " + std::to_string(r));
  for (int k = 0; k < r; ++k)
    if ((k < 2 || k >= 4) && (pads[k] != 0 || pads[k + r] != 0))
      fail("padding the batch or channel dimension is not supported");
  for (auto p : pads) if (p < 0 || p > 1 << 20) fail("pads value " + std::to_string(p) + " is not supported (negative or too large)");
  Layer l = layer_reading(LayerKind::pad, {x.layer});
  if (r >= 3) l.pad_top = int(pads[2]), l.pad_bottom = int(pads[2 + r]);
  if (r >= 4) l.pad_left = int(pads[3]), l.pad_right = int(pads[3 + r]);
  l.pad_value = value;
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = r;
  define(0, v);
}

}  // namespace rramsim::workload::onnx_detail
