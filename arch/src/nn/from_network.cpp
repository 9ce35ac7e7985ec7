#include "rramsim/arch/nn/from_network.hpp"

#include "rramsim/arch/nn/weights.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::arch::nn {
namespace {

Shape to_nn(const arch::Shape& s) { return {s.channels, s.height, s.width}; }

}  // namespace

Model model_from_network(const Network& net) {
  std::vector<LayerSpec> specs;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::string where = "network '" + net.name + "', layer '" + l.name + "'";
    const int previous = static_cast<int>(i) - 1;
    if (l.kind == arch::LayerKind::add || l.inputs.size() != 1 || l.inputs[0] != previous)
      throw InputError(where + ": the float model runs plain chains only (no residual or "
                       "branching layers)");
    LayerSpec s;
    s.name = l.name;
    s.in = to_nn(l.in_shape);
    s.kernel_h = l.kernel_h;
    s.kernel_w = l.kernel_w;
    s.stride = l.stride;
    s.pad = l.padding;
    s.groups = l.groups;
    s.bias = l.bias;
    s.relu = l.activation == Activation::relu;
    switch (l.kind) {
      case arch::LayerKind::conv: s.kind = LayerKind::conv; s.out.channels = l.out_channels; break;
      case arch::LayerKind::fc: s.kind = LayerKind::fc; s.out.channels = l.out_channels; break;
      default: s.kind = l.pool_mode == PoolMode::max ? LayerKind::max_pool : LayerKind::avg_pool;
    }
    infer_output_shape(s);
    if (!(s.out == to_nn(l.out_shape)))
      throw InputError(where + ": output shape disagrees between the network description and "
                       "the float model (pooling or padding convention)");
    specs.push_back(s);
  }
  return Model(net.name, to_nn(net.input), std::move(specs));
}

Model load_model(const std::string& network, const std::filesystem::path& weights) {
  Model m = model_from_network(load_network(network));
  load_weights(m, weights);
  return m;
}

}  // namespace rramsim::arch::nn
