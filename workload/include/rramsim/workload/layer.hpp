#pragma once
// One layer of a CNN, the single layer model shared by the architecture model (mapping,
// event counts), the float model (nn/) and the bit-accurate datapath (schemes/).
//
// Shapes are channels x height x width. Activations are stored one image per column in HWC
// order (channel fastest), so a convolution's M x (positions) output block is already the
// next layer's input column and a fully connected layer flattens in that order. Batch
// normalisation is assumed folded into the preceding convolution, so it has no layer kind.
#include <cstdint>
#include <string>
#include <vector>

namespace rramsim::workload {

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
  // Padding is symmetric: zeros (conv), ignored taps (max pool), zeros counted in the
  // window area (avg pool).
  int out_channels = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride = 1;
  int padding = 0;
  int groups = 1;
  bool bias = true;                          // conv and fc: false keeps the bias at zero
  Activation activation = Activation::none;  // applied after the layer (conv, fc, add)
  PoolMode pool_mode = PoolMode::max;        // pool only

  Shape in_shape;   // of inputs[0] (all inputs of an add have this shape)
  Shape out_shape;

  bool is_weighted() const { return kind == LayerKind::conv || kind == LayerKind::fc; }
  bool is_max_pool() const { return kind == LayerKind::pool && pool_mode == PoolMode::max; }
  bool has_relu() const { return activation == Activation::relu; }
  // Rows of the weight matrix per group: in_channels/groups x kernel_h x kernel_w
  // (an fc layer: the flattened input size). K of the MacHook contract (nn/mac_hook.hpp).
  int64_t kernel_rows() const;
  // M of the MacHook contract: output channels per group.
  int out_channels_per_group() const { return out_channels / groups; }
  // Output positions per inference (out_h x out_w; 1 for fc).
  int64_t positions() const { return int64_t{out_shape.height} * out_shape.width; }
  int64_t weights() const;  // weight count (no bias)
  int64_t macs() const;     // multiply-accumulates per inference
};

// Fills out_shape (and out_channels of a pool layer) from in_shape, kind, kernel, stride,
// padding and groups; fc needs out_channels set. Throws InputError naming the layer if the
// window does not fit or the channels do not divide into the groups.
void infer_output_shape(Layer& layer);

}  // namespace rramsim::workload
