#include "rramsim/nn/from_network.hpp"

#include "rramsim/common/error.hpp"
#include "rramsim/nn/onnx_model.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::nn {

Model model_from_network(const workload::Network& net) { return Model(net.name, net.input, net.layers); }

Model load_model(const std::string& network, const std::filesystem::path& weights) {
  if (workload::is_onnx_file(network)) {
    // The weights are in the ONNX file; an .h5 given as well replaces them.
    Model m = model_from_onnx(workload::import_onnx(network));
    if (!weights.empty() && weights.extension() != ".onnx") load_weights(m, weights);
    return m;
  }
  Model m = model_from_network(workload::load_network(network));
  load_weights(m, weights);
  return m;
}

}  // namespace rramsim::nn
