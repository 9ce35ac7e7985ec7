#pragma once
// Internal to workload/: the ONNX importer shared by its per-operator-family sources
// (onnx_import.cpp: the graph walk and operator dispatch; onnx_proto_io.cpp: tensors and
// files; onnx_conv.cpp, onnx_gemm.cpp, onnx_elementwise.cpp, onnx_pool.cpp, onnx_shape.cpp:
// one operator family each). Every failure is an InputError naming the file, the node, its
// op type and what is unsupported.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rramsim/common/error.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::workload::onnx_detail {

inline constexpr int64_t kMinOpset = 1, kMaxOpset = 17;
inline constexpr int64_t kMaxFileBytes = int64_t{2} << 30;

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

std::string dims_str(const std::vector<int64_t>& d);
// The element count of `dims`, InputError (naming `where`) if negative or above kMaxElements.
int64_t checked_numel(const std::vector<int64_t>& dims, const std::string& where);
// A TensorProto's values (raw_data or typed field; float, double, int32, int64), checked.
Tensor decode_tensor(const onnx::TensorProto& t, const std::string& where);
std::string read_bytes(const std::filesystem::path& p);

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
  // Strides, dilations and pads of a conv or pool window (kernel already set on l).
  void read_window(Layer& l, int sp);
  void finish();
};

// Explicit pads from pads/auto_pad for a 2-D window (kernel extents eh, ew incl. dilation).
void resolve_pads(Importer* self, const std::string& auto_pad, std::vector<int64_t> pads, int in_h, int in_w, int64_t eh,
                  int64_t ew, int sh, int sw, int rank2d, Layer& l,
                  const std::function<void(const std::string&)>& fail);

}  // namespace rramsim::workload::onnx_detail
