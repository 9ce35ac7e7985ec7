// Layer graph + weights -> ONNX (opset 14). Every layer kind maps to the operators the
// importer reads back to the same layers, so export then import is exact.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::workload {
namespace {

constexpr int64_t kExportOpset = 14;

class Exporter {
 public:
  Exporter(const Network& net, const std::vector<LayerWeights>& w) : net_(net), w_(w) {}

  onnx::ModelProto build(const std::map<std::string, std::string>& metadata);

 private:
  const Network& net_;
  const std::vector<LayerWeights>& w_;
  onnx::GraphProto* g_ = nullptr;
  std::vector<std::string> out_name_;  // value name of each layer's output
  std::vector<int> rank_;              // its ONNX rank

  std::string value_of(int j) const { return j < 0 ? "input" : out_name_[j]; }
  int rank_of(int j) const { return j < 0 ? 4 : rank_[j]; }

  void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  }
  void initializer_i64(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(int64_t(v.size()));
    for (auto x : v) t->add_int64_data(x);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name, const std::vector<std::string>& in,
                        const std::string& out) {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  // The layer's activation as a node after `value`; returns the new value name.
  std::string activation(const Layer& l, const std::string& value) {
    if (l.activation == Activation::none) return value;
    const std::string out = l.name, name = l.name + "_" + to_string(l.activation);
    switch (l.activation) {
      case Activation::relu: node("Relu", name, {value}, out); break;
      case Activation::sigmoid: node("Sigmoid", name, {value}, out); break;
      case Activation::hard_swish: node("HardSwish", name, {value}, out); break;
      case Activation::leaky_relu: real(node("LeakyRelu", name, {value}, out), "alpha", l.act_alpha); break;
      case Activation::hard_sigmoid: {
        auto* n = node("HardSigmoid", name, {value}, out);
        real(n, "alpha", l.act_alpha);
        real(n, "beta", l.act_beta);
        break;
      }
      case Activation::clip:
        initializer(name + "_min", {}, {l.act_alpha});
        initializer(name + "_max", {}, {l.act_beta});
        node("Clip", name, {value, name + "_min", name + "_max"}, out);
        break;
      case Activation::none: break;
    }
    return out;
  }
  void layer(int i);
  int conv_layer(const Layer& l, const LayerWeights& w, const std::string& x, const std::string& raw);
  int fc_layer(const Layer& l, const LayerWeights& w, const std::string& x, int xr, const std::string& raw);
};

// A conv layer: weights reordered from (M, kh, kw, c) rows to ONNX (M, c, kh, kw).
int Exporter::conv_layer(const Layer& l, const LayerWeights& w, const std::string& x, const std::string& raw) {
  const int64_t M = l.out_channels, cg = l.in_shape.channels / l.groups, kh = l.kernel_h, kw = l.kernel_w,
                K = cg * kh * kw;
  std::vector<float> onnx_w(M * K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x2 = 0; x2 < kw; ++x2)
          onnx_w[((m * cg + c) * kh + y) * kw + x2] = w.weights[m * K + (y * kw + x2) * cg + c];
  initializer(l.name + ".weight", {M, cg, kh, kw}, onnx_w);
  std::vector<std::string> in{x, l.name + ".weight"};
  if (l.bias) {
    initializer(l.name + ".bias", {M}, w.bias);
    in.push_back(l.name + ".bias");
  }
  auto* n = node("Conv", l.name, in, raw);
  ints(n, "kernel_shape", {kh, kw});
  ints(n, "strides", {l.stride_h, l.stride_w});
  ints(n, "pads", {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right});
  ints(n, "dilations", {l.dilation_h, l.dilation_w});
  integer(n, "group", l.groups);
  return 4;
}

// An fc layer as Gemm; a rank-4 input is flattened first (CHW order).
int Exporter::fc_layer(const Layer& l, const LayerWeights& w, const std::string& x, int xr, const std::string& raw) {
  const Shape s = l.in_shape;
  const int64_t M = l.out_channels, K = s.elements();
  std::string a = x;
  std::vector<float> onnx_w = w.weights;  // [M, K], K in HWC order
  if (xr != 2) {
    // Flatten (CHW order) then Gemm with columns permuted HWC -> CHW.
    a = l.name + "_flat";
    integer(node("Flatten", l.name + "_flatten", {x}, a), "axis", 1);
    for (int64_t m = 0; m < M; ++m)
      for (int c = 0; c < s.channels; ++c)
        for (int y = 0; y < s.height; ++y)
          for (int x2 = 0; x2 < s.width; ++x2)
            onnx_w[m * K + (int64_t(c) * s.height + y) * s.width + x2] =
                w.weights[m * K + (int64_t(y) * s.width + x2) * s.channels + c];
  }
  initializer(l.name + ".weight", {M, K}, onnx_w);
  std::vector<std::string> in{a, l.name + ".weight"};
  if (l.bias) {
    initializer(l.name + ".bias", {M}, w.bias);
    in.push_back(l.name + ".bias");
  }
  integer(node("Gemm", l.name, in, raw), "transB", 1);
  return 2;
}

void Exporter::layer(int i) {
  const Layer& l = net_.layers[i];
  const LayerWeights& w = w_[i];
  const std::string x = l.inputs.empty() ? value_of(i - 1) : value_of(l.inputs[0]);
  const int xr = l.inputs.empty() ? rank_of(i - 1) : rank_of(l.inputs[0]);
  const bool act = l.activation != Activation::none;
  const std::string raw = act ? l.name + "_pre" : l.name;
  int rank = xr;
  switch (l.kind) {
    case LayerKind::conv:
      rank = conv_layer(l, w, x, raw);
      break;
    case LayerKind::fc:
      rank = fc_layer(l, w, x, xr, raw);
      break;
    case LayerKind::pool: {
      auto* n = node(l.is_max_pool() ? "MaxPool" : "AveragePool", l.name, {x}, raw);
      ints(n, "kernel_shape", {l.kernel_h, l.kernel_w});
      ints(n, "strides", {l.stride_h, l.stride_w});
      ints(n, "pads", {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right});
      if (l.is_max_pool()) ints(n, "dilations", {l.dilation_h, l.dilation_w});
      else if (l.dilation_h != 1 || l.dilation_w != 1)
        throw InputError("layer '" + l.name + "': average pooling with dilation has no ONNX form");
      if (!l.is_max_pool()) integer(n, "count_include_pad", l.avg_count_pad ? 1 : 0);
      break;
    }
    case LayerKind::add:
    case LayerKind::mul: {
      const char* op = l.kind == LayerKind::add ? "Add" : "Mul";
      std::string acc = value_of(l.inputs[0]);
      rank = rank_of(l.inputs[0]);
      for (size_t k = 1; k < l.inputs.size(); ++k) {
        const std::string out = k + 1 == l.inputs.size() ? raw : l.name + "_" + std::to_string(k);
        node(op, k + 1 == l.inputs.size() ? l.name : out, {acc, value_of(l.inputs[k])}, out);
        rank = std::max(rank, rank_of(l.inputs[k]));
        acc = out;
      }
      break;
    }
    case LayerKind::concat: {
      std::vector<std::string> in;
      for (int j : l.inputs) in.push_back(value_of(j));
      integer(node("Concat", l.name, in, raw), "axis", 1);
      break;
    }
    case LayerKind::act:
      out_name_.push_back(activation(l, x));
      rank_.push_back(xr);
      return;
    case LayerKind::pad: {
      initializer_i64(l.name + "_pads", {0, 0, l.pad_top, l.pad_left, 0, 0, l.pad_bottom, l.pad_right});
      initializer(l.name + "_value", {}, {l.pad_value});
      node("Pad", l.name, {x, l.name + "_pads", l.name + "_value"}, raw);
      rank = 4;
      break;
    }
    case LayerKind::softmax:
      integer(node("Softmax", l.name, {x}, raw), "axis", 1);
      break;
    case LayerKind::reshape: {
      const Shape s = l.out_shape;
      std::vector<int64_t> shape{0, s.channels, s.height, s.width};
      rank = 4;
      if (s.height == 1 && s.width == 1) shape.resize(2), rank = 2;
      initializer_i64(l.name + "_shape", shape);
      node("Reshape", l.name, {x, l.name + "_shape"}, raw);
      break;
    }
    case LayerKind::constant: {
      const Shape s = l.out_shape;
      std::vector<float> v(w.weights.size());
      for (int c = 0; c < s.channels; ++c)
        for (int y = 0; y < s.height; ++y)
          for (int x2 = 0; x2 < s.width; ++x2)
            v[(int64_t(c) * s.height + y) * s.width + x2] = w.weights[(int64_t(y) * s.width + x2) * s.channels + c];
      // Rank of the data it meets (a constant is read by the next layers only).
      int r = 4;
      for (size_t k = i + 1; k < net_.layers.size(); ++k) {
        const auto& in = net_.layers[k].inputs;
        if (std::find(in.begin(), in.end(), i) == in.end()) continue;
        for (int j : in)
          if (j != i && j < i) r = rank_of(j);
        break;
      }
      if (r == 2 && s.height == 1 && s.width == 1) initializer(l.name, {1, s.channels}, v);
      else initializer(l.name, {1, s.channels, s.height, s.width}, v), r = 4;
      out_name_.push_back(l.name);
      rank_.push_back(r);
      return;
    }
  }
  out_name_.push_back(activation(l, raw));
  rank_.push_back(rank);
}

onnx::ModelProto Exporter::build(const std::map<std::string, std::string>& metadata) {
  if (w_.size() != net_.layers.size())
    throw Error("export_onnx: " + std::to_string(w_.size()) + " weight sets for " + std::to_string(net_.layers.size()) +
                " layers");
  onnx::ModelProto m;
  m.set_ir_version(7);  // opset 14 needs IR 7
  m.set_producer_name("rramsim");
  m.set_producer_version(tool_version());
  m.set_doc_string(net_.description);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(kExportOpset);
  for (const auto& [k, v] : metadata) {
    auto* p = m.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  g_ = m.mutable_graph();
  g_->set_name(net_.name);
  g_->set_doc_string(net_.description);
  auto tensor_info = [](onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* s = t->mutable_shape();
    s->add_dim()->set_dim_param("N");
    for (auto d : dims) s->add_dim()->set_dim_value(d);
  };
  tensor_info(g_->add_input(), "input", {net_.input.channels, net_.input.height, net_.input.width});
  for (size_t i = 0; i < net_.layers.size(); ++i) layer(static_cast<int>(i));
  const Layer& last = net_.layers.back();
  const Shape o = last.out_shape;
  std::vector<int64_t> od{o.channels, o.height, o.width};
  if (rank_.back() == 2) od.resize(1);
  // The graph output gets a stable name: "output" through an Identity.
  node("Identity", "output_identity", {out_name_.back()}, "output");
  tensor_info(g_->add_output(), "output", od);
  return m;
}

}  // namespace

void export_onnx(const Network& net, const std::vector<LayerWeights>& weights,
                 const std::map<std::string, std::string>& metadata, const std::filesystem::path& path) {
  onnx::ModelProto m = Exporter(net, weights).build(metadata);
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw Error("export_onnx: protobuf serialisation failed (model over 2 GiB?)");
  AtomicOutput out(path);
  {
    std::ofstream f(out.tmp_path(), std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) throw Error("cannot write " + out.tmp_path().string());
  }
  out.commit();
}

}  // namespace rramsim::workload
