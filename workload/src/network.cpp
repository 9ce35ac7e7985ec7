#include "rramsim/workload/network.hpp"
#include "rramsim/common/data_path.hpp"

#include <algorithm>
#include <map>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::workload {

int Network::find(const std::string& layer_name) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == layer_name) return static_cast<int>(i);
  return -1;
}

int64_t Network::total_macs() const {
  int64_t s = 0;
  for (const auto& l : layers) s += l.macs();
  return s;
}

int64_t Network::total_weights() const {
  int64_t s = 0;
  for (const auto& l : layers) s += l.weights();
  return s;
}

int Network::weighted_layer_count() const {
  return static_cast<int>(std::count_if(layers.begin(), layers.end(),
                                        [](const Layer& l) { return l.is_weighted(); }));
}

namespace {

const Range kPositive{.min = 1, .max = 1 << 24};
const Range kNonNegative{.min = 0, .max = 1 << 24};

std::string shape_str(const Shape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width);
}

// Reads kernel = k or kernel = [kh, kw]; defaults to `fallback` when absent.
void read_kernel(const Config& c, Layer& l, int fallback) {
  if (!c.has("kernel")) {
    l.kernel_h = l.kernel_w = fallback;
    return;
  }
  // A scalar's own error (e.g. kernel = 0 is out of range) is reported as such.
  std::vector<int64_t> ks = c.is_array("kernel") ? c.integers("kernel", {}, kPositive)
                                                 : std::vector<int64_t>{c.integer("kernel", 0, kPositive)};
  if (ks.size() == 1 || ks.size() == 2) {
    l.kernel_h = static_cast<int>(ks[0]);
    l.kernel_w = static_cast<int>(ks.back());
    return;
  }
  throw InputError(c.where("kernel") + ": expected one or two kernel sizes");
}

// Refuses a window larger than the padded input, naming the config line (the shape itself
// comes from infer_output_shape).
void check_window(const Config& c, const Layer& l) {
  const int in[2] = {l.in_shape.height, l.in_shape.width}, k[2] = {l.kernel_h, l.kernel_w};
  const char* dim[2] = {"height", "width"};
  for (int i = 0; i < 2; ++i)
    if (in[i] + 2 * l.pad_top - k[i] < 0)
      throw InputError(c.where("kernel") + ": layer '" + l.name + "': kernel " + std::to_string(k[i]) +
                       " is larger than the padded input " + dim[i] + " " +
                       std::to_string(in[i] + 2 * l.pad_top) + " (output would be empty)");
}

Layer parse_layer(const Config& c, size_t index, const Network& net) {
  Layer l;
  l.name = c.string("name", "");
  if (l.name.empty()) throw InputError(c.where("name") + ": every layer needs a non-empty name");
  if (l.name == "input") throw InputError(c.where("name") + ": 'input' is reserved for the network input");
  if (net.find(l.name) >= 0) throw InputError(c.where("name") + ": duplicate layer name '" + l.name + "'");
  if (!c.has("type")) throw InputError(c.where("type") + ": layer '" + l.name + "' needs a type (conv, fc, pool, add)");
  std::string type = c.string("type", "", {"conv", "fc", "pool", "add"});
  l.kind = type == "conv" ? LayerKind::conv : type == "fc" ? LayerKind::fc
           : type == "pool" ? LayerKind::pool : LayerKind::add;
  std::string here = "layer '" + l.name + "'";

  // Inputs: named, or the previous layer.
  for (const auto& in : c.strings("inputs", {})) {
    int j = in == "input" ? -1 : net.find(in);
    if (in != "input" && j < 0)
      throw InputError(c.where("inputs") + ": " + here + ": input '" + in +
                       "' is not the network input or an earlier layer");
    l.inputs.push_back(j);
  }
  if (l.inputs.empty()) l.inputs.push_back(index == 0 ? -1 : static_cast<int>(index) - 1);
  auto shape_of = [&](int j) { return j < 0 ? net.input : net.layers[j].out_shape; };
  l.in_shape = shape_of(l.inputs[0]);
  if (l.kind != LayerKind::add && l.inputs.size() != 1)
    throw InputError(c.where("inputs") + ": " + here + ": a " + type + " layer takes exactly one input");

  std::string act = c.string("activation", "none", {"none", "relu"});
  l.activation = act == "relu" ? Activation::relu : Activation::none;

  switch (l.kind) {
    case LayerKind::conv: {
      l.out_channels = static_cast<int>(c.integer("out_channels", 0, kPositive));
      if (l.out_channels == 0) throw InputError(c.where("out_channels") + ": " + here + ": out_channels is required");
      read_kernel(c, l, 0);
      if (l.kernel_h == 0) throw InputError(c.where("kernel") + ": " + here + ": kernel is required");
      l.set_stride(static_cast<int>(c.integer("stride", 1, kPositive)));
      l.set_padding(static_cast<int>(c.integer("padding", 0, kNonNegative)));
      l.groups = static_cast<int>(c.integer("groups", 1, kPositive));
      l.bias = c.boolean("bias", true);
      if (c.has("in_channels")) {
        int declared = static_cast<int>(c.integer("in_channels", 0, kPositive));
        if (declared != l.in_shape.channels)
          throw InputError(c.where("in_channels") + ": " + here + " declares " + std::to_string(declared) +
                           " input channels but its input has " + std::to_string(l.in_shape.channels) +
                           " (shape " + shape_str(l.in_shape) + ")");
      }
      if (l.in_shape.channels % l.groups || l.out_channels % l.groups)
        throw InputError(c.where("groups") + ": " + here + ": groups " + std::to_string(l.groups) +
                         " must divide input channels " + std::to_string(l.in_shape.channels) +
                         " and out_channels " + std::to_string(l.out_channels));
      check_window(c, l);
      break;
    }
    case LayerKind::fc: {
      l.out_channels = static_cast<int>(c.integer("out_features", 0, {.min = 1, .max = double(kMaxOutputs)}));
      if (l.out_channels == 0) throw InputError(c.where("out_features") + ": " + here + ": out_features is required");
      l.bias = c.boolean("bias", true);
      if (c.has("in_features")) {
        int64_t declared = c.integer("in_features", 0, kPositive);
        if (declared != l.in_shape.elements())
          throw InputError(c.where("in_features") + ": " + here + " declares " + std::to_string(declared) +
                           " input features but its input has " + std::to_string(l.in_shape.elements()) +
                           " (shape " + shape_str(l.in_shape) + ")");
      }
      l.kernel_h = l.in_shape.height;
      l.kernel_w = l.in_shape.width;
      break;
    }
    case LayerKind::pool: {
      l.pool_mode = c.string("mode", "max", {"max", "avg"}) == "avg" ? PoolMode::avg : PoolMode::max;
      read_kernel(c, l, 0);
      if (l.kernel_h == 0) throw InputError(c.where("kernel") + ": " + here + ": kernel is required");
      l.set_stride(static_cast<int>(c.integer("stride", l.kernel_h, kPositive)));
      l.set_padding(static_cast<int>(c.integer("padding", 0, kNonNegative)));
      check_window(c, l);
      break;
    }
    case LayerKind::add: {
      if (l.inputs.size() < 2)
        throw InputError(c.where("inputs") + ": " + here + ": an add layer needs at least two inputs");
      for (int j : l.inputs)
        if (!(shape_of(j) == l.in_shape))
          throw InputError(c.where("inputs") + ": " + here + ": inputs have different shapes (" +
                           shape_str(l.in_shape) + " and " + shape_str(shape_of(j)) + ")");
      break;
    }
    default: break;  // the other kinds come from ONNX import only
  }
  try {
    infer_output_shape(l);  // the one shape rule, shared with nn/ and ONNX import
  } catch (const InputError& e) {  // name the file and line of the layer
    throw InputError(c.where(l.kind == LayerKind::fc ? "out_features" : "type") + ": " + e.what());
  }
  return l;
}

