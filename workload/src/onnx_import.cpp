// ONNX -> layer graph. One handler per operator; every failure is an InputError naming the
// file, the node, its op type and what is unsupported.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "rramsim/common/error.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::workload {
namespace {

constexpr int64_t kMinOpset = 1, kMaxOpset = 17;
constexpr int64_t kMaxFileBytes = int64_t{2} << 30;

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<float> f;     // float data (float/double tensors)
  std::vector<int64_t> i;   // integer data (int32/int64 tensors)
  bool is_int = false;
  int64_t numel() const {
    int64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

// A value of the graph: a data tensor (output of layer `layer`, -1 = network input) with
// its ONNX rank, or a constant.
struct Value {
  bool is_const = false;
  int layer = -1;
  int rank = 4;
  Tensor t;
};

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

int64_t checked_numel(const std::vector<int64_t>& dims, const std::string& where) {
  int64_t n = 1;
  for (auto d : dims) {
    if (d < 0) throw InputError(where + ": negative dimension in " + dims_str(dims));
    if (d > 0 && n > kMaxElements / d)
      throw InputError(where + ": tensor " + dims_str(dims) + " has more than " + std::to_string(kMaxElements) +
                       " elements");
    n *= d;
  }
  return n;
}

Tensor decode_tensor(const onnx::TensorProto& t, const std::string& where) {
  Tensor r;
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw InputError(where + ": tensor '" + t.name() + "' uses external data (not supported)");
  for (auto d : t.dims()) r.dims.push_back(d);
  if (r.dims.size() > 8) throw InputError(where + ": tensor '" + t.name() + "' has rank > 8");
  const int64_t n = checked_numel(r.dims, where + ": tensor '" + t.name() + "'");
  const std::string& raw = t.raw_data();
  auto need = [&](int64_t have, const char* field) {
    if (have != n)
      throw InputError(where + ": tensor '" + t.name() + "' " + dims_str(r.dims) + " holds " + std::to_string(have) +
                       " values in " + field + ", expected " + std::to_string(n) + " (truncated or corrupt)");
  };
  // Values come either packed little-endian in raw_data or in the typed repeated field.
  auto decode = [&](auto tag, const auto& field, const char* field_name, auto& out) {
    using T = decltype(tag);
    if (!raw.empty()) {
      if (raw.size() % sizeof(T)) need(-1, "raw_data");
      need(static_cast<int64_t>(raw.size() / sizeof(T)), "raw_data");
      std::vector<T> d(n);
      std::memcpy(d.data(), raw.data(), raw.size());
      out.assign(d.begin(), d.end());
    } else {
      need(field.size(), field_name);
      out.assign(field.begin(), field.end());
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      decode(float{}, t.float_data(), "float_data", r.f);
      break;
    case onnx::TensorProto::DOUBLE:
      decode(double{}, t.double_data(), "double_data", r.f);
      break;
    case onnx::TensorProto::INT64:
      r.is_int = true;
      decode(int64_t{}, t.int64_data(), "int64_data", r.i);
      break;
    case onnx::TensorProto::INT32:
      r.is_int = true;
      decode(int32_t{}, t.int32_data(), "int32_data", r.i);
      break;
    default:
      throw InputError(where + ": tensor '" + t.name() + "' has element type " + std::to_string(t.data_type()) +
                       " (supported: float, double, int32, int64)");
  }
  if (r.is_int) {
    r.f.assign(r.i.begin(), r.i.end());
  } else {
    for (float v : r.f)
      if (!std::isfinite(v)) throw InputError(where + ": tensor '" + t.name() + "' holds non-finite values");
  }
  return r;
}

class Importer {
 public:
  Importer(const onnx::ModelProto& m, std::string origin, const OnnxImportOptions& o)
      : model_(m), origin_(std::move(origin)), opt_(o) {}

  OnnxModel run();

 private:
  const onnx::ModelProto& model_;
  std::string origin_;
  const OnnxImportOptions& opt_;
  OnnxModel out_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  // References to each layer's output still to come, over all names aliasing it.
  std::vector<int> layer_uses_;
  std::set<std::string> names_;
  int64_t batch_ = 1;         // the input's batch size if static, else 1
  bool layer_fresh_ = false;  // the last layer was made by this node and has no name yet
  const onnx::NodeProto* node_ = nullptr;
  int node_index_ = 0;

  // --- errors -------------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& what) const {
    std::string n = node_ ? (node_->name().empty() ? "#" + std::to_string(node_index_) : "'" + node_->name() + "'") : "";
    if (node_)
      throw InputError(origin_ + ": node " + n + " (" + node_->op_type() + "): " + what);
    throw InputError(origin_ + ": " + what);
  }

  // --- attributes ---------------------------------------------------------------------
  const onnx::AttributeProto* attr(const std::string& name) const {
    for (const auto& a : node_->attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attr_int(const std::string& name, int64_t def) const {
    auto* a = attr(name);
    if (!a) return def;
    if (a->type() != onnx::AttributeProto::INT && !(a->type() == 0 && a->has_i()))
      fail("attribute '" + name + "' is not an integer");
    return a->i();
  }
  float attr_float(const std::string& name, float def) const {
    auto* a = attr(name);
    if (!a) return def;
    if (a->type() != onnx::AttributeProto::FLOAT && !(a->type() == 0 && a->has_f()))
      fail("attribute '" + name + "' is not a float");
    if (!std::isfinite(a->f())) fail("attribute '" + name + "' is not finite");
    return a->f();
  }
  std::vector<int64_t> attr_ints(const std::string& name) const {
    auto* a = attr(name);
    if (!a) return {};
    if (a->type() != onnx::AttributeProto::INTS && a->ints_size() == 0 && a->type() != 0)
      fail("attribute '" + name + "' is not a list of integers");
    return {a->ints().begin(), a->ints().end()};
  }
  std::string attr_string(const std::string& name, const std::string& def) const {
    auto* a = attr(name);
    return a ? a->s() : def;
  }
  void only_attributes(std::initializer_list<const char*> known) const {
    for (const auto& a : node_->attribute()) {
      bool ok = false;
      for (const char* k : known) ok = ok || a.name() == k;
      if (!ok) fail("attribute '" + a.name() + "' is not supported");
    }
  }

  // --- values -------------------------------------------------------------------------
  const Value& in(int k) {
    if (k >= node_->input_size() || node_->input(k).empty()) fail("input " + std::to_string(k) + " is missing");
    auto it = values_.find(node_->input(k));
    if (it == values_.end()) fail("input '" + node_->input(k) + "' is not defined before this node");
    return it->second;
  }
  bool has_in(int k) const { return k < node_->input_size() && !node_->input(k).empty(); }
  const Value& data_in(int k) {
    const Value& v = in(k);
    if (v.is_const) fail("input '" + node_->input(k) + "' is a constant where data is expected (not supported)");
    return v;
  }
  const Tensor& const_in(int k) {
    const Value& v = in(k);
    if (!v.is_const) fail("input '" + node_->input(k) + "' must be a constant (initializer or Constant node)");
    return v.t;
  }
  Shape shape_of(const Value& v) const {
    return v.layer < 0 ? out_.network.input : out_.network.layers[v.layer].out_shape;
  }
  // Full ONNX dims of a data value: [N, C, H, W] cut to its rank (N reported as 1).
  std::vector<int64_t> dims_of(const Value& v) const {
    Shape s = shape_of(v);
    std::vector<int64_t> d{batch_, s.channels, s.height, s.width};
    d.resize(v.rank);
    return d;
  }
  void define(int k, Value v) {
    if (k >= node_->output_size() || node_->output(k).empty()) fail("output " + std::to_string(k) + " is missing");
    if (values_.count(node_->output(k))) fail("output '" + node_->output(k) + "' is defined twice");
    if (!v.is_const && v.layer >= 0) {
      const int u = uses_[node_->output(k)];
      // A new layer gets the uses of its name; an alias (Identity, fused op) consumed one.
      if (v.layer == static_cast<int>(out_.network.layers.size()) - 1 && layer_fresh_) layer_uses_[v.layer] = u;
      else layer_uses_[v.layer] += u - 1;
      layer_fresh_ = false;
    }
    values_[node_->output(k)] = std::move(v);
  }
  void only_first_output() const {
    for (int k = 1; k < node_->output_size(); ++k)
      if (!node_->output(k).empty() && uses_.count(node_->output(k)))
        fail("output " + std::to_string(k) + " ('" + node_->output(k) + "') is used, which is not supported");
  }
  // The layer producing a data value, if that value is used once and the layer may absorb
  // the consumer (fusion).
  Layer* sole_producer(int k) {
    const Value& v = in(k);
    if (v.is_const || v.layer < 0 || layer_uses_[v.layer] != 1) return nullptr;
    return &out_.network.layers[v.layer];
  }

  std::string unique_name(std::string base) {
    if (base.empty() || base == "input") base = node_->op_type() + "_" + std::to_string(node_index_);
    for (char& c : base)
      if (c == '/' || c == ' ' || c == ':') c = '_';
    std::string n = base;
    for (int i = 2; names_.count(n); ++i) n = base + "_" + std::to_string(i);
    names_.insert(n);
    return n;
  }
  std::string node_name() { return unique_name(node_->name().empty() ? node_->output(0) : node_->name()); }

  int add_layer(Layer l, LayerWeights w = {}) {
    try {
      infer_output_shape(l);
    } catch (const InputError& e) {
      fail(e.what());
    }
    out_.network.layers.push_back(std::move(l));
    out_.weights.push_back(std::move(w));
    layer_uses_.push_back(1);  // constants: read once by the node that made them
    layer_fresh_ = true;
    return static_cast<int>(out_.network.layers.size()) - 1;
  }
  Layer layer_reading(LayerKind kind, const std::vector<int>& inputs) {
    Layer l;
    l.name = node_name();
    l.kind = kind;
    l.inputs = inputs;
    l.in_shape = inputs[0] < 0 ? out_.network.input : out_.network.layers[inputs[0]].out_shape;
    return l;
  }

  // A constant as a layer with broadcast shape aligned to a data value of rank `rank`.
  int constant_layer(const Tensor& t, int rank, const std::string& name) {
    if (static_cast<int>(t.dims.size()) > rank) fail("constant '" + name + "' has a higher rank than the data");
    std::vector<int64_t> d(rank - t.dims.size(), 1);
    d.insert(d.end(), t.dims.begin(), t.dims.end());
    if (rank >= 1 && d[0] != 1) fail("constant '" + name + "' varies along the batch dimension (not supported)");
    if (rank > 4) fail("rank " + std::to_string(rank) + " data is not supported");
    d.resize(4, 1);
    Layer l;
    l.name = unique_name(name);
    l.kind = LayerKind::constant;
    l.out_shape = {static_cast<int>(d[1]), static_cast<int>(d[2]), static_cast<int>(d[3])};
    LayerWeights w;
    w.weights.resize(t.f.size());
    const int C = l.out_shape.channels, H = l.out_shape.height, W = l.out_shape.width;
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) w.weights[(int64_t(y) * W + x) * C + c] = t.f[(int64_t(c) * H + y) * W + x];
    return add_layer(std::move(l), std::move(w));
  }

  void check_opset();
  void read_input();
  void handle_node();
  void constant_node();
  void reshape_node();
  void transpose_node();
  void conv();
  void batchnorm();
  void activation(Activation a, float alpha, float beta);
  void elementwise(LayerKind kind);
  void pool(bool is_max, bool global);
  void reshape_to(const Value& x, std::vector<int64_t> target);
  void fc(const Value& a, std::vector<float> w_mk, int64_t M, int64_t K, std::vector<float> bias, bool has_bias);
  void gemm();
  void matmul();
  void concat();
  void pad();
  void softmax();
  void fold_shape_op(const std::string& op);
  void finish();
};

void Importer::check_opset() {
  out_.opset = -1;
  for (const auto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") out_.opset = o.version();
  }
  if (model_.opset_import_size() == 0) out_.opset = 1;
  if (out_.opset < kMinOpset || out_.opset > kMaxOpset)
    fail("default-domain opset " + std::to_string(out_.opset) + " is not supported (supported: " +
         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
}

void Importer::read_input() {
  const auto& g = model_.graph();
  std::set<std::string> init;
  for (const auto& t : g.initializer()) {
    if (t.name().empty()) fail("an initializer has no name");
    Value v;
    v.is_const = true;
    v.t = decode_tensor(t, origin_);
    values_[t.name()] = std::move(v);
    init.insert(t.name());
  }
  for (const auto& [name, td] : opt_.extra_initializers) {
    Value v;
    v.is_const = true;
    v.t.dims = td.dims;
    v.t.f = td.values;
    v.t.i = td.ints;
    v.t.is_int = td.is_int;
    if (checked_numel(v.t.dims, origin_ + ": tensor '" + name + "'") != int64_t(v.t.f.size()))
      fail("tensor '" + name + "' size disagrees with its dims");
    values_[name] = std::move(v);
    init.insert(name);
  }
  const onnx::ValueInfoProto* data = nullptr;
  for (const auto& i : g.input()) {
    if (init.count(i.name())) continue;
    if (data) fail("graph has more than one data input ('" + data->name() + "', '" + i.name() + "'); only one is supported");
    data = &i;
  }
  if (!data) fail("graph has no data input");
  if (!data->type().has_tensor_type()) fail("input '" + data->name() + "' is not a tensor");
  const auto& tt = data->type().tensor_type();
  if (tt.elem_type() != onnx::TensorProto::FLOAT)
    fail("input '" + data->name() + "' has element type " + std::to_string(tt.elem_type()) + " (only float is supported)");
  if (!tt.has_shape()) fail("input '" + data->name() + "' has no shape (give --input-shape CxHxW)");
  const int rank = tt.shape().dim_size();
  if (rank < 1 || rank > 4) fail("input '" + data->name() + "' has rank " + std::to_string(rank) + " (supported: 1 to 4, batch first)");
  std::vector<int64_t> d(4, 1);
  bool dynamic = false;
  std::string dyn;
  for (int k = 1; k < rank; ++k) {
    const auto& dim = tt.shape().dim(k);
    if (dim.has_dim_value()) {
      d[k] = dim.dim_value();
      if (d[k] <= 0 || d[k] > kMaxElements)
        fail("input '" + data->name() + "' dimension " + std::to_string(k) + " is " + std::to_string(d[k]) +
             " (must be in 1.." + std::to_string(kMaxElements) + ")");
    } else {
      dynamic = true;
      dyn += (dyn.empty() ? "" : ", ") + std::to_string(k) + (dim.dim_param().empty() ? "" : " ('" + dim.dim_param() + "')");
    }
  }
  Shape s{static_cast<int>(d[1]), static_cast<int>(d[2]), static_cast<int>(d[3])};
  const auto& d0 = tt.shape().dim(0);
  batch_ = d0.has_dim_value() && d0.dim_value() > 0 && d0.dim_value() <= kMaxElements ? d0.dim_value() : 1;
  if (opt_.input_shape) {
    const Shape& o = *opt_.input_shape;
    if (!dynamic && !(o == s))
      fail("--input-shape " + std::to_string(o.channels) + "x" + std::to_string(o.height) + "x" + std::to_string(o.width) +
           " disagrees with the model's input " + std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
           std::to_string(s.width));
    s = o;
  } else if (dynamic) {
    fail("input '" + data->name() + "' has dynamic dimension(s) " + dyn + "; give the input shape (--input-shape CxHxW)");
  }
  if (s.channels <= 0 || s.height <= 0 || s.width <= 0) fail("input shape must be positive");
  if (s.elements() > kMaxElements)
    fail("input '" + data->name() + "' has " + std::to_string(s.elements()) + " values per image, more than the " +
         std::to_string(kMaxElements) + " supported");
  out_.network.input = s;
  out_.input_rank = rank;
  Value v;
  v.layer = -1;
  v.rank = rank;
  values_[data->name()] = v;
  names_.insert("input");
}

// --- operators -----------------------------------------------------------------------

// Explicit pads from pads/auto_pad for a 2-D window (kernel extents eh, ew incl. dilation).
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
    auto st = attr_ints("strides"), di = attr_ints("dilations");
    if (!st.empty() && int(st.size()) != sp) fail("strides has " + std::to_string(st.size()) + " values");
    if (!di.empty() && int(di.size()) != sp) fail("dilations has " + std::to_string(di.size()) + " values");
    for (auto v : st) if (v < 1 || v > 1 << 20) fail("stride " + std::to_string(v) + " is not supported");
    for (auto v : di) if (v < 1 || v > 1 << 20) fail("dilation " + std::to_string(v) + " is not supported");
    l.stride_h = st.empty() ? 1 : int(st[0]);
    l.stride_w = st.size() == 2 ? int(st[1]) : 1;
    l.dilation_h = di.empty() ? 1 : int(di[0]);
    l.dilation_w = di.size() == 2 ? int(di[1]) : 1;
    l.avg_count_pad = attr_int("count_include_pad", 0) != 0;
    resolve_pads(this, attr_string("auto_pad", "NOTSET"), attr_ints("pads"), l.in_shape.height, l.in_shape.width,
                 int64_t(l.dilation_h) * (l.kernel_h - 1) + 1, int64_t(l.dilation_w) * (l.kernel_w - 1) + 1, l.stride_h,
                 l.stride_w, sp, l, [this](const std::string& m) { fail(m); });
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

void Importer::handle_node() {
  const std::string& op = node_->op_type();
  if (!node_->domain().empty() && node_->domain() != "ai.onnx") fail("domain '" + node_->domain() + "' is not supported");
  if (node_->output_size() < 1) fail("node has no output");
  auto float_input_or_attr = [&](int k, const char* name, float def) {
    if (out_.opset >= 11 && has_in(k)) {
      const Tensor& t = const_in(k);
      if (t.numel() != 1) fail(std::string(name) + " must be a scalar");
      return t.f[0];
    }
    return out_.opset < 11 ? attr_float(name, def) : def;
  };
  if (op == "Constant") {
    constant_node();
  } else if (op == "Identity") {
    define(0, in(0));
  } else if (op == "Dropout") {
    only_first_output();
    define(0, in(0));
  } else if (op == "Conv") {
    conv();
  } else if (op == "BatchNormalization") {
    batchnorm();
  } else if (op == "Relu") {
    only_attributes({});
    activation(Activation::relu, 0, 0);
  } else if (op == "Clip") {
    only_attributes({"min", "max"});
    const float lo = float_input_or_attr(1, "min", -std::numeric_limits<float>::max());
    const float hi = float_input_or_attr(2, "max", std::numeric_limits<float>::max());
    activation(Activation::clip, lo, hi);
  } else if (op == "LeakyRelu") {
    only_attributes({"alpha"});
    activation(Activation::leaky_relu, attr_float("alpha", 0.01f), 0);
  } else if (op == "HardSigmoid") {
    only_attributes({"alpha", "beta"});
    activation(Activation::hard_sigmoid, attr_float("alpha", 0.2f), attr_float("beta", 0.5f));
  } else if (op == "HardSwish") {
    only_attributes({});
    activation(Activation::hard_swish, 1.0f / 6, 0.5f);
  } else if (op == "Sigmoid") {
    only_attributes({});
    activation(Activation::sigmoid, 0, 0);
  } else if (op == "Add") {
    elementwise(LayerKind::add);
  } else if (op == "Mul") {
    elementwise(LayerKind::mul);
  } else if (op == "Div" || op == "Sub") {
    // data / c = data * (1/c), data - c = data + (-c): a constant second operand only.
    only_attributes({});
    if (node_->input_size() != 2 || in(0).is_const || !in(1).is_const)
      fail("only data " + std::string(op == "Div" ? "/" : "-") + " constant is supported");
    Tensor c = in(1).t;
    for (float& v : c.f) {
      if (op == "Div" && v == 0) fail("division by zero");
      v = op == "Div" ? 1.0f / v : -v;
    }
    const std::string name = node_->input(1) + (op == "Div" ? "_reciprocal" : "_negated");
    Value cv;
    cv.is_const = true;
    cv.t = std::move(c);
    values_[name] = cv;
    onnx::NodeProto alias = *node_;
    alias.set_input(1, name);
    const onnx::NodeProto* saved = node_;
    node_ = &alias;
    elementwise(op == "Div" ? LayerKind::mul : LayerKind::add);
    node_ = saved;
  } else if (op == "Shape" || op == "Cast" || op == "Slice" || op == "Unsqueeze" || op == "Squeeze" ||
             op == "Gather") {
    fold_shape_op(op);
  } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    pool(op == "MaxPool" || op == "GlobalMaxPool", op.rfind("Global", 0) == 0);
  } else if (op == "Flatten") {
    only_attributes({"axis"});
    const Value& x = data_in(0);
    int64_t axis = attr_int("axis", 1);
    if (axis < 0) axis += x.rank;
    if (axis != 1) fail("axis " + std::to_string(attr_int("axis", 1)) + " is not supported (only 1: keep the batch)");
    reshape_to(x, {batch_, shape_of(x).elements()});
  } else if (op == "Reshape") {
    reshape_node();
  } else if (op == "Transpose") {
    transpose_node();
  } else if (op == "Gemm") {
    gemm();
  } else if (op == "MatMul") {
    matmul();
  } else if (op == "Concat") {
    bool all_const = node_->input_size() > 0;
    for (int k = 0; k < node_->input_size(); ++k) all_const = all_const && in(k).is_const;
    if (all_const) fold_shape_op(op);
    else concat();
  } else if (op == "Pad") {
    pad();
  } else if (op == "Softmax") {
    softmax();
  } else {
    fail("operator is not supported");
  }
}

void Importer::finish() {
  const auto& g = model_.graph();
  node_ = nullptr;
  if (g.output_size() != 1) fail("graph has " + std::to_string(g.output_size()) + " outputs (exactly one is supported)");
  auto it = values_.find(g.output(0).name());
  if (it == values_.end()) fail("graph output '" + g.output(0).name() + "' is not produced by any node");
  Value o = it->second;
  if (o.is_const) fail("graph output '" + g.output(0).name() + "' is a constant");
  if (o.layer < 0) {  // the graph is the identity (e.g. only Identity/Dropout): one copy layer
    Layer l;
    l.name = "identity";
    l.kind = LayerKind::act;
    l.inputs = {-1};
    l.in_shape = out_.network.input;
    infer_output_shape(l);
    out_.network.layers.push_back(l);
    out_.weights.emplace_back();
    o.layer = int(out_.network.layers.size()) - 1;
  }
  out_.output_rank = o.rank;
  // Keep the layers the output depends on; the output layer becomes the last.
  auto& L = out_.network.layers;
  std::vector<bool> keep(L.size(), false);
  keep[o.layer] = true;
  for (int i = o.layer; i >= 0; --i)
    if (keep[i])
      for (int j : L[i].inputs)
        if (j >= 0) keep[j] = true;
  std::vector<int> index(L.size(), -1);
  Network net;
  net.name = out_.network.name;
  net.description = out_.network.description;
  net.source = out_.network.source;
  net.input = out_.network.input;
  std::vector<LayerWeights> w;
  for (int i = 0; i <= o.layer; ++i) {
    if (!keep[i]) continue;
    index[i] = int(net.layers.size());
    Layer l = L[i];
    for (int& j : l.inputs) j = j < 0 ? -1 : index[j];
    net.layers.push_back(std::move(l));
    w.push_back(std::move(out_.weights[i]));
  }
  out_.network = std::move(net);
  out_.weights = std::move(w);
  if (opt_.require_weighted && out_.network.weighted_layer_count() == 0) fail("the graph has no Conv, Gemm or MatMul (nothing maps to crossbars)");
}

OnnxModel Importer::run() {
  if (!model_.has_graph()) fail("no graph (not an ONNX model, or truncated)");
  if (model_.ir_version() < 3 || model_.ir_version() > 9)
    fail("IR version " + std::to_string(model_.ir_version()) + " is not supported (3 to 9)");
  check_opset();
  const auto& g = model_.graph();
  out_.network.name = g.name().empty() ? std::filesystem::path(origin_).stem().string() : g.name();
  out_.network.description = g.doc_string();
  out_.network.source = origin_;
  for (const auto& p : model_.metadata_props()) out_.metadata[p.key()] = p.value();
  if (auto d = out_.metadata.find("description"); d != out_.metadata.end()) out_.network.description = d->second;
  for (const auto& n : g.node())
    for (const auto& i : n.input()) ++uses_[i];
  for (const auto& o : g.output()) ++uses_[o.name()];
  read_input();
  if (g.node_size() == 0) fail("graph has no nodes");
  for (int k = 0; k < g.node_size(); ++k) {
    node_ = &g.node(k);
    node_index_ = k;
    handle_node();
  }
  finish();
  return std::move(out_);
}

}  // namespace

Shape parse_shape(const std::string& text) {
  std::vector<int64_t> d;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, 'x')) {
    try {
      size_t used = 0;
      long long v = std::stoll(part, &used);
      if (used != part.size() || v < 1 || v > kMaxElements) throw std::invalid_argument("range");
      d.push_back(v);
    } catch (const std::exception&) {
      throw InputError("input shape '" + text + "': expected CxHxW with positive integers");
    }
  }
  if (d.size() == 4) d.erase(d.begin());
  if (d.size() != 3) throw InputError("input shape '" + text + "': expected CxHxW");
  Shape s{int(d[0]), int(d[1]), int(d[2])};
  if (s.elements() > kMaxElements)
    throw InputError("input shape '" + text + "' has more than " + std::to_string(kMaxElements) + " values");
  return s;
}

