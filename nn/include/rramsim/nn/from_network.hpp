#pragma once
// Builds the float model from the architecture's network description
// (rramsim/workload/network.hpp, data/networks/<name>.toml), so that accuracy and the
// architecture figures share one definition of every layer.
#include <filesystem>
#include <string>

#include "rramsim/workload/network.hpp"
#include "rramsim/nn/model.hpp"

namespace rramsim::nn {

// Zero-weight model of any layer graph (residual adds, branches, concat ...).
Model model_from_network(const workload::Network& network);

// load_network(network) + load_weights(weights): the usual way to get a trained model.
// For an ONNX network ("x.onnx" or "x.onnx:CxHxW") the weights come from the file itself
// (`weights` may be empty or the same file; an .h5 file replaces them).
Model load_model(const std::string& network, const std::filesystem::path& weights);

}  // namespace rramsim::nn
