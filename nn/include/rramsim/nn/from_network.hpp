#pragma once
// Builds the float model from the architecture's network description
// (rramsim/workload/network.hpp, data/networks/<name>.toml), so that accuracy and the
// architecture figures share one definition of every layer.
#include <filesystem>
#include <string>

#include "rramsim/workload/network.hpp"
#include "rramsim/nn/model.hpp"

namespace rramsim::nn {

// Zero-weight model. Throws InputError for graphs the float model does not run
// (residual `add` layers or layers reading anything but the previous layer).
Model model_from_network(const workload::Network& network);

// load_network(network) + load_weights(weights): the usual way to get a trained model.
Model load_model(const std::string& network, const std::filesystem::path& weights);

}  // namespace rramsim::nn
