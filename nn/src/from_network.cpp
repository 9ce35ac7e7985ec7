#include "rramsim/nn/from_network.hpp"

#include "rramsim/common/error.hpp"
#include "rramsim/nn/weights.hpp"

namespace rramsim::nn {

Model model_from_network(const workload::Network& net) {
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const int previous = static_cast<int>(i) - 1;
    if (l.kind == LayerKind::add || l.inputs.size() != 1 || l.inputs[0] != previous)
      throw InputError("network '" + net.name + "', layer '" + l.name +
                       "': the float model runs plain chains only (no residual or "
                       "branching layers)");
  }
  return Model(net.name, net.input, net.layers);
}

Model load_model(const std::string& network, const std::filesystem::path& weights) {
  Model m = model_from_network(workload::load_network(network));
  load_weights(m, weights);
  return m;
}

}  // namespace rramsim::nn
