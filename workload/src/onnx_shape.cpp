// ONNX layout operators: Flatten/Reshape/Transpose, Concat, Constant, and the shape
// arithmetic folded at import (Shape, Slice, Gather, Cast, Unsqueeze, Squeeze).
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

// A per-image reshape (the batch kept): target dims include the batch.
void Importer::reshape_to(const Value& x, std::vector<int64_t> target) {
  if (target.empty() || target.size() > 4) fail("target rank " + std::to_string(target.size()) + " is not supported (1 to 4)");
  if (target[0] != batch_) fail("reshaping the batch dimension is not supported");
  std::vector<int64_t> d(4, 1);
  for (size_t k = 1; k < target.size(); ++k) d[k] = target[k];
  const Shape in = shape_of(x);
  Shape s{int(d[1]), int(d[2]), int(d[3])};
  if (s.elements() != in.elements()) fail("target shape " + dims_str(target) + " does not hold the input's values");
  Value v = x;
  v.rank = int(target.size());
  if (!(s == in)) {
    Layer l = layer_reading(LayerKind::reshape, {x.layer});
    l.out_shape = s;
    v.layer = add_layer(std::move(l));
  }
  define(0, v);
}

void Importer::concat() {
  only_attributes({"axis"});
  if (node_->input_size() < 1) fail("no inputs");
  int rank = 0;
  for (int k = 0; k < node_->input_size(); ++k)
    if (!in(k).is_const) rank = in(k).rank;
  if (rank == 0) fail("all inputs are constants (constant folding is not supported)");
  int64_t axis = attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis != 1) fail("axis " + std::to_string(attr_int("axis", 1)) + " is not supported (only the channel axis 1)");
  std::vector<int> ins;
  int C = 0;
  for (int k = 0; k < node_->input_size(); ++k) {
    const Value& v = in(k);
    if (v.is_const && int(v.t.dims.size()) != rank) fail("constant input of another rank");
    int j = v.is_const ? constant_layer(v.t, rank, node_->input(k)) : v.layer;
    Shape s = j < 0 ? out_.network.input : out_.network.layers[j].out_shape;
    Shape s0 = ins.empty() ? s : (ins[0] < 0 ? out_.network.input : out_.network.layers[ins[0]].out_shape);
    if (s.height != s0.height || s.width != s0.width) fail("inputs differ in height or width");
    C += s.channels;
    ins.push_back(j);
  }
  Layer l = layer_reading(LayerKind::concat, ins);
  l.out_shape = {C, l.in_shape.height, l.in_shape.width};
  Value v;
  v.layer = add_layer(std::move(l));
  v.rank = rank;
  define(0, v);
}

// Shape computations on constants (e.g. Shape -> Slice -> Concat -> Reshape of a
// PaddlePaddle export) are folded at import: 1-D integer or float constants only.
void Importer::fold_shape_op(const std::string& op) {
  Value v;
  v.is_const = true;
  Tensor& t = v.t;
  auto as_ints = [&](const Tensor& x) {
    std::vector<int64_t> r;
    for (float f : x.f) r.push_back(int64_t(f));
    return x.is_int ? x.i : r;
  };
  auto set_ints = [&](std::vector<int64_t> i) {
    t.is_int = true;
    t.i = std::move(i);
    t.f.assign(t.i.begin(), t.i.end());
    t.dims = {int64_t(t.i.size())};
  };
  if (op == "Shape") {
    only_attributes({});
    const Value& x = in(0);
    set_ints(x.is_const ? x.t.dims : dims_of(x));
  } else if (op == "Cast") {
    only_attributes({"to", "saturate"});
    const Value& x = in(0);
    const int64_t to = attr_int("to", 0);
    if (!x.is_const) {
      if (to != onnx::TensorProto::FLOAT) fail("casting data to type " + std::to_string(to) + " is not supported");
      define(0, x);
      return;
    }
    t = x.t;
    if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32) {
      auto i = as_ints(x.t);
      auto dims = t.dims;
      set_ints(i);
      t.dims = dims;
    } else if (to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE) {
      t.is_int = false;
      t.i.clear();
    } else {
      fail("Cast to type " + std::to_string(to) + " is not supported");
    }
  } else if (op == "Concat") {
    only_attributes({"axis"});
    std::vector<int64_t> all;
    bool ints = true;
    std::vector<float> f;
    for (int k = 0; k < node_->input_size(); ++k) {
      const Tensor& x = const_in(k);
      if (x.dims.size() > 1) fail("folding a constant Concat of rank > 1 is not supported");
      auto i = as_ints(x);
      all.insert(all.end(), i.begin(), i.end());
      f.insert(f.end(), x.f.begin(), x.f.end());
      ints = ints && x.is_int;
    }
    if (ints) {
      set_ints(all);
    } else {
      t.f = f;
      t.dims = {int64_t(f.size())};
    }
  } else if (op == "Slice") {
    only_attributes({"starts", "ends", "axes", "steps"});
    const Tensor& x = const_in(0);
    if (x.dims.size() != 1) fail("folding a Slice of a constant of rank != 1 is not supported");
    std::vector<int64_t> starts, ends, axes, steps;
    if (out_.opset < 10) {
      starts = attr_ints("starts"), ends = attr_ints("ends"), axes = attr_ints("axes");
    } else {
      starts = as_ints(const_in(1)), ends = as_ints(const_in(2));
      if (has_in(3)) axes = as_ints(const_in(3));
      if (has_in(4)) steps = as_ints(const_in(4));
    }
    if (starts.size() != 1 || ends.size() != 1 || (!axes.empty() && axes[0] != 0 && axes[0] != -1) ||
        (!steps.empty() && steps[0] != 1))
      fail("only a unit-step slice of a 1-D constant is supported");
    const int64_t n = x.dims[0];
    auto clampi = [&](int64_t v) { return std::clamp(v < 0 ? v + n : v, int64_t{0}, n); };
    const int64_t b = clampi(starts[0]), e = clampi(ends[0]);
    t.is_int = x.is_int;
    for (int64_t k = b; k < e; ++k) {
      t.f.push_back(x.f[k]);
      if (x.is_int) t.i.push_back(x.i[k]);
    }
    t.dims = {int64_t(t.f.size())};
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    only_attributes({"axes"});
    const Tensor& x = const_in(0);
    t = x;
    if (op == "Unsqueeze") {
      std::vector<int64_t> axes = out_.opset < 13 ? attr_ints("axes") : as_ints(const_in(1));
      if (x.dims.size() + axes.size() > 8) fail("rank too large");
      std::sort(axes.begin(), axes.end());
      for (auto a : axes) {
        if (a < 0) a += int64_t(t.dims.size() + 1);
        if (a < 0 || a > int64_t(t.dims.size())) fail("axis out of range");
        t.dims.insert(t.dims.begin() + a, 1);
      }
    } else {
      std::vector<int64_t> d;
      for (auto k : x.dims)
        if (k != 1) d.push_back(k);
      t.dims = d;
    }
  } else if (op == "Gather") {
    only_attributes({"axis"});
    const Tensor& x = const_in(0);
    const Tensor& idx = const_in(1);
    if (x.dims.size() != 1 || attr_int("axis", 0) != 0) fail("only gathering from a 1-D constant is supported");
    t.is_int = x.is_int;
    for (auto k : as_ints(idx)) {
      if (k < 0) k += x.dims[0];
      if (k < 0 || k >= x.dims[0]) fail("index out of range");
      t.f.push_back(x.f[k]);
      if (x.is_int) t.i.push_back(x.i[k]);
    }
    t.dims = idx.dims;
  }
  define(0, std::move(v));
}

