#pragma once
// One layer of a CNN, the single layer model shared by the architecture model (mapping,
// event counts), the float model (nn/) and the bit-accurate datapath (schemes/).
//
// Shapes are channels x height x width. Activations are stored one image per column in HWC
// order (channel fastest), so a convolution's M x (positions) output block is already the
// next layer's input column and a fully connected layer flattens in that order. Batch
// normalisation is folded into the preceding convolution, so it has no layer kind.
//
// Kinds: conv and fc run on crossbars (the MacHook contract, nn/mac_hook.hpp); everything
// else is digital work: pool (max/avg, global average = a window of the whole input), add
// and mul (elementwise over any number of inputs, numpy broadcasting of size-1 channel,
// height or width), concat (along channels), act (a stand-alone activation), pad (constant
// padding of height and width), softmax (over channels at each position), reshape (ONNX
// semantics: the values in CHW order keep their order, so HWC data is permuted) and constant (a fixed tensor with no input, e.g. an ONNX
// initializer used by add or mul; its values are the layer's parameters).
#include <cstdint>
#include <string>
#include <vector>

namespace rramsim::workload {

enum class LayerKind { conv, fc, pool, add, mul, concat, act, pad, softmax, reshape, constant };
enum class PoolMode { max, avg };
// clip: min(max(x, alpha), beta); leaky_relu: x < 0 ? alpha x : x; hard_sigmoid:
// max(0, min(1, alpha x + beta)); hard_swish: x * hard_sigmoid(x) with alpha 1/6, beta 0.5.
enum class Activation { none, relu, clip, leaky_relu, hard_sigmoid, hard_swish, sigmoid };

const char* to_string(LayerKind k);
const char* to_string(Activation a);

struct Shape {
  int channels = 0;
  int height = 1;
  int width = 1;
  int64_t elements() const { return int64_t{channels} * height * width; }
  bool operator==(const Shape&) const = default;
};

// Largest tensor (elements per image) and largest layer output count accepted anywhere;
// sizes are computed in 64 bits and checked against these before anything is allocated.
inline constexpr int64_t kMaxElements = int64_t{1} << 28;
inline constexpr int64_t kMaxOutputs = (int64_t{1} << 24) - 1;

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::conv;
  std::vector<int> inputs;  // indices into Network::layers; -1 = network input

  // conv: kernel/stride/padding/dilation/groups; fc: out_channels only (kernel = input
  // spatial size); pool: kernel/stride/padding. Padding: zeros (conv, pad), ignored taps
  // (max pool), avg pool counts padded taps in the window area iff avg_count_pad.
  int out_channels = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  bool bias = true;                          // conv and fc: false keeps the bias at zero
  Activation activation = Activation::none;  // applied after the layer (any kind but constant)
  float act_alpha = 0, act_beta = 0;         // activation parameters (see Activation)
  PoolMode pool_mode = PoolMode::max;        // pool only
  bool avg_count_pad = true;                 // avg pool: padded taps count in the area
  float pad_value = 0;                       // pad only

  Shape in_shape;   // of inputs[0]
  Shape out_shape;

  void set_stride(int s) { stride_h = stride_w = s; }
  void set_padding(int p) { pad_top = pad_left = pad_bottom = pad_right = p; }

  bool is_weighted() const { return kind == LayerKind::conv || kind == LayerKind::fc; }
  bool is_max_pool() const { return kind == LayerKind::pool && pool_mode == PoolMode::max; }
  bool has_relu() const { return activation == Activation::relu; }
  bool is_depthwise() const {
    return kind == LayerKind::conv && groups > 1 && groups == in_shape.channels && groups == out_channels;
  }
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

// Applies an activation to one value (the float model and the ONNX reference share it).
float activate(Activation a, float alpha, float beta, float x);

// Fills out_shape (and out_channels of a pool layer) from in_shape, kind, kernel, stride,
// padding and groups; fc needs out_channels set. Throws InputError naming the layer if the
// window does not fit, the channels do not divide into the groups or a size exceeds
// kMaxElements / kMaxOutputs. add, mul, concat and constant shapes are set by their
// builder (they depend on several inputs): this checks only their size.
void infer_output_shape(Layer& layer);

}  // namespace rramsim::workload
