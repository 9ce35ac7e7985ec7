// ONNX activations, Add/Mul (with broadcasting) and Softmax.
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

void Importer::activation(Activation a, float alpha, float beta) {
  const Value& x = data_in(0);
  Layer* p = sole_producer(0);
  if (p && p->activation == Activation::none && p->kind != LayerKind::constant) {
    p->activation = a;
    p->act_alpha = alpha;
    p->act_beta = beta;
    define(0, x);
    return;
  }
  Layer l = layer_reading(LayerKind::act, {x.layer});
  l.activation = a;
  l.act_alpha = alpha;
  l.act_beta = beta;
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = x.rank;
  define(0, v);
}

void Importer::elementwise(LayerKind kind) {
  only_attributes({});
  if (node_->input_size() != 2) fail("exactly two inputs are supported");
  const Value &a = in(0), &b = in(1);
  if (a.is_const && b.is_const) fail("both inputs are constants (constant folding is not supported)");
  const Value& d = a.is_const ? b : a;
  const Value& c = a.is_const ? a : b;
  // Add of a per-channel constant right after a bias-free conv/fc: fold into the bias.
  if (kind == LayerKind::add && c.is_const) {
    Layer* p = sole_producer(a.is_const ? 1 : 0);
    const int M = shape_of(d).channels;
    std::vector<int64_t> cd = c.t.dims;
    while (!cd.empty() && cd.front() == 1 && int(cd.size()) > 1) cd.erase(cd.begin());
    bool per_channel = c.t.numel() == M && (d.rank == 2 ? cd.size() == 1 : (cd.size() == 3 && cd[1] == 1 && cd[2] == 1));
    if (p && p->is_weighted() && !p->bias && p->activation == Activation::none && per_channel &&
        int(c.t.dims.size()) <= d.rank) {
      out_.weights[d.layer].bias = c.t.f;
      p->bias = true;
      define(0, d);
      return;
    }
  }
  int rank = std::max(a.is_const ? int(a.t.dims.size()) : a.rank, b.is_const ? int(b.t.dims.size()) : b.rank);
  if (rank != d.rank) fail("the constant has a higher rank than the data (broadcast over the batch is not supported)");
  std::vector<int> ins;
  for (int k = 0; k < 2; ++k) {
    const Value& v = in(k);
    ins.push_back(v.is_const ? constant_layer(v.t, rank, node_->input(k)) : v.layer);
  }
  // numpy broadcasting over channels, height, width.
  Shape out;
  int* od[3] = {&out.channels, &out.height, &out.width};
  Shape s0 = ins[0] < 0 ? out_.network.input : out_.network.layers[ins[0]].out_shape;
  Shape s1 = ins[1] < 0 ? out_.network.input : out_.network.layers[ins[1]].out_shape;
  const int d0[3] = {s0.channels, s0.height, s0.width}, d1[3] = {s1.channels, s1.height, s1.width};
  for (int k = 0; k < 3; ++k) {
    if (d0[k] != d1[k] && d0[k] != 1 && d1[k] != 1)
      fail("input shapes " + std::to_string(s0.channels) + "x" + std::to_string(s0.height) + "x" + std::to_string(s0.width) +
           " and " + std::to_string(s1.channels) + "x" + std::to_string(s1.height) + "x" + std::to_string(s1.width) +
           " do not broadcast");
    *od[k] = std::max(d0[k], d1[k]);
  }
  Layer l = layer_reading(kind, ins);
  l.out_shape = out;
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = rank;
  define(0, v);
}

void Importer::softmax() {
  only_attributes({"axis"});
  const Value& x = data_in(0);
  const Shape s = shape_of(x);
  int64_t axis = attr_int("axis", out_.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += x.rank;
  const bool spatial1 = s.height == 1 && s.width == 1;
  // opset < 13 flattens from `axis` on: channels only if there is no spatial extent.
  const bool ok = axis == 1 && (out_.opset >= 13 || spatial1);
  if (!ok) fail("axis " + std::to_string(attr_int("axis", 0)) + " is not supported (softmax over channels only)");
  Layer l = layer_reading(LayerKind::softmax, {x.layer});
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = x.rank;
  define(0, v);
}

}  // namespace rramsim::workload::onnx_detail
