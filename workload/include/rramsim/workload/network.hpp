#pragma once
// A CNN as data: the layer graph read from data/networks/<name>.toml (format in
// docs/arch.md), with every shape inferred and checked at load time.
//
//   Network net = load_network("resnet18");          // or a path to a .toml file
//   for (const Layer& l : net.layers) ... l.out_shape, l.macs() ...
//
// Layers are listed in execution order; a layer reads the previous layer unless it names
// its `inputs` ("input" is the network input). The layer model is layer.hpp.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rramsim/workload/layer.hpp"

namespace rramsim::workload {

struct Network {
  std::string name;
  std::string description;
  std::filesystem::path source;  // file it was read from
  Shape input;
  std::vector<Layer> layers;

  // Index of a layer by name; -1 if absent.
  int find(const std::string& layer_name) const;
  int64_t total_macs() const;
  int64_t total_weights() const;
  int weighted_layer_count() const;
};

// Loads data/networks/<name>.toml (name without extension), a .toml file path, or an ONNX
// model ("x.onnx", or "x.onnx:CxHxW" to resolve dynamic input dimensions; onnx.hpp). Throws
// InputError naming the file, the layer (or ONNX node) and what is wrong.
Network load_network(const std::string& name_or_file);
// Parses network TOML text; `origin` names it in error messages.
Network parse_network(const std::string& toml_text, const std::string& origin);
// Names of the networks shipped in data/networks/.
std::vector<std::string> shipped_networks();

}  // namespace rramsim::workload
