#pragma once
// A CNN as data: the layer graph read from data/networks/<name>.toml (format in
// docs/arch.md), with every shape inferred and checked at load time.
//
//   Network net = load_network("resnet18");          // or a path to a .toml file
//   for (const Layer& l : net.layers) ... l.out_shape, l.macs() ...
//
// Layers are listed in execution order; a layer reads the previous layer unless it names
// its `inputs` ("input" is the network input). Shapes are channels x height x width; a fully
// connected layer flattens its input. Batch normalisation is assumed folded into the
// preceding convolution, so it has no layer kind.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim::arch {

enum class LayerKind { conv, fc, pool, add };
enum class PoolMode { max, avg };
enum class Activation { none, relu };

const char* to_string(LayerKind k);

struct Shape {
  int channels = 0;
  int height = 1;
  int width = 1;
  int64_t elements() const { return int64_t{channels} * height * width; }
  bool operator==(const Shape&) const = default;
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::conv;
  std::vector<int> inputs;  // indices into Network::layers; -1 = network input

  // conv: kernel/stride/padding/groups; fc: out_channels only (kernel = input spatial size).
  int out_channels = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride = 1;
  int padding = 0;
  int groups = 1;
  bool bias = true;
  Activation activation = Activation::none;  // applied after the layer (conv, fc, add)
  PoolMode pool_mode = PoolMode::max;        // pool only

  Shape in_shape;   // of inputs[0] (all inputs of an add have this shape)
  Shape out_shape;

  bool is_weighted() const { return kind == LayerKind::conv || kind == LayerKind::fc; }
  // Rows of the weight matrix per group: in_channels/groups x kernel_h x kernel_w
  // (an fc layer: the flattened input size).
  int64_t kernel_rows() const;
  int out_channels_per_group() const { return out_channels / groups; }
  // Output positions per inference (out_h x out_w; 1 for fc).
  int64_t positions() const { return int64_t{out_shape.height} * out_shape.width; }
  int64_t weights() const;  // weight count (no bias)
  int64_t macs() const;     // multiply-accumulates per inference
};

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

// Loads data/networks/<name>.toml (name without extension) or a .toml file path. Throws
// InputError naming the file, the layer and the field that is wrong.
Network load_network(const std::string& name_or_file);
// Parses network TOML text; `origin` names it in error messages.
Network parse_network(const std::string& toml_text, const std::string& origin);
// Names of the networks shipped in data/networks/.
std::vector<std::string> shipped_networks();

}  // namespace rramsim::arch