bool is_onnx_file(const std::string& s) {
  auto colon = s.rfind(':');
  std::string file = colon != std::string::npos && s.find(".onnx:") != std::string::npos ? s.substr(0, colon) : s;
  return std::filesystem::path(file).extension() == ".onnx";
}

OnnxModel import_onnx_bytes(const std::string& bytes, const std::string& origin, const OnnxImportOptions& options) {
  onnx::ModelProto m;
  if (bytes.empty()) throw InputError(origin + ": empty file (not an ONNX model)");
  if (!m.ParseFromString(bytes)) throw InputError(origin + ": not an ONNX model (protobuf parse failed: corrupt or truncated)");
  return Importer(m, origin, options).run();
}

OnnxModel import_onnx(const std::string& spec, const OnnxImportOptions& options) {
  std::string file = spec;
  OnnxImportOptions o = options;
  if (auto pos = spec.find(".onnx:"); pos != std::string::npos) {
    file = spec.substr(0, pos + 5);
    o.input_shape = parse_shape(spec.substr(pos + 6));
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw InputError("ONNX file " + file + " does not exist");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > uint64_t(kMaxFileBytes)) throw InputError("ONNX file " + file + ": unreadable or larger than 2 GiB");
  std::ifstream f(file, std::ios::binary);
  std::string bytes(size, '\0');
  if (!f.read(bytes.data(), std::streamsize(size))) throw InputError("ONNX file " + file + ": read error");
  return import_onnx_bytes(bytes, file, o);
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw InputError("cannot read " + p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

OnnxTensor read_onnx_tensor(const std::filesystem::path& path) {
  onnx::TensorProto t;
  if (!t.ParseFromString(read_bytes(path))) throw InputError(path.string() + ": not a serialized ONNX tensor");
  Tensor d = decode_tensor(t, path.string());
  return {t.name(), d.dims, d.f, d.i, d.is_int};
}

std::map<std::string, std::string> onnx_metadata(const std::filesystem::path& model) {
  if (!std::filesystem::is_regular_file(model)) throw InputError("ONNX file " + model.string() + " does not exist");
  onnx::ModelProto m;
  if (!m.ParseFromString(read_bytes(model)))
    throw InputError(model.string() + ": not an ONNX model (protobuf parse failed: corrupt or truncated)");
  std::map<std::string, std::string> r;
  for (const auto& p : m.metadata_props()) r[p.key()] = p.value();
  return r;
}

std::vector<std::string> onnx_data_inputs(const std::filesystem::path& model) {
  onnx::ModelProto m;
  if (!m.ParseFromString(read_bytes(model))) throw InputError(model.string() + ": not an ONNX model");
  std::set<std::string> init;
  for (const auto& t : m.graph().initializer()) init.insert(t.name());
  std::vector<std::string> r;
  for (const auto& i : m.graph().input())
    if (!init.count(i.name())) r.push_back(i.name());
  return r;
}

}  // namespace rramsim::workload