void Importer::constant_node() {
  only_attributes({"value", "value_float", "value_floats", "value_int", "value_ints"});
  Value v;
  v.is_const = true;
  if (auto* a = attr("value")) {
    v.t = decode_tensor(a->t(), origin_ + ": node '" + node_->name() + "'");
  } else if (auto* f = attr("value_float")) {
    v.t.f = {f->f()};
  } else if (auto* fs = attr("value_floats")) {
    v.t.f.assign(fs->floats().begin(), fs->floats().end());
    v.t.dims = {int64_t(v.t.f.size())};
  } else if (auto* i = attr("value_int")) {
    v.t.is_int = true, v.t.i = {i->i()}, v.t.f = {float(i->i())};
  } else if (auto* is = attr("value_ints")) {
    v.t.is_int = true;
    v.t.i.assign(is->ints().begin(), is->ints().end());
    v.t.f.assign(v.t.i.begin(), v.t.i.end());
    v.t.dims = {int64_t(v.t.i.size())};
  } else {
    fail("no value attribute");
  }
  define(0, std::move(v));
}

void Importer::reshape_node() {
  only_attributes({"allowzero"});
  const Value& x = data_in(0);
  std::vector<int64_t> target;
  if (out_.opset < 5) {
    target = attr_ints("shape");
  } else {
    const Tensor& t = const_in(1);
    if (!t.is_int) fail("shape must be an integer tensor");
    target = t.i;
  }
  const bool allowzero = attr_int("allowzero", 0) != 0;
  auto in = dims_of(x);
  int infer = -1;
  int64_t known = 1;
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0 && !allowzero) {
      if (k >= in.size()) fail("shape copies dimension " + std::to_string(k) + " that the input lacks");
      target[k] = in[k];
    } else if (target[k] == -1) {
      if (infer >= 0) fail("shape has more than one -1");
      infer = int(k);
      continue;
    } else if (target[k] < 0 || target[k] > kMaxElements) {
      fail("shape value " + std::to_string(target[k]) + " is not supported");
    }
    known *= std::max<int64_t>(target[k], 1);
    if (known > kMaxElements) fail("shape is too large");
    if (target[k] == 0) fail("a zero-sized dimension is not supported");
  }
  int64_t total = shape_of(x).elements() * batch_;
  if (infer >= 0) {
    if (total % known) fail("shape " + dims_str(target) + " does not divide the input");
    target[infer] = total / known;
  }
  reshape_to(x, target);
}

void Importer::transpose_node() {
  only_attributes({"perm"});
  const Value& x = data_in(0);
  auto perm = attr_ints("perm");
  auto d = dims_of(x);
  if (perm.empty())
    for (int k = x.rank - 1; k >= 0; --k) perm.push_back(k);
  if (int(perm.size()) != x.rank) fail("perm has " + std::to_string(perm.size()) + " values for rank " + std::to_string(x.rank));
  std::vector<int64_t> target, before, after;
  std::vector<bool> seen(x.rank, false);
  for (auto p : perm) {
    if (p < 0 || p >= x.rank || seen[p]) fail("perm " + dims_str(perm) + " is not a permutation");
    seen[p] = true;
    target.push_back(d[p]);
  }
  if (perm[0] != 0) fail("moving the batch dimension is not supported");
  for (int k = 0; k < x.rank; ++k) {
    if (d[k] != 1) before.push_back(k);
    if (d[perm[k]] != 1) after.push_back(perm[k]);
  }
  if (before != after) fail("perm " + dims_str(perm) + " reorders data (only a layout no-op is supported)");
  reshape_to(x, target);
}

}  // namespace rramsim::workload::onnx_detail