// Per-layer sizes are bounded by infer_output_shape; the sums over layers are checked here
// so that no total (MACs, weights) can wrap around and be reported as 0.
constexpr int64_t kMaxTotal = int64_t{1} << 50;

void check_totals(const Network& net, const std::string& origin) {
  int64_t macs = 0, weights = 0;
  for (const auto& l : net.layers)
    if (__builtin_add_overflow(macs, l.macs(), &macs) || __builtin_add_overflow(weights, l.weights(), &weights) ||
        macs > kMaxTotal || weights > kMaxTotal)
      throw InputError(origin + ": layer '" + l.name + "': the network's multiply-accumulates or weights exceed the " +
                       std::to_string(kMaxTotal) + " supported");
}

Network parse(const ConfigDoc& doc, const std::string& origin) {
  Config root = doc.root();
  Network net;
  net.source = origin;
  net.name = root.string("name", std::filesystem::path(origin).stem().string());
  net.description = root.string("description", "");
  Config in = root.table("input");
  const Range dim{.min = 1, .max = 1 << 20};
  net.input.channels = static_cast<int>(in.integer("channels", 0, dim));
  net.input.height = static_cast<int>(in.integer("height", 0, dim));
  net.input.width = static_cast<int>(in.integer("width", 0, dim));
  if (net.input.elements() == 0)
    throw InputError(origin + ": [input] needs channels, height and width (each >= 1)");
  // Each dimension is below 2^21, so the product (below 2^63) is exact.
  if (net.input.elements() > kMaxElements)
    throw InputError(in.where("channels") + ": the input " + shape_str(net.input) + " has " +
                     std::to_string(net.input.elements()) + " values, more than the " +
                     std::to_string(kMaxElements) + " supported");
  auto layers = root.tables("layer");
  if (layers.empty()) throw InputError(origin + ": the network has no [[layer]]");
  for (size_t i = 0; i < layers.size(); ++i) net.layers.push_back(parse_layer(layers[i], i, net));
  if (net.weighted_layer_count() == 0)
    throw InputError(origin + ": the network has no conv or fc layer");
  check_totals(net, origin);
  doc.reject_unknown_keys();
  return net;
}

}  // namespace

Network parse_network(const std::string& toml_text, const std::string& origin) {
  return parse(ConfigDoc::from_string(toml_text, origin), origin);
}

Network load_network(const std::string& name_or_file) {
  std::filesystem::path file = name_or_file;
  if (is_onnx_file(name_or_file)) return import_onnx(file).network;
  if (file.extension() != ".toml") {
    file = data_path("networks", name_or_file);
    if (!std::filesystem::exists(file)) {
      std::string known;
      for (const auto& n : shipped_networks()) known += (known.empty() ? "" : ", ") + n;
      throw InputError("unknown network '" + name_or_file + "' (shipped: " + known + "; or give a .toml file)");
    }
  }
  if (!std::filesystem::exists(file)) throw InputError("network file " + file.string() + " does not exist");
  return parse(ConfigDoc::from_file(file), file.string());
}

std::vector<std::string> shipped_networks() { return shipped_names("networks"); }

}  // namespace rramsim::workload
