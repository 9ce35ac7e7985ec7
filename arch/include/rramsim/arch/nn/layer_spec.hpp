#pragma once
// The float model's view of one layer: kind and tensor shapes, derived from the
// architecture's network description (from_network.hpp) so accuracy and architecture
// figures share one definition.
//
// Activations are stored one image per column in HWC order (channel fastest): the
// M x (positions) output block of a convolution's matrix product is then already the
// next layer's input column, and a fully connected layer flattens in that order.
#include <string>

namespace rramsim::arch::nn {

enum class LayerKind { conv, fc, max_pool, avg_pool };

struct Shape {
  int channels = 1, height = 1, width = 1;
  int size() const { return channels * height * width; }
  bool operator==(const Shape&) const = default;
};

struct LayerSpec {
  LayerKind kind = LayerKind::conv;
  std::string name;
  Shape in, out;
  int kernel_h = 1, kernel_w = 1;  // conv and pooling windows
  int stride = 1, pad = 0;         // symmetric padding: zeros (conv), ignored taps (max
                                   // pool), zeros counted in the window area (avg pool)
  int groups = 1;                  // conv only
  bool bias = true;                // conv and fc: false keeps the bias at zero
  bool relu = false;               // conv and fc: ReLU after the bias

  bool has_weights() const { return kind == LayerKind::conv || kind == LayerKind::fc; }
  // Matrix-product sizes of the MacHook contract (mac_hook.hpp), per group.
  int mac_rows() const { return out.channels / groups; }  // M
  int mac_depth() const {                                  // K
    return kind == LayerKind::fc ? in.size() : in.channels / groups * kernel_h * kernel_w;
  }
  int positions() const { return out.height * out.width; }  // P per image
};

// Fills `out` of a conv/pool spec from `in`, kernel, stride and pad (fc: out.channels set
// by the caller, out.height = out.width = 1). Throws InputError naming the layer if the
// window does not fit or the channels do not divide into the groups.
void infer_output_shape(LayerSpec& spec);

}  // namespace rramsim::arch::nn
