// ONNX -> layer graph: the model checks, the graph input, the walk over the nodes with the
// operator dispatch, and the pruning to the layers the output needs. The operators are in
// onnx_conv/gemm/elementwise/pool/shape.cpp.
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

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

}  // namespace rramsim::workload::onnx_detail

namespace rramsim::workload {

using namespace onnx_detail;

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

}  // namespace rramsim::workload
